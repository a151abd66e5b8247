"""The whole book as one PDF, printed by Chromium (``make pdf``; not a Sphinx extension).

No TeX: Jupyter Book builds the book as one HTML page (``--builder singlehtml``, into
``_build/singlehtml``), which Debian's Chromium, driven by Playwright, prints with
the book's print style (``book/_static/sigmoidbook.css``, ``@media print``) to
``<site>/downloads/sigmoid-book.pdf`` (default site: ``_build/html``).  Before
printing it waits for MathJax and for every plotly figure to be drawn, then
replaces each interactive figure by a PNG of it at its initial setting, without
its slider (``Plotly.toImage``).  The print style leaves out solutions (cells
tagged as solutions by ``coursework_site``), toolbars, slider controls, quiz
buttons and feedback: exercises print without solutions, quizzes as questions.
``book/_static/print-pdf.css`` adds the ``web-only``/``print-only`` classes, hides
the website's buttons and lays out the title page and the contents.
Nothing is fetched from anywhere but the local server on 127.0.0.1.

Before printing, the page is made a book (:func:`prepare_page`): a title page
(title, authors, year, the website), the contents on a page of their own, and the
equations numbered per chapter, "(2.3)" for chapter 2's third numbered equation,
in the equation's label and in every reference to it (Sphinx numbers them through
the whole book unless the toctree is numbered).

Usage: ``python book/_ext/site_pdf.py [--site _build/html] [--single <built folder>]``.
tests/test_site_pdf.py checks the result (pages, title page and contents, chapter
starts, equation numbers, no solutions or website apparatus, images, margins).
"""

from __future__ import annotations

import argparse
import functools
import html
import os
import re
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PDF_NAME = "downloads/sigmoid-book.pdf"
PRINT_CSS = "_static/print-pdf.css"
TIMEOUT_MS = 300_000

# Waits for MathJax's typesetting and for every plotly figure, then swaps each
# figure for a PNG of its first state (sliders and menus dropped).
PREPARE_FOR_PRINT = """async (timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  if (document.querySelector('.math, .mathjax_process')) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() < deadline) await sleep(100);
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  }
  const divs = () => [...document.querySelectorAll('.plotly-graph-div')];
  while (!divs().every((d) => d._fullLayout && d.querySelector('.main-svg')) && Date.now() < deadline) await sleep(200);
  let replaced = 0;
  for (const div of divs()) {
    const width = Math.max(div.clientWidth, 600);
    const height = Math.max(div.clientHeight, 300);
    const layout = Object.assign({}, div.layout, {sliders: [], updatemenus: []});
    const png = await Plotly.toImage({data: div.data, layout: layout},
                                     {format: 'png', width: width, height: height, scale: 2});
    const img = document.createElement('img');
    img.src = png;
    img.alt = div.getAttribute('aria-label') || 'Figure (interactive on the website)';
    img.className = 'sigmoidbook-print-figure';
    img.style.width = '100%';
    div.replaceWith(img);
    replaced += 1;
  }
  await Promise.all([...document.images].map((i) => i.complete ? null : new Promise((r) => { i.onload = i.onerror = r; })));
  return {figures: replaced, images: document.images.length};
}"""

# A4 less the left and right margins of ``page.pdf`` below (16 mm each), in CSS px:
# the width Chromium lays the page out at when it prints.
PRINT_WIDTH_PX = round((210 - 2 * 16) / 25.4 * 96)

# Laid out at the printed width: a display equation wider than the page (MathJax 3
# does not break lines) is scaled down to fit rather than cut at the margin.
# Returns how many were scaled, and how many elements still run past the page.
FIT_TO_PAGE = """() => {
  let scaled = 0;
  for (const box of document.querySelectorAll('mjx-container[display="true"]')) {
    if (box.scrollWidth > box.clientWidth + 1) {
      const size = parseFloat(getComputedStyle(box).fontSize);
      box.style.fontSize = (size * 0.98 * box.clientWidth / box.scrollWidth).toFixed(2) + 'px';
      scaled += 1;
    }
  }
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('.bd-article table, .bd-article pre, .bd-article img')]
    .filter((el) => el.getBoundingClientRect().right > width + 1).length;
  return {scaled: scaled, wide: wide};
}"""

FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def build_singlehtml() -> Path:
    """``jupyter-book build --builder singlehtml``; returns the output folder."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [
            str(jupyter_book),
            "build",
            ".",
            "--builder",
            "singlehtml",
            "-n",
            "--keep-going",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    out = REPO_ROOT / "_build" / "singlehtml"
    if result.returncode != 0 or not (out / "book" / "intro.html").is_file():
        raise SystemExit(
            "the single-page build failed:\n" + (result.stdout + result.stderr)[-4000:]
        )
    return out


DOCUMENT = re.compile(r'<span id="document-([^"]+)"></span>')
EQUATION_LABEL = re.compile(
    r'(<div class="math[^"]*" id="(equation-[^"]+)">\s*<span class="eqno">)\([^)<]*\)'
)
EQUATION_REFERENCE = re.compile(
    r'(<a class="reference internal" href="[^"#]*#(equation-[^"]+)">)\([^)<]*\)(</a>)'
)
CHAPTER = re.compile(r"(?:^|/)ch(\d+)_")


def number_equations_per_chapter(page: str) -> tuple[str, dict[str, str]]:
    """Chapter N's k-th numbered equation becomes "(N.k)", label and references.

    ``page`` is the single-page build, where each document follows a
    ``<span id="document-<docname>">``; a chapter is a document named ``chN_...``
    (documents of other names keep Sphinx's numbers).  Returns the new page and
    ``{equation id: "N.k"}``.
    """
    pieces = DOCUMENT.split(page)  # [root, docname, body, docname, body, ...]
    numbers: dict[str, str] = {}
    for i in range(1, len(pieces), 2):
        chapter = CHAPTER.search(pieces[i])
        pieces[i] = f'<span id="document-{pieces[i]}"></span>'
        if chapter is None:
            continue
        ids = [m.group(2) for m in EQUATION_LABEL.finditer(pieces[i + 1])]
        for k, equation in enumerate(ids, start=1):
            numbers[equation] = f"{chapter.group(1)}.{k}"
        pieces[i + 1] = EQUATION_LABEL.sub(
            lambda m: f"{m.group(1)}({numbers[m.group(2)]})", pieces[i + 1]
        )

    def reference(m: re.Match) -> str:
        number = numbers.get(m.group(2))
        return m.group(0) if number is None else f"{m.group(1)}({number}){m.group(3)}"

    return EQUATION_REFERENCE.sub(reference, "".join(pieces)), numbers


def _book_config() -> dict:
    import yaml

    return yaml.safe_load((REPO_ROOT / "_config.yml").read_text(encoding="utf-8"))


def title_page(page: str) -> str:
    """The theme's print title (``#jb-print-docs-body``) with the book's authors,
    year and website under it; print-pdf.css puts the contents on the next page."""
    config = _book_config()
    url = (config.get("repository") or {}).get("url", "")
    year = config.get("copyright", "")
    lines = [config.get("author", ""), year and f"© {year}", url]
    meta = "".join(
        f'<p class="sigmoidbook-title-meta">{html.escape(str(line))}</p>'
        for line in lines
        if line
    )
    title = re.compile(
        r'(<div id="jb-print-docs-body" class="onlyprint">\s*<h1>.*?</h1>)'
    )
    if not title.search(page):
        raise SystemExit(
            "site_pdf: the theme's print title (#jb-print-docs-body) is gone"
        )
    return title.sub(lambda m: m.group(1) + meta, page, count=1)


def prepare_page(single_dir: Path) -> tuple[str, dict[str, str]]:
    """The one page, made a book, at the folder's root, where its links point from.

    The single-page builder writes the root document, ``book/intro``, to
    ``book/intro.html`` but links its assets (``_static/``, ``_images/``) as if
    it were at the top of the folder.  Returns the page's file name and the
    equation numbers (:func:`number_equations_per_chapter`).
    """
    page = (single_dir / "book" / "intro.html").read_text(encoding="utf-8")
    page, numbers = number_equations_per_chapter(page)
    page = title_page(page)
    if not (single_dir / PRINT_CSS).is_file():
        raise SystemExit(
            f"site_pdf: {PRINT_CSS} is not in the build (html_static_path)"
        )
    if PRINT_CSS not in page:
        link = f'<link rel="stylesheet" href="{PRINT_CSS}" type="text/css" />'
        page = page.replace("</head>", f"{link}\n</head>", 1)
    out = single_dir / "sigmoid-book.html"
    out.write_text(page, encoding="utf-8")
    return out.name, numbers


def print_pdf(single_dir: Path, pdf_path: Path) -> dict:
    """Print ``single_dir``'s one page to ``pdf_path``; returns what was replaced."""
    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(single_dir))
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu"],
            )
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            page.set_default_timeout(TIMEOUT_MS)
            # Offline: anything not from the local server is refused.
            page.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith((base, "data:"))
                    else route.abort()
                ),
            )
            name, numbers = prepare_page(single_dir)
            page.goto(f"{base}/{name}", wait_until="load")
            done = page.evaluate(PREPARE_FOR_PRINT, TIMEOUT_MS - 10_000)
            done["equations"] = len(numbers)
            page.emulate_media(media="print")
            page.set_viewport_size({"width": PRINT_WIDTH_PX, "height": 1400})
            done.update(page.evaluate(FIT_TO_PAGE))
            pdf_path.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(pdf_path),
                format="A4",
                print_background=True,
                margin={
                    "top": "18mm",
                    "bottom": "18mm",
                    "left": "16mm",
                    "right": "16mm",
                },
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
                outline=True,
                tagged=True,
            )
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--site", type=Path, default=REPO_ROOT / "_build" / "html")
    parser.add_argument(
        "--single",
        type=Path,
        help="print this single-page build instead of building _build/singlehtml",
    )
    args = parser.parse_args(argv)
    start = time.monotonic()
    single = args.single or build_singlehtml()
    built = time.monotonic()
    pdf_path = args.site / PDF_NAME
    done = print_pdf(single, pdf_path)
    print(
        f"{pdf_path}: {pdf_path.stat().st_size / 1e6:.1f} MB, {done['figures']} interactive "
        f"figures as PNG, {done['equations']} equations numbered per chapter, "
        f"{done['scaled']} wide equations scaled to the page, {done['wide']} elements "
        f"past the right margin; single-page build {built - start:.0f} s, "
        f"printing {time.monotonic() - built:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
