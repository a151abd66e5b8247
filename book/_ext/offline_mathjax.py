"""Sphinx extension: MathJax 3 from the site itself, not from a CDN.

Registered in ``_config.yml`` (``sphinx: local_extensions``).  Copies the MathJax
files that ``tex-chtml.js`` loads at run time (fonts, TeX extensions, menu,
accessibility) from the ``sphinx-mathjax-offline`` package (PyPI; its package
directory is literally named ``sphinx-mathjax-offline``, so it is read as data, not
imported) to ``_build/html/_static/mathjax/``.  ``_config.yml`` points
``mathjax_path`` at ``mathjax/tex-chtml.js``; a ``mathjax_path`` on another host
is reported as a warning (which fails the ``-W`` build).

On the website MathJax does not run in the reader's browser: ``static_math.py``
typesets every page when the site is built, and the pages need only MathJax's fonts
(:data:`WEBSITE_PARTS`).  The single-page build (the PDF's source,
``book/_ext/site_pdf.py``) still typesets in the page, and gets all of
:data:`MATHJAX_PARTS`.  The fonts are not preloaded: static CHTML sizes every glyph
in its stylesheet, so a font arriving late moves nothing, and a preload took
bandwidth from the page's own HTML and CSS (first paint 3.5 s → 2.1 s on chapter 1,
``make lighthouse``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from static_copy import copy_if_changed, output_static

logger = logging.getLogger(__name__)

#: Where the copy goes, relative to the output's ``_static/``.
MATHJAX_TARGET = "mathjax"
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
#: What the website's pages need: the fonts of the CHTML that static_math.py wrote.
WEBSITE_PARTS = ("output/chtml/fonts/woff-v2",)


def mathjax_source() -> Path:
    """The MathJax root inside the installed sphinx-mathjax-offline package."""
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


def font_version() -> str:
    """The version in the fonts' URLs (the package's: new fonts, new URLs)."""
    return distribution("sphinx-mathjax-offline").version


def copy_mathjax(app: Sphinx) -> None:
    static = output_static(app)
    if static is None:
        return
    root = mathjax_source()
    parts = MATHJAX_PARTS if app.builder.name == "singlehtml" else WEBSITE_PARTS
    for part in parts:
        source = root / part
        files = (
            [source]
            if source.is_file()
            else sorted(p for p in source.rglob("*") if p.is_file())
        )
        for file in files:
            copy_if_changed(file, static / MATHJAX_TARGET / file.relative_to(root))
    if "://" in app.config.mathjax_path:
        logger.warning(
            "mathjax_path is %s: MathJax would come from another host; set it to %s/tex-chtml.js",
            app.config.mathjax_path,
            MATHJAX_TARGET,
        )


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", copy_mathjax)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
