"""The website in a real browser, offline: Debian's Chromium driven by Playwright.

Every page of the build (found in ``_build/html``, so new chapters are covered
without editing this file) is opened once from a local server and checked: no
JavaScript errors, no failed requests and none to another host, all math
typeset (when the site was built, by MathJax: book/_ext/static_math.py), every plotly figure drawn (and plotly.js
loaded only where there is one), every ``<img>`` with alt text, HTML at most
1 MB.  A full-page screenshot of each page is saved under
``_build/screenshots/``: look at them, they are the evidence.

During the same visit every slider is dragged with the mouse, and what the
figure then shows is compared with numbers computed here, independently of the
figure code where possible (closed forms, float32 arithmetic, a forward pass).
The chapter figures are also dragged in a page of their own, so they are tested
before a chapter embeds them.

Fixtures ``built_site``, ``site_url``, ``open_browser_context``,
``open_site_page`` and ``browser_page`` are in ``tests/conftest.py``.  Loading plotly.js costs about a
second of CPU per page, far more on a busy machine, so each page is loaded once.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from figure_checks import check_slider_records, exercise_sliders, kind_of

from conftest import WAIT_FOR_RENDERING

MAX_PAGE_BYTES = 1_000_000
REDIRECT = re.compile(
    r'<meta http-equiv="refresh" content="0; url=([^"]+)"', re.IGNORECASE
)

INSPECT_PAGE = """() => {
  const maths = [...document.querySelectorAll('.math')];
  return {
    math_elements: maths.length,
    math_untypeset: maths.filter((m) => !m.querySelector('mjx-container')).map((m) => m.textContent.slice(0, 80)),
    math_errors: document.querySelectorAll('mjx-merror').length,
    math_lazy: document.querySelectorAll('mjx-lazy').length,
    mjx_containers: document.querySelectorAll('mjx-container').length,
    figures: [...document.querySelectorAll('.plotly-graph-div')].map((div) => ({
      id: div.id,
      rendered: Boolean(div._fullLayout && div.querySelector('.main-svg')),
      traces: div.data ? div.data.length : 0,
      sliders: div.layout && div.layout.sliders ? div.layout.sliders.length : 0,
    })),
    plotly_script: Boolean(document.querySelector('script[src*="plotly.min.js"]')),
    images_without_alt: [...document.images].filter((i) => !(i.getAttribute('alt') || '').trim()).map((i) => i.src),
    broken_images: [...document.images].filter((i) => i.complete && i.naturalWidth === 0).map((i) => i.src),
    binder_links: [...document.querySelectorAll('a[href*="mybinder.org"]')].map((a) => a.href),
    thebe_buttons: [...document.querySelectorAll('button.btn-launch-thebe')].map((b) => b.textContent.trim()),
  };
}"""


# Pictures load lazily (lazy_images.py): fetch every one now, so that each is checked.
LOAD_EVERY_IMAGE = """async (timeoutMs) => {
  const images = [...document.images];
  images.forEach((image) => { image.loading = 'eager'; });
  const loaded = images.map((image) => image.complete ? null
      : new Promise((resolve) => { image.onload = image.onerror = resolve; }));
  await Promise.race([Promise.all(loaded), new Promise((r) => setTimeout(r, timeoutMs))]);
}"""


# plotly.js and MathJax's main font as the page loaded them: [path, bytes over the
# network, bytes used].
SHARED_ASSETS = """() => performance.getEntriesByType('resource')
    .filter((r) => /plotly\\.min\\.js|mathjax\\/.*\\/MathJax_Main-Regular\\.woff/.test(r.name))
    .map((r) => [new URL(r.name).pathname + new URL(r.name).search, r.transferSize, r.decodedBodySize])"""


#: Folders of _build/screenshots/ that other tests write: test_site_reader (the two
#: widths), test_figure_layout and test_site_pdf.
OTHER_TESTS_SHOTS = {"390", "1280", "figures", "pdf"}


def screenshot_dir(html_dir: Path) -> Path:
    """``_build/screenshots/``, next to the built site ``_build/html/``."""
    return html_dir.parent / "screenshots"


# --------------------------------------------------------------------------
# One visit per page
# --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def page_reports(
    built_site, built_pages, site_url, open_browser_context, open_site_page
) -> dict[str, dict]:
    """Open every built page once; return what was observed, per page."""
    html_dir = built_site[0]
    reports = {}
    # Evidence of this build only: this test's full-page shots of an earlier run go
    # (the folders of the other tests' shots stay: they may already have run).
    shots = screenshot_dir(html_dir)
    for old in shots.iterdir() if shots.is_dir() else ():
        if old.is_dir() and old.name not in OTHER_TESTS_SHOTS:
            shutil.rmtree(old)
        elif old.is_file():
            old.unlink()
    # One browser context for all pages, like a reader going through the book: shared cache.
    context = open_browser_context()
    for name in built_pages:
        redirect = REDIRECT.search((html_dir / name).read_text(errors="replace")[:2000])
        if redirect:  # e.g. index.html -> book/intro.html: the target is checked itself
            target = (Path(name).parent / redirect.group(1)).as_posix()
            assert (html_dir / target).is_file(), (
                f"{name} redirects to {target}, which was not built"
            )
            continue
        page = open_site_page(context)
        try:
            report = visit(page, site_url, html_dir, name)
        except Exception as error:
            raise RuntimeError(f"while checking {name}: {error}") from error
        finally:
            page.close()
        reports[name] = report
    context.close()
    return reports


def visit(page, site_url: str, html_dir: Path, name: str) -> dict:
    """Load one page, let it render, inspect it, screenshot it, drag its sliders."""
    page.goto(f"{site_url}/{name}", wait_until="load")
    page.evaluate(WAIT_FOR_RENDERING, 60_000)
    page.evaluate(LOAD_EVERY_IMAGE, 30_000)
    report = page.evaluate(INSPECT_PAGE)
    shot = screenshot_dir(html_dir) / Path(name).with_suffix(".png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    report["shared_assets"] = page.evaluate(SHARED_ASSETS)
    report["sliders_dragged"] = exercise_sliders(page, report["figures"])
    report.update(
        js_errors=list(page.js_errors),
        failed_requests=list(page.failed_requests),
        external_requests=list(page.external_requests),
        html_bytes=(html_dir / name).stat().st_size,
        screenshot=shot,
    )
    return report


def problems(reports: dict[str, dict], key: str) -> dict[str, list]:
    return {name: report[key] for name, report in reports.items() if report[key]}


def test_every_built_page_was_visited(page_reports):
    assert {"book/intro.html", "search.html", "genindex.html"} <= set(page_reports)


def test_no_javascript_errors(page_reports):
    assert not problems(page_reports, "js_errors")


def test_no_failed_or_external_requests(page_reports):
    """Offline: nothing is fetched from another host, and nothing local is missing."""
    assert not problems(page_reports, "external_requests")
    assert not problems(page_reports, "failed_requests")


def test_math_is_typeset(page_reports):
    pages_with_math = {
        name: r for name, r in page_reports.items() if r["math_elements"]
    }
    assert "book/intro.html" in pages_with_math, (
        "the intro has math; did the page change?"
    )
    for name, report in pages_with_math.items():
        assert not report["math_untypeset"], (
            f"{name}: raw TeX left: {report['math_untypeset'][:5]}"
        )
        assert report["mjx_containers"] >= report["math_elements"], name
        assert report["math_errors"] == 0, (
            f"{name}: {report['math_errors']} MathJax errors"
        )
        assert report["math_lazy"] == 0, f"{name}: formulas left untypeset (lazy)"


def test_every_plotly_figure_renders_and_plotly_js_loads_only_where_needed(
    page_reports,
):
    assert page_reports["book/ch3_relu_dead_neurons.html"]["figures"], (
        "chapter 3 should show the activation explorer"
    )
    for name, report in page_reports.items():
        for figure in report["figures"]:
            assert figure["rendered"] and figure["traces"] > 0, (
                f"{name}: figure {figure['id']} not drawn"
            )
        assert report["plotly_script"] == bool(report["figures"]), (
            f"{name}: plotly.js must be loaded exactly on the pages with a figure"
        )


def test_every_slider_shows_the_right_numbers_when_dragged(page_reports):
    dragged = 0
    for name, report in page_reports.items():
        check_slider_records(name, report["sliders_dragged"])
        dragged += len(report["sliders_dragged"])
    explorer = page_reports["book/ch3_relu_dead_neurons.html"]["sliders_dragged"]
    assert any(
        r["title"] == "x = 3.00: σ(x) = 0.9526, σ′(x) = 0.0452" for r in explorer
    ), "x = 3 not reached"
    assert dragged >= 4


def test_every_image_has_alt_text(page_reports):
    assert not problems(page_reports, "images_without_alt")
    assert not problems(page_reports, "broken_images")


def test_page_weight(page_reports, built_site):
    html_dir = built_site[0]
    too_big = {
        name: r["html_bytes"]
        for name, r in page_reports.items()
        if r["html_bytes"] > MAX_PAGE_BYTES
    }
    assert not too_big, f"pages over {MAX_PAGE_BYTES} bytes of HTML: {too_big}"
    import plotly

    shipped = html_dir / "_static" / "plotly" / "plotly.min.js"
    installed = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert shipped.read_bytes() == installed.read_bytes(), (
        "the site's plotly.js must be the installed plotly's"
    )
    fonts = html_dir / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert (fonts / "MathJax_Main-Regular.woff").is_file()
    # The website's math is typeset when it is built: MathJax's scripts are not served.
    assert not (html_dir / "_static" / "mathjax" / "tex-chtml.js").exists()


def test_shared_assets_are_downloaded_once_then_cached(page_reports):
    """plotly.js and MathJax's main font come from the site, with a version in the
    URL, and only the first page that needs each one downloads it."""
    downloads = {"plotly.min.js": [], "MathJax_Main-Regular.woff": []}
    smallest = {"plotly.min.js": 1_000_000, "MathJax_Main-Regular.woff": 10_000}
    for name, report in page_reports.items():
        for path, transferred, size in report["shared_assets"]:
            asset = next(a for a in downloads if a in path)
            assert path.startswith("/_static/") and "?v=" in path, path
            assert size > smallest[asset], (name, path, size)
            if (
                transferred > size / 2
            ):  # the body came over the network (a 304 revalidation does not count)
                downloads[asset].append(name)
    assert all(downloads.values()), f"an asset was not loaded at all: {downloads}"
    assert all(len(pages) == 1 for pages in downloads.values()), (
        f"downloaded more than once: {downloads}"
    )


def test_screenshots_saved(page_reports):
    for name, report in page_reports.items():
        assert (
            report["screenshot"].is_file()
            and report["screenshot"].stat().st_size > 1000
        ), name


def test_launch_buttons_on_notebook_pages(page_reports, repo_root):
    """Binder and Live Code (Thebe) buttons with this repository's URLs; not clicked (they need the internet)."""
    config = yaml.safe_load((repo_root / "_config.yml").read_text())
    repo = config["repository"]["url"].removeprefix("https://github.com/").rstrip("/")
    branch = config["repository"].get("branch", "main")
    binderhub = config["launch_buttons"]["binderhub_url"].rstrip("/")
    interface = (
        "lab/tree"
        if config["launch_buttons"].get("notebook_interface") == "jupyterlab"
        else "tree"
    )
    notebook_pages = [
        n for n in page_reports if (repo_root / n).with_suffix(".ipynb").is_file()
    ]
    assert "book/intro.html" in notebook_pages
    for name in notebook_pages:
        report = page_reports[name]
        notebook = Path(name).with_suffix(".ipynb").as_posix()
        expected = f"{binderhub}/v2/gh/{repo}/{branch}?urlpath={interface}/{notebook}"
        assert expected in report["binder_links"], (
            f"{name}: Binder links {report['binder_links']}, expected {expected}"
        )
        assert report["thebe_buttons"] == ["Live Code"], (
            f"{name}: {report['thebe_buttons']}"
        )


