"""Limits of a sandboxed run, and the calibration cache of the trusted verdict.

One chapter 1 submission (exercise slice, as in ``test_grading_safety.py``) allocates
40 GB in its first answer cell, starts 400 processes that sleep in its second, and
answers the third honestly: the machine survives, the crash column names the memory
limit and the process limit, and the submission gets exactly the honest answer's
points.  The calibration test grades nothing: it measures chapter 1's verdicts twice
in a fresh cache folder (the second time must start no reference run) and checks
that a changed test file is a cache miss.
"""

from __future__ import annotations

import shutil
import zipfile

import nbformat
import pytest
from test_grading_safety import _solution_of, _with_answers, sliced_ch1

import coursework
from coursework import trusted, verdict_plan

MEMORY_HOG = "import numpy as np\nhog = np.ones(5 * 2**30)  # 40 GB\n"
FORK_FLOOD = """\
import os, time
children = []
for _ in range(400):
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    children.append(pid)
"""


@pytest.fixture(scope="module")
def ch1(tmp_path_factory):
    return sliced_ch1(tmp_path_factory)


def test_memory_and_process_limits_leave_the_honest_score(ch1, tmp_path, monkeypatch):
    release, template, solutions = ch1
    monkeypatch.setenv("COURSEWORK_SANDBOX", "require")
    monkeypatch.setenv("COURSEWORK_MEMORY_MB", "3072")
    monkeypatch.setenv("COURSEWORK_PROCESSES", "128")
    question, solution = _solution_of(template, solutions, 2)
    nb = _with_answers(template, {0: MEMORY_HOG, 1: FORK_FLOOD, 2: solution})
    nbformat.write(nb, tmp_path / "hog.ipynb")
    g = coursework.grade_submission(
        tmp_path / "hog.ipynb", release.autograder_zip, 600, template
    )
    assert not g.error, g.error
    assert "memory limit of 3072 MB exceeded" in g.crash, g.crash
    assert "the answer of q1" in g.crash, g.crash
    # RLIMIT_NPROC (a non-root grader) makes fork fail; as root the watch kills
    assert "process limit of 128 exceeded" in g.crash or "BlockingIOError" in g.crash, (
        g.crash
    )
    possible = coursework.autograder_questions(release.autograder_zip)
    assert g.scores == {q: (possible[q] if q == question else 0.0) for q in possible}


def test_bad_limits_are_named(monkeypatch):
    monkeypatch.setenv("COURSEWORK_MEMORY_MB", "lots")
    with pytest.raises(coursework.CourseworkError, match="COURSEWORK_MEMORY_MB"):
        coursework.sandbox.limits()


def test_a_second_calibration_is_read_from_the_cache(ch1, tmp_path, monkeypatch):
    release, template, _ = ch1
    monkeypatch.setenv("COURSEWORK_CACHE_DIR", str(tmp_path / "cache"))
    verdict_plan._cached_plan.cache_clear()  # as in a new process
    runs = trusted.REFERENCE_RUNS
    first = trusted.measure_verdicts(template, release.autograder_zip)
    assert runs + 1 == trusted.REFERENCE_RUNS
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".json"]
    verdict_plan._cached_plan.cache_clear()
    assert trusted.measure_verdicts(template, release.autograder_zip) == first
    assert runs + 1 == trusted.REFERENCE_RUNS, "the second grading recalibrated"
    # a changed test file (same questions) is another key: a cache miss
    changed = tmp_path / "changed" / release.autograder_zip.name
    changed.parent.mkdir()
    shutil.copy(release.autograder_notebook, changed.parent)
    with (
        zipfile.ZipFile(release.autograder_zip) as src,
        zipfile.ZipFile(changed, "w") as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("tests/") and info.filename.endswith(".py"):
                data += b"\n# changed\n"
            dst.writestr(info, data)
    verdict_plan._cached_plan.cache_clear()
    assert trusted.plan(template, changed).kinds is None
    assert trusted.plan(template, release.autograder_zip).kinds is not None
