"""Checking a master before it becomes an assignment: :func:`validate_master`."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import yaml

from . import markers
from .errors import CourseworkError
from .exercise_slice import EXERCISE_SETUP_TAG, untagged_setup
from .master import Question, parse_questions, read_config


def _config_problems(config: dict, stem: str) -> list[str]:
    problems = []
    if config.get("name") != stem:
        problems.append(
            f"the ASSIGNMENT CONFIG 'name' must be the notebook stem {stem!r} "
            f"(found {config.get('name')!r}); it ties submissions to this autograder"
        )
    if not (config.get("tests") or {}).get("files"):
        problems.append(
            "set 'tests: files: true' in the ASSIGNMENT CONFIG "
            "(grading then survives a renamed notebook)"
        )
    export = config.get("export_cell", True)
    if export is not False and not (
        isinstance(export, dict) and export.get("pdf") is False
    ):
        problems.append(
            "set 'export_cell: pdf: false' (or 'export_cell: false'); "
            "the default PDF export needs LaTeX"
        )
    for key in ("solutions_pdf", "template_pdf"):
        if config.get(key):
            problems.append(f"'{key}' needs LaTeX; remove it")
    return problems


def _support_file_problems(nb: nbformat.NotebookNode, config: dict) -> list[str]:
    """Files the code uses (the package, MNIST, quizzes) missing from ``files:``."""
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    files = [str(f).rstrip("/") for f in config.get("files") or []]
    needed = []
    if re.search(r"\bsigmoidbook\b", code):
        needed.append("sigmoidbook")
    if re.search(r"\bload_mnist\b|data/mnist", code):
        needed.append("data")
    needed += sorted(set(re.findall(r"""["'](quizzes/[\w.\-]+\.json)["']""", code)))
    missing = [f for f in needed if f not in files]
    if not missing:
        return []
    return [
        f"the student release needs {missing}: add them under 'files:' "
        "in the ASSIGNMENT CONFIG"
    ]


def _test_cell_problems(q: Question, i: int, cell) -> list[str]:
    where = f"question {q.name}, test cell {i}"
    problems = []
    if cell.get("outputs"):
        problems.append(
            f"{where} has output; tests must print nothing "
            "(otter compares printed output)"
        )
    try:
        body = ast.parse(markers.test_body(cell.source))
    except SyntaxError as err:
        return [*problems, f"{where}: {err}"]
    for node in body.body:
        if isinstance(node, ast.Expr):
            problems.append(
                f"{where}, line {node.lineno}: a bare expression. otter runs each "
                "test line as a doctest, so its printed value (even "
                "torch.manual_seed(1)'s Generator) must match nothing and the test "
                'fails: write `_ = ...` or `assert ..., "hint"`'
            )
    return problems


def _question_problems(nb: nbformat.NotebookNode, q: Question) -> list[str]:
    problems = []
    if not q.test_cells:
        problems.append(f"question {q.name} has no test cell")
    if not any(not hidden for _, hidden in q.test_cells):
        problems.append(
            f"question {q.name} has no public test: students cannot "
            "check their work with grader.check"
        )
    if not q.solution_cells:
        problems.append(f"question {q.name} has no solution cell")
    for i in q.solution_cells:
        cell = nb.cells[i]
        if cell.cell_type == "code" and not markers.has_solution_markers(cell.source):
            problems.append(
                f"question {q.name}, cell {i}: solution cell without "
                "'# BEGIN SOLUTION' / '# END SOLUTION' or '# SOLUTION' markers; otter "
                "would copy it verbatim into the student notebook"
            )
    for i, _ in q.test_cells:
        problems += _test_cell_problems(q, i, nb.cells[i])
    return problems


def _questions_problems(
    nb: nbformat.NotebookNode, questions: list[Question]
) -> list[str]:
    if not questions:
        return ["no '# BEGIN QUESTION' block"]
    names = [q.name for q in questions]
    problems = [
        f"question name {dup!r} is used twice"
        for dup in sorted({n for n in names if names.count(n) > 1})
    ]
    for q in questions:
        problems += _question_problems(nb, q)
    problems += [
        f"question {question}, cell {i} reads {name!r}, which only cell {source} "
        f"defines; tag cell {source} '{EXERCISE_SETUP_TAG}' (the exercises are "
        "graded on the tagged cells and the exercises alone)"
        for question, i, name, source in untagged_setup(nb)
    ]
    return problems


def validate_master(path: Path) -> list[str]:
    """Problems that stop this master from becoming a safe assignment (empty: fine).

    Each problem starts with the notebook's file name and says what to change.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    try:
        config = read_config(nb)
        questions = parse_questions(nb)
    except (CourseworkError, yaml.YAMLError) as err:
        return [f"{path.name}: {err}"]
    problems = (
        _config_problems(config, path.stem)
        + _support_file_problems(nb, config)
        + _questions_problems(nb, questions)
    )
    return [f"{path.name}: {p}" for p in problems]
