"""Sphinx extension: plotly.js from the site itself, once, only on pages with a figure.

Registered in ``_config.yml`` (``sphinx: local_extensions``).  Copies
``plotly.min.js`` from the installed plotly package (so its version always matches
the plotly.py that made the figures) to ``_build/html/_static/plotly/plotly.min.js``
and adds it to the ``<head>`` of the pages whose body contains a
``plotly-graph-div`` (the figures of :mod:`sigmoidbook.figures`); other pages do
not load it.  The browser tests check both halves (``tests/test_browser.py``).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from static_copy import copy_if_changed, output_static

#: Where the copy goes, relative to the output's ``_static/``.
PLOTLY_TARGET = "plotly/plotly.min.js"


def plotly_js_source() -> Path:
    """``plotly.min.js`` inside the installed plotly package."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise ExtensionError(
            f"plotly.min.js not found in the installed plotly package ({path})"
        )
    return path


def copy_plotly_js(app: Sphinx) -> None:
    static = output_static(app)
    if static is not None:
        copy_if_changed(plotly_js_source(), static / PLOTLY_TARGET)


def add_plotly_where_needed(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    if "plotly-graph-div" in context.get("body", ""):
        # Loaded synchronously in <head>: each figure's inline script calls
        # Plotly.newPlot at once.  Added during this event, it is on this page only.
        app.add_js_file(PLOTLY_TARGET, priority=400)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", copy_plotly_js)
    app.connect("html-page-context", add_plotly_where_needed, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
