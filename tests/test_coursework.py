"""Coursework: the otter-grader machinery of the ``coursework`` package, and every master.

Two levels:

* **Machinery**, on the tiny masters in ``tests/fixtures/`` (independent of the
  chapters): a release has no solution and no hidden test, grading a folder gives
  full marks for the solutions and zero for the untouched notebook in one CSV, a
  master whose solution lost its markers is caught three ways (validation, the
  leak check, and the zero-score check), and bad input gives clear errors.
* **Every chapter master in book/**: ``otter assign`` succeeds, the solutions score
  full marks under ``otter run``, the untouched student notebook scores 0 on every
  question, no solution line reaches the student notebook, and the built website
  exposes no hidden test.

Cost control (``make test`` must stay under 10 minutes on 2 cores; the MNIST
chapter trains for minutes): chapters are graded on their *exercise slice* (the code
cells tagged ``exercise-setup`` plus everything from the first question on;
:func:`coursework.outside_slice` names the cells left out), all gradings of the session
run two at a time, and only if a slice fails to reproduce full marks / zero marks is
the full notebook graded (with a warning that names the chapter).  A slice can only
make grading *fail* spuriously, never pass: the fall-back makes the full notebook the
judge.
"""

from __future__ import annotations

import concurrent.futures
import csv
import html
import re
import shutil
import warnings
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

MASTERS = coursework.find_masters(REPO_ROOT / "book")


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


FULL = {"q1": "2", "q2": "1", "total": "3", "possible": "3", "error": ""}
ZERO = {"q1": "0", "q2": "0", "total": "0", "possible": "3", "error": ""}


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
    assert rows["alice_solutions.ipynb"] == FULL
    assert rows["bob_untouched.ipynb"] == ZERO


def test_partial_credit_and_exported_zip(fixture_batch):
    """A half-right answer gets the public tests' share; ``grader.export`` zips are gradable."""
    # the naive sigmoid overflows at -1000 and 0.3 is not 1/4: both fail a hidden test
    assert fixture_batch[1]["carol_export.zip"] == {
        "q1": "1",
        "q2": "0.5",
        "total": "1.5",
        "possible": "3",
        "error": "",
    }


def test_submission_of_another_assignment_is_an_error_row(fixture_batch):
    status, rows, _ = fixture_batch
    assert status == 2, "exit status 2 when a submission could not be graded"
    row = rows["wrong_assignment.ipynb"]
    assert (
        row["total"] == "" and "Received submission for assignment" in row["error"]
    ), row


def test_exercise_slice_grades_like_the_whole_notebook(fixture_batch):
    status, rows, dropped = fixture_batch
    master = nbformat.read(GOOD_MASTER, as_version=4)
    assert [c.source for c in master.cells if c.get("id") in dropped] == [
        "unrelated_total = sum(range(10))"
    ]
    assert rows["dave_slice_solutions.ipynb"] == FULL
    assert rows["erin_slice_untouched.ipynb"] == ZERO


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
    assert fixture_batch[1]["frank_leaky_untouched.ipynb"] == FULL


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


# =========================================================================== chapters


class ChapterResult:
    """Assign + grade outcome of one chapter master (filled by ``chapter_results``)."""

    def __init__(self, master: Path):
        self.master = master
        self.release = None
        self.error = ""
        self.full = self.zero = None
        self.notes: list[str] = []


