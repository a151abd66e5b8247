"""The book runs on Python 3.11, 3.12 and 3.13, not only on the interpreter that built it.

1. Every pinned requirement has a wheel for CPython 3.12 and 3.13 on Linux, and the
   whole set resolves (``pip install --dry-run --python-version``, against the package
   index, nothing installed). PyTorch is resolved on its own, without its CUDA
   dependencies, which a CPU install from PyTorch's index does not use.
2. Where a 3.12 or 3.13 interpreter exists on this machine, a virtual environment for it
   (cached in ``.venv-pyXY``, rebuilt when the requirements change) runs the unit tests
   and chapters that need no PyTorch. Where none exists the test is skipped, loudly.
"""

from __future__ import annotations

import ast
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BOOK_DIR, REPO_ROOT

#: `make test-platforms` (and CI), not `make test`: these build other environments.
pytestmark = pytest.mark.platforms
#: tests/parallel_groups.py: these tests share nothing (each version has its own venv).
PARALLEL_EACH_TEST = True

VERSIONS = ["3.12", "3.13"]
LINUX_TAGS = [
    "manylinux_2_28_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "manylinux_2_5_x86_64",
    "manylinux1_x86_64",
    "linux_x86_64",
]


def requirement_lines(path: Path) -> list[str]:
    lines = [line.split("#", 1)[0].strip() for line in path.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("-")]


def reader_requirements(without_torch: bool) -> list[str]:
    lines = requirement_lines(REPO_ROOT / "requirements.txt")
    return [r for r in lines if not (without_torch and r.startswith("torch=="))]


def dry_run(version: str, requirements: list[str], tmp_path: Path, *extra: str) -> dict:
    report = tmp_path / f"report-{version}.json"
    platforms = [arg for tag in LINUX_TAGS for arg in ("--platform", tag)]
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet"]
    command += [
        "--ignore-installed",
        "--only-binary",
        ":all:",
        "--implementation",
        "cp",
    ]
    command += [
        "--python-version",
        version,
        *platforms,
        *extra,
        "--report",
        str(report),
    ]
    result = subprocess.run(command + requirements, capture_output=True, text=True)
    errors = [e for e in result.stderr.splitlines() if not e.startswith("WARNING")]
    assert result.returncode == 0, (
        f"Python {version}: pip cannot resolve:\n" + "\n".join(errors)
    )
    return json.loads(report.read_text())


@pytest.mark.parametrize("version", VERSIONS)
def test_requirements_resolve_for(version, tmp_path):
    report = dry_run(version, reader_requirements(without_torch=True), tmp_path)
    chosen = {
        i["metadata"]["name"].lower(): i["metadata"]["version"]
        for i in report["install"]
    }
    for requirement in reader_requirements(without_torch=True):
        name, pinned = requirement.split("==")
        assert chosen.get(name.lower().replace("_", "-")) == pinned, (
            f"Python {version}: {name} resolved to {chosen.get(name.lower())}, pinned {pinned}"
        )


@pytest.mark.parametrize("version", VERSIONS)
def test_torch_has_a_wheel_for(version, tmp_path):
    (torch,) = [r for r in reader_requirements(False) if r.startswith("torch==")]
    report = dry_run(version, [torch], tmp_path, "--no-deps")
    assert [i["metadata"]["version"] for i in report["install"]] == [
        torch.split("==")[1]
    ]


def interpreter(version: str) -> str | None:
    """A working ``python{version}`` on this machine (PATH or pyenv), or None."""
    pattern = os.path.expanduser(f"~/.pyenv/versions/{version}.*/bin/python{version}")
    candidates = [
        *sorted(glob.glob(pattern), reverse=True),
        shutil.which(f"python{version}"),
    ]
    for candidate in filter(None, candidates):
        check = subprocess.run(
            [candidate, "-c", "import sys, venv; print(sys.version)"],
            capture_output=True,
            text=True,
        )
        if check.returncode == 0 and check.stdout.startswith(version):
            return candidate
    return None


