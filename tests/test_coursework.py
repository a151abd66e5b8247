"""Coursework: the otter-grader machinery of tools/coursework.py, and every chapter master.

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
chapter trains for minutes): chapters are graded on their *dependency slice*
(:func:`coursework.dependency_slice`: the exercises plus the earlier cells they
read), all gradings of the session run two at a time, and only if a slice fails to
reproduce full marks / zero marks is the full notebook graded (with a warning
that names the chapter).  A slice can only make grading *fail* spuriously, never
pass: the fall-back makes the full notebook the judge.
"""

from __future__ import annotations

import concurrent.futures
import csv
import html
import importlib.util
import re
import shutil
import sys
import warnings
import zipfile
from pathlib import Path

import nbformat
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD_MASTER = FIXTURES / "coursework_master.ipynb"
LEAKY_MASTER = FIXTURES / "coursework_leaky_master.ipynb"

_spec = importlib.util.spec_from_file_location(
    "coursework", REPO_ROOT / "tools" / "coursework.py"
)
coursework = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("coursework", coursework)  # dataclasses look their module up
_spec.loader.exec_module(coursework)

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


@pytest.fixture(scope="module")
def fixture_batch(fixture_release, tmp_path_factory):
    """One `coursework grade` run over a folder of every kind of submission (graded 2 at a time).

    alice: the solutions; bob: the untouched student notebook; carol: a half-right
    answer, zipped as ``grader.export`` does; dave/erin: alice and bob without the
    cells the dependency slice drops; frank: the untouched student notebook that
    plain ``otter assign`` makes of the leaky master (renamed to this assignment);
    wrong: a notebook of another assignment.
    Returns ``(exit status, {submission: CSV row}, dropped cell ids)``.
    """
    folder = tmp_path_factory.mktemp("submissions")
    leaky_dir = tmp_path_factory.mktemp("leaky")
    leaky = nbformat.read(LEAKY_MASTER, as_version=4)
    leaky.cells[0].source = leaky.cells[0].source.replace(
        LEAKY_MASTER.stem, GOOD_MASTER.stem
    )
    nbformat.write(leaky, leaky_dir / GOOD_MASTER.name)
    shutil.copy(FIXTURES / "coursework_support.py", leaky_dir)
    result = coursework._otter(
        "assign", "--no-run-tests", GOOD_MASTER.name, "out", cwd=leaky_dir
    )
    assert result.returncode == 0, result.stdout
    shutil.copy(
        leaky_dir / "out" / "student" / GOOD_MASTER.name,
        folder / "frank_leaky_untouched.ipynb",
    )
    release = fixture_release
    shutil.copy(release.autograder_notebook, folder / "alice_solutions.ipynb")
    shutil.copy(release.student_notebook, folder / "bob_untouched.ipynb")
    with zipfile.ZipFile(
        folder / "carol_export.zip", "w"
    ) as zf:  # the layout grader.export writes
        zf.writestr(
            GOOD_MASTER.name, nbformat.writes(_half_right(release.student_notebook))
        )
    dropped = coursework.dependency_slice(nbformat.read(GOOD_MASTER, as_version=4))
    coursework.drop_cells(
        release.autograder_notebook, dropped, folder / "dave_slice_solutions.ipynb"
    )
    coursework.drop_cells(
        release.student_notebook, dropped, folder / "erin_slice_untouched.ipynb"
    )
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
    assert not tags & coursework.WEBSITE_TAGS, (
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


def test_dependency_slice_drops_only_unneeded_cells(fixture_batch):
    status, rows, dropped = fixture_batch
    master = nbformat.read(GOOD_MASTER, as_version=4)
    assert [c.source for c in master.cells if c.get("id") in dropped] == [
        "unrelated_total = sum(range(10))"
    ]
    assert rows["dave_slice_solutions.ipynb"] == FULL
    assert rows["erin_slice_untouched.ipynb"] == ZERO


def _slice_of(sources: list[str]) -> list[str]:
    """Sources of the cells dependency_slice drops from a notebook made of ``sources``.

    ``"Q"`` stands for a question block (BEGIN QUESTION ... END QUESTION raw cells)."""
    nb = nbformat.v4.new_notebook()
    for source in sources:
        if source == "Q":
            nb.cells.append(nbformat.v4.new_raw_cell("# BEGIN QUESTION\nname: q1"))
        elif source == "/Q":
            nb.cells.append(nbformat.v4.new_raw_cell("# END QUESTION"))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(source))
    dropped = coursework.dependency_slice(nb)
    return [c.source for c in nb.cells if c.get("id") in dropped]


