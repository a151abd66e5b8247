"""Coursework grading: a folder shaped like an LMS download into one report.

One ``coursework grade`` run over a folder of every kind of submission (solutions,
untouched, half right, exported zip, exercise slice, another assignment, per-student
subfolders with an upper-case ``.IPYNB`` under a conda kernel, a zip with extra files,
nested folders and its own ``sigmoidbook``, a folder without a notebook, a broken
file, a crashed one, a timed-out one, a tampering one) gives one CSV, a statistics
file and a feedback file per submission, with every problem named; one submission is
then regraded into the existing CSV.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest
from coursework_releases import FIXTURES, GOOD_MASTER, LEAKY_MASTER

import coursework
from coursework.runner import run_otter

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Seconds per submission in the batch: the fixture grades in a few seconds (well
#: under 10 on a loaded 2-core machine); kate's endless loop costs this much.
TIMEOUT = 30
RUNNER_CHEAT = (
    "import otter.test_files.ok_test as _t\n"
    "_t.run_doctest = lambda *a, **k: (True, '')\n"
)


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
    out = tmp_path_factory.mktemp("report") / "grades.csv"
    _broken(folder, release)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = coursework.main(
            ["grade", str(release.autograder_zip), str(folder), "-o", str(out)]
            + ["--jobs", "2", "--timeout", str(TIMEOUT)]
        )
    with open(out, newline="") as f:
        rows = {row.pop("submission"): row for row in csv.DictReader(f)}
    return status, rows, dropped, out, printed.getvalue(), folder


def _answered(release, first: str, second: str | None = None):
    """The student notebook with its two answer cells replaced (None: left blank)."""
    nb = nbformat.read(release.student_notebook, as_version=4)
    cells = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    cells[0].source = first
    if second is not None:
        cells[1].source = second
    return nb


def _broken(folder: Path, release) -> None:
    """A crashed, a timed-out and a tampering submission, each in a student folder."""
    for name, nb in (
        ("leo_crashed", _answered(release, 'raise RuntimeError("my bug")')),
        (
            "kate_endless",
            _answered(release, "import time\nwhile True:\n    time.sleep(1)"),
        ),
        ("mallory_cheat", _answered(release, RUNNER_CHEAT)),
    ):
        (folder / name).mkdir()
        nbformat.write(nb, folder / name / GOOD_MASTER.name)


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
    """A row without its ``reasons`` and ``crash`` (tested on their own)."""
    return {
        "student": student,
        "q1": q1,
        "q2": q2,
        "total": total,
        "possible": "3",
        "error": "",
        "flags": "",
    }


def _scores(row: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if k not in ("reasons", "crash")}


def full_row(student):
    return _row(student, "2", "1", "3")


def zero_row(student):
    return _row(student, "0", "0", "0")


def test_grading_a_folder_gives_full_and_zero_marks_in_one_csv(fixture_batch):
    status, rows = fixture_batch[:2]
    assert _scores(rows["alice_solutions.ipynb"]) == full_row("alice_solutions")
    assert _scores(rows["bob_untouched.ipynb"]) == zero_row("bob_untouched")


def test_partial_credit_and_exported_zip(fixture_batch):
    """A half-right answer gets the public tests' share; ``grader.export`` zips are gradable."""
    # the naive sigmoid overflows at -1000 and 0.3 is not 1/4: both fail a hidden test
    assert _scores(fixture_batch[1]["carol_export.zip"]) == {
        "student": "carol_export",
        "q1": "1",
        "q2": "0.5",
        "total": "1.5",
        "possible": "3",
        "error": "",
        "flags": "",
    }


def test_submission_of_another_assignment_is_an_error_row(fixture_batch):
    status, rows = fixture_batch[:2]
    assert status == 2, "exit status 2 when a submission could not be graded"
    row = rows["wrong_assignment.ipynb"]
    assert row["total"] == "" and row["error"].startswith("wrong chapter:"), row


def test_real_submissions(fixture_batch):
    """A student subfolder with an upper-case ``.IPYNB`` saved under a conda kernel, a zip
    with extra files, nested folders and its own ``sigmoidbook``: graded (only the answer
    cells count); a folder without a notebook and a broken file: reported."""
    rows = fixture_batch[1]
    grace = "Grace Hopper_123_assignsubmission_file/work/COURSEWORK_MASTER.IPYNB"
    assert _scores(rows[grace]) == full_row("Grace Hopper_123")
    assert _scores(rows["henry.ZIP"]) == full_row("henry")
    assert rows["ivan"]["error"] == "unreadable file: no .ipynb or .zip in the folder"
    assert rows["judy.ipynb"]["error"].startswith("unreadable file: judy.ipynb is not")


