#!/usr/bin/env python
"""Coursework from the chapter notebooks: student releases, autograders, grading.

Every chapter notebook in ``book/`` whose first cell is a raw ``# ASSIGNMENT CONFIG``
cell is an otter-grader 7 *master* notebook (CONTRIBUTING.md, "Coursework format").
This tool wraps ``otter assign`` and ``otter run`` so that an instructor needs two
commands and no Docker::

    python tools/coursework.py assign                  # every master -> dist/<stem>/
    python tools/coursework.py assign --verify         # ... and prove solutions score
                                                       #     full marks, blanks score zero
    python tools/coursework.py grade ch1_sigmoid_derivative submissions/ -o grades.csv

``assign`` writes, for each master ``book/<stem>.ipynb``::

    dist/<stem>/student/                the student release: notebook (solutions replaced by
                                        ``...``, public tests only) plus its support files
    dist/<stem>/<stem>-student.zip      the same folder, zipped, to hand out
    dist/<stem>/autograder/             instructor only: notebook with solutions, all tests
    dist/<stem>/autograder/<stem>-autograder.zip
                                        the autograder (hidden tests inside) used by ``grade``

It refuses to write a release that could leak: a solution cell without solution
markers, a test cell with output (OK-format tests compare printed output), a
solution line or a hidden test found in the student release.

``grade`` runs ``otter run`` (no containers: submissions execute in *this* Python
environment, with your permissions) on every ``.ipynb`` or ``.zip`` in a folder, in
parallel, and writes one CSV: ``submission, <question>..., total, possible, error``.

The functions are importable (``tests/test_coursework.py`` uses them); the
``dependency_slice`` helper lets the tests grade only the cells the exercises depend
on, so a chapter that trains a network for minutes is not re-trained just to check
its exercises.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BOOK_DIR = REPO_ROOT / "book"
DEFAULT_DIST_DIR = REPO_ROOT / "dist"

CONFIG_HEADER = "# ASSIGNMENT CONFIG"

#: Cell tags that only steer the website (Jupyter Book / myst-nb); removed from the
#: student notebook, where they mean nothing.
WEBSITE_TAGS = frozenset(
    {
        "hide-input",
        "hide-output",
        "hide-cell",
        "remove-input",
        "remove-output",
        "remove-cell",
        "full-width",
        "margin",
        "quoted-figures",
    }
)
#: Cells tagged ``website-only`` are dropped from the student notebook altogether.
WEBSITE_ONLY_TAG = "website-only"

_RAW_BLOCK = re.compile(
    r"^#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT)\b", re.IGNORECASE
)
_BEGIN_SOLUTION_COMMENT = re.compile(r"^\s*#\s*BEGIN SOLUTION( NO PROMPT)?\s*$")
_END_SOLUTION_COMMENT = re.compile(r"^\s*#\s*END SOLUTION\s*$")
_SOLUTION_SUFFIX = re.compile(r"^(?P<code>.*?)\s*# ?SOLUTION( NO PROMPT)?\s*$")
_TEST_CONFIG_BEGIN = re.compile(r'^\s*"""\s*#\s*BEGIN TEST CONFIG', re.IGNORECASE)
_TEST_CONFIG_END = re.compile(r'^\s*"""\s*#\s*END TEST CONFIG', re.IGNORECASE)


class CourseworkError(Exception):
    """A problem the instructor or chapter author must fix; the message says how."""


# --------------------------------------------------------------------------- masters


def is_master(path: Path) -> bool:
    """True if the notebook's first cell is a raw cell starting ``# ASSIGNMENT CONFIG``."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # not a readable notebook: not a master
        return False
    return (
        bool(nb.cells)
        and nb.cells[0].cell_type == "raw"
        and (nb.cells[0].source.lstrip().startswith(CONFIG_HEADER))
    )


def find_masters(book_dir: Path = DEFAULT_BOOK_DIR) -> list[Path]:
    """Every master notebook under ``book_dir`` (checkpoints and build output skipped)."""
    book_dir = Path(book_dir)
    if not book_dir.is_dir():
        raise CourseworkError(f"{book_dir} is not a directory")
    skip = {".ipynb_checkpoints", "_build", "data"}
    return sorted(
        p
        for p in book_dir.rglob("*.ipynb")
        if not skip & set(p.relative_to(book_dir).parts) and is_master(p)
    )


def read_config(nb: nbformat.NotebookNode) -> dict:
    """The YAML of the ``# ASSIGNMENT CONFIG`` cell as a dict."""
    source = nb.cells[0].source.lstrip()
    config = yaml.safe_load(source[len(CONFIG_HEADER) :]) or {}
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
    cells: list[int] = field(default_factory=list)  # every cell index inside the block


def _test_config(source: str) -> dict:
    lines = source.splitlines()
    if not lines or not _TEST_CONFIG_BEGIN.match(lines[0]):
        return {}
    for i, line in enumerate(lines[1:], start=1):
        if _TEST_CONFIG_END.match(line):
            return yaml.safe_load("\n".join(lines[1:i])) or {}
    raise CourseworkError("a test cell opens a TEST CONFIG block that is never closed")


def _test_body(source: str) -> str:
    """A test cell's code without its ``\"\"\" # BEGIN TEST CONFIG`` header."""
    lines = source.splitlines()
    if lines and _TEST_CONFIG_BEGIN.match(lines[0]):
        for i, line in enumerate(lines):
            if _TEST_CONFIG_END.match(line):
                return "\n".join(lines[i + 1 :])
    return source


