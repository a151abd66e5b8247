"""A chapter opened on its own, as in Colab, sets itself up and runs top to bottom.

Simulated here, offline: a bare folder holds only the chapter notebook; a virtual
environment holds only what Colab has (NumPy, matplotlib, SymPy, PyTorch, plotly,
tqdm, ipywidgets, the kernel), not the book's package, its quiz files, MNIST or
jupyterquiz. ``SIGMOIDBOOK_SOURCE`` points the first cell's install at this checkout
and ``SIGMOIDBOOK_FILES`` the downloads at its ``book/`` folder, where on Colab they
would come from the repository. Every chapter must run with no error, and the
set-up must fail with a clear message when it cannot download anything.

The install source is a snapshot of the checkout's package files in a temporary
folder: pip builds a local folder in place, and setuptools would leave ``build/``
(whose stale copies of deleted modules would then be installed too) in the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import BOOK_DIR, REPO_ROOT

#: `make test-platforms` (and CI), not `make test`: these build other environments.
pytestmark = pytest.mark.platforms

#: What Colab has that the chapters use (its versions differ; ours are pinned).
COLAB_PACKAGES = (
    "numpy",
    "matplotlib",
    "sympy",
    "torch",
    "plotly",
    "tqdm",
    "ipywidgets",
)
KERNEL_PACKAGES = ("ipykernel", "nbclient", "nbformat")
#: What a chapter's first cell installs; removed before each chapter (a fresh runtime).
INSTALLED_BY_SET_UP = ("sigmoidbook", "jupyterquiz", "threadpoolctl")
#: What building the package from a folder needs (pyproject.toml names the rest).
SOURCE_FILES = (
    "pyproject.toml",
    "requirements.txt",
    "requirements-dev.txt",
    "README.md",
    "LICENSE.md",
)
SOURCE_PACKAGES = ("book/sigmoidbook", "tools/coursework")
CHAPTERS = sorted(BOOK_DIR.glob("ch*.ipynb"))

RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


def pins(names):
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    found = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name = line.split("==")[0].lower()
            found[name] = line
    return [found.get(name, name) for name in names]


@pytest.fixture(scope="module")
def colab_python(tmp_path_factory):
    """A cached venv with only Colab's packages (and a kernel to run notebooks)."""
    wanted = pins(COLAB_PACKAGES) + list(KERNEL_PACKAGES)
    key = hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:12]
    venv = REPO_ROOT / ".venv-colab"
    stamp = venv / f".installed-{key}"
    if not stamp.exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        install = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
        subprocess.run(install + wanted, check=True, capture_output=True)
        stamp.touch()
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def checkout_source(tmp_path_factory):
    """The checkout's package, copied to a folder pip may build in (see the module doc)."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCE_FILES:
        shutil.copy(REPO_ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in SOURCE_PACKAGES:
        shutil.copytree(REPO_ROOT / folder, source / folder, ignore=ignore)
    return source


def fresh_runtime(python):
    """Uninstall what a chapter's first cell installs: each chapter must do it itself."""
    subprocess.run(
        [str(python), "-m", "pip", "uninstall", "-y", "-q", *INSTALLED_BY_SET_UP],
        capture_output=True,
    )


def colab_env(tmp_path, source):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTHON", "VIRTUAL_ENV"))
    }
    env.update(
        SIGMOIDBOOK_SOURCE=str(source),
        SIGMOIDBOOK_FILES=str(REPO_ROOT / "book"),
        SIGMOIDBOOK_CACHE=str(tmp_path / "cache"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def run_alone(python, notebook, folder, env):
    shutil.copy(notebook, folder / notebook.name)
    return subprocess.run(
        [str(python), "-c", RUN_NOTEBOOK, str(folder / notebook.name), str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize("notebook", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_chapter_runs_alone_as_in_colab(
    colab_python, checkout_source, notebook, tmp_path
):
    folder = tmp_path / "content"
    folder.mkdir()
    fresh_runtime(colab_python)
    env = colab_env(tmp_path, checkout_source)
    result = run_alone(colab_python, notebook, folder, env)
    assert result.returncode == 0, (
        f"{notebook.name} alone, Colab-like:\n{result.stderr[-4000:]}"
    )
    assert sorted(p.name for p in folder.iterdir()) == [notebook.name], (
        "the chapter wrote files next to itself; downloads belong in the cache"
    )
    quiz = BOOK_DIR / "quizzes" / f"{notebook.stem}.json"
    if quiz.exists():  # the chapter's quiz came from the download, not the checkout
        cached = tmp_path / "cache" / "quizzes" / quiz.name
        assert cached.read_bytes() == quiz.read_bytes(), (
            f"{notebook.name} did not fetch its quiz into the cache"
        )


def test_set_up_says_what_is_wrong_when_offline(colab_python, tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    fresh_runtime(colab_python)
    env = colab_env(tmp_path, "git+https://127.0.0.1:9/no-such-repository")
    env["PIP_NO_INDEX"] = "1"
    result = run_alone(colab_python, CHAPTERS[0], folder, env)
    assert result.returncode != 0
    assert "needs the internet" in result.stderr, result.stderr[-3000:]


def test_first_cell_does_nothing_inside_the_repository():
    """In the repository (and Binder) the package is importable: no install runs."""
    config = yaml.safe_load((REPO_ROOT / "_config.yml").read_text())["repository"]
    repository = f"{config['url']}@{config['branch']}"
    for notebook in CHAPTERS:
        first = next(
            c
            for c in json.loads(notebook.read_text())["cells"]
            if c["cell_type"] == "code"
        )
        source = "".join(first["source"])
        assert f'BOOK = "git+{repository}"' in source, (
            f"{notebook.name}: the first cell must install from {repository} (_config.yml)"
        )
        assert 'find_spec("sigmoidbook") is None' in source, (
            f"{notebook.name}: the first code cell must install the package only where "
            "it is missing"
        )
        assert not any(o.get("output_type") == "stream" for o in first["outputs"]), (
            f"{notebook.name}: the set-up cell printed something in the repository"
        )
