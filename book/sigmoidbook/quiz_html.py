"""A chapter's self-check quiz as accessible HTML (what :func:`sigmoidbook.quiz.show_quiz` shows).

The quizzes stay in jupyterquiz's JSON format (``book/quizzes/<chapter>.json``); this
module renders them itself, as static HTML plus one small script, because
jupyterquiz's widgets fail readers: unlabelled number boxes with white-on-grey
text while typing, paste blocked, the answer erased on refocus, no visible
keyboard focus, arrow keys that submit, feedback in colour only.  Here:

- each question is a ``<fieldset>`` whose ``<legend>`` is the question;
- multiple choice: native radio buttons inside their labels (visible focus; arrow
  keys only move the selection; Space, Enter or a click checks the answer);
- numbers: a labelled text box (paste allowed, never erased), checked with Enter
  or the "Check" button; parsed like jupyterquiz (``−`` accepted), graded by the
  first matching entry (``value`` to ``precision`` significant figures, or
  ``range`` low ≤ x < high), else the ``default`` entry;
- feedback in words ("Right" / "Not quite" before the author's text) in a live
  region, as well as in colour.

The HTML needs no kernel and no network: it works in the static website and in
JupyterLab.  Math (``$…$``) is written as ``\\(…\\)`` for the page's MathJax, and every
feedback text is in the page from the start (hidden), so MathJax typesets it with
the rest (``mathjax_process``: myst-nb marks notebook pages ``mathjax_ignore``).
The class names (``Quiz``, ``MCButton``, ``Feedback``, ``Input-text``)
are jupyterquiz's, which ``tests/test_quizzes.py`` drives in the browser.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

__all__ = ["quiz_html"]

_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_FRACTION = re.compile(r"\\[dt]?frac\s*(\{[^{}]*\}|\w)\s*(\{[^{}]*\}|\w)")
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.S)


def _text(text: str) -> str:
    """Quiz text as HTML: escaped, ``$$…$$``/``$…$`` as MathJax's ``\\[…\\]``/``\\(…\\)``."""
    escaped = html.escape(str(text), quote=False)
    escaped = _DISPLAY_MATH.sub(lambda m: f"\\[{m.group(1)}\\]", escaped)
    return _INLINE_MATH.sub(lambda m: f"\\({m.group(1)}\\)", escaped)


def _spoken(text: str) -> str:
    """A plain-text reading of quiz text with TeX (``$\\sigma(z) - y$`` → ``sigma(z) - y``).

    The accessible name of an answer that is all math: a browser's accessibility
    tree does not always take a name from MathJax's output.
    """
    plain = _FRACTION.sub(lambda m: f"{m[1].strip('{}')}/{m[2].strip('{}')}", text)
    plain = re.sub(r"\\([A-Za-z]+)", r" \1 ", plain)
    plain = re.sub(r"\\[,;:! ]", " ", plain)
    plain = re.sub(r"[${}\\]", "", plain)
    return " ".join(plain.replace("\\", "").split())


def _feedback_blocks(answers: list[dict[str, Any]]) -> str:
    return "".join(
        f'<div class="sigmoidbook-quiz-fb" data-answer="{k}" hidden>'
        f"{_text(a.get('feedback', ''))}</div>"
        for k, a in enumerate(answers)
    )


def _choice_question(prefix: str, n: int, question: dict[str, Any]) -> str:
    name = f"{prefix}-q{n}"
    choices = "".join(
        f'<label class="MCButton" data-answer="{k}" '
        f'data-correct="{str(bool(a.get("correct"))).lower()}" '
        f'data-feedback="{html.escape(str(a.get("feedback", "")))}">'
        f'<input type="radio" name="{name}" value="{k}"{_math_name(a["answer"])}> '
        f"<span>{_text(a['answer'])}</span></label>"
        for k, a in enumerate(question["answers"])
    )
    return f'<div class="sigmoidbook-quiz-choices">{choices}</div>'