def parse_questions(nb: nbformat.NotebookNode) -> list[Question]:
    """The questions of a master, with the cells in each block (raw-cell format only)."""
    questions: list[Question] = []
    current: Question | None = None
    block = None
    for i, cell in enumerate(nb.cells):
        marker = (
            _RAW_BLOCK.match(cell.source.strip()) if cell.cell_type == "raw" else None
        )
        if marker:
            action, kind = marker.group(1).upper(), marker.group(2).upper()
            if kind == "QUESTION":
                if action == "BEGIN":
                    if current is not None:
                        raise CourseworkError(
                            f"cell {i}: BEGIN QUESTION inside question {current.name!r}"
                        )
                    config = (
                        yaml.safe_load(
                            cell.source.strip().split("\n", 1)[1]
                            if "\n" in cell.source.strip()
                            else ""
                        )
                        or {}
                    )
                    if "name" not in config:
                        raise CourseworkError(
                            f"cell {i}: a BEGIN QUESTION cell needs a 'name:' line"
                        )
                    current = Question(
                        name=str(config["name"]), points=config.get("points")
                    )
                    questions.append(current)
                else:
                    if current is None:
                        raise CourseworkError(
                            f"cell {i}: END QUESTION without BEGIN QUESTION"
                        )
                    current.cells.append(i)
                    current, block = None, None
                    continue
            else:
                if current is None:
                    raise CourseworkError(
                        f"cell {i}: {action} {kind} outside a question block"
                    )
                block = kind if action == "BEGIN" else None
        if current is not None:
            current.cells.append(i)
            if not marker and block == "SOLUTION":
                current.solution_cells.append(i)
            elif not marker and block == "TESTS" and cell.cell_type == "code":
                config = _test_config(cell.source)
                hidden = bool(config.get("hidden", False))
                current.test_cells.append((i, hidden))
    if current is not None:
        raise CourseworkError(f"question {current.name!r} has no END QUESTION cell")
    return questions


def _has_solution_markers(source: str) -> bool:
    return any(
        _BEGIN_SOLUTION_COMMENT.match(line) or _SOLUTION_SUFFIX.match(line)
        for line in source.splitlines()
    )


def solution_lines(source: str) -> list[str]:
    """The lines of a solution code cell that otter removes from the student version.

    A cell with no markers at all is copied verbatim by otter, so all of it counts.
    """
    lines = source.splitlines()
    if not _has_solution_markers(source):
        return lines
    out, inside = [], False
    for line in lines:
        if _BEGIN_SOLUTION_COMMENT.match(line):
            inside = True
        elif _END_SOLUTION_COMMENT.match(line):
            inside = False
        elif inside:
            out.append(line)
        else:
            m = _SOLUTION_SUFFIX.match(line)
            if m:
                out.append(m.group("code"))  # `x = 0.25  # SOLUTION` becomes `x = ...`
    return out


def _significant(line: str) -> str | None:
    """Normalised line, or None if it is too generic to count as a leak (blank, comment, `)`)."""
    text = " ".join(line.split())
    if (
        len(text.replace(" ", "")) < 6
        or text.startswith("#")
        or text in {"...", "pass", "return"}
    ):
        return None
    return text


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


