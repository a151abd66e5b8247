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
* functions and classes as ``{"callable": kind}``; anything else as
  ``{"unsupported": type name}``.

:func:`decode` (trusted side) rebuilds the value, rejecting anything malformed with
:class:`HarvestError`; it never unpickles, imports or evaluates what it reads.
"""

from __future__ import annotations

import base64
import math
import types

import numpy as np

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
    if "callable" in obj or "unsupported" in obj:
        raise HarvestError(f"cannot hand over {obj}")
    raise HarvestError(f"unknown harvested value {sorted(obj)[:3]}")


def call_request(function, request: dict, namespace: dict) -> dict:
    """``function`` called on a request's decoded arguments, under the request's NumPy
    error state and warning filter: ``{"value": encoded}`` or ``{"raise": type}``."""
    import warnings

    try:
        args = decode(request["args"], namespace=namespace)
        kwargs = decode(request["kwargs"], namespace=namespace)
        with warnings.catch_warnings(), np.errstate(**request["errstate"]):
            if request["warnings_error"]:
                warnings.simplefilter("error")
            value = function(*args, **kwargs)
        return {"value": encode(value)}
    except Exception as err:  # what the function raised is handed over
        return {"raise": type(err).__name__, "message": str(err)[:300]}
