"""Running otter-grader as a subprocess of this interpreter."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


def run_otter(
    *args: str, cwd: Path | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m otter ARGS`` from this interpreter, in its own process group.

    On timeout the whole group (otter and the kernel it started) is killed and the
    result has return code -9 and a note at the end of its output.
    """
    cmd = [sys.executable, "-m", "otter", *args]
    env = {
        **os.environ,
        "PYTHONWARNINGS": "ignore",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return subprocess.CompletedProcess(
            cmd, -9, out + f"\n[timed out after {timeout} s]", None
        )
    return subprocess.CompletedProcess(cmd, proc.returncode, out, None)
