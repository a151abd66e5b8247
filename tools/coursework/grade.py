"""Grading submissions with ``otter run`` (no containers), sandboxed, into one CSV.

Per submission (:func:`grade_submission`):

1. only its answer cells are put into the instructor's student notebook
   (:mod:`coursework.submission`);
2. that notebook and a disguised copy of the autograder (:mod:`coursework.integrity`)
   go into a fresh scratch folder, where ``otter run`` grades them inside a bubblewrap
   sandbox (:mod:`coursework.sandbox`) with a timeout;
3. the trusted side reads ``results.json`` (plain JSON), maps the tests back to
   questions and caps the scores.  A run that tampered (a canary passed, a score out of
   range) is flagged, and graded again without the answer cells that tampered, so that
   it scores what its honest answers deserve.
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import trusted
from .errors import CourseworkError
from .integrity import disguise_autograder, read_results
from .report import write_csv, write_feedback
from .runner import run_otter
from .sandbox import sandbox_prefix
from .submission import (
    ANSWER_TAG,
    Submission,
    SubmissionError,
    find_submissions,
    merge_answers,
    read_submission,
)

#: Largest ``results.json`` read back from a sandboxed run.
_MAX_RESULTS_BYTES = 5_000_000


@dataclass
class Grade:
    """One submission's result: per-question scores, or an error; and what it tampered."""

    submission: Path
    scores: dict[str, float]
    possible: dict[str, float]
    error: str = ""
    student: str = ""
    flags: list[str] = field(default_factory=list)
    #: question -> "trusted" (tests run in a trusted process on handed-over values) or
    #: "in student kernel" (otter's tests in the sandboxed kernel, with canaries)
    verdicts: dict[str, str] = field(default_factory=dict)
    #: question -> why points were lost (the first failed test's message; trusted
    #: verdicts only)
    messages: dict[str, str] = field(default_factory=dict)
    #: what crashed while the notebook ran: exception, message and cell ("" if nothing)
    crash: str = ""

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
    if lines and (m := re.fullmatch(r"\[timed out after (\S+) s\]", lines[-1])):
        return f"timed out after {m.group(1)} s"
    errors = [
        m.group(1)
        for line in lines
        if (m := re.match(r"(?:[\w.]+\.)?(\w*(?:Error|Exception)\b.*)", line))
    ]
    return "otter run failed: " + (errors[-1] if errors else " | ".join(lines[-3:]))


def find_template(autograder_zip: Path) -> Path:
    """The student release notebook next to an autograder (``<dist>/<stem>/student/``)."""
    autograder_zip = Path(autograder_zip)
    stem = autograder_zip.name.removesuffix("-autograder.zip")
    template = autograder_zip.parent.parent / "student" / f"{stem}.ipynb"
    if not template.is_file():
        raise CourseworkError(
            f"no student release notebook at {template}: grading takes only the answer "
            "cells of a submission into the instructor's notebook (run `make assignments`)"
        )
    return template


