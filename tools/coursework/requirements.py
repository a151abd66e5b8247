"""``requirements.txt`` for a student release: what its notebook and support code import.

The modules imported by the student notebook's code cells and by the ``.py`` files
shipped beside it are mapped to their installed distributions
(:func:`importlib.metadata.packages_distributions`) and pinned to the versions of this
environment (the book's pinned one).  The standard library and the release's own
modules (``sigmoidbook``, support files) are left out; ``otter-grader`` (for
``grader.check``) is always in.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
from pathlib import Path

import nbformat

#: Always in: otter-grader for grader.check, and JupyterLab and its kernel to open the notebook.
ALWAYS = ("otter-grader", "jupyterlab", "ipykernel")


def _imports(source: str) -> set[str]:
    code = "\n".join(
        "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def release_imports(student_dir: Path) -> set[str]:
    """Top-level modules imported by the notebooks and ``.py`` files of a release."""
    names: set[str] = set()
    for path in Path(student_dir).rglob("*"):
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            for cell in nb.cells:
                if cell.cell_type == "code":
                    names |= _imports(cell.source)
        elif (
            path.suffix == ".py" and "tests" not in path.relative_to(student_dir).parts
        ):
            names |= _imports(path.read_text())
    local = {p.stem for p in Path(student_dir).glob("*.py")} | {
        p.name for p in Path(student_dir).iterdir() if (p / "__init__.py").is_file()
    }
    return names - local - set(sys.stdlib_module_names)


def requirements(student_dir: Path) -> list[str]:
    """Sorted ``name==version`` lines for a release (modules not installed: skipped)."""
    dists = importlib.metadata.packages_distributions()
    wanted = set(ALWAYS)
    for module in release_imports(student_dir):
        wanted.update(dists.get(module, []))
    pins = []
    for name in wanted:
        try:
            version = importlib.metadata.version(name).split("+")[0]  # no "+cpu"
            pins.append(f"{name}=={version}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return sorted(set(pins), key=str.lower)


def write_requirements(student_dir: Path) -> Path:
    """Write ``student_dir/requirements.txt`` (see :func:`requirements`)."""
    path = Path(student_dir) / "requirements.txt"
    pins = requirements(student_dir)
    note = ["# What this chapter's notebook needs: pip install -r requirements.txt"]
    if any(p.lower().startswith("torch==") for p in pins):
        note.append(
            "# torch without CUDA (much smaller): add "
            "--extra-index-url https://download.pytorch.org/whl/cpu"
        )
    path.write_text("\n".join([*note, *pins]) + "\n")
    return path
