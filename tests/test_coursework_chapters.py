"""Coursework on every chapter master in book/: assign, grade, and the website.

For every master: ``otter assign`` succeeds, the solutions score full marks, the
untouched student notebook scores 0 on every question, no solution line reaches the
student notebook, and the built website exposes no hidden test.

The tamper suite over chapters 2-6, cheaply (``test_grading_safety.py`` tries every
cheat alone on chapter 1): ONE submission per chapter carries every cheat in its first
answer cell, nothing answered: it replaces otter's doctest runner, rewrites the test
files next to the notebook, installs the canary-aware fake runner, forges the
hand-over on every open file descriptor and writes its own ``results.json``, and
finally makes ``float``/``abs``/``isinstance`` and ``numpy.isclose``/``allclose``
always true.  It is graded between the solutions and the untouched notebook (one
after the other, sandbox required), and must score exactly 0 with every question's
verdict trusted, leave the autograder byte-for-byte unchanged, and the untouched
notebook graded right after it (the zero-marks grading above) must score 0 with no
flag: a cheat that poisoned the grader for the next submission would show there.

Cost control (``make test`` must stay under 10 minutes on 2 cores; the MNIST
chapter trains for minutes): chapters are graded on their *exercise slice* (the code
cells tagged ``exercise-setup`` plus everything from the first question on;
:func:`coursework.outside_slice` names the cells left out), all gradings of the session
run two at a time, and only if a slice fails to reproduce full marks / zero marks is
the full notebook graded (with a warning that names the chapter).  A slice can only
make grading *fail* spuriously, never pass: the fall-back makes the full notebook the
judge.  The tests of the machinery itself are in ``test_coursework.py``, the tamper
suite in ``test_grading_safety.py``.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import html
import re
import warnings
from pathlib import Path

import nbformat
import pytest
from coursework_releases import (
    GOOD_MASTER,
    MASTERS,
    Assigned,
    assigned_releases,
    sliced_template,
)
from test_grading_safety import BUILTINS, CANARY_AWARE, FORGE, RUNNER, TESTS

import coursework
from coursework import markers
from coursework.submission import ANSWER_TAG

#: the chapters graded with the combined cheat: all but chapter 1
#: (``test_grading_safety.py``)
CHEAT_MASTERS = [m for m in MASTERS if not m.stem.startswith("ch1_")]

# =========================================================================== chapters


class ChapterResult:
    """Assign + grade outcome of one chapter master (filled by ``chapter_results``)."""

    def __init__(self, master: Path):
        self.master = master
        self.release = None
        self.error = ""
        self.full = self.zero = None
        self.notes: list[str] = []
        #: the combined cheat's grade, the exercise slice's blank graded right after
        #: it, and the autograder's sha256 before and after (chapters 2-6)
        self.cheat = self.blank_after_cheat = None
        self.hashes: tuple[str, str] | None = None


def _guarded(source: str) -> str:
    """``source`` so that its failure does not stop the cheats after it."""
    body = "".join(f"    {line}\n" for line in source.splitlines())
    return f"try:\n{body}except Exception as _e:\n    print('cheat failed:', _e)\n"


def combined_cheat(loot: str) -> str:
    parts = [RUNNER, TESTS, CANARY_AWARE, FORGE.format(loot=loot), BUILTINS]
    return "\n".join(_guarded(p) for p in parts)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_with_cheat(r: ChapterResult, assigned: Assigned, work: Path):
    """``coursework.verify`` on the exercise slice with the combined cheat graded
    between the solutions and the blank (one at a time); fills ``r``'s cheat fields."""
    release = assigned.release
    template = sliced_template(assigned, work / "template")
    name = template.name
    solution = coursework.drop_cells(
        release.autograder_notebook, assigned.drop_ids, work / "solution" / name
    )
    blank = work / "blank" / name
    blank.parent.mkdir()
    blank.write_bytes(template.read_bytes())
    nb = nbformat.read(template, as_version=4)
    first = next(c for c in nb.cells if ANSWER_TAG in c.metadata.get("tags", []))
    first.source = combined_cheat(str(work / "loot"))
    cheat = work / "cheat" / name
    cheat.parent.mkdir()
    nbformat.write(nb, cheat)
    before = _sha256(release.autograder_zip)
    full, r.cheat, zero = coursework.grade_all(
        [solution, cheat, blank], release.autograder_zip, 1, 1800, template=template
    )
    r.hashes, r.blank_after_cheat = (before, _sha256(release.autograder_zip)), zero
    for which, g in (("solutions", full), ("untouched student notebook", zero)):
        if g.error:  # as coursework.verify
            raise coursework.CourseworkError(
                f"{release.master.name}: grading the {which} failed: {g.error}"
            )
    return full, zero


