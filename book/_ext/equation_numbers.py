"""Sphinx extension: equations numbered per chapter, "(2.3)" for chapter 2's third.

Sphinx (numfig and math_numfig on, as Jupyter Book sets them) numbers displayed
equations through the whole book unless the toctree is numbered.  After Sphinx has
numbered them, this renumbers each chapter's (a document named ``chN_...``) as
(N, 1), (N, 2), ...; labels and {eq} references both read these numbers, on every
page and in the single-page build the PDF is printed from.
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

CHAPTER = re.compile(r"(?:^|/)ch(\d+)_")


def number_per_chapter(app: Sphinx, env: BuildEnvironment) -> list[str]:
    for docname, fignumbers in env.toc_fignumbers.items():
        chapter = CHAPTER.search(docname)
        equations = fignumbers.get("displaymath")
        if chapter and equations:
            for k, node_id in enumerate(list(equations), start=1):
                equations[node_id] = (int(chapter.group(1)), k)
    return []


def setup(app: Sphinx) -> dict:
    # After Sphinx's own numbering (TocTreeCollector, default priority 500).
    app.connect("env-get-updated", number_per_chapter, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
