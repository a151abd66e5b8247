"""The activation explorer of chapter 3: f(x) and f′(x) of the chapter's activations.

A slider sets x from −6 to 6 in steps of 0.25.  Top: the values of the
activations, below them their derivatives (stacked, so the figure reads on a
phone), a marker on every curve at x, and a table of f(x) and f′(x) under the plots.  The title reads, for example,
``x = 3.00: σ(x) = 0.9526, σ′(x) = 0.0452``.

The figure holds no activation of its own.  Chapter 3 passes the mapping it
teaches (``key -> (display name, torch function)``) and its own autograd helper
``value_and_derivative(function, x) -> (f(x), f′(x))``; every number shown comes
from that helper.  A *kink* (no derivative, as ReLU's at 0) is found by comparing
the derivative just left and just right of a point; there the table shows the
value autograd uses, marked ``*``, and the derivative curve has a gap::

    from sigmoidbook.figures.explorer import activation_explorer
    activation_explorer(ACTIVATIONS, value_and_derivative)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..report import minus
from ..style import ACTIVATION_COLORS, ACTIVATION_LINESTYLES
from ._plotly import (
    GRID_COLOR,
    InteractiveFigure,
    Traces,
    base_layout,
    data_table,
    footnote,
    horizontal_legend,
    plotly_dash,
    slider,
)

__all__ = ["DIV_ID", "activation_explorer"]

DIV_ID = "sigmoidbook-activation-explorer"
#: The curves are drawn at x = −6, −5.95, …, 6; every fifth point is a slider step.
CURVE_X = np.round(np.arange(241) * 0.05 - 6.0, 10)
SLIDER_EVERY = 5
X_INITIAL = 1.0
#: x of the text version under the figure (all of them slider steps).
TABLE_X = (-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0)
#: A kink: the derivatives at x ∓ KINK_PROBE differ by more than KINK_JUMP.
KINK_PROBE, KINK_JUMP = 1e-6, 1e-3

ValueAndDerivative = Callable[[Callable, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _check(activations: Mapping, value_and_derivative: ValueAndDerivative) -> None:
    if not isinstance(activations, Mapping) or not activations:
        raise ValueError(
            "activations must be a non-empty mapping key -> (name, function)"
        )
    if "sigmoid" not in activations:
        raise ValueError("the explorer's title reads σ(x): activations need 'sigmoid'")
    for key, entry in activations.items():
        if not (isinstance(entry, tuple) and len(entry) == 2 and callable(entry[1])):
            raise ValueError(f"activations[{key!r}] must be (display name, function)")
        if key not in ACTIVATION_COLORS or key not in ACTIVATION_LINESTYLES:
            raise ValueError(
                f"{key!r} has no colour in sigmoidbook.style; known: {list(ACTIVATION_COLORS)}"
            )
    if not callable(value_and_derivative):
        raise TypeError(
            "value_and_derivative must be a function (function, x) -> (f, f′)"
        )


def _values(function, value_and_derivative: ValueAndDerivative, x: np.ndarray):
    value, derivative = (
        np.asarray(a, dtype=float) for a in value_and_derivative(function, x)
    )
    if value.shape != x.shape or derivative.shape != x.shape:
        raise ValueError(
            f"value_and_derivative returned shapes {value.shape} and {derivative.shape} "
            f"for {x.shape[0]} points"
        )
    if not (np.all(np.isfinite(value)) and np.all(np.isfinite(derivative))):
        raise ValueError("value_and_derivative returned a value that is not finite")
    return value, derivative


def _evaluate(
    function, value_and_derivative: ValueAndDerivative
) -> dict[str, np.ndarray]:
    """f, f′ and the kinks of one activation on :data:`CURVE_X`, via the chapter's helper."""
    value, derivative = _values(function, value_and_derivative, CURVE_X)
    _, left = _values(function, value_and_derivative, CURVE_X - KINK_PROBE)
    _, right = _values(function, value_and_derivative, CURVE_X + KINK_PROBE)
    return {
        "value": value,
        "derivative": derivative,
        "kink": np.abs(left - right) > KINK_JUMP,
    }


def _cell(number: float) -> str:
    return minus(f"{number:.4f}")


def _derivative_cell(curves: dict, index: int) -> str:
    text = _cell(curves["derivative"][index])
    return text + "*" if curves["kink"][index] else text  # no space: no line break


