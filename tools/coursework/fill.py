"""Putting code into a question's answer cells of a student notebook (as a student would).

In a student release every answer cell is tagged ``otter_answer_cell`` and the
question's ``grader.check("<name>")`` cell follows its answer cells, so the answer
cells of a question are the tagged cells between the previous ``grader.check`` cell
and its own.  :func:`fill_answers` is what the answer-variant tests
(``tests/test_answer_variants.py``) use to build submissions.
"""

from __future__ import annotations

import copy
import re

import nbformat

from .errors import CourseworkError
from .submission import ANSWER_TAG

_CHECK = re.compile(r"""^\s*grader\.check\(\s*["']([^"']+)["']\s*\)\s*$""")


def _check_name(cell) -> str | None:
    if cell.cell_type != "code":
        return None
    match = _CHECK.match(cell.source.strip())
    return match.group(1) if match else None


def answer_cells(nb: nbformat.NotebookNode) -> dict[str, list[int]]:
    """``{question: [indices of its answer cells, in order]}`` of a student notebook.

    Raises :class:`CourseworkError` if answer cells follow the last ``grader.check``
    cell (they belong to no question) or a ``grader.check`` has no answer cell.
    """
    found: dict[str, list[int]] = {}
    pending: list[int] = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and ANSWER_TAG in cell.metadata.get("tags", []):
            pending.append(i)
        elif (name := _check_name(cell)) is not None:
            if not pending:
                raise CourseworkError(
                    f'cell {i}: grader.check("{name}") has no answer cell before it'
                )
            found.setdefault(name, []).extend(pending)
            pending = []
    if pending:
        raise CourseworkError(
            f"answer cells {pending} come after the last grader.check cell: "
            "they belong to no question"
        )
    return found


def fill_answers(
    nb: nbformat.NotebookNode, answers: dict[str, str | list[str]]
) -> nbformat.NotebookNode:
    """A copy of ``nb`` with ``answers[q]`` in question ``q``'s answer cells.

    An answer is a ``str`` for a question with one answer cell, or a list of ``str``
    (one per answer cell, in order).  Questions not in ``answers`` stay as they are.
    Raises :class:`CourseworkError` naming an unknown question or a wrong cell count.
    """
    cells = answer_cells(nb)
    out = copy.deepcopy(nb)
    for question, code in answers.items():
        if question not in cells:
            raise CourseworkError(
                f"no question {question!r} in the notebook (it has: {', '.join(cells)})"
            )
        codes = [code] if isinstance(code, str) else list(code)
        if not all(isinstance(c, str) for c in codes):
            raise CourseworkError(
                f"{question}: an answer must be a str or a list of str"
            )
        if len(codes) != len(cells[question]):
            raise CourseworkError(
                f"{question} has {len(cells[question])} answer cell(s), "
                f"the answer gives {len(codes)}"
            )
        for i, text in zip(cells[question], codes, strict=True):
            out.cells[i].source = text
    return out
