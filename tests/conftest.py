"""Shared pytest set-up: the repository's paths, the site build and the browser.

``sigmoidbook`` and ``coursework`` are installed (``pip install -e ".[test]"``), so
tests import them like any package.  :data:`REPO_ROOT` is the one definition of
where the repository is.  Tests take what they need from here as fixtures
(``repo_root``, ``book_dir``, ``book_notebooks``, the browser helpers) or as the
per-file arguments ``notebook_path``, ``chapter_path`` and ``quiz_path``
(:func:`pytest_generate_tests`: a test that takes one runs once per file), which
works whatever is on ``sys.path``.  ``from conftest import REPO_ROOT`` works too,
through pytest.ini's ``pythonpath = tests``, as long as no other ``conftest.py``
directory is on the path: the module name ``conftest`` then means whichever one
was loaded last.
"""

import functools
import os
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

# nbval compares figure outputs with the committed ones, which come from the inline
# backend; an inherited MPLBACKEND=Agg makes plt.show() display nothing in the kernels.
os.environ.pop("MPLBACKEND", None)

#: The one definition of where the repository is, for every test.
REPO_ROOT = Path(__file__).resolve().parent.parent
BOOK_DIR = REPO_ROOT / "book"
HTML_DIR = REPO_ROOT / "_build" / "html"


