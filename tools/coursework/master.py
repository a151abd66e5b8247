"""Reading a master notebook: is it one, its ASSIGNMENT CONFIG, its questions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from . import markers
from .errors import CourseworkError

#: Folders of ``book/`` that hold no masters.
_SKIP_DIRS = frozenset({".ipynb_checkpoints", "_build", "data"})


def is_master(path: Path) -> bool:
    """True if the notebook's first cell is a raw cell starting ``# ASSIGNMENT CONFIG``."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # not a readable notebook: not a master
        return False
    return (
        bool(nb.cells)
        and nb.cells[0].cell_type == "raw"
        and nb.cells[0].source.lstrip().startswith(markers.CONFIG_HEADER)
    )


def find_masters(book_dir: Path) -> list[Path]:
    """Every master notebook under ``book_dir`` (checkpoints and build output skipped)."""
    book_dir = Path(book_dir)
    if not book_dir.is_dir():
        raise CourseworkError(f"{book_dir} is not a directory")
    return sorted(
        p
        for p in book_dir.rglob("*.ipynb")
        if not _SKIP_DIRS & set(p.relative_to(book_dir).parts) and is_master(p)
    )


def read_config(nb: nbformat.NotebookNode) -> dict:
    """The YAML of the ``# ASSIGNMENT CONFIG`` cell as a dict."""
    source = nb.cells[0].source.lstrip()
    config = yaml.safe_load(source[len(markers.CONFIG_HEADER) :]) or {}
    if not isinstance(config, dict):
        raise CourseworkError("the ASSIGNMENT CONFIG cell must hold a YAML mapping")
    return config


@dataclass
class Question:
    """One ``# BEGIN QUESTION`` ... ``# END QUESTION`` block of a master."""

    name: str
    points: object = None
    solution_cells: list[int] = field(default_factory=list)  # indices into nb.cells
    test_cells: list[tuple[int, bool]] = field(default_factory=list)  # (index, hidden)
    cells: list[int] = field(default_factory=list)  # every cell index in the block


def _begin_question(source: str, index: int) -> Question:
    body = source.strip().split("\n", 1)
    config = yaml.safe_load(body[1] if len(body) > 1 else "") or {}
    if not isinstance(config, dict) or "name" not in config:
        raise CourseworkError(
            f"cell {index}: a BEGIN QUESTION cell needs a 'name:' line"
        )
    return Question(name=str(config["name"]), points=config.get("points"))


class _QuestionParser:
    """Walks the cells once, tracking the open question and the open block in it."""

    def __init__(self) -> None:
        self.questions: list[Question] = []
        self.current: Question | None = None
        self.block: str | None = None

    def marker(self, index: int, cell, action: str, kind: str) -> None:
        if kind == "QUESTION" and action == "BEGIN":
            if self.current is not None:
                raise CourseworkError(
                    f"cell {index}: BEGIN QUESTION inside question "
                    f"{self.current.name!r}"
                )
            self.current = _begin_question(cell.source, index)
            self.questions.append(self.current)
            self.current.cells.append(index)
        elif self.current is None:
            raise CourseworkError(
                f"cell {index}: {action} {kind} outside a question block"
                if kind != "QUESTION"
                else f"cell {index}: END QUESTION without BEGIN QUESTION"
            )
        elif kind == "QUESTION":  # END QUESTION
            self.current.cells.append(index)
            self.current, self.block = None, None
        else:
            self.current.cells.append(index)
            self.block = kind if action == "BEGIN" else None

    def content(self, index: int, cell) -> None:
        if self.current is None:
            return
        self.current.cells.append(index)
        if self.block == "SOLUTION":
            self.current.solution_cells.append(index)
        elif self.block == "TESTS" and cell.cell_type == "code":
            hidden = bool(markers.test_config(cell.source).get("hidden", False))
            self.current.test_cells.append((index, hidden))


def parse_questions(nb: nbformat.NotebookNode) -> list[Question]:
    """The questions of a master, with the cells in each block (raw-cell format only)."""
    parser = _QuestionParser()
    for index, cell in enumerate(nb.cells):
        marker = markers.raw_block(cell.source) if cell.cell_type == "raw" else None
        if marker:
            parser.marker(index, cell, *marker)
        else:
            parser.content(index, cell)
    if parser.current is not None:
        raise CourseworkError(
            f"question {parser.current.name!r} has no END QUESTION cell"
        )
    return parser.questions


def first_question_cell(nb: nbformat.NotebookNode) -> int | None:
    """Index of the first ``# BEGIN QUESTION`` cell (None: no question)."""
    questions = parse_questions(nb)
    return min(q.cells[0] for q in questions) if questions else None
