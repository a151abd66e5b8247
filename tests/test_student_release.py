"""The student side: what a student sees when running a chapter's student release.

* Every chapter's student notebook, downloaded ALONE (the site's "Download the student
  notebook" link: no ``tests/``, no ``check_feedback.py``, no quiz or data beside it),
  runs to the end with nothing answered (nbclient, no cell raises), and each
  ``grader.check("qN")`` of an unanswered exercise gives a real check result that says
  "not answered yet", in a few lines (which test, why, the hint), not otter's doctest
  transcript: the public tests travel in the notebook's metadata.  The cells before
  the exercises are the master's own, which nbval runs whole; here the release runs on
  its exercise slice (the ``exercise-setup`` cells and everything from the first
  question), as the grading tests do.  Files the chapter reads come, as for any
  notebook opened alone, through :mod:`sigmoidbook.remote`, pointed at this checkout.
* Chapter 1's lone notebook with correct answers passes every check, and the zip its
  ``grader.export()`` cell makes grades to full marks (``coursework.grade_submission``).
* ``grader.export`` zips the notebook being worked on: a renamed copy exports itself,
  not the unedited original beside it (on the tiny fixture master).
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import runpy
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from coursework_releases import (
    GOOD_MASTER,
    MASTERS,
    REPO_ROOT,
    assigned_releases,
    selected_stems,
    sliced_template,
)
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import coursework
from coursework.check_feedback import summary_lines
from coursework.fill import answer_cells, fill_answers

STEMS = [m.stem for m in MASTERS]
#: Most lines ``grader.check`` may print for one unanswered question.
MAX_CHECK_LINES = 8


def _text(cell) -> str:
    """Everything a code cell showed (stream, results, errors), as text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.data.get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "".join(parts)


def run_release(notebook: Path, folder: Path, timeout: int = 600, env=None):
    """Execute a copy of ``notebook`` in ``folder`` (holding the release's files).

    ``env``: the kernel's environment (default: this process's).  Returns
    ``(executed notebook, error)``: ``error`` names the cell that raised.
    """
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        client.execute(**({} if env is None else {"env": env}))
    except CellExecutionError as err:
        index = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if any(o.output_type == "error" for o in c.get("outputs", []))
            ),
            None,
        )
        first = nb.cells[index].source.splitlines()[0] if index is not None else "?"
        return (
            nb,
            f"cell {index} ({first!r}) raised: {str(err).strip().splitlines()[-1]}",
        )
    return nb, ""


def lone_env(cache: Path) -> dict:
    """The kernel environment of a notebook opened alone: the book's files (quiz,
    MNIST) from this checkout into ``cache``, as Colab would download them."""
    return dict(
        os.environ,
        SIGMOIDBOOK_FILES=str(REPO_ROOT / "book"),
        SIGMOIDBOOK_CACHE=str(cache),
    )


def lone_notebook(assigned, folder: Path, answers=None) -> Path:
    """ONLY the release's student notebook (its exercise slice, ``answers`` filled
    in), in an otherwise empty ``folder``, under its own name."""
    sliced = sliced_template(assigned, folder)
    if answers:
        nb = nbformat.read(sliced, as_version=4)
        nbformat.write(fill_answers(nb, answers), sliced)
    assert [p.name for p in folder.iterdir()] == [sliced.name]
    return sliced


@pytest.fixture(scope="session")
def blank_runs(request, tmp_path_factory) -> dict:
    """``{stem: (executed lone student notebook, error)}``, two chapters at a time."""
    stems = selected_stems(request.session, Path(__file__).name)
    assigned = assigned_releases(tmp_path_factory, stems)
    env = lone_env(tmp_path_factory.mktemp("book-files-cache"))

    def run(stem):
        a = assigned[stem]
        if a.release is None:
            return stem, (None, f"not assigned: {a.error}")
        folder = tmp_path_factory.mktemp(f"lone-{stem}")
        return stem, run_release(lone_notebook(a, folder), folder, env=env)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, stems))


def check_outputs(nb) -> dict[str, str]:
    """``{question: what its grader.check cell showed}`` of an executed notebook."""
    return {
        q: _text(nb.cells[j])
        for j in range(len(nb.cells))
        if (m := _CHECK.match(nb.cells[j].source.strip()))
        for q in [m.group(1)]
    }


#: A ``grader.check`` cell's output that is a check result, from short_checks.
_RESULT = re.compile(r"^(q\w+): (passed|not passed yet)$")
_CHECK = re.compile(r"""^grader\.check\(["'](\w+)["']\)$""")


def check_problems(nb, expect: str | None = None) -> list[str]:
    """Why the ``grader.check`` outputs of ``nb`` are not real check results (an error,
    otter's "No such file", a transcript), or not ``expect`` ("passed")."""
    problems = []
    outputs = check_outputs(nb)
    if not outputs:
        return ["no grader.check cell"]
    for q, text in outputs.items():
        first = text.strip().splitlines()[0] if text.strip() else ""
        m = _RESULT.match(first)
        if not m or m.group(1) != q or "Traceback" in text or "No such file" in text:
            problems.append(f'grader.check("{q}") is no check result: {text[:300]!r}')
        elif expect and m.group(2) != expect:
            problems.append(f'grader.check("{q}") is not {expect}: {text[:300]!r}')
    return problems


@pytest.mark.parametrize("stem", STEMS)
def test_student_notebook_runs_to_the_end_unanswered(blank_runs, stem):
    nb, error = blank_runs[stem]
    assert not error, f"{stem}: Run All with nothing answered stops: {error}"


