"""``make benchmark`` keeps working: benchmarks/run.py on tiny sizes completes and reports.

The benchmark is an observation of the machine, so nothing here checks a speed: only
that every chapter's measurements run and the table of ratios is printed.
"""

import re
import subprocess
import sys

from conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "benchmarks" / "run.py"


def test_the_benchmark_runs_and_prints_ratios():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--tiny"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert re.search(r"^Machine: .+, \d+ logical cores", out, re.MULTILINE), out[:500]
    rows = [line for line in out.splitlines() if re.match(r"\| ch\d \|", line)]
    for chapter in ("ch1", "ch3", "ch4", "ch5"):
        ratios = [r for r in rows if r.startswith(f"| {chapter} |") and " × |" in r]
        assert ratios, f"no ratio reported for {chapter}:\n{out}"
    assert re.search(r"^\d+ of \d+ claims hold on this machine", out, re.MULTILINE)
