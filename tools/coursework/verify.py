"""Proving a release: the solutions score full marks, the untouched notebook zero."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .assign import Release
from .errors import CourseworkError
from .exercise_slice import drop_cells
from .grade import Grade, autograder_questions, grade_all


def verify(
    release: Release,
    timeout: float | None = 1800,
    drop_ids: set[str] | None = None,
    jobs: int = 2,
) -> tuple[Grade, Grade]:
    """Grade the solutions and the untouched student notebook of a release.

    With ``drop_ids`` (e.g. :func:`coursework.outside_slice` of the master) both
    notebooks are graded without those cells.  Returns ``(solution grade, blank
    grade)``; raises :class:`CourseworkError` if either could not be graded.  See
    :func:`verification_problems` for what the grades must be.
    """
    name = release.master.name
    with tempfile.TemporaryDirectory(prefix="coursework-verify-") as tmp:
        solution, blank = release.autograder_notebook, release.student_notebook
        if drop_ids:
            solution = drop_cells(solution, drop_ids, Path(tmp) / f"solution-{name}")
            # the template: answer cells are graded inside the (sliced) release notebook
            blank = drop_cells(blank, drop_ids, Path(tmp) / "blank" / name)
        full, zero = grade_all(
            [solution, blank], release.autograder_zip, jobs, timeout, template=blank
        )
    for which, g in (("solutions", full), ("untouched student notebook", zero)):
        if g.error:
            raise CourseworkError(f"{name}: grading the {which} failed: {g.error}")
    return full, zero


def verification_problems(release: Release, full: Grade, zero: Grade) -> list[str]:
    """What is wrong with a verification (empty: solutions full marks, blank zero)."""
    name = release.master.name
    problems = []
    for q, points in autograder_questions(release.autograder_zip).items():
        if full.scores.get(q) != points:
            problems.append(
                f"{name}: the solution of {q} scores {full.scores.get(q)} of {points}"
            )
        if zero.scores.get(q, 0.0) != 0.0:
            problems.append(
                f"{name}: the untouched student notebook scores {zero.scores[q]} on "
                f"{q}; a solution leaked or a test passes without an answer"
            )
    return problems
