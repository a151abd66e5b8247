"""Sphinx extension, workaround: plotly's JSON output is not a build warning.

The figures carry plotly's JSON mime type (``application/vnd.plotly.v1+json``, for
JupyterLab and Binder) next to the HTML the website shows.  Upstream limitation:
myst-nb renders *every* mime type of an output bundle while parsing, before it
picks one per builder, and warns "skipping unknown output mime type" for plotly's
JSON even though the HTML is what the page shows:
https://github.com/jupyter-book/jupyter-book/issues/1950 (open; **no release fixes
it**, myst-nb 1.4.0 here).  ``nb_mime_priority_overrides`` cannot replace this
filter: it only orders the mime types in the later per-builder selection
(``myst_nb.sphinx_.SelectMimeType``), after the warning has been logged; and
``suppress_warnings = ["mystnb.unknown_mime_type"]`` would hide every unknown mime
type.  So exactly that warning, for exactly that mime type, is dropped; every other
unknown mime type still fails the ``-W`` build (``tests/test_site_build.py``).

Delete this module (and its ``_config.yml`` entry) once a myst-nb release stops
warning for a mime type the bundle also carries in a form it shows.
"""

from __future__ import annotations

import logging

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging as sphinx_logging

PLOTLY_MIME_TYPE = "application/vnd.plotly.v1+json"


class PlotlyMimeFilter(logging.Filter):
    """Drop myst-nb's "unknown mime type" warning for plotly's JSON only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (
            getattr(record, "subtype", None) == "unknown_mime_type"
            and PLOTLY_MIME_TYPE in record.getMessage()
        )


def install_warning_filter(app: Sphinx, config) -> None:
    handlers = [
        h
        for h in logging.getLogger(sphinx_logging.NAMESPACE).handlers
        if isinstance(h, sphinx_logging.WarningStreamHandler)
    ]
    if not handlers:
        raise ExtensionError(f"{__name__}: Sphinx's warning handler was not found")
    for handler in handlers:
        if not any(isinstance(f, PlotlyMimeFilter) for f in handler.filters):
            # First, so that it acts before -W turns the warning into an error.
            handler.filters.insert(0, PlotlyMimeFilter())


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", install_warning_filter)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
