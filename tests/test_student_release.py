"""The student side: what a student sees when running a chapter's student release.

* Every chapter's student notebook runs to the end with nothing answered (nbclient,
  no cell raises), and each ``grader.check("qN")`` of an unanswered exercise says
  "not answered yet", in a few lines (which test, why, the hint), not otter's doctest
  transcript.  The cells before the exercises are the master's own, which nbval runs
  whole; here the release runs on its exercise slice (the ``exercise-setup`` cells and
  everything from the first question), as the grading tests do.
* ``grader.export`` zips the notebook being worked on: a renamed copy exports itself,
  not the unedited original beside it (on the tiny fixture master).
"""

from __future__ import annotations

import concurrent.futures
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from coursework_releases import MASTERS, assigned_releases, selected_stems
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import coursework
from coursework.check_feedback import summary_lines
from coursework.fill import answer_cells, fill_answers

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD_MASTER = FIXTURES / "coursework_master.ipynb"
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


def run_release(notebook: Path, folder: Path, timeout: int = 600):
    """Execute a copy of ``notebook`` in ``folder`` (holding the release's files).

    Returns ``(executed notebook, error)``: ``error`` names the cell that raised.
    """
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        client.execute()
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


@pytest.fixture(scope="session")
def blank_runs(request, tmp_path_factory) -> dict:
    """``{stem: (executed sliced student notebook, error)}``, two chapters at a time."""
    stems = selected_stems(request.session, Path(__file__).name)
    assigned = assigned_releases(tmp_path_factory, stems)

    def run(stem):
        a = assigned[stem]
        if a.release is None:
            return stem, (None, f"not assigned: {a.error}")
        folder = tmp_path_factory.mktemp(f"run-{stem}")
        shutil.copytree(a.release.student_notebook.parent, folder, dirs_exist_ok=True)
        sliced = folder / a.release.student_notebook.name
        if a.drop_ids:
            coursework.drop_cells(sliced, a.drop_ids, sliced)
        return stem, run_release(sliced, folder)

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, stems))


@pytest.mark.parametrize("stem", STEMS)
def test_student_notebook_runs_to_the_end_unanswered(blank_runs, stem):
    nb, error = blank_runs[stem]
    assert not error, f"{stem}: Run All with nothing answered stops: {error}"


@pytest.mark.parametrize("stem", STEMS)
def test_unanswered_checks_say_not_answered_yet_briefly(blank_runs, stem):
    nb, error = blank_runs[stem]
    assert nb is not None, error
    problems = []
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


# ================================================================== export, feedback


@pytest.fixture(scope="module")
def fixture_release(tmp_path_factory):
    return coursework.assign(GOOD_MASTER, tmp_path_factory.mktemp("dist"))


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
