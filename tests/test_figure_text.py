"""The interactive figures write mathematics as typeset text, never as ASCII stand-ins.

Every string a reader can see or hear in a figure — titles of every slider step,
subplot titles and notes, legend entries, axis titles and tick labels, slider
labels, hover texts, the in-figure table, the text version under the figure and the
alt text — must use ``¼ᴸ``, ``2⁻²⁴``, ``9.537×10⁻⁷``, ``−`` and ``σ′``: not ``(1/4)^L``,
``2^-24``, ``9.537e-07`` (nor a hover format that prints one), ``-0.5`` or ``‖J‖_F``.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest
from figure_checks import FIGURES

from sigmoidbook.figures._plotly import superscript

#: ASCII stand-ins for typeset mathematics, each with what to write instead.
ASCII_MATH = {
    "a caret exponent (write ¼ᴸ, 2⁻²⁴)": re.compile(r"\^"),
    "an e-notation number (write 9.537×10⁻⁷)": re.compile(r"\d[eE][-+−]?\d"),
    "a hover format printing e-notation": re.compile(r"%\{[^}]*:[^}]*e\}"),
    "an underscore subscript (write words or ₀…₉)": re.compile(r"[\w‖)]_[\w{]"),
    "a hyphen as a minus sign (write −)": re.compile(r"(?<![\w)\]])-\d"),
    "the fraction 1/4 (write ¼)": re.compile(r"(?<![\d/])1/4(?![\d/])"),
}


def ascii_math(text: str) -> list[str]:
    """What in ``text`` is an ASCII stand-in for mathematics."""
    return [f"{what}: {text!r}" for what, rx in ASCII_MATH.items() if rx.search(text)]


class _Text(HTMLParser):
    """The text of an HTML fragment (the text version of a figure)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.parts.append(data)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


#: Layout and trace keys whose strings a reader sees (not colours, ids, modes, …).
SHOWN = {
    "text",
    "name",
    "hovertemplate",
    "ticktext",
    "label",
    "prefix",
    "title.text",
    "cells.values",
}


def shown_strings(node, key: str = "") -> list[str]:
    """Every string under a key of :data:`SHOWN` in a plotly figure's JSON."""
    if isinstance(node, dict):
        found = []
        for k, v in node.items():
            table_text = k == "values" and key in ("header", "cells")
            if k in SHOWN or table_text:
                found += _strings(v)
            else:
                found += shown_strings(v, k)
        return found
    if isinstance(node, list):
        return [s for item in node for s in shown_strings(item, key)]
    return []


def figure_strings(figure) -> list[str]:
    """Everything a reader sees or hears in ``figure`` (an InteractiveFigure)."""
    parser = _Text()
    parser.feed(figure.table_html)
    return [*shown_strings(figure._figure_json()), *parser.parts, figure.alt]


@pytest.fixture(scope="module", params=list(FIGURES))
def built(request):
    return request.param, FIGURES[request.param]()


def test_figures_write_mathematics_typeset(built):
    name, figure = built
    strings = figure_strings(figure)
    assert len(strings) > 20, f"{name}: too few strings found: {strings}"
    found = [problem for text in strings for problem in ascii_math(text)]
    assert not found, f"{name}:\n" + "\n".join(dict.fromkeys(found))


def test_the_strings_include_every_kind_of_text(built):
    """The search looks where the text is: step titles, legend, hover, table, alt."""
    name, figure = built
    strings = set(figure_strings(figure))
    layout = figure.figure.layout
    steps = layout.sliders[0].steps
    assert {s.args[1]["title.text"] for s in steps} <= strings
    assert {s.label for s in steps} <= strings
    assert {a.text for a in layout.annotations} <= strings
    hover = {getattr(t, "hovertemplate", None) for t in figure.figure.data}
    assert hover - {None} <= strings
    assert figure.alt in strings


@pytest.mark.parametrize(
    "text",
    [
        "L = 10: sigmoid factor ≤ (1/4)^10",
        "float32 ε/2 = 2^-24",
        "product: 9.537e-07",
        "product: 9.537e−07",
        "L = %{x}<br>float32: %{y:.3e}<extra></extra>",
        "‖J‖_F = 0.3097",
        "x = -6.00",
        "¼ = 1/4",
    ],
)
def test_ascii_math_is_found(text):
    assert ascii_math(text)


@pytest.mark.parametrize(
    "text",
    [
        "L = 10: sigmoid factor ≤ ¼¹⁰ = 9.537×10⁻⁷",
        "x = −6.00: σ(x) = 0.0025, σ′(x) = 0.0025",
        "ReLU: 118/128 units alive",
        "probabilities softmax(z / T)",
        "L = %{x}<br>¼ᴸ = %{customdata}<extra></extra>",
        "unit %{customdata}<br>ReLU: %{z} (1 alive, 0 dead)<extra></extra>",
        "Leaky ReLU (0.1)",
        "sigmoidbook-depth-slider",
    ],
)
def test_typeset_math_passes(text):
    assert not ascii_math(text)


def test_superscript_writes_exponents_typeset():
    assert superscript(-24) == "⁻²⁴" and superscript(10) == "¹⁰"
    assert superscript("−149") == "⁻¹⁴⁹"
    with pytest.raises(ValueError, match="integer exponent"):
        superscript("L")


def test_hover_never_formats_a_negative_number_itself(built):
    """plotly's hover formats (``%{x:.2f}``) print ``-0.50`` with a hyphen: a trace
    with negative x or y must show preformatted text (``customdata``) instead."""
    name, figure = built
    found = []
    for trace in figure.figure.data:
        template = getattr(trace, "hovertemplate", None) or ""
        for axis in ("x", "y", "z"):
            values = getattr(trace, axis, None)
            if values is None or f"%{{{axis}" not in template:
                continue
            flat = [
                v for v in np.ravel(np.asarray(values, dtype=object)) if v is not None
            ]
            numbers = [float(v) for v in flat if isinstance(v, int | float | np.number)]
            if any(v < 0 for v in numbers):
                found.append(
                    f"{trace.name or trace.type}: %{{{axis}}} with negative {axis}"
                )
    assert not found, f"{name}: {found}"
