"""Gradescope-ready autograder zips: their requirements install what a chapter needs.

Chapter 4 needs numpy, sympy, matplotlib and torch.  The test builds its autograder
zip, checks that ``environment.yml`` (what the zip's ``setup.sh`` installs on
Gradescope) and ``requirements.txt`` pin them, with PyTorch's CPU index line before
torch, then creates a clean virtual environment, installs the zip's
``requirements.txt`` into it and grades, with *that* environment's otter and the
zip's own entry point (``otter.run.run_autograder.main`` on a folder shaped like
Gradescope's ``/autograder``: ``source/`` = the unzipped zip, ``submission/``,
``results/``), the solutions (full marks) and the untouched student notebook (0).

The PyTorch index (``--extra-index-url https://download.pytorch.org/whl/cpu``) is
unreachable from the test machine: the test **strips that line** before ``pip install``
and torch==2.13.0 comes from the local package mirror.  Docker, conda/mamba and
Gradescope itself are not tested.  The install is slow (minutes): that test is in
``make test-platforms``; the check of the pins is in ``make test``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from coursework_releases import assigned_releases

import coursework
from coursework.requirements import TORCH_CPU_INDEX

REPO_ROOT = Path(__file__).resolve().parent.parent
CHAPTER = REPO_ROOT / "book" / "ch4_three_implementations.ipynb"
NEEDED = ("numpy", "sympy", "matplotlib", "torch")


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """Chapter 4's release (the session's shared one)."""
    assigned = assigned_releases(tmp_path_factory, [CHAPTER.stem])[CHAPTER.stem]
    assert assigned.release is not None, assigned.error
    return assigned.release


def _zip_text(release, name: str) -> str:
    with zipfile.ZipFile(release.autograder_zip) as zf:
        return zf.read(name).decode()


def test_autograder_zip_pins_what_the_chapter_needs(release):
    lines = _zip_text(release, "requirements.txt").splitlines()
    env = yaml.safe_load(_zip_text(release, "environment.yml"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    for listed in (lines, pip):
        names = {line.split("==")[0] for line in listed}
        assert set(NEEDED) <= names, listed
        assert listed[0] == TORCH_CPU_INDEX, "the CPU index must come first"
        assert [p for p in listed if p.startswith("otter-grader")] == [
            "otter-grader[grading,plugins]==7.0.0"
        ], listed
        assert "jupyterlab" not in names, "grading needs no JupyterLab"


def _venv(folder: Path, requirements: list[str]) -> Path:
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(folder)], check=True)
    req = folder / "requirements.txt"
    # the PyTorch index is unreachable here: torch==2.13.0 comes from the local mirror
    req.write_text("\n".join(r for r in requirements if r != TORCH_CPU_INDEX) + "\n")
    result = subprocess.run(
        [str(folder / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(req)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return folder / "bin" / "python"


def _gradescope_run(python: Path, release, notebook: Path, folder: Path) -> dict:
    """Scores per question from the zip's run_autograder logic on ``notebook``."""
    for sub in ("source", "submission", "results"):
        (folder / sub).mkdir(parents=True)
    with zipfile.ZipFile(release.autograder_zip) as zf:
        zf.extractall(folder / "source")
    (folder / "submission" / release.student_notebook.name).write_bytes(
        notebook.read_bytes()
    )
    env = {
        "PATH": f"{python.parent}:/usr/bin:/bin",
        "HOME": str(folder),
        "PYTHONWARNINGS": "ignore",
    }
    code = "import sys; from otter.run.run_autograder import main; main(sys.argv[1])"
    result = subprocess.run(
        [str(python), "-c", code, str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    path = folder / "results" / "results.json"
    assert path.is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    scores: dict[str, float] = {}
    for test in json.loads(path.read_text())["tests"]:
        if test.get("name") != "Public Tests" and "score" in test:
            question = test["name"].split(" - ")[0]
            scores[question] = scores.get(question, 0.0) + float(test["score"])
    return scores


@pytest.mark.platforms
def test_a_clean_venv_from_the_zip_grades_solutions_full_and_blank_zero(
    release, tmp_path
):
    python = _venv(
        tmp_path / "venv", _zip_text(release, "requirements.txt").splitlines()
    )
    check = subprocess.run(
        [str(python), "-c", "import numpy, sympy, matplotlib, torch, otter"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    possible = coursework.autograder_questions(release.autograder_zip)
    full = _gradescope_run(python, release, release.autograder_notebook, tmp_path / "a")
    blank = _gradescope_run(python, release, release.student_notebook, tmp_path / "b")
    assert full == possible, f"solutions: {full}, possible {possible}"
    assert set(blank) == set(possible) and not any(blank.values()), blank