def test_dependency_slice_keeps_what_the_exercises_read():
    assert (
        _slice_of(
            [
                "import numpy as np\nimport torch",  # imports: always kept
                "rng = np.random.default_rng(0)",  # defines rng: kept
                "warmup = rng.normal(size=3)",  # advances rng: kept
                "def fit(model, steps):\n    model.append(steps)",
                "model = []",
                "fit(model, 3)",  # a function changes its first argument: kept
                "net = lambda v: v\nx = [1]\nnet(x)",  # calling an object does not change x ...
                "x.sort()",  # ... a method call does: kept
                "heavy = sum(i * i for i in range(10**6))",  # nothing reads it: dropped
                "print(heavy)\nnp.testing.assert_equal(heavy, heavy)",  # reads only: dropped
                "torch.manual_seed(0)",  # seeds are not tracked: dropped
                "name = str('unused')\nscale = float(2)",  # both rebound before use below: dropped
                "Q",
                "for name in ['a']:\n    pass\nscale = 3.0\ny = rng.normal() + len(model) + x[0] * scale",
                "/Q",
            ]
        )
        == [
            "heavy = sum(i * i for i in range(10**6))",
            "print(heavy)\nnp.testing.assert_equal(heavy, heavy)",
            "torch.manual_seed(0)",
            "name = str('unused')\nscale = float(2)",
        ]
    )


def test_dependency_slice_follows_functions_and_reassignments():
    dropped = _slice_of(
        [
            "W = abs(-1)",  # rebound by the next cell before anything reads it: dropped
            "W = 2",
            "def predict(v):\n    return v * W",  # free variable W: the cell above is needed
            "def unused():\n    return missing",
            "Q",
            "out = predict(3)",
            "/Q",
        ]
    )
    assert dropped == ["W = abs(-1)", "def unused():\n    return missing"]


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


def test_cli_grade_empty_folder(fixture_release, tmp_path, capsys):
    zip_path = str(fixture_release.autograder_zip)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a submission")
    assert coursework.main(["grade", zip_path, str(empty)]) == 1
    assert "no .ipynb or .zip submissions in" in capsys.readouterr().err
    assert coursework.main(["grade", zip_path, str(tmp_path / "nowhere")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_site_helpers():
    site_ext = _load_site_extension()
    code = "def f(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION\nanswer = 3  # SOLUTION"
    assert site_ext.is_solution_source(code)
    assert not site_ext.is_solution_source("plt.show()")
    assert (
        site_ext.strip_solution_markers(code)
        == "def f(x):\n    return 2 * x\nanswer = 3"
    )


def _load_site_extension():
    spec = importlib.util.spec_from_file_location(
        "coursework_site", REPO_ROOT / "book" / "_ext" / "coursework_site.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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

    # Slice in this thread: ast.parse is not thread-safe in CPython 3.11 ("AST constructor
    # recursion depth mismatch"); only the otter subprocesses run in parallel.
    drops = {
        r.master.stem: coursework.dependency_slice(
            nbformat.read(r.master, as_version=4)
        )
        for r in results.values()
        if r.release is not None
    }

    def grade(r: ChapterResult) -> None:
        drop = drops[r.master.stem]
        full, zero = coursework.verify(r.release, drop_ids=drop, jobs=1)
        if drop and coursework.verification_problems(r.release, full, zero):
            r.notes.append(
                f"{r.master.name}: the dependency slice (without {len(drop)} cells) did not "
                "reproduce full/zero marks; graded the whole notebook instead. Make each exercise "
                "read only names computed earlier (re-seed inside the exercise) to keep this fast."
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
        warnings.warn(note)
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


def _hidden_test_needles(master: Path) -> list[str]:
    """Distinctive lines of the hidden tests that appear nowhere else in the master."""
    nb = nbformat.read(master, as_version=4)
    hidden = {i for q in coursework.parse_questions(nb) for i, h in q.test_cells if h}
    elsewhere = {
        " ".join(line.split())
        for i, c in enumerate(nb.cells)
        if i not in hidden
        for line in c.source.splitlines()
    }
    needles = []
    for i in sorted(hidden):
        for line in coursework._test_body(nb.cells[i].source).splitlines():
            text = " ".join(line.split())
            if (
                len(text) >= 12
                and not text.startswith(("import ", "from ", "#"))
                and text not in elsewhere
            ):
                needles.append(text)
    return needles


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
    needles = {n: GOOD_MASTER.name for n in _hidden_test_needles(GOOD_MASTER)}
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
    needles = {n: m.name for m in MASTERS for n in _hidden_test_needles(m)}
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
