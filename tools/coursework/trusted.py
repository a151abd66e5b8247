"""A verdict the submission cannot game: tests run in a trusted process, never in its kernel.

:func:`plan` (:mod:`coursework.verdict_plan`) reads, from the instructor's files only,
what to hand over and which tests to run.  :func:`run_trusted` then

1. runs the student's notebook (instructor cells + the student's answer cells) in
   bubblewrap with **no test file** (:mod:`coursework.student_run`), which hands over
   the answer values in a typed JSON format (:mod:`coursework.harvest`) and the audit;
2. runs :mod:`coursework.verdict` (a separate, trusted process) on those values;
3. shuttles the calls of function answers the tests make (inputs chosen by the trusted
   side) to the sandbox and the student's results back, at most :data:`ROUNDS` times.

A question whose reference answer cannot be handed over (a class other than a
``torch.autograd.Function``, a module of the student's own class) is *in student
kernel*: :mod:`coursework.grade` grades it the old way (otter in the sandbox, with
canaries).  Both processes run under bubblewrap with the limits of
:mod:`coursework.sandbox`.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .sandbox import limits, sandbox_prefix, watch_processes
from .submission import ANSWER_TAG
from .verdict import ROUNDS
from .verdict_plan import (
    Plan,
    _bound_names,
    _question_of,
    calibration_turn,
    plan,
    save_calibration,
    solutions_notebook,
)

__all__ = ["IN_KERNEL", "TRUSTED", "Plan", "_bound_names", "plan", "solutions_notebook"]

#: Longest line (characters) read back from the sandbox.
_MAX_LINE = 80_000_000
_HERE = Path(__file__).resolve().parent
TRUSTED, IN_KERNEL = "trusted", "in student kernel"
#: Calibrating reference runs started by this process (a cached chapter starts none).
REFERENCE_RUNS = 0
#: What the sandboxed run is made of (copied into its scratch folder).
_RUNNER_MODULES = ("student_run.py", "harvest.py", "harvest_torch.py", "safe_sympy.py")


@dataclass
class TrustedResult:
    """Scores of the trusted questions, each question's verdict kind, what went wrong."""

    scores: dict[str, float] = field(default_factory=dict)
    verdicts: dict[str, str] = field(default_factory=dict)  # TRUSTED or IN_KERNEL
    reasons: dict[str, str] = field(default_factory=dict)
    crash: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    error: str = ""


