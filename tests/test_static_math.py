"""book/_ext/static_math.py: the website's math is typeset when the site is built.

Finding formulas the way the browser's MathJax did (its delimiters, brace rule,
ignore/process classes, skipped tags), and a built page rewritten end to end with
MathJax in Node.js: formulas typeset with hidden MathML, everything else byte for
byte as it was, MathJax's script gone, its stylesheet in the head with fonts the
page can reach, TeX errors reported by page and formula.  The whole site in
Chromium: tests/test_site_speed.py and tests/test_browser.py.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "book" / "_ext"))
import static_math
from sphinx.errors import ExtensionError


def test_formulas_are_delimited_as_mathjax_delimits_them():
    text = (
        r"a \(x^2\) b \[y\] c $$z$$ d \begin{aligned}p&=q\end{aligned} costs \$5,"
        r" \(\text{a \) in braces}\) and \(never closed"
    )
    found = [(tex, display) for _, _, tex, display in static_math.formulas_in(text)]
    assert found == [
        ("x^2", False),
        ("y", True),
        ("z", True),
        (r"\begin{aligned}p&=q\end{aligned}", True),
        ("$", None),
        (r"\text{a \) in braces}", False),
    ]


PAGE = """<!DOCTYPE html>
<html><head><title>\\(not math\\)</title>
<script>window.MathJax = {"options": {}}</script>
<script defer="defer" src="../_static/mathjax/tex-chtml.js?v=1"></script>
</head><body>
<p>Body text: \\(a &lt; b\\) typeset.</p>
<section class="tex2jax_ignore mathjax_ignore">
<p>Ignored: \\(no\\)</p><span class="math notranslate">\\(\\sigma'(x)\\)</span>
<div class="quiz mathjax_process" data-x="a>b"><p>Quiz: \\(p &gt; 0\\) &amp; more</p>
<script>if (a < b && "\\\\(" ) { x = "\\(no\\)"; }</script>
<pre>\\(no\\)</pre><code>\\[no\\]</code><input value="\\(no\\)"><br/>
<span class="tex2jax_ignore">\\(no\\)</span></div>
</section>
<!-- \\(no\\) -->
</body></html>
"""


def test_only_the_text_mathjax_reads_is_searched():
    runs = static_math.find_math(PAGE)
    formulas = [p for _, _, pieces in runs for p in pieces if not isinstance(p, str)]
    assert formulas == [("a < b", False), (r"\sigma'(x)", False), ("p > 0", False)]


needs_node = pytest.mark.skipif(
    shutil.which("node") is None and not os.environ.get("CI"),
    reason="SKIPPED LOUDLY: Node.js (`node`) is not installed; the site build needs it",
)


def _html_build(outdir: Path) -> SimpleNamespace:
    """What typeset_site reads of a Sphinx app: an HTML build into ``outdir``."""
    return SimpleNamespace(
        builder=SimpleNamespace(format="html", name="html"),
        outdir=str(outdir),
        config=SimpleNamespace(mathjax3_config={}),
    )


def _warnings_of_build(tmp_path: Path, html: str, caplog) -> list[str]:
    with caplog.at_level(logging.WARNING):
        _build_one_page(tmp_path, html)
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def _build_one_page(tmp_path: Path, html: str) -> Path:
    page = tmp_path / "book" / "page.html"
    page.parent.mkdir(parents=True)
    page.write_text(html, encoding="utf-8")
    static_math.typeset_site(_html_build(tmp_path), None)
    return page


@needs_node
def test_a_page_is_typeset_and_nothing_else_changes(tmp_path):
    page = _build_one_page(tmp_path, PAGE)
    out = page.read_text(encoding="utf-8")
    assert out.count("<mjx-container") == 3
    # Only display formulas (none here) are keyboard-focusable, to be scrolled.
    assert 'tabindex="0"' not in out
    shown = PAGE.replace(r"\(p &gt; 0\)", r"\[p &gt; 0\]")
    display = _build_one_page(tmp_path / "display", shown)
    assert (
        display.read_text(encoding="utf-8").count('<mjx-container tabindex="0" ') == 1
    )
    assert out.count("<mjx-assistive-mml") == 3 and "<mo>&lt;</mo>" in out
    assert "tex-chtml.js" not in out and "window.MathJax" not in out
    assert static_math.untypeset_text(out) == []
    # What MathJax does not read is left exactly as it was.
    for untouched in (
        "<title>\\(not math\\)</title>",
        '<script>if (a < b && "\\\\(" ) { x = "\\(no\\)"; }</script>',
        "<p>Ignored: \\(no\\)</p>",
        '<pre>\\(no\\)</pre><code>\\[no\\]</code><input value="\\(no\\)"><br/>',
        '<span class="tex2jax_ignore">\\(no\\)</span>',
        "<!-- \\(no\\) -->",
        "&amp; more</p>",
    ):
        assert untouched in out, untouched
    head = out.split("</head>", 1)[0]
    assert '<style id="sigmoidbook-static-math">' in head
    font = "../_static/mathjax/output/chtml/fonts/woff-v2/MathJax_Main-Regular.woff?v="
    assert f'url("{font}' in head
    # A second build pass finds nothing left to do (the page no longer loads MathJax).
    static_math.typeset_site(_html_build(tmp_path), None)
    assert page.read_text(encoding="utf-8") == out


@needs_node
def test_a_tex_error_is_a_build_warning_naming_page_and_formula(tmp_path, caplog):
    html = PAGE.replace(r"\(a &lt; b\)", r"\(\sigmaa x\)")
    warnings = _warnings_of_build(tmp_path, html, caplog)
    assert any(
        "book/page.html" in w
        and "\\sigmaa x" in w
        and "Undefined control sequence" in w
        for w in warnings
    ), warnings


@needs_node
def test_an_unclosed_formula_is_a_build_warning(tmp_path, caplog):
    html = PAGE.replace(r"\(a &lt; b\)", r"\(a &lt; b")
    warnings = _warnings_of_build(tmp_path, html, caplog)
    assert any("left as text" in w and "a < b" in w for w in warnings), warnings


def test_without_node_the_build_says_what_to_install(monkeypatch):
    monkeypatch.setattr(static_math.shutil, "which", lambda name: None)
    with pytest.raises(ExtensionError, match="Node.js is needed.*apt install nodejs"):
        static_math.run_mathjax([("x", False)])


@needs_node
def test_each_page_gets_a_glyph_rule_for_every_character_it_uses(tmp_path):
    """Two pages with the same characters: the second must not lose the rules the
    first one's typesetting used (MathJax marks characters used in shared tables)."""
    for name in ("one", "two"):
        (tmp_path / f"{name}.html").write_text(PAGE, encoding="utf-8")
    _build_one_page(tmp_path / "book3", PAGE)  # a third page in a sub-folder
    static_math.typeset_site(_html_build(tmp_path), None)
    for name in ("one", "two"):
        out = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
        used = set(re.findall(r'<mjx-c class="([^"]+)"', out))
        assert len(used) >= 5
        for glyph in used:
            assert f"mjx-c.{'.'.join(glyph.split())}::before" in out, (name, glyph)
