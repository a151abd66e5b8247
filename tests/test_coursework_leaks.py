"""The leak check's unmarked answer lines: an answer line someone forgot to mark.

The rest of the leak check (solution lines and hidden tests pasted into a release, a
master without markers) is tested in ``test_coursework.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from coursework_releases import FIXTURES, GOOD_MASTER

import coursework


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


# ============================================== public tests in the notebook's metadata


def _test_spec(tests_dir: Path, question: str) -> dict:
    namespace: dict = {}
    exec((tests_dir / f"{question}.py").read_text(), namespace)
    return namespace["test"]


def _student_copy(release, tmp_path: Path) -> tuple[Path, nbformat.NotebookNode]:
    student = tmp_path / "student"
    shutil.copytree(release.student_notebook.parent, student)
    return student, nbformat.read(student / release.student_notebook.name, 4)


def test_release_notebook_carries_exactly_its_public_tests(fixture_release):
    """The student notebook keeps its public tests in its metadata (otter's place for
    them when ``tests: files: false``), the same as its ``tests/`` folder, none hidden."""
    tests_dir = fixture_release.student_notebook.parent / "tests"
    config = nbformat.read(fixture_release.student_notebook, 4).metadata["otter"]
    assert config["OK_FORMAT"] is True
    assert config["tests"] == {q: _test_spec(tests_dir, q) for q in ("q1", "q2")}, (
        "the metadata tests differ from tests/"
    )
    cases = [
        c for t in config["tests"].values() for s in t["suites"] for c in s["cases"]
    ]
    assert cases and not any(c.get("hidden", True) for c in cases)


@pytest.mark.parametrize("hidden", [True, False])
def test_hidden_test_in_notebook_metadata_is_a_leak(fixture_release, tmp_path, hidden):
    """A hidden test put into the student notebook's metadata is caught, whether it
    is marked hidden there or passed off as public."""
    student, nb = _student_copy(fixture_release, tmp_path)
    assert coursework.find_leaks(GOOD_MASTER, student) == []
    autograder_q2 = _test_spec(
        fixture_release.autograder_notebook.parent / "tests", "q2"
    )
    secret = [c for s in autograder_q2["suites"] for c in s["cases"] if c.get("hidden")]
    assert secret, "the fixture's q2 has a hidden test"
    case = dict(secret[0], hidden=hidden)
    nb.metadata["otter"]["tests"]["q2"]["suites"][0]["cases"].append(case)
    nbformat.write(nb, student / fixture_release.student_notebook.name)
    leaks = coursework.find_leaks(GOOD_MASTER, student)
    if hidden:
        assert leaks == [
            f"{student / GOOD_MASTER.name}: metadata test q2 has a hidden test case"
        ]
    else:
        assert [leak for leak in leaks if "sigma_prime_max == 0.25" in leak] == [
            "hidden test in cell 24: assert sigma_prime_max == 0.25, "
            '"the maximum of sigmoid\'s derivative is 1/4, at x = 0"'
        ], leaks


def test_metadata_test_without_hidden_key_counts_as_hidden(fixture_release, tmp_path):
    """otter reads a case without ``hidden`` as hidden: so does the leak check."""
    student, nb = _student_copy(fixture_release, tmp_path)
    case = nb.metadata["otter"]["tests"]["q1"]["suites"][0]["cases"][0]
    del case["hidden"]
    nbformat.write(nb, student / fixture_release.student_notebook.name)
    assert coursework.find_leaks(GOOD_MASTER, student) == [
        f"{student / GOOD_MASTER.name}: metadata test q1 has a hidden test case"
    ]
