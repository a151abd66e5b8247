"""``python -m sigmoidbook.colab``: install what a chapter needs that Colab lacks.

A chapter's first cell, where the book's package is missing (Colab, or the notebook
opened on its own), installs the package without its dependencies and then runs this
module. It installs, at the versions the book pins (read from this package's own
metadata, so there is one list of pins: ``requirements.txt``), only the packages a
chapter imports at run time *and* that are missing. It never installs or replaces
PyTorch, NumPy or matplotlib: Colab's own builds (with its GPU support) stay.
Building the website or grading needs the full environment (``make venv``), not this.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import subprocess
import sys

__all__ = ["RUNTIME_PACKAGES", "missing_requirements", "main"]

#: Distribution name -> module a chapter imports. Only these are ever installed here.
RUNTIME_PACKAGES = {
    "jupyterquiz": "jupyterquiz",
    "threadpoolctl": "threadpoolctl",
    "plotly": "plotly",
    "sympy": "sympy",
    "tqdm": "tqdm",
    "ipywidgets": "ipywidgets",
}
#: Never installed by this module, whatever is missing.
NEVER = ("torch", "numpy", "matplotlib")


def pinned_requirements() -> dict[str, str]:
    """``{name: "name==version"}`` of this package's own pinned dependencies."""
    pins = {}
    for requirement in importlib.metadata.requires("sigmoidbook") or []:
        if ";" in requirement:  # an extra's requirement, e.g. the test suite's
            continue
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;]+)\s*", requirement)
        if match:
            pins[match[1].lower().replace("_", "-")] = f"{match[1]}=={match[2]}"
    return pins


def missing_requirements() -> list[str]:
    """The pinned run-time requirements whose module cannot be imported here."""
    pins = pinned_requirements()
    missing = []
    for name, module in RUNTIME_PACKAGES.items():
        if name in NEVER or importlib.util.find_spec(module) is not None:
            continue
        if name not in pins:
            raise RuntimeError(f"the book's requirements do not pin {name}")
        missing.append(pins[name])
    return missing


def main() -> int:
    missing = missing_requirements()
    if not missing:
        return 0
    print("Installing what this chapter needs:", ", ".join(missing))
    command = [sys.executable, "-m", "pip", "install", "--quiet", *missing]
    if subprocess.run(command).returncode != 0:
        print(
            "Could not install " + ", ".join(missing) + ". This needs the internet.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
