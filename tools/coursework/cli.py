"""``python -m coursework``: the command line (``make assignments``, ``make grade``).

Run from the repository root, the defaults are ``book/`` and ``dist/`` of the current
directory::

    python -m coursework assign                  # every master -> dist/<stem>/
    python -m coursework assign --verify         # ... and prove solutions score full
                                                 #     marks, blank notebooks zero
    python -m coursework grade ch1_sigmoid_derivative submissions/ -o grades.csv
    python -m coursework grade ch1_sigmoid_derivative submissions/ \
        --only submissions/alice.ipynb --into grades.csv    # regrade one, keep the rest

Besides the CSV, ``grade`` writes ``<csv stem>-statistics.csv`` and one Markdown
feedback file per submission in ``<csv stem>-feedback/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .assign import assign
from .errors import CourseworkError
from .grade import (
    autograder_questions,
    feedback_dir,
    find_autograder,
    grade_all,
    grade_folder,
)
from .markers import CONFIG_HEADER
from .master import find_masters, is_master
from .report import (
    read_rows,
    statistics,
    statistics_path,
    write_csv,
    write_feedback,
)
from .submission import Submission, find_submissions
from .verify import verification_problems, verify


def _book_dir(value: str | None) -> Path:
    """``--book-dir``, or ``book/`` of the current directory (which must exist)."""
    if value is not None:
        return Path(value)
    book = Path.cwd() / "book"
    if not book.is_dir():
        raise CourseworkError(
            f"no book/ folder in {Path.cwd()}: run from the repository root "
            "or pass --book-dir"
        )
    return book


def _dist_dir(value: str | None) -> Path:
    return Path(value) if value is not None else Path.cwd() / "dist"


def _masters(args: argparse.Namespace) -> list[Path]:
    if not args.masters:
        book = _book_dir(args.book_dir)
        masters = find_masters(book)
        if not masters:
            raise CourseworkError(
                f"no master notebooks in {book}: a master's first cell is a raw cell "
                f"starting '{CONFIG_HEADER}' (CONTRIBUTING.md, 'Coursework format')"
            )
        return masters
    masters = [Path(m) for m in args.masters]
    for master in masters:
        if not master.is_file():
            raise CourseworkError(f"{master} does not exist")
        if not is_master(master):
            raise CourseworkError(
                f"{master} is not a master: its first cell must be a raw "
                f"'{CONFIG_HEADER}' cell"
            )
    return masters


def _verify_one(release, jobs: int) -> bool:
    full, zero = verify(release, jobs=jobs)
    problems = verification_problems(release, full, zero)
    if problems:
        print("FAILED verification:\n  " + "\n  ".join(problems), file=sys.stderr)
        return False
    print(
        f"{release.master.name}: verified: solutions {full.total:g}/"
        f"{sum(full.possible.values()):g}, untouched student notebook {zero.total:g}"
    )
    return True


def _cmd_assign(args: argparse.Namespace) -> int:
    masters = _masters(args)
    dist = _dist_dir(args.dist_dir)
    failures = 0
    for master in masters:
        try:
            release = assign(master, dist)
        except CourseworkError as err:
            print(f"FAILED {master}:\n{err}", file=sys.stderr)
            failures += 1
            continue
        print(f"{master.name}: student release {release.student_zip}")
        print(f"{master.name}: autograder      {release.autograder_zip}")
        if args.verify and not _verify_one(release, args.jobs):
            failures += 1
    return 1 if failures else 0


def _only(submissions: list[Submission], only: list[str], folder: Path):
    """The submissions under the ``--only`` paths (files or student folders)."""
    chosen = []
    for value in only:
        target = Path(value)
        if not target.is_absolute() and not target.exists():
            target = folder / value
        target = target.resolve()
        picked = [
            s
            for s in submissions
            if s.path.resolve() == target or target in s.path.resolve().parents
        ]
        if not picked:
            raise CourseworkError(f"--only {value}: no submission there in {folder}")
        chosen += [s for s in picked if s not in chosen]
    return chosen


def _print_grades(grades, rows, questions) -> None:
    for g in grades:
        possible = sum(g.possible.values())
        status = f"ERROR {g.error}" if g.error else f"{g.total:g}/{possible:g}"
        flags = f"  [FLAGGED: {'; '.join(g.flags)}]" if g.flags else ""
        print(f"{g.student} ({g.submission.name}): {status}{flags}")
    if rows:
        print(f"per question ({len(rows)} submission(s) in the CSV):")
        for line in statistics(rows, questions):
            print(f"  {line}")


def _cmd_grade(args: argparse.Namespace) -> int:
    dist = _dist_dir(args.dist_dir)
    output = Path(args.output) if args.output else dist / args.chapter / "grades.csv"
    folder = Path(args.submissions)
    if args.only:
        autograder_zip = find_autograder(args.chapter, dist)
        questions = autograder_questions(autograder_zip)
        chosen = _only(find_submissions(folder), args.only, folder)
        grades = grade_all(chosen, autograder_zip, args.jobs, args.timeout)
        rows = write_csv(grades, questions, output, root=folder, merge=True)
        write_feedback(grades, questions, feedback_dir(output))
    else:
        grades = grade_folder(
            args.chapter, folder, output, dist, args.jobs, args.timeout
        )
        questions = grades[0].possible if grades else {}
        rows = read_rows(output)
    _print_grades(grades, rows, questions)
    print(
        f"wrote {output}, {statistics_path(output).name}, {feedback_dir(output).name}/"
    )
    flagged = [g for g in grades if any(f.startswith("tampering") for f in g.flags)]
    if flagged:
        print(
            f"{len(flagged)} submission(s) tampered with grading (scored without the "
            "answer cells that did); see the 'flags' column",
            file=sys.stderr,
        )
    failed = [g for g in grades if g.error]
    if failed:
        print(
            f"{len(failed)} submission(s) could not be graded; see the 'error' column",
            file=sys.stderr,
        )
        return 2
    return 0


def _add_dist_dir(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument(
        "--dist-dir",
        "--dist",
        dest="dist_dir",
        help=f"{what} (default: dist/ of the current directory)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coursework",
        description="Coursework from the chapter notebooks: student releases, "
        "autograders, grading (otter-grader, no Docker).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "assign", help="make the student release and autograder of each master"
    )
    p.add_argument(
        "masters", nargs="*", help="master notebooks (default: every master in book/)"
    )
    p.add_argument(
        "--book-dir",
        "--book",
        dest="book_dir",
        help="where to look for masters (default: book/ of the current directory)",
    )
    _add_dist_dir(p, "output folder")
    p.add_argument(
        "--verify",
        action="store_true",
        help="also grade the solutions (must score full marks) and the untouched "
        "student notebook (must score 0); executes each chapter twice",
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
        "-o", "--output", help="CSV to write (default: <dist>/<chapter>/grades.csv)"
    )
    _add_dist_dir(p, "where `assign` wrote")
    p.add_argument(
        "--jobs", type=int, default=2, help="submissions graded in parallel (default 2)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=1800,
        help="seconds per submission (default 1800)",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="PATH",
        help="regrade only this submission (a file or student folder of SUBMISSIONS; "
        "repeatable) into the existing CSV: its row is replaced, the others kept",
    )
    p.add_argument(
        "--into",
        dest="output",
        help="same as -o: the CSV to write or, with --only, to update",
    )
    p.set_defaults(func=_cmd_grade)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status (1: error, 2: ungraded)."""
    args = _parser().parse_args(argv)
    try:
        return args.func(args)
    except CourseworkError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