@pytest.fixture(scope="session")
def chapter_results(tmp_path_factory) -> dict[str, ChapterResult]:
    """Assign every chapter master once, then grade solutions and blanks, two at a time."""
    dist = tmp_path_factory.mktemp("chapter-dist")
    results = {m.stem: ChapterResult(m) for m in MASTERS}
    for r in results.values():
        try:
            r.release = coursework.assign(r.master, dist)
        except coursework.CourseworkError as err:
            r.error = str(err)

    drops = {
        r.master.stem: coursework.outside_slice(nbformat.read(r.master, as_version=4))
        for r in results.values()
        if r.release is not None
    }

    def grade(r: ChapterResult) -> None:
        drop = drops[r.master.stem]
        try:
            full, zero = coursework.verify(r.release, drop_ids=drop, jobs=1)
            problems = coursework.verification_problems(r.release, full, zero)
        except coursework.CourseworkError as err:
            if not drop:
                raise
            problems = [str(err)]
        if drop and problems:
            r.notes.append(
                f"{r.master.name}: the exercise slice (without the {len(drop)} code "
                "cells before the exercises not tagged exercise-setup) did not reproduce "
                f"full/zero marks ({problems[0]}); graded the whole notebook instead. "
                "Tag exercise-setup "
                "every cell the exercises need (and re-seed inside the exercise) to keep "
                "this fast."
            )
            full, zero = coursework.verify(r.release, jobs=1)
        r.full, r.zero = full, zero

    todo = [r for r in results.values() if r.release is not None]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for r, future in [(r, pool.submit(grade, r)) for r in todo]:
            try:
                future.result()
            except coursework.CourseworkError as err:
                r.error = str(err)
    return results


def _chapter(chapter_results, master: Path) -> ChapterResult:
    r = chapter_results[master.stem]
    for note in r.notes:
        warnings.warn(note, stacklevel=2)
    return r


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_master_is_valid(master):
    assert coursework.validate_master(master) == []


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_master_website_tags(master):
    """Solution cells show behind a toggle (``hide-input``); test cells are not shown (``remove-cell``)."""
    nb = nbformat.read(master, as_version=4)
    problems = []
    for q in coursework.parse_questions(nb):
        for i in q.solution_cells:
            if nb.cells[i].cell_type == "code" and "hide-input" not in nb.cells[
                i
            ].metadata.get("tags", []):
                problems.append(f"{q.name}: solution cell {i} needs the tag hide-input")
        for i, _ in q.test_cells:
            if "remove-cell" not in nb.cells[i].metadata.get("tags", []):
                problems.append(f"{q.name}: test cell {i} needs the tag remove-cell")
    assert not problems, f"{master.name}: " + "; ".join(problems)


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_assign_succeeds_without_leaks(chapter_results, master):
    r = _chapter(chapter_results, master)
    assert r.release is not None, r.error
    assert r.release.student_notebook.is_file() and r.release.autograder_zip.is_file()
    assert coursework.find_leaks(master, r.release.student_notebook.parent) == []


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_solutions_score_full_marks(chapter_results, master):
    r = _chapter(chapter_results, master)
    assert not r.error, r.error
    expected = coursework.autograder_questions(r.release.autograder_zip)
    assert expected, "no graded question"
    assert r.full.scores == expected, (
        f"solutions of {master.name} score {r.full.scores}, expected {expected}"
    )


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_untouched_student_notebook_scores_zero(chapter_results, master):
    r = _chapter(chapter_results, master)
    assert not r.error, r.error
    nonzero = {q: s for q, s in r.zero.scores.items() if s}
    assert not nonzero, (
        f"the untouched student notebook of {master.name} scores {nonzero}: a solution "
        "leaked (cell without markers?) or a test passes without an answer"
    )
    assert set(r.zero.scores) == set(
        coursework.autograder_questions(r.release.autograder_zip)
    )


# =========================================================================== website


def _normalised_lines(source: str) -> list[str]:
    return [" ".join(line.split()) for line in source.splitlines()]


def _hidden_test_needles(masters: list[Path]) -> dict[str, str]:
    """``{line: master name}``: distinctive lines of the masters' hidden tests.

    A needle appears in no other cell of any of ``masters`` and is not a fragment that
    only opens a bracket (``assert np.allclose(``), which visible code may share.
    """
    hidden, elsewhere = {}, set()
    for master in masters:
        nb = nbformat.read(master, as_version=4)
        questions = coursework.parse_questions(nb)
        indices = {i for q in questions for i, h in q.test_cells if h}
        for i, cell in enumerate(nb.cells):
            if i in indices:
                hidden[(master.name, i)] = markers.test_body(cell.source)
            else:
                elsewhere.update(_normalised_lines(cell.source))
    return {
        text: name
        for (name, _), body in sorted(hidden.items())
        for text in _normalised_lines(body)
        if len(text) >= 12
        and not text.startswith(("import ", "from ", "#"))
        and not text.endswith(("(", "[", "{"))
        and text not in elsewhere
    }


