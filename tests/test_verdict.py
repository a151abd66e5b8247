"""The trusted verdict: the safe hand-over format, and what a grading reports.

The first part tests :mod:`coursework.harvest` and :mod:`coursework.safe_sympy` alone
(no grading): every value kind survives the round trip bit for bit, and forged or
malicious SymPy text is rejected instead of evaluated.  The second grades chapter 1's
current student release (exercise slice, as in ``test_grading_safety.py``) three ways:
a crash (the error text names the exception and its cell), an endless loop (``timed
out after N s``, no temporary folder left behind), and the old in-kernel path, which
must still catch rewritten test files with its canaries.  The last part: a chapter is
calibrated by one grading at a time, the others wait and read the cache.
"""

from __future__ import annotations

import concurrent.futures
import math
import tempfile
import threading
import time

import nbformat
import numpy as np
import pytest
import sympy as sp
import torch
from test_grading_safety import TESTS, _solution_of, _with_answers, sliced_ch1

import coursework
from coursework import harvest, trusted, verdict_plan
from coursework.harvest import HarvestError
from coursework.safe_sympy import parse_srepr

#: Seconds the endless loop may run (any timeout shows the property; the loop burns
#: a core for as long).
LOOP_TIMEOUT = 10


class _Sigma(sp.Function):
    """Stands for a chapter's own SymPy function class (e.g. chapter 1's sigma)."""


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        7,
        -0.0,
        math.nan,
        math.inf,
        "text",
        [1, (2.5, "a")],
        {"k": [np.float64(1.5)]},
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.bool_(True),
        np.float64(0.1),
        np.array([True, False]),
        torch.tensor([1.0, 2.0], dtype=torch.float64),
    ],
    ids=repr,
)
def test_values_survive_the_hand_over_with_their_type(value):
    back = harvest.decode(harvest.encode(value))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray | torch.Tensor):
        assert back.dtype == value.dtype and back.shape == value.shape
        assert (back == value).all()
    elif isinstance(value, float) and math.isnan(value):
        assert math.isnan(back)
    else:
        assert back == value and repr(back) == repr(value)


def test_callables_and_other_objects_are_named_not_handed_over():
    assert harvest.encode(len) == {"callable": "function"}
    assert harvest.encode(sp.Function) == {"callable": "class"}
    assert harvest.kind(harvest.encode(object())) == "unsupported"
    with pytest.raises(HarvestError):
        harvest.decode({"callable": "function"})
    with pytest.raises(HarvestError, match="dtype"):
        harvest.decode({"array": "object", "shape": [1], "b64": ""})
    with pytest.raises(HarvestError, match="holds"):
        harvest.decode({"array": "float64", "shape": [3], "b64": "AAAAAAAAAAA="})


def test_modules_are_rebuilt_from_trusted_classes_and_records_become_namespaces():
    net = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2, bias=False)
    ).double()
    back = harvest.decode(harvest.encode(net))
    assert [type(m) for m in back] == [type(m) for m in net]
    assert back[2].bias is None and back[0].weight.dtype == torch.float64
    assert all(torch.equal(a, b) for a, b in zip(back.parameters(), net.parameters()))

    class Own(torch.nn.Linear):  # a student's class: its code never crosses over
        def forward(self, x):
            return x

    assert harvest.kind(harvest.encode(torch.nn.Sequential(Own(2, 2)))) != "value"
    forged = harvest.encode(torch.nn.ReLU())
    for bad in ({**forged, "module": "Module"}, {**forged, "config": {"x": 1}}):
        with pytest.raises(HarvestError):
            harvest.decode(bad)
    from sigmoidbook.training import EpochResult

    record = EpochResult(
        **{f: 0.5 for f in EpochResult.__dataclass_fields__}  # every field a float
    )
    assert harvest.decode(harvest.encode(record)).__dict__ == record.__dict__


def test_sympy_expressions_round_trip_through_the_whitelist_parser():
    s, x = sp.Symbol("s"), sp.Symbol("x", real=True)
    f = sp.Function("f")
    for expr in [
        s * (1 - s) * (1 - 6 * s + 6 * s**2),
        sp.log(1 + sp.exp(x)) - sp.Float(0.3) * x,
        x * _Sigma(x),
        f(x) + sp.pi * sp.I,
        sp.Matrix([[1, x], [2, sp.oo]]),
        sp.LambertW(sp.exp(-1)),
    ]:
        assert parse_srepr(sp.srepr(expr), {"_Sigma": _Sigma}) == expr


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        'exp(\'__import__("os").system("true")\')',  # Function sympifies strings
        "sympify('x')",
        "lambdify(Symbol('x'), Symbol('x'))",
        "Symbol.__class__('x')",
        "Add(Symbol('x'), 'y')",
        "Symbol('x', real='y')",
        "Integer('5')",
        "S('x')",
        "(lambda: 1)()",
    ],
)
def test_forged_sympy_text_is_rejected(text):
    with pytest.raises(HarvestError):
        parse_srepr(text)


def test_answer_names_come_from_the_solution_cells_not_from_imports():
    source = (
        "import copy\nfrom statistics import NormalDist\n"
        "def f(x):\n    inner = 1\n    return x\n"
        "a, _ = 1, 2\nfor i in range(2):\n    b = i\nwith open('x') as fh:\n    c = 1\n"
    )
    assert trusted._bound_names(source) == {"f", "a", "i", "b", "fh", "c"}


# =========================================================================== gradings


