"""What a trusted verdict needs, read from the instructor's files only.

:func:`plan` reads which names each question's answer cells bind (:mod:`ast` of the
solution cells of ``<stem>.ipynb`` next to the autograder zip), which of them the tests
read, the reference cells (the ``exercise-setup`` cells and the exercises with the
solutions) and the OK-format tests of the autograder zip.
"""

from __future__ import annotations

import ast
import doctest
import functools
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .exercise_slice import is_setup_cell
from .submission import ANSWER_TAG


def _bound_names(source: str) -> set[str]:
    """Names a cell binds at top level (not inside functions), imports left out."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()

    def visit(statements):
        for node in statements:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
                continue
            if isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    names.add(sub.id)
            for block in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, block, None)
                if isinstance(inner, list):
                    visit([n for n in inner if isinstance(n, ast.stmt)])

    visit(tree.body)
    return {n for n in names if n != "_"}


def _read_names(spec: dict) -> set[str]:
    names = set()
    for suite in spec.get("suites", []):
        for case in suite.get("cases", []):
            examples = doctest.DocTestParser().get_examples(case["code"])
            source = "".join(e.source for e in examples)
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return names


def _question_of(cells, index: int) -> str | None:
    for cell in cells[index:]:
        if cell.cell_type == "code" and cell.source.lstrip().startswith(
            "grader.check("
        ):
            return cell.source.split('"')[1] if '"' in cell.source else None
    return None


def _test_specs(autograder_zip: Path) -> dict[str, dict]:
    specs = {}
    with zipfile.ZipFile(autograder_zip) as zf:
        for name in sorted(zf.namelist()):
            if (
                name.startswith("tests/")
                and name.endswith(".py")
                and name.count("/") == 1
            ):
                namespace: dict = {}
                exec(compile(zf.read(name).decode(), name, "exec"), namespace)
                if namespace.get("OK_FORMAT"):
                    specs[namespace["test"]["name"]] = namespace["test"]
    return specs


@dataclass
class Plan:
    """What the trusted verdict needs, read from the instructor's files only."""

    reference_cells: list[dict]
    tests: dict[str, dict]
    names: dict[str, list[str]]  # question -> answer names its tests read
    bound: list[str]  # every name an answer cell binds
    unsafe: set[str] = field(default_factory=set)  # questions that must stay in kernel
    #: each answer name's kind in the reference run, and per question whether handing
    #: the reference answers over reproduces full points (filled by the first run)
    kinds: dict[str, str] | None = None
    calibrated: dict[str, bool] = field(default_factory=dict)


def solutions_notebook(autograder_zip: Path) -> Path | None:
    """``<stem>.ipynb`` next to the autograder zip: the solutions (``otter assign``)."""
    autograder_zip = Path(autograder_zip)
    stem = autograder_zip.name.removesuffix("-autograder.zip")
    path = autograder_zip.parent / f"{stem}.ipynb"
    return path if path.is_file() else None


@functools.lru_cache(maxsize=16)
def _cached_plan(template: str, autograder_zip: str, mtimes: tuple) -> Plan | None:
    solutions_path = solutions_notebook(Path(autograder_zip))
    if solutions_path is None:
        return None
    tpl = nbformat.read(template, as_version=4)
    sol = nbformat.read(solutions_path, as_version=4)
    by_id = {c.get("id"): c for c in sol.cells}
    tests = _test_specs(Path(autograder_zip))
    answers = {}  # answer cell id -> question
    for i, cell in enumerate(tpl.cells):
        if ANSWER_TAG in cell.metadata.get("tags", []):
            answers[cell.get("id")] = _question_of(tpl.cells, i)
    if not answers or not all(a in by_id for a in answers) or not tests:
        return None
    owner, after_first, reference = {}, False, []
    for i, cell in enumerate(sol.cells):
        if cell.cell_type != "code" or "grader." in cell.source:
            continue
        is_answer = cell.get("id") in answers
        after_first = after_first or is_answer
        if not (after_first or is_setup_cell(cell)):
            continue
        role = "answer" if is_answer else ("exercise" if after_first else "setup")
        reference.append(
            {"source": cell.source, "label": f"reference cell {i}", "role": role}
        )
        # owner: the question of an answer cell; None: an instructor cell among the
        # exercises; "": a set-up cell (the last cell binding a name wins)
        who = answers[cell.get("id")] if is_answer else (None if after_first else "")
        owner.update(dict.fromkeys(_bound_names(cell.source), who))
    names, unsafe = {}, set()
    for q, spec in tests.items():
        read = _read_names(spec)
        names[q] = sorted(n for n in read if owner.get(n, "") not in ("", None))
        # a name the tests read that an instructor cell among the exercises binds
        # would come from the reference run: grade that question in the kernel
        if any(n in owner and owner[n] is None for n in read):
            unsafe.add(q)
    bound = sorted(n for n, q in owner.items() if q)
    return Plan(reference, tests, names, bound, unsafe)


def plan(template: Path, autograder_zip: Path) -> Plan | None:
    """The :class:`Plan` of a chapter (None: no solutions notebook, trust nothing)."""
    template, autograder_zip = Path(template).resolve(), Path(autograder_zip).resolve()
    solutions = solutions_notebook(autograder_zip)
    mtimes = tuple(
        p.stat().st_mtime_ns for p in (template, autograder_zip, solutions) if p
    )
    return _cached_plan(str(template), str(autograder_zip), mtimes)
