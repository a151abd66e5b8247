"""The whole website as one zip, for reading offline (``make book``; not a Sphinx extension).

Writes ``<site>/downloads/sigmoid-book-site.zip`` (default site: ``_build/html``)
holding every file of the built site under one folder ``sigmoid-book-site/``, and
``sigmoid-book-site.zip.sha256`` beside it in ``sha256sum -c`` format.  The archive
never contains itself or its checksum.  A reader unzips it and opens
``sigmoid-book-site/index.html``: the site needs no server and no network (MathJax's fonts
and plotly.js are part of it).  Run it after everything else that writes into the
site (the HTML build, the PDF).  tests/test_site_archive.py opens the unzipped copy
from ``file://`` with the network blocked.

Usage: ``python book/_ext/site_archive.py [--site _build/html]``.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import zipfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARCHIVE = "downloads/sigmoid-book-site.zip"
FOLDER = "sigmoid-book-site"
#: Build bookkeeping a reader does not need.
SKIPPED = {".buildinfo", ".doctrees"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_archive(site: Path) -> tuple[Path, Path]:
    """Zip ``site`` into ``site/ARCHIVE``; returns (archive, checksum file)."""
    site = Path(site).resolve()
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site} has no index.html: build the site first")
    archive = site / ARCHIVE
    checksum = archive.with_name(archive.name + ".sha256")
    archive.parent.mkdir(parents=True, exist_ok=True)
    partial = archive.with_name(archive.name + ".partial")
    leave_out = {archive, checksum, partial}
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(site.rglob("*")):
            if path in leave_out or not path.is_file():
                continue
            relative = path.relative_to(site)
            if SKIPPED & set(relative.parts):
                continue
            # Zip files inside (student folders) are stored as they are.
            kind = zipfile.ZIP_STORED if path.suffix == ".zip" else zipfile.ZIP_DEFLATED
            zf.write(path, f"{FOLDER}/{relative.as_posix()}", compress_type=kind)
    partial.replace(archive)
    checksum.write_text(f"{sha256_of(archive)}  {archive.name}\n", encoding="utf-8")
    return archive, checksum


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", type=Path, default=REPO_ROOT / "_build" / "html")
    args = parser.parse_args(argv)
    archive, checksum = write_archive(args.site)
    with zipfile.ZipFile(archive) as zf:
        files = len(zf.namelist())
    print(
        f"{archive}: {archive.stat().st_size / 1e6:.1f} MB, {files} files; {checksum.name}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