@pytest.fixture(scope="session")
def chapter_results(tmp_path_factory) -> dict[str, ChapterResult]:
    """Grade solutions and blanks of every chapter's release (and the cheat of
    chapters 2-6 between them), two chapters at a time, sandbox required."""
    assigned = assigned_releases(tmp_path_factory)
    results = {m.stem: ChapterResult(m) for m in MASTERS}
    for stem, r in results.items():
        r.release, r.error = assigned[stem].release, assigned[stem].error
    drops = {stem: a.drop_ids for stem, a in assigned.items() if a.release is not None}
    cheats = {m.stem for m in CHEAT_MASTERS}

    def grade(r: ChapterResult) -> None:
        stem = r.master.stem
        drop = drops[stem]
        try:
            if stem in cheats:
                work = tmp_path_factory.mktemp(f"tamper-{stem}")
                full, zero = verify_with_cheat(r, assigned[stem], work)
            else:
                full, zero = coursework.verify(r.release, drop_ids=drop, jobs=1)
            problems = coursework.verification_problems(r.release, full, zero)
        except coursework.CourseworkError as err:
            if not drop:
                raise
            problems = [str(err)]
        if drop and problems:
            r.notes.append(
                f"{r.master.name}: the exercise slice (without the {len(drop)} code "
                "cells before the exercises not tagged exercise-setup) did not reproduce "
                f"full/zero marks ({problems[0]}); graded the whole notebook instead. "
                "Tag exercise-setup "
                "every cell the exercises need (and re-seed inside the exercise) to keep "
                "this fast."
            )
            full, zero = coursework.verify(r.release, jobs=1)
        r.full, r.zero = full, zero

    todo = [r for r in results.values() if r.release is not None]
    with (
        pytest.MonkeyPatch.context() as mp,
        concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool,
    ):
        mp.setenv("COURSEWORK_SANDBOX", "require")  # the cheats run sandboxed or not
        for r, future in [(r, pool.submit(grade, r)) for r in todo]:
            try:
                future.result()
            except coursework.CourseworkError as err:
                r.error = str(err)
    return results


def _chapter(chapter_results, master: Path) -> ChapterResult:
    r = chapter_results[master.stem]
    for note in r.notes:
        warnings.warn(note, stacklevel=2)
    return r


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_master_is_valid(master):
    assert coursework.validate_master(master) == []


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_master_website_tags(master):
    """Solution cells show behind a toggle (``hide-input``); test cells are not shown (``remove-cell``)."""
    nb = nbformat.read(master, as_version=4)
    problems = []
    for q in coursework.parse_questions(nb):
        for i in q.solution_cells:
            if nb.cells[i].cell_type == "code" and "hide-input" not in nb.cells[
                i
            ].metadata.get("tags", []):
                problems.append(f"{q.name}: solution cell {i} needs the tag hide-input")
        for i, _ in q.test_cells:
            if "remove-cell" not in nb.cells[i].metadata.get("tags", []):
                problems.append(f"{q.name}: test cell {i} needs the tag remove-cell")
    assert not problems, f"{master.name}: " + "; ".join(problems)


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_assign_succeeds_without_leaks(chapter_results, master):
    r = _chapter(chapter_results, master)
    assert r.release is not None, r.error
    assert r.release.student_notebook.is_file() and r.release.autograder_zip.is_file()
    assert coursework.find_leaks(master, r.release.student_notebook.parent) == []


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_solutions_score_full_marks(chapter_results, master):
    r = _chapter(chapter_results, master)
    assert not r.error, r.error
    expected = coursework.autograder_questions(r.release.autograder_zip)
    assert expected, "no graded question"
    assert r.full.scores == expected, (
        f"solutions of {master.name} score {r.full.scores}, expected {expected}"
    )


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_chapter_untouched_student_notebook_scores_zero(chapter_results, master):
    r = _chapter(chapter_results, master)
    assert not r.error, r.error
    nonzero = {q: s for q, s in r.zero.scores.items() if s}
    assert not nonzero, (
        f"the untouched student notebook of {master.name} scores {nonzero}: a solution "
        "leaked (cell without markers?) or a test passes without an answer"
    )
    assert set(r.zero.scores) == set(
        coursework.autograder_questions(r.release.autograder_zip)
    )


