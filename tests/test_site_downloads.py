"""The site's downloads: student notebooks, the offline zip (the PDF: test_site_pdf.py).

- Every chapter page links its student notebook ``downloads/student/<chapter>.ipynb``
  and the exercise folder ``<chapter>-student.zip`` (book/_ext/student_downloads.py);
  both exist, and neither holds a solution line or a hidden test
  (``coursework.leaks.find_leaks``, run again here on the published files).
- ``make site-archive`` writes ``downloads/sigmoid-book-site.zip`` and its
  ``.sha256`` (book/_ext/site_archive.py): the checksum verifies with ``sha256sum -c``,
  the zip does not contain itself, and the unzipped copy, opened from ``file://``
  with every network request refused, shows the chapters with typeset math and
  drawn figures.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest

from coursework.leaks import find_leaks
from coursework.master import find_masters

from conftest import BOOK_DIR, REPO_ROOT, WAIT_FOR_RENDERING

ARCHIVE = "downloads/sigmoid-book-site.zip"


def _chapters() -> list[Path]:
    return find_masters(BOOK_DIR)


def test_every_chapter_is_a_master():
    """The downloads are made for the coursework masters: that is every chapter."""
    stems = {p.stem for p in _chapters()}
    expected = {p.stem for p in BOOK_DIR.glob("ch*_*.ipynb")}
    assert stems == expected and len(stems) >= 6


@pytest.mark.parametrize("master", _chapters(), ids=lambda p: p.stem)
def test_student_notebook_is_published_without_solutions(master, built_site, tmp_path):
    html_dir = built_site[0]
    notebook = html_dir / "downloads" / "student" / f"{master.stem}.ipynb"
    archive = notebook.with_name(f"{master.stem}-student.zip")
    assert notebook.is_file() and archive.is_file(), f"{master.stem}: not published"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path)
    folder = tmp_path / master.stem
    assert (folder / notebook.name).read_bytes() == notebook.read_bytes(), (
        "the notebook and the zip's notebook differ"
    )
    assert list((folder / "tests").glob("q*.py")), "the zip has no public checks"
    assert find_leaks(master, folder) == [], f"{master.stem}: solutions or hidden tests"
    # The leak checker itself finds the solutions in the master (it can fail).
    planted = tmp_path / "planted"
    planted.mkdir()
    shutil.copy(master, planted / notebook.name)
    assert find_leaks(master, planted)
    student = nbformat.read(notebook, as_version=4)
    assert not any("# BEGIN SOLUTION" in c.source for c in student.cells)


@pytest.mark.parametrize("master", _chapters(), ids=lambda p: p.stem)
def test_chapter_page_links_its_student_notebook(master, built_site):
    page = (built_site[0] / "book" / f"{master.stem}.html").read_text(encoding="utf-8")
    links = re.findall(r'<p class="sigmoidbook-downloads">(.*?)</p>', page, re.S)
    assert len(links) == 1, f"{master.stem}: {len(links)} download lines"
    hrefs = re.findall(r'href="([^"]+)"', links[0])
    assert hrefs == [
        f"../downloads/student/{master.stem}.ipynb",
        f"../downloads/student/{master.stem}-student.zip",
    ]
    assert "Download the student notebook" in links[0]


def test_intro_has_no_student_download(built_site):
    page = (built_site[0] / "book" / "intro.html").read_text(encoding="utf-8")
    assert "sigmoidbook-downloads" not in page


# --------------------------------------------------------------------------
# The offline copy of the site
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site_archive(built_site) -> Path:
    html_dir = built_site[0]
    result = subprocess.run(
        ["make", "--no-print-directory", "site-archive"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return html_dir / ARCHIVE


def test_archive_checksum_verifies_and_the_zip_holds_the_site(site_archive, built_site):
    html_dir = built_site[0]
    checksum = site_archive.with_name(site_archive.name + ".sha256")
    assert re.fullmatch(r"[0-9a-f]{64}  sigmoid-book-site\.zip\n", checksum.read_text())
    check = subprocess.run(
        ["sha256sum", "-c", checksum.name],
        cwd=checksum.parent,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0 and ": OK" in check.stdout, check.stdout + check.stderr
    with zipfile.ZipFile(site_archive) as zf:
        names = set(zf.namelist())
    assert "sigmoid-book-site/index.html" in names
    assert f"sigmoid-book-site/{ARCHIVE}" not in names
    assert f"sigmoid-book-site/{ARCHIVE}.sha256" not in names
    pages = {
        f"sigmoid-book-site/{p.relative_to(html_dir).as_posix()}"
        for p in html_dir.rglob("*.html")
    }
    assert pages <= names, f"pages missing from the zip: {sorted(pages - names)[:5]}"
    assert (
        "sigmoid-book-site/_static/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff"
        in names
    )


def test_unzipped_site_works_from_file_urls_offline(
    site_archive, open_browser_context, tmp_path
):
    """index.html from file://, no server, every request that is not a local file refused:
    the chapter opens, its math is typeset and its figures are drawn."""
    with zipfile.ZipFile(site_archive) as zf:
        zf.extractall(tmp_path)
    root = tmp_path / "sigmoid-book-site"
    context = open_browser_context()
    refused = []

    def offline(route):
        if route.request.url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto((root / "index.html").as_uri(), wait_until="load")
        page.wait_for_url("**/book/intro.html")
        page.goto((root / "book" / "ch3_relu_dead_neurons.html").as_uri())
        page.evaluate(WAIT_FOR_RENDERING, 60_000)
        seen = page.evaluate(
            """() => ({
              math: document.querySelectorAll('.math').length,
              typeset: document.querySelectorAll('.math mjx-container').length,
              figures: document.querySelectorAll('.plotly-graph-div').length,
              drawn: [...document.querySelectorAll('.plotly-graph-div')]
                  .filter((d) => d._fullLayout && d.querySelector('.main-svg')).length,
              images: [...document.images].filter((i) => i.naturalWidth > 0).length,
            })"""
        )
    finally:
        context.close()
    assert seen["math"] > 10 and seen["typeset"] >= seen["math"], seen
    assert seen["figures"] >= 2 and seen["drawn"] == seen["figures"], seen
    assert seen["images"] > 0, seen
    assert not errors, errors
    assert not refused, f"the offline copy asked the network for {refused[:5]}"


#: What the site offers for download (paths from the site root); the PDF is made by
#: ``make pdf`` (tests/test_site_pdf.py checks the intro's link to it).
KNOWN_DOWNLOADS = re.compile(
    r"downloads/(sigmoid-book\.pdf|sigmoid-book-site\.zip(\.sha256)?"
    r"|student/ch\d+_\w+(\.ipynb|-student\.zip))"
)


def test_links_to_downloads_point_at_the_downloads(
    site_archive, built_site, built_pages
):
    """download_links: a Markdown link to downloads/... works from any page."""
    html_dir = built_site[0]
    links = 0
    for name in built_pages:
        text = (html_dir / name).read_text(encoding="utf-8", errors="replace")
        for href in re.findall(r'href="([^"#?]*downloads/[^"#?]+)"', text):
            target = (html_dir / name).parent / href
            relative = target.resolve().relative_to(html_dir.resolve()).as_posix()
            assert KNOWN_DOWNLOADS.fullmatch(relative), f"{name}: {href} -> {relative}"
            assert relative.endswith(".pdf") or target.is_file(), (
                f"{name}: {href} missing"
            )
            links += 1
    assert links >= 12, f"only {links} links to downloads"
