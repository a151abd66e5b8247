"""The sandboxed half of a trusted verdict: run the notebook, hand over values, call functions.

Copied into a submission's scratch folder and run there inside bubblewrap, *without any
test file*: ``python _runner/student_run.py job.json``.  It

1. executes the notebook's code cells (the instructor's cells with the student's answer
   cells) in an in-process IPython shell, a crash noted with its cell, and goes on;
2. audits what the code changed (builtins, ``sys.modules``, the attributes of NumPy,
   SymPy, torch, otter and ``sigmoidbook``, files in ``/tmp``, processes left running);
3. writes the answers named in ``job.json`` (:func:`harvest.encode`), the crashes and
   the audit as one JSON line to the orchestrator;
4. then answers requests ``{"calls": [...]}``: calls a function answer on the inputs the
   trusted side chose, under the same NumPy error state and warning filter.

Everything here runs in the student's process: a submission can change any of it.  The
trusted side therefore treats what comes back only as the student's answer values.
"""

import builtins
import io
import json
import os
import sys
import time
import types

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, _HERE)
import harvest  # noqa: E402

_WATCHED = ("numpy", "math", "sympy", "torch", "otter", "sigmoidbook")


def _import_watched() -> None:
    """Import what the audit watches (the notebook imports most of it anyway)."""
    import importlib
    import importlib.util

    # torch._dynamo wraps torch.manual_seed when first imported (by torch.optim)
    for name in (*_WATCHED, "otter.test_files.ok_test", "torch._dynamo"):
        try:
            if importlib.util.find_spec(name.split(".")[0]) is not None:
                importlib.import_module(name)
        except Exception:  # a module that fails to import is not watched
            continue


def _code_ids(module) -> dict[str, int]:
    """``{name: id}`` of a module's functions, classes and modules (not its data)."""
    return {
        k: id(v)
        for k, v in list(vars(module).items())
        if callable(v) or isinstance(v, types.ModuleType)
    }


def _snapshot() -> dict:
    modules = {name: id(m) for name, m in sys.modules.items()}
    attrs = {}
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in _WATCHED and module is not None:
            attrs[name] = _code_ids(module)
    return {
        "builtins": _code_ids(builtins),
        "modules": modules,
        "attrs": attrs,
        "tmp": set(os.listdir("/tmp")) if os.path.isdir("/tmp") else set(),
    }


def _changed(before: dict, after: dict) -> list[str]:
    return sorted(k for k in before if k in after and after[k] != before[k]) + sorted(
        k for k in before if k not in after
    )


def _audit(before: dict) -> list[str]:
    now = _snapshot()
    found = []
    if changed := _changed(
        before["builtins"], {k: id(v) for k, v in vars(builtins).items()}
    ):
        found.append("replaced or deleted builtins: " + ", ".join(changed[:10]))
    if changed := _changed(before["modules"], now["modules"]):
        found.append(
            "replaced or removed modules in sys.modules: " + ", ".join(changed[:10])
        )
    for name, attrs in before["attrs"].items():
        module = sys.modules.get(name)
        if module is None:
            continue
        current = {k: id(v) for k, v in list(vars(module).items())}  # any kind now
        if changed := _changed(attrs, current):
            found.append(f"replaced attributes of {name}: " + ", ".join(changed[:10]))
    if new := sorted(now["tmp"] - before["tmp"]):
        found.append("wrote to /tmp: " + ", ".join(new[:10]))
    found += _processes()
    return found


def _processes() -> list[str]:
    mine = {os.getpid(), os.getppid(), 1}
    others = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in mine:
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    others.append(
                        f.read().replace(b"\0", b" ").decode(errors="replace")
                    )
            except OSError:
                continue
    if not others:
        return []
    return [f"left {len(others)} process(es) running: " + "; ".join(others)[:300]]


#: What an allocation over the address-space limit raises (NumPy, torch, Python).
_OUT_OF_MEMORY = ("Unable to allocate", "can't allocate memory", "out of memory")


def _run_cells(shell, cells: list[dict], memory_mb) -> list[str]:
    errors = []
    for cell in cells:
        result = shell.run_cell(cell["source"], store_history=False, silent=False)
        err = result.error_before_exec or result.error_in_exec
        if err is not None:
            message = " ".join(str(err).split())[:300]
            if memory_mb and (
                isinstance(err, MemoryError)
                or any(m in message for m in _OUT_OF_MEMORY)
            ):
                message = f"memory limit of {memory_mb} MB exceeded: {message[:150]}"
            errors.append(f"{type(err).__name__}: {message} (in {cell['label']})")
    return errors


def _peak_mb() -> dict:
    """Peak resident and address-space size of this process (MB), from /proc."""
    peaks = {}
    try:
        with open("/proc/self/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("VmPeak", "VmHWM"):
                    peaks[key] = int(value.split()[0]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return peaks


def _call(namespace: dict, request: dict, blobs: dict):
    function = namespace.get(request["name"])
    if not callable(function):
        return {"raise": "NameError", "message": f"{request['name']} is not defined"}
    return harvest.call_request(function, request, namespace, blobs)


def main(job_path: str) -> None:
    with open(job_path) as f:
        job = json.load(f)
    channel = os.fdopen(os.dup(1), "w")
    requests = os.fdopen(os.dup(0), "r")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # input() in a cell reads nothing
    sys.stdin = open(os.devnull)  # noqa: SIM115
    log = open(job["log"], "w", buffering=1)  # noqa: SIM115
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    sys.stdout = sys.stderr = log
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, os.getcwd())
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    _import_watched()
    before = _snapshot()
    originals = dict(vars(builtins))
    start = time.monotonic()
    errors = _run_cells(shell, job["cells"], job.get("memory_mb"))
    audit = _audit(before)
    vars(builtins).update(originals)  # so that the harvest below reads the answers
    values = {}
    for name in job["names"]:
        try:
            values[name] = harvest.encode(shell.user_ns[name])
        except Exception as err:  # not defined, or an object that cannot be encoded
            values[name] = {"unsupported": f"{type(err).__name__}"}
    message = {
        "harvest": values,
        "errors": errors,
        "audit": audit,
        "seconds": time.monotonic() - start,
        "peak_mb": _peak_mb(),
    }
    channel.write(json.dumps(message) + "\n")
    channel.flush()
    for line in requests:
        request = json.loads(line)
        if "calls" not in request:
            break
        blobs = request.get("blobs", {})
        results = {c["id"]: _call(shell.user_ns, c, blobs) for c in request["calls"]}
        channel.write(json.dumps({"results": results}) + "\n")
        channel.flush()


if __name__ == "__main__":
    main(sys.argv[1])
    sys.stdout = io.StringIO()
    os._exit(0)
