"""The tamper suite: submissions that try to game grading score exactly their honest score.

Every cheat is built from the *current* student release of chapter 1 (the fastest
chapter, graded on its exercise slice, like ``test_coursework_chapters.py``), one cheat
in one answer cell each.  Chapter 1's questions all have a *trusted* verdict (the tests
run in a separate process on the values the sandbox hands over), so no test file ever
enters the sandbox:

* ``runner``: replaces otter's doctest runner (``run_doctest = lambda ...: (True, "")``)
  and answers one question correctly: must score that question only, flagged;
* ``canary_aware``: replaces the runner so that it passes every test except the two that
  sort last (the canaries of the in-kernel path): scores 0;
* ``builtins``: replaces ``float``, ``abs``, ``isinstance`` and ``numpy.isclose`` /
  ``allclose`` by always-true versions: scores 0, flagged;
* ``forge``: writes a forged hand-over (full scores, fake values) to every open file
  descriptor, prints fake markers and writes its own ``results.json``: scores 0;
* ``srepr``: makes ``sp.srepr`` return code that, if the trusted side ever ``eval``-ed
  or ``sympify``-ed it, would write a file on the grading machine: scores 0, no file;
* ``tests``: rewrites every ``tests/*.py`` next to the notebook to pass, worth 1000
  points each;
* ``package``: a zip shipping its own ``sigmoidbook/`` whose import patches otter;
* ``autograder``: overwrites every ``.zip`` named on the command line of its parent
  processes (``/proc/<pid>/cmdline``) and the instructor's autograder by its path;
* ``loot``: copies the tests out of the grading folder (to the submissions folder and
  ``/tmp``) and leaves a process running: flagged.

Each must score its honest score, the instructor's autograder must stay byte-for-byte
the same, honest submissions graded afterwards get their honest scores, nothing is
copied out and no process is left running.  The sandbox is required here
(``COURSEWORK_SANDBOX=require``): ``.ci/run`` installs Debian's ``bubblewrap``.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import nbformat
import pytest
from coursework_releases import assigned_releases

import coursework
from coursework.submission import ANSWER_TAG

REPO_ROOT = Path(__file__).resolve().parent.parent
CH1 = REPO_ROOT / "book" / "ch1_sigmoid_derivative.ipynb"
MARKER = "coursework-tamper-suite-sleeper"

RUNNER = (
    "import otter.test_files.ok_test as _t\n"
    "_t.run_doctest = lambda *a, **k: (True, '')\n"
)
TESTS = """\
import glob, os
for _f in glob.glob(os.path.join(os.getcwd(), "tests", "*.py")):
    _ns = {}
    exec(open(_f).read(), _ns)
    _name = _ns["test"]["name"]
    open(_f, "w").write(
        "OK_FORMAT = True\\ntest = {'name': %r, 'points': 1000, 'suites': [{'cases': "
        "[{'code': '>>> _ = 1', 'hidden': False, 'locked': False}], 'scored': True, "
        "'setup': '', 'teardown': '', 'type': 'doctest'}]}\\n" % _name
    )
"""
AUTOGRADER = """\
import os, zipfile
_targets = [{instructor!r}]
_pid = os.getpid()
while _pid > 1:
    try:
        _args = open(f"/proc/{{_pid}}/cmdline", "rb").read().split(b"\\0")
        _cwd = os.readlink(f"/proc/{{_pid}}/cwd")
        _pid = int(open(f"/proc/{{_pid}}/stat").read().split(")")[1].split()[1])
    except (OSError, ValueError):
        break
    _targets += [os.path.join(_cwd, a.decode()) for a in _args if a.endswith(b".zip")]
for _t in _targets:
    try:
        with zipfile.ZipFile(_t, "a") as _z:
            _z.writestr("tests/zz_forged.py", "OK_FORMAT = True\\ntest = {{}}\\n")
        print("rewrote", _t)
    except Exception as _e:
        print("could not rewrite", _t, _e)
"""
LOOT = """\
import glob, os, shutil, subprocess, sys
for _dest in ({loot!r}, "/tmp/coursework-loot"):
    try:
        os.makedirs(_dest, exist_ok=True)
        for _f in glob.glob(os.path.join(os.getcwd(), "tests", "*.py")):
            shutil.copy(_f, _dest)
    except OSError as _e:
        print("could not copy to", _dest, _e)
subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(600)", {marker!r}],
    start_new_session=True,
)
"""
PACKAGE_INIT = RUNNER
CANARY_AWARE = """\
import glob, os
import otter.test_files.ok_test as _t
_names = sorted(os.path.basename(f)[:-3] for f in glob.glob("tests/*.py"))
_canaries = set(_names[-2:])
_original = _t.run_doctest
def _fake(name, doctest_string, env):
    if name.split()[0] in _canaries:
        return _original(name, doctest_string, env)
    return True, ""
_t.run_doctest = _fake
"""
BUILTINS = """\
import builtins, numpy
class _Yes(float):
    def __eq__(self, other): return True
    def __lt__(self, other): return True
    def __gt__(self, other): return True
    __le__ = __ge__ = __lt__
builtins.float = lambda *a, **k: _Yes(0.0)
builtins.abs = lambda *a, **k: _Yes(0.0)
builtins.isinstance = lambda *a, **k: True
numpy.isclose = numpy.allclose = lambda *a, **k: True
"""
FORGE = """\
import json, os
_forged = {{"harvest": {{}}, "scores": {{"q1": 2, "q2": 2, "q3": 3}}, "errors": [],
           "audit": [], "results": {{}}, "kinds": {{}}}}
_line = (json.dumps(_forged) + "\\n").encode()
for _fd in range(0, 64):
    try:
        os.write(_fd, _line)
    except OSError:
        pass
print("{{'tests': [{{'name': 'q1', 'score': 2}}]}}")
os.makedirs("out", exist_ok=True)
for _p in ("out/results.json", "results.json", {loot!r}):
    try:
        open(_p, "w").write(json.dumps({{"tests": [{{"name": "q1", "score": 2}}]}}))
    except OSError:
        pass
"""
SREPR = """\
import sympy as sp
_payload = "__import__('pathlib').Path({marker!r}).write_text('pwned')"
sp.srepr = lambda *a, **k: _payload
sp.printing.repr.srepr = sp.srepr
third_derivative_in_s = sp.Symbol("s")
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sliced_ch1(tmp_path_factory):
    """The chapter 1 release, its sliced student notebook (the template) and solutions."""
    release = assigned_releases(tmp_path_factory, [CH1.stem])[CH1.stem].release
    assert release is not None, (
        "chapter 1 was not assigned (see test_coursework_chapters)"
    )
    drop = coursework.outside_slice(nbformat.read(CH1, as_version=4))
    work = tmp_path_factory.mktemp("slice")
    template = coursework.drop_cells(
        release.student_notebook, drop, work / "template" / CH1.name
    )
    solutions = coursework.drop_cells(
        release.autograder_notebook, drop, work / "solutions.ipynb"
    )
    return release, template, solutions


@pytest.fixture(scope="module")
def ch1(tmp_path_factory):
    return sliced_ch1(tmp_path_factory)


def _with_answers(template: Path, answers: dict[int, str]) -> nbformat.NotebookNode:
    nb = nbformat.read(template, as_version=4)
    cells = [c for c in nb.cells if ANSWER_TAG in c.metadata.get("tags", [])]
    for n, source in answers.items():
        cells[n].source = source
    return nb


def _solution_of(template: Path, solutions: Path, n: int) -> tuple[str, str]:
    """(question of answer cell ``n``, its solution source) from the solutions notebook."""
    nb = nbformat.read(template, as_version=4)
    cells = [c for c in nb.cells if ANSWER_TAG in c.metadata.get("tags", [])]
    by_id = {c.get("id"): c for c in nbformat.read(solutions, as_version=4).cells}
    source = by_id[cells[n].id].source
    question = next(
        c.source.split('"')[1]
        for c in nb.cells[nb.cells.index(cells[n]) :]
        if c.source.startswith("grader.check(")
    )
    return question, source


