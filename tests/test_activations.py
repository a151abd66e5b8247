"""Tests of chapter 4's implementations, as exported to ``sigmoidbook.ch4``.

The chapter checks its functions on a grid of hard inputs; these tests repeat the
checks on more inputs (more points near the thresholds, float32, random inputs drawn
by Hypothesis) so that a change to a chapter cell that breaks an edge case fails here.
The exact values come from mpmath at 50 significant digits, computed directly from
the definitions, independently of the chapter's SymPy references.

Tolerance (float64): |computed - exact| <= 4 * eps * |exact| + tiny, with
eps = 2**-52 and tiny = 2**-1022 (the smallest normal float64): four units in
the last place wherever the result is a normal number, absolute agreement to
2**-1022 where it is subnormal.
"""

import math
import warnings

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sigmoidbook.ch4 import (
    NEGATIVE_SLOPE,
    SigmoidFunction,
    derivative_by_autograd,
    leaky_relu_deriv_np,
    leaky_relu_deriv_py,
    leaky_relu_np,
    leaky_relu_py,
    leaky_relu_torch,
    relu_deriv_np,
    relu_deriv_py,
    relu_np,
    relu_py,
    relu_torch,
    sigmoid_deriv_np,
    sigmoid_deriv_py,
    sigmoid_np,
    sigmoid_py,
    sigmoid_torch,
)

EPS = 2.0**-52
TINY = 2.0**-1022
REL_ULPS = 4

GRID = [
    -math.inf,
    -1000.0,
    -745.2,
    -745.0,
    -720.0,
    -709.79,
    -709.78,
    -709.0,
    -40.0,
    -20.0,
    -1.0,
    -1e-300,
    -5e-324,
    -0.0,
    0.0,
    5e-324,
    1e-300,
    1.0,
    20.0,
    36.0,
    37.0,
    40.0,
    709.0,
    709.78,
    709.79,
    1000.0,
    math.inf,
    math.nan,
]

# The chapter's functions, by what they compute: (pure Python, NumPy, PyTorch).
SIGMOID = (sigmoid_py, sigmoid_np, sigmoid_torch)
RELU = (relu_py, relu_np, relu_torch)
LEAKY = (leaky_relu_py, leaky_relu_np, leaky_relu_torch)
PYTHON_FUNCTIONS = [
    sigmoid_py,
    sigmoid_deriv_py,
    relu_py,
    relu_deriv_py,
    leaky_relu_py,
    leaky_relu_deriv_py,
]
NUMPY_FUNCTIONS = [
    sigmoid_np,
    sigmoid_deriv_np,
    relu_np,
    relu_deriv_np,
    leaky_relu_np,
    leaky_relu_deriv_np,
]
TORCH_FUNCTIONS = [sigmoid_torch, relu_torch, leaky_relu_torch]

# --- exact references: the definitions in 50-digit arithmetic ----------------


def exact_sigmoid(x: float) -> float:
    with mpmath.workdps(50):
        return float(1 / (1 + mpmath.exp(-mpmath.mpf(x))))


def exact_sigmoid_deriv(x: float) -> float:
    # sigma'(x) = e^t / (1 + e^t)^2 with t = -|x| (sigma' is even): no inf/inf at +-inf
    with mpmath.workdps(50):
        e = mpmath.exp(-abs(mpmath.mpf(x)))
        return float(e / (1 + e) ** 2)


def exact_relu(x):
    return math.nan if math.isnan(x) else max(x, 0.0)


def exact_relu_deriv(x):
    return math.nan if math.isnan(x) else float(x > 0)


def exact_leaky(x, slope=NEGATIVE_SLOPE):
    return x if (x > 0 or math.isnan(x)) else slope * x


def exact_leaky_deriv(x, slope=NEGATIVE_SLOPE):
    return math.nan if math.isnan(x) else (1.0 if x > 0 else slope)


