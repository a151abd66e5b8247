"""Catching a submission that games otter's verdict inside its own kernel.

otter runs the tests in the student's kernel, after the student's code, so an answer
cell can replace the test runner (``otter.test_files.ok_test.run_doctest``), rewrite the
test files or forge ``results.json``.  Nothing computed in that kernel can be trusted;
what this module adds is a way to *notice*:

* :func:`disguise_autograder` writes the copy of the autograder that a sandboxed run
  uses, with every test renamed to a random token and **canary** tests added: copies
  of a real test (same code, same points, same look) plus one line that is false in
  any honest run (``0.1 + 0.2 == 0.3`` in floating point).  The submission does not
  see the question names; the canaries run after the real tests (a canary re-runs a
  test's code, which may change state), so a submission that counts its questions
  can tell them apart by their order.
* :func:`read_results` maps the tokens back to questions in the trusted process, caps
  every score at the instructor's points, and reports as *tampering* any passed
  canary, unknown test, or score above what is possible.
"""

from __future__ import annotations

import copy
import pprint
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

#: Appended to every case of a canary: false in IEEE floating point.
CANARY_LINE = ">>> assert 0.1 + 0.2 == 0.3, 'floating-point sum'\n"
N_CANARIES = 2
_TEST_FILE = re.compile(r"tests/[^/]+\.py")


def _load_test(source: str) -> dict | None:
    """The ``test`` dict of an OK-format test file (instructor's file), else None."""
    namespace: dict = {}
    exec(compile(source, "<test>", "exec"), namespace)
    if not namespace.get("OK_FORMAT"):
        return None
    return namespace["test"]


def _write_test(test: dict) -> str:
    return f"OK_FORMAT = True\n\ntest = {pprint.pformat(test, indent=4)}\n"


def _canary(test: dict, token: str) -> dict:
    canary = copy.deepcopy(test)
    canary["name"] = token
    for suite in canary.get("suites", []):
        for case in suite.get("cases", []):
            case["code"] = case["code"].rstrip("\n") + "\n" + CANARY_LINE
    return canary


def _token() -> str:
    return "t" + secrets.token_hex(6)


def disguise_autograder(
    src: Path, dest: Path, only: set[str] | None = None
) -> dict[str, str | None]:
    """Copy autograder ``src`` to ``dest`` with renamed tests and canaries.

    ``only``: the questions whose tests go into the copy (default: all; the others are
    graded by the trusted verdict and never enter the sandbox).  Returns ``{token:
    question}`` (``None`` for a canary).  An autograder whose tests are not all in
    otter's OK format is copied unchanged (returns ``{}``: no check).
    """
    with zipfile.ZipFile(src) as zf:
        infos = zf.infolist()
        tests = {
            i.filename: _load_test(zf.read(i).decode())
            for i in infos
            if _TEST_FILE.fullmatch(i.filename)
        }
        if not tests or any(t is None for t in tests.values()):
            dest.write_bytes(Path(src).read_bytes())
            return {}
        skipped = {
            f for f, t in tests.items() if only is not None and t["name"] not in only
        }
        tests = {f: t for f, t in tests.items() if f not in skipped}
        mapping: dict[str, str | None] = {}
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
            for info in infos:
                if info.filename not in tests and info.filename not in skipped:
                    out.writestr(info.filename, zf.read(info))
            # otter runs tests/*.py in name order: sorted tokens keep the instructor's
            # order, and the canaries (which re-run a test's code) come after them all
            tokens = sorted(_token() for _ in range(len(tests) + N_CANARIES))
            renamed = []
            for token, (_, test) in zip(tokens, sorted(tests.items()), strict=False):
                mapping[token] = test["name"]
                renamed.append((token, {**test, "name": token}))
            model = min(tests.values(), key=lambda t: len(repr(t)))
            for token in tokens[len(tests) :]:
                mapping[token] = None
                renamed.append((token, _canary(model, token)))
            for token, test in sorted(renamed):
                out.writestr(f"tests/{token}.py", _write_test(test))
    return mapping


@dataclass
class Verdict:
    """Scores read from a sandboxed run's ``results.json``, and what looked wrong."""

    scores: dict[str, float] = field(default_factory=dict)
    tampering: list[str] = field(default_factory=list)


def read_results(
    results: dict, mapping: dict[str, str | None], possible: dict[str, float]
) -> Verdict:
    """Scores per question from otter's results (plain JSON), never above ``possible``."""
    verdict = Verdict()
    for test in results.get("tests", []):
        name = test.get("name")
        if "score" not in test or name == "Public Tests":
            continue
        try:
            score = float(test["score"])
        except (TypeError, ValueError):
            verdict.tampering.append(f"test {name!r} has a non-numeric score")
            continue
        question = mapping.get(name, name) if mapping else name
        if mapping and name in mapping and question is None:
            if score > 0:
                verdict.tampering.append(
                    "a canary test that fails in every honest run passed: the test "
                    "runner or the test files were changed"
                )
            continue
        if question not in possible:
            verdict.tampering.append(f"result for an unknown test {name!r}")
            continue
        if not 0 <= score <= possible[question]:
            verdict.tampering.append(
                f"{question}: score {score:g} outside 0..{possible[question]:g}"
            )
            score = min(max(score, 0.0), possible[question])
        verdict.scores[question] = score
    verdict.tampering = sorted(set(verdict.tampering))
    return verdict
