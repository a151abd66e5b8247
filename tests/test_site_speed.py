"""What the lighter pages load late, in a real browser (issue 16's speed work).

plotly.js is fetched only when a figure comes near the viewport
(``book/_ext/plotly_figures.js``), printing first shows each undrawn figure's data
table and then draws it, the math arrives typeset in the page's HTML (no MathJax
runs in the browser, ``book/_ext/static_math.py``), sections far down the page are
drawn only when they come near (``content-visibility``, ``book/_static/sigmoidbook.css``)
yet links to them land on them, and the theme's icons, drawn by
``book/_static/icons.css`` instead of fontawesome.js, show on every visible button,
each with a name.  ``make lighthouse`` measures what this saves (not a test).
Fixtures ``built_site``, ``site_url`` and ``browser_page`` are in ``tests/conftest.py``.
"""

from __future__ import annotations

import pytest

LAZY_FIGURE_PAGE = "book/ch6_softmax.html"

FIGURE_STATE = """() => ({
  plotly: typeof window.Plotly !== 'undefined',
  plotly_requested: performance.getEntriesByType('resource').some((r) => /plotly\\.min\\.js/.test(r.name)),
  drawn: [...document.querySelectorAll('.plotly-graph-div')].filter((d) => d._fullLayout && d.querySelector('.main-svg')).length,
  figures: document.querySelectorAll('.plotly-graph-div').length,
  print_tables: [...document.querySelectorAll('.sigmoidbook-print-table details.sigmoidbook-data')].filter((d) => d.open).length,
  hook: typeof window.sigmoidbookDrawAllFigures === 'function',
})"""


def _load_settled(page, url: str) -> None:
    page.goto(url, wait_until="load")
    page.evaluate("() => document.fonts.ready")
    page.wait_for_timeout(1500)


def test_plotly_js_loads_only_when_a_figure_comes_into_view(browser_page, site_url):
    """plotly_figures.js: a reader who has not scrolled to a figure has not
    downloaded plotly.js (4.8 MB); scrolling to it draws it."""
    page = browser_page
    _load_settled(page, f"{site_url}/{LAZY_FIGURE_PAGE}")
    state = page.evaluate(FIGURE_STATE)
    assert state["figures"] and state["hook"], state
    assert not state["plotly"] and not state["plotly_requested"], state
    page.locator(".plotly-graph-div").first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.plotly-graph-div')]"
        ".every((d) => d._fullLayout && d.querySelector('.main-svg'))",
        timeout=60_000,
    )
    assert page.locator(".sigmoidbook-slider-keys input[type=range]").count() >= 1
    assert not page.js_errors and not page.external_requests, (
        page.js_errors,
        page.external_requests,
    )


def test_printing_draws_the_figures_and_meanwhile_prints_their_tables(
    browser_page, site_url
):
    """Before printing, a figure not drawn yet shows its data table (plotly.js
    cannot load inside the print event) and every figure starts drawing;
    ``sigmoidbookDrawAllFigures()`` resolves once all are drawn (the PDF)."""
    page = browser_page
    _load_settled(page, f"{site_url}/{LAZY_FIGURE_PAGE}")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    state = page.evaluate(FIGURE_STATE)
    assert state["print_tables"] == state["figures"] > 0, state
    page.emulate_media(media="print")
    table = page.locator(".sigmoidbook-print-table details.sigmoidbook-data").first
    assert table.is_visible()
    page.emulate_media(media="screen")
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    page.evaluate("() => window.sigmoidbookDrawAllFigures()")
    state = page.evaluate(FIGURE_STATE)
    assert state["drawn"] == state["figures"] and state["print_tables"] == 0, state
    assert not page.js_errors, page.js_errors


MATH_STATE = """() => ({
  mathjax: typeof window.MathJax !== 'undefined',
  mathjax_requests: performance.getEntriesByType('resource')
      .filter((r) => /mathjax\\/.*\\.js/.test(r.name)).map((r) => r.name),
  math: document.querySelectorAll('.math').length,
  typeset: document.querySelectorAll('.math > mjx-container > mjx-math[aria-hidden="true"]').length,
  mathml: document.querySelectorAll('.math > mjx-container > mjx-assistive-mml > math').length,
  errors: document.querySelectorAll('mjx-merror').length,
  fonts: [...document.fonts].filter((f) => f.family.startsWith('MJXTEX') && f.status === 'loaded').length,
  hidden_mathml: [...document.querySelectorAll('mjx-assistive-mml')].slice(0, 50)
      .every((m) => { const c = getComputedStyle(m); return c.position === 'absolute' && c.clip === 'rect(1px, 1px, 1px, 1px)'; }),
})"""


