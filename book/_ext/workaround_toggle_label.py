"""Sphinx extension, workaround: a toggle's accessible name is what it shows.

Upstream bug: myst-nb 1.4.0 writes every hidden-cell toggle as
``<summary aria-label="Toggle hidden content">`` (``myst_nb/sphinx_.py``,
``visit_HideCodeCellNode``), so a screen reader announces "Toggle hidden content"
while the button shows "Show solution" or "Show code cell source": axe-core's
``label-content-name-mismatch`` (WCAG 2.5.3, "Label in Name").  Upstream
sphinx-togglebutton has the same hard-coded label; **no release fixes it**
(myst-nb's main branch still has the line).

This extension drops that ``aria-label`` from each page's body, so the
``<summary>``'s accessible name is its visible text (the hidden half of
"Show …"/"Hide …" is ``display: none`` and not announced).
``tests/test_accessibility.py`` runs axe-core on every page.

Delete this module (and its ``_config.yml`` entry) once myst-nb stops writing it.
"""

from __future__ import annotations

from sphinx.application import Sphinx

MYST_NB_SUMMARY = '<summary aria-label="Toggle hidden content">'


def drop_fixed_toggle_label(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    body = context.get("body")
    if isinstance(body, str) and MYST_NB_SUMMARY in body:
        context["body"] = body.replace(MYST_NB_SUMMARY, "<summary>")


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", drop_fixed_toggle_label)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
