"""The website builds with zero warnings (Sphinx -W -n: warnings are errors), and the
site extensions in ``book/_ext`` do what their docstrings say, seen in the output."""

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

PLOTLY_MIME_TYPE = "application/vnd.plotly.v1+json"
PLOTLY_SCRIPT = re.compile(r'<script[^>]*\ssrc="[^"]*plotly\.min\.js[^"]*"')
FIGURE_LOADER = re.compile(r"<script[^>]*\ssrc=\"[^\"]*plotly/figures\.js[^>]*>")


def test_site_builds_without_warnings(built_site):
    html_dir, returncode, log = built_site
    warnings = [
        line for line in log.splitlines() if re.search(r"\bWARNING\b|\bERROR\b", line)
    ]
    assert returncode == 0, "jupyter-book build failed:\n" + log[-5000:]
    assert not warnings, "the build emitted warnings:\n" + "\n".join(warnings)
    assert (html_dir / "index.html").is_file()
    assert (html_dir / "book" / "intro.html").is_file()


def test_the_figure_loader_is_exactly_on_the_pages_with_a_figure(
    built_site, built_pages
):
    """offline_plotly: the figure loader (which fetches plotly.js, 4.8 MB, when a
    figure comes into view) only where a plotly figure is; plotly.js itself is in
    no page's head (the figures carry their JSON), and is shipped."""
    html_dir = built_site[0]
    with_figure, with_loader, with_plotly = set(), set(), set()
    for name in built_pages:
        text = (html_dir / name).read_text(encoding="utf-8", errors="replace")
        head = text.split("</head>", 1)[0]
        if 'class="plotly-graph-div' in text:
            with_figure.add(name)
        if FIGURE_LOADER.search(head):
            with_loader.add(name)
        if PLOTLY_SCRIPT.search(head):
            with_plotly.add(name)
    assert with_figure, "no page has a plotly figure: were the notebooks executed?"
    assert with_loader == with_figure, (
        f"the loader without a figure: {sorted(with_loader - with_figure)}; "
        f"a figure without the loader: {sorted(with_figure - with_loader)}"
    )
    assert not with_plotly, f"plotly.js in the head of {sorted(with_plotly)}"
    assert (html_dir / "_static" / "plotly" / "plotly.min.js").is_file()


def test_no_duplicate_inline_scripts_and_no_cdn(built_site, built_pages):
    """workaround_sphinx_duplicate_scripts: Sphinx 7 would write sphinx-thebe's inline
    script twice ("THEBE_JS_URL has already been declared"); workaround_theme_mode's
    script is on every page; offline_*: no page loads a script from another host."""
    html_dir = built_site[0]
    for name in built_pages:
        text = (html_dir / name).read_text(encoding="utf-8", errors="replace")
        head = text.split("</head>", 1)[0]
        inline = re.findall(r"<script>(.*?)</script>", head, flags=re.S)
        assert len(inline) == len(set(inline)), f"{name}: duplicated inline script"
        assert text.count("const THEBE_JS_URL") <= 1, name
        redirect = 'http-equiv="refresh"' in head.lower()  # index.html -> intro
        assert redirect or any('dataset.mode = "auto"' in js for js in inline), name
        sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', text)
        assert not [s for s in sources if "://" in s], (
            f"{name}: script from another host: {sources}"
        )


def _probe_notebook(path: Path) -> None:
    """A page with a plotly-style output (JSON + HTML) and one of an unknown mime type."""
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("figure", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                PLOTLY_MIME_TYPE: {"data": [], "layout": {}},
                "text/html": "<p>f</p>",
            },
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"application/x-probe-unknown": "x", "text/plain": "x"},
        ),
    ]
    notebook.cells = [nbformat.v4.new_markdown_cell("# Probe"), cell]
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)


def _build_probe_book(folder: Path, extensions: dict) -> str:
    """Build a one-page book with the given ``local_extensions``; return the log."""
    folder.mkdir()
    _probe_notebook(folder / "probe.ipynb")
    config = {"title": "probe", "execute": {"execute_notebooks": "off"}}
    if extensions:
        config["sphinx"] = {"local_extensions": extensions}
    (folder / "_config.yml").write_text(yaml.safe_dump(config))
    (folder / "_toc.yml").write_text("format: jb-book\nroot: probe\n")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", ".", "-W", "--keep-going"],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return result.stdout + result.stderr


