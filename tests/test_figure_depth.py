"""sigmoidbook.figures.depth: chapter 2's depth slider shows the numbers it is given.

The landmarks and products are computed here independently of the chapter (exact
rational arithmetic against np.finfo, one float32 rounding per layer); the figure's
precomputed slider steps, title, table and alt text must show exactly those.  The
browser tests (test_browser.py) then drag the slider in Chromium.
"""

from __future__ import annotations

import html
import re
from fractions import Fraction

import numpy as np
import pytest

from sigmoidbook.figures.depth import depth_slider
from sigmoidbook.report import format_number

DEPTHS = 80


def float32_landmarks() -> dict[str, int]:
    """First L with 1 + ¼^L == 1, ¼^L subnormal, ¼^L == 0 (round half to even)."""
    info = np.finfo(np.float32)
    limits = {
        "update lost": lambda g: g <= Fraction(float(info.eps)) / 2,
        "subnormal": lambda g: g < Fraction(float(info.smallest_normal)),
        "zero": lambda g: g <= Fraction(float(info.smallest_subnormal)) / 2,
    }
    return {
        event: next(L for L in range(1, 500) if reached(Fraction(1, 4) ** L))
        for event, reached in limits.items()
    }


def float32_products(depths: int = DEPTHS) -> np.ndarray:
    products, g = [], np.float32(1)
    with np.errstate(under="ignore"):
        for _ in range(depths):
            g = np.float32(g * np.float32(0.25))
            products.append(g)
    return np.array(products, dtype=np.float32)


@pytest.fixture(scope="module")
def landmarks():
    marks = float32_landmarks()
    assert marks == {"update lost": 12, "subnormal": 64, "zero": 75}
    return marks


@pytest.fixture(scope="module")
def figure(landmarks):
    return depth_slider(landmarks, float32_products())


def steps_of(figure):
    return figure.figure.layout.sliders[0].steps


