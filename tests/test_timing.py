"""Unit tests for sigmoidbook.timing.seconds_per_call.

Nothing here asserts how fast this machine is: only what the helper must return
on any machine (a positive float, per call, from calls it really made).
"""

import time

import pytest

from sigmoidbook.timing import seconds_per_call


class CountingCall:
    """A function of no arguments that counts its calls."""

    def __init__(self, work=lambda: sum(range(200))):
        self.calls = 0
        self.work = work

    def __call__(self):
        self.calls += 1
        return self.work()


def test_returns_a_positive_float():
    result = seconds_per_call(CountingCall())
    assert isinstance(result, float) and result > 0


@pytest.mark.parametrize("repeat", [1, 3])
def test_calls_the_function_once_to_warm_up_then_repeat_times_the_same_number(repeat):
    function = CountingCall()
    seconds_per_call(function, target=0.002, repeat=repeat)
    timed = function.calls - 1
    assert timed >= repeat and timed % repeat == 0, function.calls


def test_the_result_is_per_call_not_per_repeat():
    """The minimum over repeats is at most the mean time per call, whatever the machine."""
    function = CountingCall()
    start = time.perf_counter()
    result = seconds_per_call(function, target=0.005, repeat=3)
    elapsed = time.perf_counter() - start
    assert function.calls > 4  # a fast function is called many times per repeat
    assert result <= elapsed / (function.calls - 1)


def test_a_call_is_never_timed_shorter_than_it_takes():
    """A call that sleeps 2 ms cannot take less (the operating system guarantees it)."""
    assert seconds_per_call(lambda: time.sleep(0.002), target=0.004, repeat=1) >= 0.002


@pytest.mark.parametrize("function", [None, 3, "sum"])
def test_a_non_function_is_refused(function):
    with pytest.raises(TypeError, match="needs a function of no arguments"):
        seconds_per_call(function)


@pytest.mark.parametrize("target", [0, -0.1, float("nan")])
def test_a_bad_target_is_refused(target):
    with pytest.raises(ValueError, match="target must be a positive number"):
        seconds_per_call(CountingCall(), target=target)


@pytest.mark.parametrize("repeat", [0, -1])
def test_a_bad_repeat_is_refused(repeat):
    with pytest.raises(ValueError, match="repeat must be at least 1"):
        seconds_per_call(CountingCall(), repeat=repeat)