def test_only_plotlys_json_is_spared_the_unknown_mime_type_warning(tmp_path, repo_root):
    """workaround_plotly_mime_warning drops exactly one warning; any other unknown
    mime type still fails the -W build.  Without it, myst-nb warns for plotly's JSON:
    when that stops, the upstream bug is fixed and the module can go."""
    name = "workaround_plotly_mime_warning"
    config = yaml.safe_load((repo_root / "_config.yml").read_text())
    extensions = config["sphinx"]["local_extensions"]
    assert name in extensions, f"_config.yml no longer loads {name}"
    folder = str((repo_root / extensions[name]).resolve())

    log = _build_probe_book(tmp_path / "with", {name: folder})
    warnings = [line for line in log.splitlines() if "unknown output mime" in line]
    assert any("application/x-probe-unknown" in line for line in warnings), log[-3000:]
    assert not any(PLOTLY_MIME_TYPE in line for line in warnings), warnings

    log = _build_probe_book(tmp_path / "without", {})
    assert any(
        PLOTLY_MIME_TYPE in line and "unknown output mime" in line
        for line in log.splitlines()
    ), f"myst-nb no longer warns for plotly's JSON: delete {name}\n{log[-3000:]}"


def test_every_chapter_page_has_an_open_in_colab_button(built_site, repo_root):
    """The launch menu of each chapter opens that chapter's notebook in Colab, from the
    repository and branch in _config.yml (the chapter's first cell then installs the
    book's package: tests/test_colab.py)."""
    config = yaml.safe_load((repo_root / "_config.yml").read_text())
    repository = config["repository"]["url"].removeprefix("https://github.com/")
    branch = config["repository"]["branch"]
    html_dir = built_site[0]
    for notebook in sorted((repo_root / "book").glob("ch*.ipynb")):
        page = (html_dir / "book" / f"{notebook.stem}.html").read_text()
        expected = (
            f"https://colab.research.google.com/github/{repository}/blob/{branch}/"
            f"book/{notebook.name}"
        )
        assert expected in page, (
            f"{notebook.stem}: no Colab button linking to {expected}"
        )


def test_every_page_has_a_description_and_the_favicon(built_site, built_pages):
    """site_meta: a meta description (not empty, at most 160 characters) and the
    book's favicon on every page; the favicon file is in the build."""
    html_dir = built_site[0]
    assert (html_dir / "_static" / "favicon.svg").is_file()
    for name in built_pages:
        head = (html_dir / name).read_text(encoding="utf-8").split("</head>", 1)[0]
        found = re.findall(r'<meta name="description" content="([^"]*)"', head)
        assert len(found) == 1 and 40 <= len(found[0]) <= 160, (name, found)
        assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', head), name


