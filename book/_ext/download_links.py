"""Sphinx extension: Markdown links to the site's downloads work from any page.

Registered in ``_config.yml`` (``sphinx: local_extensions``).  The downloads
(``downloads/sigmoid-book.pdf``, ``downloads/sigmoid-book-site.zip`` and its
``.sha256``, ``downloads/student/<chapter>.ipynb``) are written into the built
site, not kept in the sources, so MyST cannot resolve a link such as
``[PDF](downloads/sigmoid-book.pdf)``: it warns ("cross-reference target not
found", an error under ``-W``) and writes a dead ``#downloads/...`` link.  Here a
link whose target starts with ``downloads/`` (a path from the site root, as the
book's conventions write them; a leading ``../`` is accepted too) becomes a plain
link relative to the page, before MyST resolves references.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

DOWNLOAD_TARGET = re.compile(r"^(?:\.\./)*(downloads/[^#?]+)$")


def relative_to_root(docname: str, builder_name: str) -> str:
    """``../`` times the page's depth (the single-page build's page is at the root)."""
    return "" if builder_name == "singlehtml" else "../" * docname.count("/")


class DownloadLinks(SphinxPostTransform):
    # Before myst-parser's MystReferenceResolver (priority 9).
    default_priority = 8

    def run(self, **kwargs) -> None:
        up = relative_to_root(self.env.docname, self.app.builder.name)
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst":
                continue
            found = DOWNLOAD_TARGET.match(node.get("reftarget", ""))
            if found is None:
                continue
            link = nodes.reference("", "", refuri=up + found.group(1), internal=False)
            link += node.children
            node.replace_self(link)


def setup(app: Sphinx) -> dict:
    app.add_post_transform(DownloadLinks)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
