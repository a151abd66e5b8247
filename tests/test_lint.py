"""ruff's lint and format rules (pyproject.toml) hold for every .py file and notebook."""

import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

RUFF = Path(sys.executable).with_name("ruff")


def run(*args):
    return subprocess.run(
        [str(RUFF), *args], cwd=REPO_ROOT, capture_output=True, text=True
    )


def test_ruff_check_is_clean():
    result = run("check", "--no-cache", ".")
    assert result.returncode == 0, f"ruff check found problems:\n{result.stdout}"


def test_ruff_format_is_clean():
    result = run("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, (
        "not formatted (run `make format`; never `ruff format` on .ipynb, "
        f"see tools/format_notebooks.py):\n{result.stdout}"
    )
