"""The leak check: no solution line and no hidden test may reach a student release."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat

from . import markers
from .master import parse_questions


def _significant(line: str) -> str | None:
    """Normalised line, or None if too generic to count as a leak (blank, comment, `)`)."""
    text = " ".join(line.split())
    if (
        len(text.replace(" ", "")) < 6
        or text.startswith("#")
        or text in {"...", "pass", "return"}
    ):
        return None
    return text


def _significant_lines(source: str) -> set[str]:
    return {s for line in source.splitlines() if (s := _significant(line))}


def _code_statements(source: str) -> set[str]:
    """Top-level statements of some Python code, normalised by ``ast.unparse``."""
    cleaned = "\n".join(
        "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )
    try:
        tree = ast.parse(cleaned)
    except SyntaxError:
        return set()
    return {ast.unparse(node) for node in tree.body}


_HEADER = re.compile(r"^\s*(async\s+def|def|class)\b")
_SCAFFOLD = re.compile(r"^\s*(@|#|\.\.\.$|pass$|(async\s+def|def|class)\b)")
_DOCSTRING = re.compile(r"""^\s*[rRbBuU]?("{3}|'{3})""")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _solution_marks(lines: list[str]) -> list[bool]:
    """Per line of a marked solution cell: is it a solution line (or a block marker)?"""
    marks, inside = [], False
    for line in lines:
        if markers.BEGIN_SOLUTION.match(line) or markers.END_SOLUTION.match(line):
            inside = bool(markers.BEGIN_SOLUTION.match(line))
            marks.append(True)
        else:
            marks.append(inside or bool(markers.SOLUTION_SUFFIX.match(line)))
    return marks


def _scaffold_flags(lines: list[str]) -> list[bool]:
    """Per line: blank, comment, docstring, decorator, ``def``/``class`` header,
    ``...`` or ``pass`` (what a student may see of a function to complete)."""
    flags, quote = [], None
    for line in lines:
        text = line.strip()
        if quote is not None:
            flags.append(True)
            quote = None if quote in text else quote
            continue
        if m := _DOCSTRING.match(line):
            quote = None if text.count(m.group(1)) >= 2 else m.group(1)
            flags.append(True)
            continue
        flags.append(not text or bool(_SCAFFOLD.match(line)))
    return flags


def _function_bodies(lines: list[str]) -> list[list[int]]:
    """Line indices of each ``def``/``class`` body (indented below its header)."""
    bodies = []
    for h, header in enumerate(lines):
        if not _HEADER.match(header):
            continue
        body = []
        for j in range(h + 1, len(lines)):
            text = lines[j].strip()
            if (
                text
                and not text.startswith("#")
                and _indent(lines[j]) <= _indent(header)
            ):
                break
            body.append(j)
        bodies.append(body)
    return bodies


def unmarked_answer_lines(source: str) -> list[str]:
    """Unmarked lines of a marked solution cell that can only be part of the answer.

    otter copies a solution cell's unmarked lines into the student notebook, so an
    answer line someone forgot to mark reaches the student.  Given code (a prompt, a
    set-up line, a "not answered yet" check) cannot be told from a forgotten answer
    line in general (a set-up line may even sit between two solution lines at the top
    level); one kind can: a line *inside a function, between two of its solution
    lines*.  That function is the answer, and nothing given belongs in its middle.

    Blank lines, comments, docstrings, decorators, headers, ``...`` and ``pass`` never
    count.  A cell without markers is all solution already; it returns ``[]``.
    """
    lines = source.splitlines()
    if not markers.has_solution_markers(source):
        return []
    marks, scaffold = _solution_marks(lines), _scaffold_flags(lines)
    found = set()
    for body in _function_bodies(lines):
        inside = [j for j in body if marks[j]]
        if inside:
            found |= {
                j
                for j in body
                if inside[0] < j < inside[-1] and not marks[j] and not scaffold[j]
            }
    return [lines[j] for j in sorted(found)]


def _solution_split(i: int, cell) -> tuple[set[str], dict[str, str]]:
    """(visible lines, {secret line: where}) of one solution cell."""
    if cell.cell_type == "code":
        secret_lines = markers.solution_lines(cell.source)
        unmarked = set(unmarked_answer_lines(cell.source))
    else:
        secret_lines, unmarked = cell.source.splitlines(), set()
    visible = {
        s
        for line in cell.source.splitlines()
        if line not in secret_lines
        and line not in unmarked
        and not markers.SOLUTION_SUFFIX.match(line)
        and (s := _significant(line))
    }
    secret = {
        s: f"solution line of cell {i}"
        for s in _significant_lines("\n".join(secret_lines))
    }
    for line in unmarked:
        if s := _significant(line):
            secret.setdefault(s, f"unmarked answer line in solution cell {i}")
    return visible, secret


