"""Sphinx extension: each chapter's student notebook, downloadable from its page.

Registered in ``_config.yml`` (``sphinx: local_extensions``).  For every chapter
that is a coursework master (``coursework.master.is_master``), the HTML build:

1. writes the STUDENT release (solutions replaced by ``...``, hidden tests removed)
   made by the ``coursework`` package's own :func:`coursework.assign.assign`, the
   one used for instructors' ``make assignments``, which refuses a release in which
   ``coursework.leaks.find_leaks`` finds a solution line or a hidden test, to::

       downloads/student/<chapter>.ipynb         the notebook
       downloads/student/<chapter>-student.zip   the notebook with its public checks
                                                 (tests/), quiz and support files

   (paths relative to the site root).  ``otter assign`` takes ~15 s a chapter, so a
   release is kept in ``_build/.student-downloads/`` keyed by the SHA-256 of the
   master and of the ``coursework`` package, and made again only when one changes.
2. puts a "Download the student notebook" line under the chapter's title.

Only the ``html`` builder does this (not ``singlehtml``, which the PDF is printed from).
tests/test_site_downloads.py checks the files (and leak-checks them again) and the links.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

import coursework
from coursework.assign import assign
from coursework.errors import CourseworkError
from coursework.master import is_master

logger = logging.getLogger(__name__)

DOWNLOADS = "downloads/student"
LINK_CLASS = "sigmoidbook-downloads"


def student_paths(stem: str) -> tuple[str, str]:
    """The notebook's and the zip's paths in the site, relative to its root."""
    return f"{DOWNLOADS}/{stem}.ipynb", f"{DOWNLOADS}/{stem}-student.zip"


def _masters(app: Sphinx) -> dict[str, Path]:
    """``{docname: notebook}`` for every page whose source is a coursework master."""
    found = {}
    for docname in sorted(app.env.found_docs):
        source = Path(app.env.doc2path(docname))
        if source.suffix == ".ipynb" and is_master(source):
            found[docname] = source
    return found


def _release_key(master: Path) -> str:
    digest = hashlib.sha256(master.read_bytes())
    package = Path(coursework.__file__).parent
    for module in sorted(package.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def _cached_release(master: Path, cache: Path) -> Path:
    """The folder holding ``<stem>.ipynb`` and ``<stem>-student.zip``, made if needed."""
    stem = master.stem
    folder = cache / f"{stem}-{_release_key(master)}"
    notebook, archive = folder / f"{stem}.ipynb", folder / f"{stem}-student.zip"
    if notebook.is_file() and archive.is_file():
        return folder
    with tempfile.TemporaryDirectory(prefix="student-release-") as dist:
        release = assign(master, Path(dist))  # raises CourseworkError on a leak
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        shutil.copy2(release.student_notebook, staging / notebook.name)
        shutil.copy2(release.student_zip, staging / archive.name)
    for old in cache.glob(f"{stem}-*"):  # releases of earlier versions of the master
        if old.name != staging.name:
            shutil.rmtree(old, ignore_errors=True)
    staging.rename(folder)
    return folder


def write_student_downloads(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.name != "html":
        return
    masters = _masters(app)
    cache = Path(app.outdir).parent / ".student-downloads"
    target = Path(app.outdir) / DOWNLOADS
    target.mkdir(parents=True, exist_ok=True)
    logger.info(f"student downloads: {len(masters)} chapters (otter assign, cached)")
    with ThreadPoolExecutor(max_workers=2) as pool:  # otter runs in a subprocess
        made = list(pool.map(lambda m: _release_or_error(m, cache), masters.values()))
    for master, (folder, error) in zip(masters.values(), made):
        if error is not None:
            # An error under -W; the other chapters' downloads are still written,
            # and no older download of this chapter is left in the site.
            logger.warning(
                f"{master.name}: no student notebook download (coursework assign "
                f"failed):\n{error}"
            )
            for name in student_paths(master.stem):
                (Path(app.outdir) / name).unlink(missing_ok=True)
            continue
        for name in student_paths(master.stem):
            shutil.copy2(folder / Path(name).name, Path(app.outdir) / name)


def _release_or_error(master: Path, cache: Path) -> tuple[Path | None, str | None]:
    try:
        return _cached_release(master, cache), None
    except CourseworkError as error:
        return None, str(error)


def _link_html(depth: int, stem: str) -> str:
    up = "../" * depth
    notebook, archive = student_paths(stem)
    return (
        f'<p class="{LINK_CLASS}">'
        f'<a href="{up}{notebook}" download>Download the student notebook</a> '
        "(the exercises without solutions, with their checks) or "
        f'<a href="{up}{archive}" download>the exercise folder</a> '
        "(a zip, for Colab: the notebook with its checks as files).</p>"
    )


def add_download_link(app: Sphinx, doctree, docname: str) -> None:
    """A download line right under the title of every chapter page."""
    if app.builder.name != "html":
        return
    source = Path(app.env.doc2path(docname))
    if source.suffix != ".ipynb" or not is_master(source):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    html = _link_html(docname.count("/"), source.stem)
    section.insert(1, nodes.raw("", html, format="html"))


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", add_download_link)
    # After the pages are written (site_meta rewrites index.html at the default 500).
    app.connect("build-finished", write_student_downloads, priority=800)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
