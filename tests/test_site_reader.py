"""Issue 16's "done when", page by page, at a phone width and a desktop width.

Every built page (redirects aside) is loaded once, at the phone width, then seen
at the desktop width by resizing the window (tests/conftest.py's server and
Chromium, one browser context), and a reader's checks are run at both widths:

- the chapter list and the page's contents can be reached: at 390 px the menu and
  "Contents" buttons open their drawers (with links); at 1280 px both are on screen;
- no element leaves the viewport unscrollable: nothing reaches past the right edge
  of the window unless it is inside a container that scrolls sideways (or clips);
- every keyboard slider control moves its figure (End, then Home);
- no raw Markdown table text (``| --- |``) is visible, and no raw TeX in a quiz;
- no visible code line is a bare ``glue``/``assert``/``# NBVAL`` line (test
  plumbing is hidden on the site: cells tagged ``remove-cell``);
- no request leaves 127.0.0.1, also after every plotly toolbar button is clicked
  (at 1280 px, where the toolbar shows).

The same visit first runs axe-core (installed by :func:`axe_script`; the call is
``tests/js/run_axe.js``) at each width before anything is clicked; its results
tests/test_accessibility.py checks: each page is loaded once for both modules and
both widths (:func:`site_visits`).  A screenshot of the top of every page at both
widths goes to ``_build/screenshots/<width>/``: look at them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import WAIT_FOR_RENDERING

WIDTHS = (390, 1280)
JS_DIR = Path(__file__).resolve().parent / "js"
AXE = JS_DIR / "node_modules" / "axe-core" / "axe.min.js"

#: axe.run over the whole page; its options are explained in the file.
RUN_AXE = (JS_DIR / "run_axe.js").read_text(encoding="utf-8")

# After a resize: the layout has settled and every drawn plotly figure (responsive:
# it redraws on the window's resize event) has taken its container's new width.
WAIT_FOR_RESIZE = """async (timeoutMs) => {
  const deadline = Date.now() + timeoutMs;
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  await frame();
  await frame();
  const fitted = () => [...document.querySelectorAll('.plotly-graph-div')].every((div) =>
      !div._fullLayout || !div._fullLayout.autosize || div.clientWidth === 0
      || Math.abs(div._fullLayout.width - div.clientWidth) <= 1);
  while (!fitted() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await frame();
}"""


def _skip_or_fail(message: str) -> None:
    message = f"ACCESSIBILITY TESTS NOT RUN: {message}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set: this is an error)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """``axe.min.js``, installed from ``tests/js/package-lock.json`` on first use."""
    if not AXE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            _skip_or_fail("npm not found (apt-get install npm) to install axe-core")
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0 or not AXE.is_file():
            _skip_or_fail(
                f"`npm ci` in {JS_DIR} failed:\n{result.stdout}\n{result.stderr}"
            )
    return AXE


# Elements that reach past the right edge of the window with no ancestor that
# scrolls or clips sideways (what a reader cannot reach on a phone).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const contained = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!el.checkVisibility || !el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1) continue;
    if (el.closest('.bd-sidebar-primary, .bd-sidebar-secondary, dialog')) continue;
    if (contained(el)) continue;
    out.push(`${el.tagName.toLowerCase()}.${[...el.classList].join('.')} right=${Math.round(box.right)}`);
    if (out.length >= 5) break;
  }
  return {page_width: document.documentElement.scrollWidth, window: width, offenders: out};
}"""

# Visible text a reader should never see.
LEFTOVERS = r"""() => {
  const visible = (el) => el.checkVisibility && el.checkVisibility();
  const article = document.querySelector('.bd-article') || document.body;
  const pipes = (article.innerText.match(/^.*\|\s*:?-{3,}:?\s*\|.*$/gm) || []).slice(0, 3);
  const plumbing = [];
  for (const pre of article.querySelectorAll('.cell_input pre')) {
    if (!visible(pre)) continue;
    for (const line of pre.innerText.split('\n')) {
      if (/^\s*(glue(_numbers?)?\(|assert\b|#\s*NBVAL)/.test(line)) plumbing.push(line.trim().slice(0, 90));
    }
  }
  const tex = [...article.querySelectorAll('.sigmoidbook-quiz legend, .sigmoidbook-quiz label')]
      .map((el) => el.innerText).filter((text) => /\\\(|\\\[|\$/.test(text)).slice(0, 3);
  return {pipes: pipes, plumbing: plumbing, quiz_tex: tex};
}"""

SLIDER_CONTROLS = """() => [...document.querySelectorAll('.sigmoidbook-slider-keys input[type=range]')]
    .map((input) => input.id)"""


def _drawers_open(page, width: int) -> list[str]:
    """Problems reaching the chapter list and the page's contents."""
    problems = []
    if width >= 1200:
        if page.locator("#pst-primary-sidebar a:visible").count() < 2:
            problems.append("the chapter list is not on screen")
        has_toc = page.locator(".bd-sidebar-secondary .page-toc a").count() > 0
        if has_toc and page.locator(".bd-sidebar-secondary a:visible").count() < 1:
            problems.append("the page's contents are not on screen")
        return problems
    drawers = {
        "primary-toggle": "#pst-primary-sidebar-modal",
        "secondary-toggle": "#pst-secondary-sidebar-modal",
    }
    for button, drawer in drawers.items():
        visible = page.locator(f"button.{button}:visible")
        if visible.count() == 0:
            if button == "secondary-toggle" and not page.locator(".page-toc a").count():
                continue  # a page without sections has no contents to open
            problems.append(f"no visible {button}")
            continue
        visible.first.click()
        try:
            page.wait_for_function(
                "(sel) => document.querySelector(sel).open", arg=drawer, timeout=10_000
            )
        except Exception:
            problems.append(f"{button} did not open {drawer}")
            continue
        if page.locator(f"{drawer} a:visible").count() < 1:
            problems.append(f"{drawer} opened with no links")
        page.keyboard.press("Escape")
        page.wait_for_function(
            "(sel) => !document.querySelector(sel).open", arg=drawer, timeout=10_000
        )
    return problems


def _sliders_move(page) -> list[str]:
    problems = []
    for control_id in page.evaluate(SLIDER_CONTROLS):
        div_id, index = control_id.rsplit("-keys-", 1)
        control = page.locator(f"#{control_id}")
        control.scroll_into_view_if_needed()
        steps = int(control.get_attribute("max"))
        control.focus()
        for key, expected in (("End", steps), ("Home", 0)):
            page.keyboard.press(key)
            try:
                page.wait_for_function(
                    "([id, i, k]) => document.getElementById(id)._fullLayout.sliders[i].active === k",
                    arg=[div_id, int(index), expected],
                    timeout=20_000,
                )
            except Exception:
                problems.append(f"#{control_id}: {key} did not move the figure")
    return problems


def _click_toolbars(page) -> int:
    clicked = 0
    for div_id in page.evaluate(
        "() => [...document.querySelectorAll('.plotly-graph-div')].map((d) => d.id)"
    ):
        figure = page.locator(f"#{div_id}")
        buttons = figure.locator(".modebar-btn")
        for n in range(buttons.count()):
            figure.scroll_into_view_if_needed()
            figure.hover()
            buttons.nth(n).click()
            page.wait_for_timeout(200)
            clicked += 1
    if clicked:
        page.wait_for_timeout(500)  # for any request the last clicks start
    return clicked


#: ``{html_dir: {(page, width): report}}``: one visit per page, at both widths,
#: shared by this module and tests/test_accessibility.py (same session, same build).
_VISITS: dict[str, dict] = {}


def site_visits(
    built_site, built_pages, site_url, open_browser_context, open_site_page, axe_script
) -> dict:
    """``{(page, width): what was seen}`` for every page that is not a redirect."""
    html_dir = built_site[0]
    if str(html_dir) in _VISITS:
        return _VISITS[str(html_dir)]
    reports = {}
    context = open_browser_context()
    for name in built_pages:
        head = (html_dir / name).read_text(errors="replace")[:3000].lower()
        if 'http-equiv="refresh"' in head:
            continue  # the root page: checked by tests/test_site_build.py
        page = open_site_page(context)
        try:
            for width, report in _visit(
                page, f"{site_url}/{name}", html_dir, name, axe_script
            ).items():
                reports[(name, width)] = report
        except Exception as error:
            raise RuntimeError(f"while checking {name}: {error}") from error
        finally:
            page.close()
    context.close()
    _VISITS.clear()
    _VISITS[str(html_dir)] = reports
    return reports


@pytest.fixture(scope="module")
def reader_reports(
    built_site, built_pages, site_url, open_browser_context, open_site_page, axe_script
):
    return site_visits(
        built_site,
        built_pages,
        site_url,
        open_browser_context,
        open_site_page,
        axe_script,
    )


def _resize(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate(WAIT_FOR_RESIZE, 10_000)
    page.evaluate(WAIT_FOR_RENDERING, 60_000)


def _look(page, width: int, html_dir: Path, name: str) -> dict:
    """What the page shows at ``width`` before anything is clicked: axe, layout, text."""
    violations = page.evaluate(RUN_AXE)
    shot = html_dir.parent / "screenshots" / str(width) / Path(name).with_suffix(".png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    return {
        "axe": violations,
        "overflow": page.evaluate(OVERFLOW),
        **page.evaluate(LEFTOVERS),
    }


def _use(page, width: int) -> dict:
    """The controls at ``width``: sliders, drawers, (desktop) every toolbar button."""
    return {
        "sliders": _sliders_move(page),
        "drawers": _drawers_open(page, width),
        "toolbar_buttons": _click_toolbars(page) if width >= 1200 else 0,
    }


def _visit(page, url: str, html_dir: Path, name: str, axe: Path) -> dict:
    """``{width: report}`` from ONE load of the page, at the first width.

    Every width is first only looked at (:func:`_look`: axe sees each width as
    loaded, before anything is clicked), resizing the window in between; then the
    controls are used at each width, the last one first.  The problems the page
    records (requests, errors, pop-ups) go to the width on screen when they came,
    the loading to the first width.
    """
    popups = []
    page.on("popup", lambda popup: popups.append(popup.url))
    records = {"external_requests": page.external_requests, "js_errors": page.js_errors}
    records["popups"] = popups
    seen = dict.fromkeys(records, 0)
    reports = {width: {key: [] for key in records} for width in WIDTHS}

    def note(width: int) -> None:  # what came since the last note, to ``width``
        for key, found in records.items():
            reports[width][key] += found[seen[key] :]
            seen[key] = len(found)

    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(url, wait_until="load")
    page.evaluate(WAIT_FOR_RENDERING, 60_000)
    page.add_script_tag(path=str(axe))
    for n, width in enumerate(WIDTHS):
        if n:
            _resize(page, width)
        reports[width].update(_look(page, width, html_dir, name))
        note(width)
    for n, width in enumerate(reversed(WIDTHS)):
        if n:
            _resize(page, width)
        reports[width].update(_use(page, width))
        note(width)
    return reports


def _failing(reports, check) -> dict[str, object]:
    return {
        f"{name} @ {width}px": found
        for (name, width), report in sorted(reports.items())
        if (found := check(report))
    }


def test_every_page_was_read_at_both_widths(reader_reports):
    names = {name for name, _ in reader_reports}
    assert {"book/intro.html", "book/bibliography.html", "search.html"} <= names
    assert {w for _, w in reader_reports} == set(WIDTHS)


def test_chapter_list_and_contents_open(reader_reports):
    assert not _failing(reader_reports, lambda r: r["drawers"])


def test_nothing_leaves_the_viewport_unscrollable(reader_reports):
    failing = _failing(
        reader_reports,
        lambda r: (
            r["overflow"]["offenders"]
            or r["overflow"]["page_width"] > r["overflow"]["window"]
        ),
    )
    assert not failing, failing


def test_every_slider_moves_by_keyboard(reader_reports):
    assert not _failing(reader_reports, lambda r: r["sliders"])


def test_no_raw_markdown_tables(reader_reports):
    assert not _failing(reader_reports, lambda r: r["pipes"])


def test_quiz_math_is_typeset(reader_reports):
    """Quiz questions and answers show no raw TeX: MathJax typesets their $…$."""
    assert not _failing(reader_reports, lambda r: r["quiz_tex"])


def test_no_visible_test_plumbing(reader_reports):
    """No visible code line is a bare glue/assert/NBVAL line (hide such cells: remove-cell)."""
    failing = _failing(reader_reports, lambda r: r["plumbing"][:5])
    assert not failing, "\n".join(f"{k}: {v}" for k, v in failing.items())


def test_no_request_leaves_the_site_after_clicking_every_toolbar_button(
    reader_reports,
):
    clicked = sum(r["toolbar_buttons"] for r in reader_reports.values())
    assert clicked >= 12, f"only {clicked} toolbar buttons found to click"
    assert not _failing(reader_reports, lambda r: r["external_requests"])
    assert not _failing(reader_reports, lambda r: r["popups"])
    assert not _failing(reader_reports, lambda r: r["js_errors"])