def _math_name(text: str) -> str:
    """An ``aria-label`` attribute for an answer with math (else nothing)."""
    if "$" not in str(text):
        return ""
    return f' aria-label="{html.escape(_spoken(str(text)), quote=True)}"'


def _numeric_question(prefix: str, n: int, question: dict[str, Any]) -> str:
    box = f"{prefix}-q{n}-answer"
    return (
        '<div class="sigmoidbook-quiz-number">'
        f'<label for="{box}">Your answer (a number)</label> '
        f'<input type="text" class="Input-text" id="{box}" inputmode="decimal" '
        'autocomplete="off" spellcheck="false"> '
        '<button type="button" class="sigmoidbook-quiz-check">Check</button></div>'
    )


def _question(prefix: str, n: int, question: dict[str, Any]) -> str:
    kind = question.get("type")
    if kind in ("multiple_choice", "many_choice"):
        body = _choice_question(prefix, n, question)
    elif kind == "numeric":
        body = _numeric_question(prefix, n, question)
    else:
        raise ValueError(f"question {n + 1}: unknown quiz question type {kind!r}")
    answers = [
        {key: a[key] for key in ("type", "value", "range", "correct") if key in a}
        for a in question["answers"]
    ]
    return (
        f'<fieldset class="Quiz sigmoidbook-quiz-question" data-type="{kind}" '
        f'data-precision="{int(question.get("precision") or 0)}" '
        f"data-answers='{html.escape(json.dumps(answers), quote=True)}'>"
        f'<legend><span class="sigmoidbook-quiz-number-label">Question {n + 1}. </span>'
        f"{_text(question['question'])}</legend>{body}"
        '<div class="sigmoidbook-quiz-result" role="status" aria-live="polite">'
        '<p class="sigmoidbook-quiz-verdict" hidden></p>'
        '<p class="Feedback" hidden></p></div>'
        f"{_feedback_blocks(question['answers'])}</fieldset>"
    )


def quiz_html(questions: list[dict[str, Any]], quiz_id: str) -> str:
    """The whole quiz: every question in order, the style and the script."""
    if not re.fullmatch(r"[A-Za-z][\w-]*", quiz_id):
        raise ValueError(
            f"quiz_id must be a letter then letters, digits, - or _: {quiz_id!r}"
        )
    body = "".join(_question(quiz_id, n, q) for n, q in enumerate(questions))
    return (
        f'<div class="sigmoidbook-quiz mathjax_process" id="{quiz_id}" '
        'data-shufflequestions="False">'
        f"<style>{QUIZ_CSS}</style>{body}<script>{QUIZ_JS}</script></div>"
    )


QUIZ_CSS = """
.sigmoidbook-quiz fieldset{border:1px solid #6b7280;border-radius:6px;margin:1rem 0;padding:.5rem 1rem 1rem}
.sigmoidbook-quiz legend{font-weight:600;padding:0 .25rem;float:none;width:auto;font-size:1rem}
.sigmoidbook-quiz .MCButton{display:flex;gap:.5rem;align-items:baseline;margin:.35rem 0;padding:.4rem .6rem;
 border:1px solid #9ca3af;border-radius:4px;cursor:pointer;font-weight:400}
.sigmoidbook-quiz .MCButton:focus-within{outline:3px solid #0b5cad;outline-offset:2px}
.sigmoidbook-quiz input{accent-color:#0b5cad}
.sigmoidbook-quiz input[type=text]{color:#111;background:#fff;border:1px solid #374151;border-radius:4px;
 padding:.3rem .5rem;font-size:1rem;width:12rem;max-width:100%}
.sigmoidbook-quiz input[type=text]:focus-visible,.sigmoidbook-quiz button:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}
.sigmoidbook-quiz button{color:#fff;background:#0b5cad;border:0;border-radius:4px;padding:.3rem .9rem;font-size:1rem}
.sigmoidbook-quiz .sigmoidbook-quiz-verdict{margin:.6rem 0 0;font-weight:700;color:#111}
html[data-theme=dark] .sigmoidbook-quiz .sigmoidbook-quiz-verdict{color:#f9fafb}
.sigmoidbook-quiz .Feedback{margin:.2rem 0 0;padding:.4rem .6rem;border-left:5px solid #6b7280;color:#111;background:#f3f4f6}
.sigmoidbook-quiz .Feedback.correct{border-color:#047857;background:#ecfdf5}
.sigmoidbook-quiz .Feedback.incorrect{border-color:#b45309;background:#fff7ed}
.sigmoidbook-quiz .MCButton.correct{border-color:#047857;border-width:2px}
.sigmoidbook-quiz .MCButton.incorrect{border-color:#b45309;border-width:2px}
html[data-theme=dark] .sigmoidbook-quiz .Feedback{color:#f9fafb;background:#1f2937}
@media print{.sigmoidbook-quiz .Feedback,.sigmoidbook-quiz-verdict,.sigmoidbook-quiz button{display:none!important}}
"""