def test_math_arrives_typeset_with_mathml_for_screen_readers(browser_page, site_url):
    """static_math: every formula is in the page's HTML typeset (MathJax's CHTML,
    its glyphs hidden from screen readers) with a MathML copy that is read aloud but
    not drawn; no MathJax script is loaded or run; MathJax's fonts come from the site."""
    page = browser_page
    _load_settled(page, f"{site_url}/book/ch2_vanishing_gradients.html")
    state = page.evaluate(MATH_STATE)
    assert not state["mathjax"] and not state["mathjax_requests"], state
    assert (
        state["math"] > 100 and state["typeset"] == state["mathml"] == state["math"]
    ), state
    assert state["errors"] == 0 and state["hidden_mathml"], state
    assert state["fonts"] >= 2, state
    assert not page.js_errors and not page.external_requests, page.js_errors


SECTIONS = """() => [...document.querySelectorAll('.bd-article > section > section')].map((s) => ({
  id: s.id,
  drawn: s.firstElementChild.checkVisibility({contentVisibilityAuto: true}),
  style: getComputedStyle(s).contentVisibility,
  top: s.getBoundingClientRect().top,
}))"""


def test_far_sections_are_drawn_when_they_come_near_and_links_land_on_them(
    browser_page, site_url
):
    """sigmoidbook.css: on screen, a section far below the viewport is not drawn
    yet; following a link to it draws it and puts it at the top; printing draws
    every section (the print rule, tested in test_site_pdf)."""
    page = browser_page
    url = f"{site_url}/book/ch1_sigmoid_derivative.html"
    _load_settled(page, url)
    sections = page.evaluate(SECTIONS)
    assert len(sections) >= 5 and all(s["style"] == "auto" for s in sections), sections
    assert sections[0]["drawn"] and not sections[-1]["drawn"], sections
    target = sections[-2]["id"]
    page.locator(f'#pst-page-toc-nav a[href="#{target}"]').first.click()
    page.wait_for_timeout(1000)
    landed = {s["id"]: s for s in page.evaluate(SECTIONS)}[target]
    assert landed["drawn"] and abs(landed["top"]) < 200, landed
    page.emulate_media(media="print")
    assert page.evaluate(
        "() => [...document.querySelectorAll('.bd-article > section > section')]"
        ".every((s) => getComputedStyle(s).contentVisibility === 'visible')"
    )
    page.emulate_media(media="screen")
    assert not page.js_errors, page.js_errors


# --------------------------------------------------------------------------
# The theme's icons, drawn by icons.css (no fontawesome.js)
# --------------------------------------------------------------------------

ICONS = """() => [...document.querySelectorAll('i[class*="fa-"], span[class*="fa-"]')]
  .filter((i) => i.getClientRects().length && getComputedStyle(i).display !== 'none')
  .map((i) => {
    const box = i.getBoundingClientRect();
    const style = getComputedStyle(i);
    const control = i.closest('button, a');
    return {
      classes: i.className,
      width: box.width, height: box.height,
      mask: style.webkitMaskImage || style.maskImage,
      color: style.backgroundColor,
      in_control: Boolean(control),
      name: control ? (control.getAttribute('aria-label') || control.getAttribute('title') || control.textContent.trim()) : '',
    };
  })"""


@pytest.mark.parametrize("width", [390, 1280])
def test_every_visible_icon_is_drawn_and_its_button_is_named(
    browser_page, site_url, width
):
    """Every icon on a chapter page is a visible, coloured shape (the SVG mask
    from icons.css), not squeezed, and the button or link it is on has a name."""
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{site_url}/book/ch2_vanishing_gradients.html", wait_until="load")
    icons = page.evaluate(ICONS)
    assert len(icons) >= 4, icons
    for icon in icons:
        assert icon["width"] >= 8 and icon["height"] >= 8, icon
        assert icon["mask"].startswith('url("data:image/svg+xml'), icon
        assert icon["color"] not in ("rgba(0, 0, 0, 0)", "transparent"), icon
        assert icon["name"] or not icon["in_control"], icon
    names = " ".join(i["classes"] for i in icons)
    assert "fa-bars" in names and "fa-magnifying-glass" in names, names
    # The theme switch shows the current mode's icon only, also in dark mode.
    for mode in ("light", "dark", "auto"):
        page.evaluate(f"() => document.documentElement.dataset.mode = '{mode}'")
        shown = page.evaluate(
            "() => [...document.querySelectorAll('.theme-switch-button .theme-switch')]"
            ".filter((i) => i.getBoundingClientRect().width >= 8).map((i) => i.dataset.mode)"
        )
        assert shown and set(shown) == {mode}, (mode, shown)
