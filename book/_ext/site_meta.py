"""Sphinx extension: what search engines and browsers read about each page.

Registered in ``_config.yml`` (``sphinx: local_extensions``).

1. **A meta description on every page**: the page's first paragraph of prose
   without math (whitespace collapsed, cut at a word near
   :data:`DESCRIPTION_LENGTH` characters), or else the book's description
   (:data:`BOOK_DESCRIPTION`; a page such as the search page has no prose).
2. **A real root page.**  Jupyter Book writes ``index.html`` as a bare 63-byte
   redirect with no ``<html lang>`` and no ``<title>``; it is rewritten as a small
   page with both, the description, the same instant redirect and a link for
   readers whose browser does not follow it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

BOOK_DESCRIPTION = (
    "An open textbook, every number computed and tested: the sigmoid's derivative, "
    "vanishing gradients, ReLU and dead neurons, and an MNIST experiment."
)
DESCRIPTION_LENGTH = 155
REDIRECT = re.compile(
    r'<meta http-equiv="refresh" content="0; url=([^"]+)"', re.IGNORECASE
)


def page_description(doctree) -> str:
    """The first paragraph of prose without math, shortened, or the book's description."""
    if doctree is not None:
        for paragraph in doctree.findall(nodes.paragraph):
            if any(isinstance(n, nodes.math) for n in paragraph.findall()):
                continue
            text = " ".join(paragraph.astext().split())
            if len(text) >= 60:
                return shorten(text)
    return BOOK_DESCRIPTION


def shorten(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def add_description(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    description = html.escape(page_description(doctree), quote=True)
    context["metatags"] = (
        context.get("metatags", "")
        + f'\n<meta name="description" content="{description}" />'
    )


ROOT_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{title}</title>
<meta name="description" content="{description}" />
<meta http-equiv="refresh" content="0; url={target}" />
<link rel="canonical" href="{target}" />
{favicon}</head>
<body>
<p><a href="{target}">{title}: start reading</a></p>
</body>
</html>
"""


def book_title(app: Sphinx) -> str:
    """The book's title: ``html_title``, else the title of the root page."""
    if app.config.html_title:
        return app.config.html_title
    title = app.env.titles.get(app.config.root_doc)
    return title.astext() if title is not None else app.config.project


def write_root_page(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    index = Path(app.outdir) / "index.html"
    if not index.is_file():
        return
    text = index.read_text(encoding="utf-8")
    redirect = REDIRECT.search(text)
    if redirect is None:  # not a redirect page (Jupyter Book's, or ours from before)
        return
    favicon = app.config.html_favicon
    link = (
        f'<link rel="icon" href="_static/{html.escape(Path(favicon).name)}" />\n'
        if favicon and "://" not in favicon
        else ""
    )
    index.write_text(
        ROOT_PAGE.format(
            lang=html.escape(app.config.language or "en"),
            title=html.escape(book_title(app)),
            description=html.escape(BOOK_DESCRIPTION),
            target=html.escape(redirect.group(1)),
            favicon=link,
        ),
        encoding="utf-8",
    )


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", add_description)
    app.connect("build-finished", write_root_page)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
