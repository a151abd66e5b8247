"""Tests of sigmoidbook.activations: types and errors, exact values, parity, autograd.

Chapter 4 makes the same parity checks in the text; these keep them true when
the module changes.  "Exact" values come from SymPy's expressions evaluated
with mpmath at 50 significant digits.

Tolerance (float64): |computed - exact| <= 4 * eps * |exact| + tiny, with
eps = 2**-52 and tiny = 2**-1022 (the smallest normal float64): four units in
the last place wherever the result is a normal number, absolute agreement to
2**-1022 where it is subnormal.
"""

import math
import sys
import warnings

import mpmath
import numpy as np
import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.autograd.gradcheck import GradcheckError

from sigmoidbook import activations as act

EPS = 2.0**-52
TINY = 2.0**-1022
REL_ULPS = 4
SLOPE = act.DEFAULT_NEGATIVE_SLOPE

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

# --- exact references from SymPy -------------------------------------------

_x = sympy.Symbol("x", real=True)
SIGMA = 1 / (1 + sympy.exp(-_x))
SIGMA_PRIME = sympy.diff(SIGMA, _x)
_sigma_mp = sympy.lambdify(_x, SIGMA, "mpmath")
_sigma_prime_mp = sympy.lambdify(_x, SIGMA_PRIME, "mpmath")


def exact_sigmoid(x: float) -> float:
    with mpmath.workdps(50):
        return float(_sigma_mp(mpmath.mpf(x)))


def exact_sigmoid_deriv(x: float) -> float:
    # sigma' is even; evaluating at |x| avoids inf/inf at x = -inf.
    with mpmath.workdps(50):
        return float(_sigma_prime_mp(mpmath.mpf(abs(x))))


def close(computed, exact, rel_ulps=REL_ULPS, atol=TINY):
    """Elementwise: NaN exactly where exact is NaN, else within the stated tolerance."""
    computed = np.asarray(computed, dtype=np.float64)
    exact = np.asarray(exact, dtype=np.float64)
    nan_ok = np.isnan(computed) == np.isnan(exact)
    with np.errstate(invalid="ignore"):
        same = computed == exact  # covers +-inf
        err = np.abs(computed - exact)
        within = err <= rel_ulps * EPS * np.abs(exact) + atol
    return nan_ok & (np.isnan(exact) | same | within)


def three_ways(f, xs, **kw):
    """f applied to xs as Python floats, as a NumPy array and as a torch tensor (float64)."""
    py = [f(x, **kw) for x in xs]
    arr = f(np.array(xs), **kw)
    ten = f(torch.tensor(xs, dtype=torch.float64), **kw).numpy()
    return np.array(py), arr, ten


def autograd_derivative(f, xs, **kw):
    x = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    (grad,) = torch.autograd.grad(f(x, **kw).sum(), x)
    return grad.numpy()


# --- types, shapes and errors -------------------------------------------

ALL = [
    act.sigmoid,
    act.sigmoid_deriv,
    act.relu,
    act.relu_deriv,
    act.leaky_relu,
    act.leaky_relu_deriv,
]


@pytest.mark.parametrize("f", ALL)
def test_python_numbers_give_floats(f):
    assert type(f(1.5)) is float
    assert type(f(-2)) is float  # ints are accepted


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_numpy_float_dtype_and_shape_kept(f, dtype):
    x = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    y = f(x)
    assert isinstance(y, np.ndarray) and y.dtype == dtype and y.shape == (3, 4)
    scalar = f(dtype(0.5))
    assert isinstance(scalar, np.generic) and scalar.dtype == dtype


@pytest.mark.parametrize("f", ALL)
def test_integer_arrays_become_float64(f):
    y = f(np.arange(-3, 4))
    assert y.dtype == np.float64
    t = f(torch.arange(-3, 4))
    assert t.dtype == torch.get_default_dtype()


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_torch_dtype_and_shape_kept(f, dtype):
    x = torch.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    y = f(x)
    assert isinstance(y, torch.Tensor) and y.dtype == dtype and y.shape == (3, 4)


@pytest.mark.parametrize("f", ALL)
def test_empty_input_gives_empty_output(f):
    for dtype in (np.float32, np.float64):
        y = f(np.array([], dtype=dtype))
        assert y.shape == (0,) and y.dtype == dtype
    assert f(np.empty((0, 3))).shape == (0, 3)
    assert f(torch.empty(0)).shape == (0,)


@pytest.mark.parametrize("f", ALL)
@pytest.mark.parametrize(
    "bad",
    [
        [1.0, 2.0],
        (1.0,),
        "1.0",
        None,
        True,
        1 + 2j,
        np.array(["a", "b"]),
        np.array([1.0, None], dtype=object),
        np.array([True, False]),
        np.array([1 + 1j]),
        np.complex128(1),
        torch.tensor([True]),
        torch.tensor([1 + 1j]),
    ],
    ids=repr,
)
def test_bad_input_raises_type_error(f, bad):
    with pytest.raises(TypeError, match=f.__name__):
        f(bad)


