"""otter-grader 7's markers: the one definition, for the assign side and the website.

A master notebook (CONTRIBUTING.md, "Coursework format") marks its blocks with raw
cells (``# BEGIN QUESTION`` ... ``# END QUESTION``, ``# BEGIN SOLUTION``, ``# BEGIN
TESTS``, ...) and, inside a solution code cell, the lines otter replaces: a block
between ``# BEGIN SOLUTION`` / ``# END SOLUTION`` comment lines, or one line ending
``# SOLUTION``.  A test cell may open with a ``\"\"\" # BEGIN TEST CONFIG`` ...
``\"\"\" # END TEST CONFIG`` header (YAML: ``hidden: true``, ``points``, ...).

This module imports nothing heavy: ``book/_ext/coursework_site.py`` uses it during the
website build.
"""

from __future__ import annotations

import re

import yaml

from .errors import CourseworkError

#: The first line of a master's first (raw) cell.
CONFIG_HEADER = "# ASSIGNMENT CONFIG"

RAW_BLOCK = re.compile(
    r"^#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT)\b", re.IGNORECASE
)
BEGIN_SOLUTION = re.compile(r"^\s*#\s*BEGIN SOLUTION( NO PROMPT)?\s*$")
END_SOLUTION = re.compile(r"^\s*#\s*END SOLUTION\s*$")
SOLUTION_SUFFIX = re.compile(r"^(?P<code>.*?)\s*# ?SOLUTION( NO PROMPT)?\s*$")
TEST_CONFIG_BEGIN = re.compile(r'^\s*"""\s*#\s*BEGIN TEST CONFIG', re.IGNORECASE)
TEST_CONFIG_END = re.compile(r'^\s*"""\s*#\s*END TEST CONFIG', re.IGNORECASE)


def raw_block(source: str) -> tuple[str, str] | None:
    """``("BEGIN", "QUESTION")`` etc. for a raw marker cell's source, else None."""
    match = RAW_BLOCK.match(source.strip())
    return (match.group(1).upper(), match.group(2).upper()) if match else None


def _is_block_edge(line: str) -> bool:
    return bool(BEGIN_SOLUTION.match(line) or END_SOLUTION.match(line))


def has_solution_markers(source: str) -> bool:
    """True if a code cell carries otter's solution markers (block or suffix)."""
    return any(
        _is_block_edge(line) or SOLUTION_SUFFIX.match(line)
        for line in source.splitlines()
    )


def solution_lines(source: str) -> list[str]:
    """The lines of a solution code cell that otter removes from the student version.

    A cell with no markers at all is copied verbatim by otter, so all of it counts.
    """
    lines = source.splitlines()
    if not has_solution_markers(source):
        return lines
    out, inside = [], False
    for line in lines:
        if BEGIN_SOLUTION.match(line):
            inside = True
        elif END_SOLUTION.match(line):
            inside = False
        elif inside:
            out.append(line)
        elif match := SOLUTION_SUFFIX.match(line):
            out.append(match.group("code"))  # `x = 0.25  # SOLUTION` becomes `x = ...`
    return out


def strip_solution_markers(source: str) -> str:
    """The code as a reader should see it: without otter's marker comments."""
    lines = []
    for line in source.splitlines():
        if _is_block_edge(line):
            continue
        match = SOLUTION_SUFFIX.match(line)
        lines.append(match.group("code") if match else line)
    return "\n".join(lines)


def test_config(source: str) -> dict:
    """The YAML of a test cell's ``# BEGIN TEST CONFIG`` header (``{}`` without one)."""
    lines = source.splitlines()
    if not lines or not TEST_CONFIG_BEGIN.match(lines[0]):
        return {}
    for i, line in enumerate(lines[1:], start=1):
        if TEST_CONFIG_END.match(line):
            config = yaml.safe_load("\n".join(lines[1:i])) or {}
            if not isinstance(config, dict):
                raise CourseworkError("a TEST CONFIG block must hold a YAML mapping")
            return config
    raise CourseworkError("a test cell opens a TEST CONFIG block that is never closed")


def test_body(source: str) -> str:
    """A test cell's code without its ``\"\"\" # BEGIN TEST CONFIG`` header."""
    lines = source.splitlines()
    if lines and TEST_CONFIG_BEGIN.match(lines[0]):
        for i, line in enumerate(lines):
            if TEST_CONFIG_END.match(line):
                return "\n".join(lines[i + 1 :])
    return source
