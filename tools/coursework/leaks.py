"""The leak check: no solution line and no hidden test may reach a student release."""

from __future__ import annotations

import ast
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


def _solution_split(i: int, cell) -> tuple[set[str], dict[str, str]]:
    """(visible lines, {secret line: where}) of one solution cell."""
    if cell.cell_type == "code":
        secret_lines = markers.solution_lines(cell.source)
    else:
        secret_lines = cell.source.splitlines()
    visible = {
        s
        for line in cell.source.splitlines()
        if line not in secret_lines
        and not markers.SOLUTION_SUFFIX.match(line)
        and (s := _significant(line))
    }
    secret = {
        s: f"solution line of cell {i}"
        for s in _significant_lines("\n".join(secret_lines))
    }
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


def _test_file_statements(test_file: Path) -> set[str] | None:
    """Statements of an OK-format test file's cases; None if a case is hidden."""
    namespace: dict = {}
    exec(compile(test_file.read_text(), str(test_file), "exec"), namespace)
    statements: set[str] = set()
    for suite in namespace["test"]["suites"]:
        for case in suite["cases"]:
            if case.get("hidden"):
                return None
            code = "\n".join(
                line[4:]
                for line in case["code"].splitlines()
                if line[:4] in (">>> ", "... ")
            )
            statements |= _code_statements(code)
    return statements


def _release_text(student_dir: Path) -> tuple[set[str], set[str], list[str]]:
    """(lines, statements, problems) of every notebook and test file of a release."""
    lines: set[str] = set()
    statements: set[str] = set()
    for nb_path in Path(student_dir).rglob("*.ipynb"):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            lines |= _significant_lines(cell.source)
            if cell.cell_type == "code":
                statements |= _code_statements(cell.source)
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
