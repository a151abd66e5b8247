"""The grading report on its own (no grading): CSV rows, merging, statistics, feedback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import coursework
from coursework import report

QUESTIONS = {"q1": 2.0, "q2": 1.0}


def _grade(name: str, q1=None, q2=None, error="", messages=None) -> coursework.Grade:
    scores = {} if error else {"q1": q1, "q2": q2}
    g = coursework.Grade(Path(f"/subs/{name}.ipynb"), scores, QUESTIONS, error, name)
    if messages is not None:
        g.reasons = messages
    return g


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_rows_reasons_and_errors(tmp_path):
    grades = [
        _grade("ann", 2, 1),
        _grade("ben", 1, 0, messages={"q1": "sigmoid(0)\nshould be 0.5"}),
        _grade("cat", error="timeout after 60 s"),
    ]
    out = tmp_path / "grades.csv"
    report.write_csv(grades, QUESTIONS, out, root=Path("/subs"))
    ann, ben, cat = _rows(out)
    assert list(ann) == [
        "student",
        "submission",
        "q1",
        "q2",
        "total",
        "possible",
        "error",
        "crash",
        "reasons",
        "flags",
    ]
    assert (ann["total"], ann["reasons"]) == ("3", "")
    assert ben["reasons"] == "q1: sigmoid(0) should be 0.5; q2: 0 of 1 points"
    assert (cat["q1"], cat["total"], cat["error"]) == ("", "", "timeout after 60 s")


def test_merge_replaces_one_row_and_keeps_the_others(tmp_path):
    out = tmp_path / "grades.csv"
    report.write_csv([_grade("ann", 2, 1), _grade("ben", 0, 0)], QUESTIONS, out)
    rows = report.write_csv([_grade("ben", 2, 0.5)], QUESTIONS, out, merge=True)
    assert [(r["student"], r["total"]) for r in rows] == [("ann", "3"), ("ben", "2.5")]
    assert _rows(out) == rows
    report.write_csv([_grade("dan", 1, 1)], QUESTIONS, out, merge=True)
    assert [r["student"] for r in _rows(out)] == ["ann", "ben", "dan"]
    with pytest.raises(coursework.CourseworkError, match="another chapter"):
        report.write_csv([_grade("ann", 1, 1)], {"q1": 1.0}, out, merge=True)


def test_statistics_printed_and_written(tmp_path):
    grades = [_grade("ann", 2, 1), _grade("ben", 1, 0), _grade("cat", error="boom")]
    out = tmp_path / "grades.csv"
    report.write_csv(grades, QUESTIONS, out)
    stats = _rows(tmp_path / "grades-statistics.csv")
    assert stats[0] == {
        "question": "q1",
        "points": "2",
        "mean": "1.5",
        "full_marks_share": "0.5",
        "graded": "2",
        "ungraded": "1",
    }
    assert report.statistics(grades, QUESTIONS) == [
        "q1: mean 1.5 of 2, full marks 50% (2 graded)",
        "q2: mean 0.5 of 1, full marks 50% (2 graded)",
    ]
    assert report.statistics(_rows(out), QUESTIONS) == report.statistics(
        grades, QUESTIONS
    )


def test_feedback_a_student_can_read(tmp_path):
    grades = [
        _grade("ann", 2, 1),
        _grade("ben", 1, 0, messages={"q1": "a | b"}),
        _grade("cat", error="otter run failed: KeyError: '/hidden/tests/q1.py'"),
    ]
    paths = report.write_feedback(grades, QUESTIONS, tmp_path)
    assert [p.name for p in paths] == [
        "ann--ann.ipynb.md",
        "ben--ben.ipynb.md",
        "cat--cat.ipynb.md",
    ]
    ben = paths[1].read_text()
    assert "| q1 | 1 | 2 | a / b |" in ben and "Total: 1 of 3." in ben
    cat = paths[2].read_text()
    assert "could not be graded: grading failed" in cat and "hidden" not in cat