@pytest.mark.parametrize("master", CHEAT_MASTERS, ids=[m.stem for m in CHEAT_MASTERS])
def test_the_combined_cheat_scores_zero_with_a_trusted_verdict(chapter_results, master):
    r = _chapter(chapter_results, master)
    assert r.cheat is not None, r.error or "the cheat was not graded"
    assert not r.cheat.error, r.cheat.error
    possible = coursework.autograder_questions(r.release.autograder_zip)
    assert r.cheat.scores == dict.fromkeys(possible, 0.0), r.cheat.flags
    # (no flag to expect: the forged hand-over, read first, carries an empty audit)
    assert set(r.cheat.verdicts.values()) == {"trusted"}, r.cheat.verdicts


@pytest.mark.parametrize("master", CHEAT_MASTERS, ids=[m.stem for m in CHEAT_MASTERS])
def test_the_autograder_is_unchanged_and_the_next_blank_scores_zero(
    chapter_results, master
):
    r = _chapter(chapter_results, master)
    assert r.hashes is not None, r.error or "the cheat was not graded"
    before, after = r.hashes
    assert before == after
    blank = r.blank_after_cheat
    assert not blank.error, blank.error
    possible = coursework.autograder_questions(r.release.autograder_zip)
    assert blank.scores == dict.fromkeys(possible, 0.0), blank.messages
    assert not blank.flags, blank.flags


# =========================================================================== website


def _normalised_lines(source: str) -> list[str]:
    return [" ".join(line.split()) for line in source.splitlines()]


def _hidden_test_needles(masters: list[Path]) -> dict[str, str]:
    """``{line: master name}``: distinctive lines of the masters' hidden tests.

    A needle appears in no other cell of any of ``masters`` (not even inside a longer
    line) and is not a fragment that only opens a bracket (``assert np.allclose(``),
    which visible code may share.
    """
    hidden, elsewhere = {}, set()
    for master in masters:
        nb = nbformat.read(master, as_version=4)
        questions = coursework.parse_questions(nb)
        indices = {i for q in questions for i, h in q.test_cells if h}
        for i, cell in enumerate(nb.cells):
            if i in indices:
                hidden[(master.name, i)] = markers.test_body(cell.source)
            else:
                elsewhere.update(_normalised_lines(cell.source))
    # A hidden line that is part of a visible one (the public test's ``assert …, (``
    # with its message) gives nothing away, and is found inside the visible one.
    visible = "\n".join(elsewhere)
    return {
        text: name
        for (name, _), body in sorted(hidden.items())
        for text in _normalised_lines(body)
        if len(text) >= 12
        and not text.startswith(("import ", "from ", "#"))
        and not text.endswith(("(", "[", "{"))
        and text not in visible
    }