def _book_notebooks() -> list[Path]:
    """Every notebook of the book (chapters and intro), sorted."""
    return sorted(
        p for p in BOOK_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def _chapters() -> list[Path]:
    """The chapter notebooks (``book/chN_*.ipynb``): every notebook but the intro."""
    return sorted(p for p in BOOK_DIR.glob("*.ipynb") if p.stem != "intro")


def _quizzes() -> list[Path]:
    """The self-check quizzes, ``book/quizzes/<chapter stem>.json``."""
    return sorted((BOOK_DIR / "quizzes").glob("*.json"))


#: Test arguments that make a test run once per file of the repository.
PER_FILE_ARGUMENTS = {
    "notebook_path": _book_notebooks,
    "chapter_path": _chapters,
    "quiz_path": _quizzes,
}


def pytest_generate_tests(metafunc):
    for name, files in PER_FILE_ARGUMENTS.items():
        if name in metafunc.fixturenames:
            paths = files()
            ids = [p.relative_to(REPO_ROOT).as_posix() for p in paths]
            metafunc.parametrize(name, paths, ids=ids)


@pytest.fixture(scope="session", autouse=True)
def calibration_cache(tmp_path_factory):
    """The coursework grader's calibration cache (``COURSEWORK_CACHE_DIR``) for this
    test run: below its temporary folder (shared by the pytest-xdist workers of one
    run), never the user's ``~/.cache``, so each run calibrates afresh as CI does."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # <root>/pytest-N/popen-gwK: share <root>/pytest-N
    folder = base / "coursework-calibration"
    folder.mkdir(exist_ok=True)
    previous = os.environ.get("COURSEWORK_CACHE_DIR")
    os.environ["COURSEWORK_CACHE_DIR"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("COURSEWORK_CACHE_DIR", None)
    else:
        os.environ["COURSEWORK_CACHE_DIR"] = previous


@pytest.fixture(scope="module")
def fixture_release(tmp_path_factory):
    """``coursework.assign`` of the small good master (tests/fixtures/), once per module."""
    from coursework_releases import GOOD_MASTER

    import coursework

    return coursework.assign(GOOD_MASTER, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top folder (where ``_config.yml`` and ``pyproject.toml`` are)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def book_dir() -> Path:
    """``book/``: the chapters, their MyST texts, quizzes and the ``sigmoidbook`` package."""
    return BOOK_DIR


@pytest.fixture(scope="session")
def book_notebooks() -> list[Path]:
    """Every notebook of the book, sorted (the list ``notebook_path`` runs over)."""
    return _book_notebooks()


@pytest.fixture(scope="session")
def built_site():
    """Build the website once per test session, as `make book` does, from scratch.

    Returns ``(html_dir, returncode, build_log)``.  The build uses ``-W -n
    --keep-going``, so any Sphinx warning makes it exit non-zero; the test of the
    build checks that, and the browser tests reuse the output.  ``--all`` re-reads
    every page: an incremental build reports warnings only for the pages it re-reads,
    so a warning in an unchanged page would pass unseen on the second run.
    """
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    # Pages left from an earlier build (a page since removed or excluded) would be
    # tested as if they were part of this one.
    shutil.rmtree(HTML_DIR, ignore_errors=True)
    result = subprocess.run(
        [str(jupyter_book), "build", ".", "--all", "-W", "-n", "--keep-going"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    log = result.stdout + result.stderr
    return HTML_DIR, result.returncode, log


#: Folders of the build that hold assets, not pages.
NOT_PAGES = {"_static", "_sources", "_images", "_sphinx_design_static"}


@pytest.fixture(scope="session")
def built_pages(built_site) -> list[str]:
    """Every HTML page of the build, as paths relative to the site root."""
    html_dir = built_site[0]
    return sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not NOT_PAGES.intersection(p.relative_to(html_dir).parts)
    )


# --------------------------------------------------------------------------
# Browser fixtures (tests/test_browser.py; reused by other browser tests).
# The built site is served on 127.0.0.1 and driven with Debian's Chromium
# through Playwright; `playwright install` is never needed.
# --------------------------------------------------------------------------

# Runs in the page once it has loaded.  The website's math is typeset when the site
# is built (book/_ext/static_math.py); only a page that still loads MathJax (the
# PDF's single-page build) is waited for.  Sections the browser draws only near the
# viewport (content-visibility in book/_static/sigmoidbook.css) are all drawn, so
# that checks of layout, contrast and overflow see the whole page.  Then every
# plotly figure is drawn and waited for (or the time limit).
WAIT_FOR_RENDERING = """async (timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  if (!document.getElementById('sigmoidbook-test-draw-all')) {
    const style = document.createElement('style');
    style.id = 'sigmoidbook-test-draw-all';
    style.textContent = 'section { content-visibility: visible !important; }';
    document.head.appendChild(style);
  }
  if (document.querySelector('script[src*="mathjax/tex-chtml"]')) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() < deadline) await sleep(100);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  }
  // plotly figures load as they come near the viewport (plotly_figures.js): draw all
  if (window.sigmoidbookDrawAllFigures) await window.sigmoidbookDrawAllFigures();
  const drawn = () => [...document.querySelectorAll('.plotly-graph-div')]
      .every((div) => div._fullLayout && div.querySelector('.main-svg'));
  while (!drawn() && Date.now() < deadline) await sleep(100);
  if (document.fonts) await document.fonts.ready;
}"""

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Generous: the machine may be busy with other work (2 cores).
BROWSER_TIMEOUT_MS = 90_000


class _QuietSiteHandler(SimpleHTTPRequestHandler):
    """Static files, no request log; /favicon.ico is answered "204 No Content"
    (the book has none and a 404 would be noise, not a broken page)."""

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path.split("?", 1)[0] == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a browser closing a connection early is not a test failure


@pytest.fixture(scope="session")
def site_url(built_site):
    """Base URL (no trailing slash) of the built site, served on 127.0.0.1 on a free port."""
    html_dir = built_site[0]
    assert (html_dir / "index.html").is_file(), (
        "the site was not built; see test_site_build.py"
    )
    server = _QuietServer(
        ("127.0.0.1", 0), functools.partial(_QuietSiteHandler, directory=str(html_dir))
    )
    thread = threading.Thread(
        target=server.serve_forever, name="site-server", daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Debian Chromium for the whole session (skipped loudly if absent, outside CI)."""
    if not CHROMIUM.is_file():
        message = (
            f"BROWSER TESTS NOT RUN: {CHROMIUM} not found. Install Debian's chromium "
            "(apt-get install chromium); the browser tests check that the website works."
        )
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set: this is an error)")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def new_browser_context(browser):
    """A browser context with the book's viewport and the generous time limits."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    return context


def new_site_page(browser, site_url, context=None):
    """A fresh page that records its problems, in ``context`` or else in a new browser context.

    ``page.js_errors``: uncaught exceptions and console errors;
    ``page.failed_requests``: requests that failed or got HTTP >= 400;
    ``page.external_requests``: every request to anything but the local site
    (the book must work offline, so any is a bug).  Nothing is intercepted:
    Playwright's request routing would switch off the browser cache.
    """
    if context is None:
        context = new_browser_context(browser)
    page = context.new_page()
    page.js_errors, page.failed_requests, page.external_requests = [], [], []

    def on_request(request):
        if not request.url.startswith((site_url + "/", "data:", "blob:", "about:")):
            page.external_requests.append(request.url)

    def on_console(message):
        if message.type == "error":
            page.js_errors.append(f"console.error: {message.text}")

    def on_response(response):
        if response.status >= 400:
            page.failed_requests.append(f"{response.url} (HTTP {response.status})")

    page.on("request", on_request)
    page.on("pageerror", lambda error: page.js_errors.append(f"uncaught: {error}"))
    page.on("console", on_console)
    page.on(
        "requestfailed",
        lambda request: page.failed_requests.append(
            f"{request.url} ({request.failure})"
        ),
    )
    page.on("response", on_response)
    return page


@pytest.fixture(scope="session")
def open_browser_context(chromium_browser):
    """``open_browser_context()``: a new context (see :func:`new_browser_context`); close it."""
    return functools.partial(new_browser_context, chromium_browser)


@pytest.fixture(scope="session")
def open_site_page(chromium_browser, site_url):
    """``open_site_page(context=None)``: a fresh page of the site, see :func:`new_site_page`."""
    return functools.partial(new_site_page, chromium_browser, site_url)


@pytest.fixture
def browser_page(chromium_browser, site_url):
    """A fresh Playwright page (own context) for one test; see :func:`new_site_page`.

    Navigate with ``browser_page.goto(site_url + "/book/intro.html", wait_until="load")``
    and then wait for a selector; do not wait for "networkidle".
    """
    page = new_site_page(chromium_browser, site_url)
    yield page
    page.context.close()
