"""One look for every static figure in the book.

The palette is Okabe & Ito's (2008) colour-blind-safe set; each activation
function has a fixed colour (and line style) everywhere in the book, so a
reader who learns "sigmoid is blue" in chapter 1 can rely on it in chapter 5.

Usage in a chapter::

    from sigmoidbook.style import use_book_style, ACTIVATION_COLORS
    use_book_style()
"""

from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

__all__ = [
    "OKABE_ITO",
    "ACTIVATION_COLORS",
    "ACTIVATION_LINESTYLES",
    "MIN_TEXT_PX",
    "PHONE_COLUMN_PX",
    "text_px",
    "use_book_style",
]

#: Okabe–Ito colour-blind-safe palette (black omitted from the cycle).
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

#: The colour of each activation function, the same in every figure.
ACTIVATION_COLORS = {
    "sigmoid": OKABE_ITO["blue"],
    "tanh": OKABE_ITO["orange"],
    "relu": OKABE_ITO["vermillion"],
    "leaky_relu": OKABE_ITO["reddish_purple"],
    "gelu": OKABE_ITO["bluish_green"],
    "silu": OKABE_ITO["sky_blue"],
}

#: Line styles that keep curves distinguishable in greyscale print as well.
ACTIVATION_LINESTYLES = {
    "sigmoid": "-",
    "tanh": "--",
    "relu": "-.",
    "leaky_relu": ":",
    "gelu": (0, (5, 1, 1, 1)),
    "silu": (0, (3, 1, 1, 1, 1, 1)),
}

_CYCLE = [
    OKABE_ITO[k]
    for k in (
        "blue",
        "orange",
        "bluish_green",
        "vermillion",
        "reddish_purple",
        "sky_blue",
        "yellow",
    )
]


#: The narrowest content column the book is read in (a phone), in CSS pixels, and the
#: smallest text size it must show there (tests/test_figure_style.py checks both the
#: defaults below and every committed figure).
PHONE_COLUMN_PX = 360
MIN_TEXT_PX = 9.0
#: A figure is drawn at most this wide (inches) at ``DPI``: on a phone it is shrunk to
#: the column's width, so its text is ``points × DPI/72 × PHONE_COLUMN_PX / width_px``
#: pixels high, 12 pt at 6 in: 12 × 100/72 × 360/600 = 10 px.
FIGURE_WIDTH_IN, DPI = 6.0, 100
FONT_PT = {"base": 12, "ticks": 12, "labels": 12, "title": 13, "legend": 11}


def text_px(points: float, image_width_px: float) -> float:
    """How tall ``points``-sized text of a ``DPI`` image ``image_width_px`` wide shows
    in a phone's column (images are shrunk to the column, never enlarged)."""
    scale = min(1.0, PHONE_COLUMN_PX / image_width_px)
    return points * DPI / 72 * scale


def use_book_style() -> None:
    """Set matplotlib defaults for the book: palette, sizes readable on a phone, grid,
    deterministic SVG/PNG output.

    A chapter that needs a wider figure (several panels side by side) makes its text
    unreadable on a phone: stack the panels instead (``plt.subplots(2, 1)``) and keep
    the width at most :data:`FIGURE_WIDTH_IN`.
    """
    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=_CYCLE),
            "figure.figsize": (FIGURE_WIDTH_IN, FIGURE_WIDTH_IN * 0.625),
            "figure.dpi": DPI,
            "savefig.dpi": DPI,
            "font.size": FONT_PT["base"],
            "xtick.labelsize": FONT_PT["ticks"],
            "ytick.labelsize": FONT_PT["ticks"],
            "axes.labelsize": FONT_PT["labels"],
            "axes.titlesize": FONT_PT["title"],
            "figure.titlesize": FONT_PT["title"],
            "legend.fontsize": FONT_PT["legend"],
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "legend.frameon": False,
            "lines.linewidth": 2.0,
            "font.family": "DejaVu Sans",
            # Reproducible image bytes: no timestamps or random ids in the files.
            "svg.hashsalt": "sigmoidbook",
            "path.simplify": True,
        }
    )
