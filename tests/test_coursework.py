"""Coursework: the otter-grader machinery of the ``coursework`` package.

On the tiny masters in ``tests/fixtures/`` (independent of the chapters): a release has
no solution and no hidden test, grading a folder gives full marks for the solutions
and zero for the untouched notebook in one CSV, a master whose solution lost its
markers is caught three ways (validation, the leak check, and the zero-score check),
real submissions (subfolders, upper-case names, other kernels, zips with extra files)
are graded or reported, and bad input gives clear errors.  Every chapter master is
tested in ``test_coursework_chapters.py``; the tamper suite is
``test_grading_safety.py``.
"""

from __future__ import annotations

import csv
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

import coursework
from coursework import markers
from coursework.runner import run_otter

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD_MASTER = FIXTURES / "coursework_master.ipynb"
LEAKY_MASTER = FIXTURES / "coursework_leaky_master.ipynb"
# =========================================================================== machinery


@pytest.fixture(scope="module")
def fixture_release(tmp_path_factory):
    return coursework.assign(GOOD_MASTER, tmp_path_factory.mktemp("dist"))


def _half_right(student_notebook: Path) -> nbformat.NotebookNode:
    """The student notebook answered with a naive sigmoid and a wrong maximum."""
    nb = nbformat.read(student_notebook, as_version=4)
    for cell in nb.cells:
        if "otter_answer_cell" in cell.metadata.get("tags", []):
            cell.source = (
                "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))"
                if "sigmoid" in cell.source
                else "sigma_prime_max = 0.3"
            )
    return nb


def _plain_otter_student(workdir: Path) -> Path:
    """The student notebook plain ``otter assign`` makes of the leaky master (renamed to
    the good master's assignment), without this package's checks."""
    leaky = nbformat.read(LEAKY_MASTER, as_version=4)
    leaky.cells[0].source = leaky.cells[0].source.replace(
        LEAKY_MASTER.stem, GOOD_MASTER.stem
    )
    nbformat.write(leaky, workdir / GOOD_MASTER.name)
    shutil.copy(FIXTURES / "coursework_support.py", workdir)
    result = run_otter("assign", "--no-run-tests", GOOD_MASTER.name, "out", cwd=workdir)
    assert result.returncode == 0, result.stdout
    return workdir / "out" / "student" / GOOD_MASTER.name


@pytest.fixture(scope="module")
def fixture_batch(fixture_release, tmp_path_factory):
    """One `coursework grade` run over a folder of every kind of submission (graded 2 at a time).

    alice: the solutions; bob: the untouched student notebook; carol: a half-right
    answer, zipped as ``grader.export`` does; dave/erin: alice and bob without the
    cells outside the exercise slice; frank: the untouched student notebook that
    plain ``otter assign`` makes of the leaky master (renamed to this assignment);
    wrong: a notebook of another assignment.
    Returns ``(exit status, {submission: CSV row}, dropped cell ids)``.
    """
    folder = tmp_path_factory.mktemp("submissions")
    shutil.copy(
        _plain_otter_student(tmp_path_factory.mktemp("leaky")),
        folder / "frank_leaky_untouched.ipynb",
    )
    release = fixture_release
    shutil.copy(release.autograder_notebook, folder / "alice_solutions.ipynb")
    shutil.copy(release.student_notebook, folder / "bob_untouched.ipynb")
    # carol: the layout grader.export writes
    with zipfile.ZipFile(folder / "carol_export.zip", "w") as zf:
        zf.writestr(
            GOOD_MASTER.name, nbformat.writes(_half_right(release.student_notebook))
        )
    dropped = coursework.outside_slice(nbformat.read(GOOD_MASTER, as_version=4))
    coursework.drop_cells(
        release.autograder_notebook, dropped, folder / "dave_slice_solutions.ipynb"
    )
    coursework.drop_cells(
        release.student_notebook, dropped, folder / "erin_slice_untouched.ipynb"
    )
    assert "unrelated_total" not in (folder / "dave_slice_solutions.ipynb").read_text()
    shutil.copy(LEAKY_MASTER, folder / "wrong_assignment.ipynb")
    _lms_shaped(folder, release)
    out = folder.parent / "grades.csv"
    status = coursework.main(
        [
            "grade",
            str(release.autograder_zip),
            str(folder),
            "-o",
            str(out),
            "--jobs",
            "2",
        ]
    )
    with open(out, newline="") as f:
        rows = {row.pop("submission"): row for row in csv.DictReader(f)}
    return status, rows, dropped


def _lms_shaped(folder: Path, release) -> None:
    """Submissions as an LMS download has them (see ``test_real_submissions``)."""
    nb = nbformat.read(release.autograder_notebook, as_version=4)
    nb.metadata["kernelspec"] = {"name": "conda-env-ml-py", "display_name": "ml"}
    grace = folder / "Grace Hopper_123_assignsubmission_file" / "work"
    grace.mkdir(parents=True)
    nbformat.write(nb, grace / GOOD_MASTER.name.upper())
    with zipfile.ZipFile(folder / "henry.ZIP", "w") as zf:
        zf.writestr(f"henry/nested/{GOOD_MASTER.name}", nbformat.writes(nb))
        zf.writestr("henry/notes.txt", "extra file")
        zf.writestr("henry/sigmoidbook/__init__.py", "raise SystemExit")
    (folder / "ivan").mkdir()
    (folder / "ivan" / "answers.pdf").write_text("not a notebook")
    (folder / "judy.ipynb").write_text("{not json")


def _row(student: str, q1: str, q2: str, total: str) -> dict[str, str]:
    return {
        "student": student,
        "q1": q1,
        "q2": q2,
        "total": total,
        "possible": "3",
        "error": "",
        "flags": "",
    }


