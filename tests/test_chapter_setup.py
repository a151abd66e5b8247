"""Unit tests for sigmoidbook.chapter: the one set-up line at the top of each chapter
(book style, seeds, one thread)."""

import random
import subprocess
import sys

import matplotlib as mpl
import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info, threadpool_limits

from sigmoidbook.chapter import setup_chapter
from sigmoidbook.style import use_book_style


def blas_threads() -> list[int]:
    return [
        pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"
    ]


@pytest.fixture(autouse=True)
def restore_global_state():
    """setup_chapter changes process-wide state; put it back for the other tests."""
    rng_states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    torch_threads = torch.get_num_threads()
    blas = blas_threads()
    with mpl.rc_context():
        yield
    random.setstate(rng_states[0])
    np.random.set_state(rng_states[1])
    torch.set_rng_state(rng_states[2])
    torch.set_num_threads(torch_threads)
    if blas:
        threadpool_limits(limits=max(blas), user_api="blas")


def draws() -> tuple:
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_returns_the_seed():
    assert setup_chapter(seed=7) == 7
    assert setup_chapter() == 0


def test_seeds_make_random_numpy_and_torch_reproducible():
    setup_chapter(seed=3)
    first = draws()
    draws()  # the generators move on ...
    setup_chapter(seed=3)
    assert draws() == first  # ... and the same seed starts them again
    setup_chapter(seed=4)
    other = draws()
    assert all(a != b for a, b in zip(first, other)), (first, other)


def test_blas_and_torch_run_on_the_requested_threads():
    assert blas_threads(), "NumPy's BLAS is not visible to threadpoolctl"
    threadpool_limits(limits=2, user_api="blas")  # whatever it was before
    setup_chapter(seed=0)
    assert blas_threads() and set(blas_threads()) == {1}
    assert torch.get_num_threads() == 1


def test_the_blas_limit_outlives_the_call():
    """The limit must stay in force after setup_chapter returns (for the whole kernel),
    even when the garbage collector runs."""
    import gc

    setup_chapter(seed=0)
    gc.collect()
    assert set(blas_threads()) == {1}


def test_applies_the_book_style():
    mpl.rcdefaults()
    defaults = dict(mpl.rcParams)
    setup_chapter(seed=0)
    after_setup = dict(mpl.rcParams)
    mpl.rcdefaults()
    use_book_style()
    assert after_setup == dict(mpl.rcParams) != defaults


def test_does_not_import_torch_itself():
    """Torch is seeded only when the chapter imported it, and never imported for it:
    a chapter without torch must not pay for it."""
    code = (
        "import sys; from sigmoidbook.chapter import setup_chapter; "
        "setup_chapter(seed=0); print('torch' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0", None])
def test_a_bad_seed_is_refused(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        setup_chapter(seed=seed)


@pytest.mark.parametrize("threads", [0, -2, 1.0, False, "1"])
def test_a_bad_thread_count_is_refused(threads):
    with pytest.raises(ValueError, match="threads must be a positive int"):
        setup_chapter(seed=0, threads=threads)
