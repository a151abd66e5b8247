"""Sphinx extension: plotly.js from the site itself, only on pages with a figure, only when needed.

Registered in ``_config.yml`` (``sphinx: local_extensions``).  Copies
``plotly.min.js`` from the installed plotly package (so its version always matches
the plotly.py that made the figures) to ``_build/html/_static/plotly/plotly.min.js``,
and ``plotly_figures.js`` (next to this module) to ``_static/plotly/figures.js``.
The pages whose body contains a ``plotly-graph-div`` (the figures of
:mod:`sigmoidbook.figures`) get ``figures.js``, ``defer``-red; other pages get
neither.  ``figures.js`` loads plotly.js (4.8 MB, 1.4 MB gzip) itself when a figure
comes near the viewport, draws it, and adds a keyboard control beside each slider;
``window.sigmoidbookDrawAllFigures()`` draws every figure at once (printing, the
PDF).  In the single-page build (the PDF's source) it draws every figure at once
(``data-draw="all"``).  A page whose figures still call ``Plotly.newPlot`` inline
(outputs made before the figures carried their JSON) gets plotly.js in its
``<head>`` without ``defer``, so they still draw.  The browser tests check all of it
(``tests/test_browser.py``).
"""

from __future__ import annotations

import functools
import zlib
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from static_copy import copy_if_changed, output_static

#: Where the copies go, relative to the output's ``_static/``.
PLOTLY_TARGET = "plotly/plotly.min.js"
FIGURES_TARGET = "plotly/figures.js"
FIGURES_SOURCE = Path(__file__).resolve().parent / "plotly_figures.js"
#: What an inline-drawn figure (the older output form) contains.
INLINE_DRAW = "Plotly.newPlot("


def plotly_js_source() -> Path:
    """``plotly.min.js`` inside the installed plotly package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise ExtensionError(
            f"plotly.min.js not found in the installed plotly package ({path})"
        )
    return path


DEFER = {"defer": "defer"}


@functools.cache
def plotly_version() -> str:
    """A checksum of plotly.min.js (CRC-32, as Sphinx's ``?v=`` of its assets)."""
    return f"{zlib.crc32(plotly_js_source().read_bytes()):08x}"


def copy_plotly_js(app: Sphinx) -> None:
    static = output_static(app)
    if static is not None:
        copy_if_changed(plotly_js_source(), static / PLOTLY_TARGET)
        copy_if_changed(FIGURES_SOURCE, static / FIGURES_TARGET)


def add_plotly_where_needed(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    body = context.get("body", "")
    if "plotly-graph-div" in body:
        # Added during this event, they are on this page only.  The figure loader
        # runs once the page is parsed and fetches plotly.js when it is needed.
        if INLINE_DRAW in body:
            app.add_js_file(PLOTLY_TARGET, priority=400)
        # plotly.js's checksum, as Sphinx versions its own assets: a new plotly
        # is fetched anew, an unchanged one comes from the browser's cache.
        attributes = {**DEFER, "data-plotly-version": plotly_version()}
        if app.builder.name == "singlehtml":
            attributes["data-draw"] = "all"
        app.add_js_file(FIGURES_TARGET, priority=401, **attributes)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", copy_plotly_js)
    app.connect("html-page-context", add_plotly_where_needed, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
