"""Self-check quizzes (jupyterquiz): every quiz file is sound, shown by its chapter, and works
in the built website, offline, without a kernel.

Unit checks of each ``book/quizzes/<chapter stem>.json``: jupyterquiz's format,
3–5 questions, every question has a correct answer that a reader can actually
reach (jupyterquiz stops at the first matching answer) and feedback that
explains every answer, right or wrong; the chapter displays it the agreed way.

Browser check: in the built site every question is answered, wrong first and
then right, and the feedback the reader sees is the feedback in the file; no
request leaves the site (jupyterquiz would fetch MathJax from a CDN if the
page's own MathJax were not ready).

``quiz_path`` and ``chapter_path`` run a test once per quiz file or chapter
(tests/conftest.py).
"""

from __future__ import annotations

import json
import math
import re

import nbformat

QUESTION_KEYS = {
    "question",
    "type",
    "answers",
    "code",
    "precision",
    "answer_cols",
    "points",
}
CHOICE_KEYS = {"answer", "correct", "feedback", "code"}
NUMERIC_KEYS = {"type", "value", "range", "correct", "feedback"}
DISPLAY_CALL = re.compile(r"""show_quiz\(\s*["'](quizzes/[^"']+\.json)["']""")


def _matches(answer: dict, x: float, precision: int | None) -> bool:
    """Whether jupyterquiz's check_numeric accepts ``x`` for this answer entry."""
    if "value" in answer:
        if precision:
            return float(f"{x:.{precision}g}") == float(
                f"{answer['value']:.{precision}g}"
            )
        return x == answer["value"]
    if "range" in answer:
        low, high = answer["range"]
        return low <= x < high
    return False


def _representative(answer: dict) -> float:
    if "value" in answer:
        return float(answer["value"])
    low, high = answer["range"]
    return (low + high) / 2


def quiz_problems(questions) -> list[str]:
    """Everything wrong with a quiz (jupyterquiz JSON: a list of question objects)."""
    if not isinstance(questions, list):
        return ["the file must hold a JSON list of questions"]
    problems = []
    if not 3 <= len(questions) <= 5:
        problems.append(f"{len(questions)} questions; a self-check has 3 to 5")
    for n, q in enumerate(questions, start=1):
        where = f"question {n}"
        if not isinstance(q, dict):
            problems.append(f"{where}: not an object")
            continue
        if unknown := set(q) - QUESTION_KEYS:
            problems.append(
                f"{where}: unknown keys {sorted(unknown)} (jupyterquiz ignores them)"
            )
        if not isinstance(q.get("question"), str) or not q["question"].strip():
            problems.append(f"{where}: no question text")
        answers = q.get("answers")
        if (
            not isinstance(answers, list)
            or not answers
            or not all(isinstance(a, dict) for a in answers)
        ):
            problems.append(f"{where}: 'answers' must be a non-empty list of objects")
            continue
        kind = q.get("type")
        if kind in ("multiple_choice", "many_choice"):
            for a in answers:
                if unknown := set(a) - CHOICE_KEYS:
                    problems.append(f"{where}: answer keys {sorted(unknown)} unknown")
                if not isinstance(a.get("answer"), str) or not a["answer"].strip():
                    problems.append(f"{where}: an answer without text")
                if not isinstance(a.get("correct"), bool):
                    problems.append(
                        f'{where}: answer {a.get("answer")!r} needs "correct": true/false'
                    )
                if not isinstance(a.get("feedback"), str) or not a["feedback"].strip():
                    problems.append(
                        f"{where}: answer {a.get('answer')!r} has no feedback"
                    )
            n_correct = sum(a.get("correct") is True for a in answers)
            texts = [a.get("answer") for a in answers]
            if len(answers) < 2:
                problems.append(f"{where}: a choice question needs at least 2 answers")
            if len(set(texts)) != len(texts):
                problems.append(f"{where}: two answers have the same text")
            if kind == "multiple_choice" and n_correct != 1:
                problems.append(
                    f"{where}: multiple_choice needs exactly one correct answer, has {n_correct}"
                )
            if kind == "many_choice" and n_correct < 1:
                problems.append(
                    f"{where}: many_choice needs at least one correct answer"
                )
        elif kind == "numeric":
            precision = q.get("precision")
            if precision is not None and not (
                isinstance(precision, int) and precision > 0
            ):
                problems.append(f"{where}: precision must be a positive integer")
            defaults = [a for a in answers if a.get("type") == "default"]
            graded = [a for a in answers if a.get("type") != "default"]
            if len(defaults) != 1 or not str(defaults[0].get("feedback", "")).strip():
                problems.append(
                    f'{where}: needs one {{"type": "default", "feedback": ...}} entry, '
                    "so that any other number gets an explanation"
                )
            for a in graded:
                if unknown := set(a) - NUMERIC_KEYS:
                    problems.append(f"{where}: answer keys {sorted(unknown)} unknown")
                if a.get("type") == "value" and not isinstance(
                    a.get("value"), (int, float)
                ):
                    problems.append(f"{where}: a value answer needs a number 'value'")
                    continue
                if a.get("type") == "range":
                    r = a.get("range")
                    if not (
                        isinstance(r, list)
                        and len(r) == 2
                        and all(isinstance(v, (int, float)) for v in r)
                        and r[0] < r[1]
                    ):
                        problems.append(
                            f"{where}: a range answer needs 'range': [low, high] with low < high"
                        )
                        continue
                if a.get("type") not in ("value", "range"):
                    problems.append(
                        f"{where}: numeric answer type must be value, range or default"
                    )
                    continue
                if not isinstance(a.get("correct"), bool):
                    problems.append(f'{where}: answer {a} needs "correct": true/false')
                if not isinstance(a.get("feedback"), str) or not a["feedback"].strip():
                    problems.append(f"{where}: answer {a} has no feedback")
            graded = [
                a
                for a in graded
                if ("value" in a or "range" in a) and isinstance(a.get("correct"), bool)
            ]
            if not any(a["correct"] for a in graded):
                problems.append(f"{where}: no correct answer")
            for i, a in enumerate(
                graded
            ):  # the first matching entry wins in jupyterquiz
                x = _representative(a)
                shadow = next(
                    (b for b in graded[:i] if _matches(b, x, precision)), None
                )
                if shadow is not None:
                    problems.append(
                        f"{where}: answer {a} can never be reached: {shadow} matches first"
                    )
        else:
            problems.append(
                f"{where}: type {kind!r}; use multiple_choice, many_choice or numeric"
            )
    return problems