def test_list_error_says_what_to_do():
    with pytest.raises(TypeError, match="np.asarray"):
        act.sigmoid([0.0, 1.0])


@pytest.mark.parametrize("f", [act.leaky_relu, act.leaky_relu_deriv])
def test_bad_negative_slope(f):
    with pytest.raises(TypeError):
        f(1.0, negative_slope="0.1")
    with pytest.raises(TypeError):
        f(1.0, negative_slope=True)
    with pytest.raises(ValueError):
        f(1.0, negative_slope=math.nan)


def test_module_does_not_import_torch():
    code = "import sys; sys.path.insert(0, 'book'); import sigmoidbook.activations; print('torch' in sys.modules)"
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False"


# --- values --------------------------------------------------------------


def test_known_values():
    assert act.sigmoid(0.0) == 0.5
    assert act.sigmoid_deriv(0.0) == 0.25
    assert act.relu(-2.0) == 0.0 and act.relu(3.0) == 3.0
    assert act.relu_deriv(0.0) == 0.0 and act.relu_deriv(1e-300) == 1.0
    assert act.leaky_relu(-2.0) == -2.0 * SLOPE and act.leaky_relu(2.0) == 2.0
    assert (
        act.leaky_relu_deriv(0.0) == SLOPE
        and act.leaky_relu_deriv(0.5, negative_slope=0.2) == 1.0
    )
    assert act.sigmoid(-math.inf) == 0.0 and act.sigmoid(math.inf) == 1.0
    assert act.sigmoid_deriv(-math.inf) == 0.0 and act.sigmoid_deriv(math.inf) == 0.0


def test_subnormal_range_is_kept():
    # sigma(-720) = e^-720 (to 1e-313 relative), a subnormal float64; 1/(1+exp(720)) would give 0.
    assert act.sigmoid(-720.0) > 0.0
    assert act.sigmoid(np.array([-720.0]))[0] > 0.0
    assert act.sigmoid(torch.tensor([-720.0], dtype=torch.float64)).item() > 0.0


@pytest.mark.parametrize("f", ALL)
def test_nan_propagates(f):
    py, arr, ten = three_ways(f, [math.nan, 1.0])
    for result in (py, arr, ten):
        assert math.isnan(result[0]) and not math.isnan(result[1])


@pytest.mark.parametrize("f", ALL)
def test_no_warnings_or_errors_at_extremes(f):
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
    arr32, ten32 = (
        np.array(xs32, dtype=np.float32),
        torch.tensor(xs32, dtype=torch.float32),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(
            over="raise", invalid="raise", divide="raise"
        ):  # underflow to 0 is correct
            three_ways(f, xs)
            f(arr32)
            f(ten32)


# --- parity on the grid ------------------------------------------------------


def test_sigmoid_parity_with_exact_on_grid():
    exact = [exact_sigmoid(x) for x in GRID]
    for result in three_ways(act.sigmoid, GRID):
        assert close(result, exact).all()
    # PyTorch's own sigmoid agrees too (it returns 0 a little early, in the subnormal range).
    assert close(
        torch.sigmoid(torch.tensor(GRID, dtype=torch.float64)).numpy(), exact
    ).all()


def test_sigmoid_deriv_parity_with_sympy_on_grid():
    exact = [exact_sigmoid_deriv(x) for x in GRID]
    for result in three_ways(act.sigmoid_deriv, GRID):
        assert close(result, exact).all()


def test_sigmoid_deriv_is_sympys_derivative():
    assert sympy.simplify(SIGMA_PRIME - SIGMA * (1 - SIGMA)) == 0
    assert (
        sympy.simplify(SIGMA_PRIME - SIGMA_PRIME.subs(_x, -_x)) == 0
    )  # even, used above


def test_sigmoid_deriv_matches_autograd_on_grid():
    exact = [exact_sigmoid_deriv(x) for x in GRID]
    # Autograd through the module's torch sigmoid: relative accuracy, also at x = 0.
    assert close(autograd_derivative(act.sigmoid, GRID), exact).all()
    # torch.sigmoid's backward uses s * (1 - s): only absolute accuracy (0 once s == 1.0).
    builtin = autograd_derivative(lambda t: torch.sigmoid(t), GRID)
    assert close(builtin, exact, rel_ulps=0, atol=EPS).all()


def test_autograd_at_zero_is_a_quarter():
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    act.sigmoid(x).backward()
    assert x.grad.item() == 0.25


def _exact_relu(x):
    return math.nan if math.isnan(x) else max(x, 0.0)


def _exact_relu_deriv(x):
    return math.nan if math.isnan(x) else float(x > 0)


def _exact_leaky(x):
    return x if (x > 0 or math.isnan(x)) else SLOPE * x


def _exact_leaky_deriv(x):
    return math.nan if math.isnan(x) else (1.0 if x > 0 else SLOPE)


@pytest.mark.parametrize(
    "f, exact, builtin",
    [
        (act.relu, _exact_relu, torch.relu),
        (act.relu_deriv, _exact_relu_deriv, None),
        (
            act.leaky_relu,
            _exact_leaky,
            lambda t: torch.nn.functional.leaky_relu(t, SLOPE),
        ),
        (act.leaky_relu_deriv, _exact_leaky_deriv, None),
    ],
)
def test_relu_family_parity_on_grid(f, exact, builtin):
    ref = [exact(x) for x in GRID]
    for result in three_ways(f, GRID):
        assert close(result, ref, rel_ulps=0, atol=0).all()
    if builtin is not None:
        assert close(
            builtin(torch.tensor(GRID, dtype=torch.float64)).numpy(),
            ref,
            rel_ulps=0,
            atol=0,
        ).all()


@pytest.mark.parametrize(
    "forward, deriv",
    [
        (act.relu, act.relu_deriv),
        (torch.relu, act.relu_deriv),
        (act.leaky_relu, act.leaky_relu_deriv),
        (lambda t: torch.nn.functional.leaky_relu(t, SLOPE), act.leaky_relu_deriv),
    ],
)
def test_relu_family_derivative_matches_autograd(forward, deriv):
    # Autograd picks a branch for NaN instead of propagating it, so NaN is left out.
    xs = [x for x in GRID if not math.isnan(x)]
    assert np.array_equal(autograd_derivative(forward, xs), deriv(np.array(xs)))


# --- gradcheck on a custom autograd Function ---------------------------------------


class SigmoidFunction(torch.autograd.Function):
    """Forward: the module's stable sigmoid.  Backward: sigma * (1 - sigma) from the saved output."""

    @staticmethod
    def forward(ctx, x):
        s = act.sigmoid(x)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad_output):
        (s,) = ctx.saved_tensors
        return grad_output * s * (1 - s)


