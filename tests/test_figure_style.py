"""Static (matplotlib) figures keep their text readable on a phone.

A figure's PNG is shown at most as wide as the content column: on a 360 px phone
it is shrunk to 360 CSS px, so text of ``pt`` points in a PNG ``W`` pixels wide
(saved at ``dpi``) shows ``pt × dpi/72 × 360/W`` px high.  The book's style
(``sigmoidbook.style``, applied by ``setup_chapter``) must keep every default text
at 9 px or more there; and every figure committed in a chapter notebook is measured
from its PNG's width with the style's tick-label size.  Figures that are still too
wide are listed in :data:`TOO_WIDE` with what their chapter should change, so a new
one fails this test and a fixed one must leave the list.
"""

from __future__ import annotations

import base64
import io
import json
import struct
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.font_manager import FontProperties

from sigmoidbook.style import MIN_TEXT_PX, PHONE_COLUMN_PX, text_px, use_book_style

BOOK = Path(__file__).resolve().parents[1] / "book"

#: Committed figures wider than a phone allows, ``(notebook, cell id)``: what to change.
TOO_WIDE: dict[tuple[str, str], str] = {}


def png_width(data: str | list[str]) -> int:
    """The width in pixels of a base64 PNG (its IHDR chunk)."""
    raw = base64.b64decode(data if isinstance(data, str) else "".join(data))
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">I", raw[16:20])[0]


def committed_figures() -> list[tuple[str, str, int]]:
    """``(notebook, cell id, PNG width)`` of every PNG output of every chapter."""
    figures = []
    for notebook in sorted(BOOK.glob("ch*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png is not None:
                    figures.append((notebook.stem, cell["id"], png_width(png)))
    return figures


@pytest.fixture
def book_style():
    with mpl.rc_context():
        mpl.rcdefaults()
        use_book_style()
        yield mpl.rcParams
    plt.close("all")


def points(size) -> float:
    """A matplotlib font size (a number or "medium", "small", …) in points."""
    return FontProperties(size=size).get_size_in_points()


def default_figure_width() -> int:
    """The width of a default one-panel figure saved as the notebook saves it
    (the inline backend crops to the drawing: ``bbox_inches="tight"``)."""
    fig, ax = plt.subplots()
    ax.plot([0.001, 1000], [-1000, 1000], label="a curve")
    ax.set(xlabel="x label", ylabel="y label", title="a title")
    ax.legend()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return struct.unpack(">I", buffer.getvalue()[16:20])[0]


def test_the_style_keeps_default_text_readable_on_a_phone(book_style):
    width = default_figure_width()
    sizes = {
        key: points(book_style[key])
        for key in (
            "xtick.labelsize",
            "ytick.labelsize",
            "axes.labelsize",
            "axes.titlesize",
            "legend.fontsize",
        )
    }
    shown = {key: round(text_px(pt, width), 1) for key, pt in sizes.items()}
    assert all(px >= MIN_TEXT_PX for px in shown.values()), (
        f"a default figure is {width} px wide: on a {PHONE_COLUMN_PX} px column its "
        f"text shows at {shown} px, under {MIN_TEXT_PX} px"
    )


def test_text_px_is_the_shrunk_size():
    """12 pt at 100 dpi is 16.7 px; a 600 px image in a 360 px column shrinks to 0.6."""
    assert text_px(12, 600) == pytest.approx(12 * 100 / 72 * 0.6)
    assert text_px(12, 300) == pytest.approx(12 * 100 / 72)  # never enlarged
    assert text_px(10, 700) < MIN_TEXT_PX  # the old style's 7-inch figures


def test_committed_figures_are_readable_on_a_phone(book_style):
    tick_pt = points(book_style["xtick.labelsize"])
    figures = committed_figures()
    assert figures, "no PNG figures found in the chapter notebooks"
    small = {
        (notebook, cell): round(text_px(tick_pt, width), 1)
        for notebook, cell, width in figures
        if text_px(tick_pt, width) < MIN_TEXT_PX
    }
    report = "\n".join(
        f"{nb} cell {cell}: tick labels {px} px: {TOO_WIDE.get((nb, cell), '?')}"
        for (nb, cell), px in sorted(small.items())
    )
    print(f"figures under {MIN_TEXT_PX} px on a {PHONE_COLUMN_PX} px phone:\n{report}")
    new = set(small) - set(TOO_WIDE)
    assert not new, f"figures too wide for a phone (make them ≤ 6 in wide):\n{report}"
    fixed = set(TOO_WIDE) - set(small)
    assert not fixed, f"these are readable now: remove them from TOO_WIDE: {fixed}"