# --------------------------------------------------------------------------- unit checks


def test_quiz_checker_catches_mistakes():
    good_numeric = {
        "question": "q",
        "type": "numeric",
        "answers": [
            {"type": "value", "value": 12, "correct": True, "feedback": "yes"},
            {"type": "default", "feedback": "think again"},
        ],
    }
    good_choice = {
        "question": "q",
        "type": "multiple_choice",
        "answers": [
            {"answer": "a", "correct": True, "feedback": "yes"},
            {"answer": "b", "correct": False, "feedback": "no"},
        ],
    }
    assert quiz_problems([good_numeric, good_choice, good_choice]) == []
    no_feedback = json.loads(json.dumps(good_choice))
    del no_feedback["answers"][1]["feedback"]
    two_right = json.loads(json.dumps(good_choice))
    two_right["answers"][1]["correct"] = True
    shadowed = {
        "question": "q",
        "type": "numeric",
        "answers": [
            {
                "type": "range",
                "range": [0, 1],
                "correct": False,
                "feedback": "too small",
            },
            {"type": "value", "value": 0.5, "correct": True, "feedback": "yes"},
            {"type": "default", "feedback": "no"},
        ],
    }
    no_default = {
        "question": "q",
        "type": "numeric",
        "answers": [{"type": "value", "value": 1, "correct": True, "feedback": "yes"}],
    }
    typo = dict(good_choice, answer=good_choice["answers"])
    problems = "\n".join(
        quiz_problems([no_feedback, two_right, shadowed, no_default, typo, good_choice])
    )
    for expected in (
        "has no feedback",
        "exactly one correct answer",
        "can never be reached",
        'needs one {"type": "default"',
        "unknown keys ['answer']",
        "6 questions",
    ):
        assert expected in problems, expected


def test_quiz_file_is_sound(quiz_path):
    questions = json.loads(quiz_path.read_text(encoding="utf-8"))
    assert quiz_problems(questions) == [], f"{quiz_path.name}:\n" + "\n".join(
        quiz_problems(questions)
    )


def test_quiz_is_displayed_by_its_chapter(quiz_path, book_dir):
    quiz = quiz_path
    chapter = book_dir / f"{quiz.stem}.ipynb"
    assert chapter.is_file(), (
        f"{quiz.name} belongs to book/{quiz.stem}.ipynb, which does not exist"
    )
    nb = nbformat.read(chapter, as_version=4)
    cells = [
        c for c in nb.cells if c.cell_type == "code" and DISPLAY_CALL.search(c.source)
    ]
    assert [DISPLAY_CALL.search(c.source).group(1) for c in cells] == [
        f"quizzes/{quiz.name}"
    ], f'{chapter.name} must display its quiz once: show_quiz("quizzes/{quiz.name}")'
    cell = cells[0]
    assert cell.source.splitlines()[0].strip() == "# NBVAL_IGNORE_OUTPUT", (
        "the quiz HTML carries random ids: the cell must start with # NBVAL_IGNORE_OUTPUT"
    )
    assert "remove-input" in cell.metadata.get("tags", []), (
        "tag the quiz cell remove-input"
    )


