"""Every notebook has a committed MyST Markdown twin (jupytext), and the two agree.

The ``.md`` is what a reviewer reads in a diff; the ``.ipynb`` is the executed artefact
that nbval checks, the site renders and otter reads.  If they disagree, one of them was
edited without ``make sync`` (or ``make execute``), and this test names the first
difference.
"""

import jupytext
import pytest
from jupytext.compare import compare_notebooks

from conftest import BOOK_DIR, REPO_ROOT

NOTEBOOKS = sorted(
    p for p in BOOK_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
PAIRING = "ipynb,md:myst"


def ids(paths):
    return [p.relative_to(REPO_ROOT).as_posix() for p in paths]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_is_paired_with_a_myst_text(notebook):
    formats = jupytext.read(notebook).metadata.get("jupytext", {}).get("formats")
    assert formats == PAIRING, (
        f"{notebook.name}: jupytext pairing is {formats!r}, expected {PAIRING!r} "
        f"(run: jupytext --set-formats {PAIRING} {notebook.relative_to(REPO_ROOT)})"
    )
    assert notebook.with_suffix(".md").is_file(), f"{notebook.name} has no .md twin"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=ids(NOTEBOOKS))
def test_notebook_and_its_text_agree(notebook):
    text = notebook.with_suffix(".md")
    try:
        compare_notebooks(jupytext.read(text), jupytext.read(notebook), fmt="md:myst")
    except Exception as difference:  # jupytext raises its own NotebookDifference
        pytest.fail(
            f"{text.name} and {notebook.name} differ (edit one, then `make sync`):\n"
            f"{difference}"
        )


def test_the_comparison_catches_an_edit(tmp_path):
    """The check above can fail: a changed code line in the text is a difference."""
    notebook = NOTEBOOKS[0]
    edited = jupytext.read(notebook.with_suffix(".md"))
    code = next(c for c in edited.cells if c.cell_type == "code")
    code.source += "\nextra_line = 1"
    with pytest.raises(Exception, match="extra_line"):
        compare_notebooks(edited, jupytext.read(notebook), fmt="md:myst")
