"""sigmoidbook.figures.dead_neurons: the grid shows exactly the masks the chapter passes.

The figure runs no experiment of its own.  These tests build masks the way
chapter 3 does (its exercise layer: 784 inputs of standard deviation 0.1,
PyTorch's default init, 128 units, a batch of 64, every hidden bias set to b),
recomputed here in plain NumPy from the same weights, and check that every slider
step draws those masks, cell by cell, with the counts in its title.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from sigmoidbook.figures.dead_neurons import DIV_ID, dead_neuron_grid, grid_shape
from sigmoidbook.report import minus

BIASES = [*np.round(np.arange(0, -0.25, -0.02), 2), -3.0]


def exercise_masks(biases):
    """Chapter 3's exercise at each bias: (ReLU alive, Leaky alive, Leaky active) masks."""
    torch.manual_seed(0)
    weight = torch.nn.Linear(784, 128).weight.detach().double().numpy()
    generator = torch.Generator().manual_seed(1)
    inputs = (0.1 * torch.randn(64, 784, generator=generator)).double().numpy()
    z = inputs @ weight.T  # [example, unit], before the bias
    active = np.array([((z + b) > 0).any(axis=0) for b in biases])
    leaky_alive = np.ones_like(active)  # the leak's slope is never zero
    return active, leaky_alive, active.copy()


@pytest.fixture(scope="module")
def masks():
    return exercise_masks(BIASES)


@pytest.fixture(scope="module")
def grid(masks):
    relu, leaky, leaky_active = masks
    return dead_neuron_grid(
        BIASES,
        relu_alive=relu,
        leaky_alive=leaky,
        leaky_active=leaky_active,
        initial_bias=-0.14,
    )


def steps_of(figure):
    return figure.figure.layout.sliders[0].steps


def test_the_masks_are_the_exercise(masks):
    relu = masks[0].sum(axis=1)
    assert relu[0] == 128 and relu[-1] == 0, "all alive at b = 0, all dead at b = -3"
    assert np.all(np.diff(relu) <= 0) and 0 < relu[BIASES.index(-0.14)] < 128


def test_grid_shape_is_the_most_nearly_square():
    assert grid_shape(128) == (8, 16)
    assert grid_shape(100) == (10, 10)
    assert grid_shape(7) == (1, 7)


def test_every_step_draws_the_masks_it_was_given(grid, masks):
    relu, leaky, leaky_active = masks
    steps = steps_of(grid)
    assert len(steps) == len(BIASES)
    for i, (b, step) in enumerate(zip(BIASES, steps)):
        z_relu, z_leaky = (np.array(z) for z in step.args[0]["z"])
        assert z_relu.shape == z_leaky.shape == (8, 16)
        np.testing.assert_array_equal(z_relu.ravel(), relu[i].astype(int))
        np.testing.assert_array_equal(
            z_leaky.ravel(), leaky[i].astype(int) + leaky_active[i]
        )
        assert step.label == minus(f"{b:.2f}")
        assert step.args[1]["title.text"] == minus(
            f"hidden bias b = {b:.2f}<br>ReLU: {relu[i].sum()}/128 units alive<br>"
            f"Leaky ReLU (0.1): {leaky[i].sum()} alive, {leaky_active[i].sum()} active"
        )
    assert steps[-1].args[1]["title.text"] == (
        "hidden bias b = −3.00<br>ReLU: 0/128 units alive<br>"
        "Leaky ReLU (0.1): 128 alive, 0 active"
    )


def test_slider_updates_the_two_grids_by_their_indices(grid):
    for step in steps_of(grid):
        first, second = (grid.figure.data[i] for i in step.args[2])
        assert first.type == second.type == "heatmap"
        assert first.xaxis == "x" and second.xaxis == "x2"  # ReLU on top, Leaky below


def test_starts_at_the_initial_bias_and_shows_it(grid):
    slider = grid.figure.layout.sliders[0]
    assert BIASES[slider.active] == -0.14
    assert slider.currentvalue.prefix == "hidden bias b = "
    assert grid.figure.layout.title.text == grid.data["titles"][slider.active]
    first = grid.figure.data[0]
    assert np.array(first.z).sum() == grid.data["counts"]["relu_alive"][slider.active]


def test_text_version_and_alt_text(grid, masks):
    html = grid.to_html()
    assert "Alive units out of 128, by hidden bias" in html
    for b, count in zip(BIASES, masks[0].sum(axis=1)):
        assert f"<tr><td>{minus(f'{b:.2f}')}</td><td>{count}</td><td>128</td>" in html
    assert "from 0 to −3" in grid.alt and "go from 128 to 0" in grid.alt
    assert "exactly ReLU's alive ones" in grid.alt


def test_alt_text_claims_only_what_the_masks_show(masks):
    relu, leaky, leaky_active = masks
    different = leaky_active.copy()
    different[0, 0] = False
    figure = dead_neuron_grid(
        BIASES,
        relu_alive=relu,
        leaky_alive=leaky,
        leaky_active=different,
        initial_bias=0.0,
    )
    assert "exactly ReLU's alive ones" not in figure.alt


def good(masks, **change):
    relu, leaky, leaky_active = masks
    arguments = dict(
        biases=BIASES,
        relu_alive=relu,
        leaky_alive=leaky,
        leaky_active=leaky_active,
        initial_bias=-0.14,
    )
    return {**arguments, **change}


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(initial_bias=-0.15), "not one of the biases"),
        (dict(biases=[0.0]), "at least two"),
        (dict(biases=[0.0, float("nan")] + BIASES[2:]), "finite"),
        (dict(relu_alive=np.zeros((len(BIASES), 128))), "boolean"),
        (dict(relu_alive=np.zeros((3, 128), dtype=bool)), "rows"),
        (dict(leaky_alive=np.ones((len(BIASES), 100), dtype=bool)), "same shape"),
        (
            dict(leaky_alive=np.zeros((len(BIASES), 128), dtype=bool)),
            "always gets a gradient",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(masks, change, message):
    arguments = good(masks, **change)
    biases = arguments.pop("biases")
    with pytest.raises(ValueError, match=message):
        dead_neuron_grid(biases, **arguments)


def test_output_is_deterministic_and_light(grid, masks):
    bundle = grid._repr_mimebundle_()
    relu, leaky, leaky_active = masks
    again = dead_neuron_grid(
        BIASES,
        relu_alive=relu,
        leaky_alive=leaky,
        leaky_active=leaky_active,
        initial_bias=-0.14,
    )
    assert bundle == again._repr_mimebundle_()
    assert (
        f'id="{DIV_ID}"' in bundle["text/html"] and len(bundle["text/html"]) < 150_000
    )
    assert bundle["text/plain"] == grid.alt
    json.dumps(bundle["application/vnd.plotly.v1+json"])
