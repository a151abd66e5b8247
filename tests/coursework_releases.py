"""The chapters' student releases, assigned once per test session and shared.

``tests/test_coursework_chapters.py`` (solutions full, blank zero),
``tests/test_answer_variants.py`` (alternative and wrong answers) and
``tests/test_student_release.py`` (Run All of the student notebook) all need every
chapter's current release; :func:`assigned_releases` runs ``coursework.assign`` once
for the whole test run (4-8 s a chapter), whichever of them asks first: the releases
are in the run's temporary folder shared by the pytest-xdist workers (as the
calibration cache of ``tests/conftest.py``), one chapter assigned by one worker at a
time under a file lock, the other worker reading what it wrote.

:func:`sliced_template` is the fast grading path those tests share: the release
notebook without the code cells before the exercises that are not tagged
``exercise-setup`` (:func:`coursework.outside_slice`), used as the template the answer
cells are graded in.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import nbformat

import coursework

REPO_ROOT = Path(__file__).resolve().parent.parent
MASTERS = coursework.find_masters(REPO_ROOT / "book")
#: The small coursework masters the tool's own tests use (tests/fixtures/), and the
#: release of the good one: the ``fixture_release`` fixture of tests/conftest.py.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD_MASTER = FIXTURES / "coursework_master.ipynb"
LEAKY_MASTER = FIXTURES / "coursework_leaky_master.ipynb"

_LOCK = threading.Lock()
_CACHE: dict = {}


@dataclass
class Assigned:
    """One chapter's release (or why ``assign`` failed) and its exercise slice."""

    master: Path
    release: coursework.Release | None
    error: str
    drop_ids: set[str]


def _shared_dist(tmp_path_factory) -> Path:
    """``chapter-dist/`` in the run's temporary folder that the workers share."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # <root>/pytest-N/popen-gwK: share <root>/pytest-N
    dist = base / "chapter-dist"
    dist.mkdir(exist_ok=True)
    return dist


def _assign_once(master: Path, dist: Path) -> tuple[coursework.Release | None, str]:
    """The release of ``master`` in ``dist`` (or why ``assign`` failed): assigned by
    the first process that asks, read back by the others (``<stem>.json``)."""
    done = dist / f"{master.stem}.json"
    with open(dist / f"{master.stem}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed
        if done.is_file():
            data = json.loads(done.read_text(encoding="utf-8"))
            if data["release"] is None:
                return None, data["error"]
            return coursework.Release(
                **{k: Path(v) for k, v in data["release"].items()}
            ), ""
        try:
            release, error = coursework.assign(master, dist), ""
        except coursework.CourseworkError as err:
            release, error = None, str(err)
        fields = release and {k: str(v) for k, v in dataclasses.asdict(release).items()}
        done.write_text(
            json.dumps({"release": fields, "error": error}), encoding="utf-8"
        )
        return release, error


def assigned_releases(tmp_path_factory, stems=None) -> dict[str, Assigned]:
    """``{chapter stem: Assigned}`` for the masters of ``book/`` named in ``stems``
    (default: all), each assigned once per test run whoever asks."""
    wanted = [m for m in MASTERS if stems is None or m.stem in set(stems)]
    with _LOCK:
        if "dist" not in _CACHE:
            _CACHE["dist"] = _shared_dist(tmp_path_factory)
        done = _CACHE.setdefault("releases", {})
        for master in wanted:
            if master.stem in done:
                continue
            release, error = _assign_once(master, _CACHE["dist"])
            drop = coursework.outside_slice(nbformat.read(master, as_version=4))
            done[master.stem] = Assigned(master, release, error, drop)
        return {m.stem: done[m.stem] for m in wanted}


def selected_stems(session, test_file: str, param: str = "stem") -> list[str]:
    """The chapters whose tests of ``test_file`` (parametrized by ``param``) this
    session runs (``-k`` respected), in book order."""
    chosen = {
        item.callspec.params.get(param)
        for item in session.items
        if item.path.name == test_file and hasattr(item, "callspec")
    }
    return [m.stem for m in MASTERS if m.stem in chosen]


def sliced_template(assigned: Assigned, folder: Path) -> Path:
    """The release notebook without the cells outside the exercise slice, in ``folder``
    (under the chapter's own file name, as grading expects)."""
    release = assigned.release
    dest = Path(folder) / release.student_notebook.name
    if not assigned.drop_ids:
        nbformat.write(nbformat.read(release.student_notebook, as_version=4), dest)
        return dest
    return coursework.drop_cells(release.student_notebook, assigned.drop_ids, dest)
