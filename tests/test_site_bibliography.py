"""The bibliography (sphinxcontrib-bibtex over book/references.bib, book/bibliography.md).

- The page ``book/bibliography.html`` lists every entry of ``references.bib``, each at
  the anchor ``#cite-<key>`` (``bibtex_cite_id`` in _config.yml).
- Citations render author-year with round brackets (book/_ext/bibliography_style.py):
  checked on a probe book that cites, so it holds before any chapter cites.
- In the built site every citation links to an entry of the bibliography, and no
  ``{cite...}`` role is left as text.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import BOOK_DIR, REPO_ROOT

BIB = BOOK_DIR / "references.bib"


def _keys() -> list[str]:
    return re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), re.M)


def test_bibliography_lists_every_entry(built_site):
    page = (built_site[0] / "book" / "bibliography.html").read_text(encoding="utf-8")
    keys = _keys()
    assert len(keys) >= 30
    anchors = re.findall(r'class="citation" id="cite-([^"]+)"', page)
    assert sorted(anchors) == sorted(keys), (
        f"missing {sorted(set(keys) - set(anchors))}, extra {sorted(set(anchors) - set(keys))}"
    )
    assert 'id="bibliography"' in page


def test_bibliography_is_in_the_table_of_contents(repo_root):
    toc = yaml.safe_load((repo_root / "_toc.yml").read_text())
    files = [entry["file"] for entry in toc["chapters"]]
    assert files[-1] == "book/bibliography", files


def test_every_citation_in_the_site_links_to_an_entry(built_site, built_pages):
    keys = set(_keys())
    for name in built_pages:
        text = (built_site[0] / name).read_text(encoding="utf-8", errors="replace")
        body = text.split("<body", 1)[-1]
        assert "{cite" not in re.sub(r"<pre.*?</pre>", "", body, flags=re.S), (
            f"{name}: a citation role left as text"
        )
        for key in re.findall(r'href="bibliography\.html#cite-([^"]+)"', text):
            assert key in keys, f"{name}: cites {key}, not in references.bib"


def test_citations_read_author_year_in_round_brackets(tmp_path):
    """A probe book with this book's bibliography settings and a page that cites."""
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())
    book = tmp_path / "probe"
    (book / "book").mkdir(parents=True)
    shutil.copy(BIB, book / "book" / "references.bib")
    shutil.copy(BOOK_DIR / "bibliography.md", book / "book" / "bibliography.md")
    (book / "book" / "page.md").write_text(
        "# Page\n\nAs {cite:t}`glorot2010` showed, and others {cite:p}`he2015,nair2010`.\n"
    )
    ext = config["sphinx"]["local_extensions"]["bibliography_style"]
    sphinx_config = {
        k: v for k, v in config["sphinx"]["config"].items() if k.startswith("bibtex_")
    }
    probe = {
        "title": "probe",
        "bibtex_bibfiles": config["bibtex_bibfiles"],
        "sphinx": {
            "local_extensions": {"bibliography_style": str(REPO_ROOT / ext)},
            "config": sphinx_config,
        },
    }
    (book / "_config.yml").write_text(yaml.safe_dump(probe))
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: book/page\nchapters:\n  - file: book/bibliography\n"
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", ".", "-W"],
        cwd=book,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    html = (book / "_build" / "html" / "book" / "page.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", re.search(r"<p>As .*?</p>", html, re.S).group(0))
    assert text == (
        "As Glorot and Bengio (2010) showed, and others "
        "(He et al., 2015; Nair and Hinton, 2010)."
    ), text
    assert 'href="bibliography.html#cite-glorot2010"' in html
