"""Chapter 2's depth slider: the best case ¼ᴸ against ReLU's 1, with float32's landmarks.

The chapter computes the numbers; this module only draws them::

    from sigmoidbook.figures.depth import depth_slider
    depth_slider(landmarks["float32"], float32_products)

``landmarks`` are the chapter's first depths of each float32 event (``"update lost"``:
``1 + g == 1``; ``"subnormal"``; ``"zero"``), ``products`` its float32 products
``¼ᴸ`` for ``L = 1, 2, …``, multiplied out one layer at a time.  The slider runs
over the depths of ``products``; dashed lines mark the landmarks, dotted lines the
limits of float32 that ``np.finfo`` reports.  The exact curve is ``0.25 ** L`` in
float64, which holds every power of 1/4 the figure shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from ..report import format_number
from ..style import ACTIVATION_COLORS, ACTIVATION_LINESTYLES
from ._plotly import (
    GRID_COLOR,
    InteractiveFigure,
    Traces,
    base_layout,
    data_table,
    horizontal_legend,
    plotly_dash,
    slider,
    superscript,
)

__all__ = ["depth_slider"]

DIV_ID = "sigmoidbook-depth-slider"
EVENTS = ("update lost", "subnormal", "zero")
#: How each landmark is labelled in the figure (the wording the browser tests read).
EVENT_TEXT = {
    "update lost": "1 + g rounds to 1",
    "subnormal": "subnormal",
    "zero": "float32 zero",
}
INITIAL_DEPTH = 10
MAX_DEPTH = 200


def _check_inputs(landmarks: Mapping[str, int], products: np.ndarray) -> None:
    """Clear errors for inputs the figure cannot show truthfully."""
    if not isinstance(landmarks, Mapping) or set(landmarks) != set(EVENTS):
        keys = list(landmarks) if isinstance(landmarks, Mapping) else landmarks
        raise ValueError(
            f"landmarks must map exactly {list(EVENTS)} to depths "
            f"(the chapter's landmarks['float32']), got {keys!r}"
        )
    depths = [landmarks[event] for event in EVENTS]
    if not all(
        isinstance(d, int | np.integer) and not isinstance(d, bool) for d in depths
    ):
        raise ValueError(f"landmark depths must be integers, got {dict(landmarks)}")
    if not 1 <= depths[0] < depths[1] < depths[2]:
        raise ValueError(
            "landmark depths must be positive and in the order "
            f"update lost < subnormal < zero, got {dict(landmarks)}"
        )
    if products.ndim != 1 or products.dtype != np.float32:
        raise ValueError(
            "products must be a 1-d float32 array (the float32 products ¼ᴸ, L = 1, 2, …), "
            f"got a {products.ndim}-d {products.dtype} array"
        )
    if not INITIAL_DEPTH <= len(products) <= MAX_DEPTH:
        raise ValueError(
            f"products must hold between {INITIAL_DEPTH} and {MAX_DEPTH} depths, "
            f"got {len(products)}"
        )
    if products[0] != np.float32(0.25):
        raise ValueError(f"products[0] must be ¼¹ = 0.25, got {products[0]}")
    if not (np.all(products >= 0) and np.all(np.diff(products) <= 0)):
        raise ValueError("products must be non-negative and non-increasing with depth")
    tiny = np.finfo(np.float32).smallest_normal
    for event, first_depth, reached in (
        ("zero", landmarks["zero"], products == 0),
        ("subnormal", landmarks["subnormal"], products < tiny),
    ):
        hits = np.flatnonzero(reached)
        first_hit = int(hits[0]) + 1 if len(hits) else None
        beyond = first_hit is None and first_depth > len(products)
        if first_hit != first_depth and not beyond:
            raise ValueError(
                f"landmarks[{event!r}] = {first_depth}, but the products reach it "
                f"at L = {first_hit}: landmarks and products are of different formats?"
            )


def _sci(value: float) -> str:
    """``9.537×10⁻⁷``: typeset, never ``9.537e-07``."""
    return format_number(value, ".3e")


def _status(depth: int, product: float, landmarks: Mapping[str, int]) -> str:
    if product == 0:
        return "underflow to 0"
    if depth >= landmarks["subnormal"]:
        return "subnormal"
    if depth >= landmarks["update lost"]:
        return EVENT_TEXT["update lost"]
    return "normal"


def _title(depth: int, exact: float, product: float, landmarks) -> str:
    """Four short lines (a phone's width): ReLU, the exact bound, float32's product and status."""
    shown = "0" if product == 0 else _sci(product)
    return (
        f"L = {depth}: ReLU factor 1ᴸ = 1"
        f"<br>sigmoid factor ≤ ¼{superscript(depth)} = {_sci(exact)}"
        f"<br>float32 product: {shown}"
        f"<br>float32: {_status(depth, product, landmarks)}"
    )


def _add_curves(traces: Traces, depths, exact, products, landmarks) -> None:
    """The exact curve, the float32 markers, ReLU's line and the slider's two markers."""
    sigmoid, relu = ACTIVATION_COLORS["sigmoid"], ACTIVATION_COLORS["relu"]
    traces.add(
        "exact",
        go.Scatter(
            x=depths,
            y=exact,
            mode="lines",
            name="sigmoid: ¼ᴸ exact",
            line=dict(color=sigmoid, width=2),
            customdata=[_sci(v) for v in exact],
            hovertemplate="L = %{x}<br>¼ᴸ = %{customdata}<extra></extra>",
        ),
    )
    nonzero = products > 0
    traces.add(
        "float32",
        go.Scatter(
            x=depths[nonzero],
            y=products[nonzero].astype(np.float64),
            mode="markers",
            name="sigmoid: float32 product",
            marker=dict(color=sigmoid, size=5, symbol="circle-open"),
            customdata=[_sci(v) for v in products[nonzero]],
            hovertemplate="L = %{x}<br>float32: %{customdata}<extra></extra>",
        ),
    )
    traces.add(
        "relu",
        go.Scatter(
            x=depths,
            y=np.ones(len(depths)),
            mode="lines",
            name="ReLU: 1ᴸ = 1",
            line=dict(
                color=relu, width=2, dash=plotly_dash(ACTIVATION_LINESTYLES["relu"])
            ),
            hovertemplate="L = %{x}<br>ReLU factor = 1<extra></extra>",
        ),
    )
    at = _current(INITIAL_DEPTH, float(exact[INITIAL_DEPTH - 1]))
    traces.add(
        "current",
        go.Scatter(
            x=at["x"][0],
            y=at["y"][0],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker=dict(
                color=[sigmoid, relu], size=12, line=dict(color="white", width=1.5)
            ),
        ),
    )


def _current(depth: int, exact: float) -> dict[str, list]:
    """Restyle of the ``current`` trace: markers on the sigmoid curve and ReLU's line."""
    return {"x": [[depth, depth]], "y": [[exact, 1.0]]}


#: Pixel geometry (plotly's layout is the same at every width; the plot is
#: HEIGHT − top − bottom pixels tall at every width, so offsets are fixed in pixels).
HEIGHT, TOP, BOTTOM = 660, 140, 230
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
#: Under the plot: tick labels and the axis title, then the legend (up to three rows
#: on a phone), then the slider.
LEGEND_BELOW_PX, SLIDER_BELOW_PX = 66, 130
#: Landmark labels above the plot, one row each (they never collide, however close).
LABEL_ROW_PX = 16


def _px(pixels: float) -> float:
    """A vertical distance in pixels as a fraction of the plot's height (paper units)."""
    return pixels / PLOT_HEIGHT


def _mark_landmarks(figure: go.Figure, landmarks, max_depth: int) -> None:
    """Dashed vertical lines at the landmark depths, each labelled on a row of its own
    above the plot: the first to the right of its line, the later ones to the left, so
    no line crosses a label and no label leaves the figure."""
    for row, event in enumerate(EVENTS):
        depth = int(landmarks[event])
        if depth > max_depth:
            continue
        top = 1 + _px(4 + LABEL_ROW_PX * row)
        figure.add_shape(
            type="line",
            xref="x",
            yref="paper",
            x0=depth,
            x1=depth,
            y0=0,
            y1=top,
            line=dict(color="#555555", width=1, dash="dash"),
        )
        figure.add_annotation(
            x=depth,
            y=top,
            xref="x",
            yref="paper",
            xanchor="left" if row == 0 else "right",
            yanchor="middle",
            xshift=3 if row == 0 else -3,
            showarrow=False,
            text=f"L = {depth}: {EVENT_TEXT[event]}",
            font=dict(size=11, color="#333333"),
        )


def _mark_format_limits(figure: go.Figure) -> None:
    """Dotted horizontal lines at float32's ε/2, smallest normal and smallest subnormal.

    Labelled where the curve is not: right for ε/2, left for the tiny ones.
    """
    info = np.finfo(np.float32)
    for value, label, x, anchor in (
        (float(info.eps) / 2, "float32 ε/2 =", 0.99, "right"),
        (float(info.smallest_normal), "smallest normal", 0.01, "left"),
        (float(info.smallest_subnormal), "smallest subnormal", 0.01, "left"),
    ):
        figure.add_shape(
            type="line",
            xref="paper",
            yref="y",
            x0=0,
            x1=1,
            y0=value,
            y1=value,
            line=dict(color="#999999", width=1, dash="dot"),
        )
        figure.add_annotation(
            x=x,
            y=math.log10(value),
            xref="paper",
            yref="y",
            xanchor=anchor,
            yanchor="bottom",
            showarrow=False,
            text=f"{label} 2{superscript(int(math.log2(value)))}",
            font=dict(size=10, color="#555555"),
            bgcolor="rgba(255,255,255,0.8)",
        )


def _layout(figure: go.Figure, title: str, depth_slider_: dict, lowest: float) -> None:
    """Title, legend and slider under the plot, log axes (down to a decade below ``lowest``)."""
    figure.update_layout(
        **base_layout(title, height=HEIGHT, margin=dict(l=70, r=20, t=TOP, b=BOTTOM)),
        legend=horizontal_legend(-_px(LEGEND_BELOW_PX)),
        sliders=[depth_slider_],
        plot_bgcolor="white",
    )
    max_depth = len(depth_slider_["steps"])
    figure.update_xaxes(
        title_text="depth L (layers)",
        # From 0.5: no tick label "0" in the corner, where it would meet the y axis's.
        range=[0.5, max_depth + 1],
        gridcolor=GRID_COLOR,
        nticks=6,
    )
    figure.update_yaxes(
        title_text="gradient factor (log scale)",
        type="log",
        range=[math.floor(math.log10(lowest)) - 1, 2],
        gridcolor=GRID_COLOR,
        exponentformat="power",
        dtick=10,
    )


def _table(exact, products, landmarks) -> str:
    """Depths 1, 10, 20, … and each landmark with the depth before it."""
    max_depth = len(products)
    marks = [d for d in landmarks.values() if d <= max_depth]
    shown = sorted({1, *range(10, max_depth + 1, 10), *marks, *[d - 1 for d in marks]})
    rows = [
        [
            str(d),
            _sci(exact[d - 1]),
            "0" if products[d - 1] == 0 else _sci(float(products[d - 1])),
            "1",
            _status(d, float(products[d - 1]), landmarks),
        ]
        for d in shown
    ]
    header = [
        "depth L",
        "¼ᴸ exact",
        "float32 product",
        "ReLU factor",
        "float32 status",
    ]
    return data_table("Best-case gradient factor by depth", header, rows)


def depth_slider(landmarks: Mapping[str, int], products) -> InteractiveFigure:
    """Slider over depth L: ¼ᴸ exact and in float32, ReLU's 1, float32's landmarks.

    ``landmarks``: the first depths ``{"update lost": …, "subnormal": …, "zero": …}``
    of float32 (chapter 2's ``landmarks["float32"]``); ``products``: the float32
    products ``¼ᴸ`` for ``L = 1 … len(products)`` (10 to 200 of them).
    Raises ``ValueError`` if they are malformed or do not agree with each other.
    """
    products = np.asarray(products)
    _check_inputs(landmarks, products)
    max_depth = len(products)
    depths = np.arange(1, max_depth + 1)
    exact = 0.25 ** depths.astype(np.float64)
    titles = [
        _title(int(d), float(e), float(g), landmarks)
        for d, e, g in zip(depths, exact, products)
    ]

    figure = go.Figure()
    traces = Traces(figure)
    _add_curves(traces, depths, exact, products, landmarks)
    moved = traces.indices(["current"])
    steps = [
        (str(d), _current(int(d), float(e)), {"title.text": t}, moved)
        for d, e, t in zip(depths, exact, titles)
    ]
    active = INITIAL_DEPTH - 1
    depth_steps = slider(
        steps, active=active, prefix="depth L = ", y=-_px(SLIDER_BELOW_PX)
    )
    _layout(figure, titles[active], depth_steps, lowest=float(exact[-1]))
    _mark_landmarks(figure, landmarks, max_depth)
    _mark_format_limits(figure)
    alt = (
        f"Interactive figure: a slider sets the depth L from 1 to {max_depth}; on a "
        "log scale the best-case gradient factor through L sigmoid layers, ¼ᴸ, "
        "falls in a straight line while ReLU's stays at 1. In float32, 1 + g rounds "
        f"to 1 from L = {landmarks['update lost']}, the product is subnormal from "
        f"L = {landmarks['subnormal']} and exactly 0 from L = {landmarks['zero']}."
    )
    return InteractiveFigure(
        figure=figure,
        div_id=DIV_ID,
        alt=alt,
        table_html=_table(exact, products, landmarks),
        data={
            "depth": depths,
            "exact": exact,
            "float32": products,
            "landmarks": dict(landmarks),
            "titles": titles,
        },
    )
