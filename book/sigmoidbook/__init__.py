"""Shared helpers for the book *Sigmoid, ReLU and Vanishing Gradients*.

One small package, in the spirit of Dive into Deep Learning's ``d2l``: the chapters
import their plumbing from here and keep the mathematics they teach in the chapter.
Code a chapter teaches is never copied here by hand: what other chapters or the tests
need of it is *exported* from the chapter's cells tagged ``export`` by
``make export`` (``tools/export_chapter_code.py``) into a generated module.

Submodules
----------
chapter
    :func:`~sigmoidbook.chapter.setup_chapter`, the one set-up line of every chapter
    (figure style, seeds, one thread).
report
    Markdown tables, number formatting (``−``, ``×10ⁿ``) and glued numbers.
quiz
    :func:`~sigmoidbook.quiz.show_quiz` and
    :func:`~sigmoidbook.quiz.check_quiz_answer` (a quiz's answers are the chapter's).
timing
    :func:`~sigmoidbook.timing.seconds_per_call`, the one timing helper.
style
    :func:`~sigmoidbook.style.use_book_style` and the colour-blind-safe colours of
    each activation function.
symbolic
    The LaTeX printer behind chapter 1's checked derivations.
figures
    The kernel-free plotly figures, each drawn from numbers its chapter computes.
data
    :func:`~sigmoidbook.data.load_mnist`, the checksummed MNIST loader.
training
    Whole-dataset-in-memory training and evaluation loops (chapters 3 and 5).
remote, colab
    A chapter opened on its own (Colab): its files downloaded once, and the
    run-time packages Colab lacks installed.
ch4
    *Generated* from chapter 4's ``export`` cells (the stable sigmoid, ReLU and Leaky
    ReLU in pure Python, NumPy and PyTorch); never edit it by hand.
"""

__version__ = "2.0.0.dev0"
