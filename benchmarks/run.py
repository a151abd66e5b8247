"""Check the chapters' claims about speed on this machine: ``make benchmark``.

The chapters show their timings as observations of the machine that built the book
and assert nothing about speed (a student's slower laptop must not fail). What the
prose claims ("ReLU is cheaper than the sigmoid", "indexing beats a DataLoader", ...)
is measured here instead, with the chapters' own operations and sizes on one thread,
and printed as a Markdown table of ratios with the claim each tests and whether it
holds here, under a line naming the CPU. Nothing is asserted: the exit status is 0
whatever the ratios are. ``--tiny`` runs every measurement on tiny sizes in a few
seconds (the test suite does that so this script cannot rot); its ratios mean little.

    .venv/bin/python benchmarks/run.py [--tiny] [--chapters ch3 ch4]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from sigmoidbook.report import format_number, markdown_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from claims import CHAPTERS, FULL, TINY

#: Below this share of a core for the whole run, the timings are not trustworthy.
BUSY_SHARE = 0.8


def cpu_model() -> str:
    """The processor's name from /proc/cpuinfo (Linux), else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(("model name", "Hardware", "cpu model")):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine_line() -> str:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = f"{os.cpu_count()} logical cores" + (
        f" ({usable} usable by this process)" if usable is not None else ""
    )
    return (
        f"{cpu_model()}, {cores}; Python {platform.python_version()}, "
        f"NumPy {np.__version__}, PyTorch {torch.__version__}; timed on 1 thread"
    )


def table(rows) -> str:
    header = ["chapter", "measurement", "ratio or time", "the prose says", "holds here"]
    cells = []
    for row in rows:
        value = format_number(row.value, ".3g")
        value = f"{value} ×" if row.unit == "×" else f"{value} {row.unit}"
        holds = {True: "yes", False: "NO", None: ""}[row.holds]
        cells.append([row.chapter, row.measurement, value, row.claim, holds])
    return markdown_table(header, cells, align="llrll").data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="tiny sizes: a smoke test")
    parser.add_argument(
        "--chapters",
        nargs="+",
        choices=sorted(CHAPTERS),
        default=sorted(CHAPTERS),
        help="which chapters' claims",
    )
    args = parser.parse_args(argv)
    sizes = TINY if args.tiny else FULL
    torch.set_num_threads(1)
    print(f"Machine: {machine_line()}")
    print(
        f"Sizes: {'tiny (smoke test, ratios not meaningful)' if args.tiny else 'as in the chapters'}\n"
    )
    rows, started, cpu_started = [], time.perf_counter(), time.process_time()
    with threadpool_limits(limits=1, user_api="blas"):
        for chapter in args.chapters:
            rows += CHAPTERS[chapter](sizes)
    print(table(rows))
    seconds = time.perf_counter() - started
    share = (time.process_time() - cpu_started) / seconds
    failed = sum(row.holds is False for row in rows)
    claims = sum(row.holds is not None for row in rows)
    print(
        f"\n{claims - failed} of {claims} claims hold on this machine ({seconds:.0f} s). "
        "A claim that does not hold is a finding about this machine or the prose, "
        "not a test failure."
    )
    print(f"This process had {share:.0%} of a core while it measured.")
    if share < BUSY_SHARE:
        print(
            "WARNING: other programs took the core for much of the time, so the ratios "
            "above are disturbed (a repeat interrupted for long is slower, whatever it "
            "computes). Run again on an otherwise idle machine."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
