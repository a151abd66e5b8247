"""Sphinx extension: citations read "Glorot and Bengio (2010)", as in a printed book.

Registered in ``_config.yml`` (``sphinx: local_extensions``) together with
``bibtex_reference_style: author_year_round``.  sphinxcontrib-bibtex's own
``author_year`` style puts square brackets around the year ("Glorot and Bengio
[2010]") and around parenthetical citations; this registers the same style with
round brackets, through sphinxcontrib-bibtex's documented plugin entry point
(``sphinxcontrib.bibtex.plugin.register_plugin``).  The works are in
``book/references.bib``; the list is the page ``book/bibliography.md``.

The list's entries are written by docutils with ``role="doc-biblioentry"``, a role
ARIA 1.3 deprecated (axe-core: "aria-deprecated-role", and "aria-required-children"
for their ``role="list"`` parent); they are given ``role="listitem"`` instead.
"""

from __future__ import annotations

import dataclasses

from sphinx.application import Sphinx
from sphinxcontrib.bibtex.plugin import register_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle
from sphinxcontrib.bibtex.style.referencing.author_year import (
    AuthorYearReferenceStyle,
)

STYLE_NAME = "author_year_round"


def _round() -> BracketStyle:
    """Round brackets; several works in one citation separated by semicolons."""
    return BracketStyle(left="(", right=")", sep="; ", sep2="; ", last_sep="; ")


@dataclasses.dataclass
class RoundAuthorYearReferenceStyle(AuthorYearReferenceStyle):
    """``{cite:t}`` → "Glorot and Bengio (2010)"; ``{cite:p}`` → "(Glorot and Bengio, 2010)".

    Several works: ``{cite:p}`he2015,nair2010``` → "(He et al., 2015; Nair and Hinton, 2010)".
    """

    bracket_textual: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_parenthetical: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_author: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_label: BracketStyle = dataclasses.field(default_factory=_round)
    bracket_year: BracketStyle = dataclasses.field(default_factory=_round)


def list_item_roles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = context["body"].replace(
            'role="doc-biblioentry"', 'role="listitem"'
        )


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", list_item_roles)
    register_plugin(
        "sphinxcontrib.bibtex.style.referencing",
        STYLE_NAME,
        RoundAuthorYearReferenceStyle,
    )
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
