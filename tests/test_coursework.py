"""Coursework: the otter-grader machinery of the ``coursework`` package.

On the tiny masters in ``tests/fixtures/`` (independent of the chapters): a release has
no solution and no hidden test, a master whose solution lost its markers is caught
(validation, the leak check; the zero-score check is in ``test_coursework_grading.py``,
unmarked answer lines in ``test_coursework_leaks.py``), the exercise slice, and clear
errors for bad masters.
Grading and its reports are in ``test_coursework_grading.py``, the command line in
``test_coursework_cli.py``; every chapter master is tested in
``test_coursework_chapters.py``; the tamper suite is ``test_grading_safety.py``.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from coursework_releases import FIXTURES, GOOD_MASTER, LEAKY_MASTER

import coursework
from coursework import markers

REPO_ROOT = Path(__file__).resolve().parent.parent
# =========================================================================== machinery


def test_fixture_masters_are_found_and_validated():
    assert coursework.is_master(GOOD_MASTER) and coursework.is_master(LEAKY_MASTER)
    assert coursework.find_masters(FIXTURES) == sorted([GOOD_MASTER, LEAKY_MASTER])
    assert coursework.validate_master(GOOD_MASTER) == []


def test_release_layout(fixture_release):
    r = fixture_release
    student = r.student_notebook.parent
    assert r.student_notebook.name == GOOD_MASTER.name
    assert (student / "coursework_support.py").is_file(), (
        "a 'files:' entry is missing from the release"
    )
    assert sorted(p.name for p in (student / "tests").iterdir()) == ["q1.py", "q2.py"]
    pins = (student / "requirements.txt").read_text().splitlines()
    assert {p.split("==")[0] for p in pins if not p.startswith("#")} == {
        "numpy",
        "otter-grader",
        "jupyterlab",
        "ipykernel",
    }, pins
    with zipfile.ZipFile(r.student_zip) as zf:
        assert f"{GOOD_MASTER.stem}/{GOOD_MASTER.name}" in zf.namelist()
    with zipfile.ZipFile(r.autograder_zip) as zf:
        names = zf.namelist()
    assert {"tests/q1.py", "tests/q2.py", "files/coursework_support.py"} <= set(names)
    assert not [n for n in names if "__pycache__" in n]
    assert coursework.autograder_questions(r.autograder_zip) == {"q1": 2.0, "q2": 1.0}


def test_student_notebook_is_clean(fixture_release):
    nb = nbformat.read(fixture_release.student_notebook, as_version=4)
    sources = [c.source for c in nb.cells]
    assert "grader = otter.Notebook(_this)" in sources[0]
    assert "_this = 'coursework_master.ipynb'" in sources[0], "the fall-back name"
    assert (fixture_release.student_notebook.parent / "check_feedback.py").is_file()
    assert 'grader.check("q1")' in sources and 'grader.check("q2")' in sources
    assert "sigma_prime_max = ..." in sources
    assert any(
        s.startswith("def sigmoid(x):") and s.rstrip().endswith("...") for s in sources
    )
    assert any("grader.export(pdf=False" in s for s in sources), (
        "export cell without PDF expected"
    )
    tags = {t for c in nb.cells for t in c.get("metadata", {}).get("tags", [])}
    assert not tags & coursework.BOOK_ONLY_TAGS, (
        f"website tags left in the student notebook: {tags}"
    )
    assert all(not c.get("outputs") for c in nb.cells)


def test_no_solution_or_hidden_test_in_release(fixture_release):
    assert (
        coursework.find_leaks(GOOD_MASTER, fixture_release.student_notebook.parent)
        == []
    )
    text = "\n".join(
        p.read_text()
        for p in fixture_release.student_notebook.parent.rglob("*")
        if p.is_file()
    )
    for secret in (
        "np.where(x >= 0",
        "0.25",
        "extremes",
        "1 / (1 + np.exp(-samples))",
        "'hidden': True",
    ):
        assert secret not in text, f"{secret!r} reached the student release"


def _notebook(cells: list[str]) -> nbformat.NotebookNode:
    """A notebook of code cells; ``"setup: ..."`` is tagged ``exercise-setup``,
    ``"md: ..."`` is markdown, ``"Q"``/``"/Q"`` open and close a question block."""
    nb = nbformat.v4.new_notebook()
    for text in cells:
        if text == "Q":
            nb.cells.append(nbformat.v4.new_raw_cell("# BEGIN QUESTION\nname: q1"))
        elif text == "/Q":
            nb.cells.append(nbformat.v4.new_raw_cell("# END QUESTION"))
        elif text.startswith("md: "):
            nb.cells.append(nbformat.v4.new_markdown_cell(text[4:]))
        elif text.startswith("setup: "):
            tags = {"tags": ["remove-cell", coursework.EXERCISE_SETUP_TAG]}
            nb.cells.append(nbformat.v4.new_code_cell(text[7:], metadata=tags))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(text))
    return nb


def _kept(nb: nbformat.NotebookNode, tmp_path: Path) -> list[str]:
    """Sources of the cells the exercise slice keeps (through ``drop_cells``)."""
    nbformat.write(nb, tmp_path / "in.ipynb")
    out = coursework.drop_cells(
        tmp_path / "in.ipynb", coursework.outside_slice(nb), tmp_path / "out.ipynb"
    )
    return [c.source for c in nbformat.read(out, as_version=4).cells]


def test_exercise_slice_keeps_setup_cells_and_everything_from_the_first_question(
    tmp_path,
):
    nb = _notebook(
        [
            "setup: import numpy as np",
            "md: prose stays",
            "heavy = train()",  # untagged, before the questions: dropped
            "setup: rng = np.random.default_rng(0)",
            "plot(heavy)",  # untagged: dropped
            "md: ## Exercises",
            "after_prose = 1",  # untagged, after the heading, before the question: dropped
            "Q",
            "answer = rng.normal()",
            "/Q",
            "summary = heavy",  # after the first question: kept, tagged or not
            "Q",
            "second = 2",
            "/Q",
        ]
    )
    assert _kept(nb, tmp_path) == [
        "import numpy as np",
        "prose stays",
        "rng = np.random.default_rng(0)",
        "## Exercises",
        "# BEGIN QUESTION\nname: q1",
        "answer = rng.normal()",
        "# END QUESTION",
        "summary = heavy",
        "# BEGIN QUESTION\nname: q1",
        "second = 2",
        "# END QUESTION",
    ]


def test_exercise_slice_of_a_notebook_without_questions_is_everything(tmp_path):
    nb = _notebook(["x = 1", "md: text"])
    assert coursework.outside_slice(nb) == set()


def test_exercise_slice_needs_cell_ids():
    nb = _notebook(["x = 1", "Q", "y = x", "/Q"])
    del nb.cells[0]["id"]
    with pytest.raises(coursework.CourseworkError, match="cell 0 has no id"):
        coursework.outside_slice(nb)


def test_untagged_setup_names_the_cell_to_tag():
    nb = _notebook(
        [
            "setup: import numpy as np",
            "W = np.ones(3)",  # read by a function in the exercise: needed
            "data = [1, 2]\nscale = 2.0",  # data read by a test; scale redefined
            "seed = 0",  # rebound inside the exercise before use: not needed
            "Q",
            "def predict(v):\n    return W @ v\nscale = 3.0\nseed = 1\nout = seed",
            "assert len(data) == 2 and print is not None",  # builtins never count
            "/Q",
        ]
    )
    assert coursework.untagged_setup(nb) == [("q1", 5, "W", 1), ("q1", 6, "data", 2)]


def test_validation_asks_for_a_missing_setup_tag(tmp_path):
    def edit(nb):
        del nb.cells[3].metadata["tags"]  # rng/samples: read by a hidden test of q1

    problems = coursework.validate_master(_master_with(tmp_path, edit=edit))
    assert problems == [
        f"{GOOD_MASTER.name}: question q1, cell 14 reads 'samples', which only cell 3 "
        "defines; tag cell 3 'exercise-setup' (the exercises are graded on the tagged "
        "cells and the exercises alone)"
    ]


def test_leak_check_finds_a_hidden_test_or_solution_pasted_into_the_release(
    fixture_release, tmp_path
):
    student = tmp_path / "student"
    shutil.copytree(fixture_release.student_notebook.parent, student)
    nb = nbformat.read(student / GOOD_MASTER.name, as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            'assert sigma_prime_max == 0.25, "the maximum of sigmoid\'s derivative is 1/4, at x = 0"'
        )
    )
    nb.cells.append(
        nbformat.v4.new_markdown_cell(
            "Hint:\n\n    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))"
        )
    )
    nbformat.write(nb, student / GOOD_MASTER.name)
    leaks = coursework.find_leaks(GOOD_MASTER, student)
    assert [leak.split(":")[0] for leak in leaks] == [
        "solution line of cell 10",
        "hidden test in cell 24",
    ], leaks


def test_leaky_master_is_refused_by_validation():
    problems = "\n".join(coursework.validate_master(LEAKY_MASTER))
    assert "question q1, cell" in problems and "question q2, cell" in problems
    assert "without '# BEGIN SOLUTION'" in problems


def test_leaky_master_is_caught_by_the_leak_check(tmp_path):
    with pytest.raises(coursework.CourseworkError, match="leaked") as err:
        coursework.assign(LEAKY_MASTER, tmp_path, validate=False)
    assert "sigma_prime_max = 0.25" in str(err.value)
    assert "return np.where(x >= 0" in str(err.value)
    assert list((tmp_path / LEAKY_MASTER.stem).iterdir()) == [], (
        "a leaking release must not be left behind"
    )


def _master_with(tmp_path: Path, config: str | None = None, edit=None) -> Path:
    nb = nbformat.read(GOOD_MASTER, as_version=4)
    if config is not None:
        nb.cells[0].source = config
    if edit:
        edit(nb)
    path = tmp_path / GOOD_MASTER.name
    nbformat.write(nb, path)
    shutil.copy(FIXTURES / "coursework_support.py", tmp_path)
    return path


@pytest.mark.parametrize(
    "config, message",
    [
        (
            "# ASSIGNMENT CONFIG\nname: other\ntests:\n  files: true\nexport_cell: false\nfiles: [coursework_support.py]",
            "'name' must be the notebook stem",
        ),
        (
            "# ASSIGNMENT CONFIG\nname: coursework_master\nexport_cell: false\nfiles: [coursework_support.py]",
            "tests: files: true",
        ),
        (
            "# ASSIGNMENT CONFIG\nname: coursework_master\ntests:\n  files: true\nfiles: [coursework_support.py]",
            "pdf: false",
        ),
        (
            "# ASSIGNMENT CONFIG\nname: coursework_master\ntests:\n  files: true\nexport_cell: false\nsolutions_pdf: true"
            "\nfiles: [coursework_support.py]",
            "'solutions_pdf' needs LaTeX",
        ),
    ],
)
def test_validation_of_the_config(tmp_path, config, message):
    problems = coursework.validate_master(_master_with(tmp_path, config))
    assert any(message in p for p in problems), problems


def test_validation_of_support_files_and_tests(tmp_path):
    def edit(nb):
        nb.cells[
            2
        ].source = (
            "import numpy as np\nfrom sigmoidbook.data import load_mnist\nSEED = 0"
        )
        nb.cells.insert(
            3,
            nbformat.v4.new_code_cell(
                "from jupyterquiz import display_quiz\n"
                'display_quiz("quizzes/coursework_master.json")'
            ),
        )
        tests = [
            c for c in nb.cells if c.cell_type == "code" and "TEST CONFIG" in c.source
        ]
        tests[0].source += "\nsigmoid(0.0)"
        tests[1].outputs = [nbformat.v4.new_output("stream", text="noise\n")]

    problems = "\n".join(coursework.validate_master(_master_with(tmp_path, edit=edit)))
    assert "needs ['sigmoidbook', 'data', 'quizzes/coursework_master.json']" in problems
    assert "a bare expression" in problems
    assert "has output" in problems


def test_malformed_blocks_are_reported(tmp_path):
    def edit(nb):
        del nb.cells[[c.source for c in nb.cells].index("# END QUESTION")]

    problems = coursework.validate_master(_master_with(tmp_path, edit=edit))
    assert problems and "BEGIN QUESTION inside question 'q1'" in problems[0]


def test_strip_website_cells():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "a = 1", metadata={"tags": ["hide-input", "keep-me"]}
        ),
        nbformat.v4.new_code_cell("b = 2", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_markdown_cell(
            "website only", metadata={"tags": ["website-only"]}
        ),
    ]
    coursework.strip_website_cells(nb)
    assert [(c.source, c.metadata.get("tags")) for c in nb.cells] == [
        ("a = 1", ["keep-me"]),
        ("b = 2", None),
    ]


def test_solution_markers_as_the_website_and_otter_read_them():
    """One definition for the "Show solution" toggle and for what otter removes."""
    code = (
        "def f(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION\n"
        "answer = 3  # SOLUTION\nkept = 1"
    )
    assert markers.has_solution_markers(code)
    assert not markers.has_solution_markers("plt.show()  # SOLUTIONS elsewhere")
    assert markers.strip_solution_markers(code) == (
        "def f(x):\n    return 2 * x\nanswer = 3\nkept = 1"
    )
    assert markers.solution_lines(code) == ["    return 2 * x", "answer = 3"]
    assert markers.solution_lines("x = 1\ny = 2") == ["x = 1", "y = 2"]  # no markers


def test_embed_public_tests_refuses_what_is_not_an_otter_test(tmp_path):
    from coursework.assign import embed_public_tests

    nb = nbformat.v4.new_notebook()
    with pytest.raises(coursework.CourseworkError, match="no public tests"):
        embed_public_tests(nb, tmp_path)
    (tmp_path / "q1.py").write_text("test = {'name': 'q1', 'suites': []}\n")
    with pytest.raises(coursework.CourseworkError, match="not an OK-format"):
        embed_public_tests(nb, tmp_path)
    (tmp_path / "q1.py").write_text("OK_FORMAT = True\ntest = {'name': 'q9'}\n")
    with pytest.raises(coursework.CourseworkError, match="named 'q9', expected 'q1'"):
        embed_public_tests(nb, tmp_path)
    assert "otter" not in nb.metadata, "nothing stored after an error"


def test_first_cell_says_how_to_install_otter_where_it_is_missing(
    fixture_release, monkeypatch
):
    """A student notebook opened where otter-grader is missing (Colab, a bare
    Jupyter) stops in its first cell with the one command that fixes it."""
    notebook = nbformat.read(fixture_release.student_notebook, as_version=4)
    first = next(c for c in notebook.cells if c.cell_type == "code")
    assert first.source.startswith("# Initialize Otter"), first.source[:80]
    monkeypatch.setitem(sys.modules, "otter", None)  # import fails
    with pytest.raises(ImportError, match=r"%pip install otter-grader==\d+\.\d+"):
        exec(compile(first.source, "first cell", "exec"), {})
