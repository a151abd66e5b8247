"""The one set-up line at the top of every chapter.

::

    from sigmoidbook.chapter import setup_chapter
    SEED = setup_chapter(seed=0)

It applies the book's figure style, seeds Python's, NumPy's legacy and (when the
chapter has imported it) PyTorch's global random generators, and runs NumPy's BLAS
and PyTorch on one thread.  One thread makes every sum add up in the same order on
every machine, so the committed outputs do not depend on the reader's core count,
and the chapters' small arrays gain nothing from more threads.  Chapters still make
their own generators (``np.random.default_rng(SEED)``) where the randomness matters.
"""

from __future__ import annotations

import random
import sys

import numpy as np
from threadpoolctl import threadpool_limits

from .style import use_book_style

__all__ = ["setup_chapter"]

#: Kept alive so the BLAS thread limit stays in force for the whole kernel.
_BLAS_LIMIT = None


def setup_chapter(seed: int = 0, *, threads: int = 1) -> int:
    """Style, seeds and threads for a chapter; returns ``seed`` (the chapter's ``SEED``)."""
    global _BLAS_LIMIT
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive int, got {threads!r}")
    use_book_style()
    random.seed(seed)
    np.random.seed(seed)
    _BLAS_LIMIT = threadpool_limits(limits=threads, user_api="blas")
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)
        torch.set_num_threads(threads)
    return seed
