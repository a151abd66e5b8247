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

__all__ = ["OKABE_ITO", "ACTIVATION_COLORS", "ACTIVATION_LINESTYLES", "use_book_style"]

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


def use_book_style() -> None:
    """Set matplotlib defaults for the book: palette, sizes, grid, deterministic SVG/PNG output."""
    mpl.rcParams.update(
        {
            "axes.prop_cycle": cycler(color=_CYCLE),
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.frameon": False,
            "lines.linewidth": 2.0,
            "font.family": "DejaVu Sans",
            # Reproducible image bytes: no timestamps or random ids in the files.
            "svg.hashsalt": "sigmoidbook",
            "path.simplify": True,
        }
    )
