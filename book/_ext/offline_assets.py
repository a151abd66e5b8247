"""Sphinx extension: the built book works with the network unplugged.

Registered in ``_config.yml`` (``sphinx: local_extensions: {offline_assets: book/_ext}``).
It does five things:

1. **plotly.js, once, only where needed.**  Copies ``plotly.min.js`` from the
   installed plotly package (so its version always matches the plotly.py that
   made the figures) to ``_build/html/_static/plotly/plotly.min.js``, and adds
   it to the ``<head>`` of the pages whose body contains a
   ``plotly-graph-div`` (the figures of :mod:`sigmoidbook.interactive`); other
   pages do not load it.  The copy goes straight into the *output*: a source
   ``_static/`` folder would make Jupyter Book 1 add every ``*.js`` in it to
   every page.
2. **MathJax from the site.**  Copies the MathJax 3 files that
   ``tex-chtml.js`` loads (fonts, TeX extensions, menu, accessibility) from
   the ``sphinx-mathjax-offline`` package (PyPI; its package directory is
   literally named ``sphinx-mathjax-offline``) to ``_static/mathjax/``.
   ``_config.yml`` points ``mathjax_path`` at ``mathjax/tex-chtml.js``; a
   ``mathjax_path`` on another host is reported as a warning.
3. **No duplicated inline scripts.**  Sphinx 7 emits an inline script twice
   when an extension adds it after the builder exists (fixed in Sphinx 8.2,
   which Jupyter Book 1 cannot use); sphinx-thebe's ``const THEBE_JS_URL``
   then throws "Identifier 'THEBE_JS_URL' has already been declared".  Each
   page's script list is de-duplicated.
4. **No console error on a first visit.**  pydata-sphinx-theme logs "Got
   invalid theme mode: . Resetting to auto." when the reader has no stored
   theme; a one-line script sets the mode it falls back to ("auto") first.
5. **Plotly's JSON output is not a warning.**  Figures carry plotly's JSON
   mime type (for JupyterLab and Binder) next to the HTML the website shows;
   myst-nb would warn "skipping unknown output mime type" for it.  Exactly
   that warning, for exactly that mime type, is dropped; every other unknown
   mime type still fails the ``-W`` build.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging as sphinx_logging

logger = sphinx_logging.getLogger(__name__)

PLOTLY_MIME_TYPE = "application/vnd.plotly.v1+json"
PLOTLY_TARGET = "plotly/plotly.min.js"  # relative to the output _static/
MATHJAX_TARGET = "mathjax"  # relative to the output _static/
#: What tex-chtml.js loads at run time, relative to the MathJax root.
MATHJAX_PARTS = (
    "tex-chtml.js",
    "input/tex/extensions",
    "input/mml",
    "output/chtml",
    "ui",
    "a11y",
    "sre",
)


def plotly_js_source() -> Path:
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise ExtensionError(
            f"plotly.min.js not found in the installed plotly package ({path})"
        )
    return path


def mathjax_source() -> Path:
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("sphinx-mathjax-offline")
    except PackageNotFoundError as error:
        raise ExtensionError(
            "the sphinx-mathjax-offline package is not installed (requirements.txt)"
        ) from error
    root = Path(dist.locate_file("sphinx-mathjax-offline")) / "static" / "mathjax"
    if not (root / "tex-chtml.js").is_file():
        raise ExtensionError(f"MathJax's tex-chtml.js not found under {root}")
    return root


def _copy_if_changed(source: Path, target: Path) -> None:
    if (
        target.is_file()
        and target.stat().st_size == source.stat().st_size
        and target.stat().st_mtime >= source.stat().st_mtime
    ):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def copy_assets(app: Sphinx) -> None:
    """Copy plotly.js and MathJax into the output before pages are written.

    Copying first lets Sphinx add a checksum (``?v=...``) to the script URLs,
    so browsers cache them until they change.
    """
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    _copy_if_changed(plotly_js_source(), static / PLOTLY_TARGET)
    root = mathjax_source()
    for part in MATHJAX_PARTS:
        source = root / part
        files = (
            [source]
            if source.is_file()
            else sorted(p for p in source.rglob("*") if p.is_file())
        )
        for file in files:
            _copy_if_changed(file, static / MATHJAX_TARGET / file.relative_to(root))
    if "://" in app.config.mathjax_path:
        logger.warning(
            "mathjax_path is %s: MathJax would come from another host; set it to %s/tex-chtml.js",
            app.config.mathjax_path,
            MATHJAX_TARGET,
        )


def _script_key(script) -> tuple:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {})
    return (str(filename), tuple(sorted(attributes.items())))


def page_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Add plotly.js to pages with a plotly figure; drop duplicated scripts."""
    if "plotly-graph-div" in context.get("body", ""):
        # Loaded synchronously in <head>: each figure's inline script calls Plotly.newPlot at once.
        app.add_js_file(PLOTLY_TARGET, priority=400)
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        unique, seen = [], set()
        for script in scripts:
            key = _script_key(script)
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique


class _PlotlyMimeFilter(logging.Filter):
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
        raise ExtensionError("offline_assets: Sphinx's warning handler was not found")
    for handler in handlers:
        if not any(isinstance(f, _PlotlyMimeFilter) for f in handler.filters):
            # First, so that it acts before -W turns the warning into an error.
            handler.filters.insert(0, _PlotlyMimeFilter())


#: Runs before the theme's scripts: the mode the theme would reset to anyway, without its console error.
THEME_MODE_DEFAULT = 'if (!document.documentElement.dataset.mode) { document.documentElement.dataset.mode = "auto"; }'


def setup(app: Sphinx) -> dict:
    app.add_js_file(None, body=THEME_MODE_DEFAULT, priority=100)
    app.connect("config-inited", install_warning_filter)
    app.connect("builder-inited", copy_assets)
    app.connect("html-page-context", page_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
