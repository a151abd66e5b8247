"""What every interactive figure shares: the displayed object, traces, sliders, tables.

A figure module (``figures/explorer.py``, ``figures/depth.py``, …) builds a plotly
``Figure`` from numbers the chapter computed and passes it in, returning an
:class:`InteractiveFigure`.  Slider steps are precomputed, so the figure works in
the static website with no kernel.

- :class:`Traces` adds traces to a figure and remembers each one's index under a
  name, so slider steps say *which* traces they update (no hard-coded positions).
- :func:`slider` makes a plotly slider from ``(label, restyle, relayout)`` steps.
- :func:`data_table` is the text version of a figure (an HTML table under it).
- :func:`base_layout`, :func:`horizontal_legend`, :func:`footnote`: a layout that
  reads on a 360 px phone as well as on a desktop (titles broken into short lines
  with ``<br>``, legends in rows outside the plots, notes under them); figures with
  two panels stack them (plotly's layout is the same at every width), and
  ``tests/test_figure_layout.py`` checks in a browser that no text is clipped or
  overlaps another at 360, 390 and 1280 px.
- :func:`superscript`: exponents as typeset text (``¼¹⁰``, ``2⁻²⁴``), never ``^``.
- :data:`PLOTLY_CONFIG` is the one plotly configuration: no logo link and no
  "send to cloud"/"edit in Chart Studio" buttons (the only way a reader could
  otherwise make the offline book talk to a server).
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from ..report import minus

__all__ = [
    "FIGURE_JSON_CLASS",
    "FONT",
    "GRID_COLOR",
    "PLOTLY_CONFIG",
    "InteractiveFigure",
    "Traces",
    "base_layout",
    "footnote",
    "data_table",
    "horizontal_legend",
    "plotly_dash",
    "slider",
    "superscript",
]

PLOTLY_CONFIG: dict[str, Any] = {
    "responsive": True,
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    # Four toolbar buttons (PNG, zoom, pan, reset): four tab stops, not eight.
    "modeBarButtonsToRemove": [
        "select2d",
        "lasso2d",
        "sendDataToCloud",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
    ],
}
#: The ``<script>`` class that marks a figure's JSON for the website's figure loader
#: (``book/_ext/plotly_figures.js``, deferred like plotly.js, draws it).
FIGURE_JSON_CLASS = "sigmoidbook-plotly-json"
FONT = dict(family="DejaVu Sans, Verdana, sans-serif", size=13, color="#222222")
GRID_COLOR = "#e5e5e5"
#: Title lines are at most about this many characters: at 14 px they fit a phone.
TITLE_LINE_CHARS = 40
_SUPERSCRIPT = str.maketrans("-−0123456789", "⁻⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(exponent: int | str) -> str:
    """An integer exponent as Unicode superscript digits: ``superscript(-24) == "⁻²⁴"``."""
    text = str(exponent)
    if not text.lstrip("-−").isdigit():
        raise ValueError(f"superscript takes an integer exponent, got {exponent!r}")
    return text.translate(_SUPERSCRIPT)


@dataclass
class InteractiveFigure:
    """A plotly figure that displays itself in a notebook and in the website.

    Displayed (last expression of a cell), it produces ``text/html`` (a plot
    ``<div>`` without plotly.js, plus the data table), plotly's JSON mime type
    (JupyterLab draws it with plotly's extension) and ``text/plain`` (the alt text).
    ``div_id`` is fixed so the output is identical on every run (nbval compares it).
    """

    figure: go.Figure
    div_id: str
    alt: str
    table_html: str
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.alt.strip():
            raise ValueError("an interactive figure needs alt text")
        if not self.div_id.replace("-", "").isalnum():
            raise ValueError(
                f"div_id must be letters, digits and '-', got {self.div_id!r}"
            )

    def to_html(self) -> str:
        """The plot div, the figure as JSON (no plotly.js, no MathJax), the data table.

        No inline ``Plotly.newPlot`` call: the website loads plotly.js deferred (it
        does not hold up the first paint) and its figure loader draws every
        ``<script class="sigmoidbook-plotly-json">`` once plotly.js is there.
        """
        height = self.figure.layout.height
        size = f"height:{height}px; width:100%;" if height else "width:100%;"
        # JSON inside <script>: no raw "<", ">" or "&" (a "</script>" in a label).
        payload = (
            json.dumps(self._figure_json(), ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
        )
        return (
            '<div class="sigmoidbook-interactive" role="figure" '
            f'aria-label="{html.escape(self.alt)}">\n'
            f'<div class="sigmoidbook-plot" style="{size}">'
            f'<div id="{self.div_id}" class="plotly-graph-div" '
            'style="height:100%; width:100%;"></div></div>\n'
            f'<script type="application/json" class="{FIGURE_JSON_CLASS}" '
            f'data-target="{self.div_id}">{payload}</script>\n'
            f"{self.table_html}\n</div>"
        )

    def _figure_json(self) -> dict[str, Any]:
        fig_json = json.loads(
            pio.to_json(self.figure, validate=False, remove_uids=True)
        )
        fig_json["config"] = dict(PLOTLY_CONFIG)
        return fig_json

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        fig_json = self._figure_json()
        return {
            "text/html": self.to_html(),
            "application/vnd.plotly.v1+json": fig_json,
            "text/plain": self.alt,
        }

    def __repr__(self) -> str:  # deterministic, for nbval
        return f"InteractiveFigure(div_id={self.div_id!r})"


class Traces:
    """Add traces to ``figure`` and look their indices up by name later."""

    def __init__(self, figure: go.Figure) -> None:
        self.figure = figure
        self.index: dict[str, int] = {}

    def add(self, name: str, trace: Any, **position: Any) -> int:
        """Add ``trace`` (``row=``/``col=`` for subplots) under ``name``; returns its index."""
        if name in self.index:
            raise ValueError(f"a trace named {name!r} was added already")
        self.figure.add_trace(trace, **position)
        self.index[name] = len(self.figure.data) - 1
        return self.index[name]

    def indices(self, names: Sequence[str]) -> list[int]:
        """The indices of the traces called ``names``, in that order."""
        missing = [n for n in names if n not in self.index]
        if missing:
            raise KeyError(
                f"no traces named {missing}; the traces are {list(self.index)}"
            )
        return [self.index[n] for n in names]


def slider(
    steps: Sequence[tuple[str, dict[str, Any], dict[str, Any], Sequence[int]]],
    *,
    active: int,
    prefix: str,
    y: float = 0.0,
) -> dict[str, Any]:
    """A plotly slider whose step ``k`` applies ``steps[k] = (label, restyle, relayout, traces)``.

    ``restyle`` maps trace attributes to one value per trace in ``traces`` (for example
    ``{"y": [[...], [...]]}``), ``relayout`` maps layout attributes to values.
    """
    if not 0 <= active < len(steps):
        raise ValueError(f"active step {active} is not one of the {len(steps)} steps")
    return dict(
        active=active,
        steps=[
            dict(
                method="update",
                label=label,
                value=label,
                args=[restyle, relayout, list(traces)],
            )
            for label, restyle, relayout, traces in steps
        ],
        currentvalue=dict(
            prefix=prefix, font=dict(size=14, color="#222222"), xanchor="left"
        ),
        font=dict(size=11, color="#555555"),
        pad=dict(t=30, b=10),
        len=1.0,
        x=0.0,
        y=y,
        yanchor="top",
    )


def data_table(
    caption: str, header: Sequence[str], rows: Sequence[Sequence[object]]
) -> str:
    """The text version of a figure: a collapsible HTML table (numbers with ``−``)."""
    for number, row in enumerate(rows):
        if len(row) != len(header):
            raise ValueError(
                f"row {number} has {len(row)} cells, the header {len(header)}"
            )
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(minus(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return (
        '<details class="sigmoidbook-data">\n'
        f"<summary>{html.escape(caption)} (text version of the figure)</summary>\n"
        f'<table class="table">\n<thead><tr>{head}</tr></thead>\n'
        f"<tbody>\n{body}\n</tbody>\n</table>\n</details>"
    )


def plotly_dash(style: str | tuple) -> str:
    """A matplotlib line style as a plotly dash (lengths scaled by the 2 px line width)."""
    named = {"-": "solid", "--": "dash", "-.": "dashdot", ":": "dot"}
    if isinstance(style, str):
        if style not in named:
            raise ValueError(f"unknown line style {style!r}; use one of {list(named)}")
        return named[style]
    _, pattern = style
    return ",".join(f"{2 * length:g}px" for length in pattern)


def base_layout(
    title: str,
    *,
    height: int,
    margin: dict,
    **title_style: Any,
) -> dict:
    """What every figure's layout starts with: no plotly template, the book's font, the
    height and margins given, and a title at the top left of the figure
    (``title_style``: e.g. ``font=``); the top margin must hold all its lines.

    Plotly does not wrap text: ``title`` must be broken into lines of at most
    :data:`TITLE_LINE_CHARS` characters with ``<br>`` (checked here), so it fits a
    phone (``automargin`` pushes the plot down should a title still not fit).
    """
    for line in title.split("<br>"):
        if len(line) > TITLE_LINE_CHARS:
            raise ValueError(
                f"title line {line!r} has {len(line)} characters, more than "
                f"{TITLE_LINE_CHARS}: break it with <br> (plotly does not wrap)"
            )
    style = dict(
        x=0.0,
        xanchor="left",
        xref="container",
        y=1.0,
        yanchor="top",
        yref="container",
        pad=dict(l=8, t=20),
        automargin=True,
        font=dict(size=14),
    )
    style.update(title_style)
    return dict(
        template="none",
        font=FONT,
        height=height,
        margin=margin,
        title=dict(text=title, **style),
    )


def horizontal_legend(y: float, **style: Any) -> dict:
    """A legend in rows, left-aligned, its top at ``y`` (paper units: below 0 is
    under the plot): rows wrap on a phone and can never cover a curve."""
    return dict(
        orientation="h",
        x=0.0,
        xanchor="left",
        y=y,
        yanchor="top",
        font=dict(size=12),
        itemwidth=30,
        **style,
    )


def footnote(text: str) -> dict:
    """A left-aligned note just under the plot (a key or a footnote), as an annotation:
    break lines longer than about 45 characters with ``<br>`` (a phone's width)."""
    return dict(
        text=text,
        x=0,
        y=-0.02,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        align="left",
        showarrow=False,
        font=dict(size=11, color="#555555"),
    )
