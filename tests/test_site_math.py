"""No untypeset math on the site: a ``$…$`` left as text in a page.

Markdown that a code cell outputs (the chapters' tables, made with
``sigmoidbook.report.markdown_table``) is rendered by myst-nb; unless it is parsed
as MyST (``nb_render_markdown_format: myst`` in ``_config.yml``), its ``$…$`` stay
dollar signs and a reader sees ``$E[\\sigma']$`` in a table header.  Typeset math is
in ``<span class="math">`` (``\\(…\\)``), so any ``$`` pair left in the text of a
page outside code is a formula nobody typeset.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Elements whose text is code or not shown: a ``$`` there is not prose.
SKIP = {"pre", "code", "script", "style", "textarea", "kbd", "samp"}
#: A dollar-delimited formula: ``$x$`` with something TeX-like inside.
RAW_MATH = re.compile(r"\$[^$\s][^$]{0,200}?\$")


#: HTML elements that have no end tag.
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _VisibleText(HTMLParser):
    """The text of a page outside :data:`SKIP` elements and math spans."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, tag in SKIP or "math" in classes))

    def handle_endtag(self, tag):
        # close up to the matching open tag (HTML allows unclosed <p>, <li>, ...)
        for k in range(len(self.stack) - 1, -1, -1):
            if self.stack[k][0] == tag:
                del self.stack[k:]
                return

    def handle_data(self, data):
        if not any(skipped for _, skipped in self.stack):
            self.parts.append(data)


def raw_math_in(html: str) -> list[str]:
    """The ``$…$`` formulas left as text in ``html``."""
    parser = _VisibleText()
    parser.feed(html)
    return RAW_MATH.findall(" ".join(parser.parts))


def test_the_check_finds_a_raw_formula_and_ignores_code_and_typeset_math():
    page = (
        "<table><tr><th>$E[\\sigma']$</th></tr></table>"
        "<pre>cost = $5 and $6</pre><code>$x$</code>"
        '<span class="math notranslate nohighlight">\\(x\\)</span>'
    )
    assert raw_math_in(page) == ["$E[\\sigma']$"]


def test_no_page_shows_untypeset_math(built_site, built_pages):
    html_dir = built_site[0]
    found = {
        page: raw
        for page in built_pages
        if (raw := raw_math_in((html_dir / page).read_text(encoding="utf-8")))
    }
    assert not found, f"formulas shown as raw $…$ text (page: formulas): {found}"
