"""Sphinx extension, workaround: each page lists every script once.

Upstream bug: Sphinx 7 writes an inline ``<script>`` (``add_js_file(None, body=...)``)
twice when an extension adds it after the builder exists (the builder stores the
``None`` filename as ``''``, so its duplicate check misses it):
https://github.com/sphinx-doc/sphinx/pull/13402, **fixed in Sphinx 8.2.2**, which
Jupyter Book 1 cannot use (it requires ``sphinx~=7.0``).  sphinx-thebe's
``const THEBE_JS_URL = ...`` then throws "Identifier 'THEBE_JS_URL' has already been
declared" in the browser.  This extension de-duplicates each page's script list.

Delete this module (and its ``_config.yml`` entry) once the book builds with
Sphinx >= 8.2.2; ``tests/test_browser.py`` checks that no page repeats an inline
script and that the console stays clean.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _script_key(script) -> tuple:
    filename = getattr(script, "filename", script) or ""
    attributes = getattr(script, "attributes", {})
    return (str(filename), tuple(sorted(attributes.items())))


def drop_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    scripts = context.get("script_files")
    if isinstance(scripts, list):
        unique, seen = [], set()
        for script in scripts:
            key = _script_key(script)
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique


def setup(app: Sphinx) -> dict:
    # Late, after the other extensions have added their per-page scripts.
    app.connect("html-page-context", drop_duplicate_scripts, priority=950)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
