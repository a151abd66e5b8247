"""The website in a real browser, offline: Debian's Chromium driven by Playwright.

Every page of the build (found in ``_build/html``, so new chapters are covered
without editing this file) is opened once from a local server and checked: no
JavaScript errors, no failed requests and none to another host, all math
typeset by the site's own MathJax, every plotly figure drawn (and plotly.js
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

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from sigmoidbook.report import minus

MAX_PAGE_BYTES = 1_000_000
REDIRECT = re.compile(
    r'<meta http-equiv="refresh" content="0; url=([^"]+)"', re.IGNORECASE
)

# Runs in the page once it has loaded: waits for MathJax's first typeset and
# for every plotly figure to be drawn (or for the time limit).
WAIT_FOR_RENDERING = """async (timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  if (document.querySelector('.math')) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() < deadline) await sleep(100);
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  }
  const drawn = () => [...document.querySelectorAll('.plotly-graph-div')]
      .every((div) => div._fullLayout && div.querySelector('.main-svg'));
  while (!drawn() && Date.now() < deadline) await sleep(100);
}"""

INSPECT_PAGE = """() => {
  const maths = [...document.querySelectorAll('.math')];
  return {
    math_elements: maths.length,
    math_untypeset: maths.filter((m) => !m.querySelector('mjx-container')).map((m) => m.textContent.slice(0, 80)),
    math_errors: document.querySelectorAll('mjx-merror').length,
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


# plotly.js and MathJax as the page loaded them: [path, bytes over the network, bytes used].
SHARED_ASSETS = """() => performance.getEntriesByType('resource')
    .filter((r) => /plotly\\.min\\.js|mathjax\\/tex-chtml\\.js/.test(r.name))
    .map((r) => [new URL(r.name).pathname + new URL(r.name).search, r.transferSize, r.decodedBodySize])"""


def screenshot_dir(html_dir: Path) -> Path:
    """``_build/screenshots/``, next to the built site ``_build/html/``."""
    return html_dir.parent / "screenshots"


# --------------------------------------------------------------------------
# Driving a slider
# --------------------------------------------------------------------------


def shown_title(page, div_id: str) -> str:
    """The figure title as displayed (SVG text; a <br> starts a new line, no character)."""
    return page.locator(f"#{div_id} .gtitle").text_content()


def shown_current_value(page, div_id: str) -> str:
    """The slider's "current value" text above the rail."""
    return page.locator(
        f"#{div_id} .slider-group > text.slider-label"
    ).first.text_content()


def table_columns(page, div_id: str) -> dict[str, list[str]]:
    """The plotly table as displayed: {column header: [cell text, ...]} (empty if no table)."""
    # Plotly reuses the cells' DOM nodes when the table changes: order them by position on screen.
    columns = page.evaluate(
        """(id) => [...document.querySelectorAll('#' + id + ' .table .y-column')].map(
               (column) => [...column.querySelectorAll('.cell-text')]
                   .map((t) => [t.getBoundingClientRect().top, t.textContent])
                   .sort((a, b) => a[0] - b[0])
                   .map((pair) => pair[1]))""",
        div_id,
    )
    return {column[0]: column[1:] for column in columns if column}  # header on top


def drag_slider(page, div_id: str, index: int, attempts: int = 3) -> None:
    """Drag the slider's grip with the mouse onto step ``index``.

    Positions are measured just before the drag; if the page moved meanwhile
    (late layout on a busy machine) and the slider did not land on the step,
    the drag is repeated.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    figure = page.locator(f"#{div_id}")
    for _ in range(attempts):
        figure.scroll_into_view_if_needed()
        grip = figure.locator(".slider-grip-rect").bounding_box()
        tick = figure.locator(".slider-tick-rect").nth(index).bounding_box()
        assert grip and tick, f"{div_id}: slider not on screen"
        x0, y0 = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
        page.mouse.move(x0, y0)
        page.mouse.down()
        # Few intermediate positions: each step the grip passes re-draws the figure.
        page.mouse.move(tick["x"] + tick["width"] / 2, y0, steps=3)
        page.mouse.up()
        try:
            page.wait_for_function(
                "([id, index]) => document.getElementById(id)._fullLayout.sliders[0].active === index",
                arg=[div_id, index],
                timeout=20_000,
            )
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError(
        f"#{div_id}: the slider did not reach step {index} in {attempts} drags"
    )


def exercise_sliders(page, figures: list[dict]) -> list[dict]:
    """Drag every slider of the page to the steps the checks below single out
    (or its first and middle step) and to its last step; record what is shown."""
    records = []
    for figure in figures:
        if not figure["sliders"]:
            continue
        div_id = figure["id"]
        steps = page.evaluate(
            """(id) => document.getElementById(id).layout.sliders[0].steps.map(
                   (s) => ({label: s.label, title: s.args[1]['title.text']}))""",
            div_id,
        )
        labels = [s["label"] for s in steps]
        special = [
            labels.index(v)
            for v in SPECIAL_STEPS.get(kind_of(div_id), ())
            if v in labels
        ]
        for index in [*(special or [0, len(steps) // 2]), len(steps) - 1]:
            drag_slider(page, div_id, index)
            records.append(
                {
                    "div_id": div_id,
                    "index": index,
                    "label": labels[index],
                    "step_title": steps[index]["title"].replace("<br>", ""),
                    "title": shown_title(page, div_id),
                    "current_value": shown_current_value(page, div_id),
                    "table": table_columns(page, div_id),
                    "alive_cells": page.evaluate(
                        "(id) => { const d = document.getElementById(id).data[0];"
                        " return d.type === 'heatmap' ? d.z.flat().reduce((a, b) => a + b, 0) : null; }",
                        div_id,
                    ),
                }
            )
    return records


# --------------------------------------------------------------------------
# What each figure must show: computed here
# --------------------------------------------------------------------------

#: Step labels (as displayed) that are always dragged to, per figure kind.
SPECIAL_STEPS = {
    "activation-explorer": ("3.00", "0.00", "−2.50"),
    "depth-slider": ("12", "64", "75"),
    "dead-neuron-grid": ("−0.14", "−3.00"),
}


def kind_of(div_id: str) -> str | None:
    match = re.match(
        r"sigmoidbook-(activation-explorer|depth-slider|dead-neuron-grid)", div_id
    )
    return match.group(1) if match else None


#: The explorer's activations by displayed name, written out here independently of
#: chapter 3 (which passes its own table to the figure).
EXPLORER_FUNCTIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "ReLU": torch.relu,
    "Leaky ReLU (0.1)": lambda t: torch.nn.functional.leaky_relu(t, 0.1),
    "GELU": torch.nn.functional.gelu,
    "SiLU": torch.nn.functional.silu,
}


def value_and_slope(function, x: float) -> tuple[float, float]:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = function(t)
    y.backward()
    return float(y), float(t.grad)


def check_explorer(record: dict) -> None:
    x = float(record["label"].replace("−", "-"))
    assert record["current_value"] == f"x = {record['label']}"
    sigma = 1 / (1 + math.exp(-x))  # closed form, not the figure's code
    assert record["title"] == minus(
        f"x = {x:.2f}: σ(x) = {sigma:.4f}, σ′(x) = {sigma * (1 - sigma):.4f}"
    )
    table = record["table"]
    assert table["activation"] == list(EXPLORER_FUNCTIONS)
    for row, (name, function) in enumerate(EXPLORER_FUNCTIONS.items()):
        value, slope = value_and_slope(function, x)
        assert table["f(x)"][row] == minus(f"{value:.4f}"), (name, x)
        assert table["f′(x)"][row].removesuffix(" *") == minus(f"{slope:.4f}"), (
            name,
            x,
        )
        kinked = x == 0 and name in ("ReLU", "Leaky ReLU (0.1)")
        assert table["f′(x)"][row].endswith(" *") == kinked, (name, x)
    if x == 3.0:
        assert record["title"] == "x = 3.00: σ(x) = 0.9526, σ′(x) = 0.0452"


def check_depth(record: dict) -> None:
    depth = int(record["label"])
    assert record["current_value"] == f"depth L = {depth}"
    title = record["title"]
    assert f"(1/4)^{depth} = " + minus(f"{0.25**depth:.3e}") in title, title
    product = np.float32(1)
    with np.errstate(under="ignore"):
        for _ in range(depth):  # one float32 rounding per layer, as in a backward pass
            product = np.float32(product * np.float32(0.25))
    tiny = np.finfo(np.float32).smallest_normal
    if product == 0:
        assert "float32 product: 0 (underflow)" in title, title
    else:
        assert "float32 product: " + minus(f"{float(product):.3e}") in title, title
    assert ("subnormal" in title) == bool(0 < product < tiny), title
    assert ("1 + g rounds to 1" in title) == bool(
        np.float32(1) + product == np.float32(1) and product >= tiny
    ), title
    landmark = {12: "1 + g rounds to 1", 64: "subnormal", 75: "underflow"}.get(depth)
    if landmark:
        assert landmark in title, title


def exercise_relu_alive(bias: float) -> int:
    """Chapter 3's dead-neuron exercise at hidden bias ``bias``, recomputed here: 784
    inputs of standard deviation 0.1, PyTorch's default init (seed 0), 128 units, a
    batch of 64 (generator seed 1); a ReLU unit is alive if it fires on some example."""
    torch.manual_seed(0)
    weight = torch.nn.Linear(784, 128).weight.detach().double()
    generator = torch.Generator().manual_seed(1)
    inputs = (0.1 * torch.randn(64, 784, generator=generator)).double()
    return int(((inputs @ weight.T + bias) > 0).any(dim=0).sum())


def check_dead(record: dict) -> None:
    bias = float(record["label"].replace("−", "-"))
    assert record["current_value"] == f"hidden bias b = {record['label']}"
    relu = exercise_relu_alive(bias)
    expected = minus(
        f"b = {bias:.2f}: ReLU {relu}/128 units alive · "
        f"Leaky ReLU (0.1) 128/128 alive, {relu} active"
    )
    assert record["title"] == expected, record["title"]
    assert record["alive_cells"] == relu, (
        "coloured ReLU cells must match the count in the title"
    )


CHECKS = {
    "activation-explorer": check_explorer,
    "depth-slider": check_depth,
    "dead-neuron-grid": check_dead,
}


def check_slider_records(where: str, records: list[dict]) -> None:
    for record in records:
        context = (
            f"{where} #{record['div_id']} step {record['index']} ({record['label']})"
        )
        assert record["title"] == record["step_title"], context
        check = CHECKS.get(kind_of(record["div_id"]))
        if check:
            try:
                check(record)
            except AssertionError as error:
                raise AssertionError(f"{context}: {error}") from error


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
    # Evidence of this build only.
    shutil.rmtree(screenshot_dir(html_dir), ignore_errors=True)
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


def test_math_is_typeset_by_the_local_mathjax(page_reports):
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


def test_every_plotly_figure_renders_and_plotly_js_loads_only_where_needed(
    page_reports,
):
    assert page_reports["book/intro.html"]["figures"], (
        "the intro should show the activation explorer"
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
    intro = page_reports["book/intro.html"]["sliders_dragged"]
    assert any(
        r["title"] == "x = 3.00: σ(x) = 0.9526, σ′(x) = 0.0452" for r in intro
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
    assert (html_dir / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_shared_assets_are_downloaded_once_then_cached(page_reports):
    """plotly.js and MathJax come from the site, with a version in the URL, and
    only the first page that needs each one downloads it."""
    downloads = {"plotly.min.js": [], "tex-chtml.js": []}
    for name, report in page_reports.items():
        for path, transferred, size in report["shared_assets"]:
            asset = "plotly.min.js" if "plotly.min.js" in path else "tex-chtml.js"
            assert path.startswith("/_static/") and "?v=" in path, path
            assert size > 100_000, (name, path, size)
            if (
                transferred > size / 2
            ):  # the body came over the network (a 304 revalidation does not count)
                downloads[asset].append(name)
    assert downloads["plotly.min.js"] and downloads["tex-chtml.js"], (
        "neither asset was loaded at all?"
    )
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
