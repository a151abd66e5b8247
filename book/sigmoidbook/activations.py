"""Reference implementations of the activation functions, stable at the extremes.

Chapter 4 writes these functions three times (pure Python, NumPy, PyTorch),
shows why the naive sigmoid formula fails, and tests that the versions here
agree with the exact values.  Later chapters import them from here::

    from sigmoidbook.activations import sigmoid, sigmoid_deriv, relu

Every function accepts one of

* a Python ``int`` or ``float``: the result is a ``float``, computed with :mod:`math`;
* a NumPy array or NumPy scalar of integer or floating dtype: the result has the
  same shape; a floating dtype is kept (float32 stays float32), integers become
  float64;
* a ``torch.Tensor`` of integer or floating dtype: the result is a tensor of the
  same shape (integers become ``torch.get_default_dtype()``), built from torch
  operations so that autograd differentiates it correctly, also at ``x = 0``.

Empty arrays and tensors are fine and give empty results.  NaN in gives NaN out,
for the derivatives too.  ``±inf`` give the limits (``sigmoid(-inf) == 0.0``).
No input overflows, warns or raises, because the exponential is only ever
evaluated at ``-|x| <= 0``.  Anything else (lists, strings, booleans, complex
numbers, object arrays) raises :class:`TypeError` with a message saying what to
pass instead.

Conventions at the kink of ReLU, as in PyTorch: ``relu_deriv(0) == 0`` and
``leaky_relu_deriv(0) == negative_slope``.

``torch`` is never imported by this module: a tensor can only be passed in if
the caller has imported torch already.
"""

from __future__ import annotations

import math
import numbers
import sys
from typing import Any

import numpy as np

__all__ = [
    "DEFAULT_NEGATIVE_SLOPE",
    "sigmoid",
    "sigmoid_deriv",
    "relu",
    "relu_deriv",
    "leaky_relu",
    "leaky_relu_deriv",
]

#: PyTorch's default slope of Leaky ReLU for negative inputs.
DEFAULT_NEGATIVE_SLOPE = 0.01


def _is_tensor(x: Any) -> bool:
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def _prepare(x: Any, name: str) -> tuple[str, Any]:
    """Classify ``x`` and convert it to a floating value of the same kind.

    Returns ``("python", float)``, ``("numpy", ndarray)``, ``("numpy-scalar",
    0-d ndarray)`` or ``("torch", Tensor)``.
    """
    if _is_tensor(x):
        torch = sys.modules["torch"]
        if x.dtype == torch.bool or x.is_complex():
            raise TypeError(f"{name}() needs a real-valued tensor, got dtype {x.dtype}")
        if not x.is_floating_point():
            x = x.to(torch.get_default_dtype())
        return "torch", x
    if isinstance(x, (np.ndarray, np.generic)):
        array = np.asarray(x)
        if array.dtype.kind in "iu":
            array = array.astype(np.float64)
        elif array.dtype.kind != "f":
            raise TypeError(
                f"{name}() needs an array of integer or floating dtype, got dtype {array.dtype}"
            )
        return ("numpy-scalar" if isinstance(x, np.generic) else "numpy"), array
    if isinstance(x, bool):
        raise TypeError(f"{name}() takes a number, not a bool")
    if isinstance(x, numbers.Real):
        return "python", float(x)
    hint = (
        " (convert a list with np.asarray first)"
        if isinstance(x, (list, tuple))
        else ""
    )
    raise TypeError(
        f"{name}() takes an int, a float, a NumPy array or a torch.Tensor, "
        f"not {type(x).__name__}{hint}"
    )


def _finish(kind: str, result: Any) -> Any:
    # A NumPy scalar in gives a NumPy scalar out, not a 0-d array.
    return result[()] if kind == "numpy-scalar" else result


def _check_slope(negative_slope: Any) -> float:
    if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real):
        raise TypeError(
            f"negative_slope must be a real number, not {type(negative_slope).__name__}"
        )
    slope = float(negative_slope)
    if not math.isfinite(slope):
        raise ValueError(f"negative_slope must be finite, got {slope}")
    return slope