def test_chapter_checks_its_quiz_with_the_shared_helper(quiz_path, book_dir):
    """The quiz's right answers are checked against the chapter's numbers by
    sigmoidbook.quiz.check_quiz_answer, not by hand-written JSON reading."""
    nb = nbformat.read(book_dir / f"{quiz_path.stem}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("check_quiz_answer(" in text for text in code), (
        f"{quiz_path.stem} never calls check_quiz_answer on its quiz"
    )
    by_hand = [
        text[:200]
        for text in code
        if re.search(r"quizzes/|\bQUIZ\b", text)
        and re.search(r"\bjson\.loads?\(|\bopen\(|\.read_text\(", text)
    ]
    assert not by_hand, f"quiz JSON read by hand (use check_quiz_answer): {by_hand}"


def test_displayed_quizzes_exist(chapter_path, book_dir):
    chapter = chapter_path
    nb = nbformat.read(chapter, as_version=4)
    for cell in nb.cells:
        for path in DISPLAY_CALL.findall(
            cell.source if cell.cell_type == "code" else ""
        ):
            assert (book_dir / path).is_file(), (
                f"{chapter.name} displays {path}, which does not exist"
            )


# --------------------------------------------------------------------------- browser


def _wrong_number(answers: list[dict], precision: int | None) -> float:
    """A number that no graded entry accepts (so the default feedback shows)."""
    for candidate in (987654.25, -13579.5, 0.000123, 31415.9):
        if not any(
            _matches(a, candidate, precision)
            for a in answers
            if a.get("type") != "default"
        ):
            return candidate
    raise AssertionError("every candidate wrong number is accepted")


def _number_text(x: float) -> str:
    text = repr(float(x)) if not float(x).is_integer() else str(int(x))
    assert "e" not in text and math.isfinite(x), f"cannot type {x} into jupyterquiz"
    return text


def _feedback(page, question):
    fb = question.locator(".Feedback")
    fb.wait_for(state="visible")
    return fb


def _same_text(shown: str, expected: str) -> bool:
    """Feedback as displayed vs. as written: MathJax may typeset $...$ parts, so compare the rest."""
    if "$" in expected:
        return bool(shown.strip())
    return " ".join(shown.split()) == " ".join(expected.split())


def test_quiz_works_in_the_built_site(quiz_path, built_site, browser_page, site_url):
    quiz = quiz_path
    html_dir = built_site[0]
    page_path = html_dir / "book" / f"{quiz.stem}.html"
    assert page_path.is_file(), (
        f"book/{quiz.stem}.html is not in the built site (is the chapter in _toc.yml?)"
    )
    assert page_path.read_text(encoding="utf-8").count("data-shufflequestions") == 1, (
        f"book/{quiz.stem}.html shows no quiz: is the chapter committed executed (the quiz is a cell output)?"
    )
    questions = json.loads(quiz.read_text(encoding="utf-8"))
    page = browser_page
    page.goto(f"{site_url}/book/{quiz.stem}.html", wait_until="load")
    page.wait_for_selector(".Quiz", state="attached")
    wrappers = page.locator(".Quiz")
    assert wrappers.count() == len(questions), (
        "every question of the file is shown, in order"
    )
    for n, q in enumerate(questions):
        wrapper = wrappers.nth(n)
        wrapper.scroll_into_view_if_needed()
        if q["type"] in ("multiple_choice", "many_choice"):
            wrong = wrapper.locator('label.MCButton[data-correct="false"]')
            if wrong.count():
                wrong.first.click()
                fb = _feedback(page, wrapper)
                assert "incorrect" in fb.get_attribute("class"), (
                    f"question {n + 1}: a wrong answer marked right"
                )
                assert _same_text(
                    fb.inner_text(), wrong.first.get_attribute("data-feedback")
                )
            for right in wrapper.locator('label.MCButton[data-correct="true"]').all():
                right.click()
                fb = _feedback(page, wrapper)
                assert _same_text(
                    fb.inner_text(), right.get_attribute("data-feedback")
                ), f"question {n + 1}"
            assert "correct" in fb.get_attribute("class").split(), (
                f"question {n + 1}: the right answer not accepted"
            )
        else:
            box = wrapper.locator("input.Input-text")
            graded = [a for a in q["answers"] if a.get("type") != "default"]
            default = next(a for a in q["answers"] if a.get("type") == "default")
            box.fill(_number_text(_wrong_number(graded, q.get("precision"))))
            box.press("Enter")
            fb = _feedback(page, wrapper)
            assert "incorrect" in fb.get_attribute("class"), (
                f"question {n + 1}: a wrong number marked right"
            )
            assert _same_text(fb.inner_text(), default["feedback"]), (
                f"question {n + 1}: default feedback"
            )
            right = next(a for a in graded if a["correct"])
            box.fill(_number_text(_representative(right)))
            box.press("Enter")
            page.wait_for_function(
                "el => el.classList.contains('correct')", arg=fb.element_handle()
            )
            assert _same_text(fb.inner_text(), right["feedback"]), (
                f"question {n + 1}: feedback of the right answer"
            )
    assert not page.external_requests, (
        f"the quiz page reached outside the site: {page.external_requests}"
    )
    assert not page.js_errors, f"JavaScript errors: {page.js_errors}"
