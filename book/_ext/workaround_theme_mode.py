"""Sphinx extension, workaround: no console error on a reader's first visit.

Upstream bug: pydata-sphinx-theme's ``layout.html`` sets
``dataset.mode = localStorage.getItem("mode") || "{{ default_mode }}"``; with no
stored mode and no ``default_mode`` in ``html_context`` that is ``""``, and the
theme's script then logs ``console.error("Got invalid theme mode: . Resetting to
auto.")`` before falling back to "auto":
https://github.com/pydata/pydata-sphinx-theme/issues/1635 (closed as fixed by
#1683, yet it still happens in pydata-sphinx-theme 0.17.1, which sphinx-book-theme
1.3.0 pins, and upstream's ``layout.html`` still has that line: **no version
fixes it** yet).
A one-line script, run before the theme's scripts, sets the mode the theme would
fall back to ("auto") first.  (Setting ``html_context: {default_mode: auto}`` would
also write ``data-theme="auto"``, not a theme, into every page's ``<html>`` tag.)

Delete this module (and its ``_config.yml`` entry) once the browser tests pass
without it: ``tests/test_browser.py`` fails on any console error.
"""

from __future__ import annotations

from sphinx.application import Sphinx

#: The mode the theme would reset to anyway, without its console error.
THEME_MODE_DEFAULT = 'if (!document.documentElement.dataset.mode) { document.documentElement.dataset.mode = "auto"; }'


def setup(app: Sphinx) -> dict:
    # Added in setup (before the builder exists), so Sphinx 7 writes it once.
    app.add_js_file(None, body=THEME_MODE_DEFAULT, priority=100)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