def test_gradcheck_custom_function():
    x = torch.tensor(
        [-30.0, -5.0, -1.0, 0.0, 1e-3, 1.0, 5.0, 30.0],
        dtype=torch.float64,
        requires_grad=True,
    )
    assert torch.autograd.gradcheck(SigmoidFunction.apply, (x,))
    assert torch.autograd.gradgradcheck(act.sigmoid, (x,))
    assert torch.autograd.gradcheck(act.sigmoid_deriv, (x,))


def test_gradcheck_catches_abs_kink():
    """The literal translation exp(-x.abs()) has autograd derivative 0 at x = 0."""

    def sigmoid_with_abs(x):
        e = torch.exp(-x.abs())
        return torch.where(x >= 0, 1, e) / (1 + e)

    x = torch.tensor([0.0, 0.5], dtype=torch.float64, requires_grad=True)
    with pytest.raises(GradcheckError):
        torch.autograd.gradcheck(sigmoid_with_abs, (x,))


# --- property-based --------------------------------------------------------

any_float = st.floats(allow_nan=True, allow_infinity=True, width=64)
finite_float = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, width=64)


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(any_float, min_size=0, max_size=8))
def test_three_paths_agree_with_exact_sigmoid(xs):
    exact = [exact_sigmoid(x) for x in xs]
    for result in three_ways(act.sigmoid, xs):
        assert close(result, exact).all()


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(any_float, min_size=0, max_size=8))
def test_three_paths_agree_with_exact_sigmoid_deriv(xs):
    exact = [exact_sigmoid_deriv(x) for x in xs]
    for result in three_ways(act.sigmoid_deriv, xs):
        assert close(result, exact).all()


@settings(max_examples=100, deadline=None, database=None)
@given(finite_float)
def test_symmetry_and_range(x):
    s, s_neg = act.sigmoid(x), act.sigmoid(-x)
    assert 0.0 <= s <= 1.0
    assert abs(s + s_neg - 1.0) <= 2 * EPS
    assert act.sigmoid_deriv(x) == act.sigmoid_deriv(-x)


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(finite_float, min_size=1, max_size=8))
def test_autograd_matches_sigmoid_deriv(xs):
    grad = autograd_derivative(act.sigmoid, xs)
    assert close(grad, act.sigmoid_deriv(np.array(xs)), rel_ulps=8).all()


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.lists(any_float, min_size=0, max_size=8), st.floats(0.0, 1.0, exclude_min=True)
)
def test_relu_family_three_paths_identical(xs, slope):
    for f, kw in [
        (act.relu, {}),
        (act.relu_deriv, {}),
        (act.leaky_relu, {"negative_slope": slope}),
        (act.leaky_relu_deriv, {"negative_slope": slope}),
    ]:
        py, arr, ten = three_ways(f, xs, **kw)
        assert np.array_equal(py, arr, equal_nan=True) and np.array_equal(
            arr, ten, equal_nan=True
        )


@settings(max_examples=50, deadline=None, database=None)
@given(st.lists(st.floats(-100, 100, width=32), min_size=1, max_size=8))
def test_float32_close_to_float64(xs):
    x32 = np.array(xs, dtype=np.float32)
    s32 = act.sigmoid(x32)
    s64 = act.sigmoid(x32.astype(np.float64))
    eps32 = float(np.finfo(np.float32).eps)
    tiny32 = float(np.finfo(np.float32).smallest_subnormal)
    assert (np.abs(s32 - s64) <= 4 * eps32 * s64 + tiny32).all()
