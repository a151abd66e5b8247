"""Every interactive figure, drawn by a real browser at phone and desktop widths, is legible.

Each figure is built as its chapter builds it (``figure_checks.FIGURES``: the
chapter's functions, small data of the right shape), put in a page of its own with the offline plotly.js of the
installed plotly package and the website's own figure loader
(``book/_ext/plotly_figures.js``), and opened in headless Chromium at 360, 390 and
1280 px.  From the DOM, every text plotly drew — the title, subplot titles and other
annotations, legend entries, axis titles, tick labels, the slider's labels, table
cells — must lie inside the figure's box, and no two of them may overlap.  The
slider is also moved to its first and last steps (the longest titles are there).

Screenshots at 390 and 1280 px are saved under ``_build/screenshots/figures/``:
look at them.  The same figures are dragged on the built site by test_browser.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly
import pytest
from figure_checks import FIGURES, check_slider_records, exercise_sliders

from sigmoidbook.figures._plotly import TITLE_LINE_CHARS, base_layout

REPO = Path(__file__).resolve().parents[1]
WIDTHS = (360, 390, 1280)
SCREENSHOT_WIDTHS = (390, 1280)
#: The website's content column: the theme's side padding on a phone, its width on a desktop.
PAGE_PADDING_PX, COLUMN_MAX_PX = 16, 830
#: Boxes may touch; an overlap of more than this in both directions is a collision.
TOLERANCE_PX = 1.0


# --------------------------------------------------------------------------
# A page of its own, measured in the browser
# --------------------------------------------------------------------------

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script src="plotly.min.js"></script>
<script defer src="plotly_figures.js"></script>
<style>body {{ margin: 0; font-family: sans-serif; }}
main {{ padding: 0 {pad}px; max-width: {column}px; }}</style>
</head><body><main>
{figure}
</main></body></html>
"""

#: Every text plotly drew, with its box; ``kind`` says what it is.
MEASURE = """(id) => {
  const div = document.getElementById(id);
  const box = div.getBoundingClientRect();
  const kinds = [
    ['title', 'text.gtitle'],
    ['annotation', 'text.annotation-text'],
    ['legend', 'text.legendtext'],
    ['axis title', 'g.infolayer text[class$="title"]:not(.gtitle)'],
    ['tick', 'g[class$="tick"] > text'],
    ['slider', 'g.slider-container text'],
    ['table', 'text.cell-text'],
  ];
  const seen = new Set();
  const texts = [];
  for (const [kind, selector] of kinds) {
    for (const el of div.querySelectorAll(selector)) {
      if (seen.has(el)) continue;
      seen.add(el);
      const r = el.getBoundingClientRect();
      const text = el.textContent.replace(/\\u200b/g, '').trim();
      const style = getComputedStyle(el);
      if (!text || r.width === 0 || style.display === 'none' || style.visibility === 'hidden' || style.opacity === '0') continue;
      texts.push({kind, text, left: r.left, right: r.right, top: r.top, bottom: r.bottom});
    }
  }
  return {box: {left: box.left, right: box.right, top: box.top, bottom: box.bottom}, texts};
}"""


def problems(measured: dict) -> list[str]:
    """Texts outside the figure's box, and pairs of texts that overlap."""
    box, texts = measured["box"], measured["texts"]
    found = []
    for t in texts:
        outside = [
            side
            for side, beyond in (
                ("left", t["left"] < box["left"] - TOLERANCE_PX),
                ("right", t["right"] > box["right"] + TOLERANCE_PX),
                ("top", t["top"] < box["top"] - TOLERANCE_PX),
                ("bottom", t["bottom"] > box["bottom"] + TOLERANCE_PX),
            )
            if beyond
        ]
        if outside:
            found.append(
                f"{t['kind']} {t['text']!r} clipped at the {'/'.join(outside)}"
            )
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            width = min(a["right"], b["right"]) - max(a["left"], b["left"])
            height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if width > TOLERANCE_PX and height > TOLERANCE_PX:
                found.append(
                    f"{a['kind']} {a['text']!r} overlaps {b['kind']} {b['text']!r} "
                    f"({width:.0f} × {height:.0f} px)"
                )
    return found


@pytest.fixture(scope="module")
def page_folder(tmp_path_factory) -> Path:
    """A folder with plotly.min.js and the site's figure loader, for the figure pages."""
    folder = tmp_path_factory.mktemp("figure-pages")
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shutil.copy(plotly_js, folder / "plotly.min.js")
    shutil.copy(REPO / "book" / "_ext" / "plotly_figures.js", folder)
    return folder