def test_feedback_file_per_submission(fixture_batch):
    rows, out = fixture_batch[1], fixture_batch[3]
    feedback = sorted((out.parent / "grades-feedback").glob("*.md"))
    assert len(feedback) == len(rows)
    texts = {p.read_text().splitlines()[0]: p.read_text() for p in feedback}
    assert "| q1 | 2 | 2 |" in texts["# Feedback: alice_solutions"]
    assert "could not be graded: wrong chapter" in texts["# Feedback: wrong_assignment"]
    assert "could not be graded: time" in texts["# Feedback: kate_endless"]
    carol = texts["# Feedback: carol_export"]
    assert "| q1 | 1 | 2 | " in carol and "why points were lost" in carol


def test_every_lost_point_has_a_reason(fixture_batch):
    rows = fixture_batch[1]
    assert rows["alice_solutions.ipynb"]["reasons"] == ""
    carol = rows["carol_export.zip"]["reasons"].split("; ")
    assert [r.split(":")[0] for r in carol] == ["q1", "q2"], carol
    assert all(len(r) > len("q1: ") for r in carol), carol
    assert rows["bob_untouched.ipynb"]["reasons"].startswith("q1: ")


def test_crashed_timed_out_and_tampering_submissions_are_named(fixture_batch):
    rows = fixture_batch[1]
    kate = rows[f"kate_endless/{GOOD_MASTER.name}"]
    assert re.fullmatch(f"time(d )?out after {TIMEOUT} s", kate["error"]), kate
    assert kate["total"] == "", kate
    leo = rows[f"leo_crashed/{GOOD_MASTER.name}"]
    assert leo["q1"] == "0" and leo["student"] == "leo_crashed", leo
    assert "RuntimeError: my bug" in leo["crash"], (
        "a crashed answer must say what went wrong",
        leo,
    )
    mallory = rows[f"mallory_cheat/{GOOD_MASTER.name}"]
    assert mallory["total"] == "0" and "tampering" in mallory["flags"], mallory


def test_statistics_are_printed_and_written_next_to_the_csv(fixture_batch):
    rows, out, printed = fixture_batch[1], fixture_batch[3], fixture_batch[4]
    stats_path = out.with_name("grades-statistics.csv")
    with open(stats_path, newline="") as f:
        stats = {r["question"]: r for r in csv.DictReader(f)}
    graded = [r for r in rows.values() if not r["error"]]
    full_q1 = sum(r["q1"] == "2" for r in graded) / len(graded)
    assert set(stats) == {"q1", "q2"}
    assert int(stats["q1"]["graded"]) == len(graded)
    assert int(stats["q1"]["ungraded"]) == len(rows) - len(graded)
    assert float(stats["q1"]["full_marks_share"]) == pytest.approx(full_q1, abs=1e-3)
    assert f"full marks {full_q1:.0%} ({len(graded)} graded)" in printed


def test_regrading_one_submission_into_the_existing_csv(
    fixture_batch, fixture_release, tmp_path
):
    """``--only`` replaces that student's row (and feedback), keeps every other row."""
    rows, out, folder = fixture_batch[1], fixture_batch[3], fixture_batch[5]
    copy = tmp_path / "grades.csv"
    shutil.copy(out, copy)
    release_zip = fixture_release.autograder_zip
    bob = folder / "bob_untouched.ipynb"
    shutil.copy(fixture_release.autograder_notebook, bob)  # bob resubmits, correct
    try:
        status = coursework.main(
            ["grade", str(release_zip), str(folder), "--only", "bob_untouched.ipynb"]
            + ["--into", str(copy)]
        )
    finally:
        shutil.copy(fixture_release.student_notebook, bob)
    assert status == 0
    with open(copy, newline="") as f:
        after = {row.pop("submission"): row for row in csv.DictReader(f)}
    assert list(after) == list(rows), "rows kept in their order, none added"
    assert _scores(after["bob_untouched.ipynb"]) == full_row("bob_untouched")
    assert {k: v for k, v in after.items() if k != "bob_untouched.ipynb"} == {
        k: v for k, v in rows.items() if k != "bob_untouched.ipynb"
    }
    feedback = (tmp_path / "grades-feedback").glob("*.md")
    assert [p.read_text().splitlines()[0] for p in feedback] == [
        "# Feedback: bob_untouched"
    ]


def test_exercise_slice_grades_like_the_whole_notebook(fixture_batch):
    status, rows, dropped = fixture_batch[:3]
    master = nbformat.read(GOOD_MASTER, as_version=4)
    assert [c.source for c in master.cells if c.get("id") in dropped] == [
        "unrelated_total = sum(range(10))"
    ]
    assert _scores(rows["dave_slice_solutions.ipynb"]) == full_row(
        "dave_slice_solutions"
    )
    assert _scores(rows["erin_slice_untouched.ipynb"]) == zero_row(
        "erin_slice_untouched"
    )


def test_leaky_master_is_caught_by_the_zero_score_check(fixture_batch):
    """otter copies an unmarked solution verbatim: the 'blank' notebook scores full marks."""
    row = fixture_batch[1]["frank_leaky_untouched.ipynb"]
    assert _scores(row) == full_row("frank_leaky_untouched")