def full_row(student):
    return _row(student, "2", "1", "3")


def zero_row(student):
    return _row(student, "0", "0", "0")


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
    assert 'grader = otter.Notebook("coursework_master.ipynb")' in sources[0]
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


def test_grading_a_folder_gives_full_and_zero_marks_in_one_csv(fixture_batch):
    status, rows, _ = fixture_batch
    assert rows["alice_solutions.ipynb"] == full_row("alice_solutions")
    assert rows["bob_untouched.ipynb"] == zero_row("bob_untouched")


def test_partial_credit_and_exported_zip(fixture_batch):
    """A half-right answer gets the public tests' share; ``grader.export`` zips are gradable."""
    # the naive sigmoid overflows at -1000 and 0.3 is not 1/4: both fail a hidden test
    assert fixture_batch[1]["carol_export.zip"] == {
        "student": "carol_export",
        "q1": "1",
        "q2": "0.5",
        "total": "1.5",
        "possible": "3",
        "error": "",
        "flags": "",
    }


def test_submission_of_another_assignment_is_an_error_row(fixture_batch):
    status, rows, _ = fixture_batch
    assert status == 2, "exit status 2 when a submission could not be graded"
    row = rows["wrong_assignment.ipynb"]
    assert row["total"] == "" and row["error"].startswith("wrong chapter:"), row


def test_real_submissions(fixture_batch):
    """A student subfolder with an upper-case ``.IPYNB`` saved under a conda kernel, a zip
    with extra files, nested folders and its own ``sigmoidbook``: graded (only the answer
    cells count); a folder without a notebook and a broken file: reported."""
    rows = fixture_batch[1]
    grace = "Grace Hopper_123_assignsubmission_file/work/COURSEWORK_MASTER.IPYNB"
    assert rows[grace] == full_row("Grace Hopper_123")
    assert rows["henry.ZIP"] == full_row("henry")
    assert rows["ivan"]["error"] == "unreadable file: no .ipynb or .zip in the folder"
    assert rows["judy.ipynb"]["error"].startswith("unreadable file: judy.ipynb is not")


def test_feedback_file_per_submission(fixture_batch, fixture_release):
    status, rows, _ = fixture_batch
    basetemp = fixture_release.out_dir.parent.parent  # where fixture_batch's CSV is
    feedback = sorted((basetemp / "grades-feedback").glob("*.md"))
    assert len(feedback) == len(rows)
    texts = {p.read_text().splitlines()[0]: p.read_text() for p in feedback}
    assert "| q1 | 2 | 2 |" in texts["# Feedback: alice_solutions"]
    assert "could not be graded: wrong chapter" in texts["# Feedback: wrong_assignment"]


def test_exercise_slice_grades_like_the_whole_notebook(fixture_batch):
    status, rows, dropped = fixture_batch
    master = nbformat.read(GOOD_MASTER, as_version=4)
    assert [c.source for c in master.cells if c.get("id") in dropped] == [
        "unrelated_total = sum(range(10))"
    ]
    assert rows["dave_slice_solutions.ipynb"] == full_row("dave_slice_solutions")
    assert rows["erin_slice_untouched.ipynb"] == zero_row("erin_slice_untouched")


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


def test_leaky_master_is_caught_by_the_zero_score_check(fixture_batch):
    """otter copies an unmarked solution verbatim: the 'blank' notebook scores full marks."""
    row = fixture_batch[1]["frank_leaky_untouched.ipynb"]
    assert row == full_row("frank_leaky_untouched")


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


def test_cli_errors_are_clear(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert coursework.main(["assign", "--book", str(empty)]) == 1
    assert "no master notebooks in" in capsys.readouterr().err
    assert coursework.main(["assign", str(FIXTURES / "coursework_support.py")]) == 1
    assert "is not a master" in capsys.readouterr().err
    assert (
        coursework.main(["grade", "ch9_missing", str(empty), "--dist", str(tmp_path)])
        == 1
    )
    assert "no autograder for 'ch9_missing'" in capsys.readouterr().err
    assert coursework.main(["grade", str(FIXTURES / "missing.zip"), str(empty)]) == 1
    assert "no autograder zip at" in capsys.readouterr().err


def test_cli_defaults_are_book_and_dist_of_the_current_directory(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert coursework.main(["assign"]) == 1
    assert f"no book/ folder in {tmp_path}" in capsys.readouterr().err
    (tmp_path / "book").mkdir()
    assert coursework.main(["assign"]) == 1
    assert f"no master notebooks in {tmp_path / 'book'}" in capsys.readouterr().err
    (tmp_path / "subs").mkdir()
    assert coursework.main(["grade", "ch9_missing", "subs"]) == 1
    expected = tmp_path / "dist" / "ch9_missing" / "autograder"
    assert f"no autograder for 'ch9_missing' at {expected}" in capsys.readouterr().err


def test_cli_grade_empty_folder(fixture_release, tmp_path, capsys):
    zip_path = str(fixture_release.autograder_zip)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a submission")
    assert coursework.main(["grade", zip_path, str(empty)]) == 1
    assert "no .ipynb or .zip submissions in" in capsys.readouterr().err
    assert coursework.main(["grade", zip_path, str(tmp_path / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err


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


def test_a_submission_that_never_ends_is_a_timeout_row(fixture_release, tmp_path):
    nb = nbformat.read(fixture_release.student_notebook, as_version=4)
    answer = next(
        c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])
    )
    answer.source = "import subprocess, sys, time\nwhile True:\n    time.sleep(1)"
    nbformat.write(nb, tmp_path / "kate.ipynb")
    grade = coursework.grade_submission(
        tmp_path / "kate.ipynb", fixture_release.autograder_zip, timeout=20
    )
    assert grade.error == "timeout after 20 s" and grade.scores == {}