def figure_page(folder: Path, name: str) -> tuple[Path, str]:
    """The page showing figure ``name`` alone, and the figure's div id."""
    figure = FIGURES[name]()
    path = folder / f"{name}.html"
    if not path.exists():
        html = PAGE.format(
            pad=PAGE_PADDING_PX, column=COLUMN_MAX_PX, figure=figure.to_html()
        )
        path.write_text(html, encoding="utf-8")
    return path, figure.div_id


@pytest.fixture(scope="module")
def screenshot_folder() -> Path:
    folder = REPO / "_build" / "screenshots" / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def set_step(page, div_id: str, index: int) -> None:
    """Apply slider step ``index`` exactly as a drag does (the step's own update)."""
    page.evaluate(
        """([id, k]) => {
             const div = document.getElementById(id);
             const step = div.layout.sliders[0].steps[k];
             const relayout = Object.assign({}, step.args[1], {'sliders[0].active': k});
             return Plotly.update(div, step.args[0], relayout, step.args[2]);
           }""",
        [div_id, index],
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", list(FIGURES))
def test_no_text_is_clipped_or_overlaps(
    name, width, page_folder, chromium_browser, screenshot_folder
):
    path, div_id = figure_page(page_folder, name)
    context = chromium_browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function(
            "(id) => { const d = document.getElementById(id);"
            " return d && d._fullLayout && d.querySelector('.main-svg'); }",
            arg=div_id,
            timeout=60_000,
        )
        n_steps = page.evaluate(
            "(id) => document.getElementById(id).layout.sliders[0].steps.length", div_id
        )
        active = page.evaluate(
            "(id) => document.getElementById(id).layout.sliders[0].active", div_id
        )
        found = []
        for index in (active, 0, n_steps - 1):
            set_step(page, div_id, index)
            measured = page.evaluate(MEASURE, div_id)
            assert measured["texts"], "no text found: did the figure draw?"
            found += [f"step {index}: {p}" for p in problems(measured)]
            if index == active and width in SCREENSHOT_WIDTHS:
                page.locator(f"#{div_id}").screenshot(
                    path=str(screenshot_folder / f"{name}-{width}.png")
                )
        assert not found, f"{name} at {width} px:\n" + "\n".join(dict.fromkeys(found))
    finally:
        context.close()


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_slider_works_on_a_phone(name, page_folder, chromium_browser):
    """Dragged with the mouse at 390 px, every step shows what figure_checks computes
    (the same checks test_browser.py runs on the built site)."""
    path, div_id = figure_page(page_folder, name)
    context = chromium_browser.new_context(viewport={"width": 390, "height": 900})
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_selector(f"#{div_id} .main-svg")
        records = exercise_sliders(page, [{"id": div_id, "sliders": 1}])
        assert len(records) >= 3
        check_slider_records(f"{name} at 390 px", records)
    finally:
        context.close()


def test_the_checks_can_fail():
    """A clipped text and two overlapping ones are reported; touching ones are not."""
    box = {"left": 0, "right": 100, "top": 0, "bottom": 100}

    def text(name, left, right, top, bottom):
        return dict(
            kind="tick", text=name, left=left, right=right, top=top, bottom=bottom
        )

    found = problems(
        {
            "box": box,
            "texts": [
                text("a", 0, 10, 0, 10),
                text("b", 10, 20, 0, 10),  # touches a
                text("c", 15, 30, 5, 15),  # overlaps b
                text("d", 90, 120, 50, 60),  # past the right edge
            ],
        }
    )
    assert found == [
        "tick 'd' clipped at the right",
        "tick 'b' overlaps tick 'c' (5 × 5 px)",
    ]


def test_a_title_line_too_long_for_a_phone_is_refused():
    """Plotly does not wrap: a title line longer than a phone holds raises, naming it."""
    fits = "Leaky ReLU (0.1): 128 alive, 128 active"
    assert len(fits) <= TITLE_LINE_CHARS
    layout = base_layout(f"{fits}<br>second line", height=400, margin={})
    assert layout["title"]["text"].endswith("<br>second line")
    assert layout["title"]["automargin"] is True
    with pytest.raises(ValueError, match="break it with <br>"):
        base_layout(fits + ", 0 dead", height=400, margin={})