def _title(sigmoid: dict, index: int) -> str:
    return minus(
        f"x = {CURVE_X[index]:.2f}: σ(x) = {sigmoid['value'][index]:.4f}, "
        f"σ′(x) = {sigmoid['derivative'][index]:.4f}"
    )


def _add_curves(traces: Traces, activations: Mapping, curves: dict) -> None:
    x = CURVE_X.astype(np.float32)  # float32 is plenty for drawing: half the weight
    x_texts = [minus(f"{v:.2f}") for v in CURVE_X]
    for row, part, symbol in ((1, "value", "f"), (2, "derivative", "f′")):
        for key, (name, _) in activations.items():
            y = curves[key][part].astype(np.float32)
            if part == "derivative":
                y[curves[key]["kink"]] = np.nan  # no derivative at a kink: a gap
            line = dict(
                color=ACTIVATION_COLORS[key],
                width=2,
                dash=plotly_dash(ACTIVATION_LINESTYLES[key]),
            )
            # Hover numbers formatted here: plotly would print "-0.50" with a hyphen.
            shown = [
                [x_text, "" if np.isnan(v) else _cell(v)]
                for x_text, v in zip(x_texts, y)
            ]
            hover = (
                f"{name}<br>x = %{{customdata[0]}}<br>{symbol} = %{{customdata[1]}}"
                "<extra></extra>"
            )
            trace = go.Scatter(
                x=x,
                y=y,
                customdata=shown,
                mode="lines",
                name=name,
                legendgroup=key,
                showlegend=row == 1,
                line=line,
                hovertemplate=hover,
            )
            traces.add(f"{part} {key}", trace, row=row, col=1)


def _step_data(activations: Mapping, curves: dict, index: int) -> dict:
    """What the markers and the table show at CURVE_X[index]."""
    keys = list(activations)
    return {
        "x": [[float(CURVE_X[index])] * len(keys)] * 2 + [None],
        "y": [
            [round(float(curves[k][p][index]), 6) for k in keys]
            for p in ("value", "derivative")
        ]
        + [None],
        "cells.values": [
            None,
            None,
            [
                [name for name, _ in activations.values()],
                [_cell(curves[k]["value"][index]) for k in keys],
                [_derivative_cell(curves[k], index) for k in keys],
            ],
        ],
    }


def _add_markers_and_table(traces: Traces, activations: Mapping, start: dict) -> None:
    colors = [ACTIVATION_COLORS[k] for k in activations]
    for row, part in ((1, 0), (2, 1)):
        marker = go.Scatter(
            x=start["x"][part],
            y=start["y"][part],
            mode="markers",
            marker=dict(color=colors, size=10, line=dict(color="white", width=1.5)),
            showlegend=False,
            hoverinfo="skip",
        )
        traces.add(f"markers {row}", marker, row=row, col=1)
    align = ["left", "right", "right"]
    table = go.Table(
        columnwidth=[1.9, 1, 1],  # "Leaky ReLU (0.1)" on one line on a phone
        header=dict(
            values=["activation", "f(x)", "f′(x)"],
            fill_color="#f0f0f0",
            align=align,
            font=dict(size=13),
        ),
        cells=dict(
            values=start["cells.values"][2],
            align=align,
            font=dict(color=[colors, "#222222", "#222222"], size=12),
            fill_color="white",
            height=22,
        ),
    )
    traces.add("table", table, row=3, col=1)


#: Pixel geometry: title, legend (up to three rows on a phone), then the value panel,
#: the derivative panel and the table, stacked (the same layout at every width).
HEIGHT, TOP, BOTTOM = 1070, 160, 130
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
PANEL_PX, TABLE_PX, GAP_PX = 230, 200, 60
LEGEND_ABOVE_PX = 112
NOTE_BELOW_PX, SLIDER_BELOW_PX = 4, 40


