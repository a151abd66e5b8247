"""Train and evaluate small PyTorch models on a dataset held in memory.

MNIST is small: the 60,000 training images as float32 take 188 MB, so the
whole set lives in one tensor (on the GPU if there is one) and a mini-batch is
just ``images[indices]``.  There is no ``DataLoader``, no per-sample Python
call and no worker process; chapter 5 measures what that saves (an epoch of a
784-128-10 network takes about a second of CPU time on the machine that builds
the book).

The functions are deliberately plain; chapter 5 shows what each line does::

    from sigmoidbook.training import as_tensors, fit, evaluate

    X_train, y_train = as_tensors(*load_mnist("train"))
    X_test, y_test = as_tensors(*load_mnist("test"))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    history = fit(model, optimizer, X_train, y_train, epochs=3, seed=0,
                  test_data=(X_test, y_test))
    history[-1].test_accuracy

* Shuffling uses its own seeded :class:`torch.Generator`, so the order of the
  mini-batches is reproducible and independent of any other random numbers.
* ``fit`` reports, like Keras's ``model.fit``, the mean loss and accuracy over
  the mini-batches of each epoch (each measured before that batch's update).
* Bad input (mismatched lengths, an empty data set, tensors on different devices,
  a non-positive number of epochs or batch size) raises a ``ValueError`` or
  ``TypeError`` that names the problem, before any training.
* A tqdm progress bar is shown only in interactive use (a terminal, or a
  notebook opened in Jupyter); when a notebook is executed by nbconvert,
  nbval or a grader nothing is printed, so executed outputs stay clean.
  Override with ``progress=True/False`` or the environment variable
  ``SIGMOIDBOOK_PROGRESS=1`` / ``0``.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    "EpochResult",
    "as_tensors",
    "check_data",
    "default_device",
    "evaluate",
    "fit",
    "minibatch_indices",
    "progress_enabled",
    "train_epoch",
]

LossFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def default_device() -> torch.device:
    """CUDA if PyTorch can see a GPU, otherwise the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def as_tensors(
    images: np.ndarray, labels: np.ndarray, device: torch.device | str | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Convert ``(images, labels)`` NumPy arrays to float32 / int64 tensors on ``device``.

    ``device`` defaults to :func:`default_device`.  On the CPU the tensors
    share memory with float32 / int64 arrays (no copy).
    """
    device = default_device() if device is None else torch.device(device)
    X = torch.as_tensor(np.asarray(images, dtype=np.float32), device=device)
    y = torch.as_tensor(np.asarray(labels, dtype=np.int64), device=device)
    check_data(X, y)
    return X, y


def check_data(X: torch.Tensor, y: torch.Tensor, name: str = "data") -> None:
    """Raise a clear error unless ``X`` and ``y`` are non-empty tensors that belong together.

    They must be tensors on the same device with one label per example (the first
    dimension of ``X``), and ``y`` must be one-dimensional.
    """
    for what, tensor in (("inputs", X), ("labels", y)):
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(
                f"{name}: the {what} must be a torch.Tensor, got {type(tensor).__name__}"
                " (convert NumPy arrays with as_tensors)"
            )
    if X.dim() == 0 or y.dim() != 1:
        raise ValueError(
            f"{name}: need inputs with a first dimension per example and 1-d labels, "
            f"got shapes {tuple(X.shape)} and {tuple(y.shape)}"
        )
    if len(X) != len(y):
        raise ValueError(f"{name}: {len(X)} images but {len(y)} labels")
    if len(X) == 0:
        raise ValueError(f"{name} is empty: no examples to train or evaluate on")
    if X.device != y.device:
        raise ValueError(f"{name}: inputs are on {X.device} but labels on {y.device}")


def _check_positive(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def progress_enabled() -> bool:
    """Whether a progress bar would help: an interactive terminal or a Jupyter front end.

    ``SIGMOIDBOOK_PROGRESS=1`` or ``0`` forces the answer.  Jupyter servers
    (JupyterLab, Notebook, Binder) start kernels with ``JPY_SESSION_NAME`` set;
    nbconvert, nbval and otter do not, and their stderr is not a terminal.
    """
    forced = os.environ.get("SIGMOIDBOOK_PROGRESS")
    if forced is not None:
        return forced.strip().lower() not in {"", "0", "false", "no", "off"}
    if os.environ.get("JPY_SESSION_NAME"):
        return True
    stream = sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def minibatch_indices(
    n: int, batch_size: int, generator: torch.Generator
) -> tuple[torch.Tensor, ...]:
    """A random permutation of ``range(n)`` cut into batches (the last may be smaller)."""
    _check_positive("batch_size", batch_size)
    _check_positive("the number of examples n", n)
    return torch.randperm(n, generator=generator).split(batch_size)


def train_epoch(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    batch_size: int = 128,
    generator: torch.Generator,
    loss_fn: LossFunction = F.cross_entropy,
    progress: bool | None = None,
    description: str = "",
) -> tuple[float, float]:
    """One pass over ``(X, y)`` in shuffled mini-batches; returns ``(mean loss, accuracy)``.

    ``loss_fn(logits, labels)`` must return the mean loss of the batch.  The
    returned loss and accuracy are averages over the epoch's batches, weighted
    by batch size, each computed before that batch's parameter update (the
    numbers Keras prints during ``fit``).
    """
    check_data(X, y, "training data")
    batches = minibatch_indices(len(X), batch_size, generator)
    show = progress_enabled() if progress is None else progress
    bar = _progress_bar(len(batches), description) if show else None
    model.train()
    loss_sum = torch.zeros((), device=X.device)
    correct = torch.zeros((), dtype=torch.int64, device=X.device)
    for indices in batches:
        indices = indices.to(X.device)
        inputs, targets = X[indices], y[indices]
        logits = model(inputs)
        loss = loss_fn(logits, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        # Accumulate on the device: no synchronisation per batch on a GPU.
        loss_sum += loss.detach() * len(indices)
        correct += (logits.detach().argmax(dim=1) == targets).sum()
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()
    return loss_sum.item() / len(X), correct.item() / len(X)


def _progress_bar(total: int, description: str):
    from tqdm.auto import tqdm  # imported only when a bar is wanted

    return tqdm(total=total, desc=description, leave=False, unit="batch")


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    batch_size: int = 10_000,
    loss_fn: LossFunction = F.cross_entropy,
) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on ``(X, y)``, without changing it.

    The data go through the model ``batch_size`` examples at a time (in order), so
    that a large test set does not need one huge activation tensor.
    """
    check_data(X, y, "evaluation data")
    _check_positive("batch_size", batch_size)
    was_training = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    for start in range(0, len(X), batch_size):
        inputs, targets = X[start : start + batch_size], y[start : start + batch_size]
        logits = model(inputs)
        loss_sum += loss_fn(logits, targets).item() * len(inputs)
        correct += (logits.argmax(dim=1) == targets).sum().item()
    model.train(was_training)
    return loss_sum / len(X), correct / len(X)


