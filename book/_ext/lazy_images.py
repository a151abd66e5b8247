"""Sphinx extension: the chapters' pictures load when they come near the viewport.

Each ``<img>`` of a page's body that shows a built image (``_images/…``: the
matplotlib figures, 25–80 KB each) gets ``loading="lazy"`` and ``decoding="async"``
(the browser fetches it shortly before it scrolls into view, not while the first
screen loads) and, for a PNG, its pixel ``width`` and ``height``, so the browser
keeps its space before it arrives (nothing below it jumps; ``sigmoidbook.css``
keeps ``height: auto``, so it still scales down to the column).  Not in the
single-page build (the PDF's source: printing waits for every image).
``tests/test_site_build.py`` checks the attributes; ``tests/test_browser.py`` that
every image loads.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from sphinx.application import Sphinx

IMG = re.compile(r"<img\b([^>]*?)\s*/?>")
SRC = re.compile(r'\ssrc="([^"]*_images/([^"/]+))"')
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int] | None:
    """``(width, height)`` from a PNG's header, or ``None`` if it is not a PNG."""
    try:
        with path.open("rb") as file:
            head = file.read(24)
    except OSError:
        return None
    if len(head) < 24 or not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def image_sources(app: Sphinx) -> dict[str, Path]:
    """Built image name (as in ``_images/``) -> its source file."""
    return {
        unique: Path(app.srcdir) / source
        for source, (_docs, unique) in app.env.images.items()
    }


def lazy_img(tag: re.Match, sources: dict[str, Path]) -> str:
    attributes = tag.group(1)
    src = SRC.search(attributes)
    if not src or re.search(r"\s(loading|width|height|style)=", attributes):
        return tag.group(0)
    extra = ' loading="lazy" decoding="async"'
    size = png_size(sources[src.group(2)]) if src.group(2) in sources else None
    if size:
        extra += f' width="{size[0]}" height="{size[1]}"'
    return f"<img{attributes}{extra} />"


def make_images_lazy(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    if app.builder.name == "singlehtml" or "body" not in context:
        return
    body = context["body"]
    if "_images/" not in body:
        return
    sources = image_sources(app)
    context["body"] = IMG.sub(lambda tag: lazy_img(tag, sources), body)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", make_images_lazy)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
