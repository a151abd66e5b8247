"""The whole-book PDF (``make pdf``, book/_ext/site_pdf.py) and printing a chapter.

The PDF is built here with ``make pdf`` (so CI builds it on every run) into the
built site, then read with pdf.js (``pdfjs-dist``, pinned in ``tests/js``) in the
session's Chromium: its page count, its text page by page and the images each page
paints.  What is checked: more than :data:`MIN_PAGES` pages, a title page and the
contents, every chapter's title, no "Show solution" and no line of any solution, no
website-only apparatus (download lines, toggles), quizzes printed as numbered
questions, equations numbered per chapter ("(2.3)") in their labels and in every
reference, and every figure an image (the matplotlib PNGs and a PNG of each
interactive figure), each painted exactly once: a figure split across two pages
would be painted twice.  The ``web-only``/``print-only`` classes of
``book/_static/print-pdf.css`` are checked on a small page, on screen and printed.
A few pages are rendered to ``_build/screenshots/pdf/``: look at them.
"""

from __future__ import annotations

import functools
import re
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import BOOK_DIR, REPO_ROOT

JS_DIR = Path(__file__).resolve().parent / "js"
PRINT_CSS = BOOK_DIR / "_static" / "print-pdf.css"
PDFJS = JS_DIR / "node_modules" / "pdfjs-dist" / "build"
PDF = "downloads/sigmoid-book.pdf"
MIN_PAGES = 100
#: Pages rendered to PNG for a person to look at.
LOOK_AT = (1, 2, 3, 30, 60)

READ_PDF = """async (url) => {
  const pdfjs = await import('/pdf.min.mjs');
  pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.min.mjs';
  const doc = await pdfjs.getDocument(url).promise;
  window.sigmoidbookPdf = doc;
  const paints = new Set([pdfjs.OPS.paintImageXObject, pdfjs.OPS.paintInlineImageXObject,
                          pdfjs.OPS.paintImageXObjectRepeat]);
  const pages = [];
  for (let k = 1; k <= doc.numPages; k++) {
    const page = await doc.getPage(k);
    const text = (await page.getTextContent()).items.map((i) => i.str + (i.hasEOL ? '\\n' : '')).join('');
    const ops = await page.getOperatorList();
    pages.push({text: text, images: ops.fnArray.filter((f) => paints.has(f)).length});
  }
  return pages;
}"""

RENDER_PAGE = """async (k) => {
  const page = await window.sigmoidbookPdf.getPage(k);
  const viewport = page.getViewport({scale: 1.3});
  const canvas = document.getElementById('c');
  canvas.width = viewport.width; canvas.height = viewport.height;
  await page.render({canvasContext: canvas.getContext('2d'), viewport: viewport}).promise;
}"""