def _layout(figure: go.Figure, title: str, steps: list, active: int) -> None:
    note = footnote(
        "* no derivative here (a kink):<br>shown is the value autograd uses"
    )
    note["y"] = -NOTE_BELOW_PX / PLOT_HEIGHT
    figure.update_layout(
        **base_layout(title, height=HEIGHT, margin=dict(l=55, r=20, t=TOP, b=BOTTOM)),
        legend=horizontal_legend(1 + LEGEND_ABOVE_PX / PLOT_HEIGHT),
        sliders=[
            slider(
                steps, active=active, prefix="x = ", y=-SLIDER_BELOW_PX / PLOT_HEIGHT
            )
        ],
        hovermode="closest",
        plot_bgcolor="white",
        annotations=[*figure.layout.annotations, note],
    )
    axes = dict(gridcolor=GRID_COLOR, zerolinecolor="#bbbbbb", col=1)
    for row in (1, 2):
        figure.update_xaxes(
            title=dict(text="x", standoff=2),
            range=[-6.2, 6.2],
            zeroline=True,
            nticks=7,
            row=row,
            **axes,
        )
    figure.update_yaxes(title_text="f(x)", range=[-1.3, 6.3], nticks=6, row=1, **axes)
    figure.update_yaxes(
        title_text="f′(x)", range=[-0.15, 1.25], nticks=6, row=2, **axes
    )


def _text_version(activations: Mapping, curves: dict) -> tuple[str, str]:
    """The data table under the figure and the alt text."""
    columns = [list(CURVE_X).index(x) for x in TABLE_X]
    rows = []
    for key, (name, _) in activations.items():
        rows.append(
            [f"{name} f(x)"] + [_cell(curves[key]["value"][i]) for i in columns]
        )
        rows.append(
            [f"{name} f′(x)"] + [_derivative_cell(curves[key], i) for i in columns]
        )
    header = ["x ="] + [minus(f"{x:g}") for x in TABLE_X]
    table = data_table("Values and derivatives at selected x", header, rows)
    sigmoid = curves["sigmoid"]
    peak = int(np.argmax(sigmoid["derivative"]))
    at3 = list(CURVE_X).index(3.0)
    names = [name for name, _ in activations.values()]
    alt = (
        "Interactive figure: a slider sets x from −6 to 6; two panels plot the value and "
        f"the derivative of {', '.join(names[:-1])} and {names[-1]}, with a marker on each "
        "curve at x, and a table lists f(x) and f′(x). The sigmoid's derivative peaks at "
        f"{sigmoid['derivative'][peak]:.2f} at x = {minus(f'{CURVE_X[peak]:g}')} and falls "
        f"towards 0 on both sides (at x = 3, σ = {sigmoid['value'][at3]:.4f}, "
        f"σ′ = {sigmoid['derivative'][at3]:.4f})."
    )
    return table, alt


def activation_explorer(
    activations: Mapping[str, tuple[str, Callable]],
    value_and_derivative: ValueAndDerivative,
) -> InteractiveFigure:
    """The explorer for ``activations`` (``key -> (display name, torch function)``).

    ``value_and_derivative(function, x)`` returns f(x) and f′(x) at the points of the
    NumPy array ``x`` (chapter 3's autograd helper).  ``.data`` holds the slider's
    ``x``, the ``values`` and ``derivatives`` there (per key) and the step ``titles``.
    """
    _check(activations, value_and_derivative)
    curves = {
        key: _evaluate(f, value_and_derivative) for key, (_, f) in activations.items()
    }
    figure = make_subplots(
        rows=3,
        cols=1,
        specs=[[{"type": "xy"}], [{"type": "xy"}], [{"type": "table"}]],
        row_heights=[PANEL_PX, PANEL_PX, TABLE_PX],
        vertical_spacing=GAP_PX / PLOT_HEIGHT,
        subplot_titles=("value f(x)", "derivative f′(x) (autograd)"),
    )
    traces = Traces(figure)
    _add_curves(traces, activations, curves)
    indices = range(0, len(CURVE_X), SLIDER_EVERY)
    active = list(CURVE_X[indices]).index(X_INITIAL)
    _add_markers_and_table(
        traces, activations, _step_data(activations, curves, indices[active])
    )
    updated = traces.indices(["markers 1", "markers 2", "table"])
    titles = [_title(curves["sigmoid"], i) for i in indices]
    steps = [
        (
            minus(f"{CURVE_X[i]:.2f}"),
            _step_data(activations, curves, i),
            {"title.text": t},
            updated,
        )
        for i, t in zip(indices, titles)
    ]
    _layout(figure, titles[active], steps, active)
    table, alt = _text_version(activations, curves)
    data = {
        "x": CURVE_X[indices],
        "values": {k: c["value"][indices] for k, c in curves.items()},
        "derivatives": {k: c["derivative"][indices] for k, c in curves.items()},
        "kinks": {k: c["kink"][indices] for k, c in curves.items()},
        "titles": titles,
    }
    return InteractiveFigure(figure, DIV_ID, alt, table, data)