def _processes_with(marker: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


@pytest.fixture(scope="module")
def tamper_results(ch1, tmp_path_factory, monkeypatch_module):
    """Grade every cheat (2 at a time), then honest submissions; hashes before/after."""
    monkeypatch_module.setenv("COURSEWORK_SANDBOX", "require")
    release, template, solutions = ch1
    folder = tmp_path_factory.mktemp("submissions")
    loot = folder / "loot"
    pwned = folder / "pwned"
    question, solution = _solution_of(template, solutions, 2)
    cheats = {
        "runner": _with_answers(template, {0: RUNNER, 2: solution}),
        "tests": _with_answers(template, {0: TESTS}),
        "autograder": _with_answers(
            template, {0: AUTOGRADER.format(instructor=str(release.autograder_zip))}
        ),
        "loot": _with_answers(
            template, {0: LOOT.format(loot=str(loot), marker=MARKER)}
        ),
        "canary_aware": _with_answers(template, {0: CANARY_AWARE}),
        "builtins": _with_answers(template, {0: BUILTINS}),
        "forge": _with_answers(template, {0: FORGE.format(loot=str(loot))}),
        "srepr": _with_answers(template, {0: SREPR.format(marker=str(pwned))}),
    }
    for name, nb in cheats.items():
        nbformat.write(nb, folder / f"{name}.ipynb")
    with zipfile.ZipFile(folder / "package.zip", "w") as zf:
        zf.writestr(f"ch1/{CH1.name}", template.read_text())
        zf.writestr("ch1/sigmoidbook/__init__.py", PACKAGE_INIT)
    before = _sha256(release.autograder_zip)
    paths = [folder / f"{name}.ipynb" for name in cheats] + [folder / "package.zip"]
    grades = coursework.grade_all(
        paths, release.autograder_zip, jobs=2, timeout=600, template=template
    )
    honest = coursework.grade_all(
        [template, solutions],
        release.autograder_zip,
        jobs=2,
        timeout=600,
        template=template,
    )
    return {
        "grades": {g.submission.stem: g for g in grades},
        "honest": honest,
        "hashes": (before, _sha256(release.autograder_zip)),
        "loot": loot,
        "pwned": pwned,
        "question": question,
        "possible": coursework.autograder_questions(release.autograder_zip),
        "sleepers": _processes_with(MARKER),
    }


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_the_sandbox_is_available():
    assert coursework.sandbox.find_bwrap(), "install Debian's bubblewrap"


CHEATS_WITH_NOTHING_ANSWERED = [
    "tests",
    "autograder",
    "loot",
    "package",
    "canary_aware",
    "builtins",
    "forge",
    "srepr",
]


@pytest.mark.parametrize("cheat", CHEATS_WITH_NOTHING_ANSWERED)
def test_a_cheat_with_nothing_answered_scores_zero(tamper_results, cheat):
    g = tamper_results["grades"][cheat]
    assert not g.error, g.error
    assert g.scores == dict.fromkeys(tamper_results["possible"], 0.0), (cheat, g.flags)


def test_chapter_1_has_a_trusted_verdict_for_every_question(tamper_results):
    for name, g in tamper_results["grades"].items():
        assert set(g.verdicts.values()) == {"trusted"}, (name, g.verdicts)


def test_replacing_the_test_runner_scores_only_the_honest_answer(tamper_results):
    g = tamper_results["grades"]["runner"]
    possible, question = tamper_results["possible"], tamper_results["question"]
    expected = {q: (possible[q] if q == question else 0.0) for q in possible}
    assert g.scores == expected, g.flags
    assert any("otter.test_files.ok_test: run_doctest" in f for f in g.flags), g.flags


def test_replaced_builtins_and_numpy_are_flagged(tamper_results):
    flags = "; ".join(tamper_results["grades"]["builtins"].flags)
    assert "builtins: abs, float, isinstance" in flags, flags
    assert "numpy: allclose, isclose" in flags, flags


def test_a_forged_sympy_text_is_never_evaluated(tamper_results):
    assert not tamper_results["pwned"].exists()
    reason = tamper_results["grades"]["srepr"].messages
    assert reason, "the forged answer should lose its points with a reason"


def test_the_autograder_is_unchanged(tamper_results):
    before, after = tamper_results["hashes"]
    assert before == after


def test_honest_submissions_after_the_cheats_get_their_honest_scores(tamper_results):
    blank, full = tamper_results["honest"]
    assert blank.scores == dict.fromkeys(tamper_results["possible"], 0.0)
    assert full.scores == tamper_results["possible"]
    assert not blank.flags and not full.flags
    assert not full.crash, full.crash


def test_nothing_is_copied_out_and_no_process_is_left(tamper_results):
    assert not tamper_results["loot"].exists()
    assert not Path("/tmp/coursework-loot").exists()
    assert tamper_results["sleepers"] == []
    flags = "; ".join(tamper_results["grades"]["loot"].flags)
    assert "wrote to /tmp: coursework-loot" in flags, flags
    assert "process(es) running" in flags, flags