@dataclass(frozen=True)
class EpochResult:
    """What :func:`fit` records after each epoch (accuracies are fractions in [0, 1]).

    ``seconds`` is the wall-clock time of the epoch's training (without the
    evaluation); ``cpu_seconds`` the CPU time this process used meanwhile, summed
    over its threads.  On a busy machine the wall-clock time grows while the
    process waits for a core; the CPU time does not.  (GPU time is not CPU time:
    on CUDA only ``seconds`` is meaningful.)
    """

    epoch: int
    train_loss: float
    train_accuracy: float
    test_loss: float | None
    test_accuracy: float | None
    seconds: float
    cpu_seconds: float


def fit(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    seed: int,
    batch_size: int = 128,
    test_data: Sequence[torch.Tensor] | None = None,
    loss_fn: LossFunction = F.cross_entropy,
    progress: bool | None = None,
) -> list[EpochResult]:
    """Train for ``epochs`` epochs; return one :class:`EpochResult` per epoch.

    ``seed`` seeds the generator that shuffles the mini-batches (the model's
    initial weights are the caller's business).  If ``test_data=(X_test,
    y_test)`` is given, the model is evaluated on it after every epoch;
    ``seconds`` and ``cpu_seconds`` time the epoch's training, without that evaluation.
    """
    _check_fit_arguments(X, y, epochs, batch_size, test_data)
    generator = torch.Generator().manual_seed(seed)
    history = []
    for epoch in range(1, epochs + 1):
        start, cpu_start = time.perf_counter(), time.process_time()
        train_loss, train_accuracy = train_epoch(
            model,
            optimizer,
            X,
            y,
            batch_size=batch_size,
            generator=generator,
            loss_fn=loss_fn,
            progress=progress,
            description=f"epoch {epoch}/{epochs}",
        )
        if X.device.type == "cuda":
            torch.cuda.synchronize(X.device)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        test_loss = test_accuracy = None
        if test_data is not None:
            test_loss, test_accuracy = evaluate(model, *test_data, loss_fn=loss_fn)
        history.append(
            EpochResult(
                epoch,
                train_loss,
                train_accuracy,
                test_loss,
                test_accuracy,
                seconds,
                cpu_seconds,
            )
        )
    return history


def _check_fit_arguments(
    X: torch.Tensor,
    y: torch.Tensor,
    epochs: int,
    batch_size: int,
    test_data: Sequence[torch.Tensor] | None,
) -> None:
    """Everything :func:`fit` can check before the first epoch, with clear errors."""
    check_data(X, y, "training data")
    _check_positive("epochs", epochs)
    _check_positive("batch_size", batch_size)
    if test_data is None:
        return
    if isinstance(test_data, torch.Tensor) or len(test_data) != 2:
        raise ValueError("test_data must be a pair (X_test, y_test)")
    check_data(*test_data, "test_data")
    if test_data[0].device != X.device:
        raise ValueError(
            f"test_data is on {test_data[0].device} but the training data on {X.device}"
        )
