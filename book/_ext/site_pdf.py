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
Nothing is fetched from anywhere but the local server on 127.0.0.1.

Usage: ``python book/_ext/site_pdf.py [--site _build/html] [--single <built folder>]``.
tests/test_site_pdf.py checks the result (pages, chapter titles, no solutions, images).
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PDF_NAME = "downloads/sigmoid-book.pdf"
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


def page_at_root(single_dir: Path) -> str:
    """A copy of the one page at the folder's root, where its links point from.

    The single-page builder writes the root document, ``book/intro``, to
    ``book/intro.html`` but links its assets (``_static/``, ``_images/``) as if
    it were at the top of the folder.
    """
    page = single_dir / "sigmoid-book.html"
    page.write_bytes((single_dir / "book" / "intro.html").read_bytes())
    return page.name


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
            page.goto(f"{base}/{page_at_root(single_dir)}", wait_until="load")
            done = page.evaluate(PREPARE_FOR_PRINT, TIMEOUT_MS - 10_000)
            page.emulate_media(media="print")
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
        f"figures as PNG; single-page build {built - start:.0f} s, "
        f"printing {time.monotonic() - built:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
