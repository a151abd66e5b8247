"""The ``python -m coursework`` command line: clear errors and its defaults."""

from __future__ import annotations

import subprocess
from pathlib import Path

from coursework_releases import FIXTURES, GOOD_MASTER

import coursework

REPO_ROOT = Path(__file__).resolve().parent.parent


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


def test_results_survive_make_clean_and_a_new_assign(fixture_release):
    """Grades, statistics and feedback in ``dist/<chapter>/`` outlive ``make clean``
    (which removes only ``_build/``) and re-running ``assign``."""
    dry_run = subprocess.run(
        ["make", "-n", "--no-print-directory", "clean"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert dry_run.strip() and "dist" not in dry_run and "grades" not in dry_run
    out = fixture_release.out_dir
    kept = [
        out / "grades.csv",
        out / "grades-statistics.csv",
        out / "grades-feedback" / "a.md",
    ]
    for path in kept:
        path.parent.mkdir(exist_ok=True)
        path.write_text("kept")
    coursework.assign(GOOD_MASTER, out.parent)
    assert [p.read_text() for p in kept] == ["kept"] * 3
