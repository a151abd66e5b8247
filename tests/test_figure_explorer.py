"""sigmoidbook.figures.explorer: the activation explorer shows what it is given.

The figure holds no activation of its own: it takes the chapter's mapping and
autograd helper.  These tests pass chapter 3's six activations and an autograd
helper written like the chapter's, and check every slider step against closed
forms written out by hand; then that the figure really uses what it is passed
(a different helper or a different kink shows up in the figure).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from sigmoidbook.figures.explorer import DIV_ID, activation_explorer
from sigmoidbook.report import minus
from sigmoidbook.style import ACTIVATION_COLORS

#: Chapter 3's table of activations (the chapter defines it; the figure must not).
ACTIVATIONS = {
    "sigmoid": ("sigmoid", torch.sigmoid),
    "tanh": ("tanh", torch.tanh),
    "relu": ("ReLU", torch.relu),
    "leaky_relu": ("Leaky ReLU (0.1)", lambda x: F.leaky_relu(x, 0.1)),
    "gelu": ("GELU", F.gelu),
    "silu": ("SiLU", F.silu),
}


def value_and_derivative(function, x):
    """Chapter 3's helper: f(x) and f'(x) elementwise, by autograd in float64."""
    x = torch.as_tensor(x, dtype=torch.float64).clone().requires_grad_(True)
    y = function(x)
    (dy,) = torch.autograd.grad(y.sum(), x)
    return y.detach().numpy(), dy.numpy()


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


CLOSED_FORMS = {  # (value, derivative) by hand; at the kink, autograd's convention
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (math.tanh, lambda x: 1 - math.tanh(x) ** 2),
    "relu": (lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0),
    "leaky_relu": (lambda x: x if x > 0 else 0.1 * x, lambda x: 1.0 if x > 0 else 0.1),
    "gelu": (
        lambda x: x * phi(x),
        lambda x: phi(x) + x * math.exp(-(x**2) / 2) / math.sqrt(2 * math.pi),
    ),
    "silu": (
        lambda x: x * sigmoid(x),
        lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x))),
    ),
}


@pytest.fixture(scope="module")
def explorer():
    return activation_explorer(ACTIVATIONS, value_and_derivative)


def steps_of(figure):
    return figure.figure.layout.sliders[0].steps


def test_slider_runs_from_minus_6_to_6_and_starts_at_1(explorer):
    xs = explorer.data["x"]
    assert len(xs) == 49 and xs[0] == -6 and xs[-1] == 6
    np.testing.assert_allclose(np.diff(xs), 0.25)
    slider = explorer.figure.layout.sliders[0]
    assert xs[slider.active] == 1.0
    assert slider.currentvalue.prefix == "x = "
    assert (
        explorer.figure.layout.title.text == "x = 1.00: σ(x) = 0.7311, σ′(x) = 0.1966"
    )
    assert explorer.div_id == DIV_ID == "sigmoidbook-activation-explorer"


def test_every_step_shows_the_closed_form_values(explorer):
    names = [name for name, _ in ACTIVATIONS.values()]
    for x, step in zip(explorer.data["x"], steps_of(explorer)):
        s = sigmoid(x)
        assert step.label == minus(f"{x:.2f}")
        assert step.args[1]["title.text"] == minus(
            f"x = {x:.2f}: σ(x) = {s:.4f}, σ′(x) = {s * (1 - s):.4f}"
        )
        update = step.args[0]
        table = update["cells.values"][2]
        assert table[0] == names
        for row, (key, (value, derivative)) in enumerate(CLOSED_FORMS.items()):
            assert table[1][row] == minus(f"{value(x):.4f}"), (key, x)
            assert table[2][row].removesuffix("*") == minus(f"{derivative(x):.4f}")
            assert update["x"][0][row] == update["x"][1][row] == x
            assert update["y"][0][row] == pytest.approx(value(x), abs=1e-6)
            assert update["y"][1][row] == pytest.approx(derivative(x), abs=1e-6)
    x3 = list(explorer.data["x"]).index(3.0)
    assert explorer.data["titles"][x3] == "x = 3.00: σ(x) = 0.9526, σ′(x) = 0.0452"


def test_slider_updates_the_markers_and_the_table_by_their_indices(explorer):
    data = explorer.figure.data
    for step in steps_of(explorer):
        first, second, table = (data[i] for i in step.args[2])
        assert first.mode == second.mode == "markers"
        assert first.xaxis != second.xaxis  # one marker trace per panel
        assert table.type == "table"


def test_kinks_are_found_not_listed(explorer):
    zero = list(explorer.data["x"]).index(0.0)
    table = steps_of(explorer)[zero].args[0]["cells.values"][2]
    assert table[2] == ["0.2500", "1.0000", "0.0000*", "0.1000*", "0.5000", "0.5000"]
    kinks = {
        key: np.flatnonzero(k).tolist() for key, k in explorer.data["kinks"].items()
    }
    assert kinks == {
        k: ([zero] if k in ("relu", "leaky_relu") else []) for k in ACTIVATIONS
    }
    # A kink somewhere else (ReLU moved to x = 1) is found there instead.
    moved = {
        "sigmoid": ACTIVATIONS["sigmoid"],
        "relu": ("shifted", lambda x: torch.relu(x - 1)),
    }
    shifted = activation_explorer(moved, value_and_derivative)
    one = list(shifted.data["x"]).index(1.0)
    assert np.flatnonzero(shifted.data["kinks"]["relu"]).tolist() == [one]
    assert steps_of(shifted)[one].args[0]["cells.values"][2][2][1] == "0.0000*"


def test_derivative_curve_has_a_gap_only_at_the_kink(explorer):
    curves = {
        t.name: t
        for t in explorer.figure.data
        if t.type == "scatter" and t.mode == "lines" and not t.showlegend
    }
    for key, (name, _) in ACTIVATIONS.items():
        gaps = np.asarray(curves[name].x)[
            np.isnan(np.asarray(curves[name].y, dtype=float))
        ]
        assert gaps.tolist() == ([0.0] if key in ("relu", "leaky_relu") else []), key


def test_it_draws_exactly_the_activations_it_is_given_in_their_colours():
    two = {key: ACTIVATIONS[key] for key in ("sigmoid", "gelu")}
    figure = activation_explorer(two, value_and_derivative)
    lines = [t for t in figure.figure.data if t.type == "scatter" and t.mode == "lines"]
    assert [t.name for t in lines] == ["sigmoid", "GELU"] * 2
    assert [t.line.color for t in lines[:2]] == [ACTIVATION_COLORS[k] for k in two]
    assert steps_of(figure)[0].args[0]["cells.values"][2][0] == ["sigmoid", "GELU"]
    assert "sigmoid and GELU" in figure.alt


def test_numbers_come_from_the_helper_it_is_passed():
    def doubled(function, x):
        value, derivative = value_and_derivative(function, x)
        return value, 2 * derivative

    figure = activation_explorer(ACTIVATIONS, doubled)
    assert figure.figure.layout.title.text == "x = 1.00: σ(x) = 0.7311, σ′(x) = 0.3932"


@pytest.mark.parametrize(
    "activations, helper, message",
    [
        ({}, value_and_derivative, "non-empty"),
        ({"tanh": ACTIVATIONS["tanh"]}, value_and_derivative, "'sigmoid'"),
        (
            {**ACTIVATIONS, "swish": ("swish", F.silu)},
            value_and_derivative,
            "no colour",
        ),
        ({"sigmoid": torch.sigmoid}, value_and_derivative, "display name, function"),
        (ACTIVATIONS, "autograd", "must be a function"),
        (ACTIVATIONS, lambda f, x: (x, x[:-1]), "shapes"),
        (ACTIVATIONS, lambda f, x: (x, x * np.nan), "not finite"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(activations, helper, message):
    with pytest.raises((ValueError, TypeError), match=message):
        activation_explorer(activations, helper)


def test_output_is_deterministic_light_and_has_a_text_version(explorer):
    bundle = explorer._repr_mimebundle_()
    again = activation_explorer(ACTIVATIONS, value_and_derivative)._repr_mimebundle_()
    assert bundle == again, "nbval compares outputs: they must not change between runs"
    html = bundle["text/html"]
    assert f'id="{DIV_ID}"' in html and len(html) < 150_000
    assert "<script src" not in html and "MathJax" not in html
    assert "<details" in html and "Values and derivatives at selected x" in html
    assert "<td>Leaky ReLU (0.1) f′(x)</td>" in html and "<td>0.1000*</td>" in html
    assert bundle["text/plain"] == explorer.alt
    assert "at x = 3, σ = 0.9526, σ′ = 0.0452" in explorer.alt
    assert "peaks at 0.25 at x = 0" in explorer.alt
    json.dumps(bundle["application/vnd.plotly.v1+json"])
