"""requirements.txt pins exactly, and binder/ installs the same versions (with CPU-only torch)."""

import re

from conftest import REPO_ROOT


def pins(path) -> dict[str, str]:
    """``{normalised name: version}`` for each ``name==version`` line; options and comments skipped."""
    result = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith(("-", "--")):
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)==([^\s;]+)", line)
        assert match, f"{path.name}: '{line}' is not an exact pin (name==version)"
        name = re.sub(r"[-_.]+", "-", match[1]).lower()
        result[name] = match[2]
    return result


def test_requirements_are_exact_pins():
    reader = pins(REPO_ROOT / "requirements.txt")
    for required in (
        "jupyter-book",
        "numpy",
        "matplotlib",
        "sympy",
        "torch",
        "nbval",
        "pytest",
        "ipykernel",
    ):
        assert required in reader, f"requirements.txt does not pin {required}"
    assert reader["jupyter-book"] == "1.0.4.post1"
    assert reader["torch"] == "2.13.0", (
        "torch must be pinned to 2.13.0 (the CPU wheel available here)"
    )


def test_binder_pins_match_requirements():
    reader = pins(REPO_ROOT / "requirements.txt")
    binder = pins(REPO_ROOT / "binder" / "requirements.txt")
    assert set(binder) == set(reader), f"differ: {sorted(set(binder) ^ set(reader))}"
    for name, version in reader.items():
        if name == "torch":
            assert binder[name] == f"{version}+cpu", (
                "binder must take the CPU-only torch build"
            )
        else:
            assert binder[name] == version, (
                f"{name}: binder pins {binder[name]}, requirements.txt {version}"
            )


def test_binder_uses_the_cpu_wheel_index_and_python_311():
    text = (REPO_ROOT / "binder" / "requirements.txt").read_text()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in text
    assert (REPO_ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"


def test_dev_requirements_build_on_the_reader_ones():
    dev = (REPO_ROOT / "requirements-dev.txt").read_text()
    assert "-r requirements.txt" in dev
    pins(REPO_ROOT / "requirements-dev.txt")  # every other line is an exact pin
