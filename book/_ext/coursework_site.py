"""Sphinx extension: how the coursework masters look on the website.

Registered in ``_config.yml`` (``sphinx: local_extensions: {coursework_site: book/_ext}``).
The chapter notebooks are otter-grader master notebooks (CONTRIBUTING.md,
"Coursework format").  On the website:

1. **Solutions behind a "Show solution" toggle.**  A code cell tagged
   ``hide-input`` whose source carries otter's solution markers
   (``# BEGIN SOLUTION`` / ``# END SOLUTION`` comment lines, a trailing
   ``# SOLUTION``) gets the toggle labels "Show solution" / "Hide solution"
   instead of myst-nb's "Show code cell source", and the marker comments are
   left out of the displayed code (they are for otter, not for readers).
   Other ``hide-input`` cells keep myst-nb's labels.  The cell gets the class
   ``sigmoidbook-solution``, which the print style (book/_static/sigmoidbook.css)
   leaves out: printed pages and the PDF show the exercises without solutions.
2. **No source download.**  ``html_copy_source: false`` keeps the notebooks
   (hidden tests included) out of ``_sources/``; sphinx-book-theme's download
   menu would still offer ``.ipynb`` links into ``_sources/``, now dead.  They
   are removed; "print to PDF" stays.

The markers are otter's, defined once in ``coursework.markers`` (the package the
assignments are made with).  Test cells are tagged ``remove-cell`` by the authors;
tests/test_coursework_chapters.py checks that no hidden test reaches any file of the
built site and that every solution cell gets its toggle.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform

from coursework.markers import has_solution_markers, strip_solution_markers

SHOW_SOLUTION = "Show solution"
SOLUTION_CLASS = "sigmoidbook-solution"
HIDE_SOLUTION = "Hide solution"
_SOURCE_BUTTONS = {"download-source-button", "download-notebook-button"}


class SolutionToggles(SphinxPostTransform):
    """Relabel the toggle of solution cells and drop their marker comments.

    Runs before myst-nb's ``HideInputCells`` (priority 199), which builds the
    ``<details>`` toggle from the cell container's ``prompt_show``/``prompt_hide``.
    """

    default_priority = 190
    formats = ("html",)

    def run(self, **kwargs) -> None:
        for cell in self.document.findall(nodes.container):
            if (
                cell.get("nb_element") != "cell_code"
                or cell.get("hide_mode") != "input"
            ):
                continue
            blocks = list(cell.findall(nodes.literal_block))
            if not blocks or not has_solution_markers(blocks[0].astext()):
                continue
            cell["prompt_show"] = SHOW_SOLUTION
            cell["prompt_hide"] = HIDE_SOLUTION
            cell["classes"].append(SOLUTION_CLASS)
            block = blocks[0]
            code = strip_solution_markers(block.astext())
            block.rawsource = code
            block.children = [nodes.Text(code)]


def drop_source_downloads(
    app: Sphinx, pagename, templatename, context, doctree
) -> None:
    """Remove the download menu's ``.ipynb``/source entries (their targets are not built)."""
    for button in context.get("header_buttons", []):
        if button.get("label") == "download-buttons":
            button["buttons"] = [
                b for b in button["buttons"] if b.get("label") not in _SOURCE_BUTTONS
            ]


def setup(app: Sphinx) -> dict:
    app.add_post_transform(SolutionToggles)
    # sphinx-book-theme fills header_buttons at priority 501
    app.connect("html-page-context", drop_source_downloads, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