def test_root_page_has_a_title_and_a_language(built_site):
    """site_meta: index.html is a real page (lang, title, description) that still
    sends the reader to the intro at once and links to it."""
    text = (built_site[0] / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<html lang="en">', text)
    assert re.search(r"<title>[^<]*Sigmoid[^<]*</title>", text)
    assert '<meta name="description"' in text
    assert 'http-equiv="refresh" content="0; url=book/intro.html"' in text
    assert '<a href="book/intro.html">' in text


def test_no_theme_header_and_no_generic_toggle_label(built_site, built_pages):
    """workaround_theme_header: the theme's top header is an empty hidden stub (its
    scripts measure it); workaround_toggle_label: no "Toggle hidden content" name
    on myst-nb's toggles.  The book's CSS is on every page."""
    html_dir = built_site[0]
    for name in built_pages:
        text = (html_dir / name).read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in text[:3000].lower():
            continue
        assert '<header id="pst-header" class="bd-header" hidden></header>' in text, (
            name
        )
        assert "primary-toggle" not in text.split('id="pst-header"', 1)[1][:200]
        assert 'aria-label="Toggle hidden content"' not in text, name
        assert "_static/sigmoidbook.css" in text, name


def test_the_figure_loader_is_deferred(built_site, built_pages):
    """offline_plotly: the figure loader runs once the page is parsed (``defer``)."""
    html_dir = built_site[0]
    for name in built_pages:
        text = (html_dir / name).read_text(encoding="utf-8", errors="replace")
        loader = FIGURE_LOADER.search(text.split("</head>", 1)[0])
        if loader:
            assert "defer" in loader.group(0), name
            assert re.search(r'data-plotly-version="[0-9a-f]{8}"', loader.group(0)), (
                name
            )
            assert "data-draw" not in loader.group(0), name  # only the PDF's build


def _head(html_dir: Path, name: str) -> str | None:
    """The page's ``<head>``, or ``None`` for the root redirect."""
    head = (html_dir / name).read_text(encoding="utf-8", errors="replace")
    head = head.split("</head>", 1)[0]
    return None if 'http-equiv="refresh"' in head.lower() else head


#: Scripts that stay render-blocking: inline scripts after it use DOCUMENTATION_OPTIONS.
BLOCKING_ALLOWED = ("documentation_options.js",)


def test_the_head_is_light(built_site, built_pages):
    """lighter_head: no fontawesome.js (1.5 MB) anywhere, the icons' CSS instead;
    the search index only on the search page; no script in the head of the other
    pages blocks the first paint but documentation_options.js; no page loads
    MathJax (static_math.py typeset the math when the site was built), and a page with
    math carries MathJax's stylesheet."""
    html_dir = built_site[0]
    for name in built_pages:
        head = _head(html_dir, name)
        if head is None:
            continue
        assert "fontawesome.js" not in head, name
        assert "_static/icons.css" in head, name
        has_index = bool(re.search(r"<script[^>]*searchindex\.js", head))
        assert has_index == (name == "search.html"), name
        blocking = [
            tag
            for tag in re.findall(r"<script[^>]*\ssrc=\"[^\"]+\"[^>]*>", head)
            if not re.search(r"\s(defer|async)[\s=>]", tag)
            and not any(allowed in tag for allowed in BLOCKING_ALLOWED)
        ]
        # The search page keeps its scripts (its search runs at once, lighter_head).
        if name != "search.html":
            assert not blocking, f"{name}: render-blocking scripts {blocking}"
        assert "window.MathJax" not in head and "tex-chtml" not in head, name
        page = (html_dir / name).read_text(encoding="utf-8")
        if 'class="math' in page:
            assert '<style id="sigmoidbook-static-math">' in head, name
        # No font preload: it took the page's bandwidth (offline_mathjax.py).
        assert 'rel="preload" as="font"' not in head, name


ICON_CLASS = re.compile(r'class="([^"]*\bfa-[^"]*)"')
#: Font Awesome's style and size classes, not icons.
ICON_MODIFIERS = {"fa-solid", "fa-brands", "fa-regular", "fa-lg", "fa-fw"}


def test_every_icon_is_drawn(built_site, built_pages, repo_root):
    """icons.css has a rule for every Font Awesome icon a page names (fontawesome.js,
    which drew them, is gone): a new theme button with an unlisted icon fails here."""
    css = (repo_root / "book" / "_static" / "icons.css").read_text(encoding="utf-8")
    drawn = set(re.findall(r"^\.(fa-[a-z0-9-]+)[ ,]", css, flags=re.M))
    html_dir = built_site[0]
    used = {}
    for name in built_pages:
        text = (html_dir / name).read_text(encoding="utf-8", errors="replace")
        for classes in ICON_CLASS.findall(text):
            for icon in re.findall(r"\bfa-[a-z0-9-]+", classes):
                if icon not in ICON_MODIFIERS:
                    used.setdefault(icon, name)
    assert {"fa-bars", "fa-magnifying-glass", "fa-github"} <= set(used), used
    missing = {icon: page for icon, page in used.items() if icon not in drawn}
    assert not missing, f"icons with no rule in book/_static/icons.css: {missing}"


PICTURE = re.compile(r'<img\b[^>]*\ssrc="(?:\.\./)*_images/([^"]+\.png)"[^>]*>')


def test_pictures_load_lazily_and_keep_their_space(built_site, built_pages):
    """lazy_images: every built PNG on a page loads lazily and carries its pixel
    size (its space is kept while it loads)."""
    import struct

    html_dir = built_site[0]
    seen = 0
    for name in built_pages:
        text = (html_dir / name).read_text(encoding="utf-8", errors="replace")
        for tag in PICTURE.finditer(text.split("</head>", 1)[-1]):
            seen += 1
            assert 'loading="lazy"' in tag.group(0), (name, tag.group(0)[:200])
            header = (html_dir / "_images" / tag.group(1)).read_bytes()[16:24]
            width, height = struct.unpack(">II", header)
            assert f'width="{width}" height="{height}"' in tag.group(0), (
                name,
                tag.group(1),
                (width, height),
            )
    assert seen >= 10, f"only {seen} pictures on the site: did the build change?"


GLYPH = re.compile(r'<mjx-c class="([^"]+)"')


def test_every_typeset_glyph_has_its_css_rule(built_site, built_pages):
    """static_math: MathJax's CHTML draws each character with a CSS rule for its class
    (``mjx-c.mjx-c1D70E.TEX-I::before``); a character without one is blank on the page."""
    html_dir = built_site[0]
    checked = 0
    for name in built_pages:
        page = (html_dir / name).read_text(encoding="utf-8")
        used = set(GLYPH.findall(page))
        if not used:
            continue
        css = page.split('<style id="sigmoidbook-static-math">', 1)[1].split(
            "</style>", 1
        )[0]
        missing = sorted(
            u for u in used if f"mjx-c.{'.'.join(u.split())}::before" not in css
        )
        assert not missing, (
            f"{name}: {len(missing)} characters without a glyph rule: {missing[:5]}"
        )
        checked += len(used)
    assert checked > 100, checked
