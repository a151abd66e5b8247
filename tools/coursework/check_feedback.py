"""Short feedback from ``grader.check``: which test failed and why, not a doctest log.

Shipped beside every student notebook (``assign`` copies this file into the release)
and used by its first cell::

    from check_feedback import short_checks
    grader = short_checks(otter.Notebook(...))

A student notebook downloaded alone has no file beside it: its first cell then imports
this module as ``coursework.check_feedback`` (installed with the book's package, which
the chapter needs anyway), and without that keeps otter's own messages.

``grader.check("q1")`` then shows ``q1: passed`` or, per failing test case, its
assertion message (``not answered yet``, ``sigma(0) should be 0.5``) and the
question's hint (the test's ``failure_message``), instead of otter's transcript of
every doctest line.  The full otter result stays available as ``.result``.

Standard library only: it runs in the student's Jupyter, with whatever otter version
is installed; anything unexpected falls back to otter's own display.
"""

from __future__ import annotations

import html
import re

_ERROR = re.compile(r"^\s*(?:[\w.]+\.)?(\w*(?:Error|Exception|Exit)\b.*)$")
#: Longest assertion message shown (a failing test can print a whole array).
_MAX_CHARS = 300


#: What a chapter's public test says about a blank answer; shown whenever present.
NOT_ANSWERED = "not answered yet"


def _why(message: str) -> str:
    """The reason a doctest transcript failed, in one line.

    "not answered yet" when any failing line says so (a blank answer makes later
    lines crash too); otherwise the *first* ``SomethingError: ...`` line: doctest
    runs on after a failure, so later errors are knock-on effects of the first.
    """
    lines = [
        m.group(1)
        for line in (message or "").splitlines()
        if (m := _ERROR.match(line)) and line.strip() != "Exception raised:"
    ]
    if not lines:
        return "the test failed"
    blank = [line for line in lines if NOT_ANSWERED in line]
    why = blank[0] if blank else lines[0]
    why = re.sub(r"^AssertionError: ?", "", why) or "a check failed"
    return why if len(why) <= _MAX_CHARS else why[: _MAX_CHARS - 1] + "…"


def summary_lines(result) -> list[str]:
    """What a student reads about one otter ``TestFile`` result."""
    if result.passed_all:
        return [f"{result.name}: passed"]
    lines = [f"{result.name}: not passed yet"]
    for tcr in result.test_case_results:
        if tcr.passed:
            continue
        case = tcr.test_case
        lines.append(f"  {case.name}: {_why(tcr.message)}")
        hint = case.failure_message
        if hint and hint not in lines[-1]:
            lines.append(f"    hint: {hint}")
    return lines


class ShortResult:
    """An otter result that displays as :func:`summary_lines` (attributes pass through)."""

    def __init__(self, result):
        self.result = result

    def __getattr__(self, name):
        return getattr(self.result, name)

    def __repr__(self) -> str:
        try:
            return "\n".join(summary_lines(self.result))
        except Exception:  # an otter version with other fields: its own display
            return repr(self.result)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(repr(self))}</pre>"


class _ShortChecks:
    def __init__(self, grader):
        self._grader = grader

    def __getattr__(self, name):
        return getattr(self._grader, name)

    def check(self, question, global_env=None):
        if global_env is None:
            import inspect

            global_env = inspect.currentframe().f_back.f_globals
        return ShortResult(self._grader.check(question, global_env=global_env))


def short_checks(grader):
    """``grader`` (an ``otter.Notebook``) whose ``check`` gives short feedback."""
    return _ShortChecks(grader)
