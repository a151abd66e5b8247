"""One way to time a call, for the chapters' timing tables.

Timings are observations of the machine that runs the notebook: a chapter shows
them (in a cell whose output nbval ignores) and never asserts on them, because a
slower laptop, a busy machine or another cache size changes them.  Claims about
speed that the prose makes are measured by ``benchmarks/run.py`` (``make benchmark``),
which reports ratios on the machine it runs on.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

__all__ = ["seconds_per_call"]


def seconds_per_call(
    function: Callable[[], object], *, target: float = 0.02, repeat: int | None = None
) -> float:
    """Best time of one call of ``function()`` in seconds (the minimum over repeats).

    The first call warms caches and the allocator and sets how many calls make one
    repeat (about ``target`` seconds); the minimum over the repeats (5 for fast
    calls, 3 for slow ones) is the least disturbed by other work on the machine.
    """
    if not callable(function):
        raise TypeError(
            f"seconds_per_call needs a function of no arguments, got {function!r}"
        )
    if not target > 0:
        raise ValueError(f"target must be a positive number of seconds, got {target!r}")
    if repeat is not None and (isinstance(repeat, bool) or not isinstance(repeat, int)):
        raise TypeError(f"repeat must be a whole number of repeats, got {repeat!r}")
    if repeat is not None and repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat!r}")
    first = timeit.timeit(function, number=1)
    number = max(1, int(target / max(first, 1e-9)))
    if repeat is None:
        repeat = 5 if first < 0.1 else 3
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number
