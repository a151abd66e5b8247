"""Grading submissions with ``otter run`` (no containers) into one CSV."""

from __future__ import annotations

import concurrent.futures
import csv
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import CourseworkError
from .runner import run_otter


@dataclass
class Grade:
    """One submission's result: per-question scores, or an error."""

    submission: Path
    scores: dict[str, float]
    possible: dict[str, float]
    error: str = ""

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def autograder_questions(autograder_zip: Path) -> dict[str, float]:
    """``{question: points}`` read from the test files in an autograder zip."""
    questions = {}
    with zipfile.ZipFile(autograder_zip) as zf:
        for name in sorted(zf.namelist()):
            if not re.fullmatch(r"tests/[^/]+\.py", name):
                continue
            namespace: dict = {}
            exec(compile(zf.read(name).decode(), name, "exec"), namespace)
            test = namespace["test"]
            points = test.get("points")
            if isinstance(points, list):
                points = sum(points)
            if points is None:  # otter's default: one point per question
                points = 1
            questions[test["name"]] = float(points)
    return questions


def _run_failure(output: str) -> str:
    """The last ``...Error: ...`` line of otter's output, else its last three lines."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [
        m.group(1)
        for line in lines
        if (m := re.match(r"(?:[\w.]+\.)?(\w*(?:Error|Exception)\b.*)", line))
    ]
    return "otter run failed: " + (errors[-1] if errors else " | ".join(lines[-3:]))


def grade_submission(
    submission: Path, autograder_zip: Path, timeout: float | None = None
) -> Grade:
    """Grade one ``.ipynb`` or ``.zip`` with ``otter run`` (no containers).

    Submissions execute in *this* Python environment, with your permissions.
    """
    submission = Path(submission).resolve()
    with tempfile.TemporaryDirectory(prefix="coursework-grade-") as tmp:
        result = run_otter(
            "run",
            "--no-logo",
            "-a",
            str(Path(autograder_zip).resolve()),
            "-o",
            tmp,
            str(submission),
            cwd=tmp,
            timeout=timeout,
        )
        results_path = Path(tmp) / "results.json"
        if result.returncode != 0 or not results_path.is_file():
            return Grade(submission, {}, {}, error=_run_failure(result.stdout))
        results = json.loads(results_path.read_text())
    scores, possible = {}, {}
    for test in results.get("tests", []):
        if "score" in test and "max_score" in test:
            scores[test["name"]] = float(test["score"])
            possible[test["name"]] = float(test["max_score"])
    return Grade(submission, scores, possible)


def find_autograder(chapter: str, dist_dir: Path) -> Path:
    """The autograder zip for a chapter stem (or the path of a zip, returned as is)."""
    as_path = Path(chapter)
    if as_path.suffix == ".zip":
        if not as_path.is_file():
            raise CourseworkError(f"no autograder zip at {as_path}")
        return as_path
    zip_path = Path(dist_dir) / chapter / "autograder" / f"{chapter}-autograder.zip"
    if not zip_path.is_file():
        known = sorted(
            p.parent.parent.name
            for p in Path(dist_dir).glob("*/autograder/*-autograder.zip")
        )
        hint = f" Assigned chapters: {', '.join(known)}." if known else ""
        raise CourseworkError(
            f"no autograder for {chapter!r} at {zip_path}. Run `make assignments` "
            f"first (or `python -m coursework assign`).{hint}"
        )
    return zip_path


def find_submissions(folder: Path) -> list[Path]:
    """The ``.ipynb`` and ``.zip`` files directly in ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseworkError(f"submissions folder {folder} does not exist")
    subs = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix in {".ipynb", ".zip"}
    )
    if not subs:
        raise CourseworkError(f"no .ipynb or .zip submissions in {folder}")
    return subs


def grade_all(
    submissions: list[Path],
    autograder_zip: Path,
    jobs: int = 2,
    timeout: float | None = 1800,
) -> list[Grade]:
    """Grade ``submissions`` ``jobs`` at a time, in their order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(
            pool.map(
                lambda s: grade_submission(s, autograder_zip, timeout), submissions
            )
        )


def grade_folder(
    chapter: str,
    folder: Path,
    output_csv: Path,
    dist_dir: Path,
    jobs: int = 2,
    timeout: float | None = 1800,
) -> list[Grade]:
    """Grade every submission in ``folder`` and write one CSV; returns the grades."""
    autograder_zip = find_autograder(chapter, dist_dir)
    submissions = find_submissions(folder)
    questions = autograder_questions(autograder_zip)
    grades = grade_all(submissions, autograder_zip, jobs, timeout)
    write_csv(grades, questions, output_csv)
    return grades


def write_csv(
    grades: list[Grade], questions: dict[str, float], output_csv: Path
) -> None:
    """One row per submission: ``submission, <question>..., total, possible, error``.

    A submission that could not be graded has empty scores and its error.
    """
    output_csv = Path(output_csv)
    output_csv.parent.mkdir(parents=True, exist_ok=True)
    names = list(questions)
    possible = f"{sum(questions.values()):g}"
    with open(output_csv, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", *names, "total", "possible", "error"])
        for g in grades:
            if g.error:
                scores = [""] * (len(names) + 1)
            else:
                scores = [f"{g.scores.get(n, 0.0):g}" for n in names] + [f"{g.total:g}"]
            writer.writerow([g.submission.name, *scores, possible, g.error])