def close(computed, exact, rel_ulps=REL_ULPS, atol=TINY):
    """Elementwise: NaN exactly where exact is NaN, else within the stated tolerance."""
    computed = np.asarray(computed, dtype=np.float64)
    exact = np.asarray(exact, dtype=np.float64)
    nan_ok = np.isnan(computed) == np.isnan(exact)
    with np.errstate(invalid="ignore"):
        same = computed == exact  # covers +-inf
        within = np.abs(computed - exact) <= rel_ulps * EPS * np.abs(exact) + atol
    return nan_ok & (np.isnan(exact) | same | within)


def three_ways(functions, xs, **kw):
    """(pure Python, NumPy, PyTorch) applied to xs as floats, an array and a float64 tensor."""
    py, in_numpy, in_torch = functions
    return (
        np.array([py(x, **kw) for x in xs], dtype=np.float64),
        in_numpy(np.array(xs, dtype=np.float64), **kw),
        in_torch(torch.tensor(xs, dtype=torch.float64), **kw).numpy(),
    )


def autograd(f, xs):
    return derivative_by_autograd(f, torch.tensor(xs, dtype=torch.float64)).numpy()


# --- dtypes, shapes, special values ---------------------------------------------


@pytest.mark.parametrize("f", NUMPY_FUNCTIONS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_numpy_float_dtype_and_shape_kept(f, dtype):
    y = f(np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4))
    assert isinstance(y, np.ndarray) and y.dtype == dtype and y.shape == (3, 4)
    for empty in (np.array([], dtype=dtype), np.empty((0, 3), dtype=dtype)):
        assert f(empty).shape == empty.shape and f(empty).dtype == dtype


@pytest.mark.parametrize("f", TORCH_FUNCTIONS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_torch_dtype_and_shape_kept(f, dtype):
    y = f(torch.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4))
    assert isinstance(y, torch.Tensor) and y.dtype == dtype and y.shape == (3, 4)
    assert f(torch.empty(0, dtype=dtype)).shape == (0,)


def test_known_values():
    assert sigmoid_py(0.0) == sigmoid_np(np.float64(0.0)) == 0.5
    assert sigmoid_torch(torch.tensor(0.0)).item() == 0.5
    assert sigmoid_deriv_py(0.0) == sigmoid_deriv_np(np.float64(0.0)) == 0.25
    assert relu_py(-2.0) == 0.0 and relu_py(3.0) == 3.0
    assert relu_deriv_py(0.0) == 0.0 and relu_deriv_py(1e-300) == 1.0
    assert leaky_relu_py(-2.0) == -2.0 * NEGATIVE_SLOPE and leaky_relu_py(2.0) == 2.0
    assert leaky_relu_deriv_py(0.0) == NEGATIVE_SLOPE  # PyTorch's convention at 0
    assert leaky_relu_deriv_py(0.5, negative_slope=0.2) == 1.0
    assert sigmoid_py(-math.inf) == 0.0 and sigmoid_py(math.inf) == 1.0
    assert sigmoid_deriv_py(-math.inf) == 0.0 == sigmoid_deriv_py(math.inf)


def test_relu_of_minus_zero_is_equal_not_bit_identical():
    # The chapter says so: ours return +0.0, torch.relu passes -0.0 through.
    minus_zero = torch.tensor([-0.0], dtype=torch.float64)
    ours = [relu_py(-0.0), relu_np(np.array([-0.0]))[0], relu_torch(minus_zero)[0]]
    builtin = torch.relu(minus_zero)[0].item()
    assert all(v == 0.0 and math.copysign(1.0, float(v)) > 0 for v in ours)
    assert builtin == 0.0 and math.copysign(1.0, builtin) < 0


def test_leaky_relu_with_zero_slope_gives_nan_at_minus_inf():
    # As the comments in leaky_relu_py/np say, and as F.leaky_relu does: 0 * -inf.
    minus_inf = torch.tensor([-math.inf])
    assert math.isnan(leaky_relu_py(-math.inf, negative_slope=0.0))
    with np.errstate(invalid="ignore"):
        assert np.isnan(leaky_relu_np(np.array([-math.inf]), negative_slope=0.0)[0])
    assert torch.isnan(leaky_relu_torch(minus_inf, negative_slope=0.0)).all()
    assert torch.isnan(torch.nn.functional.leaky_relu(minus_inf, 0.0)).all()
    # any non-zero slope keeps -inf
    assert leaky_relu_py(-math.inf, negative_slope=1e-3) == -math.inf


