"""Interactive figures that work in the static website, with no kernel.

Every figure here is a plotly figure whose slider steps are precomputed in
Python, so dragging a slider in the website (or in JupyterLab) only switches
between stored states: no kernel is needed.
Every number a figure shows is computed here from the functions themselves:
derivatives by PyTorch autograd, float32 landmarks by float32 arithmetic,
dead-neuron counts by a seeded forward and backward pass.

The three figures
-----------------
:func:`activation_explorer`
    Slider x in [-6, 6] (step 0.25).  Left: sigmoid, tanh, ReLU, Leaky ReLU
    (0.1), GELU and SiLU; right: their derivatives; a marker on every curve
    at the chosen x, and a table of f(x) and f'(x).  The title reads, e.g.,
    ``x = 3.00: σ(x) = 0.9526, σ′(x) = 0.0452``.
:func:`depth_slider`
    Slider L = 1..80.  The best-case gradient factor through L sigmoid layers,
    (1/4)^L (since σ′ ≤ 1/4), against ReLU's 1^L = 1, log scale, with the
    float32 landmarks (1 + g rounds to 1, subnormal, zero) marked at the
    depths :func:`float_landmarks` computes.
:func:`dead_neuron_grid`
    Slider μ = 0 .. -4 (step 0.25): the bias mean of a seeded random layer
    of 100 units (a 10 × 10 grid) fed a batch of 64 examples.  A unit is
    alive (coloured) when a non-zero gradient reaches its parameters, dead
    (black) otherwise: left ReLU, where alive means "fires on at least one
    example", right Leaky ReLU (0.1), where every unit stays alive.  Counts
    in the title, from :func:`dead_neuron_counts`.

How a chapter embeds a figure
-----------------------------
A code cell whose *last expression* is the call; nothing else is needed::

    from sigmoidbook.interactive import depth_slider
    depth_slider()

The cell's output carries two representations: an HTML fragment (the plot
``<div>``, its script, and a collapsible data table as the text version of the
figure), which the website shows, and plotly's JSON, which JupyterLab and
Binder render with plotly's own extension.  The HTML does not contain
plotly.js: the website loads one shared copy (``book/_ext/offline_assets.py``
adds it to the pages that have a figure).  Do not call ``.show()``, and do
not set a plotly renderer.  Each figure has a fixed ``div_id``, so the output
is identical on every run (nbval compares it); to show the same figure twice
on one page, pass a different ``div_id`` to the second call.

Each function returns an :class:`InteractiveFigure`:

- ``.figure``: the plotly ``Figure``;
- ``.data``: the computed numbers (dict), e.g. for ``glue``;
- ``.static()``: the matplotlib twin (a ``Figure``), for print or a PDF;
- ``.alt``: a one-paragraph description (also the ``text/plain`` output);
- ``.table_html``: the data table embedded under the figure.

The computations are public too: :func:`activation_values`,
:func:`float_landmarks`, :func:`depth_factors`, :func:`dead_neuron_counts`.
For example ``float_landmarks(np.float32)`` is ``{"rounding": 12,
"subnormal": 64, "zero": 75}``.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import torch
import torch.nn.functional as F
from plotly.subplots import make_subplots

from .style import ACTIVATION_COLORS, ACTIVATION_LINESTYLES

__all__ = [
    "ACTIVATIONS",
    "InteractiveFigure",
    "activation_explorer",
    "activation_values",
    "dead_neuron_counts",
    "dead_neuron_grid",
    "depth_factors",
    "depth_slider",
    "float_landmarks",
]

#: The activation functions of the explorer: key -> (display name, torch function).
#: Leaky ReLU uses slope 0.1; GELU is the exact (erf) form.
ACTIVATIONS: dict[str, tuple[str, Callable[[torch.Tensor], torch.Tensor]]] = {
    "sigmoid": ("sigmoid σ", torch.sigmoid),
    "tanh": ("tanh", torch.tanh),
    "relu": ("ReLU", torch.relu),
    "leaky_relu": ("Leaky ReLU (0.1)", lambda t: F.leaky_relu(t, negative_slope=0.1)),
    "gelu": ("GELU", F.gelu),
    "silu": ("SiLU", F.silu),
}

#: Functions with a kink at 0, where autograd returns a one-sided convention.
_KINKED = ("relu", "leaky_relu")

_PLOTLY_CONFIG = {
    "responsive": True,
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}
_FONT = dict(family="DejaVu Sans, Verdana, sans-serif", size=13, color="#222222")
_GRID = "#e5e5e5"


# --------------------------------------------------------------------------
# The returned object
# --------------------------------------------------------------------------


@dataclass
class InteractiveFigure:
    """A plotly figure that displays itself in a notebook and in the website.

    Displayed (last expression of a cell), it produces ``text/html`` (a plot
    ``<div>`` without plotly.js, plus the data table), plotly's JSON mime type
    and ``text/plain`` (the description).
    """

    figure: go.Figure
    div_id: str
    alt: str
    table_html: str
    data: dict[str, Any] = field(default_factory=dict)
    static_factory: Callable[[], Any] | None = field(default=None, repr=False)

    def static(self):
        """The matplotlib twin of this figure (a ``matplotlib.figure.Figure``)."""
        if self.static_factory is None:
            raise ValueError("this figure has no static twin")
        return self.static_factory()

    def to_html(self) -> str:
        """HTML fragment: the plot div and script (no plotly.js, no MathJax), then the data table."""
        plot = self.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            div_id=self.div_id,
            config=_PLOTLY_CONFIG,
            validate=False,
        )
        return (
            f'<div class="sigmoidbook-interactive" role="figure" aria-label="{html.escape(self.alt)}">\n'
            f"{plot}\n{self.table_html}\n</div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        fig_json = json.loads(
            pio.to_json(self.figure, validate=False, remove_uids=True)
        )
        fig_json["config"] = dict(_PLOTLY_CONFIG)
        return {
            "text/html": self.to_html(),
            "application/vnd.plotly.v1+json": fig_json,
            "text/plain": self.alt,
        }

    def __repr__(self) -> str:  # deterministic, for nbval
        return f"InteractiveFigure(div_id={self.div_id!r})"


# --------------------------------------------------------------------------
# Computations (public, tested)
# --------------------------------------------------------------------------


def activation_values(x) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Value and derivative of every activation in :data:`ACTIVATIONS` at ``x``.

    The derivative is PyTorch autograd's, in float64.  At ``x = 0`` ReLU and
    Leaky ReLU are not differentiable; autograd returns 0 and 0.1 there
    (the left derivative), which is what training code actually uses.

    Returns ``{key: (values, derivatives)}`` as float64 arrays shaped like ``x``.
    """
    x = np.asarray(x, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite")
    result = {}
    for key, (_, function) in ACTIVATIONS.items():
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        y = function(t)
        (dy,) = torch.autograd.grad(
            y.sum(), t
        )  # elementwise functions: grad of the sum is f'(x)
        result[key] = (y.detach().numpy().reshape(x.shape), dy.numpy().reshape(x.shape))
    return result


def depth_factors(
    max_depth: int = 80, factor: float = 0.25, dtype=np.float32
) -> np.ndarray:
    """The product ``factor**L`` for L = 1..max_depth, multiplied out in ``dtype``.

    Each step is one multiplication rounded to ``dtype``, as a backward pass
    through L layers does it, so underflow happens where it really happens.
    """
    _check_depth(max_depth)
    factor_t = np.dtype(dtype).type(factor)
    products = np.empty(max_depth, dtype=dtype)
    g = np.dtype(dtype).type(1.0)
    with np.errstate(under="ignore"):
        for depth in range(max_depth):
            g = g * factor_t
            products[depth] = g
    return products


def float_landmarks(
    dtype=np.float32, factor: float = 0.25, max_depth: int = 2000
) -> dict[str, int]:
    """Depths L at which ``factor**L`` (multiplied out in ``dtype``) crosses each limit of the format.

    - ``"rounding"``: first L with ``1 + g == 1`` in ``dtype``: a gradient of
      that size, added to a weight of order 1, is lost to rounding
      (g ≤ eps/2 = ``np.finfo(dtype).eps / 2``);
    - ``"subnormal"``: first L with ``0 < g < np.finfo(dtype).smallest_normal``;
    - ``"zero"``: first L with ``g == 0`` (underflow).

    For float32 and factor 1/4 these are 12, 64 and 75.
    """
    if not 0 < factor < 1:
        raise ValueError(f"factor must be in (0, 1), got {factor}")
    products = depth_factors(max_depth, factor, dtype)
    one = np.dtype(dtype).type(1.0)
    info = np.finfo(dtype)
    depths = np.arange(1, max_depth + 1)
    with np.errstate(under="ignore"):
        rounding = depths[(one + products) == one]
    subnormal = depths[(products > 0) & (products < info.smallest_normal)]
    zero = depths[products == 0]
    if not (len(rounding) and len(subnormal) and len(zero)):
        raise ValueError(
            f"max_depth={max_depth} is too small to reach every landmark of {np.dtype(dtype).name}"
        )
    return {
        "rounding": int(rounding[0]),
        "subnormal": int(subnormal[0]),
        "zero": int(zero[0]),
    }


def dead_neuron_counts(
    mus,
    *,
    seed: int = 0,
    n_units: int = 100,
    n_inputs: int = 16,
    batch_size: int = 64,
    bias_spread: float = 0.1,
    negative_slope: float = 0.1,
) -> dict[str, np.ndarray]:
    """Alive units of a seeded random layer, for each bias mean ``μ`` in ``mus``.

    The layer is a ``torch.nn.Linear(n_inputs, n_units)`` with He-normal
    weights (std sqrt(2 / n_inputs)) and biases ``μ + bias_spread·ε`` (ε fixed
    standard-normal draws), fed a batch of ``batch_size`` standard-normal
    inputs.  For each μ and each activation we run the forward pass, take
    ``loss = output.sum()`` and backpropagate: a unit is *alive* when its bias
    gradient is non-zero, i.e. some gradient reaches its parameters.  For
    ReLU that is exactly "fires (pre-activation > 0) on at least one example".

    Returns arrays indexed ``[μ, unit]``: ``"relu_alive"``, ``"leaky_alive"``
    (bool), ``"firing_fraction"`` (fraction of the batch with pre-activation
    > 0), and the counts ``"relu_count"``, ``"leaky_count"`` per μ.
    """
    mus = np.atleast_1d(np.asarray(mus, dtype=np.float64))
    if mus.ndim != 1 or not np.all(np.isfinite(mus)):
        raise ValueError("mus must be a 1-d sequence of finite numbers")
    for name, value in (
        ("n_units", n_units),
        ("n_inputs", n_inputs),
        ("batch_size", batch_size),
    ):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value}")
    generator = torch.Generator().manual_seed(seed)
    inputs = torch.randn(batch_size, n_inputs, generator=generator, dtype=torch.float64)
    # skip_init: nn.Linear's own initialisation would draw from (and change) torch's global generator.
    layer = torch.nn.utils.skip_init(
        torch.nn.Linear, n_inputs, n_units, dtype=torch.float64
    )
    epsilon = torch.randn(n_units, generator=generator, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(
            torch.randn(n_units, n_inputs, generator=generator, dtype=torch.float64)
        )
        layer.weight.mul_(math.sqrt(2.0 / n_inputs))

    activations = {
        "relu": torch.relu,
        "leaky": lambda t: F.leaky_relu(t, negative_slope),
    }
    alive = {key: np.zeros((len(mus), n_units), dtype=bool) for key in activations}
    firing = np.zeros((len(mus), n_units))
    for i, mu in enumerate(mus):
        with torch.no_grad():
            layer.bias.copy_(mu + bias_spread * epsilon)
        for key, activation in activations.items():
            layer.zero_grad()
            pre_activation = layer(inputs)
            activation(pre_activation).sum().backward()
            alive[key][i] = (layer.bias.grad != 0).numpy()
        firing[i] = (pre_activation > 0).double().mean(dim=0).detach().numpy()
    return {
        "mu": mus,
        "relu_alive": alive["relu"],
        "leaky_alive": alive["leaky"],
        "firing_fraction": firing,
        "relu_count": alive["relu"].sum(axis=1),
        "leaky_count": alive["leaky"].sum(axis=1),
    }


# --------------------------------------------------------------------------
# Shared plotting helpers
# --------------------------------------------------------------------------


def _check_depth(max_depth) -> None:
    if isinstance(max_depth, bool) or int(max_depth) != max_depth or max_depth < 1:
        raise ValueError(f"max_depth must be a positive integer, got {max_depth!r}")


def _slider_grid(start: float, stop: float, step: float, name: str) -> np.ndarray:
    """Evenly spaced slider values from start to stop inclusive (step may be negative)."""
    for label, value in (("start", start), ("stop", stop), ("step", step)):
        if not math.isfinite(value):
            raise ValueError(f"{name}: {label} must be finite, got {value}")
    if step == 0 or (stop - start) / step <= 0:
        raise ValueError(f"{name}: step {step} does not lead from {start} to {stop}")
    n_steps = (stop - start) / step
    if abs(n_steps - round(n_steps)) > 1e-9:
        raise ValueError(
            f"{name}: ({stop} - {start}) is not a whole number of steps of {step}"
        )
    if round(n_steps) > 400:
        raise ValueError(
            f"{name}: {round(n_steps) + 1} slider steps is too many (at most 401)"
        )
    return np.round(start + step * np.arange(round(n_steps) + 1), 10)


def _nearest_index(values: np.ndarray, value: float, name: str) -> int:
    index = int(np.argmin(np.abs(values - value)))
    if abs(values[index] - value) > 1e-9:
        raise ValueError(f"{name}={value} is not one of the slider values")
    return index


def _plotly_dash(style) -> str:
    """Matplotlib line style -> plotly dash (lengths scaled by the 2 px line width)."""
    named = {"-": "solid", "--": "dash", "-.": "dashdot", ":": "dot"}
    if isinstance(style, str):
        return named[style]
    _, pattern = style
    return ",".join(f"{2 * length:g}px" for length in pattern)


def _slider(
    values_labels, active: int, prefix: str, steps_args: list, y: float = 0.0
) -> dict:
    steps = [
        dict(method="update", label=label, args=args, value=label)
        for label, args in zip(values_labels, steps_args, strict=True)
    ]
    return dict(
        active=active,
        steps=steps,
        currentvalue=dict(
            prefix=prefix, font=dict(size=14, color="#222222"), xanchor="left"
        ),
        font=dict(size=11, color="#555555"),  # plotly labels only as many ticks as fit
        pad=dict(t=30, b=10),
        len=1.0,
        x=0.0,
        y=y,
        yanchor="top",
    )


def _table(caption: str, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return (
        '<details class="sigmoidbook-data">\n'
        f"<summary>{html.escape(caption)} (text version of the figure)</summary>\n"
        f'<table class="table">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n'
        "</details>"
    )


def _minus(text: str) -> str:
    """Typographic minus sign for displayed numbers."""
    return text.replace("-", "−")


# --------------------------------------------------------------------------
# 1. Activation explorer
# --------------------------------------------------------------------------


def _explorer_title(x: float, values: dict) -> str:
    s, ds = values["sigmoid"]
    return _minus(f"x = {x:.2f}: σ(x) = {s:.4f}, σ′(x) = {ds:.4f}")


def _derivative_cell(key: str, x: float, derivative: float) -> str:
    text = _minus(f"{derivative:.4f}")
    return text + " *" if key in _KINKED and x == 0 else text


def activation_explorer(
    x_min: float = -6.0,
    x_max: float = 6.0,
    step: float = 0.25,
    x_initial: float = 1.0,
    div_id: str = "sigmoidbook-activation-explorer",
) -> InteractiveFigure:
    """Slider over x; value and derivative of the six activations, on curves and in a table.

    Values and derivatives come from :func:`activation_values` (autograd).
    ``x_initial`` must be one of the slider values.
    """
    xs = _slider_grid(x_min, x_max, step, "activation_explorer")
    active = _nearest_index(xs, x_initial, "x_initial")
    curve_x = np.linspace(x_min, x_max, int(round((x_max - x_min) / 0.05)) + 1)
    curves = activation_values(curve_x)
    at_steps = activation_values(xs)
    keys = list(ACTIVATIONS)
    names = [ACTIVATIONS[k][0] for k in keys]
    colors = [ACTIVATION_COLORS[k] for k in keys]

    fig = make_subplots(
        rows=2,
        cols=2,
        specs=[
            [{"type": "xy"}, {"type": "xy"}],
            [{"type": "table", "colspan": 2}, None],
        ],
        row_heights=[0.58, 0.42],
        vertical_spacing=0.13,
        horizontal_spacing=0.09,
        subplot_titles=("value f(x)", "derivative f′(x) (autograd)"),
    )
    for col, part in ((1, 0), (2, 1)):
        for key, name, color in zip(keys, names, colors):
            y = curves[key][part].astype(
                np.float32
            )  # float32 is plenty for drawing; halves the page weight
            if part == 1 and key in _KINKED:
                y[np.isclose(curve_x, 0.0)] = (
                    np.nan
                )  # no derivative at the kink: leave a gap
            fig.add_trace(
                go.Scatter(
                    x=curve_x.astype(np.float32),
                    y=y,
                    mode="lines",
                    name=name,
                    legendgroup=key,
                    showlegend=col == 1,
                    line=dict(
                        color=color,
                        width=2,
                        dash=_plotly_dash(ACTIVATION_LINESTYLES[key]),
                    ),
                    hovertemplate=f"{name}<br>x = %{{x:.2f}}<br>{'f′' if part else 'f'} = %{{y:.4f}}<extra></extra>",
                ),
                row=1,
                col=col,
            )

    def marker_trace(part: int, index: int) -> go.Scatter:
        return go.Scatter(
            x=[xs[index]] * len(keys),
            y=[round(float(at_steps[k][part][index]), 6) for k in keys],
            mode="markers",
            marker=dict(color=colors, size=10, line=dict(color="white", width=1.5)),
            showlegend=False,
            hoverinfo="skip",
        )

    def table_values(index: int) -> list[list[str]]:
        x = float(xs[index])
        return [
            names,
            [_minus(f"{at_steps[k][0][index]:.4f}") for k in keys],
            [_derivative_cell(k, x, at_steps[k][1][index]) for k in keys],
        ]

    fig.add_trace(marker_trace(0, active), row=1, col=1)
    fig.add_trace(marker_trace(1, active), row=1, col=2)
    fig.add_trace(
        go.Table(
            columnwidth=[2, 1, 1],
            header=dict(
                values=["activation", "f(x)", "f′(x)"],
                fill_color="#f0f0f0",
                align=["left", "right", "right"],
                font=dict(size=13),
            ),
            cells=dict(
                values=table_values(active),
                align=["left", "right", "right"],
                font=dict(color=[colors, "#222222", "#222222"], size=13),
                fill_color="white",
                height=24,
            ),
        ),
        row=2,
        col=1,
    )
    marker_indices = [len(keys) * 2, len(keys) * 2 + 1, len(keys) * 2 + 2]

    steps_args = []
    for index, x in enumerate(xs):
        point_values = {k: (at_steps[k][0][index], at_steps[k][1][index]) for k in keys}
        steps_args.append(
            [
                {
                    "x": [[float(x)] * len(keys), [float(x)] * len(keys), None],
                    "y": [
                        [round(float(at_steps[k][0][index]), 6) for k in keys],
                        [round(float(at_steps[k][1][index]), 6) for k in keys],
                        None,
                    ],
                    "cells.values": [None, None, table_values(index)],
                },
                {"title.text": _explorer_title(float(x), point_values)},
                marker_indices,
            ]
        )
    fig.update_layout(
        template="none",
        font=_FONT,
        height=780,
        margin=dict(l=55, r=20, t=125, b=110),
        title=dict(
            text=_explorer_title(
                float(xs[active]),
                {k: (at_steps[k][0][active], at_steps[k][1][active]) for k in keys},
            ),
            x=0.0,
            xanchor="left",
            xref="paper",
            y=0.985,
            yanchor="top",
            yref="container",
        ),
        legend=dict(orientation="h", x=0, y=1.09, yanchor="bottom", font=dict(size=12)),
        sliders=[_slider([_minus(f"{x:.2f}") for x in xs], active, "x = ", steps_args)],
        hovermode="closest",
        plot_bgcolor="white",
        annotations=list(fig.layout.annotations)
        + [
            dict(
                text="* ReLU and Leaky ReLU have no derivative at 0; shown is the value autograd uses.",
                x=0,
                y=-0.02,
                xref="paper",
                yref="paper",
                xanchor="left",
                yanchor="top",
                showarrow=False,
                font=dict(size=11, color="#555555"),
            )
        ],
    )
    fig.update_xaxes(
        title_text="x",
        range=[x_min - 0.2, x_max + 0.2],
        gridcolor=_GRID,
        zeroline=True,
        zerolinecolor="#bbbbbb",
        row=1,
    )
    fig.update_yaxes(
        title_text="f(x)",
        range=[-1.3, x_max + 0.3],
        gridcolor=_GRID,
        zerolinecolor="#bbbbbb",
        row=1,
        col=1,
    )
    fig.update_yaxes(
        title_text="f′(x)",
        range=[-0.15, 1.25],
        gridcolor=_GRID,
        zerolinecolor="#bbbbbb",
        row=1,
        col=2,
    )

    # Text version: one row per function and quantity, a few x across the range (kept narrow).
    table_x = np.array(
        [x for x in (-6, -3, -1, 0, 1, 3, 6) if x_min <= x <= x_max], dtype=float
    )
    at_table = activation_values(table_x)
    rows = [
        [f"{names[i]} {label}"]
        + [
            _derivative_cell(k, float(x), at_table[k][part][j])
            if part
            else _minus(f"{at_table[k][part][j]:.4f}")
            for j, x in enumerate(table_x)
        ]
        for i, k in enumerate(keys)
        for part, label in ((0, "f(x)"), (1, "f′(x)"))
    ]
    header = ["x ="] + [_minus(f"{x:g}") for x in table_x]
    s3 = activation_values(3.0)["sigmoid"]
    alt = (
        "Interactive figure: a slider sets x from "
        f"{_minus(f'{x_min:g}')} to {x_max:g}; two panels plot the value and the derivative of "
        "sigmoid, tanh, ReLU, Leaky ReLU (0.1), GELU and SiLU, with a marker on each curve at x, "
        "and a table lists f(x) and f′(x). The sigmoid's derivative peaks at 0.25 at x = 0 and "
        f"falls towards 0 on both sides (at x = 3, σ = {s3[0]:.4f}, σ′ = {s3[1]:.4f}); "
        "ReLU's derivative is 1 for every positive x."
    )
    data = {
        "x": xs,
        "values": {k: at_steps[k][0] for k in keys},
        "derivatives": {k: at_steps[k][1] for k in keys},
        "titles": [args[1]["title.text"] for args in steps_args],
    }
    return InteractiveFigure(
        figure=fig,
        div_id=div_id,
        alt=alt,
        table_html=_table("Values and derivatives at selected x", header, rows),
        data=data,
        static_factory=lambda: _activation_static(float(xs[active]), x_min, x_max),
    )


def _activation_static(x_mark: float, x_min: float, x_max: float):
    import matplotlib.pyplot as plt

    from .style import use_book_style

    use_book_style()
    grid = np.linspace(x_min, x_max, 481)
    curves = activation_values(grid)
    mark = activation_values(x_mark)
    fig, (ax_f, ax_d) = plt.subplots(1, 2, figsize=(9, 4))
    for key, (name, _) in ACTIVATIONS.items():
        style = dict(color=ACTIVATION_COLORS[key], linestyle=ACTIVATION_LINESTYLES[key])
        ax_f.plot(grid, curves[key][0], label=name, **style)
        derivative = curves[key][1].copy()
        if key in _KINKED:
            derivative[np.isclose(grid, 0.0)] = np.nan
        ax_d.plot(grid, derivative, **style)
        ax_f.plot([x_mark], mark[key][0], "o", color=ACTIVATION_COLORS[key])
        ax_d.plot([x_mark], mark[key][1], "o", color=ACTIVATION_COLORS[key])
    ax_f.set(
        title="Activation value", xlabel="x", ylabel="f(x)", ylim=(-1.3, x_max + 0.3)
    )
    ax_d.set(
        title="Derivative (autograd)", xlabel="x", ylabel="f′(x)", ylim=(-0.15, 1.25)
    )
    ax_f.legend(fontsize=8)
    s = mark["sigmoid"]
    fig.suptitle(
        _minus(f"x = {x_mark:.2f}: σ(x) = {float(s[0]):.4f}, σ′(x) = {float(s[1]):.4f}")
    )
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------
# 2. Depth slider
# --------------------------------------------------------------------------


def _sci(value: float) -> str:
    return _minus(f"{value:.3e}")


def _float32_status(depth: int, f32: float, landmarks: dict[str, int]) -> str:
    if f32 == 0:
        return "underflow: 0"
    if depth >= landmarks["subnormal"]:
        return "subnormal"
    if depth >= landmarks["rounding"]:
        return "1 + g rounds to 1"
    return "normal"


def _depth_title(
    depth: int, exact: float, f32: float, landmarks: dict[str, int]
) -> str:
    status = _float32_status(depth, f32, landmarks)
    product = "0" if f32 == 0 else _sci(f32)
    note = "" if status == "normal" or f32 == 0 else f" ({status})"
    if f32 == 0:
        note = " (underflow)"
    return f"L = {depth}: sigmoid factor ≤ (1/4)^{depth} = {_sci(exact)} · ReLU factor = 1<br>float32 product: {product}{note}"


def depth_slider(
    max_depth: int = 80, L_initial: int = 10, div_id: str = "sigmoidbook-depth-slider"
) -> InteractiveFigure:
    """Slider over depth L: the best-case gradient factor (1/4)^L of sigmoid layers vs ReLU's 1.

    The exact factor is drawn in float64; markers show the float32 product
    (multiplied out layer by layer); dashed lines mark the float32 landmarks
    from :func:`float_landmarks`, dotted lines the limits of the format.
    """
    _check_depth(max_depth)
    if max_depth < 2 or max_depth > 200:
        raise ValueError(f"max_depth must be between 2 and 200, got {max_depth}")
    depths = np.arange(1, max_depth + 1)
    active = _nearest_index(depths.astype(float), L_initial, "L_initial")
    exact = 0.25 ** depths.astype(np.float64)
    f32 = depth_factors(max_depth, 0.25, np.float32)
    landmarks = float_landmarks(np.float32)
    info = np.finfo(np.float32)
    sigmoid_color, relu_color = ACTIVATION_COLORS["sigmoid"], ACTIVATION_COLORS["relu"]

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=depths,
            y=exact,
            mode="lines",
            name="sigmoid: (1/4)^L, exact",
            line=dict(color=sigmoid_color, width=2),
            hovertemplate="L = %{x}<br>(1/4)^L = %{y:.3e}<extra></extra>",
        )
    )
    nonzero = f32 > 0
    fig.add_trace(
        go.Scatter(
            x=depths[nonzero],
            y=f32[nonzero].astype(np.float64),
            mode="markers",
            name="sigmoid: float32 product (0 from L = %d on)" % landmarks["zero"],
            marker=dict(color=sigmoid_color, size=5, symbol="circle-open"),
            hovertemplate="L = %{x}<br>float32: %{y:.3e}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=depths,
            y=np.ones(max_depth),
            mode="lines",
            name="ReLU: 1^L = 1",
            line=dict(
                color=relu_color,
                width=2,
                dash=_plotly_dash(ACTIVATION_LINESTYLES["relu"]),
            ),
            hovertemplate="L = %{x}<br>ReLU factor = 1<extra></extra>",
        )
    )

    def current(index: int) -> tuple[list, list]:
        return [int(depths[index])] * 2, [float(exact[index]), 1.0]

    cx, cy = current(active)
    fig.add_trace(
        go.Scatter(
            x=cx,
            y=cy,
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker=dict(
                color=[sigmoid_color, relu_color],
                size=12,
                line=dict(color="white", width=1.5),
            ),
        )
    )
    shapes, annotations = [], []
    landmark_text = {
        "rounding": "1 + g rounds to 1",
        "subnormal": "subnormal",
        "zero": "float32 zero",
    }
    for key, depth in landmarks.items():
        if depth > max_depth:
            continue
        shapes.append(
            dict(
                type="line",
                xref="x",
                yref="paper",
                x0=depth,
                x1=depth,
                y0=0,
                y1=1,
                line=dict(color="#555555", width=1, dash="dash"),
            )
        )
        annotations.append(
            dict(
                x=depth,
                y=1,
                xref="x",
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                text=f"L = {depth}<br>{landmark_text[key]}",
                font=dict(size=11, color="#333333"),
            )
        )
    # The limits of float32, labelled where the curve is not (right for ε/2, left for the tiny ones).
    for value, label, x_label, anchor in (
        (
            float(info.eps) / 2,
            f"float32 ε/2 = 2<sup>{_minus(str(int(np.log2(info.eps / 2))))}</sup>",
            0.99,
            "right",
        ),
        (
            float(info.smallest_normal),
            f"smallest normal 2<sup>{_minus(str(int(np.log2(info.smallest_normal))))}</sup>",
            0.01,
            "left",
        ),
        (
            float(info.smallest_subnormal),
            f"smallest subnormal 2<sup>{_minus(str(int(np.log2(info.smallest_subnormal))))}</sup>",
            0.01,
            "left",
        ),
    ):
        shapes.append(
            dict(
                type="line",
                xref="paper",
                yref="y",
                x0=0,
                x1=1,
                y0=value,
                y1=value,
                line=dict(color="#999999", width=1, dash="dot"),
            )
        )
        annotations.append(
            dict(
                x=x_label,
                y=math.log10(value),
                xref="paper",
                yref="y",
                xanchor=anchor,
                yanchor="bottom",
                showarrow=False,
                text=label,
                font=dict(size=10, color="#666666"),
            )
        )

    titles = [
        _depth_title(int(d), float(e), float(g), landmarks)
        for d, e, g in zip(depths, exact, f32)
    ]
    steps_args = []
    for index in range(max_depth):
        x, y = current(index)
        steps_args.append([{"x": [x], "y": [y]}, {"title.text": titles[index]}, [3]])
    fig.update_layout(
        template="none",
        font=_FONT,
        height=560,
        margin=dict(l=70, r=20, t=120, b=90),
        title=dict(
            text=titles[active],
            x=0.0,
            xanchor="left",
            xref="paper",
            y=0.97,
            yanchor="top",
            font=dict(size=14),
        ),
        # In the empty upper right, between ReLU's line and the falling sigmoid.
        legend=dict(
            x=0.99,
            y=0.76,
            xanchor="right",
            yanchor="top",
            bgcolor="rgba(255,255,255,0.85)",
            font=dict(size=12),
        ),
        sliders=[
            _slider([str(d) for d in depths], active, "depth L = ", steps_args, y=-0.16)
        ],
        shapes=shapes,
        annotations=annotations,
        plot_bgcolor="white",
    )
    fig.update_xaxes(
        title_text="depth L (layers)", range=[0, max_depth + 1], gridcolor=_GRID
    )
    fig.update_yaxes(
        title_text="gradient factor (log scale)",
        type="log",
        range=[-50, 2],
        gridcolor=_GRID,
        exponentformat="power",
        dtick=10,
    )

    table_depths = sorted(
        {
            1,
            *range(10, max_depth + 1, 10),
            *[d for d in landmarks.values() if d <= max_depth],
            *[d - 1 for d in landmarks.values() if 1 < d <= max_depth],
        }
    )
    rows = [
        [
            str(d),
            _sci(exact[d - 1]),
            "0" if f32[d - 1] == 0 else _sci(float(f32[d - 1])),
            "1",
            _float32_status(d, float(f32[d - 1]), landmarks),
        ]
        for d in table_depths
    ]
    alt = (
        f"Interactive figure: a slider sets the depth L from 1 to {max_depth}; on a log scale the best-case "
        "gradient factor through L sigmoid layers, (1/4)^L, falls in a straight line while ReLU's stays at 1. "
        f"In float32, 1 + g rounds to 1 from L = {landmarks['rounding']}, the product is subnormal from "
        f"L = {landmarks['subnormal']} and exactly 0 from L = {landmarks['zero']}."
    )
    return InteractiveFigure(
        figure=fig,
        div_id=div_id,
        alt=alt,
        table_html=_table(
            "Best-case gradient factor by depth",
            [
                "depth L",
                "(1/4)^L exact",
                "float32 product",
                "ReLU factor",
                "float32 status",
            ],
            rows,
        ),
        data={
            "depth": depths,
            "exact": exact,
            "float32": f32,
            "landmarks": landmarks,
            "titles": titles,
        },
        static_factory=lambda: _depth_static(depths, exact, f32, landmarks),
    )