#: Modules that import PyTorch (directly or through the book's package).
TORCH_MODULES = (
    "torch",
    "sigmoidbook.training",
    "sigmoidbook.figures",
    "sigmoidbook.ch4",
)
#: Tests that need more than the reader's packages (a browser, otter, the site build).
#: (and test_lint: the linter's verdict does not depend on the interpreter).
HEAVY_MARKERS = (
    "playwright",
    "otter",
    "coursework",
    "built_site",
    "ruff",
    "sys.executable",  # runs another program of this environment (e.g. the benchmarks)
    "jupyter",
)


def imported_modules(code: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def needs_torch(code: str) -> bool:
    return any(m.startswith(TORCH_MODULES) for m in imported_modules(code))


#: Tests of the repository's files, whose verdict cannot depend on the interpreter.
ABOUT_FILES = {
    Path(__file__).name,
    "test_notebook_policy.py",
    "test_pairs.py",
    "test_lint.py",
    "test_requirements.py",
}

#: Top-level modules the torch-free environment provides besides the standard library.
PROVIDED = {
    "numpy", "sympy", "mpmath", "matplotlib", "threadpoolctl", "IPython", "pytest",
    "hypothesis", "jupytext", "yaml", "nbformat", "sigmoidbook", "conftest",
}  # fmt: skip


def runs_without_torch(code: str) -> bool:
    roots = {m.split(".")[0] for m in imported_modules(code)}
    foreign = roots - PROVIDED - set(sys.stdlib_module_names)
    return not needs_torch(code) and not foreign


def torch_free_tests() -> list[str]:
    """Unit test files and chapters that import no PyTorch and need nothing heavy."""
    chosen = []
    for test in sorted((REPO_ROOT / "tests").glob("test_*.py")):
        code = test.read_text()
        if test.name in ABOUT_FILES or any(m in code for m in HEAVY_MARKERS):
            continue
        if runs_without_torch(code):
            chosen.append(test.relative_to(REPO_ROOT).as_posix())
    for notebook in sorted(BOOK_DIR.glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        code = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "code"
        )
        if runs_without_torch(code):
            chosen.append(notebook.relative_to(REPO_ROOT).as_posix())
    return chosen


#: What the torch-free tests and chapters import (at the book's pins): a small set, so
#: the environment builds in about a minute instead of installing the whole book.
TORCH_FREE_PACKAGES = (
    "numpy",
    "sympy",
    "matplotlib",
    "threadpoolctl",
    "ipykernel",
    "nbval",
    "pytest",
    "hypothesis",
    "jupytext",
)


def pinned(names: tuple[str, ...]) -> list[str]:
    lines = requirement_lines(REPO_ROOT / "requirements.txt") + requirement_lines(
        REPO_ROOT / "requirements-dev.txt"
    )
    pins = {line.split("==")[0].lower(): line for line in lines}
    missing = [name for name in names if name not in pins]
    assert not missing, f"not pinned in the requirement files: {missing}"
    return [pins[name] for name in names]


def environment_for(version: str, python: str) -> Path:
    """A cached venv for ``version`` with the torch-free packages at the book's pins."""
    pins = pinned(TORCH_FREE_PACKAGES)
    key = hashlib.sha256("\n".join(pins).encode()).hexdigest()[:12]
    venv = REPO_ROOT / f".venv-py{version.replace('.', '')}"
    stamp = venv / f".installed-{key}"
    if not stamp.exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run(pip + pins, check=True, capture_output=True)
        subprocess.run(
            pip + ["--no-deps", "-e", str(REPO_ROOT)], check=True, capture_output=True
        )
        stamp.touch()
    return venv


@pytest.mark.parametrize("version", VERSIONS)
def test_torch_free_tests_and_chapters_run_under(version):
    python = interpreter(version)
    if python is None:
        pytest.skip(
            f"NO PYTHON {version} ON THIS MACHINE: the book was not run under it here"
        )
    targets = torch_free_tests()
    assert len(targets) >= 3, f"too few torch-free tests to mean anything: {targets}"
    venv = environment_for(version, python)
    result = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            *targets,
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    tail = "\n".join(result.stdout.splitlines()[-30:])
    assert result.returncode == 0, (
        f"under Python {version}:\n{tail}\n{result.stderr[-2000:]}"
    )