def test_subnormal_range_is_kept():
    # sigma(-720) ~ e^-720, a subnormal float64; 1/(1 + exp(720)) would give 0.
    for result in three_ways(SIGMOID, [-720.0]):
        assert result[0] > 0.0


def apply(f, xs, dtype):
    """f on xs in the form it takes: floats one at a time, an array or a tensor."""
    if f in PYTHON_FUNCTIONS:
        return np.array([f(x) for x in xs])
    if f in NUMPY_FUNCTIONS:
        return f(np.array(xs, dtype=dtype))
    return f(torch.tensor(xs, dtype=getattr(torch, np.dtype(dtype).name))).numpy()


@pytest.mark.parametrize("f", PYTHON_FUNCTIONS + NUMPY_FUNCTIONS + TORCH_FUNCTIONS)
def test_nan_propagates_and_extremes_do_not_warn(f):
    xs = [
        -math.inf,
        -1e308,
        -1000.0,
        -709.79,
        709.79,
        1000.0,
        1e308,
        math.inf,
        math.nan,
    ]
    xs32 = [-math.inf, -3e38, -1000.0, -88.8, 88.8, 1000.0, 3e38, math.inf, math.nan]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # underflow to 0 is correct rounding, not an error
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            results = [apply(f, xs, np.float64)]
            if f not in PYTHON_FUNCTIONS:
                results.append(apply(f, xs32, np.float32))
    for result in results:
        assert math.isnan(result[-1]) and not np.isnan(result[:-1]).any()


# --- agreement with the exact values on the grid -----------------------------


def test_sigmoid_on_grid():
    exact = [exact_sigmoid(x) for x in GRID]
    for result in three_ways(SIGMOID, GRID):
        assert close(result, exact).all()


def test_sigmoid_deriv_on_grid():
    exact = [exact_sigmoid_deriv(x) for x in GRID]
    assert close([sigmoid_deriv_py(x) for x in GRID], exact).all()
    assert close(sigmoid_deriv_np(np.array(GRID)), exact).all()
    # Autograd through sigmoid_torch: relative accuracy everywhere, also at x = 0.
    assert close(autograd(sigmoid_torch, GRID), exact).all()
    # s(1 - s) from the saved output: only absolute accuracy (0 once s == 1.0).
    assert close(
        autograd(SigmoidFunction.apply, GRID), exact, rel_ulps=0, atol=EPS
    ).all()


def test_autograd_at_zero_is_a_quarter():
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    sigmoid_torch(x).backward()
    assert x.grad.item() == 0.25


@pytest.mark.parametrize(
    "functions, exact",
    [(RELU, exact_relu), (LEAKY, exact_leaky)],
    ids=["relu", "leaky_relu"],
)
def test_relu_family_on_grid(functions, exact):
    reference = [exact(x) for x in GRID]
    for result in three_ways(functions, GRID):
        assert close(result, reference, rel_ulps=0, atol=0).all()


@pytest.mark.parametrize(
    "py, in_numpy, exact",
    [
        (relu_deriv_py, relu_deriv_np, exact_relu_deriv),
        (leaky_relu_deriv_py, leaky_relu_deriv_np, exact_leaky_deriv),
    ],
    ids=["relu_deriv", "leaky_relu_deriv"],
)
def test_relu_family_derivatives_on_grid(py, in_numpy, exact):
    reference = [exact(x) for x in GRID]
    assert close([py(x) for x in GRID], reference, rel_ulps=0, atol=0).all()
    assert close(in_numpy(np.array(GRID)), reference, rel_ulps=0, atol=0).all()


