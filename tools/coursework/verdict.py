"""The trusted half of a verdict: the instructor's tests on values the sandbox handed over.

Run as ``python -m coursework.verdict`` (a separate process that never runs student
code; :mod:`coursework.trusted` drives it with JSON lines on stdin, answers come back on
stdout).  It

1. executes the instructor's reference cells (the ``exercise-setup`` cells and the
   exercises *with the solutions*) and reports each answer name's kind in the
   reference (a value, a function, or something that cannot be handed over);
2. binds every answer name to the *decoded* harvested value (:func:`harvest.decode`:
   never ``eval``, never unpickling) and every function answer to a :class:`_Stub`;
3. runs the OK-format test cases of the trusted questions (otter's doctest runner, here
   in the trusted process) and reports points, and the calls the stubs saw whose
   result the sandbox has not handed over yet.  A stub returns the reference solution's
   result for such a call (so the test goes on and reveals its next calls) and the case
   is counted failed until the student's own result for that call has been replayed.
   A replayed call also hands back the arguments the student's function changed in
   place (copied into the trusted side's own objects), the random state after the
   call and the :data:`harvest.WATCHED_CALLS` functions it entered;
4. binds a ``torch.autograd.Function`` answer to a trusted ``Function`` whose forward
   and backward are the student's ``apply`` and vector-Jacobian product, called in the
   sandbox like a function answer (:func:`_autograd_stub`).
"""

from __future__ import annotations

import ast
import json
import os
import random
import sys

from otter.test_files.abstract_test import TestCaseResult
from otter.test_files.ok_test import OKTestFile, run_doctest

from . import harvest, harvest_torch

#: Rounds of "the tests ask for calls, the sandbox answers them", at most.
ROUNDS = 4


def definitions(source: str) -> str:
    """The top-level ``def``/``class``/``import`` statements of a cell (as written)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    lines = source.splitlines()
    kinds = (
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Import,
        ast.ImportFrom,
    )
    kept = []
    for node in tree.body:
        if isinstance(node, kinds):
            first = min(
                [node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]
            )
            kept.append("\n".join(lines[first - 1 : node.end_lineno]))
    return "\n\n".join(kept)


class _State:
    """The student's results replayed so far, the calls still pending."""

    def __init__(self):
        self.results: dict[str, dict] = {}
        self.pending: dict[str, dict] = {}
        self.blobs: dict[str, str] = {}  # array data the pending calls share
        self.missed = False


def _call_key(name, method, args, kwargs, state: _State) -> dict:
    import warnings

    import numpy as np

    request = {
        "name": name,
        "method": method,
        "args": harvest.share_blobs(harvest.encode(list(args)), state.blobs),
        "kwargs": harvest.share_blobs(harvest.encode(dict(kwargs)), state.blobs),
        "errstate": np.geterr(),
        "warnings_error": bool(warnings.filters) and warnings.filters[0][0] == "error",
        "rng": harvest.rng_state(),
        "watch": list(harvest.WATCHED_CALLS),
    }
    request["id"] = harvest.request_id(request)
    return request


