"""Alternative correct answers get full points, common wrong answers lose points.

Every chapter master has ``tests/answers/<chapter stem>.py`` (format: CONTRIBUTING.md,
"Coursework format"; owned by the chapter's author) with ``ANSWERS = {question:
{"alternatives": [...], "wrong": [...]}}``.  From the chapter's *current student
release* this builds one submission per entry index: every question's
``alternatives[0]``, then ``alternatives[1]``, ...; every question's ``wrong[0]``, then
``wrong[1]``, ...  (a question with fewer entries gets its ``alternatives[0]`` there,
so that later questions that build on it still run).  Each is graded through the real
path (:func:`coursework.grade_submission`: answer cells merged into the release,
sandboxed ``otter run``, disguised tests), and:

* an alternative must score the question's full points;
* a wrong answer must score fewer than the full points.

Cost: the releases are the session's shared ones (``coursework_releases``), the
gradings of every selected chapter run two at a time on the exercise slice (chapters
interleaved, so that each chapter's first grading calibrates it alone), and only
an alternative that fails on the slice is graded again on the whole notebook (the
judge).  A wrong answer that loses points on the slice is trusted: the chapter tests
check that the slice reproduces the solutions' full marks.

Also here: no public test's failure message states a solution line.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import re
import runpy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from coursework_releases import (
    MASTERS,
    REPO_ROOT,
    assigned_releases,
    selected_stems,
    sliced_template,
)

import coursework
from coursework import markers
from coursework.fill import answer_cells, fill_answers

ANSWERS_DIR = REPO_ROOT / "tests" / "answers"
STEMS = [m.stem for m in MASTERS]
TIMEOUT = 600


def load_answers(stem: str) -> dict:
    """``ANSWERS`` of ``tests/answers/<stem>.py`` (pytest fails naming a missing file)."""
    path = ANSWERS_DIR / f"{stem}.py"
    if not path.is_file():
        pytest.fail(
            f"{stem}: no answer variants: write {path.relative_to(REPO_ROOT)} "
            "(ANSWERS = {question: {'alternatives': [...], 'wrong': [...]}})"
        )
    return runpy.run_path(str(path)).get("ANSWERS")


def answers_problems(answers, questions: dict[str, float]) -> list[str]:
    """What is wrong with an ``ANSWERS`` dict for a chapter with ``questions``."""
    if not isinstance(answers, dict):
        return [
            "ANSWERS must be a dict {question: {'alternatives': [...], 'wrong': [...]}}"
        ]
    problems = [f"no entry for {q}" for q in questions if q not in answers]
    problems += [
        f"{q} is not a question of the chapter" for q in answers if q not in questions
    ]
    for q, entry in answers.items():
        if not isinstance(entry, dict):
            problems.append(f"{q}: must be a dict with 'alternatives' and 'wrong'")
            continue
        for kind, least in (("alternatives", 1), ("wrong", 2)):
            values = entry.get(kind)
            if not isinstance(values, list) or len(values) < least:
                problems.append(f"{q}: needs a list of at least {least} {kind!r}")
    return problems


@dataclass
class Variant:
    """One submission: entry ``index`` of ``kind`` for the questions in ``judged``."""

    stem: str
    kind: str  # "alternatives" or "wrong"
    index: int
    judged: list[str]
    path: Path
    grade: coursework.Grade | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.kind}[{self.index}]"


def build_variants(
    stem: str, answers: dict, template: Path, folder: Path
) -> list[Variant]:
    """The submissions of one chapter, written to ``folder`` (see the module docstring)."""
    nb = nbformat.read(template, as_version=4)
    variants = []
    for kind in ("alternatives", "wrong"):
        depth = max(len(entry[kind]) for entry in answers.values())
        for k in range(depth):
            chosen = {
                q: (
                    entry[kind][k] if k < len(entry[kind]) else entry["alternatives"][0]
                )
                for q, entry in answers.items()
            }
            judged = [q for q, entry in answers.items() if k < len(entry[kind])]
            path = folder / f"{kind}-{k}" / template.name
            path.parent.mkdir(parents=True)
            nbformat.write(fill_answers(nb, chosen), path)
            variants.append(Variant(stem, kind, k, judged, path))
    return variants


@pytest.fixture(scope="session")
def variant_grades(request, tmp_path_factory) -> dict[str, list[Variant] | str]:
    """``{stem: graded variants}`` (or why they could not be built), two gradings at a time."""
    stems = selected_stems(request.session, Path(__file__).name)
    assigned = assigned_releases(tmp_path_factory, stems)
    out: dict[str, list[Variant] | str] = {}
    jobs = []
    for stem in stems:
        a = assigned[stem]
        path = ANSWERS_DIR / f"{stem}.py"
        if a.release is None or not path.is_file():
            continue
        try:
            answers = runpy.run_path(str(path)).get("ANSWERS")
            questions = coursework.autograder_questions(a.release.autograder_zip)
            if problems := answers_problems(answers, questions):
                out[stem] = "; ".join(problems)
                continue
            folder = tmp_path_factory.mktemp(f"variants-{stem}")
            template = sliced_template(a, folder)
            out[stem] = build_variants(stem, answers, template, folder)
        except Exception as err:  # a broken answers file: reported, not raised
            out[stem] = f"could not build the submissions: {err}"
            continue
        jobs.append([(v, a, template) for v in out[stem]])
    # chapters interleaved: the two gradings running at once are of two chapters, each
    # calibrating its own (a second grading of a chapter being calibrated would wait)
    jobs = [j for group in itertools.zip_longest(*jobs) for j in group if j]

    def grade(job) -> None:
        variant, a, template = job
        zip_ = a.release.autograder_zip
        variant.grade = coursework.grade_submission(
            variant.path, zip_, TIMEOUT, template
        )
        if variant.kind == "alternatives" and a.drop_ids and _shortfall(variant):
            variant.notes.append(
                "the exercise slice fell short; graded the whole notebook"
            )
            whole = a.release.student_notebook
            variant.grade = coursework.grade_submission(
                variant.path, zip_, TIMEOUT, whole
            )

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(grade, jobs))
    return out


def _shortfall(variant: Variant) -> dict[str, str]:
    """``{question: "points of possible"}`` for the judged questions below full points."""
    g = variant.grade
    return {
        q: f"{g.scores.get(q, 0.0):g} of {g.possible[q]:g}"
        for q in variant.judged
        if g.error or g.scores.get(q, 0.0) < g.possible[q]
    }


def _describe(variant: Variant) -> str:
    g = variant.grade
    extra = f"; error: {g.error}" if g.error else ""
    extra += f"; flags: {'; '.join(g.flags)}" if g.flags else ""
    extra += f"; {'; '.join(variant.notes)}" if variant.notes else ""
    return f"{variant.stem} {variant.label} scored {g.scores}{extra}"


def _chapter_variants(variant_grades, stem) -> list[Variant]:
    assigned_error = variant_grades.get(stem)
    load_answers(stem)  # fails naming the chapter when it has no answers file
    if isinstance(assigned_error, str):
        pytest.fail(f"{stem}: {assigned_error}")
    if assigned_error is None:
        pytest.fail(
            f"{stem}: the chapter was not assigned (see test_coursework_chapters)"
        )
    return assigned_error


@pytest.mark.parametrize("stem", STEMS)
def test_alternative_answers_score_full_points(variant_grades, stem):
    problems = []
    for v in _chapter_variants(variant_grades, stem):
        if v.kind == "alternatives" and (short := _shortfall(v)):
            problems.append(f"{short} — {_describe(v)}")
    assert not problems, "correct alternatives lost points:\n" + "\n".join(problems)


@pytest.mark.parametrize("stem", STEMS)
def test_wrong_answers_lose_points(variant_grades, stem):
    problems = []
    for v in _chapter_variants(variant_grades, stem):
        if v.kind != "wrong":
            continue
        if v.grade.error:
            problems.append(f"could not be graded — {_describe(v)}")
            continue
        full = [
            q for q in v.judged if v.grade.scores.get(q, 0.0) >= v.grade.possible[q]
        ]
        if full:
            problems.append(f"{', '.join(full)} got full points — {_describe(v)}")
    assert not problems, "wrong answers passed:\n" + "\n".join(problems)


# ============================================================ public failure messages


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def solution_needles(master: Path) -> dict[str, str]:
    """``{squashed text: solution line}``: each solution line of a master, and the
    expression it assigns or returns (what a message could give away)."""
    nb = nbformat.read(master, as_version=4)
    needles = {}
    for q in coursework.parse_questions(nb):
        for i in q.solution_cells:
            if nb.cells[i].cell_type != "code":
                continue
            for line in markers.solution_lines(nb.cells[i].source):
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                needles[_squash(text)] = text
                rhs = re.sub(r"^(return\s+|[\w.,\s\[\]]+?=(?!=)\s*)", "", text)
                needles[_squash(rhs)] = text
    return {k: v for k, v in needles.items() if len(k) >= 8}


def public_messages(student_dir: Path) -> list[tuple[str, str]]:
    """``(test file, message)``: every failure message and assert message of the public
    tests shipped with a release."""
    found = []
    for test_file in sorted(Path(student_dir).glob("tests/*.py")):
        namespace: dict = {}
        exec(compile(test_file.read_text(), str(test_file), "exec"), namespace)
        for suite in namespace["test"]["suites"]:
            for case in suite["cases"]:
                if case.get("failure_message"):
                    found.append((test_file.name, case["failure_message"]))
                code = "\n".join(
                    line[4:]
                    for line in case["code"].splitlines()
                    if line[:4] in (">>> ", "... ")
                )
                found += [
                    (test_file.name, m)
                    for m in re.findall(r"""["']([^"'\n]{8,})["']""", code)
                ]
    return found


def message_leaks(master: Path, student_dir: Path) -> list[str]:
    needles = solution_needles(master)
    return [
        f"{name}: message {message!r} states the solution line {line!r}"
        for name, message in public_messages(student_dir)
        for needle, line in needles.items()
        if needle in _squash(message)
    ]


def test_message_check_finds_a_stated_solution(tmp_path):
    master = REPO_ROOT / "tests" / "fixtures" / "coursework_master.ipynb"
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "q2.py").write_text(
        "OK_FORMAT = True\ntest = {'name': 'q2', 'points': 1, 'suites': [{'cases': [{"
        "'code': '>>> assert sigma_prime_max == 0.25, \"set sigma_prime_max = 0.25\"\\n',"
        "'failure_message': 'hint', 'hidden': False}]}]}\n"
    )
    assert "sigma_prime_max=0.25" in solution_needles(master)
    assert len(message_leaks(master, tmp_path)) == 1


@pytest.mark.parametrize("master", MASTERS, ids=STEMS)
def test_public_failure_messages_state_no_solution(tmp_path_factory, master):
    a = assigned_releases(tmp_path_factory, [master.stem])[master.stem]
    assert a.release is not None, a.error
    leaks = message_leaks(master, a.release.student_notebook.parent)
    assert not leaks, "\n".join(leaks)


# ============================================================ filling answer cells


def _student_nb(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    for kind, source in cells:
        cell = nbformat.v4.new_code_cell(source)
        if kind == "answer":
            cell.metadata["tags"] = ["otter_answer_cell"]
        nb.cells.append(cell)
    return nb


def test_fill_answers_puts_code_into_each_question_s_cells():
    nb = _student_nb(
        ("code", "import numpy as np"),
        ("answer", "x = ..."),
        ("code", 'grader.check("q1")'),
        ("answer", "a = ..."),
        ("answer", "b = ..."),
        ("code", "grader.check('q2')"),
    )
    assert answer_cells(nb) == {"q1": [1], "q2": [3, 4]}
    filled = fill_answers(nb, {"q1": "x = 1", "q2": ["a = 2", "b = 3"]})
    assert [c.source for c in filled.cells[1:5]] == [
        "x = 1",
        'grader.check("q1")',
        "a = 2",
        "b = 3",
    ]
    assert nb.cells[1].source == "x = ...", "the original must stay unchanged"
    assert fill_answers(nb, {"q2": ["a", "b"]}).cells[1].source == "x = ..."


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"q9": "x = 1"}, "no question 'q9'"),
        ({"q2": "a = 2"}, "q2 has 2 answer cell"),
        ({"q1": ["x = 1", "y = 2"]}, "q1 has 1 answer cell"),
        ({"q1": [1]}, "str or a list of str"),
    ],
)
def test_fill_answers_names_a_bad_answer(answers, message):
    nb = _student_nb(
        ("answer", "x = ..."),
        ("code", 'grader.check("q1")'),
        ("answer", "a = ..."),
        ("answer", "b = ..."),
        ("code", 'grader.check("q2")'),
    )
    with pytest.raises(coursework.CourseworkError, match=re.escape(message)):
        fill_answers(nb, answers)


def test_answer_cells_after_the_last_check_are_an_error():
    nb = _student_nb(
        ("answer", "x = ..."), ("code", 'grader.check("q1")'), ("answer", "y")
    )
    with pytest.raises(coursework.CourseworkError, match="belong to no question"):
        answer_cells(nb)


def test_answers_problems_names_missing_and_short_entries():
    problems = answers_problems(
        {"q1": {"alternatives": ["x"], "wrong": ["y"]}, "q7": {}},
        {"q1": 2.0, "q2": 1.0},
    )
    assert problems == [
        "no entry for q2",
        "q7 is not a question of the chapter",
        "q1: needs a list of at least 2 'wrong'",
        "q7: needs a list of at least 1 'alternatives'",
        "q7: needs a list of at least 2 'wrong'",
    ]
