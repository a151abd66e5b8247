"""Every page of the website passes axe-core with no critical or serious violation.

axe-core (the accessibility engine of browsers' developer tools) comes from npm,
pinned in ``tests/js/package.json`` / ``package-lock.json``; the first run installs
it with ``npm ci`` (``tests/js/node_modules`` is not committed).  Without npm the
test is skipped loudly, and fails under CI.  Each built page is checked at a phone
width (390 px) and a desktop width (1280 px) from the local server
(``tests/conftest.py``), once it has rendered (math, every plotly figure), with
every rule axe runs by default on the whole page (``tests/js/run_axe.js``), during
the visit of each page that tests/test_site_reader.py also reads.  The violations
found are printed per page and rule, so a failure says what to fix.  Moderate and
minor findings are reported in the output, not failed.
"""

from __future__ import annotations

import pytest
import test_site_reader
from test_site_reader import WIDTHS, site_visits

from conftest import WAIT_FOR_RENDERING

#: The fixture that installs axe-core (npm ci in tests/js), shared with test_site_reader.
axe_script = test_site_reader.axe_script

FAILING_IMPACTS = ("critical", "serious")


@pytest.fixture(scope="session")
def axe_reports(
    built_site, built_pages, site_url, open_browser_context, open_site_page, axe_script
):
    """``{(page, width): [violation, ...]}``, from the visit of each page
    that tests/test_site_reader.py also reads."""
    visits = site_visits(
        built_site,
        built_pages,
        site_url,
        open_browser_context,
        open_site_page,
        axe_script,
    )
    return {key: report["axe"] for key, report in visits.items()}


def _summary(reports, impacts) -> dict[str, list[str]]:
    found = {}
    for (name, width), violations in sorted(reports.items()):
        for v in violations:
            if v["impact"] in impacts:
                found.setdefault(f"{name} @ {width}px", []).append(
                    f"{v['impact']} {v['id']} ×{v['count']} ({v['help']}): {v['nodes']}"
                )
    return found


def test_every_page_was_checked_at_both_widths(axe_reports):
    names = {name for name, _ in axe_reports}
    assert {"book/intro.html", "search.html"} <= names
    assert {width for _, width in axe_reports} == set(WIDTHS)


def test_no_critical_or_serious_axe_violations(axe_reports):
    others = _summary(axe_reports, ("moderate", "minor"))
    for where, lines in others.items():  # reported, not failed
        print(f"axe (moderate/minor) {where}:", *lines, sep="\n  ")
    failing = _summary(axe_reports, FAILING_IMPACTS)
    assert not failing, "axe-core violations:\n" + "\n".join(
        f"{where}:\n  " + "\n  ".join(lines) for where, lines in failing.items()
    )


# --------------------------------------------------------------------------
# Navigation at every width (workaround_theme_header.py) and keyboard sliders
# (book/_ext/plotly_figures.js)
# --------------------------------------------------------------------------

NAV_PAGE = "book/ch1_sigmoid_derivative.html"
DRAWERS = {
    "primary-toggle": "#pst-primary-sidebar-modal",  # the chapter list
    "secondary-toggle": "#pst-secondary-sidebar-modal",  # "Contents" of the page
}


@pytest.mark.parametrize("width", [390, 900])
def test_menu_and_contents_buttons_open_their_drawers(width, browser_page, site_url):
    """The visible menu and "Contents" buttons open their drawer, with links in it."""
    page = browser_page
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{site_url}/{NAV_PAGE}", wait_until="load")
    for button, drawer in DRAWERS.items():
        visible = page.locator(f"button.{button}:visible")
        assert visible.count() == 1, f"{width}px: {visible.count()} visible .{button}"
        visible.click()
        page.wait_for_function(
            "(sel) => document.querySelector(sel).open", arg=drawer, timeout=10_000
        )
        links = page.locator(f"{drawer} a:visible")
        assert links.count() >= 2, f"{width}px: the {button} drawer shows no links"
        page.keyboard.press("Escape")
        page.wait_for_function(
            "(sel) => !document.querySelector(sel).open", arg=drawer, timeout=10_000
        )
    assert not page.js_errors, page.js_errors


