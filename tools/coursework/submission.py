"""What is graded of a submission: only its answer cells, in the instructor's notebook.

:func:`read_submission` finds the notebook of a submission (an ``.ipynb`` of any letter
case, or a ``.zip`` with extra files or nested folders) and :func:`merge_answers`
copies the student's *answer cells* (the cells otter tags ``otter_answer_cell`` in the
release, matched by cell id, else by their order) into the instructor's student
notebook.  Every other cell (set-up, prose, ``grader.check``), the kernel name, the
tests, the support files and the ``sigmoidbook`` package therefore come from the
instructor: nothing else a submission ships is ever run or imported.
"""

from __future__ import annotations

import copy
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import CourseworkError

ANSWER_TAG = "otter_answer_cell"


class SubmissionError(CourseworkError):
    """A submission that cannot be graded; the message goes into the report."""


def _is_answer(cell) -> bool:
    return ANSWER_TAG in cell.get("metadata", {}).get("tags", [])


def _notebook_names(zf: zipfile.ZipFile) -> list[str]:
    return sorted(
        n
        for n in zf.namelist()
        if n.lower().endswith(".ipynb")
        and "__MACOSX" not in n
        and ".ipynb_checkpoints" not in n
    )


def _read_zip(path: Path, stem: str) -> nbformat.NotebookNode:
    try:
        with zipfile.ZipFile(path) as zf:
            names = _notebook_names(zf)
            if not names:
                raise SubmissionError(f"unreadable file: no .ipynb inside {path.name}")
            # the chapter's notebook if there is one, else the only one
            chosen = [n for n in names if Path(n).stem.lower() == stem.lower()]
            if not chosen and len(names) > 1:
                raise SubmissionError(
                    f"unreadable file: {path.name} holds {len(names)} notebooks and "
                    f"none is {stem}.ipynb: {', '.join(names)}"
                )
            text = zf.read((chosen or names)[0]).decode("utf-8")
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError) as err:
        raise SubmissionError(f"unreadable file: {path.name}: {err}") from err
    return _parse(text, path.name)


def _parse(text: str, name: str) -> nbformat.NotebookNode:
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat raises many kinds for a broken notebook
        raise SubmissionError(
            f"unreadable file: {name} is not a notebook ({err})"
        ) from err


def read_submission(path: Path, stem: str) -> nbformat.NotebookNode:
    """The notebook of a submission (``.ipynb`` or ``.zip``, any letter case).

    Raises :class:`SubmissionError` ("unreadable file: ...") if there is none.
    """
    path = Path(path)
    if path.suffix.lower() == ".zip":
        return _read_zip(path, stem)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SubmissionError(f"unreadable file: {path.name}: {err}") from err
    return _parse(text, path.name)


def _assignment(nb) -> str | None:
    return nb.get("metadata", {}).get("otter", {}).get("assignment_name")


def merge_answers(
    template: nbformat.NotebookNode, submitted: nbformat.NotebookNode
) -> tuple[nbformat.NotebookNode, list[str]]:
    """``(graded notebook, notes)``: ``template`` with ``submitted``'s answer cells.

    An answer cell is matched by id, else (when the submission tags as many answer
    cells as the template) by position; an unmatched one stays blank and is noted.
    Raises :class:`SubmissionError` ("wrong chapter: ...") when the submission belongs
    to another assignment or shares no answer cell with the template.
    """
    expected, got = _assignment(template), _assignment(submitted)
    if expected and got and expected != got:
        raise SubmissionError(f"wrong chapter: the notebook is {got}, not {expected}")
    merged = copy.deepcopy(template)
    by_id = {
        c.get("id"): c for c in submitted.cells if c.cell_type == "code" and c.get("id")
    }
    tagged = [c for c in submitted.cells if c.cell_type == "code" and _is_answer(c)]
    slots = [i for i, c in enumerate(merged.cells) if _is_answer(c)]
    notes, matched = [], 0
    for n, i in enumerate(slots):
        cell = merged.cells[i]
        source = by_id.get(cell.get("id"))
        if source is None and len(tagged) == len(slots):
            source = tagged[n]
        if source is None:
            notes.append(f"answer cell {n + 1} (cell id {cell.get('id')}) not found")
            continue
        matched += 1
        cell.source = source.source
    if slots and not matched:
        raise SubmissionError(
            f"wrong chapter: none of the {len(slots)} answer cells of "
            f"{expected or 'this assignment'} is in the notebook"
        )
    return merged, notes


_SKIP_PARTS = frozenset({"__MACOSX", ".ipynb_checkpoints", "__pycache__"})
_KINDS = (".ipynb", ".zip")


@dataclass
class Submission:
    """One thing to grade: a file (or a student folder without a notebook: ``error``)."""

    path: Path
    student: str
    error: str = ""
    root: Path | None = None  # the folder of all submissions (hidden from each)


def _gradable(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in _KINDS


def _student_id(name: str) -> str:
    """A student id from a file or folder name: Moodle's ``Name_123_assignsubmission``
    and Canvas's ``name_123_456_file`` keep their first part before ``_assignsubmission``."""
    return name.split("_assignsubmission")[0]


def find_submissions(folder: Path) -> list[Submission]:
    """Every submission in ``folder``: its ``.ipynb``/``.zip`` files (any letter case) and
    the ones anywhere in its subfolders (one per student, as LMS downloads are).

    A subfolder with no notebook or zip is returned with an ``error``: never skipped.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseworkError(f"submissions folder {folder} does not exist")
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in _SKIP_PARTS:
            continue
        if _gradable(entry):
            found.append(Submission(entry, _student_id(entry.stem)))
        elif entry.is_dir():
            inner = sorted(
                p
                for p in entry.rglob("*")
                if _gradable(p)
                and not _SKIP_PARTS & set(p.relative_to(entry).parts)
                and not any(part.startswith(".") for part in p.relative_to(entry).parts)
            )
            student = _student_id(entry.name)
            found += [Submission(p, student) for p in inner] or [
                Submission(
                    entry, student, "unreadable file: no .ipynb or .zip in the folder"
                )
            ]
    if not found:
        raise CourseworkError(f"no .ipynb or .zip submissions in {folder}")
    for sub in found:
        sub.root = folder
    return found