def _depth_static(depths, exact, f32, landmarks):
    import matplotlib.pyplot as plt

    from .style import use_book_style

    use_book_style()
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.semilogy(
        depths,
        exact,
        color=ACTIVATION_COLORS["sigmoid"],
        label="sigmoid: (1/4)^L, exact",
    )
    nonzero = f32 > 0
    ax.semilogy(
        depths[nonzero],
        f32[nonzero],
        "o",
        mfc="none",
        ms=3,
        color=ACTIVATION_COLORS["sigmoid"],
        label="sigmoid: float32 product",
    )
    ax.semilogy(
        depths,
        np.ones_like(exact),
        color=ACTIVATION_COLORS["relu"],
        linestyle=ACTIVATION_LINESTYLES["relu"],
        label="ReLU: 1",
    )
    # Labels in the empty region above the falling curve: (text, height, side of the line).
    labels = {
        "rounding": ("1 + g rounds to 1", 1e-3, "left"),
        "subnormal": ("subnormal", 1e-18, "right"),
        "zero": ("float32 zero", 1e-8, "right"),
    }
    for key, depth in landmarks.items():
        if depth <= depths[-1]:
            text, height, side = labels[key]
            ax.axvline(depth, color="#555555", linestyle="--", linewidth=1)
            ax.text(
                depth + (0.8 if side == "left" else -0.8),
                height,
                f"L = {depth}: {text}",
                fontsize=8,
                ha=side,
                va="center",
                bbox=dict(facecolor="white", edgecolor="none", pad=1),
            )
    ax.set(
        title="Best-case gradient factor through L layers (float32 landmarks dashed)",
        xlabel="depth L (layers)",
        ylabel="gradient factor (log scale)",
        ylim=(1e-50, 1e2),
    )
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------
# 3. Dead-neuron grid
# --------------------------------------------------------------------------