def _reraise(result: dict):
    """Raise what the student's function raised: the builtin class of that name, if any."""
    import builtins

    cls = getattr(builtins, str(result.get("raise", "")), None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = RuntimeError
    raise cls(f"(raised by the submission) {result.get('message', '')}")


def _replay_entered(entered) -> None:
    """Let a profiler of the trusted process see the watched functions the student's
    call entered (a no-op function with that name and file is called)."""
    if sys.getprofile() is None or not isinstance(entered, list):
        return
    for item in entered[:50]:
        if not (isinstance(item, list) and len(item) == 2):
            continue
        module, name = item
        if module not in harvest.WATCHED_CALLS or not str(name).isidentifier():
            continue
        origin = getattr(sys.modules.get(module), "__file__", None)
        if origin is None:
            continue
        scope: dict = {"__name__": module}
        profile = sys.getprofile()
        sys.setprofile(None)
        exec(compile("def _entered():\n    pass\n", origin, "exec"), scope)
        function = scope["_entered"]
        function.__code__ = function.__code__.replace(co_name=name)
        sys.setprofile(profile)
        function()


class _Stub:
    """A function answer: replays the student's results, records the calls it has not."""

    def __init__(self, name: str, reference, state: _State, namespace: dict):
        self.name, self.reference, self.state = name, reference, state
        self.namespace = namespace
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return self.invoke(None, args, kwargs)

    def invoke(self, method, args, kwargs):
        request = _call_key(self.name, method, args, kwargs, self.state)
        if any(
            harvest.kind(e) != "value" for e in request["args"] + [request["kwargs"]]
        ):
            raise TypeError(f"{self.name}: an argument cannot be handed to the sandbox")
        result = self.state.results.get(request["id"])
        if result is None:
            self.state.missed = True
            self.state.pending[request["id"]] = request
            if self.reference is None:
                raise RuntimeError(f"{self.name}: no reference to stand in")
            return harvest._invoke(self.reference, method, args, kwargs)
        if "raise" in result:
            _reraise(result)
        profile = sys.getprofile()  # a test's profiler sees only the student's calls
        sys.setprofile(None)
        try:
            value = self._replay(result, args)
        finally:
            sys.setprofile(profile)
        _replay_entered(result.get("entered"))
        return value

    def _replay(self, result: dict, args):
        decode = lambda v: harvest.decode(v, namespace=self.namespace)
        after = result.get("after") if isinstance(result.get("after"), dict) else {}
        for i, arg in enumerate(args):
            if str(i) in after:
                harvest_torch.assign_into(arg, decode(after[str(i)]))
        same = result.get("same")
        if type(same) is int and 0 <= same < len(args):
            value = args[same]
        else:
            value = decode(result.get("value"))
        harvest.set_rng_state(result.get("rng"))
        return value


def _is_autograd_function(value) -> bool:
    torch = sys.modules.get("torch")
    return (
        torch is not None
        and isinstance(value, type)
        and issubclass(value, torch.autograd.Function)
    )


def _autograd_stub(stub: _Stub):
    """A trusted ``torch.autograd.Function`` whose forward and backward are the
    student's (``apply`` and a vector-Jacobian product, called in the sandbox)."""
    import torch

    class Replayed(torch.autograd.Function):
        @staticmethod
        def forward(ctx, *inputs):
            ctx.inputs = tuple(
                i.detach() if isinstance(i, torch.Tensor) else i for i in inputs
            )
            return stub.invoke("apply", ctx.inputs, {})

        @staticmethod
        def backward(ctx, grad):
            grads = stub.invoke("vjp", (*ctx.inputs, grad), {})
            return tuple(grads) if isinstance(grads, tuple | list) else grads

    Replayed.__name__ = Replayed.__qualname__ = stub.name
    return Replayed


class Verdict:
    """The trusted namespace of one grading: reference cells run, answers bound, tests run."""

    def __init__(self, job: dict):
        from IPython.core.interactiveshell import InteractiveShell

        self.job = job
        self.shell = InteractiveShell.instance()
        self.ns = self.shell.user_ns
        self.state = _State()
        self.errors = []
        for cell in job["cells"]:
            source = cell["source"]
            if job.get("definitions_only") and cell["role"] != "setup":
                if cell["role"] == "exercise":
                    continue
                source = definitions(source)
            result = self.shell.run_cell(source, store_history=False)
            err = result.error_before_exec or result.error_in_exec
            if err is not None:
                self.errors.append(f"{type(err).__name__}: {err} (in {cell['label']})")
        self.reference = {n: self.ns.get(n) for n in job["bound"]}
        self.rng = self._rng_state()

    def kinds(self) -> dict[str, str]:
        return {
            n: (
                "missing"
                if n not in self.ns
                else "autograd"
                if _is_autograd_function(v)
                else harvest.kind(harvest.encode(v))
            )
            for n, v in self.reference.items()
        }

    def _rng_state(self):
        import numpy as np

        torch = sys.modules.get("torch")
        return (
            random.getstate(),
            np.random.get_state(),
            torch.get_rng_state() if torch else None,
        )

    def _restore_rng(self):
        import numpy as np

        random.setstate(self.rng[0])
        np.random.set_state(self.rng[1])
        if self.rng[2] is not None:
            sys.modules["torch"].set_rng_state(self.rng[2])

    def bind(self, values: dict) -> dict[str, str]:
        """Bind the harvested values; returns ``{name: why it is unbound}``."""
        problems = {}
        for name in self.job["bound"]:
            self.ns.pop(name, None)
        for name, encoded in values.items():
            if name not in self.job["bound"]:
                continue
            ref = self.reference.get(name)
            wanted = harvest.kind(harvest.encode(ref))
            got = harvest.kind(encoded)
            if _is_autograd_function(ref):
                if got == "class":
                    stub = _Stub(name, ref, self.state, self.ns)
                    self.ns[name] = _autograd_stub(stub)
                else:
                    problems[name] = "not a class"
                continue
            if wanted == "function" or (
                wanted in ("class", "object") and callable(ref)
            ):
                if got in ("function", "class", "object"):
                    self.ns[name] = _Stub(name, ref, self.state, self.ns)
                else:
                    problems[name] = "not a function"
                continue
            try:
                self.ns[name] = harvest.decode(encoded, namespace=self.ns)
            except (harvest.HarvestError, ValueError, TypeError) as err:
                problems[name] = str(err)[:200]
        return problems

    def calibrate(self) -> dict[str, bool]:
        """``{question: True}`` if handing over the reference answers (values encoded
        and decoded, functions called through stubs) reproduces its full points."""
        values = {n: harvest.encode(v) for n, v in self.reference.items()}
        todo, full = list(self.job["tests"]), {}
        for _ in range(ROUNDS):
            out = self.run(todo, values)
            full.update({q: out["scores"][q] == out["possible"][q] for q in todo})
            if not out["retry"] or not out["calls"]:
                break
            for call in out["calls"]:
                function = self.reference.get(call["name"])
                self.state.results[call["id"]] = harvest.call_request(
                    function, call, self.ns, out["blobs"]
                )
            todo = out["retry"]
        return full

    def run(self, questions: list[str], values: dict) -> dict:
        """Scores of ``questions``, the calls still pending, the first failure of each."""
        self.state.pending = {}
        out = {"scores": {}, "possible": {}, "reasons": {}, "retry": []}
        for q in questions:
            self._restore_rng()
            self.bind(values)
            test = OKTestFile.from_spec(self.job["tests"][q])
            test.test_case_results = []
            retry = False
            for i, case in enumerate(test.test_cases):
                self.state.missed = False
                passed, message = run_doctest(f"{q} {i}", case.body, self.ns)
                passed = passed and not self.state.missed
                retry = retry or self.state.missed
                if not passed and q not in out["reasons"]:
                    out["reasons"][q] = _reason(case, message, self.state.missed)
                test.test_case_results.append(TestCaseResult(case, message, passed))
            out["scores"][q] = float(test.score)
            out["possible"][q] = float(test.possible)
            if retry:
                out["retry"].append(q)
        out["calls"] = list(self.state.pending.values())
        used: dict = {}
        harvest.share_blobs(
            harvest.resolve(out["calls"], self.state.blobs), used
        )  # only the arrays the pending calls name
        out["blobs"] = used
        self.state.blobs = {}
        return out


def _reason(case, message: str, missed: bool) -> str:
    if missed:
        return "a call of a function answer was not handed over"
    if case.failure_message:
        return str(case.failure_message)
    lines = [line for line in message.splitlines() if line.strip()]
    return lines[-1][:200] if lines else "test failed"


def main() -> None:
    channel = os.fdopen(os.dup(1), "w")
    devnull = open(os.devnull, "w")  # noqa: SIM115
    os.dup2(devnull.fileno(), 1)
    sys.stdout = devnull
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.path.insert(0, os.getcwd())
    verdict = None
    for line in sys.stdin:
        request = json.loads(line)
        if "job" in request:
            verdict = Verdict(request["job"])
            reply = {"kinds": verdict.kinds(), "errors": verdict.errors}
            if request["job"].get("calibrate") and not verdict.errors:
                reply["calibrated"] = verdict.calibrate()
                verdict.state = _State()
        elif "run" in request:
            verdict.state.results.update(request.get("results", {}))
            bound_problems = verdict.bind(request["values"])
            reply = verdict.run(request["run"], request["values"])
            reply["unbound"] = bound_problems
        else:
            break
        channel.write(json.dumps(reply) + "\n")
        channel.flush()


if __name__ == "__main__":
    main()
    os._exit(0)
