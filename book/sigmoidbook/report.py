"""How the chapters show computed numbers: Markdown tables and glued values.

Every number quoted in the book's prose is computed in a cell and handed to the
text with myst-nb's ``glue``. :func:`glue_number` turns the value into a plain
Python ``int`` or ``float`` first (a NumPy or PyTorch scalar would be glued with
its ``repr``, and nbval would compare that), optionally rounded, and refuses
anything that is not a finite-or-infinite real number.

Usage in a chapter::

    from sigmoidbook.report import glue_numbers, markdown_table
    glue_numbers(alive=alive, spread=spread)
    display(markdown_table(["x", "σ(x)"], [[0, 0.5], [1, 0.7311]], align="lr"))
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from IPython.display import Markdown

__all__ = [
    "minus",
    "escape_cell",
    "markdown_table",
    "format_number",
    "plain_number",
    "glue_number",
    "glue_numbers",
]

_ALIGNMENT = {"l": "---", "c": ":---:", "r": "---:"}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def minus(text: str) -> str:
    """``text`` with every ASCII hyphen-minus replaced by the typographic minus ``−``.

    The one rule for displayed numbers (tables, figure titles, slider labels): a
    Unicode minus reads as part of the number and never breaks a line after it.
    """
    return str(text).replace("-", "\u2212")


def escape_cell(value: object) -> str:
    """``value`` as the text of one Markdown table cell.

    A ``|`` would end the cell (``|f′|`` in a header silently turns the whole table
    into raw text), so it is escaped as ``\\|``, which GFM/MyST tables read as a
    literal bar, also inside ``$…$`` math (so a LaTeX norm ``$\\|w\\|$`` stays one);
    a newline would end the row, so it becomes ``<br>``.
    """
    text = str(value)
    return text.replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br>")


def markdown_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], align: str = "l"
) -> Markdown:
    """A Markdown table; display it with ``display(...)`` or as a cell's last expression.

    ``align`` has one letter per column, ``l``, ``c`` or ``r``; when it is shorter than
    the header its last letter repeats (``"lr"``: first column left, the rest right).
    Cells are written with ``str`` and escaped (:func:`escape_cell`), so format numbers
    before passing them and write ``|x|`` freely.
    """
    header = list(header)
    if not header:
        raise ValueError("markdown_table needs at least one column in the header")
    if not align or set(align) - set(_ALIGNMENT):
        raise ValueError(
            f"align must be letters l, c or r (one per column), not {align!r}"
        )
    letters = (align + align[-1] * len(header))[: len(header)]
    lines = [
        "| " + " | ".join(map(escape_cell, header)) + " |",
        "|" + "|".join(_ALIGNMENT[letter] for letter in letters) + "|",
    ]
    for number, row in enumerate(rows):
        if isinstance(row, (str, bytes)):
            raise TypeError(
                f"row {number} is a string, not a sequence of cells: {row!r}"
            )
        row = list(row)
        if len(row) != len(header):
            raise ValueError(
                f"row {number} has {len(row)} cells but the header has {len(header)}: {row!r}"
            )
        lines.append("| " + " | ".join(map(escape_cell, row)) + " |")
    return Markdown("\n".join(lines))


def format_number(value: object, spec: str = ".3g") -> str:
    """``value`` formatted with ``spec`` for a table cell: ``−`` and ``×10ⁿ``, never ``-`` or ``e``.

    A Unicode minus sign and a superscript exponent read as one number and never
    break across lines. The sign of zero is kept (``-0.0`` is written ``−0``);
    NaN and infinities are written as ``nan``, ``inf`` and ``−inf``.

    >>> format_number(-1.5e-5)
    '−1.5×10⁻⁵'
    """
    if isinstance(value, (bool, str, bytes)):  # float("1.5") would accept a string
        raise TypeError(
            f"format_number needs a number, got {type(value).__name__} {value!r}"
        )
    try:
        if isinstance(value, numbers.Integral):
            value = int(value)
        else:
            value = float(value)  # -0.0 stays −0: a signed zero is information
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"format_number needs a real number, got {type(value).__name__} {value!r}"
        ) from err
    text = format(value, spec)
    if "e" in text and math.isfinite(value):
        mantissa, exponent = text.split("e")
        text = f"{mantissa}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    return minus(text)


def plain_number(name: str, value: object, digits: int | None = None) -> int | float:
    """``value`` as a Python ``int`` or ``float``, rounded to ``digits`` significant digits.

    Accepts Python, NumPy and 0-d PyTorch/NumPy array numbers. Integers stay integers
    (and are never rounded); ``bool``, NaN, strings and arrays with more than one element
    raise, naming ``name``.
    """
    if hasattr(value, "item") and not isinstance(value, numbers.Number):
        size = getattr(value, "size", None)
        size = size() if callable(size) else size  # torch: size() is a method
        count = math.prod(size) if isinstance(size, tuple) else size
        if count not in (None, 1):
            raise TypeError(
                f"{name}: can only glue a single number, got an array of {count} elements"
            )
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name}: can only glue a real number, got {type(value).__name__} {value!r}"
        )
    if isinstance(value, numbers.Integral):
        return int(value)
    value = float(value)
    if math.isnan(value):
        raise ValueError(f"{name} is NaN: the computation that produced it went wrong")
    if digits is not None and math.isfinite(value):
        if digits < 1:
            raise ValueError(f"digits must be at least 1, not {digits}")
        value = float(f"{value:.{digits}g}")
    return value


def glue_number(name: str, value: object, digits: int | None = None) -> None:
    """Glue one number for the prose (``{glue:text}`name:.3g```), without showing it here."""
    number = plain_number(name, value, digits)
    try:
        from myst_nb import glue  # imported late: myst-nb pulls in Sphinx
    except ModuleNotFoundError:
        return  # e.g. on Colab: glued values only matter to the website build
    glue(name, number, display=False)


def glue_numbers(digits: int | None = None, **values: object) -> None:
    """:func:`glue_number` for each keyword argument: ``glue_numbers(alive=3, spread=0.06)``."""
    for name, value in values.items():
        glue_number(name, value, digits)


def glue_typeset(spec: str = ".3g", **values: object) -> None:
    """Glue each number as typeset text for the prose (``{glue:md}`name```).

    The text is :func:`format_number`'s (``−``, ``×10ⁿ``): ``glue_typeset(".2g",
    tiny=1.2e-9)`` shows "1.2×10⁻⁹" where ``{glue:text}`` would show "1.2e-09".
    """
    texts = {name: format_number(value, spec) for name, value in values.items()}
    try:
        from myst_nb import glue  # imported late: myst-nb pulls in Sphinx
    except ModuleNotFoundError:
        return  # e.g. on Colab: glued values only matter to the website build
    for name, text in texts.items():
        glue(name, Markdown(text), display=False)
