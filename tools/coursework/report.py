"""The grading report: one CSV row per submission, and per-question statistics."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .grade import Grade


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(Path(path).resolve().relative_to(Path(root).resolve()))
        except ValueError:
            pass
    return Path(path).name


def write_csv(
    grades: list[Grade],
    questions: dict[str, float],
    output_csv: Path,
    root: Path | None = None,
) -> None:
    """One row per submission:
    ``student, submission, <question>..., total, possible, error, flags``.

    A submission that could not be graded has empty scores and its error; ``flags``
    lists what a graded submission tampered with or lacked (``; ``-separated).
    """
    output_csv = Path(output_csv)
    output_csv.parent.mkdir(parents=True, exist_ok=True)
    names = list(questions)
    possible = f"{sum(questions.values()):g}"
    with open(output_csv, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["student", "submission", *names, "total", "possible", "error", "flags"]
        )
        for g in grades:
            if g.error:
                scores = [""] * (len(names) + 1)
            else:
                scores = [f"{g.scores.get(n, 0.0):g}" for n in names] + [f"{g.total:g}"]
            writer.writerow(
                [
                    g.student,
                    _relative(g.submission, root),
                    *scores,
                    possible,
                    g.error,
                    "; ".join(g.flags),
                ]
            )


def statistics(grades: list[Grade], questions: dict[str, float]) -> list[str]:
    """Lines ``q1: mean 1.2 of 2, full marks 40% (n graded)`` for the graded submissions."""
    graded = [g for g in grades if not g.error]
    lines = []
    for q, points in questions.items():
        if not graded:
            break
        values = [g.scores.get(q, 0.0) for g in graded]
        full = sum(v >= points for v in values) / len(values)
        lines.append(
            f"{q}: mean {sum(values) / len(values):.3g} of {points:g}, "
            f"full marks {full:.0%} ({len(values)} graded)"
        )
    return lines


#: Errors this package writes itself (safe to show a student); others come from otter.
_OWN_ERRORS = ("timeout after", "unreadable file", "wrong chapter")


def write_feedback(
    grades: list[Grade], questions: dict[str, float], folder: Path
) -> list[Path]:
    """One Markdown file per submission in ``folder``: points per question, and what
    went wrong (error, missing answer cells, tampering)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, g in enumerate(grades, start=1):
        lines = [f"# Feedback: {g.student or g.submission.stem}", ""]
        if g.error:
            # otter's output comes from the run: it may quote what the run read
            error = g.error if g.error.startswith(_OWN_ERRORS) else "grading failed"
            lines += [f"Your submission could not be graded: {error}.", ""]
        else:
            lines += ["| question | points | of |", "|---|---|---|"]
            lines += [
                f"| {q} | {g.scores.get(q, 0.0):g} | {p:g} |"
                for q, p in questions.items()
            ]
            lines += ["", f"Total: {g.total:g} of {sum(questions.values()):g}.", ""]
        lines += [f"- {flag}" for flag in g.flags]
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in g.student)
        path = folder / f"{n:03d}-{safe or 'submission'}.md"
        path.write_text("\n".join(lines).rstrip() + "\n")
        written.append(path)
    return written
