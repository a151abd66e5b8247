"""Keep a chapter's self-check quiz in step with the numbers the chapter computes.

A quiz (``book/quizzes/<chapter>.json``, jupyterquiz's format) states the right
answers as fixed numbers; the chapter computes them.  A hidden cell of the chapter
checks the two against each other, so a change in the computation that makes a quiz
answer wrong fails nbval instead of misleading a reader::

    from sigmoidbook.quiz import check_quiz_answer
    check_quiz_answer("quizzes/ch2_vanishing_gradients.json", "In float32, at what depth", 12)

A question is found by the start of its text; exactly one question may match.
"""

from __future__ import annotations

import json
import math
import numbers
from pathlib import Path
from typing import Any

__all__ = [
    "load_quiz",
    "find_question",
    "correct_answers",
    "check_quiz_answer",
    "show_quiz",
]


def quiz_path(path: str | Path) -> Path:
    """``path`` itself, or for ``quizzes/<chapter>.json`` missing next to the notebook (a
    chapter opened on its own, e.g. on Colab) the book's copy (:mod:`sigmoidbook.remote`)."""
    path = Path(path)
    if path.exists() or path.is_absolute() or path.parts[:1] != ("quizzes",):
        return path
    from .remote import book_file

    return book_file(path.as_posix())


def show_quiz(path: str | Path) -> None:
    """Display the self-check quiz at ``path`` (accessible HTML, works without a kernel).

    The quiz file is jupyterquiz's JSON; :mod:`sigmoidbook.quiz_html` renders it
    (labelled inputs, keyboard use, feedback in words).
    """
    from IPython.display import HTML, display

    from .quiz_html import quiz_html

    path = quiz_path(path)
    questions = load_quiz(path)  # a clear error for a missing or broken file
    display(HTML(quiz_html(questions, quiz_id=f"quiz-{_slug(path.stem)}")))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text).strip("-") or "quiz"


def load_quiz(path: str | Path) -> list[dict[str, Any]]:
    """The list of questions in a jupyterquiz JSON file, with a clear error if it is not one."""
    path = quiz_path(path)
    try:
        quiz = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"quiz file {path} does not exist") from None
    except json.JSONDecodeError as err:
        raise ValueError(f"quiz file {path} is not valid JSON: {err}") from None
    if not isinstance(quiz, list) or not all(
        isinstance(q, dict) and "question" in q for q in quiz
    ):
        raise ValueError(f"quiz file {path} is not a list of questions")
    return quiz


def find_question(quiz: list[dict[str, Any]], start: str) -> dict[str, Any]:
    """The one question whose text starts with ``start``."""
    found = [q for q in quiz if q["question"].startswith(start)]
    if len(found) != 1:
        texts = [q["question"][:60] for q in quiz]
        raise LookupError(
            f"{len(found)} questions start with {start!r} (need exactly one); "
            f"the questions are: {texts}"
        )
    return found[0]


def correct_answers(question: dict[str, Any]) -> list[Any]:
    """The correct answers of a question: numbers, ``(low, high)`` ranges or answer texts."""
    result = []
    for answer in question.get("answers", []):
        if not answer.get("correct"):
            continue
        if answer.get("type") == "range":
            low, high = answer["range"]
            result.append((low, high))
        elif "value" in answer:
            result.append(answer["value"])
        else:
            result.append(answer["answer"])
    if not result:
        raise ValueError(
            f"question {question['question'][:60]!r} has no correct answer"
        )
    return result


def _matches(expected: Any, value: Any, digits: int | None) -> bool:
    if isinstance(value, str) or isinstance(expected, str):
        return expected == value
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # 0-d array or tensor
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"the chapter's value must be a number or a text, got {value!r}"
        )
    value = float(value)
    if math.isnan(value):
        raise ValueError("the chapter's value is NaN")
    if isinstance(expected, tuple):  # jupyterquiz ranges accept low <= x < high
        low, high = expected
        return low <= value < high
    if digits is not None:
        value = round(value, digits)
    return math.isclose(float(expected), value, rel_tol=1e-12, abs_tol=1e-12)


def check_quiz_answer(
    path: str | Path, question_start: str, value: Any, *, digits: int | None = None
) -> None:
    """Assert that ``value``, computed by the chapter, is a correct answer of the question.

    Numbers are compared with a correct ``value`` (after rounding ``value`` to
    ``digits`` decimals, if given) or must fall in a correct range; a text must equal
    a correct answer's text (multiple choice).  Raises ``AssertionError`` naming the
    question and both values otherwise.
    """
    question = find_question(load_quiz(path), question_start)
    answers = correct_answers(question)
    if not any(_matches(expected, value, digits) for expected in answers):
        raise AssertionError(
            f"quiz {Path(path).name}: question {question['question'][:60]!r} accepts "
            f"{answers}, but the chapter computes {value!r}: update the quiz or the text"
        )