def _dead_title(mu: float, relu_count: int, leaky_count: int, n_units: int) -> str:
    return _minus(
        f"μ = {mu:.2f}: ReLU {relu_count}/{n_units} units alive · Leaky ReLU (0.1) {leaky_count}/{n_units} alive"
    )


def dead_neuron_grid(
    mu_min: float = -4.0,
    mu_step: float = 0.25,
    mu_initial: float = -3.0,
    grid: tuple[int, int] = (10, 10),
    batch_size: int = 64,
    seed: int = 0,
    div_id: str = "sigmoidbook-dead-neuron-grid",
) -> InteractiveFigure:
    """Slider over the bias mean μ (0 down to ``mu_min``): which units of a ReLU layer are dead.

    Two grids of the same ``grid[0] × grid[1]`` units: ReLU (left) and Leaky
    ReLU (0.1) (right).  A unit is coloured when it is alive (a non-zero
    gradient reaches its parameters on the batch), black when dead.  Counts
    come from :func:`dead_neuron_counts` (seeded forward and backward pass);
    hovering over a unit shows the fraction of the batch it fires on.
    """
    if mu_min >= 0:
        raise ValueError(f"mu_min must be negative, got {mu_min}")
    if mu_step <= 0:
        raise ValueError(f"mu_step must be positive, got {mu_step}")
    rows_n, cols_n = grid
    if min(rows_n, cols_n) < 1 or rows_n * cols_n > 400:
        raise ValueError(f"grid must have between 1 and 400 units, got {grid}")
    mus = _slider_grid(0.0, mu_min, -mu_step, "dead_neuron_grid")
    active = _nearest_index(mus, mu_initial, "mu_initial")
    n_units = rows_n * cols_n
    counts = dead_neuron_counts(mus, seed=seed, n_units=n_units, batch_size=batch_size)

    def as_grid(values) -> list:
        return np.asarray(values).reshape(rows_n, cols_n).tolist()

    def heatmap_args(index: int) -> tuple[list, list, list]:
        z = [
            as_grid(counts["relu_alive"][index].astype(int)),
            as_grid(counts["leaky_alive"][index].astype(int)),
        ]
        fraction = as_grid(np.round(counts["firing_fraction"][index], 4))
        return z, [fraction, fraction]

    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.06,
        subplot_titles=("ReLU", "Leaky ReLU (0.1)"),
    )
    z, custom = heatmap_args(active)
    for col, key in ((1, "relu"), (2, "leaky_relu")):
        color = ACTIVATION_COLORS[key]
        fig.add_trace(
            go.Heatmap(
                z=z[col - 1],
                customdata=custom[col - 1],
                zmin=0,
                zmax=1,
                showscale=False,
                xgap=2,
                ygap=2,
                colorscale=[[0, "#111111"], [0.5, "#111111"], [0.5, color], [1, color]],
                hovertemplate="unit (%{y}, %{x})<br>alive: %{z}<br>fires on %{customdata:.0%} of the batch<extra></extra>",
            ),
            row=1,
            col=col,
        )
    titles = [
        _dead_title(float(mu), int(r), int(k), n_units)
        for mu, r, k in zip(mus, counts["relu_count"], counts["leaky_count"])
    ]
    steps_args = []
    for index in range(len(mus)):
        z, custom = heatmap_args(index)
        steps_args.append(
            [{"z": z, "customdata": custom}, {"title.text": titles[index]}, [0, 1]]
        )
    fig.update_layout(
        template="none",
        font=_FONT,
        height=520,
        margin=dict(l=20, r=20, t=90, b=110),
        title=dict(
            text=titles[active], x=0.0, xanchor="left", xref="paper", font=dict(size=14)
        ),
        sliders=[
            _slider(
                [_minus(f"{mu:.2f}") for mu in mus],
                active,
                "bias mean μ = ",
                steps_args,
                y=-0.12,
            )
        ],
        plot_bgcolor="white",
        annotations=list(fig.layout.annotations)
        + [
            dict(
                text=f"coloured: alive (a gradient reaches the unit) · black: dead · batch of {batch_size} examples, seed {seed}",
                x=0,
                y=-0.02,
                xref="paper",
                yref="paper",
                xanchor="left",
                yanchor="top",
                showarrow=False,
                font=dict(size=11, color="#555555"),
            )
        ],
    )
    fig.update_xaxes(
        showticklabels=False,
        ticks="",
        showgrid=False,
        zeroline=False,
        constrain="domain",
    )
    fig.update_yaxes(
        showticklabels=False,
        ticks="",
        showgrid=False,
        zeroline=False,
        autorange="reversed",
        scaleanchor="x",
        constrain="domain",
    )
    fig.update_yaxes(scaleanchor="x2", row=1, col=2)

    rows = [
        [_minus(f"{mu:.2f}"), str(int(r)), str(int(k))]
        for mu, r, k in zip(mus, counts["relu_count"], counts["leaky_count"])
    ]
    alt = (
        f"Interactive figure: a slider lowers the bias mean μ of a random layer of {n_units} units from 0 to "
        f"{_minus(f'{mu_min:g}')}; two {rows_n} × {cols_n} grids colour each unit alive or dead. "
        f"With ReLU, alive units fall from {int(counts['relu_count'][0])} to {int(counts['relu_count'][-1])}; "
        f"with Leaky ReLU (0.1) all {int(counts['leaky_count'][-1])} stay alive."
    )
    return InteractiveFigure(
        figure=fig,
        div_id=div_id,
        alt=alt,
        table_html=_table(
            f"Alive units out of {n_units}, by bias mean",
            ["bias mean μ", "ReLU alive", "Leaky ReLU (0.1) alive"],
            rows,
        ),
        data={**counts, "titles": titles},
        static_factory=lambda: _dead_static(counts, n_units),
    )


def _dead_static(counts, n_units):
    import matplotlib.pyplot as plt

    from .style import use_book_style

    use_book_style()
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(
        counts["mu"],
        counts["relu_count"],
        marker="o",
        color=ACTIVATION_COLORS["relu"],
        linestyle=ACTIVATION_LINESTYLES["relu"],
        label="ReLU",
    )
    ax.plot(
        counts["mu"],
        counts["leaky_count"],
        marker="s",
        color=ACTIVATION_COLORS["leaky_relu"],
        linestyle=ACTIVATION_LINESTYLES["leaky_relu"],
        label="Leaky ReLU (0.1)",
    )
    ax.set(
        title="Units that still receive a gradient",
        xlabel="bias mean μ",
        ylabel=f"alive units (of {n_units})",
        ylim=(0, n_units * 1.05),
    )
    ax.invert_xaxis()
    ax.legend()
    fig.tight_layout()
    return fig