def _site_texts(html_dir: Path):
    """(file, searchable text) for every text file of the site; HTML reduced to its text."""
    for path in sorted(html_dir.rglob("*")):
        if not path.is_file() or path.suffix not in {
            ".html",
            ".js",
            ".json",
            ".txt",
            ".ipynb",
            ".py",
            ".md",
            ".inv",
        }:
            continue
        if "_static" in path.parts and path.suffix == ".js":
            continue  # theme and library code
        raw = path.read_text(errors="replace")
        text = (
            html.unescape(re.sub(r"<[^>]+>", "", raw))
            if path.suffix == ".html"
            else raw
        )
        yield path, " ".join(text.split()), raw


def site_exposures(
    html_dir: Path, needles: dict[str, str]
) -> tuple[list[str], list[str]]:
    """(hidden-test lines found in the site, pages whose download menu offers the source)."""
    exposed, dead_downloads = [], []
    for path, text, raw in _site_texts(html_dir):
        exposed += [
            f"{path.relative_to(html_dir)}: {needle} (hidden test of {m})"
            for needle, m in needles.items()
            if needle in text
        ]
        if path.suffix == ".html" and re.search(
            r"btn-download-(source|notebook)-button|href=\"[./]*_sources/", raw
        ):
            dead_downloads.append(str(path.relative_to(html_dir)))
    return exposed, dead_downloads


def test_site_exposure_check_finds_a_shown_test(tmp_path):
    """A test cell rendered as highlighted code (tag forgotten) or a source download is found."""
    needles = _hidden_test_needles([GOOD_MASTER])
    assert (
        'assert sigma_prime_max == 0.25, "the maximum of sigmoid\'s derivative is 1/4, at x = 0"'
        in needles
    )
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "page.html").write_text(
        '<pre><span class="k">assert</span> <span class="n">sigma_prime_max</span> <span class="o">==</span> '
        '<span class="mf">0.25</span><span class="p">,</span> <span class="s2">&quot;the maximum of '
        "sigmoid&#39;s derivative is 1/4, at x = 0&quot;</span></pre>"
        '<a href="../_sources/book/page.ipynb" class="btn-download-source-button">.ipynb</a>'
    )
    exposed, dead = site_exposures(tmp_path, needles)
    assert len(exposed) == 1 and dead == ["book/page.html"]


def test_site_exposes_no_hidden_test(built_site):
    html_dir, returncode, log = built_site
    assert returncode == 0, "the site did not build (see test_site_build.py)"
    assert not (html_dir / "_sources").exists(), (
        "_sources/ would serve the masters (html_copy_source)"
    )
    # The only notebooks served are the student releases (no solutions, no hidden
    # tests: the scan below reads them too).
    student = {html_dir / "downloads" / "student" / f"{m.stem}.ipynb" for m in MASTERS}
    served = set(html_dir.rglob("*.ipynb"))
    assert served <= student, (
        "the site serves notebooks other than the student releases: "
        + ", ".join(str(p.relative_to(html_dir)) for p in sorted(served - student))
    )
    needles = _hidden_test_needles(MASTERS)
    exposed, dead_downloads = site_exposures(html_dir, needles)
    assert not exposed, "hidden tests reachable from the site:\n" + "\n".join(exposed)
    assert not dead_downloads, (
        f"download buttons offer the source notebook: {dead_downloads}"
    )


@pytest.mark.parametrize("master", MASTERS, ids=[m.stem for m in MASTERS])
def test_site_shows_solutions_behind_a_toggle(built_site, master):
    html_dir = built_site[0]
    page = next(html_dir.rglob(f"{master.stem}.html"), None)
    assert page is not None, f"{master.stem}.html not built (is it in _toc.yml?)"
    raw = page.read_text()
    nb = nbformat.read(master, as_version=4)
    n_solutions = sum(
        1
        for q in coursework.parse_questions(nb)
        for i in q.solution_cells
        if nb.cells[i].cell_type == "code"
    )
    assert (
        raw.count('<p class="collapsed admonition-title">Show solution</p>')
        == n_solutions
    )
    text = html.unescape(re.sub(r"<[^>]+>", "", raw))
    assert "# BEGIN SOLUTION" not in text and "# END SOLUTION" not in text
