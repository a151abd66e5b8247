"""Format every notebook's code cells with ruff, without touching their outputs.

``ruff format`` can format ``.ipynb`` files itself, but it rewrites the whole JSON file
and its JSON writer changes the last digit of some stored floats (plotly figure data),
which nbval then reports as changed outputs.  This tool formats each code cell's source
through ``ruff format -`` and writes the notebook back with nbformat, so outputs stay
byte-for-byte what the kernel produced.  ``ruff format --check`` (read-only) is safe
and is what ``make lint`` runs.

    python tools/format_notebooks.py [--check] [NOTEBOOK ...]   (default: book/**/*.ipynb)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).with_name("ruff")


def format_source(source: str, path: Path) -> str:
    """``source`` (one code cell) as ``ruff format`` writes it, without the final newline."""
    result = subprocess.run(
        [str(RUFF), "format", "--stdin-filename", str(path.with_suffix(".py")), "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if result.returncode != 0:
        raise SystemExit(
            f"{path}: ruff cannot format a cell:\n{source}\n{result.stderr}"
        )
    return result.stdout.rstrip("\n")


def format_notebook(path: Path, check: bool) -> bool:
    """Format ``path`` in place (or only compare, with ``check``); True if it changed."""
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "code" or cell.source.lstrip().startswith(("%", "!")):
            continue
        formatted = format_source(cell.source, path)
        if formatted != cell.source:
            changed = True
            cell.source = formatted
    if changed and not check:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="only report, change nothing"
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(
        p
        for p in (REPO / "book").rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )
    changed = [p for p in paths if format_notebook(p, args.check)]
    for path in changed:
        print(f"{'would reformat' if args.check else 'reformatted'} {path}")
    return 1 if (changed and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
