"""Shared pytest set-up: make ``book/`` importable so tests can ``import sigmoidbook``."""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BOOK_DIR = REPO_ROOT / "book"
if str(BOOK_DIR) not in sys.path:
    sys.path.insert(0, str(BOOK_DIR))

import os
import subprocess

import pytest

HTML_DIR = REPO_ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def built_site():
    """Build the website once per test session, exactly as `make book` does.

    Returns ``(html_dir, build_log)``.  The build uses ``-W -n --keep-going``,
    so any Sphinx warning makes it exit non-zero; the test of the build checks
    that, and the browser tests reuse the output.
    """
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", ".", "-W", "-n", "--keep-going"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    log = result.stdout + result.stderr
    return HTML_DIR, result.returncode, log
