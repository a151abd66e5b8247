"""The fast grading path: the ``exercise-setup`` cells plus everything from the exercises on.

A chapter tags ``exercise-setup`` every code cell *before its first question* that the
exercises need (imports, set-up, definitions, data they read).  Grading the slice (those
cells plus every cell from the first ``# BEGIN QUESTION`` on) skips the rest, e.g. a
training run of minutes that only the prose uses.  Hidden state (a random stream a
dropped cell consumed) can make a slice disagree with the whole notebook; callers
therefore keep the whole notebook as the judge (``tests/test_coursework_chapters.py``
re-grades it whole, with a warning, when the slice does not give full / zero marks).

:func:`untagged_setup` finds the simple mistake: an exercise reading a name that only an
untagged cell before the exercises defines.
"""

from __future__ import annotations

import re
import symtable
from pathlib import Path

import nbformat

from .errors import CourseworkError
from .master import first_question_cell, parse_questions

EXERCISE_SETUP_TAG = "exercise-setup"


def is_setup_cell(cell) -> bool:
    """True for a code cell tagged ``exercise-setup``."""
    return cell.cell_type == "code" and EXERCISE_SETUP_TAG in cell.get(
        "metadata", {}
    ).get("tags", [])


def _outside_indices(nb: nbformat.NotebookNode) -> list[int]:
    first = first_question_cell(nb)
    if first is None:
        return []
    return [
        i
        for i, cell in enumerate(nb.cells[:first])
        if cell.cell_type == "code" and not is_setup_cell(cell)
    ]


def outside_slice(nb: nbformat.NotebookNode) -> set[str]:
    """Ids of the code cells before the first question that are not ``exercise-setup``.

    Empty for a notebook without questions (nothing to grade, nothing to skip).
    """
    ids = set()
    for i in _outside_indices(nb):
        if "id" not in nb.cells[i]:
            raise CourseworkError(
                f"cell {i} has no id: the exercise slice needs cell ids (nbformat >= 4.5)"
            )
        ids.add(nb.cells[i]["id"])
    return ids


def drop_cells(nb_path: Path, drop_ids: set[str], dest: Path) -> Path:
    """Write ``nb_path`` without the cells whose ids are in ``drop_ids`` to ``dest``."""
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells = [c for c in nb.cells if c.get("id") not in drop_ids]
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest


def _global_names(source: str) -> tuple[set[str], set[str]] | None:
    """(names a cell binds globally, global names it reads and does not bind).

    Scoping comes from :mod:`symtable`; a name both bound and read in the cell counts as
    bound (order is not checked).  None if the cell does not parse or star-imports.
    """
    code = "\n".join(
        "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )
    if re.search(r"\bimport\s+\*", code):
        return None
    try:
        table = symtable.symtable(code, "<cell>", "exec")
    except SyntaxError:
        return None
    binds = {
        s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported()
    }
    reads = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    tables = list(table.get_children())
    while tables:
        child = tables.pop()
        tables += child.get_children()
        for s in child.get_symbols():
            if s.is_declared_global() and s.is_assigned():
                binds.add(s.get_name())
            elif s.is_global() and s.is_referenced():
                reads.add(s.get_name())
    return binds, reads - binds


def untagged_setup(nb: nbformat.NotebookNode) -> list[tuple[str, int, str, int]]:
    """``(question, cell, name, defining cell)`` for each exercise cell that reads a name
    which only a code cell before the exercises *without* the ``exercise-setup`` tag
    defines (so the exercise slice would lack it).

    Deliberately lenient: a name defined anywhere in the slice, or nowhere in the
    notebook (builtins, IPython), is never reported; nor is anything when a cell of the
    slice does not parse or star-imports.
    """
    outside = set(_outside_indices(nb))
    names = {
        i: _global_names(c.source)
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code"
    }
    if any(names[i] is None for i in names if i not in outside):
        return []
    in_slice = set().union(*(names[i][0] for i in names if i not in outside))
    defined_outside = {
        name: i for i in sorted(outside) if names[i] for name in names[i][0]
    }
    found = []
    for q in parse_questions(nb):
        for i in q.cells:
            if i not in names:
                continue
            for name in sorted(names[i][1] - in_slice):
                if name in defined_outside:
                    found.append((q.name, i, name, defined_outside[name]))
    return found
