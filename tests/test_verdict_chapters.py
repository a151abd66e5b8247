"""The tamper suite over chapters 2-6, cheaply: one combined cheat per chapter.

``test_grading_safety.py`` tries every cheat alone on chapter 1.  Here, for each other
chapter, ONE submission built from that chapter's *current* student release (exercise
slice, as ``test_coursework_chapters.py`` grades it) carries them all in its first
answer cell, nothing answered: it replaces otter's doctest runner, rewrites the test
files next to the notebook, installs the canary-aware fake runner, forges the hand-over
on every open file descriptor and writes its own ``results.json``, and finally makes
``float``/``abs``/``isinstance`` and ``numpy.isclose``/``allclose`` always true.  It
must score exactly 0 with every question's verdict trusted, leave the autograder
byte-for-byte unchanged, and the blank notebook graded right after it must score 0
with no flag (a cheat that poisoned the grader for the next submission would show
there; ``test_grading_safety.py`` grades honest answers after each cheat on chapter 1,
and ``test_coursework_chapters.py`` grades every chapter's solutions to full marks).  The releases are assigned once per session
(:func:`coursework_releases.assigned_releases`); the calibration of each chapter is
cached on disk (:mod:`coursework.verdict_plan`), so it is shared with the chapter
tests.
"""

from __future__ import annotations

import hashlib

import nbformat
import pytest
from coursework_releases import MASTERS, assigned_releases, sliced_template
from test_grading_safety import BUILTINS, CANARY_AWARE, FORGE, RUNNER, TESTS

import coursework
from coursework.submission import ANSWER_TAG

#: every chapter but chapter 1 (``test_grading_safety.py``)
STEMS = [m.stem for m in MASTERS if not m.stem.startswith("ch1_")]


def _guarded(source: str) -> str:
    """``source`` so that its failure does not stop the cheats after it."""
    body = "".join(f"    {line}\n" for line in source.splitlines())
    return f"try:\n{body}except Exception as _e:\n    print('cheat failed:', _e)\n"


def combined_cheat(loot: str) -> str:
    parts = [RUNNER, TESTS, CANARY_AWARE, FORGE.format(loot=loot), BUILTINS]
    return "\n".join(_guarded(p) for p in parts)


@pytest.fixture(scope="module", params=STEMS)
def chapter(request, tmp_path_factory):
    """(cheat grade, blank grade, possible, autograder hashes) of one chapter."""
    stem = request.param
    assigned = assigned_releases(tmp_path_factory, stems=[stem])[stem]
    assert assigned.release is not None, assigned.error
    release = assigned.release
    work = tmp_path_factory.mktemp(f"tamper-{stem}")
    template = sliced_template(assigned, work / "template")
    blank = work / "blank" / template.name
    blank.parent.mkdir()
    blank.write_bytes(template.read_bytes())
    nb = nbformat.read(template, as_version=4)
    first = next(c for c in nb.cells if ANSWER_TAG in c.metadata.get("tags", []))
    first.source = combined_cheat(str(work / "loot"))
    cheat = work / "cheat" / template.name
    cheat.parent.mkdir()
    nbformat.write(nb, cheat)
    before = hashlib.sha256(release.autograder_zip.read_bytes()).hexdigest()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSEWORK_SANDBOX", "require")
        cheat_grade, honest = coursework.grade_all(
            [cheat, blank],
            release.autograder_zip,
            jobs=1,
            timeout=900,
            template=template,
        )
    after = hashlib.sha256(release.autograder_zip.read_bytes()).hexdigest()
    possible = coursework.autograder_questions(release.autograder_zip)
    return cheat_grade, honest, possible, (before, after)


def test_the_combined_cheat_scores_zero_with_a_trusted_verdict(chapter):
    cheat, _, possible, _ = chapter
    assert not cheat.error, cheat.error
    assert cheat.scores == dict.fromkeys(possible, 0.0), cheat.flags
    # (no flag to expect: the forged hand-over, read first, carries an empty audit)
    assert set(cheat.verdicts.values()) == {"trusted"}, cheat.verdicts


def test_the_autograder_is_unchanged_and_the_next_blank_scores_zero(chapter):
    _, blank, possible, (before, after) = chapter
    assert before == after
    assert not blank.error, blank.error
    assert blank.scores == dict.fromkeys(possible, 0.0), blank.messages
    assert not blank.flags, blank.flags
