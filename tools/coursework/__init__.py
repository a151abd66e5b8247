"""Coursework from the chapter notebooks: student releases, autograders, grading.

Every chapter notebook in ``book/`` whose first cell is a raw ``# ASSIGNMENT CONFIG``
cell is an otter-grader 7 *master* notebook (CONTRIBUTING.md, "Coursework format").
``python -m coursework assign`` / ``grade`` (``make assignments``, ``make grade``)
wrap ``otter assign`` and grade without Docker: the student's answers run in a
sandbox, the verdict in a separate trusted process (README, "Grading you can trust").

Modules, one job each:

==================  ===============================================================
``markers``         otter's solution/test markers (also used by the website)
``master``          reading a master: is it one, its config cell, its questions
``validate``        :func:`validate_master`: what stops a master becoming coursework
``exercise_slice``  the ``exercise-setup`` cells + the exercises: fast grading
``leaks``           :func:`find_leaks`: no solution or hidden test in a release
``assign``          :func:`assign`: student release and autograder of one master
``submission``      finding submissions; only their answer cells are graded
``sandbox``         bubblewrap: no network, read-only system, private scratch
``integrity``       disguised tests and canaries (questions graded in the student kernel)
``student_run``     the sandboxed run: the student's answers, no tests, a hand-over
``harvest``         the typed JSON hand-over of answer values (never pickle)
``safe_sympy``      SymPy from ``srepr`` text through a whitelist parser (no eval)
``verdict_plan``    which answer names each question reads; trusted or in-kernel
``verdict``         the trusted process: instructor set-up + decoded answers + tests
``trusted``         one trusted grading: sandboxed run, verdict, function calls shuttled
``grade``           :func:`grade_folder`: grading submissions into one CSV
``report``          the CSV, feedback files and per-question statistics
``fill``            putting code into a question's answer cells (tests, variants)
``check_feedback``  short ``grader.check`` feedback, shipped with the release
``verify``          solutions score full marks, untouched notebooks zero
``runner``          running ``python -m otter`` as a subprocess
``cli``             the command line
==================  ===============================================================
"""

from .assign import BOOK_ONLY_TAGS, WEBSITE_TAGS, Release, assign, strip_website_cells
from .cli import main
from .errors import CourseworkError
from .exercise_slice import (
    EXERCISE_SETUP_TAG,
    drop_cells,
    outside_slice,
    untagged_setup,
)
from .grade import (
    Grade,
    autograder_questions,
    find_autograder,
    find_template,
    grade_all,
    grade_folder,
    grade_submission,
)
from .leaks import find_leaks
from .master import Question, find_masters, is_master, parse_questions, read_config
from .report import statistics, write_csv
from .submission import Submission, find_submissions, merge_answers, read_submission
from .validate import validate_master
from .verify import verification_problems, verify

__all__ = [
    "BOOK_ONLY_TAGS",
    "EXERCISE_SETUP_TAG",
    "WEBSITE_TAGS",
    "CourseworkError",
    "Grade",
    "Question",
    "Release",
    "assign",
    "autograder_questions",
    "drop_cells",
    "find_autograder",
    "find_leaks",
    "find_masters",
    "find_submissions",
    "find_template",
    "grade_all",
    "grade_folder",
    "grade_submission",
    "merge_answers",
    "read_submission",
    "statistics",
    "Submission",
    "is_master",
    "main",
    "outside_slice",
    "parse_questions",
    "read_config",
    "strip_website_cells",
    "untagged_setup",
    "validate_master",
    "verification_problems",
    "verify",
    "write_csv",
]