class _ModuleServer(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def guess_type(self, path):
        return (
            "text/javascript"
            if str(path).endswith(".mjs")
            else super().guess_type(path)
        )


@pytest.fixture(scope="module")
def pdf_build(built_site) -> tuple[Path, str]:
    """``make pdf`` into the built site: the PDF and site_pdf.py's summary line."""
    result = subprocess.run(
        ["make", "--no-print-directory", "pdf"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    summary = result.stdout.strip().splitlines()[-1]
    print(summary)
    return built_site[0] / PDF, summary


@pytest.fixture(scope="module")
def book_pdf(pdf_build) -> Path:
    return pdf_build[0]


@pytest.fixture(scope="module")
def pdf_reader(chromium_browser, tmp_path_factory):
    """``read(pdf) -> [{"text", "images"} per page]`` with pdf.js, and ``shoot(k, png)``."""
    if not (PDFJS / "pdf.min.mjs").is_file():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_DIR, check=True)
    root = tmp_path_factory.mktemp("pdfjs")
    for name in ("pdf.min.mjs", "pdf.worker.min.mjs"):
        (root / name).write_bytes((PDFJS / name).read_bytes())
    (root / "index.html").write_text('<!DOCTYPE html><canvas id="c"></canvas>')
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_ModuleServer, directory=str(root))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    page = chromium_browser.new_page()
    page.set_default_timeout(300_000)
    page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")

    def read(pdf: Path) -> list[dict]:
        (root / "book.pdf").write_bytes(pdf.read_bytes())
        return page.evaluate(READ_PDF, "/book.pdf")

    def shoot(k: int, png: Path) -> None:
        page.evaluate(RENDER_PAGE, k)
        png.parent.mkdir(parents=True, exist_ok=True)
        page.locator("#c").screenshot(path=str(png))

    yield read, shoot
    page.close()
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def pdf_pages(book_pdf, pdf_reader) -> list[dict]:
    read, shoot = pdf_reader
    pages = read(book_pdf)
    for k in LOOK_AT:
        if k <= len(pages):
            shoot(k, book_pdf.parents[2] / "screenshots" / "pdf" / f"page{k:03d}.png")
    return pages


def _flat(text: str) -> str:
    """Whitespace collapsed, typographic quotes as ASCII, Markdown code marks dropped."""
    text = text.replace("\u00ad", "").replace("\u2019", "'").replace("`", "")
    return " ".join(text.split())


def _squeezed(text: str) -> str:
    """:func:`_flat` without any whitespace (a title broken after "log-sum-")."""
    return "".join(_flat(text).split())


def _chapter_titles() -> list[str]:
    titles = []
    for notebook in sorted(BOOK_DIR.glob("*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            found = re.search(r"^# (.+)$", cell.source, re.M)
            if cell.cell_type == "markdown" and found:
                titles.append(found.group(1).strip())
                break
    return titles


def _solution_lines() -> list[str]:
    """Distinctive lines of every solution (between otter's solution markers) that
    appear nowhere else in the chapters."""
    solution, elsewhere = [], set()
    for notebook in sorted(BOOK_DIR.glob("ch*_*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "# BEGIN SOLUTION" in line:
                    inside = True
                elif "# END SOLUTION" in line:
                    inside = False
                elif inside or line.rstrip().endswith("# SOLUTION"):
                    solution.append(line.replace("# SOLUTION", "").strip())
                else:
                    elsewhere.add(line.strip())
    return [s for s in solution if len(s) >= 30 and s not in elsewhere]


def test_pdf_has_the_whole_book(pdf_pages):
    assert len(pdf_pages) > MIN_PAGES, f"only {len(pdf_pages)} pages"
    text = _flat(" ".join(p["text"] for p in pdf_pages))
    titles = _chapter_titles()
    assert len(titles) >= 7
    missing = [t for t in titles if _flat(t) not in text]
    assert not missing, f"chapter titles not in the PDF: {missing}"
    assert "Bibliography" in text and "Glorot" in text


def test_pdf_has_no_solutions(pdf_pages):
    text = _flat(" ".join(p["text"] for p in pdf_pages))
    # The toggles' labels (the prose may still mention "Show solution").
    lines = {line.strip() for p in pdf_pages for line in p["text"].splitlines()}
    toggles = {"Show solution", "Hide solution", "Show code cell source"}
    assert not toggles & lines, f"toggles printed: {toggles & lines}"
    lines = _solution_lines()
    assert len(lines) >= 6, "found no solution lines to look for"
    shown = [line for line in lines if _flat(line) in text]
    assert not shown, f"solution lines printed: {shown[:5]}"


def test_quizzes_print_as_questions(pdf_pages):
    text = _flat(" ".join(p["text"] for p in pdf_pages))
    quizzes = sorted((BOOK_DIR / "quizzes").glob("*.json"))
    assert text.count("Question 1.") >= len(quizzes)
    assert "Not quite" not in text and "✓ Right" not in text


def test_the_intro_links_the_pdf(book_pdf, built_site):
    intro = built_site[0] / "book" / "intro.html"
    hrefs = re.findall(r'href="([^"]*sigmoid-book\.pdf)"', intro.read_text())
    assert hrefs, "the intro does not link the PDF"
    for href in hrefs:
        assert (intro.parent / href).resolve() == book_pdf.resolve(), href


def test_figures_are_images_painted_once(pdf_pages, built_site):
    """Every figure of the book is an image in the PDF, none split across pages."""
    single = REPO_ROOT / "_build" / "singlehtml" / "book" / "intro.html"
    html = single.read_text(encoding="utf-8")
    interactive = html.count('class="plotly-graph-div')
    static = len(re.findall(r'<img[^>]+src="_images/', html))
    painted = sum(p["images"] for p in pdf_pages)
    assert interactive >= 4 and static >= 10
    assert painted == interactive + static, (
        f"{painted} images painted for {interactive} interactive + {static} static "
        "figures (more: a figure split over pages; fewer: a figure not printed as an image)"
    )


#: Website apparatus that has no meaning on paper (book/_static/print-pdf.css hides
#: the elements; prose that names them belongs in a ``web-only`` block).
WEB_ONLY_PHRASES = (
    "Download the student notebook",
    "Show solution",
    "Hide solution",
    "Show code cell",
    "launch button",
    "rocket icon",
    "download link on this page",
)


def _equation_labels() -> dict[int, list[str]]:
    """``{chapter number: [equation labels in order]}`` from the MyST twins."""
    labels = {}
    for text in sorted(BOOK_DIR.glob("ch*_*.md")):
        number = int(re.match(r"ch(\d+)_", text.name).group(1))
        source = text.read_text(encoding="utf-8")
        labels[number] = re.findall(r"\$\$[ \t]*\((eq-[\w-]+)\)", source)
    return labels


def test_pdf_opens_with_a_title_page_and_the_contents(pdf_pages):
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))
    first, second = _flat(pdf_pages[0]["text"]), _flat(pdf_pages[1]["text"])
    assert _flat(config["title"]) in first and config["author"] in first, first[:300]
    assert "Contents" not in first, "the contents share the title page"
    assert second.startswith("Contents"), second[:300]
    chapters = [t for t in _chapter_titles() if t.startswith("Chapter")]
    missing = [t for t in chapters if _squeezed(t) not in _squeezed(second)]
    assert not missing, f"not in the contents page: {missing}"


def test_each_chapter_starts_a_page(pdf_pages):
    starts = [_squeezed(p["text"]) for p in pdf_pages]
    chapters = [t for t in _chapter_titles() if t.startswith("Chapter")]
    assert len(chapters) >= 6
    late = [t for t in chapters if not any(s.startswith(_squeezed(t)) for s in starts)]
    assert not late, f"chapters that do not start a page: {late}"


def test_equations_are_numbered_per_chapter(pdf_pages):
    """Chapter N's k-th numbered equation reads "(N.k)", and nothing after the last."""
    text = _flat(" ".join(p["text"] for p in pdf_pages))
    labels = _equation_labels()
    assert sum(map(len, labels.values())) >= 20, labels
    for chapter, names in labels.items():
        absent = [f"({chapter}.{k})" for k in range(1, len(names) + 1)]
        absent = [label for label in absent if label not in text]
        assert not absent, (
            f"chapter {chapter}: equation labels not in the PDF: {absent}"
        )
        extra = f"({chapter}.{len(names) + 1})"
        assert extra not in text, (
            f"chapter {chapter} has {len(names)} equations: {extra}"
        )
    # The whole-book numbers of the old PDF, (1)..(27): none survives as a label.
    total = sum(map(len, labels.values()))
    assert f"({total})" not in text, f"({total}): equations numbered through the book"


def test_equation_references_name_their_equation(book_pdf):
    """In the printed page, every {eq} reference reads its equation's label."""
    page = (REPO_ROOT / "_build" / "singlehtml" / "sigmoid-book.html").read_text(
        encoding="utf-8"
    )
    found = re.findall(
        r'id="equation-([\w-]+)">\s*<span class="eqno">\(([^)<]*)\)', page
    )
    label = dict(found)
    for name, chapter in ((n, c) for c, ns in _equation_labels().items() for n in ns):
        assert label.get(name, "").startswith(f"{chapter}."), (name, label.get(name))
    references = re.findall(
        r'<a class="reference internal" href="[^"#]*#equation-([\w-]+)">\(([^)<]*)\)</a>',
        page,
    )
    expected = sum(
        source.read_text(encoding="utf-8").count("{eq}`")
        for source in BOOK_DIR.glob("ch*_*.md")
    )
    assert len(references) == expected >= 20, (len(references), expected)
    wrong = [(name, shown) for name, shown in references if label.get(name) != shown]
    assert not wrong, f"references that do not read their equation's label: {wrong[:5]}"


def test_no_website_apparatus_in_the_pdf(pdf_pages):
    found = [
        (phrase, k)
        for k, p in enumerate(pdf_pages, start=1)
        for phrase in WEB_ONLY_PHRASES
        if phrase.lower() in _flat(p["text"]).lower()
    ]
    assert not found, f"website-only text printed (phrase, page): {found}"


def test_web_only_and_print_only_classes(chromium_browser, pdf_reader, tmp_path):
    """The two classes, as MyST renders them (``:::{div} web-only``, a
    ``{container}`` or an inline role with ``:class: print-only``), on screen and
    printed."""
    read, _ = pdf_reader
    body = (
        '<div class="web-only docutils"><p>WEBBLOCK here.</p></div>'
        '<div class="print-only docutils container"><p>PRINTBLOCK here.</p></div>'
        '<p>Both: <span class="web-only">WEBSPAN</span> '
        '<span class="print-only">PRINTSPAN</span>.</p>'
    )
    css = PRINT_CSS.read_text(encoding="utf-8")
    page = chromium_browser.new_page()
    try:
        page.set_content(f"<!DOCTYPE html><style>{css}</style><body>{body}</body>")
        shown = page.evaluate("() => document.body.innerText")
        assert "WEBBLOCK" in shown and "WEBSPAN" in shown, shown
        assert "PRINTBLOCK" not in shown and "PRINTSPAN" not in shown, shown
        pdf = tmp_path / "classes.pdf"
        page.pdf(path=str(pdf))
    finally:
        page.close()
    printed = " ".join(p["text"] for p in read(pdf))
    assert "PRINTBLOCK" in printed and "PRINTSPAN" in printed, printed
    assert "WEBBLOCK" not in printed and "WEBSPAN" not in printed, printed


def test_nothing_runs_past_the_right_margin(pdf_build):
    """Laid out at the printed width, no table, code block or image is wider than
    the page (Chromium would otherwise shrink every page, or cut them), and wide
    display equations were scaled to fit (site_pdf.py's summary line)."""
    summary = pdf_build[1]
    found = re.search(r"(\d+) wide equations scaled .*?, (\d+) elements past", summary)
    assert found, summary
    assert found.group(2) == "0", summary
