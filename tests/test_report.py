"""Unit tests for sigmoidbook.report: Markdown tables and glued numbers."""

import math

import numpy as np
import pytest
import torch

from sigmoidbook import report
from sigmoidbook.report import (
    escape_cell,
    format_number,
    glue_numbers,
    markdown_table,
    minus,
    plain_number,
)


def test_markdown_table_layout_and_alignment():
    table = markdown_table(
        ["x", "σ(x)", "σ′(x)"], [[0, 0.5, 0.25], ["1", "0.7311", "0.1966"]], align="lr"
    )
    assert table.data.splitlines() == [
        "| x | σ(x) | σ′(x) |",
        "|---|---:|---:|",
        "| 0 | 0.5 | 0.25 |",
        "| 1 | 0.7311 | 0.1966 |",
    ]
    assert markdown_table(["a", "b"], []).data.splitlines()[1] == "|---|---|"
    assert (
        markdown_table(["a", "b", "c"], [], align="crl").data.splitlines()[1]
        == "|:---:|---:|---|"
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("|f′(x)|", "\\|f′(x)\\|"),  # a bar would end the cell
        ("$|w| < 1$", "$\\|w\\| < 1$"),  # also inside math
        ("two\nlines", "two<br>lines"),  # a newline would end the row
        ("dos\r\nlines", "dos<br>lines"),
        (0.25, "0.25"),
        ("plain", "plain"),
    ],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def _myst_cells(markdown: str) -> list[list]:
    """The cells of the table MyST (the book's Markdown parser) reads in ``markdown``,
    row by row, each as its inline tokens ``(type, content)``."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    parser = create_md_parser(
        MdParserConfig(enable_extensions={"dollarmath"}), RendererHTML
    )
    rows, row = [], None
    for token in parser.parse(markdown):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            rows.append(row)
        elif token.type == "inline" and row is not None:
            row.append([(t.type, t.content) for t in token.children])
    return rows


def test_markdown_table_with_bars_and_newlines_stays_one_table():
    """The ch3 bug: a ``|f′|`` header silently turned the whole table into raw text."""
    table = markdown_table(
        ["x", "|f′(x)|", "$|w|$"], [["a\nb", "$|x| < 1$", "c|d"]], align="lrr"
    )
    assert _myst_cells(table.data) == [
        [[("text", "x")], [("text", "|f′(x)|")], [("math_inline", "|w|")]],
        [
            [("text", "a"), ("html_inline", "<br>"), ("text", "b")],
            [("math_inline", "|x| < 1")],
            [("text", "c|d")],
        ],
    ]


def test_a_latex_norm_in_a_cell_stays_a_norm():
    table = markdown_table(["norm"], [["$\\|w\\|$"]])
    assert _myst_cells(table.data)[1] == [[("math_inline", "\\|w\\|")]]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("-1.5", "−1.5"),
        ("x-y-z", "x−y−z"),  # every hyphen-minus
        (-2, "−2"),  # numbers are written with str() first
        ("1.5", "1.5"),
        ("−3", "−3"),  # already typographic
    ],
)
def test_minus(text, expected):
    assert minus(text) == expected


@pytest.mark.parametrize(
    "value, spec, expected",
    [
        (-1.5e-5, ".3g", "−1.5×10⁻⁵"),
        (3e300, ".2e", "3.00×10³⁰⁰"),
        (0.123456, ".4f", "0.1235"),
        (-0.0, ".3g", "−0"),  # a signed zero keeps its sign
        (0.0, ".3g", "0"),
        (-0.0001, ".2f", "−0.00"),  # a small negative number keeps its sign
        (12345, ",", "12,345"),  # integers stay integers
        (np.int64(7), "d", "7"),
        (np.float32(0.5), ".3g", "0.5"),
        (torch.tensor(2.0), ".3g", "2"),
        (float("-inf"), ".3g", "−inf"),
        (float("nan"), ".3g", "nan"),
    ],
)
def test_format_number(value, spec, expected):
    assert format_number(value, spec) == expected


@pytest.mark.parametrize("value", [True, "1.5", None, [1.0]])
def test_format_number_rejects_non_numbers(value):
    with pytest.raises(TypeError, match="format_number needs"):
        format_number(value)


@pytest.mark.parametrize(
    "header, rows, align, message",
    [
        ([], [], "l", "at least one column"),
        (["a", "b"], [[1]], "l", "row 0 has 1 cells but the header has 2"),
        (["a", "b"], [[1, 2], [1, 2, 3]], "l", "row 1 has 3 cells"),
        (["a"], [], "x", "align must be letters"),
        (["a"], [], "", "align must be letters"),
    ],
)
def test_markdown_table_rejects_bad_input(header, rows, align, message):
    with pytest.raises(ValueError, match=message):
        markdown_table(header, rows, align=align)


@pytest.mark.parametrize(
    "value, expected, kind",
    [
        (3, 3, int),
        (np.int64(128), 128, int),
        (torch.tensor(7), 7, int),
        (0.25, 0.25, float),
        (np.float32(0.5), 0.5, float),
        (np.array(2.5), 2.5, float),
        (torch.tensor([1.5]), 1.5, float),
        (math.inf, math.inf, float),
    ],
)
def test_plain_number_makes_python_numbers(value, expected, kind):
    result = plain_number("v", value)
    assert result == expected and type(result) is kind


def test_plain_number_rounds_floats_only():
    assert plain_number("v", 1.0743216, digits=4) == 1.074
    assert plain_number("v", 2.3456e-7, digits=2) == 2.3e-7
    assert plain_number("v", 123456, digits=2) == 123456  # counts are never rounded
    assert plain_number("v", -math.inf, digits=3) == -math.inf


@pytest.mark.parametrize(
    "value, error, message",
    [
        (True, TypeError, "alive: can only glue a real number, got bool"),
        (np.bool_(False), TypeError, "got bool"),
        ("12", TypeError, "got str"),
        (None, TypeError, "got NoneType"),
        (1 + 2j, TypeError, "got complex"),
        (np.zeros(3), TypeError, "an array of 3 elements"),
        (torch.zeros(2, 2), TypeError, "an array of 4 elements"),
        (math.nan, ValueError, "alive is NaN"),
        (np.float64("nan"), ValueError, "is NaN"),
    ],
)
def test_plain_number_rejects_what_is_not_one_real_number(value, error, message):
    with pytest.raises(error, match=message):
        plain_number("alive", value)


def test_plain_number_rejects_zero_digits():
    with pytest.raises(ValueError, match="digits must be at least 1"):
        plain_number("v", 0.5, digits=0)


def test_glue_numbers_glues_plain_values_without_display(monkeypatch):
    glued = []
    import myst_nb

    monkeypatch.setattr(
        myst_nb,
        "glue",
        lambda name, value, display=True: glued.append((name, value, display)),
    )
    glue_numbers(alive=np.int64(0), spread=np.float32(0.0579039), digits=3)
    report.glue_number("ratio", torch.tensor(20.57237))
    assert glued == [
        ("alive", 0, False),
        ("spread", 0.0579, False),
        ("ratio", pytest.approx(20.57237), False),
    ]
    assert [type(value) for _, value, _ in glued] == [int, float, float]


def test_glue_typeset_glues_the_typeset_text(monkeypatch):
    import myst_nb

    from sigmoidbook.report import glue_typeset

    glued = {}
    monkeypatch.setattr(
        myst_nb, "glue", lambda name, value, display: glued.update({name: value})
    )
    glue_typeset(".2g", tiny=1.2e-9, negative=-0.5)
    assert glued["tiny"].data == "1.2×10⁻⁹"
    assert glued["negative"].data == "−0.5"