# --------------------------------------------------------------------------
# The chapter figures in a page of their own
# --------------------------------------------------------------------------


# Where each interactive figure is: once, in the chapter that computes what it shows
# (the intro and chapters 1 and 5 link to chapter 3's explorer).
FIGURE_PAGES = {
    "activation-explorer": {"book/ch3_relu_dead_neurons.html"},
    "depth-slider": {"book/ch2_vanishing_gradients.html"},
    "dead-neuron-grid": {"book/ch3_relu_dead_neurons.html"},
    "softmax-temperature": {"book/ch6_softmax.html"},
}


def test_each_interactive_figure_is_on_its_pages_and_was_dragged_there(page_reports):
    for kind, pages in FIGURE_PAGES.items():
        for name in pages:
            report = page_reports[name]
            shown = [f for f in report["figures"] if kind_of(f["id"]) == kind]
            assert shown and all(f["sliders"] for f in shown), (
                f"{name}: no {kind} with a slider"
            )
            dragged = {kind_of(r["div_id"]) for r in report["sliders_dragged"]}
            assert kind in dragged, f"{name}: the {kind} slider was not dragged"


# --------------------------------------------------------------------------
# The plotly toolbar: no button reaches another host
# --------------------------------------------------------------------------

#: At most this many toolbar buttons (tab stops) per figure (figures._plotly.PLOTLY_CONFIG).
MAX_TOOLBAR_BUTTONS = 4


