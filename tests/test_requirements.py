"""The requirement files pin exactly, agree with each other, and are what
pyproject.toml installs.

No version is written here: the files are the one list (CONTRIBUTING says how to
bump a pin); these tests check the rules that keep them consistent.
"""

import re
import tomllib

import pytest
from packaging.specifiers import SpecifierSet

PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;#]+)")


def requirement_lines(path) -> list[str]:
    """The lines of a requirements file that are not blank or comments."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def pins(path) -> dict[str, str]:
    """``{normalised name: version}``; any line that is not ``name==version`` fails,
    except pip options (``--extra-index-url``), which only binder/ may use."""
    result = {}
    for line in requirement_lines(path):
        if line.startswith("-") and path.parent.name == "binder":
            continue
        match = PIN.fullmatch(line)
        assert match, f"{path.name}: '{line}' is not an exact pin (name==version)"
        name = re.sub(r"[-_.]+", "-", match[1]).lower()
        assert name not in result, f"{path.name}: {name} is pinned twice"
        result[name] = match[2]
    return result


@pytest.fixture(scope="module")
def reader(repo_root):
    return pins(repo_root / "requirements.txt")


@pytest.fixture(scope="module")
def dev(repo_root):
    return pins(repo_root / "requirements-dev.txt")


@pytest.fixture(scope="module")
def pyproject(repo_root):
    return tomllib.loads((repo_root / "pyproject.toml").read_text())


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-dev.txt"])
def test_reader_and_dev_files_are_only_exact_pins(repo_root, name):
    """pyproject.toml reads both files as requirement lists, which cannot hold pip
    options such as ``-r`` or ``--extra-index-url`` (``pins`` fails on them)."""
    assert pins(repo_root / name), f"{name} pins nothing"


def test_dev_file_adds_to_the_reader_file_without_repeating_it(reader, dev):
    """The test extra is installed together with the reader's dependencies, so a
    package in both files could only be a second, possibly different, pin."""
    assert not set(dev) & set(reader), (
        f"pinned in both files: {sorted(set(dev) & set(reader))}"
    )


def test_binder_pins_equal_the_reader_pins_with_cpu_only_torch(repo_root, reader):
    binder = pins(repo_root / "binder" / "requirements.txt")
    assert set(binder) == set(reader), (
        f"only in one of requirements.txt and binder/: {sorted(set(binder) ^ set(reader))}"
    )
    for name, version in reader.items():
        expected = f"{version}+cpu" if name == "torch" else version
        assert binder[name] == expected, (
            f"{name}: binder/ pins {binder[name]}, requirements.txt implies {expected}"
        )


def test_binder_takes_torch_from_the_cpu_index(repo_root):
    options = [
        line
        for line in requirement_lines(repo_root / "binder" / "requirements.txt")
        if line.startswith("-")
    ]
    assert options == ["--extra-index-url https://download.pytorch.org/whl/cpu"], (
        f"binder/requirements.txt options: {options}"
    )


def test_binder_python_is_one_the_package_supports(repo_root, pyproject):
    runtime = (repo_root / "binder" / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(\d+\.\d+)", runtime)
    assert match, f"binder/runtime.txt is {runtime!r}, not python-X.Y"
    supported = SpecifierSet(pyproject["project"]["requires-python"])
    assert f"{match[1]}.0" in supported, (
        f"binder runs Python {match[1]}, pyproject.toml requires {supported}"
    )


def test_pyproject_takes_its_dependencies_from_the_requirement_files(pyproject):
    project = pyproject["project"]
    assert "dependencies" not in project and "optional-dependencies" not in project, (
        "pyproject.toml lists dependencies itself: they belong in the requirement files"
    )
    assert {"dependencies", "optional-dependencies"} <= set(project["dynamic"])
    dynamic = pyproject["tool"]["setuptools"]["dynamic"]
    assert dynamic["dependencies"] == {"file": ["requirements.txt"]}
    assert dynamic["optional-dependencies"]["test"] == {
        "file": ["requirements-dev.txt"]
    }


def test_make_venv_installs_the_test_extra(repo_root):
    """``make test`` needs the dev pins, which come only through the ``test`` extra."""
    makefile = (repo_root / "Makefile").read_text()
    assert re.search(r"pip install .*-e \"?\.\[test\]\"?", makefile), (
        'the Makefile\'s venv target must `pip install -e ".[test]"`'
    )