def _master_lines(nb, questions) -> tuple[set[str], dict[str, str]]:
    """(lines legitimately visible, {solution line: where}) of a master."""
    solution_idx = {i for q in questions for i in q.solution_cells}
    hidden_idx = {i for q in questions for i, hidden in q.test_cells if hidden}
    allowed: set[str] = set()
    secret: dict[str, str] = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "raw" or i in hidden_idx:
            continue  # hidden tests are checked statement by statement
        if i in solution_idx:
            visible, cell_secret = _solution_split(i, cell)
            allowed |= visible
            for line, where in cell_secret.items():
                secret.setdefault(line, where)
        else:
            allowed |= _significant_lines(cell.source)
    return allowed, secret


def _master_statements(nb, questions) -> tuple[set[str], dict[str, int]]:
    """(statements visible anyway, {hidden-test statement: cell}) of a master."""
    test_idx = {i: hidden for q in questions for i, hidden in q.test_cells}
    public = set().union(
        *[
            _code_statements(c.source)
            for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and i not in test_idx
        ]
    )
    hidden_statements: dict[str, int] = {}
    for i, hidden in test_idx.items():
        statements = _code_statements(markers.test_body(nb.cells[i].source))
        if not hidden:
            public |= statements
            continue
        for statement in statements:
            hidden_statements.setdefault(statement, i)
    return public, hidden_statements


def _spec_statements(test: dict) -> set[str] | None:
    """Statements of an OK-format test's cases; None if a case is hidden.

    A case without a ``hidden`` key counts as hidden, as otter reads it.
    """
    statements: set[str] = set()
    for suite in test["suites"]:
        for case in suite["cases"]:
            if case.get("hidden", True):
                return None
            code = "\n".join(
                line[4:]
                for line in case["code"].splitlines()
                if line[:4] in (">>> ", "... ")
            )
            statements |= _code_statements(code)
    return statements


def _test_file_statements(test_file: Path) -> set[str] | None:
    """Statements of an OK-format test file's cases; None if a case is hidden."""
    namespace: dict = {}
    exec(compile(test_file.read_text(), str(test_file), "exec"), namespace)
    return _spec_statements(namespace["test"])


def _metadata_tests(nb_path: Path, nb) -> tuple[set[str], list[str]]:
    """(statements, problems) of the tests stored in a notebook's metadata
    (``metadata.otter.tests``, where a notebook downloaded alone keeps its checks)."""
    tests = nb.metadata.get("otter", {}).get("tests") or {}
    if not isinstance(tests, dict):
        return set(), [f"{nb_path}: metadata otter.tests is not a mapping"]
    statements: set[str] = set()
    for name, test in tests.items():
        if not isinstance(test, dict):  # otter's exception format: code we cannot read
            return set(), [f"{nb_path}: metadata test {name} is not an OK-format test"]
        found = _spec_statements(test)
        if found is None:
            return set(), [f"{nb_path}: metadata test {name} has a hidden test case"]
        statements |= found
    return statements, []


def _release_text(student_dir: Path) -> tuple[set[str], set[str], list[str]]:
    """(lines, statements, problems) of every notebook (cells and the tests in its
    metadata) and test file of a release."""
    lines: set[str] = set()
    statements: set[str] = set()
    for nb_path in sorted(Path(student_dir).rglob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            lines |= _significant_lines(cell.source)
            if cell.cell_type == "code":
                statements |= _code_statements(cell.source)
        found, problems = _metadata_tests(nb_path, nb)
        if problems:
            return lines, statements, problems
        statements |= found
    for test_file in sorted(Path(student_dir).glob("tests/*.py")):
        found = _test_file_statements(test_file)
        if found is None:
            return lines, statements, [f"{test_file}: contains a hidden test case"]
        statements |= found
    return lines, statements, []


def find_leaks(master: Path, student_dir: Path) -> list[str]:
    """Solution lines and hidden tests of ``master`` that appear in the student release."""
    nb = nbformat.read(master, as_version=4)
    questions = parse_questions(nb)
    allowed, secret = _master_lines(nb, questions)
    public, hidden = _master_statements(nb, questions)
    student_lines, student_statements, problems = _release_text(student_dir)
    if problems:
        return problems
    leaks = [
        f"{where}: {line}"
        for line, where in secret.items()
        if line not in allowed and line in student_lines
    ]
    leaks += [
        f"hidden test in cell {i}: {statement}"
        for statement, i in hidden.items()
        if statement not in public
        and statement in student_statements
        and not statement.startswith(("import ", "from "))
    ]
    return leaks