def sigmoid(x):
    """The logistic sigmoid, sigma(x) = 1 / (1 + exp(-x)), evaluated stably.

    With e = exp(-|x|), which lies in (0, 1] and so cannot overflow,
    sigma(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0.  Both are
    accurate to a few units in the last place, including the subnormal results
    for x between about -745.13 and -708.40 (float64).  The formula
    1 / (1 + exp(-x)) raises (math) or warns (NumPy) below x = -709.78, and
    its 0.0 there loses those subnormal values.

    >>> sigmoid(0.0)
    0.5
    >>> sigmoid(-1000.0)  # the naive formula raises OverflowError here
    0.0
    """
    kind, v = _prepare(x, "sigmoid")
    if kind == "python":
        if v >= 0:
            return 1.0 / (1.0 + math.exp(-v))
        e = math.exp(v)  # NaN also lands here, and stays NaN
        return e / (1.0 + e)
    if kind == "torch":
        torch = sys.modules["torch"]
        # -|x| written with where, so that autograd sees slope -1 / +1 on each
        # side; x.abs() has autograd derivative 0 at x = 0, which would make
        # the derivative of this function wrongly 0 there.
        e = torch.exp(torch.where(v >= 0, -v, v))
        return torch.where(v >= 0, 1, e) / (1 + e)
    e = np.exp(-np.abs(v))
    return _finish(kind, np.where(v >= 0, 1, e) / (1 + e))


def sigmoid_deriv(x):
    """The derivative sigma'(x) = sigma(x) * (1 - sigma(x)), evaluated stably.

    Computed as e / (1 + e)**2 with e = exp(-|x|), which keeps full relative
    accuracy for large |x|.  (Forming sigma * (1 - sigma) from a computed
    sigma gives exactly 0 once that sigma is 1.0: for 1 / (1 + exp(-x)) from
    x = 53 ln 2 = 36.74 in float64 and x = 24 ln 2 = 16.64 in float32.)

    >>> sigmoid_deriv(0.0)
    0.25
    """
    kind, v = _prepare(x, "sigmoid_deriv")
    if kind == "python":
        e = math.exp(-abs(v))
        return e / (1.0 + e) ** 2
    if kind == "torch":
        torch = sys.modules["torch"]
        e = torch.exp(torch.where(v >= 0, -v, v))
        return e / (1 + e) ** 2
    e = np.exp(-np.abs(v))
    return _finish(kind, e / (1 + e) ** 2)


def relu(x):
    """The rectified linear unit, max(0, x); NaN stays NaN.

    >>> relu(-2.0), relu(3.0)
    (0.0, 3.0)
    """
    kind, v = _prepare(x, "relu")
    if kind == "python":
        return 0.0 if v <= 0 else v  # NaN <= 0 is False, so NaN passes through
    if kind == "torch":
        return sys.modules["torch"].where(v <= 0, 0.0, v)
    return _finish(kind, np.where(v <= 0, 0, v))


def relu_deriv(x):
    """The derivative of ReLU: 1 for x > 0, 0 for x <= 0 (0 at the kink, like PyTorch), NaN for NaN.

    >>> relu_deriv(0.0), relu_deriv(2.0)
    (0.0, 1.0)
    """
    kind, v = _prepare(x, "relu_deriv")
    if kind == "python":
        if math.isnan(v):
            return math.nan
        return 1.0 if v > 0 else 0.0
    if kind == "torch":
        torch = sys.modules["torch"]
        return torch.where(torch.isnan(v), v, (v > 0).to(v.dtype))
    return _finish(kind, np.heaviside(v, 0))  # heaviside(NaN) is NaN


def leaky_relu(x, negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """Leaky ReLU: x for x > 0, negative_slope * x otherwise; NaN stays NaN.

    >>> leaky_relu(-2.0)
    -0.02
    """
    slope = _check_slope(negative_slope)
    kind, v = _prepare(x, "leaky_relu")
    if kind == "python":
        return v if v > 0 else slope * v
    if kind == "torch":
        return sys.modules["torch"].where(v > 0, v, slope * v)
    # min(x, 0): the unselected branch must not compute slope * inf (NaN, with a warning)
    return _finish(kind, np.where(v > 0, v, slope * np.minimum(v, 0)))


def leaky_relu_deriv(x, negative_slope=DEFAULT_NEGATIVE_SLOPE):
    """The derivative of Leaky ReLU: 1 for x > 0, negative_slope for x <= 0, NaN for NaN.

    >>> leaky_relu_deriv(0.0)
    0.01
    """
    slope = _check_slope(negative_slope)
    kind, v = _prepare(x, "leaky_relu_deriv")
    if kind == "python":
        if math.isnan(v):
            return math.nan
        return 1.0 if v > 0 else slope
    if kind == "torch":
        torch = sys.modules["torch"]
        d = torch.where(v > 0, torch.ones_like(v), torch.full_like(v, slope))
        return torch.where(torch.isnan(v), v, d)
    d = np.where(v > 0, 1, slope).astype(v.dtype)
    return _finish(kind, np.where(np.isnan(v), v, d))