class _Process:
    """A child speaking JSON lines (its stdout read by a thread, with a deadline)."""

    def __init__(self, cmd, cwd, env, deadline):
        self.deadline = deadline
        self.proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue = queue.Queue()
        self.watch = lambda: 0  # stop() of a process watch: how many it killed
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while line := self.proc.stdout.readline(_MAX_LINE):
                self.lines.put(line)
        except (OSError, ValueError):
            pass
        self.lines.put(None)

    def send(self, message: dict):
        try:
            self.proc.stdin.write(json.dumps(message) + "\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):
            pass

    def receive(self) -> dict | None:
        """The next message; None if the process ended or wrote garbage; raises TimeoutError."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            line = self.lines.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError from None
        if line is None:
            return None
        try:
            message = json.loads(line)
        except ValueError:
            return None
        return message if isinstance(message, dict) else None

    def kill(self):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def ended(self) -> str:
        """How the process ended, if it has, e.g. "killed by signal 9"."""
        code = self.proc.poll()
        if code is None or code >= 0:
            return ""
        return f"killed by signal {-code} ({signal.Signals(-code).name})"


def _support_files(autograder_zip: Path, dest: Path) -> None:
    """The autograder's ``files/`` (e.g. ``sigmoidbook/``) into ``dest``: never tests."""
    with zipfile.ZipFile(autograder_zip) as zf:
        for info in zf.infolist():
            if info.filename.startswith("files/") and not info.is_dir():
                target = dest / info.filename.removeprefix("files/")
                if ".." in Path(info.filename).parts:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def _student_cells(merged, name: str) -> list[dict]:
    cells = []
    for i, cell in enumerate(merged.cells):
        if cell.cell_type != "code" or cell.source.lstrip().startswith("grader.check("):
            continue
        label = f"cell {i + 1}"
        if ANSWER_TAG in cell.metadata.get("tags", []):
            label += f", the answer of {_question_of(merged.cells, i) or '?'}"
        cells.append({"source": cell.source, "label": label})
    return cells


def _file_flags(before: dict, after: dict) -> list[str]:
    """The instructor's files in the scratch folder that the run changed or deleted."""
    changed = sorted(
        p
        for p, stat in before.items()
        if p.split("/")[0] not in _OWN and after.get(p) != stat
    )
    if not changed:
        return []
    return [
        "tampering: changed or deleted the instructor's files: "
        + ", ".join(changed[:8])
    ]


_OWN = frozenset({"home", "tmp", "out"})  # folders a run writes to itself


def _start_verdict(judge: Path, hide, deadline) -> _Process:
    """``python -m coursework.verdict`` in ``judge`` (the autograder's support files),
    sandboxed like a submission (no network, read-only system, only ``judge``
    writable, no view of the submissions or the instructor's folders) and run from a
    copy of this package inside ``judge``."""
    package = judge / "_pkg" / "coursework"
    shutil.copytree(_HERE, package, ignore=shutil.ignore_patterns("__pycache__"))
    prefix, env = sandbox_prefix(judge, hide)
    env.update(
        MPLBACKEND="Agg",
        PYTHONWARNINGS="ignore",
        PYTHONPATH=os.pathsep.join([str(package.parent), str(judge)]),
    )
    command = [*prefix, sys.executable, "-m", "coursework.verdict"]
    return _Process(command, judge, env, deadline)


def _classify(the_plan: Plan, kinds: dict, result: TrustedResult) -> list[str]:
    trusted = []
    for q in the_plan.tests:
        ok = (
            q not in the_plan.unsafe
            and the_plan.calibrated.get(q, False)
            and all(
                kinds.get(n) in ("value", "function", "autograd")
                for n in the_plan.names[q]
            )
        )
        result.verdicts[q] = TRUSTED if ok else IN_KERNEL
        if ok:
            trusted.append(q)
    return trusted


def _take_harvest(message: dict | None, result: TrustedResult, student) -> dict:
    if not message or not isinstance(message.get("harvest"), dict):
        time.sleep(0.2)  # let the exit status arrive
        how = student.ended()
        result.crash.append(
            "the run ended before handing over its answers"
            + (f" ({how})" if how else "")
        )
        return {}
    _log(f"student run peak (MB): {message.get('peak_mb')}")
    result.crash += [str(e)[:400] for e in message.get("errors", [])[:5]]
    result.flags += [
        f"tampering: {str(a)[:400]}" for a in message.get("audit", [])[:10]
    ]
    return message["harvest"]


def _log(what: str) -> None:
    if os.environ.get("COURSEWORK_TIMING"):
        print(
            f"[{time.strftime('%H:%M:%S')} {time.monotonic():.1f}] {what}",
            file=sys.stderr,
        )


def _reference_run(verdict: _Process, the_plan: Plan, result, full: bool) -> bool:
    """The verdict process's reference run: a calibration (``full``: kept in
    ``the_plan`` and the cache) or the reference definitions; False if it failed."""
    job = {
        "cells": the_plan.reference_cells,
        "bound": the_plan.bound,
        "tests": the_plan.tests,
        "definitions_only": not full,
        "calibrate": full,
    }
    global REFERENCE_RUNS
    REFERENCE_RUNS += full
    verdict.send({"job": job})
    reference = verdict.receive()
    _log("reference run")
    if reference is None or (full and reference.get("errors")):
        why = (reference or {}).get("errors") or ["the verdict process ended"]
        result.flags.append(f"trusted verdict unavailable ({why[0][:200]}): in kernel")
        result.verdicts = dict.fromkeys(the_plan.tests, IN_KERNEL)
        return False
    if full:
        the_plan.calibrated = reference.get("calibrated", {})
        the_plan.kinds = reference["kinds"]
        save_calibration(the_plan)
    return True


def _converse(start_student, verdict: _Process, the_plan: Plan, result) -> None:
    """The conversation of one grading; ``start_student()`` starts the sandboxed run
    (at once when the chapter is known, after the first reference run otherwise)."""
    with calibration_turn(the_plan, verdict.deadline) as full:
        # (a chapter another grading is calibrating: wait, and read its calibration)
        student = None if full else start_student()
        if not _reference_run(verdict, the_plan, result, full):
            return
    todo = _classify(the_plan, the_plan.kinds, result)
    if not todo:
        return
    student = student or start_student()
    values = _take_harvest(student.receive(), result, student)
    _log("harvest")
    replayed: dict = {}
    for round_ in range(ROUNDS):
        verdict.send({"run": todo, "values": values, "results": replayed})
        reply = verdict.receive()
        _log(f"round {round_ + 1}: {todo}")
        if reply is None:
            result.error = "the trusted verdict process failed"
            return
        for q in todo:
            possible = reply["possible"].get(q, 0.0)
            result.scores[q] = min(
                max(float(reply["scores"].get(q, 0.0)), 0.0), possible
            )
            if q in reply["reasons"]:
                result.reasons[q] = reply["reasons"][q]
            else:
                result.reasons.pop(q, None)
        calls = reply.get("calls", [])
        if not reply.get("retry") or not calls or round_ == ROUNDS - 1:
            return
        student.send({"calls": calls, "blobs": reply.get("blobs", {})})
        answer = student.receive() or {}
        asked = {c["id"] for c in calls}
        got = answer.get("results") if isinstance(answer.get("results"), dict) else {}
        replayed = {k: v for k, v in got.items() if k in asked and isinstance(v, dict)}
        # a call the sandbox did not answer is answered "raised" (the case fails)
        for k in asked - set(replayed):
            replayed[k] = {"raise": "RuntimeError", "message": "no result handed over"}
        todo = reply["retry"]


def trusted_questions(the_plan: Plan) -> list[str] | None:
    """The questions with a trusted verdict (None: not known before a first run)."""
    if the_plan.kinds is None:
        return None
    return _classify(the_plan, the_plan.kinds, TrustedResult())


def run_trusted(
    merged, name: str, autograder_zip: Path, the_plan: Plan, hide, timeout
) -> TrustedResult:
    """Grade the trusted questions of ``merged`` (see the module docstring)."""
    timeout = timeout or 1800
    result = TrustedResult()
    with tempfile.TemporaryDirectory(prefix="coursework-trusted-") as tmp:
        scratch, judge = Path(tmp) / "student", Path(tmp) / "verdict"
        for folder in (scratch / "_runner", scratch / "out", judge):
            folder.mkdir(parents=True)
        _support_files(autograder_zip, scratch)
        _support_files(autograder_zip, judge)
        for module in _RUNNER_MODULES:
            shutil.copy(_HERE / module, scratch / "_runner" / module)
        nbformat.write(merged, scratch / name)
        memory_mb, count = limits()
        job = {
            "memory_mb": memory_mb,
            "cells": _student_cells(merged, name),
            "names": sorted({n for names in the_plan.names.values() for n in names}),
            "log": str(scratch / "out" / "log.txt"),
        }
        (scratch / "job.json").write_text(json.dumps(job))
        prefix, env = sandbox_prefix(scratch, hide)
        before = _files(scratch)
        deadline = time.monotonic() + timeout
        runner = [sys.executable, str(scratch / "_runner" / "student_run.py")]
        started = [_start_verdict(judge, hide, deadline)]

        def start_student() -> _Process:
            command = [*prefix, *runner, str(scratch / "job.json")]
            process = _Process(command, scratch, env, deadline)
            if prefix and Path(prefix[0]).name == "bwrap":
                process.watch = watch_processes(process.proc.pid, count)
            started.append(process)
            return started[-1]

        try:
            _converse(start_student, started[0], the_plan, result)
        except TimeoutError:
            result.error = f"timed out after {timeout:g} s"
        finally:
            for process in started:
                process.kill()
        if killed := sum(p.watch() for p in started):
            result.crash.append(
                f"process limit of {count} exceeded: killed {killed} process(es)"
            )
        result.flags += _file_flags(before, _files(scratch))
    return result


class _Measured(Exception):
    """Raised instead of starting a sandboxed run: only the verdicts were wanted."""


def measure_verdicts(template: Path, autograder_zip: Path, timeout: float = 1800):
    """``{question: TRUSTED or IN_KERNEL}`` of a chapter, measured as the first grading
    does (the solutions handed over must score full points), without a submission."""
    the_plan = plan(template, autograder_zip)
    if the_plan is None:
        return None
    if the_plan.kinds is None:
        with tempfile.TemporaryDirectory(prefix="coursework-verdict-") as tmp:
            judge = Path(tmp)
            _support_files(autograder_zip, judge)
            deadline = time.monotonic() + timeout
            verdict = _start_verdict(judge, [autograder_zip.parent], deadline)

            def stop():
                raise _Measured

            try:
                _converse(stop, verdict, the_plan, TrustedResult())
            except _Measured:
                pass
            finally:
                verdict.kill()
    result = TrustedResult()
    _classify(the_plan, the_plan.kinds or {}, result)
    return result.verdicts
