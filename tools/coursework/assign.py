"""``otter assign`` for one master: the student release and the autograder, leak-checked.

For a master ``book/<stem>.ipynb``, :func:`assign` writes::

    <dist>/<stem>/student/              the student release: notebook (solutions replaced
                                        by ``...``, public tests only), support files and
                                        ``requirements.txt`` (what the notebook imports)
    <dist>/<stem>/<stem>-student.zip    the same folder, zipped, to hand out
    <dist>/<stem>/autograder/           instructor only: notebook with solutions, tests
    <dist>/<stem>/autograder/<stem>-autograder.zip
                                        the autograder (hidden tests inside; its
                                        environment.yml and requirements.txt install
                                        what the chapter imports: Gradescope-ready)
"""

from __future__ import annotations

import importlib.metadata
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .errors import CourseworkError
from .exercise_slice import EXERCISE_SETUP_TAG
from .leaks import find_leaks
from .requirements import add_to_autograder, autograder_requirements, write_requirements
from .runner import run_otter
from .validate import validate_master

#: Cell tags that only steer the website (Jupyter Book / myst-nb).
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
#: Tags removed from the student notebook, where they mean nothing: the website's,
#: ``exercise-setup`` (which only the book's grading tests read, from the master) and
#: ``export`` (cells ``tools/export_chapter_code.py`` copies into the package).
BOOK_ONLY_TAGS = WEBSITE_TAGS | {EXERCISE_SETUP_TAG, "export"}
#: Cells tagged ``website-only`` are dropped from the student notebook altogether.
WEBSITE_ONLY_TAG = "website-only"


@dataclass
class Release:
    """Where :func:`assign` put one chapter's files."""

    master: Path
    out_dir: Path
    student_notebook: Path
    student_zip: Path
    autograder_notebook: Path
    autograder_zip: Path