@pytest.mark.parametrize("stem", STEMS)
def test_unanswered_checks_say_not_answered_yet_briefly(blank_runs, stem):
    nb, error = blank_runs[stem]
    assert nb is not None, error
    problems = check_problems(nb)
    for q, cells in answer_cells(nb).items():
        check = next(
            j
            for j in range(max(cells), len(nb.cells))
            if f'grader.check("{q}")' in nb.cells[j].source
        )
        text = _text(nb.cells[check])
        if "not answered yet" not in text.lower():
            problems.append(
                f'cell {check} grader.check("{q}") shows no "not answered yet": {text[:300]!r}'
            )
        elif len(text.strip().splitlines()) > MAX_CHECK_LINES or "Trying:" in text:
            problems.append(
                f'cell {check} grader.check("{q}") prints a long transcript: {text[:300]!r}'
            )
    assert not problems, f"{stem}:\n" + "\n".join(problems)


# ============================================ chapter 1 answered, alone, exported, graded


def test_lone_notebook_with_answers_passes_and_exports_a_gradable_zip(
    tmp_path_factory, tmp_path
):
    """Chapter 1's lone student notebook with correct answers (the first alternatives
    of ``tests/answers``): every check passes with no ``tests/`` beside it, and the
    zip ``grader.export()`` makes scores full marks through the instructor's grading."""
    stem = MASTERS[0].stem
    assert stem.startswith("ch1_"), stem
    a = assigned_releases(tmp_path_factory, [stem])[stem]
    assert a.release is not None, a.error
    answers = runpy.run_path(str(REPO_ROOT / "tests" / "answers" / f"{stem}.py"))
    first = {q: v["alternatives"][0] for q, v in answers["ANSWERS"].items()}
    folder = tmp_path / "lone"
    folder.mkdir()
    notebook = lone_notebook(a, folder, first)
    nb, error = run_release(notebook, folder, env=lone_env(tmp_path / "cache"))
    assert not error, error
    assert sorted(check_outputs(nb)) == sorted(first)
    assert not check_problems(nb, expect="passed"), check_problems(nb, "passed")
    assert not (folder / "tests").exists(), "otter wrote a tests/ folder"
    exported = sorted(folder.glob(f"{stem}_*.zip"))
    assert len(exported) == 1, sorted(p.name for p in folder.iterdir())
    (tmp_path / "template").mkdir()
    template = sliced_template(a, tmp_path / "template")
    grade = coursework.grade_submission(
        exported[0], a.release.autograder_zip, timeout=600, template=template
    )
    assert not grade.error and not grade.flags, (grade.error, grade.flags)
    assert grade.scores == grade.possible, (grade.scores, grade.possible)


# ================================================================== export, feedback


def test_a_renamed_notebook_exports_itself(fixture_release, tmp_path, monkeypatch):
    """JupyterLab tells the kernel which notebook it runs (``JPY_SESSION_NAME``): the
    export zips that one, not the unedited original in the same folder."""
    shutil.copytree(
        fixture_release.student_notebook.parent, tmp_path, dirs_exist_ok=True
    )
    nb = nbformat.read(fixture_release.student_notebook, as_version=4)
    mine = tmp_path / "my copy.ipynb"
    nbformat.write(fill_answers(nb, {"q2": "sigma_prime_max = 0.25"}), mine)
    monkeypatch.setenv("JPY_SESSION_NAME", str(mine))
    executed, error = run_release(mine, tmp_path, timeout=120)
    assert not error, error
    zips = sorted(tmp_path.glob("*.zip"))
    assert [z.name.startswith("my copy_") for z in zips] == [True], zips
    with zipfile.ZipFile(zips[0]) as zf:
        assert "my copy.ipynb" in zf.namelist(), zf.namelist()
        assert "sigma_prime_max = 0.25" in zf.read("my copy.ipynb").decode()


def test_check_feedback_is_short_and_names_the_test(fixture_release, tmp_path):
    shutil.copytree(
        fixture_release.student_notebook.parent, tmp_path, dirs_exist_ok=True
    )
    nb = nbformat.read(fixture_release.student_notebook, as_version=4)
    wrong = fill_answers(
        nb,
        {
            "q1": "def sigmoid(x):\n    return 0.4 + 0 * x",
            "q2": "sigma_prime_max = 0.25",
        },
    )
    path = tmp_path / GOOD_MASTER.name
    nbformat.write(wrong, path)
    executed, error = run_release(path, tmp_path, timeout=120)
    assert not error, error
    texts = {
        c.source: _text(c)
        for c in executed.cells
        if c.source.startswith("grader.check(")
    }
    q1, q2 = texts['grader.check("q1")'], texts['grader.check("q2")']
    assert q2.strip() == "q2: passed"
    assert q1.splitlines()[0] == "q1: not passed yet", q1
    assert (
        "sigmoid(0) should be 0.5" in q1
        and "hint: sigmoid(0) must be exactly 0.5" in q1
    ), q1
    assert "Trying:" not in q1 and len(q1.splitlines()) <= 4, q1


def test_summary_lines_fall_back_on_a_test_without_an_error_line():
    class Case:
        name, failure_message = "q1 - 1", None

    class Result:
        name, passed_all = "q1", False
        test_case_results = [
            type("R", (), {"passed": False, "message": "odd", "test_case": Case})
        ]

    assert summary_lines(Result) == ["q1: not passed yet", "  q1 - 1: the test failed"]
