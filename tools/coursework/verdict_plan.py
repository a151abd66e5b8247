"""What a trusted verdict needs, read from the instructor's files only.

:func:`plan` reads which names each question's answer cells bind (:mod:`ast` of the
solution cells of ``<stem>.ipynb`` next to the autograder zip), which of them the tests
read, the reference cells (the ``exercise-setup`` cells and the exercises with the
solutions) and the OK-format tests of the autograder zip.

What the first grading of a chapter measures (each answer's kind, which questions the
hand-over reproduces: :attr:`Plan.kinds`, :attr:`Plan.calibrated`) is cached on disk
(:func:`cache_dir`), keyed by a hash of the *content* of the autograder zip, the
solutions and student notebooks and this package's source, so that another process
(a pytest-xdist worker, a regrade, ``make grade`` again) does not measure it again.
"""

from __future__ import annotations

import ast
import contextlib
import doctest
import fcntl
import functools
import hashlib
import json
import os
import tempfile
import time
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
    #: question -> the names its tests read that an instructor cell among the exercises
    #: computed (from the student's answers) in the sandbox, handed over like answers
    sandboxed: dict[str, list[str]] = field(default_factory=dict)
    #: each answer name's kind in the reference run, and per question whether handing
    #: the reference answers over reproduces full points (filled by the first run)
    kinds: dict[str, str] | None = None
    calibrated: dict[str, bool] = field(default_factory=dict)
    cache_key: str = ""  # see :func:`save_calibration`


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
    names, sandboxed = {}, {}
    for q, spec in tests.items():
        read = _read_names(spec)
        names[q] = sorted(n for n in read if n in owner and owner[n] != "")
        # a name the tests read that an instructor cell among the exercises binds
        # (e.g. a network trained with the student's answers) is what that cell
        # computed in the sandbox: handed over like an answer
        if computed := sorted(n for n in read if n in owner and owner[n] is None):
            sandboxed[q] = computed
    bound = sorted(n for n, q in owner.items() if q is not None and q != "")
    bound = sorted({*bound, *(n for ns in sandboxed.values() for n in ns)})
    the_plan = Plan(reference, tests, names, bound, sandboxed=sandboxed)
    the_plan.cache_key = _content_key(
        Path(template), Path(autograder_zip), solutions_path
    )
    cached = _read_cache(the_plan.cache_key)
    if cached is not None:
        the_plan.kinds, the_plan.calibrated = cached
    return the_plan


def cache_dir() -> Path:
    """``$COURSEWORK_CACHE_DIR``, else ``$XDG_CACHE_HOME/sigmoidbook/calibration``
    (default ``~/.cache``): outside every sandbox's view (``$HOME`` is hidden)."""
    if os.environ.get("COURSEWORK_CACHE_DIR"):
        return Path(os.environ["COURSEWORK_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sigmoidbook" / "calibration"


def _content_key(template: Path, autograder_zip: Path, solutions: Path) -> str:
    digest = hashlib.sha256()
    with zipfile.ZipFile(autograder_zip) as zf:
        for name in sorted(zf.namelist()):  # names and bytes, not timestamps
            digest.update(
                name.encode() + b"\0" + hashlib.sha256(zf.read(name)).digest()
            )
    for path in (solutions, template, *sorted(Path(__file__).parent.glob("*.py"))):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _read_cache(key: str):
    try:
        data = json.loads((cache_dir() / f"{key}.json").read_text())
        kinds, calibrated = data["kinds"], data["calibrated"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (isinstance(kinds, dict) and isinstance(calibrated, dict)):
        return None
    return kinds, {q: v is True for q, v in calibrated.items()}


def save_calibration(the_plan: Plan) -> None:
    """Write the plan's measured kinds to the cache (write, then rename: a reader never
    sees half a file).  A cache that cannot be written is skipped."""
    if not the_plan.cache_key or the_plan.kinds is None:
        return
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"kinds": the_plan.kinds, "calibrated": the_plan.calibrated})
        with tempfile.NamedTemporaryFile(
            "w", dir=folder, suffix=".part", delete=False
        ) as f:
            f.write(data)
        os.replace(f.name, folder / f"{the_plan.cache_key}.json")
    except OSError:
        return


@contextlib.contextmanager
def calibration_turn(the_plan: Plan, deadline: float):
    """Yields whether this grading must calibrate ``the_plan``.

    A chapter is calibrated by one grading at a time (threads and processes sharing
    :func:`cache_dir`): while one calibrates, holding ``<cache key>.lock``, the others
    wait for it (until ``deadline``, :func:`time.monotonic`; then TimeoutError) and
    read its calibration from the cache.  The lock file is removed when released.
    """
    if the_plan.kinds is not None or not the_plan.cache_key:
        yield the_plan.kinds is None
        return
    path = cache_dir() / f"{the_plan.cache_key}.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = _locked(path, deadline)
    except TimeoutError:
        raise
    except OSError:  # no lock to be had: calibrate, as without a cache
        yield True
        return

    def release():
        if not handle.closed:
            with contextlib.suppress(OSError):
                path.unlink()  # before unlocking: a waiter then sees a stale file
            handle.close()

    try:
        if the_plan.kinds is None and (cached := _read_cache(the_plan.cache_key)):
            the_plan.kinds, the_plan.calibrated = cached
        if the_plan.kinds is not None:
            release()  # nothing to calibrate: the others need not wait
        yield the_plan.kinds is None
    finally:
        release()


def _locked(path: Path, deadline: float):
    """``path`` opened and flock-ed (a file removed meanwhile by its holder is opened
    again); raises TimeoutError at ``deadline``."""
    while True:
        handle = open(path, "a")  # noqa: SIM115 (closed by calibration_turn)
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise TimeoutError from None
                    time.sleep(0.2)
            try:
                same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
            except FileNotFoundError:
                same = False
            if same:
                return handle
        except BaseException:
            handle.close()
            raise
        handle.close()  # the holder removed it: lock the new one


def plan(template: Path, autograder_zip: Path) -> Plan | None:
    """The :class:`Plan` of a chapter (None: no solutions notebook, trust nothing)."""
    template, autograder_zip = Path(template).resolve(), Path(autograder_zip).resolve()
    solutions = solutions_notebook(autograder_zip)
    mtimes = tuple(
        p.stat().st_mtime_ns for p in (template, autograder_zip, solutions) if p
    )
    return _cached_plan(str(template), str(autograder_zip), mtimes)
