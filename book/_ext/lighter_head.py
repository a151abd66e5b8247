"""Sphinx extension: a lighter ``<head>``, so the first paint waits for less.

What the pages do not need, or not before they are drawn (measured with
``make lighthouse``, phone profile; issue 16):

* **fontawesome.js** (1.5 MB, 531 KiB gzip, on every page; pydata-sphinx-theme
  0.17) swaps the theme's ~17 ``<i class="fa-…">`` icons for SVGs.  It is left out;
  ``book/_static/icons.css`` (4 KiB gzip) draws those icons with CSS.
* **The search index** (``searchtools.js``, ``language_data.js``,
  ``searchindex.js``) in every page's head is only for the theme's
  search-as-you-type, which the book does not switch on; the search page still
  loads them itself.
* **Render-blocking scripts**: the Sphinx, theme and extension scripts listed in
  :data:`DEFERRABLE` wait for the page to be parsed anyway (each runs its set-up on
  DOMContentLoaded or checks ``document.readyState``), so they get ``defer``: they
  still run in the same order, before DOMContentLoaded.  ``documentation_options.js``
  stays as it is (inline scripts after it use ``DOCUMENTATION_OPTIONS`` at once),
  and so does every script of the search page (its search runs at once and needs
  ``doctools.js``).

The first two need the page template: ``book/_ext/templates/layout.html`` passes the
theme's ``css`` and ``extrahead`` blocks through the Jinja filters registered here.
``tests/test_site_build.py`` checks the head of every page and that every icon a
page uses is drawn; ``tests/test_browser.py`` that search, the drawer, the theme
switch and the copy buttons still work.
"""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup
from sphinx.application import Sphinx

TEMPLATES = Path(__file__).resolve().parent / "templates"

#: Scripts (by path under _static/) that may run deferred.
DEFERRABLE = frozenset(
    {
        "doctools.js",
        "sphinx_highlight.js",
        "clipboard.min.js",
        "copybutton.js",
        "scripts/sphinx-book-theme.js",
        "togglebutton.js",
        "design-tabs.js",
    }
)

FONTAWESOME = re.compile(
    r"\s*<!-- So that users can add custom icons -->"
    r"|\s*<script[^>]*\bsrc=\"[^\"]*/fontawesome\.js[^\"]*\"[^>]*></script>"
)
SEARCH_TOOLS = re.compile(
    r"\s*<script[^>]*\bsrc=\"[^\"]*(?:searchtools\.js|language_data\.js|searchindex\.js)"
    r"[^\"]*\"[^>]*></script>"
)


def without_fontawesome(html: str) -> Markup:
    """The theme's ``css`` block without its fontawesome.js script."""
    return Markup(FONTAWESOME.sub("", str(html)))


def without_search_tools(html: str, search_as_you_type: bool = False) -> Markup:
    """The theme's ``extrahead`` block without the search index (unless it is used)."""
    if search_as_you_type:
        return Markup(html)
    return Markup(SEARCH_TOOLS.sub("", str(html)))


def add_templates(app: Sphinx, config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.insert(0, str(TEMPLATES))


def add_filters(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    if templates is None or not hasattr(templates, "environment"):
        return
    templates.environment.filters["sigmoidbook_without_fontawesome"] = (
        without_fontawesome
    )
    templates.environment.filters["sigmoidbook_without_search_tools"] = (
        without_search_tools
    )


def _deferred(script):
    """``script`` with ``defer`` when it is one of :data:`DEFERRABLE`, else itself."""
    filename = getattr(script, "filename", "") or ""
    attributes = getattr(script, "attributes", None)
    if (
        str(filename).split("?", 1)[0].removeprefix("_static/") not in DEFERRABLE
        or attributes is None
        or "defer" in attributes
        or "async" in attributes
    ):
        return script
    return type(script)(
        filename,
        priority=script.priority,
        **{**attributes, "defer": "defer"},
    )


def defer_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    scripts = context.get("script_files")
    # The search page runs Sphinx's searchtools.js in its body, at once, and it
    # needs doctools.js there already: that page keeps its scripts as they are.
    if isinstance(scripts, list) and pagename != "search":
        # In place: Sphinx restores the shared list after each page.
        scripts[:] = [_deferred(script) for script in scripts]


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_templates)
    app.connect("builder-inited", add_filters)
    app.add_css_file("icons.css", priority=900)
    # Last: after the other extensions have added their per-page scripts.
    app.connect("html-page-context", defer_scripts, priority=990)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
