"""Sphinx extension, workaround: the menu and "Contents" buttons work at every width.

Upstream bug: pydata-sphinx-theme 0.17 (which sphinx-book-theme 1.3.0 pins
exactly, ``pydata-sphinx-theme==0.17.1``) renders its own top header
(``<header id="pst-header">``) above sphinx-book-theme's article header.  On wide
screens it is an empty 64 px bar with a second search box; below 1200 px its
buttons are hidden, yet both themes' scripts bind the sidebar drawers to the
*first* ``.primary-toggle`` / ``.secondary-toggle`` on the page, the hidden ones,
so the visible menu and "Contents" buttons of the article header do nothing:
https://github.com/pydata/pydata-sphinx-theme/issues/2451 (open; **no release
fixes it**).  Pinning an older pydata-sphinx-theme is not possible with
sphinx-book-theme 1.3.0.

This extension adds ``book/_ext/templates`` to the template path; its
``layout.html`` extends the theme's and leaves the ``docs_navbar`` block (that
header) empty, so the article header's buttons are the first, and the themes'
scripts bind to them.  ``tests/test_browser.py`` clicks the visible buttons at
390 px and 900 px and checks the drawers open.

Delete this module, its template and its ``_config.yml`` entry once a
pydata-sphinx-theme release that sphinx-book-theme accepts fixes #2451.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

TEMPLATES = Path(__file__).resolve().parent / "templates"


def add_templates(app: Sphinx, config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        # First: ours extends the theme's layout ("!layout.html").
        config.templates_path.insert(0, str(TEMPLATES))


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_templates)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
