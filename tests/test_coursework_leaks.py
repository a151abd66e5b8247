"""The leak check's unmarked answer lines: an answer line someone forgot to mark.

The rest of the leak check (solution lines and hidden tests pasted into a release, a
master without markers) is tested in ``test_coursework.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

import coursework

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD_MASTER = FIXTURES / "coursework_master.ipynb"


def test_unmarked_answer_line_inside_a_marked_solution_is_a_leak(tmp_path):
    """An answer line someone forgot to mark, in the middle of a function whose other
    lines are marked, reaches the student: the leak check names it."""

    def forget_a_marker(nb):
        nb.cells[10].source = (
            "def sigmoid(x):\n"
            "    x = np.asarray(x, dtype=float)\n"  # given: may show
            "    # BEGIN SOLUTION\n"
            "    z = np.exp(-np.abs(x))\n"
            "    # END SOLUTION\n"
            "    positive = 1 / (1 + z)\n"  # the forgotten marker
            "    return np.where(x >= 0, positive, z / (1 + z))  # SOLUTION\n"
        )

    nb = nbformat.read(GOOD_MASTER, as_version=4)
    forget_a_marker(nb)
    master = tmp_path / GOOD_MASTER.name
    nbformat.write(nb, master)
    shutil.copy(FIXTURES / "coursework_support.py", tmp_path)
    source = nbformat.read(master, as_version=4).cells[10].source
    assert coursework.leaks.unmarked_answer_lines(source) == [
        "    positive = 1 / (1 + z)"
    ]
    with pytest.raises(coursework.CourseworkError, match="leaked") as err:
        coursework.assign(master, tmp_path / "dist")
    assert "unmarked answer line in solution cell 10: positive = 1 / (1 + z)" in str(
        err.value
    )
    assert "x = np.asarray" not in str(err.value), "given lines may show"


def test_unmarked_answer_lines_keep_scaffolding():
    code = (
        "@decorator\n"
        "def f(x):\n"
        '    """Docstring,\n    two lines."""\n'
        "    # BEGIN SOLUTION\n"
        "    y = 2 * x\n"
        "    # END SOLUTION\n"
        "    # a comment\n"
        "\n"
        "    ...\n"
        "    return y  # SOLUTION\n"
        "answer = f(1)\n"
    )
    assert coursework.leaks.unmarked_answer_lines(code) == []
    assert coursework.leaks.unmarked_answer_lines("def f(x):\n    return x") == []
