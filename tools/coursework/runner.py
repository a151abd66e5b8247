"""Running otter-grader (or any grading command) as a subprocess of this interpreter."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path


def run_command(
    cmd: list[str],
    cwd: Path | None = None,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run ``cmd`` in its own process group, output (stdout + stderr) captured.

    On timeout the whole group is killed and the result has return code -9 and a note
    ``[timed out after N s]`` at the end of its output.  Whatever the command leaves
    running in the group when it ends is killed too.
    """
    env = {
        **(os.environ if env is None else env),
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
        _kill_group(proc.pid)
        out, _ = proc.communicate()
        return subprocess.CompletedProcess(
            cmd, -9, out + f"\n[timed out after {timeout:g} s]", None
        )
    _kill_group(proc.pid)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, None)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def run_otter(
    *args: str,
    cwd: Path | None = None,
    timeout: float | None = None,
    prefix: list[str] | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run ``python -m otter ARGS`` from this interpreter (see :func:`run_command`).

    ``prefix`` (e.g. :func:`coursework.sandbox.sandbox_prefix`) goes before the command.
    """
    cmd = [*(prefix or []), sys.executable, "-m", "otter", *args]
    return run_command(cmd, cwd=cwd, timeout=timeout, env=env)
