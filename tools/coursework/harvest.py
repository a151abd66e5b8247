"""Handing values from a sandboxed run to the trusted verdict: a safe, typed JSON format.

:func:`encode` (run in the *student's* process, so it may be fooled: what it produces
is only ever data) turns an answer into plain JSON:

* ``None``, ``bool``, ``int``, ``str`` as themselves; ``float`` as ``{"float": repr}``
  (so ``nan``/``inf`` and every bit survive);
* lists, tuples and dicts (string keys) of those;
* NumPy arrays and scalars and torch tensors as ``{"array"|"tensor": dtype, "shape",
  "b64"}`` (raw little-endian bytes of a whitelisted dtype);
* SymPy objects as ``{"sympy": sp.srepr(value)}``, read back by
  :func:`coursework.safe_sympy.parse_srepr` (a whitelist parser: never ``eval``);
* modules of whitelisted ``torch.nn`` classes and dataclass records as described in
  :mod:`coursework.harvest_torch` (rebuilt from trusted classes, never the student's);
* functions and classes as ``{"callable": kind}``; anything else as
  ``{"unsupported": type name}``.

Large array data (over :data:`BLOB_CHARS`) in a call request is sent once per message
(:func:`share_blobs`, :func:`resolve`), and a request is named by a hash.

:func:`decode` (trusted side) rebuilds the value, rejecting anything malformed with
:class:`HarvestError`; it never unpickles, imports or evaluates what it reads.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
import math
import sys
import types

import numpy as np

try:
    from . import harvest_torch
except ImportError:  # a copy in the sandbox, imported as a top-level module
    import harvest_torch

#: Largest encoded size (characters of JSON) of one run's values.
MAX_BYTES = 64_000_000
MAX_DEPTH = 20
_DTYPES = frozenset(
    [
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
        "complex64",
        "complex128",
    ]
)


class HarvestError(ValueError):
    """A harvested value that cannot be handed over (malformed, too large, unknown)."""


def _float(value: float) -> dict:
    return {"float": repr(float(value))}


def _array(kind: str, dtype: str, shape, data: bytes) -> dict:
    if dtype not in _DTYPES:
        return {"unsupported": f"{kind} of dtype {dtype}"}
    return {
        kind: dtype,
        "shape": [int(n) for n in shape],
        "b64": base64.b64encode(data).decode("ascii"),
    }


def _encode_numpy(value) -> dict:
    arr = np.asarray(value)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    out = _array(
        "array", arr.dtype.name, arr.shape, np.ascontiguousarray(arr).tobytes()
    )
    if isinstance(value, np.generic) and "array" in out:
        out["scalar"] = True
    return out


def _encode_tensor(value) -> dict:
    t = value.detach().cpu().contiguous()
    dtype = str(t.dtype).removeprefix("torch.")
    if dtype == "bfloat16":
        return {"unsupported": "tensor of dtype bfloat16"}
    return _array("tensor", dtype, t.shape, t.numpy().tobytes())


def _encode_object(value, depth: int):
    """Everything that is not a plain Python scalar or container."""
    if isinstance(value, np.ndarray | np.generic):
        return _encode_numpy(value)
    module = type(value).__module__ or ""
    if module.startswith("torch") and type(value).__name__ in {"Tensor", "Parameter"}:
        return _encode_tensor(value)
    if module.startswith("sympy"):
        import sympy as sp

        if isinstance(value, sp.Basic | sp.MatrixBase):
            return {"sympy": sp.srepr(value)}
    if harvest_torch.is_module(value):
        return harvest_torch.encode_module(value, encode, depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return harvest_torch.encode_record(value, encode, depth)
    if isinstance(value, type):
        return {"callable": "class"}
    if isinstance(value, types.FunctionType | types.BuiltinFunctionType):
        return {"callable": "function"}
    if callable(value):
        return {"callable": "object"}
    return {"unsupported": type(value).__name__}


def encode(value, depth: int = 0):
    """``value`` as plain JSON (see the module docstring)."""
    if depth > MAX_DEPTH:
        return {"unsupported": "nested too deeply"}
    if value is None or type(value) in (bool, int, str):
        return value
    if type(value) is float:
        return _float(value)
    if type(value) in (list, tuple):
        items = [encode(v, depth + 1) for v in value]
        return {"tuple": items} if type(value) is tuple else items
    if type(value) is dict:
        if not all(type(k) is str for k in value):
            return {"unsupported": "dict with non-string keys"}
        return {"dict": {k: encode(v, depth + 1) for k, v in value.items()}}
    return _encode_object(value, depth)


def kind(encoded) -> str:
    """``"value"``, ``"function"``, ``"class"``/``"object"`` (callables) or ``"unsupported"``."""
    if isinstance(encoded, dict):
        if "callable" in encoded:
            return str(encoded["callable"])
        if "unsupported" in encoded:
            return "unsupported"
    return "value"


def _decode_array(obj: dict):
    key = "array" if "array" in obj else "tensor"
    dtype, shape = obj[key], obj.get("shape")
    if dtype not in _DTYPES or not isinstance(shape, list):
        raise HarvestError(f"bad {key}: dtype {dtype!r}, shape {shape!r}")
    if not all(type(n) is int and n >= 0 for n in shape):
        raise HarvestError(f"bad {key} shape {shape!r}")
    try:
        data = base64.b64decode(obj["b64"], validate=True)
    except (KeyError, TypeError, ValueError) as err:
        raise HarvestError(f"bad {key} data: {err}") from err
    arr = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"))
    if arr.size != math.prod(shape):
        raise HarvestError(f"{key} of shape {shape} holds {arr.size} values")
    arr = arr.reshape(shape).astype(dtype)  # a writable, native-order copy
    if key == "tensor":
        import torch

        return torch.from_numpy(arr)
    if obj.get("scalar") is True and arr.ndim == 0:
        return arr[()]
    return arr


def decode(obj, depth: int = 0, namespace: dict | None = None):
    """The value that :func:`encode` described; :class:`HarvestError` if malformed.

    ``namespace``: the trusted namespace, whose SymPy function classes (e.g. a chapter's
    ``sigma``) a SymPy expression may name.
    """
    if depth > MAX_DEPTH:
        raise HarvestError("nested too deeply")
    if obj is None or type(obj) in (bool, int, str):
        return obj
    if type(obj) is list:
        return [decode(v, depth + 1, namespace) for v in obj]
    if type(obj) is not dict or len(obj) == 0:
        raise HarvestError(f"not a harvested value: {type(obj).__name__}")
    if "float" in obj:
        text = obj["float"]
        if type(text) is not str or len(text) > 40:
            raise HarvestError("bad float")
        return float(text)
    if "tuple" in obj and type(obj["tuple"]) is list:
        return tuple(decode(v, depth + 1, namespace) for v in obj["tuple"])
    if "dict" in obj and type(obj["dict"]) is dict:
        return {str(k): decode(v, depth + 1, namespace) for k, v in obj["dict"].items()}
    if "array" in obj or "tensor" in obj:
        return _decode_array(obj)
    if "sympy" in obj and type(obj["sympy"]) is str:
        try:
            from .safe_sympy import parse_srepr
        except ImportError:  # a copy in the sandbox, imported as a top-level module
            from safe_sympy import parse_srepr

        return parse_srepr(obj["sympy"], namespace or {})
    if "module" in obj:
        return harvest_torch.decode_module(
            obj, lambda v, d: decode(v, d, namespace), depth, HarvestError
        )
    if "record" in obj:
        return harvest_torch.decode_record(
            obj, lambda v, d: decode(v, d, namespace), depth, HarvestError
        )
    if "callable" in obj or "unsupported" in obj:
        raise HarvestError(f"cannot hand over {obj}")
    raise HarvestError(f"unknown harvested value {sorted(obj)[:3]}")


#: Array data longer than this (characters of base64) is shared between the calls of
#: one message instead of repeated in each.
BLOB_CHARS = 100_000
#: Modules whose functions a function answer entered are reported back, so that a
#: test that watches them (``sys.setprofile``) sees them in the trusted process.
WATCHED_CALLS = ("torch.nn.init",)


def share_blobs(obj, blobs: dict):
    """``obj`` with each long ``b64`` string replaced by ``{"blob": sha256}`` (in ``blobs``)."""
    if isinstance(obj, list):
        return [share_blobs(v, blobs) for v in obj]
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "b64" and isinstance(v, str) and len(v) > BLOB_CHARS:
                digest = hashlib.sha256(v.encode()).hexdigest()
                blobs[digest] = v
                out["blob"] = digest
            else:
                out[k] = share_blobs(v, blobs)
        return out
    return obj


def resolve(obj, blobs: dict):
    """The inverse of :func:`share_blobs` (a missing blob: :class:`HarvestError`)."""
    if isinstance(obj, list):
        return [resolve(v, blobs) for v in obj]
    if isinstance(obj, dict):
        if "blob" in obj:
            data = blobs.get(obj["blob"]) if isinstance(obj["blob"], str) else None
            if not isinstance(data, str):
                raise HarvestError("a shared array is missing")
            return {**{k: v for k, v in obj.items() if k != "blob"}, "b64": data}
        return {k: resolve(v, blobs) for k, v in obj.items()}
    return obj


def request_id(request: dict) -> str:
    """The name of a call request: a hash of everything but its name."""
    text = json.dumps({k: v for k, v in request.items() if k != "id"}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def rng_state() -> dict:
    """The global NumPy and (if imported) torch random states, encoded."""
    state = {"numpy": encode(np.random.get_state())}
    torch = sys.modules.get("torch")
    if torch is not None:
        state["torch"] = encode(torch.get_rng_state())
    return state


def set_rng_state(state) -> None:
    if not isinstance(state, dict):
        return
    if "numpy" in state:
        np.random.set_state(decode(state["numpy"]))
    torch = sys.modules.get("torch")
    if torch is not None and "torch" in state:
        torch.set_rng_state(decode(state["torch"]))


def _snapshot(value):
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    if isinstance(value, torch.Tensor):
        return ("tensor", value.detach().clone())
    if harvest_torch.is_module(value):
        return (
            "module",
            [(n, type(m)) for n, m in value.named_modules()],
            {k: v.detach().clone() for k, v in value.state_dict().items()},
            value.training,
        )
    return None


def _same(a, b) -> bool:
    import torch

    if a[0] != b[0]:
        return False
    if a[0] == "tensor":
        return a[1].shape == b[1].shape and bool(torch.equal(a[1], b[1]))
    return (
        a[1] == b[1]
        and a[2].keys() == b[2].keys()
        and all(torch.equal(a[2][k], b[2][k]) for k in a[2])
        and a[3] == b[3]
    )


@contextlib.contextmanager
def _watching(modules, entered: set):
    modules = {m for m in modules if m in WATCHED_CALLS}
    if not modules:
        yield
        return

    def watch(frame, event, arg):
        if event == "call" and frame.f_globals.get("__name__") in modules:
            entered.add((frame.f_globals["__name__"], frame.f_code.co_name))

    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        yield
    finally:
        sys.setprofile(previous)


def _invoke(function, method, args, kwargs):
    """``function(*args)``; for an autograd.Function, ``apply`` or a vector-Jacobian
    product (``"vjp"``: the last argument is the gradient of the output)."""
    if method is None:
        return function(*args, **kwargs)
    if method == "apply":
        return function.apply(*args)
    if method == "vjp":
        import torch

        *inputs, grad = args
        with torch.enable_grad():
            leaves = [
                a.detach().requires_grad_(True)
                if isinstance(a, torch.Tensor) and a.is_floating_point()
                else a
                for a in inputs
            ]
            output = function.apply(*leaves)
            wrt = [a for a in leaves if isinstance(a, torch.Tensor) and a.requires_grad]
            grads = iter(
                torch.autograd.grad(output, wrt, grad_outputs=grad, allow_unused=True)
            )
        return tuple(next(grads) if a in wrt else None for a in leaves)
    raise ValueError(f"unknown call method {method!r}")


def call_request(function, request: dict, namespace: dict, blobs=None) -> dict:
    """``function`` called on a request's decoded arguments, under the request's NumPy
    error state, warning filter and random state: ``{"value": encoded}`` (or
    ``{"same": i}``: it returned its argument ``i``) with ``"after"`` (the arguments it
    changed), ``"rng"`` and ``"entered"`` (see :data:`WATCHED_CALLS`); or
    ``{"raise": type}``."""
    import warnings

    try:
        args = decode(resolve(request["args"], blobs or {}), namespace=namespace)
        kwargs = decode(resolve(request["kwargs"], blobs or {}), namespace=namespace)
        before = [_snapshot(a) for a in args]
        entered: set = set()
        set_rng_state(request.get("rng"))
        with (
            warnings.catch_warnings(),
            np.errstate(**request["errstate"]),
            _watching(request.get("watch", ()), entered),
        ):
            if request["warnings_error"]:
                warnings.simplefilter("error")
            value = _invoke(function, request.get("method"), args, kwargs)
        same = [i for i, a in enumerate(args) if value is a and before[i] is not None]
        out = {"same": same[0]} if same else {"value": encode(value)}
        out["after"] = {
            str(i): encode(a)
            for i, (a, b) in enumerate(zip(args, before, strict=True))
            if b is not None and not _same(b, _snapshot(a))
        }
        out["rng"] = rng_state()
        out["entered"] = sorted(entered)
        return out
    except Exception as err:  # what the function raised is handed over
        return {"raise": type(err).__name__, "message": str(err)[:300]}