def test_no_toolbar_button_leaves_the_site(browser_page, site_url):
    """Every toolbar button of a figure is clicked: no request leaves 127.0.0.1, no
    window opens, and there is no "share"/Chart Studio button or plotly logo link."""
    page = browser_page
    popups = []
    page.context.on("page", lambda popup: popups.append(popup))
    page.goto(f"{site_url}/book/ch2_vanishing_gradients.html", wait_until="load")
    page.evaluate(WAIT_FOR_RENDERING, 60_000)
    for div_id in page.evaluate(
        "() => [...document.querySelectorAll('.plotly-graph-div')].map((d) => d.id)"
    ):
        figure = page.locator(f"#{div_id}")
        buttons = figure.locator(".modebar-btn")
        assert 0 < buttons.count() <= MAX_TOOLBAR_BUTTONS, (
            f"#{div_id}: {buttons.count()} toolbar buttons"
        )
        assert not figure.locator(
            '[data-attr="sendDataToCloud"], .modebar-btn--logo, a[href*="plotly"]'
        ).count()
        for n in range(buttons.count()):
            figure.scroll_into_view_if_needed()
            figure.hover()
            buttons.nth(n).click()
            page.wait_for_timeout(300)
    page.wait_for_timeout(1000)
    assert not page.external_requests, page.external_requests
    assert not popups, [p.url for p in popups]
    assert not page.js_errors, page.js_errors


# --------------------------------------------------------------------------
# Loaded when needed: plotly.js when a figure comes into view, MathJax lazily
# --------------------------------------------------------------------------

#: Chapter 6's figure is far below the first screen.