def test_no_empty_header_bar_on_desktop(browser_page, site_url):
    """The theme's second header (an empty 64 px bar with a second search box) is gone:
    the article's own header is at the top of the window."""
    page = browser_page
    page.goto(f"{site_url}/{NAV_PAGE}", wait_until="load")
    assert page.locator("#pst-header:visible").count() == 0
    top = page.locator(".bd-header-article").bounding_box()
    assert top and top["y"] < 5, f"the article header starts at y = {top}"
    search = page.locator("button.search-button:visible, .search-button-field:visible")
    assert search.count() == 1, f"{search.count()} search boxes"


#: A page that shows each slider figure (the chapter that computes it).
SLIDER_PAGES = {
    "sigmoidbook-depth-slider": "book/ch2_vanishing_gradients.html",
    "sigmoidbook-dead-neuron-grid": "book/ch3_relu_dead_neurons.html",
    "sigmoidbook-activation-explorer": "book/ch3_relu_dead_neurons.html",
}


@pytest.fixture(scope="module")
def slider_page(open_site_page, site_url):
    """``slider_page(name)``: the page ``name`` loaded and rendered, once per module
    (each page's sliders are tested in the one load; each test moves its own)."""
    pages = {}

    def open_rendered(name):
        if name not in pages:
            page = open_site_page()
            page.goto(f"{site_url}/{name}", wait_until="load")
            page.evaluate(WAIT_FOR_RENDERING, 60_000)
            pages[name] = page
        return pages[name]

    yield open_rendered
    for page in pages.values():
        page.context.close()


@pytest.mark.parametrize("div_id", sorted(SLIDER_PAGES))
def test_each_slider_moves_by_keyboard(div_id, slider_page):
    """Beside each slider a labelled range input: Tab to it, End / Home / arrow keys
    set the figure's step (title and slider position), announced by its label."""
    page = slider_page(SLIDER_PAGES[div_id])
    control = page.locator(f"#{div_id}-keys-0")
    control.wait_for(state="visible")
    assert page.locator(f'label[for="{div_id}-keys-0"]').inner_text().strip()
    steps = page.evaluate(
        "(id) => document.getElementById(id).layout.sliders[0].steps"
        ".map((s) => [s.label, s.args[1]['title.text']])",
        div_id,
    )
    control.focus()
    for key, index in (("End", len(steps) - 1), ("Home", 0), ("ArrowRight", 1)):
        page.keyboard.press(key)
        page.wait_for_function(
            "([id, k]) => document.getElementById(id)._fullLayout.sliders[0].active === k",
            arg=[div_id, index],
            timeout=20_000,
        )
        title = page.locator(f"#{div_id} .gtitle").text_content()
        assert title == steps[index][1].replace("<br>", ""), (key, title)
        assert control.get_attribute("aria-valuetext") == steps[index][0]
    assert not page.js_errors, page.js_errors


# --------------------------------------------------------------------------
# The quiz renderer (sigmoidbook.quiz_html), without a browser
# --------------------------------------------------------------------------


def test_quiz_html_labels_every_input(quiz_path):
    """Each question is a fieldset with a legend; every radio is inside its label
    (with a spoken name when the answer is math); every number box has a label."""
    import json
    import re

    from sigmoidbook.quiz_html import quiz_html

    questions = json.loads(quiz_path.read_text(encoding="utf-8"))
    text = quiz_html(questions, quiz_id="q")
    assert text.count("<fieldset") == text.count("<legend>") == len(questions)
    radios = re.findall(r'<label class="MCButton"[^>]*><input type="radio"[^>]*>', text)
    assert len(radios) == text.count('type="radio"')
    with_math = [
        a
        for q in questions
        if q["type"] != "numeric"
        for a in q["answers"]
        if "$" in a["answer"]
    ]
    assert sum("aria-label=" in radio for radio in radios) == len(with_math)
    for box in re.findall(r'<input type="text"[^>]*id="([^"]+)"', text):
        assert f'<label for="{box}">' in text, box
    assert "$" not in re.sub(
        r"<script>.*?</script>|data-[a-z]+='[^']*'|data-[a-z]+=\"[^\"]*\"",
        "",
        text,
        flags=re.S,
    )


def test_quiz_html_refuses_bad_input():
    from sigmoidbook.quiz_html import quiz_html

    with pytest.raises(ValueError, match="quiz_id"):
        quiz_html([], quiz_id="1 bad")
    with pytest.raises(ValueError, match="unknown quiz question type"):
        quiz_html([{"question": "?", "type": "essay", "answers": []}], quiz_id="q")