def _site_texts(html_dir: Path):
    """(file, searchable text) for every text file of the site; HTML reduced to its text."""
    for path in sorted(html_dir.rglob("*")):
        if not path.is_file() or path.suffix not in {
            ".html",
            ".js",
            ".json",
            ".txt",
            ".ipynb",
            ".py",
            ".md",
            ".inv",
        }:
            continue
        if "_static" in path.parts and path.suffix == ".js":
            continue  # theme and library code
        raw = path.read_text(errors="replace")
        text = (
            html.unescape(re.sub(r"<[^>]+>", "", raw))
            if path.suffix == ".html"
            else raw
        )
        yield path, " ".join(text.split()), raw


def site_exposures(
    html_dir: Path, needles: dict[str, str]
) -> tuple[list[str], list[str]]:
    """(hidden-test lines found in the site, pages whose download menu offers the source)."""
    exposed, dead_downloads = [], []
    for path, text, raw in _site_texts(html_dir):
        exposed += [
            f"{path.relative_to(html_dir)}: {needle} (hidden test of {m})"
            for needle, m in needles.items()
            if needle in text
        ]
        if path.suffix == ".html" and re.search(
            r"btn-download-(source|notebook)-button|href=\"[./]*_sources/", raw
        ):
            dead_downloads.append(str(path.relative_to(html_dir)))
    return exposed, dead_downloads


def test_site_exposure_check_finds_a_shown_test(tmp_path):
    """A test cell rendered as highlighted code (tag forgotten) or a source download is found."""
    needles = _hidden_test_needles([GOOD_MASTER])
    assert (
        'assert sigma_prime_max == 0.25, "the maximum of sigmoid\'s derivative is 1/4, at x = 0"'
        in needles
    )
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.html").write_text(
        '<pre><span class="k">assert</span> <span class="n">sigma_prime_max</span> <span class="o">==</span> '
        '<span class="mf">0.25</span><span class="p">,</span> <span class="s2">&quot;the maximum of '
        "sigmoid&#39;s derivative is 1/4, at x = 0&quot;</span></pre>"
        '<a href="../_sources/book/page.ipynb" class="btn-download-source-button">.ipynb</a>'
    )
    exposed, dead = site_exposures(tmp_path, needles)
    assert len(exposed) == 1 and dead == ["book/page.html"]


def test_site_exposes_no_hidden_test(built_site):
    html_dir, returncode, log = built_site
    assert returncode == 0, "the site did not build (see test_site_build.py)"
    assert not (html_dir / "_sources").exists(), (
        "_sources/ would serve the masters (html_copy_source)"
    )
    assert not list(html_dir.rglob("*.ipynb")), (
        "the site serves notebooks (with hidden tests)"
    )
    needles = _hidden_test_needles(MASTERS)
    exposed, dead_downloads = site_exposures(html_dir, needles)
    assert not exposed, "hidden tests reachable from the site:\n" + "\n".join(exposed)
    assert not dead_downloads, (
        f"download buttons offer the source notebook: {dead_downloads}"
    )


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_site_shows_solutions_behind_a_toggle(built_site, master):
    html_dir = built_site[0]
    page = next(html_dir.rglob(f"{master.stem}.html"), None)
    assert page is not None, f"{master.stem}.html not built (is it in _toc.yml?)"
    raw = page.read_text()
    nb = nbformat.read(master, as_version=4)
    n_solutions = sum(
        1
        for q in coursework.parse_questions(nb)
        for i in q.solution_cells
        if nb.cells[i].cell_type == "code"
    )
    assert (
        raw.count('<p class="collapsed admonition-title">Show solution</p>')
        == n_solutions
    )
    text = html.unescape(re.sub(r"<[^>]+>", "", raw))
    assert "# BEGIN SOLUTION" not in text and "# END SOLUTION" not in text
