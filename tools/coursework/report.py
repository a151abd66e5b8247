"""The grading report: one CSV row per submission, statistics, feedback per student.

:func:`write_csv` writes ``grades.csv`` (columns ``student, submission, <question>...,
total, possible, error, crash, reasons, flags``) and, next to it, ``grades-statistics.csv``
(mean and share with full marks per question).  With ``merge=True`` only the rows of
the submissions graded now are replaced and the others kept (regrading one
submission into an existing CSV).  :func:`write_feedback` writes one Markdown file
per student that a student can read.

A lost point's *reason* is the failing test's message when the grade carries one
(``Grade.reasons``: ``{question: message}``), else "N of M points"; ``crash`` is what
raised while the notebook ran (``Grade.crash``: exception, message, cell), ``error``
what stopped grading (then the scores are empty).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import CourseworkError

if TYPE_CHECKING:
    from .grade import Grade

#: Errors this package writes itself (safe to show a student); others come from otter.
_OWN_ERRORS = ("timeout after", "timed out after", "unreadable file", "wrong chapter")


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(Path(path).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return Path(path).name


def reasons(grade: Grade, questions: dict[str, float]) -> dict[str, str]:
    """``{question: why points were lost}`` for each question below its full points."""
    if grade.error:
        return {}
    messages = getattr(grade, "reasons", None) or getattr(grade, "messages", None) or {}
    out = {}
    for q, points in questions.items():
        score = grade.scores.get(q, 0.0)
        if score < points:
            why = " ".join(str(messages.get(q, "")).split())
            out[q] = why or f"{score:g} of {points:g} points"
    return out


def _header(questions: dict[str, float]) -> list[str]:
    return [
        "student",
        "submission",
        *questions,
        "total",
        "possible",
        "error",
        "crash",
        "reasons",
        "flags",
    ]


def grade_row(grade: Grade, questions: dict[str, float], root: Path | None) -> dict:
    """The CSV row of one grade (``{column: text}``)."""
    names = list(questions)
    if grade.error:
        scores = [""] * (len(names) + 1)
    else:
        scores = [f"{grade.scores.get(n, 0.0):g}" for n in names] + [f"{grade.total:g}"]
    why = "; ".join(f"{q}: {text}" for q, text in reasons(grade, questions).items())
    values = [
        grade.student,
        _relative(grade.submission, root),
        *scores,
        f"{sum(questions.values()):g}",
        grade.error,
        getattr(grade, "crash", ""),
        why,
        "; ".join(grade.flags),
    ]
    return dict(zip(_header(questions), values, strict=True))


def read_rows(csv_path: Path) -> list[dict[str, str]]:
    """The rows of an existing grades CSV (``[]`` if there is none)."""
    if not Path(csv_path).is_file():
        return []
    with open(csv_path, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(
    grades: list[Grade],
    questions: dict[str, float],
    output_csv: Path,
    root: Path | None = None,
    merge: bool = False,
) -> list[dict[str, str]]:
    """Write the grades CSV and its statistics file; returns the rows written.

    ``merge``: keep the rows of an existing ``output_csv`` and replace only those of
    the submissions in ``grades`` (matched by the ``submission`` column), appending new
    ones.  A submission that could not be graded has empty scores and its error;
    ``reasons`` says why points were lost; ``flags`` lists what a graded submission
    tampered with or lacked (``; ``-separated).
    """
    output_csv = Path(output_csv)
    output_csv.parent.mkdir(parents=True, exist_ok=True)
    header = _header(questions)
    new = [grade_row(g, questions, root) for g in grades]
    rows = read_rows(output_csv) if merge else []
    if rows and list(rows[0]) != header:
        raise CourseworkError(
            f"{output_csv} has the columns {list(rows[0])}, not {header}: "
            "is it the CSV of another chapter?"
        )
    fresh = {r["submission"]: r for r in new}
    rows = [fresh.pop(r["submission"], r) for r in rows] + list(fresh.values())
    with open(output_csv, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    write_statistics(rows, questions, statistics_path(output_csv))
    return rows


def statistics_path(output_csv: Path) -> Path:
    """``<csv stem>-statistics.csv`` next to the grades CSV."""
    output_csv = Path(output_csv)
    return output_csv.with_name(f"{output_csv.stem}-statistics.csv")


def _row_statistics(rows: list[dict[str, str]], questions: dict[str, float]):
    graded = [r for r in rows if not r.get("error")]
    for q, points in questions.items():
        values = [float(r[q] or 0) for r in graded]
        if not values:
            continue
        full = sum(v >= points for v in values) / len(values)
        yield q, points, sum(values) / len(values), full, len(values)


def write_statistics(
    rows: list[dict[str, str]], questions: dict[str, float], path: Path
) -> Path:
    """``question, points, mean, full_marks_share, graded, ungraded`` per question."""
    ungraded = sum(1 for r in rows if r.get("error"))
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["question", "points", "mean", "full_marks_share", "graded", "ungraded"]
        )
        for q, points, mean, full, n in _row_statistics(rows, questions):
            writer.writerow(
                [q, f"{points:g}", f"{mean:.4g}", f"{full:.4g}", n, ungraded]
            )
    return path


def statistics(grades_or_rows, questions: dict[str, float]) -> list[str]:
    """Lines ``q1: mean 1.2 of 2, full marks 40% (n graded)`` for the graded
    submissions (``Grade`` objects or CSV rows)."""
    rows = [
        r if isinstance(r, dict) else grade_row(r, questions, None)
        for r in grades_or_rows
    ]
    return [
        f"{q}: mean {mean:.3g} of {points:g}, full marks {full:.0%} ({n} graded)"
        for q, points, mean, full, n in _row_statistics(rows, questions)
    ]


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)


def feedback_name(grade: Grade) -> str:
    """File name of a grade's feedback: the student id and the submission's name."""
    student = _safe(grade.student) or "submission"
    return f"{student}--{_safe(Path(grade.submission).name)}.md"


def feedback_text(grade: Grade, questions: dict[str, float]) -> str:
    """Markdown a student can read: points per question, why points were lost, errors."""
    lines = [f"# Feedback: {grade.student or Path(grade.submission).stem}", ""]
    if grade.error:
        # otter's output comes from the run: it may quote what the run read
        error = grade.error if grade.error.startswith(_OWN_ERRORS) else "grading failed"
        lines += [f"Your submission could not be graded: {error}.", ""]
    else:
        why = reasons(grade, questions)
        lines += [
            "| question | points | of | why points were lost |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {q} | {grade.scores.get(q, 0.0):g} | {p:g} | "
            f"{why.get(q, '').replace('|', '/')} |"
            for q, p in questions.items()
        ]
        lines += ["", f"Total: {grade.total:g} of {sum(questions.values()):g}.", ""]
        if getattr(grade, "crash", ""):
            lines += [f"Your notebook raised an error while it ran: {grade.crash}", ""]
    lines += [f"- {flag}" for flag in grade.flags]
    return "\n".join(lines).rstrip() + "\n"


def write_feedback(
    grades: list[Grade], questions: dict[str, float], folder: Path
) -> list[Path]:
    """One Markdown file per submission in ``folder`` (:func:`feedback_name`; a
    regraded submission's file is replaced, the others stay)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for g in grades:
        path = folder / feedback_name(g)
        path.write_text(feedback_text(g, questions))
        written.append(path)
    return written