def _graded_notebook(merged: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``merged`` without its ``grader.check`` cells (tests run at the end)."""
    out = _copy(merged)
    out.cells = [
        c
        for c in out.cells
        if not (c.cell_type == "code" and c.source.lstrip().startswith("grader.check("))
    ]
    return out


def _copy(nb) -> nbformat.NotebookNode:
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def _run_once(nb, name: str, autograder_zip: Path, hide, timeout, only=None):
    """``(results dict | None, token map, error)`` of one sandboxed ``otter run``."""
    with tempfile.TemporaryDirectory(prefix="coursework-grade-") as tmp:
        scratch = Path(tmp)
        nbformat.write(nb, scratch / name)
        mapping = disguise_autograder(autograder_zip, scratch / "autograder.zip", only)
        (scratch / "out").mkdir()
        prefix, env = sandbox_prefix(scratch, hide)
        result = run_otter(
            "run",
            "--no-logo",
            "-a",
            "autograder.zip",
            "-o",
            "out",
            name,
            cwd=scratch,
            timeout=timeout,
            prefix=prefix,
            env=env,
        )
        path = scratch / "out" / "results.json"
        if result.returncode != 0 or not path.is_file():
            return None, mapping, _run_failure(result.stdout)
        if path.stat().st_size > _MAX_RESULTS_BYTES:
            return None, mapping, "results.json too large: the run was tampered with"
        try:
            return json.loads(path.read_text()), mapping, ""
        except (ValueError, UnicodeDecodeError):
            return None, mapping, "results.json unreadable: the run was tampered with"


def _dist_root(autograder_zip: Path) -> list[Path]:
    """``[<dist>]`` for ``<dist>/<stem>/autograder/<stem>-autograder.zip`` (every
    chapter's autograder is hidden from a submission), else ``[]``."""
    if autograder_zip.parent.name == "autograder" and len(autograder_zip.parents) > 3:
        return [autograder_zip.parents[2]]
    return []


def _answer_indices(nb) -> list[int]:
    return [
        i for i, c in enumerate(nb.cells) if ANSWER_TAG in c.metadata.get("tags", [])
    ]


def _blanked(merged, template, indices) -> nbformat.NotebookNode:
    out = _copy(merged)
    for i in indices:
        out.cells[i].source = template.cells[i].source
    return out


@dataclass
class _Job:
    template: nbformat.NotebookNode
    name: str
    autograder_zip: Path
    possible: dict[str, float]
    hide: list[Path]
    timeout: float | None
    only: set[str] | None = None  # the questions graded in the student's kernel

    def run(self, nb):
        """``(Verdict | None, error)`` of one run of ``nb``."""
        results, mapping, error = _run_once(
            _graded_notebook(nb),
            self.name,
            self.autograder_zip,
            self.hide,
            self.timeout,
            self.only,
        )
        if results is None:
            return None, error
        possible = self.possible
        if self.only is not None:
            possible = {q: p for q, p in possible.items() if q in self.only}
        return read_results(results, mapping, possible), ""


def _honest_regrade(job: _Job, merged, flags: list[str]):
    """Grade ``merged`` again without the answer cells that, alone, tamper."""
    answered = [
        i
        for i in _answer_indices(job.template)
        if merged.cells[i].source != job.template.cells[i].source
    ]
    suspects = answered
    if len(answered) > 1:
        suspects = []
        for i in answered:
            alone = _blanked(merged, job.template, [j for j in answered if j != i])
            verdict, error = job.run(alone)
            if error or verdict is None or verdict.tampering:
                suspects.append(i)
    flags.append(
        f"graded without the answer cell(s) that tampered: {len(suspects)} of "
        f"{len(answered)} answered"
    )
    return job.run(_blanked(merged, job.template, suspects))


def grade_submission(
    submission: Path | Submission,
    autograder_zip: Path,
    timeout: float | None = None,
    template: Path | None = None,
) -> Grade:
    """Grade one ``.ipynb`` or ``.zip`` (see the module docstring).

    ``template``: the instructor's student notebook (default: :func:`find_template`).
    Without bubblewrap, the submission runs unsandboxed with your permissions.
    """
    sub = submission if isinstance(submission, Submission) else None
    path = Path(sub.path if sub else submission).resolve()
    student = sub.student if sub else path.stem
    autograder_zip = Path(autograder_zip).resolve()
    possible = autograder_questions(autograder_zip)
    grade = Grade(path, {}, possible, student=student)
    if sub and sub.error:
        grade.error = sub.error
        return grade
    template = Path(template or find_template(autograder_zip)).resolve()
    template_nb = nbformat.read(template, as_version=4)
    try:
        merged, notes = merge_answers(template_nb, read_submission(path, template.stem))
    except SubmissionError as err:
        grade.error = str(err)
        return grade
    grade.flags += notes
    hide = [
        path.parent,
        autograder_zip.parent,
        template.parent,
        *_dist_root(autograder_zip),
    ] + ([sub.root] if sub and sub.root else [])
    in_kernel = _grade_trusted(grade, merged, template, autograder_zip, hide, timeout)
    if in_kernel and not grade.error:
        job = _Job(
            template_nb,
            template.name,
            autograder_zip,
            possible,
            hide,
            timeout,
            in_kernel,
        )
        _grade_in_kernel(grade, job, merged)
    if grade.error:
        grade.scores = {}
        return grade
    grade.scores = {q: grade.scores.get(q, 0.0) for q in possible}
    return grade


def _grade_trusted(grade: Grade, merged, template, autograder_zip, hide, timeout):
    """Grade the trusted questions into ``grade``; returns the questions left to the
    student's kernel (every question when the chapter has no solutions notebook)."""
    the_plan = trusted.plan(template, autograder_zip)
    if the_plan is None or trusted.trusted_questions(the_plan) == []:
        grade.verdicts = dict.fromkeys(grade.possible, trusted.IN_KERNEL)
        return set(grade.possible)
    result = trusted.run_trusted(
        merged, template.name, autograder_zip, the_plan, hide, timeout
    )
    grade.verdicts = {
        q: result.verdicts.get(q, trusted.IN_KERNEL) for q in grade.possible
    }
    grade.scores.update(result.scores)
    grade.messages.update(result.reasons)
    grade.crash = "; ".join(result.crash)
    grade.flags += result.flags
    grade.error = result.error
    return {q for q, v in grade.verdicts.items() if v != trusted.TRUSTED}


def _grade_in_kernel(grade: Grade, job: _Job, merged) -> None:
    """otter's tests of ``job.only`` in the sandboxed kernel, with canaries."""
    verdict, error = job.run(merged)
    if verdict is not None and verdict.tampering:
        grade.flags += [f"tampering: {t}" for t in verdict.tampering]
        verdict, error = _honest_regrade(job, merged, grade.flags)
        if verdict is not None and verdict.tampering:
            grade.flags.append("tampering persists: scored 0")
            verdict.scores = {}
    if verdict is None:
        grade.error = error
        return
    grade.scores.update({q: verdict.scores.get(q, 0.0) for q in job.only})


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


def grade_all(
    submissions: list[Path | Submission],
    autograder_zip: Path,
    jobs: int = 2,
    timeout: float | None = 1800,
    template: Path | None = None,
) -> list[Grade]:
    """Grade ``submissions`` ``jobs`` at a time, in their order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(
            pool.map(
                lambda s: grade_submission(s, autograder_zip, timeout, template),
                submissions,
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
    write_csv(grades, questions, output_csv, root=Path(folder))
    write_feedback(grades, questions, feedback_dir(output_csv))
    return grades


def feedback_dir(output_csv: Path) -> Path:
    """Where :func:`grade_folder` writes the feedback files: ``<csv stem>-feedback/``."""
    output_csv = Path(output_csv)
    return output_csv.with_name(f"{output_csv.stem}-feedback")