@pytest.fixture(scope="module")
def ch1(tmp_path_factory):
    return sliced_ch1(tmp_path_factory)


@pytest.fixture(scope="module")
def gradings(ch1, tmp_path_factory):
    """A crash, a timeout (own temp folder, to see what is left) and the in-kernel path."""
    release, template, solutions = ch1
    folder = tmp_path_factory.mktemp("submissions")
    question, solution = _solution_of(template, solutions, 2)
    crash = _with_answers(template, {0: "raise ValueError('boom')", 2: solution})
    nbformat.write(crash, folder / "crash.ipynb")
    nbformat.write(
        _with_answers(template, {0: "while True:\n    pass"}), folder / "loop.ipynb"
    )
    nbformat.write(_with_answers(template, {0: TESTS}), folder / "tests.ipynb")
    graded = {
        "crash": coursework.grade_submission(
            folder / "crash.ipynb", release.autograder_zip, 600, template
        )
    }
    scratch = tmp_path_factory.mktemp("tempdir")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(scratch))
        graded["loop"] = coursework.grade_submission(
            folder / "loop.ipynb", release.autograder_zip, LOOP_TIMEOUT, template
        )
        mp.setattr(trusted, "plan", lambda *args: None)  # the in-kernel path only
        graded["tests"] = coursework.grade_submission(
            folder / "tests.ipynb", release.autograder_zip, 600, template
        )
    graded["left"] = sorted(p.name for p in scratch.iterdir())
    graded["question"] = question
    graded["possible"] = coursework.autograder_questions(release.autograder_zip)
    return graded


def test_a_crash_names_the_exception_and_its_cell(gradings):
    g, question = gradings["crash"], gradings["question"]
    assert not g.error, g.error
    assert "ValueError: boom (in cell" in g.crash and "the answer of q1" in g.crash
    possible = gradings["possible"]
    assert g.scores == {q: (possible[q] if q == question else 0.0) for q in possible}
    assert g.messages.keys() == set(possible) - {question}


def test_a_timeout_is_named_and_leaves_no_folder(gradings):
    g = gradings["loop"]
    assert g.error == f"timed out after {LOOP_TIMEOUT} s"
    assert g.scores == {}
    assert gradings["left"] == []


def test_the_in_kernel_path_still_catches_rewritten_tests(gradings):
    g = gradings["tests"]
    assert set(g.verdicts.values()) == {"in student kernel"}
    assert g.scores == dict.fromkeys(gradings["possible"], 0.0)
    flags = "; ".join(g.flags)
    assert "canary" in flags and "outside 0.." in flags, flags


# ================================================================ one calibration


def _plan(key: str) -> verdict_plan.Plan:
    return verdict_plan.Plan([], {}, {}, [], cache_key=key)


def test_a_grading_waits_for_the_calibration_of_another(tmp_path, monkeypatch):
    """While one grading calibrates (the chapter's lock held), another waits for it and
    reads its calibration from the cache instead of calibrating too; one that waits
    past its deadline times out; the lock file is gone afterwards."""
    monkeypatch.setenv("COURSEWORK_CACHE_DIR", str(tmp_path))
    first, second, third = _plan("k"), _plan("k"), _plan("k")
    waited = {}
    with verdict_plan.calibration_turn(first, time.monotonic() + 60) as calibrate:
        assert calibrate is True
        assert [p.name for p in tmp_path.iterdir()] == ["k.lock"]
        with (
            pytest.raises(TimeoutError),
            verdict_plan.calibration_turn(third, time.monotonic() + 0.5),
        ):
            pass

        def wait():
            with verdict_plan.calibration_turn(second, time.monotonic() + 60) as c:
                waited["calibrate"] = c

        thread = threading.Thread(target=wait)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the second grading did not wait"
        first.kinds, first.calibrated = {"x": "value"}, {"q1": True}
        verdict_plan.save_calibration(first)
    thread.join(30)
    assert waited == {"calibrate": False}
    assert (second.kinds, second.calibrated) == ({"x": "value"}, {"q1": True})
    assert [p.name for p in tmp_path.iterdir()] == ["k.json"]


def test_a_failed_calibration_lets_the_next_grading_calibrate(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSEWORK_CACHE_DIR", str(tmp_path))
    with (
        pytest.raises(RuntimeError),
        verdict_plan.calibration_turn(_plan("k"), time.monotonic() + 5),
    ):
        raise RuntimeError("the reference run failed")
    with verdict_plan.calibration_turn(_plan("k"), time.monotonic() + 5) as c:
        assert c is True
    assert list(tmp_path.iterdir()) == []


def test_two_gradings_at_once_calibrate_a_chapter_once(ch1, tmp_path, monkeypatch):
    """Two threads measuring chapter 1's verdicts at once start ONE calibrating
    reference run, and get the same verdicts."""
    release, template, _ = ch1
    monkeypatch.setenv("COURSEWORK_CACHE_DIR", str(tmp_path / "cache"))
    verdict_plan._cached_plan.cache_clear()  # as in a new process
    runs = trusted.REFERENCE_RUNS
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(trusted.measure_verdicts, template, release.autograder_zip)
            for _ in range(2)
        ]
        first, second = (f.result() for f in futures)
    verdict_plan._cached_plan.cache_clear()
    assert runs + 1 == trusted.REFERENCE_RUNS, "both gradings calibrated"
    assert first == second and set(first.values()) == {"trusted"}, (first, second)
    assert [p.suffix for p in (tmp_path / "cache").iterdir()] == [".json"]