def validate_master(path: Path) -> list[str]:
    """Problems that stop this master from becoming a safe assignment (empty list: fine)."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    problems = []
    try:
        config = read_config(nb)
        questions = parse_questions(nb)
    except (CourseworkError, yaml.YAMLError) as err:
        return [f"{path.name}: {err}"]

    stem = path.stem
    if config.get("name") != stem:
        problems.append(
            f"{path.name}: the ASSIGNMENT CONFIG 'name' must be the notebook stem {stem!r} "
            f"(found {config.get('name')!r}); it ties submissions to this autograder"
        )
    if not (config.get("tests") or {}).get("files"):
        problems.append(
            f"{path.name}: set 'tests: files: true' in the ASSIGNMENT CONFIG "
            "(grading then survives a renamed notebook)"
        )
    export = config.get("export_cell", True)
    if export is not False and not (
        isinstance(export, dict) and export.get("pdf") is False
    ):
        problems.append(
            f"{path.name}: set 'export_cell: pdf: false' (or 'export_cell: false'); "
            "the default PDF export needs LaTeX"
        )
    for key in ("solutions_pdf", "template_pdf"):
        if config.get(key):
            problems.append(f"{path.name}: '{key}' needs LaTeX; remove it")

    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    files = [str(f).rstrip("/") for f in config.get("files") or []]
    needed = []
    if re.search(r"\bsigmoidbook\b", code):
        needed.append("sigmoidbook")
    if re.search(r"\bload_mnist\b|data/mnist", code):
        needed.append("data")
    needed += sorted(set(re.findall(r"""["'](quizzes/[\w.\-]+\.json)["']""", code)))
    missing = [f for f in needed if f not in files]
    if missing:
        problems.append(
            f"{path.name}: the student release needs {missing}: add them under 'files:' "
            "in the ASSIGNMENT CONFIG"
        )

    if not questions:
        problems.append(f"{path.name}: no '# BEGIN QUESTION' block")
    names = [q.name for q in questions]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{path.name}: question name {dup!r} is used twice")
    for q in questions:
        if not q.test_cells:
            problems.append(f"{path.name}: question {q.name} has no test cell")
        if not any(not hidden for _, hidden in q.test_cells):
            problems.append(
                f"{path.name}: question {q.name} has no public test: students cannot "
                "check their work with grader.check"
            )
        if not q.solution_cells:
            problems.append(f"{path.name}: question {q.name} has no solution cell")
        for i in q.solution_cells:
            cell = nb.cells[i]
            if cell.cell_type == "code" and not _has_solution_markers(cell.source):
                problems.append(
                    f"{path.name}: question {q.name}, cell {i}: solution cell without '# BEGIN SOLUTION' / "
                    "'# END SOLUTION' or '# SOLUTION' markers; otter would copy it verbatim into the "
                    "student notebook"
                )
        for i, _ in q.test_cells:
            cell = nb.cells[i]
            if cell.get("outputs"):
                problems.append(
                    f"{path.name}: question {q.name}, test cell {i} has output; tests must "
                    "print nothing (otter compares printed output)"
                )
            try:
                body = ast.parse(_test_body(cell.source))
            except SyntaxError as err:
                problems.append(f"{path.name}: question {q.name}, test cell {i}: {err}")
                continue
            for node in body.body:
                if isinstance(node, ast.Expr):
                    problems.append(
                        f"{path.name}: question {q.name}, test cell {i}, line {node.lineno}: a bare "
                        "expression. otter runs each test line as a doctest, so its printed value (even "
                        "torch.manual_seed(1)'s Generator) must match nothing and the test fails: write "
                        '`_ = ...` or `assert ..., "hint"`'
                    )
    return problems


# --------------------------------------------------------------------------- leaks


def find_leaks(master: Path, student_dir: Path) -> list[str]:
    """Solution lines and hidden tests of ``master`` that appear in the student release."""
    nb = nbformat.read(master, as_version=4)
    questions = parse_questions(nb)
    solution_idx = {i for q in questions for i in q.solution_cells}
    test_idx = {i: hidden for q in questions for i, hidden in q.test_cells}

    # Lines that are legitimately visible: code outside solutions and hidden tests.
    allowed: set[str] = set()
    secret: dict[str, str] = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "raw":
            continue
        if i in solution_idx:
            secret_lines = (
                solution_lines(cell.source)
                if cell.cell_type == "code"
                else cell.source.splitlines()
            )
            for line in cell.source.splitlines():
                if (
                    line not in secret_lines
                    and not _SOLUTION_SUFFIX.match(line)
                    and (s := _significant(line))
                ):
                    allowed.add(s)
            for line in secret_lines:
                if s := _significant(line):
                    secret.setdefault(s, f"solution line of cell {i}")
        elif i in test_idx and test_idx[i]:
            continue  # hidden tests are handled below, statement by statement
        else:
            allowed.update(
                s for line in cell.source.splitlines() if (s := _significant(line))
            )

    # statements visible anyway: public tests and every non-test code cell
    public_statements = set().union(
        *[
            _code_statements(c.source)
            for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and i not in test_idx
        ]
    )
    hidden_statements: dict[str, int] = {}
    for i, hidden in test_idx.items():
        statements = _code_statements(_test_body(nb.cells[i].source))
        if hidden:
            for s in statements:
                hidden_statements.setdefault(s, i)
        else:
            public_statements |= statements

    student_lines: set[str] = set()
    student_statements: set[str] = set()
    for nb_path in Path(student_dir).rglob("*.ipynb"):
        student = nbformat.read(nb_path, as_version=4)
        for cell in student.cells:
            student_lines.update(
                s for line in cell.source.splitlines() if (s := _significant(line))
            )
            if cell.cell_type == "code":
                student_statements |= _code_statements(cell.source)
    for test_file in Path(student_dir).glob("tests/*.py"):
        namespace: dict = {}
        exec(compile(test_file.read_text(), str(test_file), "exec"), namespace)
        for suite in namespace["test"]["suites"]:
            for case in suite["cases"]:
                if case.get("hidden"):
                    return [f"{test_file}: contains a hidden test case"]
                code = "\n".join(
                    l[4:]
                    for l in case["code"].splitlines()
                    if l[:4] in (">>> ", "... ")
                )
                student_statements |= _code_statements(code)

    leaks = [
        f"{where}: {line}"
        for line, where in secret.items()
        if line not in allowed and line in student_lines
    ]
    leaks += [
        f"hidden test in cell {i}: {statement}"
        for statement, i in hidden_statements.items()
        if statement not in public_statements
        and statement in student_statements
        and not statement.startswith(("import ", "from "))
    ]
    return leaks


# --------------------------------------------------------------------------- assign


@dataclass
class Release:
    """Where ``assign`` put one chapter's files."""

    master: Path
    out_dir: Path
    student_notebook: Path
    student_zip: Path
    autograder_notebook: Path
    autograder_zip: Path


def _otter(
    *args: str, cwd: Path | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess:
    """Run ``python -m otter ARGS`` from this interpreter, in its own process group."""
    cmd = [sys.executable, "-m", "otter", *args]
    env = {
        **os.environ,
        "PYTHONWARNINGS": "ignore",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the kernel otter started dies with it
        out, _ = proc.communicate()
        return subprocess.CompletedProcess(
            cmd, -9, out + f"\n[timed out after {timeout} s]", None
        )
    return subprocess.CompletedProcess(cmd, proc.returncode, out, None)


def strip_website_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop ``website-only`` cells and remove the website tags from the others (in place)."""
    nb.cells = [
        c
        for c in nb.cells
        if WEBSITE_ONLY_TAG not in c.get("metadata", {}).get("tags", [])
    ]
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags")
        if tags is not None:
            kept = [t for t in tags if t not in WEBSITE_TAGS]
            if kept:
                cell.metadata["tags"] = kept
            else:
                del cell.metadata["tags"]
    return nb


def _zip_dir(src: Path, dest: Path, prefix: str) -> None:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(src.rglob("*")):
            if f.is_file():
                zf.write(f, f"{prefix}/{f.relative_to(src)}")


def _drop_pycache_from_zip(path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    with (
        zipfile.ZipFile(path) as src,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if "__pycache__/" not in info.filename and not info.filename.endswith(
                ".pyc"
            ):
                dst.writestr(info, src.read(info))
    tmp.replace(path)


def _remove_release(out_dir: Path, stem: str) -> None:
    for sub in ("student", "autograder"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    (out_dir / f"{stem}-student.zip").unlink(missing_ok=True)


def assign(
    master: Path, dist_dir: Path = DEFAULT_DIST_DIR, validate: bool = True
) -> Release:
    """Run ``otter assign`` on one master into ``dist_dir/<stem>/`` and check the release.

    Raises :class:`CourseworkError` if the master is malformed (see
    :func:`validate_master`; ``validate=False`` skips that, for testing the later
    checks), otter fails, or the student release contains a solution line or a
    hidden test (the student folder is then deleted).
    """
    master = Path(master).resolve()
    problems = validate_master(master) if validate else []
    if problems:
        raise CourseworkError("\n".join(problems))
    stem = master.stem
    out_dir = Path(dist_dir).resolve() / stem
    _remove_release(
        out_dir, stem
    )  # (grades.csv and anything else of the instructor's stays)
    out_dir.mkdir(parents=True, exist_ok=True)
    # Tests run below, by us; otter's own run needs every support file in the zip
    result = _otter(
        "assign",
        "--no-run-tests",
        "--no-pdfs",
        str(master),
        str(out_dir),
        cwd=master.parent,
    )
    if result.returncode != 0:
        raise CourseworkError(
            f"otter assign failed for {master.name}:\n{result.stdout[-4000:]}"
        )

    student_dir = out_dir / "student"
    ag_dir = out_dir / "autograder"
    for pycache in list(student_dir.rglob("__pycache__")) + list(
        ag_dir.rglob("__pycache__")
    ):
        shutil.rmtree(pycache)
    student_nb_path = student_dir / master.name
    student_nb = nbformat.read(student_nb_path, as_version=4)
    nbformat.write(strip_website_cells(student_nb), student_nb_path)

    zips = sorted(ag_dir.glob("*-autograder_*.zip"))
    if len(zips) != 1:
        raise CourseworkError(
            f"otter assign made {len(zips)} autograder zips in {ag_dir}, expected 1"
        )
    autograder_zip = ag_dir / f"{stem}-autograder.zip"
    zips[0].replace(autograder_zip)
    _drop_pycache_from_zip(autograder_zip)

    leaks = find_leaks(master, student_dir)
    if leaks:
        _remove_release(
            out_dir, stem
        )  # never leave a leaking release where it could be handed out
        raise CourseworkError(
            f"{master.name}: the student release leaked (removed it):\n  "
            + "\n  ".join(leaks)
        )

    student_zip = out_dir / f"{stem}-student.zip"
    _zip_dir(student_dir, student_zip, stem)
    return Release(
        master,
        out_dir,
        student_nb_path,
        student_zip,
        ag_dir / master.name,
        autograder_zip,
    )


# --------------------------------------------------------------------------- grade


@dataclass
class Grade:
    """One submission's result: per-question scores, or an error."""

    submission: Path
    scores: dict[str, float]
    possible: dict[str, float]
    error: str = ""

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def autograder_questions(autograder_zip: Path) -> dict[str, float]:
    """``{question: points}`` read from the test files in an autograder zip."""
    questions = {}
    with zipfile.ZipFile(autograder_zip) as zf:
        for name in sorted(zf.namelist()):
            if re.fullmatch(r"tests/[^/]+\.py", name):
                namespace: dict = {}
                exec(compile(zf.read(name).decode(), name, "exec"), namespace)
                test = namespace["test"]
                points = test.get("points")
                if isinstance(points, list):
                    points = sum(points)
                if points is None:  # otter's default: one point per question
                    points = 1
                questions[test["name"]] = float(points)
    return questions


def grade_submission(
    submission: Path, autograder_zip: Path, timeout: float | None = None
) -> Grade:
    """Grade one ``.ipynb`` or ``.zip`` with ``otter run`` (no containers)."""
    submission = Path(submission).resolve()
    with tempfile.TemporaryDirectory(prefix="coursework-grade-") as tmp:
        result = _otter(
            "run",
            "--no-logo",
            "-a",
            str(Path(autograder_zip).resolve()),
            "-o",
            tmp,
            str(submission),
            cwd=tmp,
            timeout=timeout,
        )
        results_path = Path(tmp) / "results.json"
        if result.returncode != 0 or not results_path.is_file():
            lines = [
                line.strip() for line in result.stdout.splitlines() if line.strip()
            ]
            errors = [
                m.group(1)
                for line in lines
                if (m := re.match(r"(?:[\w.]+\.)?(\w*(?:Error|Exception)\b.*)", line))
            ]
            return Grade(
                submission,
                {},
                {},
                error="otter run failed: "
                + (errors[-1] if errors else " | ".join(lines[-3:])),
            )
        results = json.loads(results_path.read_text())
    scores, possible = {}, {}
    for test in results.get("tests", []):
        if "score" in test and "max_score" in test:
            scores[test["name"]] = float(test["score"])
            possible[test["name"]] = float(test["max_score"])
    return Grade(submission, scores, possible)


def find_autograder(chapter: str, dist_dir: Path = DEFAULT_DIST_DIR) -> Path:
    """The autograder zip for a chapter stem (or the path of a zip, returned as is)."""
    as_path = Path(chapter)
    if as_path.suffix == ".zip":
        if not as_path.is_file():
            raise CourseworkError(f"no autograder zip at {as_path}")
        return as_path
    zip_path = Path(dist_dir) / chapter / "autograder" / f"{chapter}-autograder.zip"
    if not zip_path.is_file():
        known = sorted(
            p.parent.parent.name
            for p in Path(dist_dir).glob("*/autograder/*-autograder.zip")
        )
        hint = f" Assigned chapters: {', '.join(known)}." if known else ""
        raise CourseworkError(
            f"no autograder for {chapter!r} at {zip_path}. Run `make assignments` first "
            f"(or `python tools/coursework.py assign`).{hint}"
        )
    return zip_path


def find_submissions(folder: Path) -> list[Path]:
    """The ``.ipynb`` and ``.zip`` files directly in ``folder``, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseworkError(f"submissions folder {folder} does not exist")
    subs = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix in {".ipynb", ".zip"}
    )
    if not subs:
        raise CourseworkError(f"no .ipynb or .zip submissions in {folder}")
    return subs


def grade_folder(
    chapter: str,
    folder: Path,
    output_csv: Path,
    dist_dir: Path = DEFAULT_DIST_DIR,
    jobs: int = 2,
    timeout: float | None = 1800,
) -> list[Grade]:
    """Grade every submission in ``folder`` and write one CSV; returns the grades."""
    autograder_zip = find_autograder(chapter, dist_dir)
    submissions = find_submissions(folder)
    questions = autograder_questions(autograder_zip)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        grades = list(
            pool.map(
                lambda s: grade_submission(s, autograder_zip, timeout), submissions
            )
        )
    write_csv(grades, questions, output_csv)
    return grades


def write_csv(
    grades: list[Grade], questions: dict[str, float], output_csv: Path
) -> None:
    """One row per submission: question scores, total, possible, error (blank if graded)."""
    output_csv = Path(output_csv)
    output_csv.parent.mkdir(parents=True, exist_ok=True)
    names = list(questions)
    possible = sum(questions.values())
    with open(output_csv, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["submission", *names, "total", "possible", "error"])
        for g in grades:
            if g.error:
                writer.writerow(
                    [
                        g.submission.name,
                        *[""] * len(names),
                        "",
                        f"{possible:g}",
                        g.error,
                    ]
                )
            else:
                writer.writerow(
                    [
                        g.submission.name,
                        *[f"{g.scores.get(n, 0.0):g}" for n in names],
                        f"{g.total:g}",
                        f"{possible:g}",
                        "",
                    ]
                )


# --------------------------------------------------------------------------- slicing

#: Builtins whose arguments are not changed by the call.
_PURE_BUILTINS = frozenset(
    [
        "abs",
        "all",
        "any",
        "bool",
        "dict",
        "divmod",
        "enumerate",
        "float",
        "format",
        "frozenset",
        "getattr",
        "hasattr",
        "hash",
        "int",
        "isinstance",
        "issubclass",
        "iter",
        "len",
        "list",
        "map",
        "max",
        "min",
        "next",
        "pow",
        "print",
        "range",
        "repr",
        "reversed",
        "round",
        "set",
        "slice",
        "sorted",
        "str",
        "sum",
        "tuple",
        "type",
        "zip",
        "display",
        "glue",
    ]
)
#: Methods that change their object even when their result is used (``x = rng.normal()``).
_MUTATING_METHODS = frozenset(
    [
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "update",
        "add",
        "discard",
        "setdefault",
        "popitem",
        "sort",
        "reverse",
        "fill",
        "shuffle",
        "permutation",
        "normal",
        "uniform",
        "integers",
        "random",
        "choice",
        "standard_normal",
        "binomial",
        "poisson",
        "exponential",
        "beta",
        "gamma",
        "multinomial",
        "bytes",
        "seed",
        "manual_seed",
        "step",
        "backward",
        "zero_grad",
        "train",
        "eval",
        "load_state_dict",
        "register_buffer",
        "register_parameter",
        "apply",
        "requires_grad_",
        "resize",
    ]
)
#: Library functions that change their arguments in place.
_ARG_MUTATING_FUNCTIONS = frozenset(
    ["shuffle", "copyto", "put", "place", "fill_diagonal", "seed"]
)
_STATE_KEYWORDS = frozenset({"generator", "rng", "random_state", "out"})


@dataclass
class CellFlow:
    """What a code cell does with global names, for :func:`dependency_slice`.

    ``reads``: names whose value *before* the cell matters (read before the cell
    assigns them, or free in a function it defines); ``defines``: names it may
    (re)bind; ``kills``: names it surely rebinds without reading them first;
    ``mutates``: names whose object it may change in place.
    """

    reads: set[str] = field(default_factory=set)
    defines: set[str] = field(default_factory=set)
    kills: set[str] = field(default_factory=set)
    mutates: set[str] = field(default_factory=set)
    #: (function name, name of its first argument) for calls ``f(x, ...)``: ``x`` changes
    #: if ``f`` is a function (``def`` or imported), not if it is an object (``net(x)``).
    first_args: set[tuple[str, str]] = field(default_factory=set)


def _base_name(node: ast.AST) -> str | None:
    """``x`` for ``x``, ``x.a.b``, ``x[i]``, ``*x``; None for a call's result or a literal."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _target_names(target: ast.AST) -> set[str]:
    return {
        n.id
        for n in ast.walk(target)
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))
    }


class _FlowVisitor:
    """Walks a cell's statements in execution order (branches: both, conservatively)."""

    def __init__(self) -> None:
        self.flow = CellFlow()
        self.bound: set[str] = set()  # names bound so far in this cell

    # expressions ---------------------------------------------------------
    def expr(
        self,
        node: ast.AST | None,
        local: frozenset[str] = frozenset(),
        statement_call: bool = False,
    ) -> None:
        if node is None:
            return
        if isinstance(node, ast.Name):
            if (
                isinstance(node.ctx, ast.Load)
                and node.id not in local
                and node.id not in self.bound
            ):
                self.flow.reads.add(node.id)
            return
        if isinstance(node, ast.Lambda):
            params = {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}
            for d in node.args.defaults + [d for d in node.args.kw_defaults if d]:
                self.expr(d, local)
            self.expr(node.body, local | params)
            return
        if isinstance(
            node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
        ):
            inner = set(local)
            for gen in node.generators:
                self.expr(gen.iter, frozenset(inner))
                inner |= _target_names(gen.target)
                for cond in gen.ifs:
                    self.expr(cond, frozenset(inner))
            parts = (
                [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
            )
            for part in parts:
                self.expr(part, frozenset(inner))
            return
        if isinstance(node, ast.NamedExpr):
            self.expr(node.value, local)
            self.bind({node.target.id}, kill=False)
            return
        if isinstance(node, ast.Call):
            self.call(node, statement_call)
        for child in ast.iter_child_nodes(node):
            self.expr(child, local)

    def call(self, node: ast.Call, statement_call: bool) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            owner = _base_name(func.value)
            if owner and (
                statement_call
                or func.attr in _MUTATING_METHODS
                or func.attr.endswith("_")
            ):
                self.flow.mutates.add(owner)
            args_mutated = func.attr in _ARG_MUTATING_FUNCTIONS or func.attr.endswith(
                "_"
            )
            if args_mutated and node.args and (name := _base_name(node.args[0])):
                self.flow.mutates.add(name)
        elif isinstance(func, ast.Name) and func.id not in _PURE_BUILTINS and node.args:
            # By convention the object a function changes is its first argument:
            # fit(model, X, y), init_(net), rng.shuffle(x), np.copyto(dst, src).
            if name := _base_name(node.args[0]):
                self.flow.first_args.add((func.id, name))
        for keyword in node.keywords:
            if keyword.arg in _STATE_KEYWORDS and (name := _base_name(keyword.value)):
                self.flow.mutates.add(name)

    # statements ------------------------------------------------------------
    def bind(self, names: set[str], kill: bool) -> None:
        self.flow.defines |= names
        if kill:
            self.flow.kills |= names - self.flow.reads
        self.bound |= names

    def store_target(self, target: ast.AST, kill: bool) -> None:
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            if name := _base_name(target):
                self.flow.mutates.add(name)
                if name not in self.bound:
                    self.flow.reads.add(name)
            self.expr(target.slice if isinstance(target, ast.Subscript) else None)
            self.expr(
                target.value
                if isinstance(target.value, (ast.Call, ast.BinOp))
                else None
            )
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.store_target(element, kill)
        elif isinstance(target, ast.Starred):
            self.store_target(target.value, kill)
        elif isinstance(target, ast.Name):
            self.bind({target.id}, kill)

    def statements(self, body: list[ast.stmt], top: bool) -> None:
        for stmt in body:
            self.statement(stmt, top)

    def statement(self, s: ast.stmt, top: bool) -> None:
        if isinstance(s, (ast.Import, ast.ImportFrom)):
            self.bind(
                {(a.asname or a.name).split(".")[0] for a in s.names if a.name != "*"},
                top,
            )
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for d in s.decorator_list:
                self.expr(d)
            if isinstance(s, ast.ClassDef):
                for b in s.bases + [k.value for k in s.keywords]:
                    self.expr(b)
            else:
                for d in s.args.defaults + [d for d in s.args.kw_defaults if d]:
                    self.expr(d)
            self._free_variables(s)
            self.bind({s.name}, top)
        elif isinstance(s, ast.Assign):
            self.expr(s.value)
            for t in s.targets:
                self.store_target(t, top)
        elif isinstance(s, ast.AnnAssign):
            self.expr(s.value)
            self.store_target(s.target, top and s.value is not None)
        elif isinstance(s, ast.AugAssign):
            self.expr(s.value)
            if isinstance(s.target, ast.Name):
                if s.target.id not in self.bound:
                    self.flow.reads.add(s.target.id)
                self.flow.mutates.add(s.target.id)
                self.bind({s.target.id}, kill=False)
            else:
                self.store_target(s.target, kill=False)
        elif isinstance(s, ast.Expr):
            self.expr(s.value, statement_call=isinstance(s.value, ast.Call))
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            self.expr(s.iter)
            self.store_target(s.target, kill=False)
            self.statements(s.body, False)
            self.statements(s.orelse, False)
        elif isinstance(s, ast.While) or isinstance(s, ast.If):
            self.expr(s.test)
            self.statements(s.body, False)
            self.statements(s.orelse, False)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                self.expr(item.context_expr, statement_call=True)
                if item.optional_vars is not None:
                    self.store_target(item.optional_vars, kill=False)
            self.statements(s.body, False)
        elif isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            self.statements(s.body, False)
            for handler in s.handlers:
                self.expr(handler.type)
                if handler.name:
                    self.bind({handler.name}, kill=False)
                self.statements(handler.body, False)
            self.statements(s.orelse, False)
            self.statements(s.finalbody, False)
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                self.store_target(t, kill=False)
        elif isinstance(s, (ast.Global, ast.Nonlocal)):
            pass
        else:  # return, raise, assert, match, pass, ...: every name in it is read
            self.expr(s)

    def _free_variables(self, fn: ast.AST) -> None:
        """Names a function reads from the globals when called (and globals it assigns)."""
        local = set()
        global_decl = set()
        for node in ast.walk(fn):
            if isinstance(node, ast.arg):
                local.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(
                node.ctx, (ast.Store, ast.Del)
            ):
                local.add(node.id)
            elif (
                isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                and node is not fn
            ):
                local.add(node.name)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                local |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.Global):
                global_decl |= set(node.names)
        local -= global_decl
        for node in ast.walk(
            fn
        ):  # (what the body changes happens when it is called, not here)
            if (
                isinstance(node, ast.Name)
                and isinstance(node.ctx, ast.Load)
                and node.id not in local
            ):
                if node.id not in self.bound:
                    self.flow.reads.add(node.id)
        if global_decl:
            self.bind(global_decl, kill=False)


def cell_flow(source: str) -> CellFlow | None:
    """The :class:`CellFlow` of a code cell's source; None if it does not parse."""
    cleaned = "\n".join(
        "pass" if line.lstrip().startswith(("%", "!")) else line
        for line in source.splitlines()
    )
    try:
        tree = ast.parse(cleaned)
    except SyntaxError:
        return None
    visitor = _FlowVisitor()
    visitor.statements(tree.body, top=True)
    flow = visitor.flow
    flow.kills -= flow.reads
    return flow


def _is_cheap_setup(source: str) -> bool:
    """Only imports and constant assignments (``SEED = 0``): always worth keeping."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            continue
        return False
    return True


#: Global settings a later cell may rely on.  (Seeds are not here: a dropped cell that
#: draws from a global random stream changes it anyway; exercises seed their own.)
_GLOBAL_STATE_CALL = re.compile(
    r"\b(use_deterministic_algorithms|set_default_dtype|filterwarnings|"
    r"simplefilter|seterr|set_printoptions|sys\.path|os\.environ)\b"
)


def dependency_slice(master: nbformat.NotebookNode) -> set[str]:
    """Ids of the code cells *before the first question* that no exercise depends on.

    A backward data-flow pass over the code cells (:func:`cell_flow`): every cell
    from the first question on is kept; an earlier cell is kept if it may define
    a name a later kept cell reads, or changes in place (method call such as
    ``rng.normal()``/``model.train()``, item assignment, first argument of a
    function such as ``fit(model, ...)``) an object a later kept cell reads; so are cells of only
    imports/constants, cells that change global settings (default dtype, warning
    filters, ``sys.path``, environment variables) and cells that do not parse.

    What it cannot see is hidden global state (e.g. torch's global random stream
    consumed by a dropped cell, or a seed it set).  The tests therefore use it only as a fast path:
    a slice that does not reproduce full marks / zero marks is re-graded whole.
    """
    questions = parse_questions(master)
    if not questions:
        return set()
    first = min(q.cells[0] for q in questions)
    flows = {
        i: cell_flow(_test_body(c.source))
        for i, c in enumerate(master.cells)
        if c.cell_type == "code"
    }
    # modules: calling torch.manual_seed() or np.testing.assert_allclose() changes no object
    # we track; functions: names bound by `def` or `from m import f`
    modules, functions = set(), set()
    for i, cell in enumerate(master.cells):
        if cell.cell_type == "code" and flows[i] is not None:
            try:
                tree = ast.parse(_test_body(cell.source))
            except SyntaxError:
                continue
            for n in ast.walk(tree):
                if isinstance(n, ast.Import):
                    modules |= {(a.asname or a.name).split(".")[0] for a in n.names}
                elif isinstance(n, ast.ImportFrom):
                    functions |= {a.asname or a.name for a in n.names}
                elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions.add(n.name)
    for flow in flows.values():
        if flow is not None:
            flow.mutates |= {
                arg for function, arg in flow.first_args if function in functions
            }
            flow.mutates -= modules
    needed: set[str] = set()
    drop = set()
    for index in range(len(master.cells) - 1, -1, -1):
        cell = master.cells[index]
        if cell.cell_type != "code":
            continue
        source = _test_body(cell.source)
        flow = flows[index]
        if (
            index >= first
            or flow is None
            or _is_cheap_setup(source)
            or _GLOBAL_STATE_CALL.search(source)
        ):
            keep = True
        else:
            keep = bool(flow.defines & needed) or bool(
                flow.mutates & flow.reads & needed
            )
        if not keep:
            if "id" not in cell:
                raise CourseworkError(
                    "dependency_slice needs cell ids (nbformat >= 4.5)"
                )
            drop.add(cell["id"])
        elif flow is not None:
            needed = (needed - flow.kills) | flow.reads
    return drop


def drop_cells(nb_path: Path, drop_ids: set[str], dest: Path) -> Path:
    """Write ``nb_path`` without the cells whose ids are in ``drop_ids`` to ``dest``."""
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells = [c for c in nb.cells if c.get("id") not in drop_ids]
    nbformat.write(nb, dest)
    return dest


# --------------------------------------------------------------------------- verify


def verify(
    release: Release,
    timeout: float | None = 1800,
    drop_ids: set[str] | None = None,
    jobs: int = 2,
) -> tuple[Grade, Grade]:
    """Grade the solutions (must be full marks) and the untouched student notebook (must be 0).

    With ``drop_ids`` (from :func:`dependency_slice`) both notebooks are graded without
    those cells.  Returns ``(solution grade, blank grade)``; raises on an error.
    """
    with tempfile.TemporaryDirectory(prefix="coursework-verify-") as tmp:
        solution, blank = release.autograder_notebook, release.student_notebook
        if drop_ids:
            solution = drop_cells(
                solution, drop_ids, Path(tmp) / f"solution-{release.master.name}"
            )
            blank = drop_cells(
                blank, drop_ids, Path(tmp) / f"blank-{release.master.name}"
            )
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            full, zero = pool.map(
                lambda nb: grade_submission(nb, release.autograder_zip, timeout),
                [solution, blank],
            )
    for which, g in (("solutions", full), ("untouched student notebook", zero)):
        if g.error:
            raise CourseworkError(
                f"{release.master.name}: grading the {which} failed: {g.error}"
            )
    return full, zero


def verification_problems(release: Release, full: Grade, zero: Grade) -> list[str]:
    """What is wrong with a verification result (empty list: solutions full, blank zero)."""
    problems = []
    expected = autograder_questions(release.autograder_zip)
    for q, points in expected.items():
        if full.scores.get(q) != points:
            problems.append(
                f"{release.master.name}: the solution of {q} scores {full.scores.get(q)} of {points}"
            )
        if zero.scores.get(q, 0.0) != 0.0:
            problems.append(
                f"{release.master.name}: the untouched student notebook scores {zero.scores[q]} on "
                f"{q}; a solution leaked or a test passes without an answer"
            )
    return problems


# --------------------------------------------------------------------------- CLI


def _cmd_assign(args: argparse.Namespace) -> int:
    masters = (
        [Path(m) for m in args.masters]
        if args.masters
        else find_masters(Path(args.book))
    )
    if not masters:
        raise CourseworkError(
            f"no master notebooks in {args.book}: a master's first cell is a raw cell starting "
            f"'{CONFIG_HEADER}' (CONTRIBUTING.md, 'Coursework format')"
        )
    failures = 0
    for master in masters:
        if not master.is_file():
            raise CourseworkError(f"{master} does not exist")
        if not is_master(master):
            raise CourseworkError(
                f"{master} is not a master: its first cell must be a raw '{CONFIG_HEADER}' cell"
            )
        try:
            release = assign(master, Path(args.dist))
        except CourseworkError as err:
            print(f"FAILED {master}:\n{err}", file=sys.stderr)
            failures += 1
            continue
        print(f"{master.name}: student release {release.student_zip}")
        print(f"{master.name}: autograder      {release.autograder_zip}")
        if args.verify:
            full, zero = verify(release, jobs=args.jobs)
            problems = verification_problems(release, full, zero)
            if problems:
                print(
                    "FAILED verification:\n  " + "\n  ".join(problems), file=sys.stderr
                )
                failures += 1
            else:
                print(
                    f"{master.name}: verified: solutions {full.total:g}/{sum(full.possible.values()):g}, "
                    f"untouched student notebook {zero.total:g}"
                )
    return 1 if failures else 0


def _cmd_grade(args: argparse.Namespace) -> int:
    output = (
        Path(args.output)
        if args.output
        else Path(args.dist) / args.chapter / "grades.csv"
    )
    grades = grade_folder(
        args.chapter,
        Path(args.submissions),
        output,
        Path(args.dist),
        args.jobs,
        args.timeout,
    )
    for g in grades:
        status = (
            f"ERROR {g.error}"
            if g.error
            else f"{g.total:g}/{sum(g.possible.values()):g}"
        )
        print(f"{g.submission.name}: {status}")
    print(f"wrote {output}")
    failed = [g for g in grades if g.error]
    if failed:
        print(
            f"{len(failed)} submission(s) could not be graded; see the 'error' column",
            file=sys.stderr,
        )
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="coursework", description=__doc__.split("\n\n")[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "assign", help="make the student release and autograder of each master"
    )
    p.add_argument(
        "masters", nargs="*", help="master notebooks (default: every master in --book)"
    )
    p.add_argument(
        "--book",
        default=str(DEFAULT_BOOK_DIR),
        help="where to look for masters (default: book/)",
    )
    p.add_argument(
        "--dist", default=str(DEFAULT_DIST_DIR), help="output folder (default: dist/)"
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="also grade the solutions (must score full marks) and the untouched student "
        "notebook (must score 0); executes each chapter twice",
    )
    p.add_argument(
        "--jobs", type=int, default=2, help="parallel gradings for --verify (default 2)"
    )
    p.set_defaults(func=_cmd_assign)

    p = sub.add_parser(
        "grade", help="grade a folder of submissions into one CSV (no Docker)"
    )
    p.add_argument(
        "chapter",
        help="chapter stem (e.g. ch1_sigmoid_derivative) or path to an autograder zip",
    )
    p.add_argument("submissions", help="folder of .ipynb or .zip submissions")
    p.add_argument(
        "-o", "--output", help="CSV to write (default: dist/<chapter>/grades.csv)"
    )
    p.add_argument(
        "--dist",
        default=str(DEFAULT_DIST_DIR),
        help="where `assign` wrote (default: dist/)",
    )
    p.add_argument(
        "--jobs", type=int, default=2, help="submissions graded in parallel (default 2)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds per submission (default 1800)",
    )
    p.set_defaults(func=_cmd_grade)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CourseworkError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
