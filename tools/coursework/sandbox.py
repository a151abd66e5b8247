"""Running a grading command inside a bubblewrap sandbox (Debian's ``bubblewrap``).

The sandbox sees the system read-only, has no network (``--unshare-all``: new network,
PID, IPC, UTS and user namespaces), a private ``/tmp``, and one writable folder: the
scratch folder that holds *copies* of the grading inputs.  The instructor's folders
(``$HOME``, the current directory, where the autograder, the release and the
submissions live) are replaced by empty folders; only the interpreter's environment
(``sys.prefix``) is put back, read-only.  ``--die-with-parent`` plus the PID namespace
mean that every process the submission started dies when the grading ends (or times
out: :func:`coursework.runner.run_command` kills the sandbox's process group).

Without ``bwrap`` (not Linux, not installed) :func:`sandbox_prefix` returns ``[]`` and
grading runs unsandboxed, as ``otter run`` does; ``COURSEWORK_SANDBOX=off`` forces that
and ``COURSEWORK_SANDBOX=require`` makes a missing ``bwrap`` an error.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import CourseworkError

#: Environment of the sandboxed run: every per-user folder inside the scratch folder.
_ENV_DIRS = {
    "HOME": "home",
    "JUPYTER_RUNTIME_DIR": "home/runtime",
    "JUPYTER_DATA_DIR": "home/jupyter",
    "IPYTHONDIR": "home/ipython",
    "MPLCONFIGDIR": "home/matplotlib",
    "XDG_CACHE_HOME": "home/cache",
    "TMPDIR": "tmp",
}


@functools.cache
def _bwrap_works(bwrap: str) -> bool:
    """True if ``bwrap`` can actually create the namespaces here (not in every container)."""
    try:
        result = subprocess.run(
            [bwrap, *_base_args(), "--", "true"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _base_args() -> list[str]:
    return [
        "--ro-bind",
        "/",
        "/",
        "--dev",
        "/dev",
        "--proc",
        "/proc",
        "--tmpfs",
        "/tmp",
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
    ]


def find_bwrap() -> str | None:
    """The ``bwrap`` to use, or None for unsandboxed grading (see the module docstring)."""
    mode = os.environ.get("COURSEWORK_SANDBOX", "auto").lower()
    if mode == "off":
        return None
    bwrap = shutil.which("bwrap")
    if bwrap and _bwrap_works(bwrap):
        return bwrap
    if mode == "require":
        raise CourseworkError(
            "COURSEWORK_SANDBOX=require but bubblewrap does not work here "
            "(Debian/Ubuntu: apt-get install bubblewrap)"
        )
    return None


def _hidden_folders(extra: list[Path]) -> list[Path]:
    """Folders the sandbox must not see, outermost first, without the environment."""
    candidates = {Path.home(), Path.cwd(), *(Path(p) for p in extra)}
    keep = _environment()
    needed = {parent for k in keep for parent in (k, *k.parents)}
    hidden = set()
    for path in candidates:
        path = path.resolve()
        if not path.is_dir() or path == Path("/"):
            continue
        if path in needed:
            # hiding a parent of the interpreter would hide it: hide its siblings
            hidden.update(
                child
                for child in path.iterdir()
                if child.is_dir() and child not in needed
            )
        else:
            hidden.add(path)
    return sorted(hidden, key=lambda p: len(p.parts))


def _environment() -> set[Path]:
    """The folders the interpreter needs: the venv and the Python it was made from."""
    return {
        Path(p).resolve()
        for p in (
            sys.prefix,
            sys.base_prefix,
            Path(sys.executable).resolve().parent.parent,
        )
    }


def sandbox_prefix(scratch: Path, hide: list[Path]) -> tuple[list[str], dict[str, str]]:
    """``(command prefix, environment)`` that runs a command sandboxed in ``scratch``.

    ``hide``: folders (besides ``$HOME`` and the current directory) whose content the
    submission must not see.  The prefix is ``[]`` (and the environment only points the
    per-user folders into ``scratch``) when there is no working ``bwrap``.
    """
    scratch = Path(scratch).resolve()
    env = {**os.environ}
    for name, sub in _ENV_DIRS.items():
        (scratch / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(scratch / sub)
    bwrap = find_bwrap()
    if bwrap is None:
        return [], env
    args = [bwrap, *_base_args()]
    for folder in _hidden_folders(hide):
        if folder == scratch or folder in scratch.parents:
            continue
        args += ["--tmpfs", str(folder)]
    for env_dir in _environment():
        args += ["--ro-bind", str(env_dir), str(env_dir)]
    args += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch), "--"]
    return args, env
