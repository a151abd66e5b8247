"""The chapters' student releases, assigned once per test session and shared.

``tests/test_coursework_chapters.py`` (solutions full, blank zero),
``tests/test_answer_variants.py`` (alternative and wrong answers) and
``tests/test_student_release.py`` (Run All of the student notebook) all need every
chapter's current release; :func:`assigned_releases` runs ``coursework.assign`` once
for the whole session (about 4 s a chapter), whichever of them asks first.

:func:`sliced_template` is the fast grading path those tests share: the release
notebook without the code cells before the exercises that are not tagged
``exercise-setup`` (:func:`coursework.outside_slice`), used as the template the answer
cells are graded in.
"""

from __future__ import annotations

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


def assigned_releases(tmp_path_factory, stems=None) -> dict[str, Assigned]:
    """``{chapter stem: Assigned}`` for the masters of ``book/`` named in ``stems``
    (default: all), each assigned once per session whoever asks."""
    wanted = [m for m in MASTERS if stems is None or m.stem in set(stems)]
    with _LOCK:
        if "dist" not in _CACHE:
            _CACHE["dist"] = tmp_path_factory.mktemp("chapter-dist")
        done = _CACHE.setdefault("releases", {})
        for master in wanted:
            if master.stem in done:
                continue
            try:
                release, error = coursework.assign(master, _CACHE["dist"]), ""
            except coursework.CourseworkError as err:
                release, error = None, str(err)
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
