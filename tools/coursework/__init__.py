"""Coursework for the book: otter-grader assignments and grading (being split up)."""

from .core import *  # noqa: F403
from .core import main  # noqa: F401
