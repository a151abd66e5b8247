"""The dead-neuron grid of chapter 3: which units of the exercise's layer are alive.

A slider sets the hidden bias b; two grids, one above the other (readable on a
phone), show the same units, one cell per unit.  Top, with ReLU: coloured when
the unit is alive (a gradient reaches its weights), black when dead.  Below, with Leaky ReLU (0.1): full colour when the
unit is also *active* (z > 0 on some example), pale when it only keeps a
gradient, black if it had none.

The figure runs no experiment.  Chapter 3 runs its own exercise (its layer, its
batch) at every bias of the slider and passes the per-unit masks it computed::

    from sigmoidbook.figures.dead_neurons import dead_neuron_grid
    dead_neuron_grid(biases, relu_alive=..., leaky_alive=..., leaky_active=...,
                     initial_bias=-0.1)

Each mask is a boolean array ``[bias, unit]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..report import minus
from ..style import ACTIVATION_COLORS
from ._plotly import (
    InteractiveFigure,
    Traces,
    base_layout,
    data_table,
    footnote,
    slider,
)

__all__ = ["DIV_ID", "dead_neuron_grid"]

DIV_ID = "sigmoidbook-dead-neuron-grid"
DEAD = "#111111"
#: Leaky ReLU's colour mixed with white: a unit with a gradient but no positive z.
PALE_LEAKY = "#EBC9DC"


def grid_shape(n_units: int) -> tuple[int, int]:
    """Rows and columns of the most nearly square grid of ``n_units`` cells (128: 8 × 16)."""
    rows = max(d for d in range(1, math.isqrt(n_units) + 1) if n_units % d == 0)
    return rows, n_units // rows


def _masks(biases, initial_bias, **masks) -> tuple[np.ndarray, int, dict]:
    biases = np.asarray(biases, dtype=float)
    if biases.ndim != 1 or len(biases) < 2 or not np.all(np.isfinite(biases)):
        raise ValueError(
            "biases must be at least two finite numbers (the slider steps)"
        )
    if initial_bias not in biases:
        raise ValueError(
            f"initial_bias={initial_bias} is not one of the biases {biases}"
        )
    checked = {}
    for name, mask in masks.items():
        mask = np.asarray(mask)
        if mask.dtype != bool or mask.ndim != 2 or len(mask) != len(biases):
            raise ValueError(
                f"{name} must be a boolean array [bias, unit] with {len(biases)} rows, "
                f"got {mask.dtype} of shape {mask.shape}"
            )
        checked[name] = mask
    if len({m.shape for m in checked.values()}) != 1:
        raise ValueError("the masks must all have the same shape")
    if np.any(checked["leaky_active"] & ~checked["leaky_alive"]):
        raise ValueError("an active Leaky ReLU unit (z > 0) always gets a gradient")
    return biases, list(biases).index(initial_bias), checked


def _title(bias: float, relu: int, leaky: int, active: int, n_units: int) -> str:
    """Three short lines (a phone's width): the bias, ReLU's count, Leaky ReLU's counts."""
    return minus(
        f"hidden bias b = {bias:.2f}<br>ReLU: {relu}/{n_units} units alive<br>"
        f"Leaky ReLU (0.1): {leaky} alive, {active} active"
    )


def _heatmaps(masks: dict, index: int, shape: tuple[int, int]) -> list[list]:
    """The two grids at one bias: ReLU 0/1 (dead/alive), Leaky 0/1/2 (dead/gradient/active)."""
    relu = masks["relu_alive"][index].astype(int)
    leaky = masks["leaky_alive"][index].astype(int) + masks["leaky_active"][index]
    return [relu.reshape(shape).tolist(), leaky.reshape(shape).tolist()]


def _add_grids(traces: Traces, z: list[list], shape: tuple[int, int]) -> None:
    units = np.arange(shape[0] * shape[1]).reshape(shape).tolist()
    relu, leaky = ACTIVATION_COLORS["relu"], ACTIVATION_COLORS["leaky_relu"]
    panels = (
        (
            "ReLU",
            [[0, DEAD], [0.5, DEAD], [0.5, relu], [1, relu]],
            1,
            "1 alive, 0 dead",
        ),
        (
            "Leaky ReLU",
            [[0, DEAD], [1 / 3, DEAD], [1 / 3, PALE_LEAKY], [2 / 3, PALE_LEAKY]]
            + [[2 / 3, leaky], [1, leaky]],
            2,
            "2 active, 1 gradient only, 0 dead",
        ),
    )
    for col, (name, colorscale, zmax, legend) in enumerate(panels, start=1):
        heatmap = go.Heatmap(
            z=z[col - 1],
            customdata=units,
            zmin=0,
            zmax=zmax,
            showscale=False,
            xgap=2,
            ygap=2,
            colorscale=colorscale,
            hovertemplate=f"unit %{{customdata}}<br>{name}: %{{z}} ({legend})<extra></extra>",
        )
        traces.add(name, heatmap, row=col, col=1)


#: Pixel geometry: the two grids stacked (one above the other at every width).
HEIGHT, TOP, BOTTOM = 680, 110, 160
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
#: The colour key under the grids, the slider under the key.
KEY_BELOW_PX, SLIDER_BELOW_PX = 6, 58


def _layout(figure: go.Figure, title: str, steps: list, active: int) -> None:
    key = footnote(
        "coloured: alive (a gradient reaches the unit)<br>"
        "pale: a gradient, but z ≤ 0 on every example<br>black: dead"
    )
    key["y"] = -KEY_BELOW_PX / PLOT_HEIGHT
    figure.update_layout(
        **base_layout(title, height=HEIGHT, margin=dict(l=20, r=20, t=TOP, b=BOTTOM)),
        sliders=[
            slider(
                steps,
                active=active,
                prefix="hidden bias b = ",
                y=-SLIDER_BELOW_PX / PLOT_HEIGHT,
            )
        ],
        plot_bgcolor="white",
        annotations=[*figure.layout.annotations, key],
    )
    hidden = dict(showticklabels=False, ticks="", showgrid=False, zeroline=False)
    figure.update_xaxes(constrain="domain", **hidden)
    # On a phone the grids are narrower than their rows are tall: keep each under its title.
    figure.update_yaxes(
        autorange="reversed",
        scaleanchor="x",
        constrain="domain",
        constraintoward="top",
        **hidden,
    )
    figure.update_yaxes(scaleanchor="x2", row=2, col=1)


def _text_version(biases: np.ndarray, masks: dict, counts: dict) -> tuple[str, str]:
    """The data table under the figure and the alt text."""
    n_units = masks["relu_alive"].shape[1]
    shape = grid_shape(n_units)
    columns = [counts[n] for n in ("relu_alive", "leaky_alive", "leaky_active")]
    rows = [
        [minus(f"{b:.2f}"), *(str(int(c[i])) for c in columns)]
        for i, b in enumerate(biases)
    ]
    table = data_table(
        f"Alive units out of {n_units}, by hidden bias",
        [
            "hidden bias b",
            "ReLU alive",
            "Leaky ReLU (0.1) alive",
            "Leaky ReLU (0.1) active",
        ],
        rows,
    )
    relu = counts["relu_alive"]
    alt = (
        f"Interactive figure: a slider sets the hidden bias b of a layer of {n_units} "
        f"units from {minus(f'{biases[0]:g}')} to {minus(f'{biases[-1]:g}')}; two "
        f"{shape[0]} × {shape[1]} grids colour each unit alive or dead. With ReLU, "
        f"alive units go from {relu[0]} to {relu[-1]}; with Leaky ReLU (0.1), "
        f"{counts['leaky_alive'][-1]} keep a gradient at b = {minus(f'{biases[-1]:g}')}."
    )
    if np.array_equal(masks["leaky_active"], masks["relu_alive"]):
        alt += (
            " Its active units (z > 0 on some example) are exactly ReLU's alive ones."
        )
    return table, alt


def dead_neuron_grid(
    biases: Sequence[float],
    *,
    relu_alive: np.ndarray,
    leaky_alive: np.ndarray,
    leaky_active: np.ndarray,
    initial_bias: float,
) -> InteractiveFigure:
    """The grid for the chapter's masks at each of ``biases`` (the slider steps, in order).

    ``relu_alive[i, u]``: unit u of the ReLU layer gets a gradient at ``biases[i]``;
    ``leaky_alive`` the same for Leaky ReLU, ``leaky_active`` whether that unit's
    pre-activation is positive on some example.  ``.data`` holds the ``counts`` per
    bias (one array per mask) and the step ``titles``.
    """
    biases, active, masks = _masks(
        biases,
        initial_bias,
        relu_alive=relu_alive,
        leaky_alive=leaky_alive,
        leaky_active=leaky_active,
    )
    n_units = masks["relu_alive"].shape[1]
    shape = grid_shape(n_units)
    counts = {name: mask.sum(axis=1).astype(int) for name, mask in masks.items()}
    columns = [counts[n] for n in ("relu_alive", "leaky_alive", "leaky_active")]
    titles = [
        _title(b, *(int(c[i]) for c in columns), n_units) for i, b in enumerate(biases)
    ]

    figure = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.12,
        subplot_titles=("ReLU", "Leaky ReLU (0.1)"),
    )
    traces = Traces(figure)
    _add_grids(traces, _heatmaps(masks, active, shape), shape)
    grids = traces.indices(["ReLU", "Leaky ReLU"])
    steps = [
        (
            minus(f"{b:.2f}"),
            {"z": _heatmaps(masks, i, shape)},
            {"title.text": titles[i]},
            grids,
        )
        for i, b in enumerate(biases)
    ]
    _layout(figure, titles[active], steps, active)

    table, alt = _text_version(biases, masks, counts)
    data = {"bias": biases, "counts": counts, "titles": titles}
    return InteractiveFigure(figure, DIV_ID, alt, table, data)
