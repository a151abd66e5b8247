"""Sphinx extension: the website's math is typeset when the site is built, not in the reader's browser.

MathJax in the browser was what kept the chapter pages slow on a phone
(``make lighthouse``, phone profile, issue 16): 257 KiB of script, one to two
seconds of main-thread work, and every formula re-laying out the text around it
after the first paint.  With MathJax's script removed, chapter 1 went from 47 to 90.
So after the HTML builder has written the pages, this extension runs the same
MathJax 3 (the components of the ``sphinx-mathjax-offline`` package the site already
serves) in Node.js (``book/_ext/js/typeset_math.js``) and writes its CommonHTML output
into the pages:

* every element the page's MathJax would have processed (class ``math``,
  ``mathjax_process``, ``tex2jax_process`` or ``output_area``: Sphinx's formulas and
  the quizzes) is replaced by the same element with its formulas typeset;
* each formula keeps a visually hidden MathML copy (MathJax's assistive MathML), which
  screen readers read, the typeset glyphs being ``aria-hidden``;
* the page gets MathJax's stylesheet for exactly the characters it uses, inline in its
  ``<head>``; its fonts are MathJax's own woff files under ``_static/mathjax``;
* MathJax's ``<script>`` and its configuration leave the page: nothing is typeset
  after the page is drawn, so nothing moves.

A TeX error (an undefined macro, a missing brace) is a build warning naming the page
and the formula, so ``-W`` fails the build instead of showing red text to readers.
Pages are typeset one MathJax document per page, as in a browser, so the result of a
page does not depend on which other pages were rebuilt.  The single-page build that
``book/_ext/site_pdf.py`` prints keeps MathJax in the page (Chromium waits for it).

Node.js (16 or newer) must be installed: ``node`` on ``PATH`` (Debian's ``nodejs``,
which the ``npm`` package of ``.ci/run`` brings, or nodejs.org).  Tests:
``tests/test_static_math.py`` (this module), ``tests/test_browser.py`` and
``tests/test_site_speed.py`` (the pages in Chromium).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from html import escape
from html import unescape as html_unescape
from pathlib import Path

from offline_mathjax import MATHJAX_TARGET, font_version, mathjax_source
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

SCRIPT = Path(__file__).resolve().parent / "js" / "typeset_math.js"
#: The classes whose elements MathJax processes on these pages (myst-nb marks a
#: notebook's text ``mathjax_ignore``, so only these are typeset there).
PROCESS_CLASSES = frozenset(
    {"math", "mathjax_process", "tex2jax_process", "output_area"}
)
#: Elements whose text MathJax never reads (its ``skipHtmlTags``).
SKIP_TAGS = frozenset({"script", "noscript", "style", "textarea", "pre", "code"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
    | {"param", "source", "track", "wbr"}
)
#: Where the CHTML fonts are, under the output's ``_static/``.
FONT_DIR = f"{MATHJAX_TARGET}/output/chtml/fonts/woff-v2"
FONT_URL_PLACEHOLDER = "SIGMOIDBOOK-MATHJAX-FONTS"
#: MathJax's CHTML options: no measuring of the reader's font (there is no browser),
#: formulas at 120 % of the text, between what MathJax measured for DejaVu Sans
#: (127 %) and for Segoe UI (113 %).
CHTML_OPTIONS = {
    "fontURL": FONT_URL_PLACEHOLDER,
    "matchFontHeight": False,
    "scale": 1.2,
}
#: What a TeX formula left as text looks like.
UNTYPESET = re.compile(r"\\\(|\\\[|\$\$")
STYLE_ID = "sigmoidbook-static-math"


#: A tag (attribute values may hold ">"), or a comment.
TAG = re.compile(
    r"<!--.*?-->|<(/?)([a-zA-Z][\w:-]*)"
    r"((?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*/?>",
    re.S,
)
CLASS_ATTR = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
IGNORE_CLASSES = frozenset({"tex2jax_ignore", "mathjax_ignore"})
#: What starts a formula in text (MathJax 3's defaults, which the pages used):
#: \( \) inline; \[ \] and $$ $$ display; \begin{env}...\end{env} display; \$ is "$".
START = re.compile(r"\\\(|\\\[|\$\$|\\begin\{([^}]*)\}|\\\$")
ENDS = {"\\(": "\\)", "\\[": "\\]", "$$": "$$"}


def _end_of(text: str, start: int, end: str) -> int | None:
    """Where the formula that starts at ``start`` ends (after ``end``): MathJax's rule,
    the first ``end`` outside braces; ``None`` if there is none."""
    braces = 0
    token = re.compile(re.escape(end) + r"|\\[a-zA-Z@]+|\\.|[{}]", re.S)
    for match in token.finditer(text, start):
        found = match.group(0)
        if found == end and braces == 0:
            return match.end()
        braces += {"{": 1, "}": -1}.get(found, 0)
    return None


def formulas_in(
    text: str,
) -> list[tuple[int, int, str, bool] | tuple[int, int, str, None]]:
    r"""``(start, end, tex, display)`` of each formula in a decoded text; an escaped
    dollar ``\$`` comes back as ``(start, end, "$", None)``."""
    found, position = [], 0
    while match := START.search(text, position):
        opener = match.group(0)
        if opener == "\\$":
            found.append((match.start(), match.end(), "$", None))
            position = match.end()
            continue
        if opener.startswith("\\begin"):
            end = _end_of(text, match.end(), f"\\end{{{match.group(1)}}}")
            if end is not None:
                found.append((match.start(), end, text[match.start() : end], True))
                position = end
                continue
        else:
            close = ENDS[opener]
            end = _end_of(text, match.end(), close)
            if end is not None:
                tex = text[match.end() : end - len(close)]
                found.append((match.start(), end, tex, opener != "\\("))
                position = end
                continue
        position = match.end()  # an opener with no end stays text, as in MathJax
    return found


def _classes(attributes: str) -> set[str]:
    match = CLASS_ATTR.search(attributes)
    return (
        set(next(g for g in match.groups() if g is not None).split())
        if match
        else set()
    )


def text_runs(html: str):
    """``(start, end)`` of each run of text MathJax reads: inside ``<body>``, outside
    :data:`SKIP_TAGS` and comments, not under an ignore class unless a closer element
    has a process class (MathJax's ``ignoreHtmlClass``/``processHtmlClass``)."""
    body = re.search(r"<body[^>]*>", html)
    if body is None:
        return
    stack: list[tuple[str, bool]] = [("body", True)]
    position = body.end()
    while True:
        match = TAG.search(html, position)
        stop = match.start() if match else len(html)
        if stop > position and stack[-1][1]:
            yield position, stop
        if match is None:
            return
        position = match.end()
        closing, tag = match.group(1), (match.group(2) or "").lower()
        if not tag or tag in VOID_TAGS or match.group(0).endswith("/>"):
            continue
        if closing:
            while len(stack) > 1:
                if stack.pop()[0] == tag:
                    break
            if tag == "body":
                return
            continue
        if tag in SKIP_TAGS:
            close = re.compile(rf"</{tag}\s*>", re.I).search(html, position)
            position = close.end() if close else len(html)
            continue
        classes = _classes(match.group(3) or "")
        processing = stack[-1][1]
        if classes & PROCESS_CLASSES:
            processing = True
        elif classes & IGNORE_CLASSES:
            processing = False
        stack.append((tag, processing))


def find_math(html: str) -> list[tuple[int, int, list]]:
    """The page's formulas: per text run that has any, ``(start, end, pieces)``, where
    ``pieces`` are the run's text re-escaped (str) and its formulas
    (``(tex, display)``), in order."""
    runs = []
    for start, end in text_runs(html):
        text = html_unescape(html[start:end])
        found = formulas_in(text)
        if not found:
            continue
        pieces, last = [], 0
        for a, b, tex, display in found:
            pieces.append(escape(text[last:a], quote=False))
            pieces.append("$" if display is None else (tex, display))
            last = b
        pieces.append(escape(text[last:], quote=False))
        runs.append((start, end, pieces))
    return runs


def untypeset_text(html: str) -> list[str]:
    """Snippets of TeX delimiters left in the text MathJax would read (should be none)."""
    left = []
    for start, end in text_runs(html):
        text = html_unescape(html[start:end])
        left += [
            text[max(0, m.start() - 30) : m.end() + 30]
            for m in UNTYPESET.finditer(text)
        ]
    return left


def node_executable() -> str:
    node = shutil.which("node")
    if node is None:
        raise ExtensionError(
            "Node.js is needed to typeset the book's math when the site is built "
            "(book/_ext/static_math.py): install it (Debian/Ubuntu: apt install nodejs; "
            "macOS: brew install node; or https://nodejs.org) so that `node` is on PATH"
        )
    return node


def run_mathjax(formulas: list[tuple[str, bool]], tex: dict | None = None) -> dict:
    """Typeset one page's formulas (``(tex, display)``) with MathJax in Node.js.

    One process per page (see ``typeset_math.js``).  Returns
    ``{"formulas": [html, ...], "css": str}``.
    """
    request = {
        "tex": tex or {},
        "chtml": CHTML_OPTIONS,
        "formulas": [{"tex": t, "display": d} for t, d in formulas],
    }
    done = subprocess.run(
        [node_executable(), str(SCRIPT), str(mathjax_source())],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ExtensionError(
            f"MathJax in Node.js failed: {done.stderr.strip()[-2000:]}"
        )
    result = json.loads(done.stdout)
    if len(result["formulas"]) != len(formulas):
        raise ExtensionError("MathJax returned a different number of formulas")
    return result


#: MathJax's script tag and its configuration, as Sphinx writes them.
MATHJAX_TAGS = (
    re.compile(r"[ \t]*<script>window\.MathJax = .*?</script>\n?", re.S),
    re.compile(
        r"[ \t]*<script[^>]*\ssrc=\"[^\"]*mathjax/tex-chtml\.js[^\"]*\"[^>]*></script>\n?"
    ),
)
TEX_ERROR = re.compile(r'data-mjx-error="([^"]*)"')


def font_url(page: Path, outdir: Path) -> str:
    """The fonts' folder, relative to the page."""
    return Path(os.path.relpath(outdir / "_static" / FONT_DIR, page.parent)).as_posix()


def stylesheet(css: str, fonts: str) -> str:
    """MathJax's CSS with its font URLs pointing at ``fonts``, versioned (cache-busting)."""
    tag = font_version()
    return re.sub(
        rf'url\("{FONT_URL_PLACEHOLDER}/([^"]+)"\)',
        lambda m: f'url("{fonts}/{m.group(1)}?v={tag}")',
        css,
    )


def rewrite_page(html: str, runs, typeset: list[str], css: str) -> str:
    """The page with its formulas typeset, MathJax's script gone, its CSS in the head."""
    formulas = iter(typeset)

    def piece(p) -> str:
        if isinstance(p, str):
            return p
        html = next(formulas)
        # A display formula scrolls sideways when wider than the screen: keyboard
        # users must be able to focus it to scroll it (axe: scrollable-region-focusable).
        return (
            html.replace("<mjx-container ", '<mjx-container tabindex="0" ', 1)
            if p[1]
            else html
        )

    rebuilt = [
        (start, end, "".join(piece(p) for p in pieces)) for start, end, pieces in runs
    ]
    for start, end, new in reversed(rebuilt):
        html = html[:start] + new + html[end:]
    for tag in MATHJAX_TAGS:
        html = tag.sub("", html, count=1)
    if "</head>" not in html:
        raise ExtensionError("a page without </head>: cannot add the math stylesheet")
    return html.replace(
        "</head>", f'<style id="{STYLE_ID}">\n{css}</style>\n</head>', 1
    )


def pages_to_typeset(outdir: Path) -> dict[Path, str]:
    """Built pages that still load MathJax (the ones this build wrote)."""
    pages = {}
    for page in sorted(outdir.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if MATHJAX_TAGS[1].search(html):
            pages[page] = html
    return pages


def typeset_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    if app.builder.name == "singlehtml":
        return
    outdir = Path(app.outdir)
    pages = pages_to_typeset(outdir)
    if not pages:
        return
    started = time.perf_counter()
    runs = {page: find_math(html) for page, html in pages.items()}
    formulas = {
        str(page): [
            p for _, _, pieces in page_runs for p in pieces if not isinstance(p, str)
        ]
        for page, page_runs in runs.items()
    }
    tex = (app.config.mathjax3_config or {}).get("tex")
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        done_pages = pool.map(lambda page: run_mathjax(formulas[str(page)], tex), pages)
        result = dict(zip(pages, done_pages))
    for page, html in pages.items():
        done = result[page]
        name = page.relative_to(outdir).as_posix()
        for (tex_source, _), typeset in zip(formulas[str(page)], done["formulas"]):
            for message in TEX_ERROR.findall(typeset):
                logger.warning(
                    "%s: TeX error in %r: %s", name, tex_source, html_unescape(message)
                )
        css = stylesheet(done["css"], font_url(page, outdir))
        new = rewrite_page(html, runs[page], done["formulas"], css)
        for left in untypeset_text(new):
            logger.warning(
                "%s: TeX left as text (no closing delimiter?): %r", name, left
            )
        page.write_text(new, encoding="utf-8")
    logger.info(
        "static_math: typeset %d formulas on %d pages in %.1f s",
        sum(len(f) for f in formulas.values()),
        len(pages),
        time.perf_counter() - started,
    )


def setup(app: Sphinx) -> dict:
    app.setup_extension("offline_mathjax")
    app.connect("build-finished", typeset_site)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
