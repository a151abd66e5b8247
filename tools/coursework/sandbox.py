"""Running a grading command inside a bubblewrap sandbox (Debian's ``bubblewrap``).

The sandbox sees the system read-only, has no network (``--unshare-all``: new network,
PID, IPC, UTS and user namespaces), a private ``/tmp``, and one writable folder: the
scratch folder that holds *copies* of the grading inputs.  The instructor's folders
(``$HOME``, the current directory, where the autograder, the release and the
submissions live) are replaced by empty folders; only the interpreter's environment
(``sys.prefix``) is put back, read-only.  ``--die-with-parent`` plus the PID namespace
mean that every process the submission started dies when the grading ends (or times
out: :func:`coursework.runner.run_command` kills the sandbox's process group).

Every sandboxed command also runs under ``prlimit`` (:func:`limits`): an address-space
limit of ``COURSEWORK_MEMORY_MB`` (default :data:`MEMORY_MB`) per process and a
process limit of ``COURSEWORK_PROCESSES`` (default :data:`PROCESSES`).  The process
limit (``RLIMIT_NPROC``) does not bind ``root``; :class:`coursework.trusted` also counts
the sandbox's processes while it runs and kills it above the limit.

Without ``bwrap`` (not Linux, not installed) :func:`sandbox_prefix` returns ``[]`` and
grading runs unsandboxed, as ``otter run`` does; ``COURSEWORK_SANDBOX=off`` forces that
and ``COURSEWORK_SANDBOX=require`` makes a missing ``bwrap`` an error.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import CourseworkError

#: Default address-space limit (MB) of each sandboxed process: chapter 5's student
#: run peaks near 1 GB resident and about 2 GB of address space (torch).
MEMORY_MB = 4096
#: Default limit on the processes (threads count) a sandboxed run may have at once.
PROCESSES = 256

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


def _positive_int(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdigit() or int(text) <= 0:
        raise CourseworkError(f"{name}={text!r}: expected a positive whole number")
    return int(text)


def limits() -> tuple[int, int]:
    """``(memory limit in MB, process limit)`` of a sandboxed run (see module docs)."""
    return (
        _positive_int("COURSEWORK_MEMORY_MB", MEMORY_MB),
        _positive_int("COURSEWORK_PROCESSES", PROCESSES),
    )


def _limit_args(processes: bool) -> list[str]:
    """``prlimit ... --`` for the limits (``[]`` without ``prlimit``)."""
    prlimit = shutil.which("prlimit")
    if prlimit is None:
        return []
    memory_mb, count = limits()
    args = [prlimit, f"--as={memory_mb * 1024 * 1024}"]
    if processes:
        args.append(f"--nproc={count}")
    return [*args, "--"]


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
    submission must not see.  The prefix ends with the ``prlimit`` limits; without a
    working ``bwrap`` it is only the memory limit (and the environment only points the
    per-user folders into ``scratch``).
    """
    scratch = Path(scratch).resolve()
    env = {**os.environ}
    for name, sub in _ENV_DIRS.items():
        (scratch / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(scratch / sub)
    bwrap = find_bwrap()
    if bwrap is None:
        # unsandboxed: RLIMIT_NPROC would count every process of the user
        return _limit_args(processes=False), env
    args = [bwrap, *_base_args()]
    for folder in _hidden_folders(hide):
        if folder == scratch or folder in scratch.parents:
            continue
        args += ["--tmpfs", str(folder)]
    for env_dir in _environment():
        args += ["--ro-bind", str(env_dir), str(env_dir)]
    args += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch), "--"]
    return args + _limit_args(processes=True), env


def _namespace_members(pid: int) -> list[tuple[int, int]]:
    """``[(host pid, pid inside)]`` of the processes in the PID namespace of ``pid``'s
    first child (``pid``: a ``bwrap``); ``[]`` if there is none (yet)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ns = os.readlink(f"/proc/{children[0]}/ns/pid") if children else None
    except OSError:
        return []
    if ns is None or ns == os.readlink("/proc/self/ns/pid"):
        return []
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{entry}/ns/pid") != ns:
                continue
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        inner = [
            line.split()[-1]
            for line in status.splitlines()
            if line.startswith("NSpid:")
        ]
        members.append((int(entry), int(inner[0]) if inner else 0))
    return members


def watch_processes(pid: int, limit: int, interval: float = 0.2):
    """Start a thread that, whenever the sandbox that ``pid`` (a ``bwrap``) started
    holds more than ``limit`` processes, kills all of them but the sandbox's first two
    (bwrap's init and the grading command), so the run goes on and hands over what it
    answered.  This binds ``root`` too, whom ``RLIMIT_NPROC`` does not.  Returns
    ``stop() -> int``: how many processes it killed."""
    import signal
    import threading

    stopped, killed = threading.Event(), []

    def run():
        while not stopped.wait(interval):
            members = _namespace_members(pid)
            if len(members) <= limit:
                continue
            for host, inner in members:
                if inner > 2:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(host, signal.SIGKILL)
                        killed.append(host)

    threading.Thread(target=run, daemon=True).start()

    def stop() -> int:
        stopped.set()
        return len(killed)

    return stop
