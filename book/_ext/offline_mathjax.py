"""Sphinx extension: MathJax 3 from the site itself, not from a CDN.

Registered in ``_config.yml`` (``sphinx: local_extensions``).  Copies the MathJax
files that ``tex-chtml.js`` loads at run time (fonts, TeX extensions, menu,
accessibility) from the ``sphinx-mathjax-offline`` package (PyPI; its package
directory is literally named ``sphinx-mathjax-offline``, so it is read as data, not
imported) to ``_build/html/_static/mathjax/``.  ``_config.yml`` points
``mathjax_path`` at ``mathjax/tex-chtml.js``; a ``mathjax_path`` on another host
is reported as a warning (which fails the ``-W`` build).

On the website's pages MathJax typesets lazily (its ``ui/lazy`` extension, part of
MathJax 3.2): a formula is typeset when it comes near the viewport, not all of a
chapter's 150–300 formulas before the page answers to a tap (on a phone that was
most of the page's blocking time, ``make lighthouse``).  MathJax typesets
everything that is left before printing (its own ``beforeprint`` handler) and when
asked: ``MathJax.startup.document.lazyTypesetAll()`` (the browser tests).  The
single-page build (the PDF's source) typesets every formula at once.  Pages
with math preload MathJax's three most used fonts (:data:`PRELOAD_FONTS`), so the
first formulas are set in their real font, not re-laid out when it arrives (a
layout shift Lighthouse counted on the intro).
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


def copy_mathjax(app: Sphinx) -> None:
    static = output_static(app)
    if static is None:
        return
    root = mathjax_source()
    for part in MATHJAX_PARTS:
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


#: MathJax's loader entry for lazy typesetting (``ui/lazy.js``, copied with "ui").
LAZY = "ui/lazy"


def typeset_lazily(app: Sphinx) -> None:
    """Add ``ui/lazy`` to ``mathjax3_config`` for the website (not the PDF's build)."""
    if app.builder.format != "html" or app.builder.name == "singlehtml":
        return
    config = dict(app.config.mathjax3_config or {})
    loader = dict(config.get("loader") or {})
    load = list(loader.get("load") or [])
    if LAZY not in load:
        load.append(LAZY)
    loader["load"] = load
    config["loader"] = loader
    app.config.mathjax3_config = config


#: MathJax's CHTML fonts that nearly every formula uses (under ``MATHJAX_TARGET``).
PRELOAD_FONTS = tuple(
    f"output/chtml/fonts/woff-v2/MathJax_{name}.woff"
    for name in ("Zero", "Main-Regular", "Math-Italic")
)


def preload_fonts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """``<link rel="preload">`` for :data:`PRELOAD_FONTS` on the pages with math."""
    if 'class="math' not in context.get("body", "") or "pathto" not in context:
        return
    links = "".join(
        f'<link rel="preload" as="font" type="font/woff" crossorigin="anonymous" '
        f'href="{context["pathto"](f"_static/{MATHJAX_TARGET}/{font}", 1)}" />\n'
        for font in PRELOAD_FONTS
    )
    context["metatags"] = context.get("metatags", "") + links


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", copy_mathjax)
    app.connect("html-page-context", preload_fonts)
    app.connect("builder-inited", typeset_lazily, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
