"""sigmoidbook.interactive: the numbers behind the website's interactive figures.

Derivatives are checked against closed forms, float32 landmarks against the
limits np.finfo reports (with exact rational arithmetic), dead-neuron counts
against an independent re-computation; the figures' precomputed slider steps
must show exactly those numbers.  The browser tests (test_browser.py) then
drag the sliders in Chromium.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

from sigmoidbook import interactive
from sigmoidbook.interactive import (
    ACTIVATIONS,
    activation_explorer,
    activation_values,
    dead_neuron_counts,
    dead_neuron_grid,
    depth_factors,
    depth_slider,
    float_landmarks,
)
from sigmoidbook.style import ACTIVATION_COLORS


def minus(text: str) -> str:
    return text.replace("-", "−")


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def std_normal_cdf(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def std_normal_pdf(x):
    return np.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)


CLOSED_FORMS = {  # (value, derivative) written out by hand
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "relu": (lambda x: np.maximum(x, 0), lambda x: (x > 0).astype(float)),
    "leaky_relu": (
        lambda x: np.where(x > 0, x, 0.1 * x),
        lambda x: np.where(x > 0, 1.0, 0.1),
    ),
    "gelu": (
        lambda x: x * std_normal_cdf(x),
        lambda x: std_normal_cdf(x) + x * std_normal_pdf(x),
    ),
    "silu": (
        lambda x: x * sigmoid(x),
        lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x))),
    ),
}


@pytest.fixture(scope="module")
def explorer():
    return activation_explorer()


@pytest.fixture(scope="module")
def depth():
    return depth_slider()


@pytest.fixture(scope="module")
def grid():
    return dead_neuron_grid()


def slider_steps(figure):
    return figure.figure.layout.sliders[0].steps


# --------------------------------------------------------------------------
# Activation explorer
# --------------------------------------------------------------------------


def test_activations_and_colours_cover_the_six_functions():
    assert list(ACTIVATIONS) == [
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "gelu",
        "silu",
    ]
    assert set(ACTIVATIONS) == set(ACTIVATION_COLORS)


def test_autograd_derivatives_match_the_closed_forms():
    x = np.linspace(-8, 8, 1601)
    x = x[~np.isclose(x, 0)]  # ReLU and Leaky ReLU: no derivative at 0 (tested below)
    values = activation_values(x)
    for key, (value, derivative) in CLOSED_FORMS.items():
        np.testing.assert_allclose(
            values[key][0], value(x), rtol=1e-12, atol=1e-12, err_msg=key
        )
        np.testing.assert_allclose(
            values[key][1], derivative(x), rtol=1e-10, atol=1e-12, err_msg=key
        )


def test_values_at_x_equal_3_and_at_the_kink():
    at3 = activation_values(3.0)
    assert f"{float(at3['sigmoid'][0]):.4f}" == "0.9526"
    assert f"{float(at3['sigmoid'][1]):.4f}" == "0.0452"
    at0 = activation_values(0.0)
    assert float(at0["sigmoid"][1]) == 0.25 and float(at0["tanh"][1]) == 1.0
    assert float(at0["relu"][1]) == 0.0 and float(
        at0["leaky_relu"][1]
    ) == pytest.approx(0.1)  # autograd's convention


def test_explorer_steps_show_the_closed_form_values(explorer):
    xs = explorer.data["x"]
    assert (
        len(xs) == 49 and xs[0] == -6 and xs[-1] == 6 and np.allclose(np.diff(xs), 0.25)
    )
    steps = slider_steps(explorer)
    assert len(steps) == len(xs)
    for x, step, title in zip(xs, steps, explorer.data["titles"]):
        s = 1 / (1 + math.exp(-x))
        assert title == minus(f"x = {x:.2f}: σ(x) = {s:.4f}, σ′(x) = {s * (1 - s):.4f}")
        assert step.args[1]["title.text"] == title
        assert step.label == minus(f"{x:.2f}")
        data_update = step.args[0]
        table = data_update["cells.values"][2]
        for row, key in enumerate(ACTIVATIONS):
            value, derivative = (float(f(np.array(x))) for f in CLOSED_FORMS[key])
            if x == 0 and key in ("relu", "leaky_relu"):
                derivative = {"relu": 0.0, "leaky_relu": 0.1}[key]
            assert table[1][row] == minus(f"{value:.4f}")
            assert table[2][row].removesuffix(" *") == minus(f"{derivative:.4f}")
            assert data_update["y"][0][row] == pytest.approx(value, abs=1e-6)
            assert data_update["y"][1][row] == pytest.approx(derivative, abs=1e-6)
    x3 = list(xs).index(3.0)
    assert explorer.data["titles"][x3] == "x = 3.00: σ(x) = 0.9526, σ′(x) = 0.0452"


def test_explorer_marks_the_kink(explorer):
    zero = list(explorer.data["x"]).index(0.0)
    table = slider_steps(explorer)[zero].args[0]["cells.values"][2]
    assert table[2][2] == "0.0000 *" and table[2][3] == "0.1000 *"
    assert not any(cell.endswith("*") for cell in table[2][:2] + table[2][4:])


def test_explorer_uses_the_book_colours(explorer):
    lines = [
        t for t in explorer.figure.data if t.type == "scatter" and t.mode == "lines"
    ]
    assert [t.line.color for t in lines[:6]] == [
        ACTIVATION_COLORS[k] for k in ACTIVATIONS
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(step=0),
        dict(step=-0.25),
        dict(x_min=2.0, x_max=1.0),
        dict(step=0.3),  # 12 is not a whole number of steps of 0.3
        dict(x_initial=0.1),  # not a slider value
        dict(x_max=float("inf")),
        dict(step=0.01),  # too many steps
    ],
)
def test_explorer_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        activation_explorer(**kwargs)


def test_activation_values_rejects_non_finite():
    with pytest.raises(ValueError):
        activation_values([0.0, float("nan")])


# --------------------------------------------------------------------------
# Depth slider and float landmarks
# --------------------------------------------------------------------------


def landmarks_from_finfo(dtype) -> dict[str, int]:
    """The same landmarks from np.finfo and exact rational arithmetic (round to nearest, ties to even)."""
    info = np.finfo(dtype)
    half_ulp_of_one = Fraction(float(info.eps)) / 2
    smallest_normal = Fraction(float(info.smallest_normal))
    half_smallest_subnormal = Fraction(float(info.smallest_subnormal)) / 2

    def first(condition):
        return next(L for L in range(1, 5000) if condition(Fraction(1, 4) ** L))

    return {
        "rounding": first(
            lambda g: g <= half_ulp_of_one
        ),  # 1 + g rounds (ties to even) to 1
        "subnormal": first(lambda g: g < smallest_normal),
        "zero": first(
            lambda g: g <= half_smallest_subnormal
        ),  # (1/4)^L is a power of 2: ties go to 0
    }


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_landmarks_agree_with_finfo(dtype):
    assert float_landmarks(dtype) == landmarks_from_finfo(dtype)


def test_float32_landmarks_are_12_64_75():
    assert float_landmarks(np.float32) == {"rounding": 12, "subnormal": 64, "zero": 75}
    assert float_landmarks(np.float64) == {
        "rounding": 27,
        "subnormal": 512,
        "zero": 538,
    }


def test_depth_factors_are_float32_products():
    products = depth_factors(80)
    assert products.dtype == np.float32
    for L in (1, 12, 63, 64, 74):  # powers of two: exact until they underflow
        assert Fraction(float(products[L - 1])) == Fraction(1, 4) ** L
    assert np.all(products[74:] == 0)
    assert float(products[73]) == 2 * float(np.finfo(np.float32).smallest_subnormal)


def test_depth_slider_steps(depth):
    steps = slider_steps(depth)
    assert len(steps) == 80
    marks = depth.data["landmarks"]
    for L, step in enumerate(steps, start=1):
        title = step.args[1]["title.text"]
        assert title == depth.data["titles"][L - 1]
        assert step.label == str(L)
        assert f"(1/4)^{L} = {minus(f'{0.25**L:.3e}')}" in title
        assert step.args[0]["y"][0] == [
            pytest.approx(0.25**L, rel=1e-12),
            1.0,
        ]  # sigmoid and ReLU markers
        assert ("underflow" in title) == (marks["zero"] <= L)
        assert ("subnormal" in title) == (marks["subnormal"] <= L < marks["zero"])
        assert ("1 + g rounds to 1" in title) == (
            marks["rounding"] <= L < marks["subnormal"]
        )
    assert "float32 product: 0 (underflow)" in depth.data["titles"][74]
    shapes_at = sorted(
        int(s.x0) for s in depth.figure.layout.shapes if s.yref == "paper"
    )
    assert shapes_at == [12, 64, 75]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(max_depth=0),
        dict(max_depth=1.5),
        dict(max_depth=True),
        dict(max_depth=201),
        dict(L_initial=81),
    ],
)
def test_depth_slider_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        depth_slider(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [dict(factor=1.0), dict(factor=0.0), dict(max_depth=10)]
)
def test_float_landmarks_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        float_landmarks(**kwargs)


# --------------------------------------------------------------------------
# Dead-neuron grid
# --------------------------------------------------------------------------


def independent_alive_counts(
    mus, seed=0, n_units=100, n_inputs=16, batch=64, spread=0.1
):
    """The same layer, re-drawn with the same seeded generator, in plain numpy after the draws."""
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, n_inputs, generator=generator, dtype=torch.float64).numpy()
    eps = torch.randn(n_units, generator=generator, dtype=torch.float64).numpy()
    w = torch.randn(
        n_units, n_inputs, generator=generator, dtype=torch.float64
    ).numpy() * math.sqrt(2 / n_inputs)
    return np.array(
        [int(((x @ w.T + mu + spread * eps) > 0).any(axis=0).sum()) for mu in mus]
    )


def test_dead_neuron_counts_are_reproducible_and_independent_of_global_rng():
    mus = np.arange(0, -4.25, -0.25)
    state = torch.get_rng_state()
    first = dead_neuron_counts(mus)
    assert torch.equal(state, torch.get_rng_state()), (
        "must not consume torch's global generator"
    )
    torch.manual_seed(12345)
    second = dead_neuron_counts(mus)
    for key in ("relu_alive", "leaky_alive", "firing_fraction"):
        np.testing.assert_array_equal(first[key], second[key])
    np.testing.assert_array_equal(first["relu_count"], independent_alive_counts(mus))
    assert not np.array_equal(
        dead_neuron_counts(mus, seed=1)["relu_alive"], first["relu_alive"]
    )


def test_dead_neuron_counts_behave():
    mus = np.arange(0, -4.25, -0.25)
    counts = dead_neuron_counts(mus)
    assert counts["relu_count"][0] == 100 and counts["relu_count"][-1] < 50
    assert np.all(np.diff(counts["relu_count"]) <= 0), (
        "lowering every bias can only kill units"
    )
    assert np.all(counts["leaky_count"] == 100), (
        "Leaky ReLU passes a gradient through every unit"
    )
    # For ReLU, "a gradient reaches the unit" is exactly "fires on at least one example".
    np.testing.assert_array_equal(counts["relu_alive"], counts["firing_fraction"] > 0)


def test_dead_neuron_grid_steps(grid):
    steps = slider_steps(grid)
    counts = dead_neuron_counts(grid.data["mu"])
    assert len(steps) == 17
    for i, step in enumerate(steps):
        mu = grid.data["mu"][i]
        z_relu, z_leaky = step.args[0]["z"]
        assert (
            int(np.sum(z_relu)) == counts["relu_count"][i]
            and int(np.sum(z_leaky)) == counts["leaky_count"][i]
        )
        assert np.array(z_relu).shape == (10, 10)
        assert step.args[1]["title.text"] == minus(
            f"μ = {mu:.2f}: ReLU {counts['relu_count'][i]}/100 units alive · "
            f"Leaky ReLU (0.1) {counts['leaky_count'][i]}/100 alive"
        )
    assert grid.figure.layout.sliders[0].active == list(grid.data["mu"]).index(-3.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(mu_min=1.0),
        dict(mu_step=0),
        dict(mu_step=0.3),
        dict(grid=(30, 30)),
        dict(grid=(0, 5)),
        dict(mu_initial=-1.1),
    ],
)
def test_dead_neuron_grid_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        dead_neuron_grid(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [dict(batch_size=0), dict(n_units=2.5), dict(mus=[0.0, float("nan")])]
)
def test_dead_neuron_counts_rejects_bad_input(kwargs):
    args = {"mus": [0.0], **kwargs}
    with pytest.raises(ValueError):
        dead_neuron_counts(args.pop("mus"), **args)


# --------------------------------------------------------------------------
# What a notebook cell outputs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("make", [activation_explorer, depth_slider, dead_neuron_grid])
def test_output_is_deterministic_and_light(make):
    figure = make()
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {"text/html", "application/vnd.plotly.v1+json", "text/plain"}
    assert bundle == make()._repr_mimebundle_(), (
        "nbval compares outputs: they must not change between runs"
    )
    html = bundle["text/html"]
    assert f'id="{figure.div_id}"' in html and 'class="plotly-graph-div"' in html
    assert len(html) < 150_000, "plotly.js must not be embedded"
    assert (
        "<script src" not in html
        and "cdn" not in html.lower()
        and "MathJax" not in html
    )
    assert "<details" in html and "<table" in html, (
        "a text version of the figure goes with it"
    )
    assert bundle["text/plain"] == figure.alt and len(figure.alt) > 100
    spec = bundle["application/vnd.plotly.v1+json"]
    assert {"data", "layout", "config"} <= set(spec)
    json.dumps(spec)  # plain JSON


def test_div_id_can_be_changed():
    assert (
        'id="second-explorer"'
        in activation_explorer(div_id="second-explorer").to_html()
    )


@pytest.mark.parametrize("make", [activation_explorer, depth_slider, dead_neuron_grid])
def test_static_twin(make):
    import matplotlib.pyplot as plt

    fig = make().static()
    try:
        axes = fig.get_axes()
        assert axes and all(ax.get_xlabel() and ax.get_ylabel() for ax in axes)
        assert fig._suptitle is not None or all(ax.get_title() for ax in axes)
    finally:
        plt.close(fig)


def test_module_docstring_says_how_to_embed():
    doc = interactive.__doc__
    for name in (
        "activation_explorer",
        "depth_slider",
        "dead_neuron_grid",
        "last expression",
    ):
        assert name in doc