QUIZ_JS = r"""
(function () {
  "use strict";
  var root = document.currentScript && document.currentScript.parentElement;
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var toNumber = function (text) {
    var t = String(text).trim().replace(/\u2212/g, "-").replace(/\s+/g, "");
    return t === "" || isNaN(Number(t)) ? null : Number(t);
  };
  var matches = function (a, x, precision) {
    if ("value" in a) {
      return precision ? Number(x.toPrecision(precision)) === Number(Number(a.value).toPrecision(precision)) : x === a.value;
    }
    if ("range" in a) return a.range[0] <= x && x < a.range[1];
    return false;
  };
  var show = function (q, k, correct, note) {
    var fb = q.querySelector(".Feedback");
    var verdict = q.querySelector(".sigmoidbook-quiz-verdict");
    var block = k === null ? null : q.querySelector('.sigmoidbook-quiz-fb[data-answer="' + k + '"]');
    [fb, verdict].forEach(function (el) {
      el.classList.remove("correct", "incorrect");
      el.classList.add(correct ? "correct" : "incorrect");
      el.hidden = false;
    });
    verdict.textContent = correct ? "\u2713 Right" : "\u2717 Not quite";
    fb.innerHTML = block ? block.innerHTML : note;
  };
  root.querySelectorAll("fieldset.Quiz").forEach(function (q) {
    var answers = JSON.parse(q.dataset.answers);
    var precision = Number(q.dataset.precision) || 0;
    if (q.dataset.type === "numeric") {
      var box = q.querySelector("input.Input-text");
      var check = function () {
        var x = toNumber(box.value);
        if (x === null) { show(q, null, false, "Type a number, for example 0.25 or \u22123."); return; }
        var k = answers.findIndex(function (a) { return a.type !== "default" && matches(a, x, precision); });
        if (k < 0) k = answers.findIndex(function (a) { return a.type === "default"; });
        show(q, k < 0 ? null : k, k >= 0 && Boolean(answers[k].correct), "That is not one of the expected answers.");
      };
      box.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); check(); } });
      q.querySelector("button.sigmoidbook-quiz-check").addEventListener("click", check);
      return;
    }
    var arrowAt = -1e9;  // arrow keys only move the selection: no check within 150 ms
    var byArrow = function () { return Date.now() - arrowAt < 150; };
    var choose = function (label) {
      q.querySelectorAll(".MCButton").forEach(function (l) { l.classList.remove("correct", "incorrect"); });
      var correct = label.dataset.correct === "true";
      label.classList.add(correct ? "correct" : "incorrect");
      show(q, Number(label.dataset.answer), correct);
    };
    q.querySelectorAll(".MCButton").forEach(function (label) {
      var radio = label.querySelector("input");
      radio.addEventListener("keydown", function (e) {
        if (/^Arrow/.test(e.key)) arrowAt = Date.now();
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); radio.checked = true; choose(label); }
      });
      radio.addEventListener("change", function () { if (!byArrow()) choose(label); });
      // A click on the answer already selected checks it again.
      radio.addEventListener("click", function () { if (!byArrow() && radio.checked) choose(label); });
    });
  });
})();
"""