def strip_website_cells(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop ``website-only`` cells and the :data:`BOOK_ONLY_TAGS` of the others (in place)."""
    nb.cells = [
        c
        for c in nb.cells
        if WEBSITE_ONLY_TAG not in c.get("metadata", {}).get("tags", [])
    ]
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags")
        if tags is not None:
            kept = [t for t in tags if t not in BOOK_ONLY_TAGS]
            if kept:
                cell.metadata["tags"] = kept
            else:
                del cell.metadata["tags"]
    return nb


#: The first cell of a student notebook: otter, named after the notebook being worked
#: on (JupyterLab and VS Code say which; a renamed copy exports itself), with short
#: ``grader.check`` feedback: ``check_feedback.py`` beside the notebook (the exercise
#: zip), else the same module installed with the book's package (a notebook downloaded
#: alone; imported by name, so that the zip's ``requirements.txt``, which lists what
#: the notebook's import statements need, does not ask for it), else otter's own
#: messages.  The public tests are in ``tests/`` (the zip) and
#: in the notebook's metadata (:func:`embed_public_tests`), which otter reads when there
#: is no ``tests/`` folder.
INIT_CELL = """\
# Initialize Otter: grader.check("q1") checks exercise 1; grader.export() zips this
# notebook (whatever you renamed it to) for handing in. The checks are in tests/ or,
# for this notebook downloaded alone, in its own metadata.
import importlib
import os

try:
    import otter
except ImportError as missing:  # opened without the book's environment (e.g. Colab)
    raise ImportError(
        "grader.check needs otter-grader: run  %pip install otter-grader=={otter}  "
        "(or install the exercise zip's requirements.txt), then run this cell again"
    ) from missing

_this = os.path.basename(
    globals().get("__vsc_ipynb_file__") or os.environ.get("JPY_SESSION_NAME", "")
)
if not (_this.endswith(".ipynb") and os.path.isfile(_this)):
    _this = {name!r}
grader = otter.Notebook(_this)
try:  # short feedback from grader.check
    from check_feedback import short_checks
except ImportError:
    try:  # the notebook downloaded alone: the same module, installed with the book
        _feedback = importlib.import_module("coursework.check_feedback")
        short_checks = _feedback.short_checks
    except ImportError:  # neither: otter's own (longer) messages

        def short_checks(grader):
            return grader


grader = short_checks(grader)"""
FEEDBACK_MODULE = Path(__file__).with_name("check_feedback.py")


def _init_cell(nb: nbformat.NotebookNode, name: str) -> None:
    """Replace otter's ``otter.Notebook("<name>")`` first cell by :data:`INIT_CELL`."""
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("# Initialize Otter"):
            cell.source = INIT_CELL.format(
                name=name, otter=importlib.metadata.version("otter-grader")
            )
            return
    raise CourseworkError("otter assign made no '# Initialize Otter' cell")


def embed_public_tests(nb: nbformat.NotebookNode, tests_dir: Path) -> list[str]:
    """Store the OK-format tests of ``tests_dir`` in ``nb``'s metadata (in place).

    This is where otter's own ``tests: files: false`` puts them
    (``metadata.otter.tests`` with ``OK_FORMAT``): ``grader.check`` reads them when
    the notebook has no ``tests/`` folder beside it, so a student notebook downloaded
    alone can check its answers.  Only the student release's ``tests/`` (public tests)
    may be given; :func:`coursework.leaks.find_leaks` checks the metadata as well.
    Returns the questions stored.
    """
    tests = {}
    for path in sorted(Path(tests_dir).glob("*.py")):
        namespace: dict = {}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        test = namespace.get("test")
        if not namespace.get("OK_FORMAT") or not isinstance(test, dict):
            raise CourseworkError(f"{path}: not an OK-format otter test file")
        if test.get("name") != path.stem:
            raise CourseworkError(
                f"{path}: test named {test.get('name')!r}, expected {path.stem!r}"
            )
        tests[path.stem] = test
    if not tests:
        raise CourseworkError(f"no public tests in {tests_dir} to embed")
    config = nb.metadata.setdefault("otter", {})
    config["OK_FORMAT"] = True
    config["tests"] = tests
    return list(tests)


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
            name = info.filename
            if "__pycache__/" not in name and not name.endswith(".pyc"):
                dst.writestr(info, src.read(info))
    tmp.replace(path)


def _remove_release(out_dir: Path, stem: str) -> None:
    """Remove what :func:`assign` writes (grades.csv and other files stay)."""
    for sub in ("student", "autograder"):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    (out_dir / f"{stem}-student.zip").unlink(missing_ok=True)


def _run_otter_assign(master: Path, out_dir: Path) -> None:
    # Tests are run by `verify`, not by otter (whose run needs no Docker but time).
    result = run_otter(
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
    for pycache in [*out_dir.rglob("__pycache__")]:
        shutil.rmtree(pycache)


def _finish_autograder(ag_dir: Path, stem: str) -> Path:
    zips = sorted(ag_dir.glob("*-autograder_*.zip"))
    if len(zips) != 1:
        raise CourseworkError(
            f"otter assign made {len(zips)} autograder zips in {ag_dir}, expected 1"
        )
    autograder_zip = ag_dir / f"{stem}-autograder.zip"
    zips[0].replace(autograder_zip)
    _drop_pycache_from_zip(autograder_zip)
    return autograder_zip


def assign(master: Path, dist_dir: Path, validate: bool = True) -> Release:
    """Run ``otter assign`` on one master into ``dist_dir/<stem>/`` and check the release.

    Raises :class:`CourseworkError` if the master is malformed (see
    :func:`validate_master`; ``validate=False`` skips that, for testing the later
    checks), otter fails, or the student release contains a solution line or a
    hidden test (the release is then deleted).
    """
    master = Path(master).resolve()
    problems = validate_master(master) if validate else []
    if problems:
        raise CourseworkError("\n".join(problems))
    stem = master.stem
    out_dir = Path(dist_dir).resolve() / stem
    _remove_release(out_dir, stem)
    out_dir.mkdir(parents=True, exist_ok=True)
    _run_otter_assign(master, out_dir)

    student_dir, ag_dir = out_dir / "student", out_dir / "autograder"
    student_nb_path = student_dir / master.name
    student_nb = nbformat.read(student_nb_path, as_version=4)
    _init_cell(student_nb, master.name)
    embed_public_tests(student_nb, student_dir / "tests")
    nbformat.write(strip_website_cells(student_nb), student_nb_path)
    shutil.copy(FEEDBACK_MODULE, student_dir / FEEDBACK_MODULE.name)
    write_requirements(student_dir)
    autograder_zip = _finish_autograder(ag_dir, stem)
    add_to_autograder(autograder_zip, autograder_requirements(student_dir))

    leaks = find_leaks(master, student_dir)
    if leaks:
        _remove_release(out_dir, stem)  # never leave a leaking release behind
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
