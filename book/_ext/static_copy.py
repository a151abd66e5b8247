"""Copy a file into the HTML output's ``_static/`` only when it changed (shared helper).

Not a Sphinx extension: :mod:`offline_plotly` and :mod:`offline_mathjax` import it
(Jupyter Book puts ``book/_ext`` on ``sys.path`` for ``sphinx: local_extensions``).
The copies go straight into the *output*: a source ``_static/`` folder would make
Jupyter Book 1 add every ``*.js`` in it to every page.  Copying at ``builder-inited``,
before any page is written, lets Sphinx add a checksum (``?v=...``) to the script
URLs, so browsers cache them until they change.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx


def output_static(app: Sphinx) -> Path | None:
    """The output's ``_static/`` folder, or ``None`` for a non-HTML builder."""
    if app.builder.format != "html":
        return None
    return Path(app.outdir) / "_static"


def copy_if_changed(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` unless ``target`` is already an up-to-date copy."""
    if (
        target.is_file()
        and target.stat().st_size == source.stat().st_size
        and target.stat().st_mtime >= source.stat().st_mtime
    ):
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)
