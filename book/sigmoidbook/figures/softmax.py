"""Chapter 6's temperature slider: softmax(z / T) and the size of its Jacobian.

The chapter computes every number; this module only draws them::

    from sigmoidbook.figures.softmax import temperature_slider
    temperature_slider(class_names, temperatures, probabilities, frobenius, largest)

``temperatures`` are the slider's values of T (increasing, positive),
``probabilities[t]`` the chapter's softmax(z / T_t) (one row per temperature, each
summing to 1), ``frobenius[t]`` and ``largest[t]`` the Frobenius norm and the largest
eigenvalue of the Jacobian of z ↦ softmax(z / T) at that temperature.  Top: the
probabilities as bars; below them (stacked, so the figure reads on a phone): the two
Jacobian sizes against T (log axis), with markers at the slider's T.  A table under the figure lists every step.  Titles and
the table are formatted from the values passed in; the drawn values are rounded to
:data:`DRAWN_DIGITS` significant digits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..report import minus
from ..style import OKABE_ITO
from ._plotly import (
    GRID_COLOR,
    InteractiveFigure,
    Traces,
    base_layout,
    data_table,
    horizontal_legend,
    slider,
)

__all__ = ["DIV_ID", "temperature_slider"]

DIV_ID = "sigmoidbook-softmax-temperature"
NORM_COLOR, EIGEN_COLOR, BAR_COLOR = (
    OKABE_ITO["vermillion"],
    OKABE_ITO["blue"],
    OKABE_ITO["bluish_green"],
)


def _as_array(name: str, values, ndim: int) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-d, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds a value that is not finite")
    return array


def _check(names, temperatures, probabilities, frobenius, largest):
    """The inputs as float arrays, or a clear error naming what is wrong."""
    if isinstance(names, str) or len(names) < 2:
        raise ValueError("class_names must be a sequence of at least two names")
    t = _as_array("temperatures", temperatures, 1)
    p = _as_array("probabilities", probabilities, 2)
    f = _as_array("frobenius", frobenius, 1)
    e = _as_array("largest", largest, 1)
    if len(t) < 2 or not (np.all(t > 0) and np.all(np.diff(t) > 0)):
        raise ValueError(
            "temperatures must be at least two positive, increasing values"
        )
    if p.shape != (len(t), len(names)):
        raise ValueError(
            f"probabilities must have shape (temperatures, classes) = "
            f"{(len(t), len(names))}, got {p.shape}"
        )
    if np.any(p < 0) or not np.allclose(p.sum(axis=1), 1, atol=1e-9):
        raise ValueError("each row of probabilities must be non-negative and sum to 1")
    if f.shape != t.shape or e.shape != t.shape:
        raise ValueError("frobenius and largest need one value per temperature")
    if np.any(e < 0) or np.any(e > f * (1 + 1e-12)):
        raise ValueError(
            "need 0 ≤ largest eigenvalue ≤ Frobenius norm: are the arguments swapped?"
        )
    return t, p, f, e


#: Drawn values are rounded to this many significant digits: the page does not need
#: more, and the output nbval compares then does not hang on the last bits of ``exp``.
DRAWN_DIGITS = 6


def _drawn(values: np.ndarray) -> np.ndarray:
    flat = [float(f"{v:.{DRAWN_DIGITS}g}") for v in values.ravel()]
    return np.array(flat).reshape(values.shape)


def _fmt(value: float) -> str:
    return minus(f"{value:.4g}")


#: The two sizes of the Jacobian: legend, table header and title wording.
FROBENIUS, LARGEST = "Frobenius norm of J", "largest eigenvalue of J"


def _title(t: float, p: np.ndarray, f: float, e: float) -> str:
    """Three short lines (a phone's width)."""
    return minus(
        f"T = {t:.3g}: largest probability {p.max():.4f}<br>"
        f"{FROBENIUS}: {f:.4f}<br>{LARGEST}: {e:.4f}"
    )


def _add_traces(traces: Traces, names, t, p, f, e, active: int) -> None:
    traces.add(
        "probabilities",
        go.Bar(
            x=list(names),
            y=p[active],
            marker_color=BAR_COLOR,
            name="softmax(z / T)",
            showlegend=False,
            hovertemplate="%{x}: p = %{y:.4f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    for key, values, color, label in (
        ("frobenius", f, NORM_COLOR, FROBENIUS),
        ("largest", e, EIGEN_COLOR, LARGEST),
    ):
        traces.add(
            key,
            go.Scatter(
                x=t,
                y=values,
                mode="lines",
                name=label,
                line=dict(
                    color=color, width=2, dash="solid" if key == "frobenius" else "dash"
                ),
                hovertemplate="T = %{x:.3g}<br>%{y:.4f}<extra></extra>",
            ),
            row=2,
            col=1,
        )
    traces.add(
        "current",
        go.Scatter(
            x=[t[active]] * 2,
            y=[f[active], e[active]],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker=dict(
                color=[NORM_COLOR, EIGEN_COLOR],
                size=11,
                line=dict(color="white", width=1.5),
            ),
        ),
        row=2,
        col=1,
    )


#: Pixel geometry: the panels stacked (the same layout at every width).
HEIGHT, TOP, BOTTOM = 780, 110, 190
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
VERTICAL_SPACING = 0.22
#: Under the lower panel: its ticks and axis title, the legend, then the slider.
LEGEND_BELOW_PX, SLIDER_BELOW_PX = 64, 112


def _layout(figure: go.Figure, title: str, steps: list, active: int, t) -> None:
    figure.update_layout(
        **base_layout(title, height=HEIGHT, margin=dict(l=60, r=20, t=TOP, b=BOTTOM)),
        legend=horizontal_legend(-LEGEND_BELOW_PX / PLOT_HEIGHT),
        sliders=[
            slider(
                steps,
                active=active,
                prefix="temperature T = ",
                y=-SLIDER_BELOW_PX / PLOT_HEIGHT,
            )
        ],
        bargap=0.3,
    )
    figure.update_yaxes(
        range=[0, 1],
        title_text="probability",
        gridcolor=GRID_COLOR,
        nticks=6,
        row=1,
        col=1,
    )
    figure.update_xaxes(title=dict(text="class", standoff=4), row=1, col=1)
    # Ticks at the powers of 4 only: the minor labels of a log axis crowd a phone.
    powers = [4.0**k for k in range(-8, 9) if t[0] <= 4.0**k <= t[-1]]
    figure.update_xaxes(
        type="log",
        title_text="temperature T",
        gridcolor=GRID_COLOR,
        tickvals=powers,
        # A quarter of a decade of room at each end: no label in the corner.
        range=[np.log10(t[0]) - 0.25, np.log10(t[-1]) + 0.25],
        ticktext=[f"{v:g}" for v in powers],
        row=2,
        col=1,
    )
    figure.update_yaxes(
        rangemode="tozero",
        title_text="size",
        gridcolor=GRID_COLOR,
        nticks=6,
        row=2,
        col=1,
    )


def temperature_slider(
    class_names: Sequence[str],
    temperatures,
    probabilities,
    frobenius,
    largest,
    *,
    active: int | None = None,
) -> InteractiveFigure:
    """The slider figure of chapter 6 from the chapter's own numbers (see the module doc)."""
    t, p, f, e = _check(class_names, temperatures, probabilities, frobenius, largest)
    active = int(np.argmin(np.abs(t - 1.0))) if active is None else active
    if not 0 <= active < len(t):
        raise ValueError(
            f"active step {active} is not one of the {len(t)} temperatures"
        )
    titles = [_title(t[i], p[i], f[i], e[i]) for i in range(len(t))]
    rows = [
        [_fmt(t[i]), *(f"{v:.4f}" for v in p[i]), f"{f[i]:.4f}", f"{e[i]:.4f}"]
        for i in range(len(t))
    ]
    t, p, f, e = (_drawn(a) for a in (t, p, f, e))
    figure = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=VERTICAL_SPACING,
        subplot_titles=("probabilities softmax(z / T)", "size of the Jacobian J"),
    )
    traces = Traces(figure)
    _add_traces(traces, class_names, t, p, f, e, active)
    moving = traces.indices(["probabilities", "current"])
    steps = [
        (
            _fmt(t[i]),
            {"x": [list(class_names), [t[i]] * 2], "y": [p[i].tolist(), [f[i], e[i]]]},
            {"title.text": titles[i]},
            moving,
        )
        for i in range(len(t))
    ]
    _layout(figure, titles[active], steps, active, t)
    header = [
        "T",
        *[f"p({name})" for name in class_names],
        FROBENIUS,
        LARGEST,
    ]
    alt = (
        "Two panels with a temperature slider. Top: bars of the probabilities "
        f"softmax(z / T) of {len(class_names)} classes, flat at high T and "
        "concentrated on one class at low T. Below: the Frobenius norm and the largest "
        "eigenvalue of the softmax Jacobian against T on a log axis; both are small at "
        "very low and very high T and largest in between."
    )
    return InteractiveFigure(
        figure=figure,
        div_id=DIV_ID,
        alt=alt,
        table_html=data_table("softmax(z / T) and its Jacobian", header, rows),
        data={"temperatures": t.tolist(), "titles": titles},
    )