@pytest.mark.parametrize(
    "forward, deriv",
    [(relu_torch, relu_deriv_np), (leaky_relu_torch, leaky_relu_deriv_np)],
    ids=["relu", "leaky_relu"],
)
def test_autograd_of_torch_versions_matches_written_derivatives(forward, deriv):
    # Autograd picks a branch for NaN instead of propagating it, so NaN is left out.
    xs = [x for x in GRID if not math.isnan(x)]
    assert np.array_equal(autograd(forward, xs), deriv(np.array(xs)))


def test_gradcheck():
    x = torch.tensor(
        [-30.0, -5.0, -1.0, 0.0, 1e-3, 1.0, 5.0, 30.0],
        dtype=torch.float64,
        requires_grad=True,
    )
    assert torch.autograd.gradcheck(SigmoidFunction.apply, (x,))
    assert torch.autograd.gradgradcheck(sigmoid_torch, (x,))


# --- property-based --------------------------------------------------------

any_float = st.floats(allow_nan=True, allow_infinity=True, width=64)
finite_float = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, width=64)
few_floats = st.lists(any_float, min_size=0, max_size=8)


@settings(max_examples=100, deadline=None, database=None)
@given(few_floats)
def test_three_ways_agree_with_exact_sigmoid(xs):
    exact = [exact_sigmoid(x) for x in xs]
    for result in three_ways(SIGMOID, xs):
        assert close(result, exact).all()


@settings(max_examples=100, deadline=None, database=None)
@given(few_floats)
def test_sigmoid_deriv_agrees_with_exact(xs):
    exact = [exact_sigmoid_deriv(x) for x in xs]
    assert close([sigmoid_deriv_py(x) for x in xs], exact).all()
    assert close(sigmoid_deriv_np(np.array(xs, dtype=np.float64)), exact).all()


@settings(max_examples=100, deadline=None, database=None)
@given(finite_float)
def test_symmetry_and_range(x):
    s, s_neg = sigmoid_py(x), sigmoid_py(-x)
    assert 0.0 <= s <= 1.0
    assert abs(s + s_neg - 1.0) <= 2 * EPS
    assert sigmoid_deriv_py(x) == sigmoid_deriv_py(-x)


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(finite_float, min_size=1, max_size=8))
def test_autograd_matches_sigmoid_deriv(xs):
    grad = autograd(sigmoid_torch, xs)
    assert close(grad, sigmoid_deriv_np(np.array(xs)), rel_ulps=8).all()


@settings(max_examples=100, deadline=None, database=None)
@given(few_floats, st.floats(0.0, 1.0, exclude_min=True))
def test_relu_family_three_ways_identical(xs, slope):
    for functions, kw in [(RELU, {}), (LEAKY, {"negative_slope": slope})]:
        py, in_numpy, in_torch = three_ways(functions, xs, **kw)
        assert np.array_equal(py, in_numpy, equal_nan=True)
        assert np.array_equal(in_numpy, in_torch, equal_nan=True)
    for py, in_numpy, kw in [
        (relu_deriv_py, relu_deriv_np, {}),
        (leaky_relu_deriv_py, leaky_relu_deriv_np, {"negative_slope": slope}),
    ]:
        by_loop = np.array([py(x, **kw) for x in xs], dtype=np.float64)
        assert np.array_equal(
            by_loop, in_numpy(np.array(xs, dtype=np.float64), **kw), equal_nan=True
        )


@settings(max_examples=50, deadline=None, database=None)
@given(st.lists(st.floats(-100, 100, width=32), min_size=1, max_size=8))
def test_float32_close_to_float64(xs):
    x32 = np.array(xs, dtype=np.float32)
    eps32 = float(np.finfo(np.float32).eps)
    tiny32 = float(np.finfo(np.float32).smallest_subnormal)
    for f in (sigmoid_np, sigmoid_deriv_np):
        y32, y64 = f(x32), f(x32.astype(np.float64))
        assert y32.dtype == np.float32
        assert (np.abs(y32 - y64) <= 4 * eps32 * y64 + tiny32).all()