def table_rows(figure) -> dict[str, list[str]]:
    """The data table's rows by depth, cells unescaped."""
    rows = re.findall(r"<tr>(<td>.*?)</tr>", figure.table_html)
    cells = [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", r)] for r in rows]
    return {row[0]: row[1:] for row in cells}


def test_every_step_moves_only_the_current_markers(figure):
    steps = steps_of(figure)
    assert len(steps) == DEPTHS
    current = [
        i
        for i, trace in enumerate(figure.figure.data)
        if trace.mode == "markers" and trace.showlegend is False
    ]
    assert len(current) == 1, "one trace holds the two slider markers"
    for L, step in enumerate(steps, start=1):
        restyle, relayout, traces = step.args
        assert step.label == str(L)
        assert list(traces) == current
        assert restyle["x"] == [[L, L]]
        assert restyle["y"] == [[pytest.approx(0.25**L, rel=1e-15), 1.0]]
        assert relayout["title.text"] == figure.data["titles"][L - 1]


def test_initial_state_is_step_ten(figure):
    slider = figure.figure.layout.sliders[0]
    assert slider.active == 9 and slider.currentvalue.prefix == "depth L = "
    assert figure.figure.layout.title.text == figure.data["titles"][9]
    marker = figure.figure.data[steps_of(figure)[9].args[2][0]]
    assert list(marker.x) == [10, 10] and list(marker.y) == [0.25**10, 1.0]


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def test_titles_show_the_given_products_and_landmarks(figure, landmarks):
    products = float32_products()
    for L, title in enumerate(figure.data["titles"], start=1):
        exponent = str(L).translate(SUPERSCRIPT)
        assert f"≤ ¼{exponent} = {format_number(0.25**L, '.3e')}<br>" in title
        if products[L - 1] == 0:
            assert title.endswith("float32 product: 0<br>float32: underflow to 0")
        else:
            shown = format_number(products[L - 1], ".3e")
            assert f"<br>float32 product: {shown}<br>" in title, title
        assert ("subnormal" in title) == (
            landmarks["subnormal"] <= L < landmarks["zero"]
        )
        assert ("1 + g rounds to 1" in title) == (
            landmarks["update lost"] <= L < landmarks["subnormal"]
        )


def test_landmark_lines_and_alt_text(figure, landmarks):
    vertical = sorted(
        int(s.x0) for s in figure.figure.layout.shapes if s.yref == "paper"
    )
    assert vertical == [12, 64, 75]
    labels = [a.text for a in figure.figure.layout.annotations]
    for text in ("L = 12: 1 + g rounds to 1", "L = 64: subnormal"):
        assert text in labels
    assert "smallest subnormal 2⁻¹⁴⁹" in labels
    assert figure.alt.endswith(
        "In float32, 1 + g rounds to 1 from L = 12, the product is subnormal "
        "from L = 64 and exactly 0 from L = 75."
    )
    assert "from 1 to 80" in figure.alt


def test_table_values_are_the_inputs(figure, landmarks):
    products = float32_products()
    rows = table_rows(figure)
    shown = [int(d) for d in rows]
    assert shown == sorted({1, *range(10, 81, 10), 11, 12, 63, 64, 74, 75})
    for depth, (exact, product, relu, status) in rows.items():
        L, g = int(depth), products[int(depth) - 1]
        assert exact == format_number(0.25**L, ".3e")
        assert product == ("0" if g == 0 else format_number(float(g), ".3e"))
        assert relu == "1"
        if landmarks["zero"] <= L:
            assert status == "underflow to 0"
        elif landmarks["subnormal"] <= L:
            assert status == "subnormal"
        elif landmarks["update lost"] <= L:
            assert status == "1 + g rounds to 1"
        else:
            assert status == "normal"
    assert rows["11"][3] == "normal" and rows["12"][3] == "1 + g rounds to 1"


def test_uses_the_given_landmark_not_its_own(landmarks):
    """The update-lost depth cannot be checked against the products: it is shown as given."""
    moved = dict(landmarks, **{"update lost": 11})
    figure = depth_slider(moved, float32_products())
    assert figure.data["titles"][10].endswith("<br>float32: 1 + g rounds to 1")
    assert "rounds to 1 from L = 11" in figure.alt
    assert table_rows(figure)["11"][3] == "1 + g rounds to 1"


def test_shorter_products_shorten_the_slider(landmarks):
    figure = depth_slider(landmarks, float32_products(40))
    assert len(steps_of(figure)) == 40
    assert [int(s.x0) for s in figure.figure.layout.shapes if s.yref == "paper"] == [12]
    assert "from 1 to 40" in figure.alt


def test_output_is_deterministic_and_light(figure, landmarks):
    bundle = figure._repr_mimebundle_()
    assert set(bundle) == {"text/html", "application/vnd.plotly.v1+json", "text/plain"}
    again = depth_slider(landmarks, float32_products())._repr_mimebundle_()
    assert bundle == again, "nbval compares outputs: they must not change"
    page = bundle["text/html"]
    assert 'id="sigmoidbook-depth-slider"' in page
    assert len(page) < 150_000 and "<script src" not in page, "no plotly.js inside"
    assert "<details" in page and "Best-case gradient factor by depth" in page
    assert bundle["text/plain"] == figure.alt


GOOD = float32_landmarks()


@pytest.mark.parametrize(
    ("landmarks", "products", "message"),
    [
        ({"rounding": 12, "subnormal": 64, "zero": 75}, None, "must map exactly"),
        ([12, 64, 75], None, "must map exactly"),
        (dict(GOOD, zero=75.0), None, "must be integers"),
        (dict(GOOD, **{"update lost": True}), None, "must be integers"),
        (dict(GOOD, **{"update lost": 70}), None, "in the order"),
        (dict(GOOD, zero=76), None, "landmarks\\['zero'\\] = 76"),
        ({"update lost": 27, "subnormal": 512, "zero": 538}, None, "different formats"),
        (GOOD, float32_products().astype(np.float64), "float32 array"),
        (GOOD, float32_products()[None, :], "1-d"),
        (GOOD, float32_products(5), "between 10 and 200"),
        (GOOD, float32_products(201), "between 10 and 200"),
        (GOOD, float32_products()[::-1], "must be ¼¹"),
        (GOOD, np.float32(0.5) ** np.arange(1, 81, dtype=np.float32), "must be ¼"),
        (GOOD, np.r_[float32_products()[:15], np.float32(1)], "non-increasing"),
    ],
)
def test_bad_input_raises_a_clear_error(landmarks, products, message):
    if products is None:
        products = float32_products()
    with pytest.raises(ValueError, match=message):
        depth_slider(landmarks, products)
