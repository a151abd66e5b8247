"""``requirements.txt`` for a student release: what its notebook and support code import.

The modules imported by the student notebook's code cells and by the ``.py`` files
shipped beside it are mapped to their installed distributions
(:func:`importlib.metadata.packages_distributions`) and pinned to the versions of this
environment (the book's pinned one).  The standard library and the release's own
modules (``sigmoidbook``, support files) are left out; ``otter-grader`` (for
``grader.check``) is always in.

The autograder zip gets the same pins (:func:`autograder_requirements`: no JupyterLab,
otter's grading extras, PyTorch's CPU index when torch is pinned) in its
``environment.yml`` (what Gradescope's image build installs) and ``requirements.txt``.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import zipfile
from pathlib import Path

import nbformat
import yaml

from .errors import CourseworkError

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


#: pip's option line that makes ``torch==X`` the CPU build (PyPI's Linux wheel pulls
#: several GB of CUDA packages).
TORCH_CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"
#: What the autograder does not need of a student's requirements (no JupyterLab).
_NOT_FOR_GRADING = frozenset({"jupyterlab"})
#: otter-grader as the autograder zip's own ``environment.yml`` installs it.
_OTTER_EXTRAS = "otter-grader[grading,plugins]"


def autograder_requirements(student_dir: Path) -> list[str]:
    """The lines of an autograder's ``requirements.txt``: the release's pins (without
    JupyterLab), otter-grader with its grading extras, and, when torch is pinned,
    :data:`TORCH_CPU_INDEX` first."""
    pins = []
    for pin in requirements(student_dir):
        name, _, version = pin.partition("==")
        if name.lower() in _NOT_FOR_GRADING:
            continue
        pins.append(f"{_OTTER_EXTRAS}=={version}" if name == "otter-grader" else pin)
    if any(p.lower().startswith("torch==") for p in pins):
        pins.insert(0, TORCH_CPU_INDEX)
    return pins


def add_to_autograder(autograder_zip: Path, lines: list[str]) -> None:
    """Make an autograder zip install ``lines`` on Gradescope (or any Docker image
    built by its ``setup.sh``): they become the pip list of its ``environment.yml``
    (with otter-grader) and its ``requirements.txt`` (for ``pip install -r``)."""
    path = Path(autograder_zip)
    tmp = path.with_suffix(".tmp")
    with (
        zipfile.ZipFile(path) as src,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        names = src.namelist()
        if "environment.yml" not in names:
            raise CourseworkError(
                f"{path.name} has no environment.yml to add requirements to"
            )
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "environment.yml":
                data = _environment_with(data.decode(), lines).encode()
            if info.filename != "requirements.txt":
                dst.writestr(info, data)
        dst.writestr("requirements.txt", "\n".join(lines) + "\n")
    tmp.replace(path)


def _environment_with(text: str, lines: list[str]) -> str:
    env = yaml.safe_load(text)
    deps = env.setdefault("dependencies", [])
    pip = next((d for d in deps if isinstance(d, dict) and "pip" in d), None)
    if pip is None:
        pip = {"pip": []}
        deps.append(pip)
    ours = {line.split("==")[0].split("[")[0].lower() for line in lines}
    kept = [p for p in pip["pip"] if p.split("==")[0].split("[")[0].lower() not in ours]
    pip["pip"] = [*kept, *lines]
    return yaml.safe_dump(env, sort_keys=False)
