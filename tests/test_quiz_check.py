"""Unit tests for sigmoidbook.quiz: a chapter's check that its quiz's right answer
is the number (or choice) the chapter computes."""

import json
import math

import numpy as np
import pytest

from sigmoidbook.quiz import check_quiz_answer

QUIZ = [
    {
        "question": "In float32, at what depth does the gradient underflow?",
        "type": "numeric",
        "answers": [
            {"type": "value", "value": 12, "correct": True, "feedback": "yes"},
            {"type": "value", "value": 11, "correct": False, "feedback": "one short"},
            {"type": "default", "feedback": "no"},
        ],
    },
    {
        "question": "What is the largest value of the sigmoid's derivative?",
        "type": "numeric",
        "answers": [
            {"type": "value", "value": 0.25, "correct": True, "feedback": "yes"},
            {"type": "default", "feedback": "no"},
        ],
    },
    {
        "question": "What fraction of neurons is dead, roughly?",
        "type": "numeric",
        "answers": [
            {"type": "range", "range": [0.4, 0.6], "correct": True, "feedback": "yes"},
            {"type": "range", "range": [0.0, 0.4], "correct": False, "feedback": "no"},
            {"type": "default", "feedback": "no"},
        ],
    },
    {
        "question": "Which activation keeps gradients alive?",
        "type": "multiple_choice",
        "answers": [
            {"answer": "ReLU", "correct": True, "feedback": "yes"},
            {"answer": "sigmoid", "correct": False, "feedback": "no"},
        ],
    },
    {
        "question": "What is σ′(1), to three decimals?",
        "type": "numeric",
        "answers": [
            {"type": "value", "value": 0.197, "correct": True, "feedback": "yes"},
            {"type": "default", "feedback": "no"},
        ],
    },
]


@pytest.fixture
def quiz(tmp_path):
    path = tmp_path / "ch9_probe.json"
    path.write_text(json.dumps(QUIZ), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "start, value, digits",
    [
        ("In float32", 12, None),
        ("In float32", 12.0, None),
        ("In float32", np.int64(12), None),
        ("What is the largest", np.float32(0.25), None),
        ("What fraction", 0.4, None),  # jupyterquiz ranges include their low end
        ("What fraction", 0.5999, None),
        ("Which activation", "ReLU", None),
        ("What is σ′(1)", 0.19661193324148185, 3),  # rounded before comparing
    ],
)
def test_a_correct_answer_passes(quiz, start, value, digits):
    check_quiz_answer(quiz, start, value, digits=digits)


@pytest.mark.parametrize(
    "start, value, digits",
    [
        ("In float32", 11, None),  # an answer of the quiz, but a wrong one
        ("In float32", 13, None),
        ("What is the largest", 0.25 + 1e-9, None),
        ("What fraction", 0.6, None),  # ... and exclude their high end
        ("What fraction", 0.2, None),
        ("Which activation", "sigmoid", None),
        ("Which activation", "relu", None),  # texts must match exactly
        ("What is σ′(1)", 0.19661193324148185, None),  # unrounded: not 0.197
        ("What is σ′(1)", 0.19661193324148185, 2),
    ],
)
def test_a_wrong_answer_raises_naming_the_question_and_both_values(
    quiz, start, value, digits
):
    with pytest.raises(AssertionError) as error:
        check_quiz_answer(quiz, start, value, digits=digits)
    message = str(error.value)
    assert start in message and "ch9_probe.json" in message
    assert repr(value) in message, message


@pytest.mark.parametrize("start", ["What", "Nothing starts like this"])
def test_an_ambiguous_or_missing_question_raises_lookup_error(quiz, start):
    with pytest.raises(LookupError, match=f"questions start with '{start}'"):
        check_quiz_answer(quiz, start, 12)


def test_a_question_without_a_correct_answer_is_an_error(tmp_path):
    path = tmp_path / "quiz.json"
    question = {
        "question": "Q?",
        "type": "numeric",
        "answers": [{"type": "value", "value": 1, "correct": False, "feedback": "no"}],
    }
    path.write_text(json.dumps([question]))
    with pytest.raises(ValueError, match="has no correct answer"):
        check_quiz_answer(path, "Q?", 1)


@pytest.mark.parametrize(
    "text, error, message",
    [
        ("{not json", ValueError, "is not valid JSON"),
        ('{"question": "a dict, not a list"}', ValueError, "not a list of questions"),
        ('[{"answers": []}]', ValueError, "not a list of questions"),
    ],
)
def test_a_bad_quiz_file_is_named(tmp_path, text, error, message):
    path = tmp_path / "broken.json"
    path.write_text(text)
    with pytest.raises(error, match=message) as raised:
        check_quiz_answer(path, "Q", 1)
    assert "broken.json" in str(raised.value)


def test_a_missing_quiz_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.json does not exist"):
        check_quiz_answer(tmp_path / "missing.json", "Q", 1)


@pytest.mark.parametrize(
    "value, error",
    [(math.nan, ValueError), (True, TypeError), (None, TypeError), ([12], TypeError)],
)
def test_a_value_that_is_not_a_number_or_text_is_refused(quiz, value, error):
    with pytest.raises(error):
        check_quiz_answer(quiz, "In float32", value)


def test_the_books_quizzes_are_read_by_it(book_dir):
    """Every question of every quiz has a correct answer the helper can read."""
    from sigmoidbook.quiz import correct_answers, load_quiz

    quizzes = sorted((book_dir / "quizzes").glob("*.json"))
    assert quizzes
    for path in quizzes:
        for question in load_quiz(path):
            assert correct_answers(question), (path.name, question["question"])
