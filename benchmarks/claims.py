"""What the chapters say about speed, measured again outside the notebooks.

Each ``chN_rows(sizes)`` repeats the timings of one chapter (same operations, same
shapes, one thread, :func:`sigmoidbook.timing.seconds_per_call`) and returns
:class:`Row`\\ s: a ratio (or a time), the claim of the prose it tests and whether
the claim holds on this machine. Nothing here asserts: a slower or different machine
gives other ratios, and that is the observation. ``benchmarks/run.py`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from sigmoidbook.ch4 import sigmoid_np, sigmoid_py
from sigmoidbook.timing import seconds_per_call


@dataclass(frozen=True)
class Sizes:
    """How big each measurement is: :data:`FULL` as in the chapters, :data:`TINY` to smoke-test."""

    target: float  # seconds per timed repeat (seconds_per_call)
    derivative_n: int  # ch1
    layer: tuple[int, int, int]  # ch3: batch, units, inputs
    sigmoid_n: tuple[int, ...]  # ch4 sizes
    python_max_n: int
    buffer_n: tuple[int, int]  # ch4: in cache, main memory
    stability_n: int
    train_examples: int | None  # ch5: None = all of MNIST's training set
    fetch_batches: int


FULL = Sizes(
    0.02,
    10**6,
    (1024, 128, 784),
    tuple(10**k for k in range(1, 8)),
    10**6,
    (10**4, 10**7),
    10**6,
    None,
    100,
)
TINY = Sizes(0.001, 1000, (32, 16, 64), (10, 1000), 1000, (100, 1000), 1000, 512, 2)


@dataclass(frozen=True)
class Row:
    chapter: str
    measurement: str
    value: float
    unit: str  # "×" for a ratio, "s" for a time
    claim: str  # what the prose says; "" when it states no direction
    holds: bool | None  # on this machine; None when the prose makes no claim


def ratio_row(chapter, measurement, value, claim, expect_above_1=True) -> Row:
    holds = (value > 1) == expect_above_1 if claim else None
    return Row(chapter, measurement, value, "×", claim, holds)


def ch1_rows(sizes: Sizes) -> list[Row]:
    """Chapter 1: sigma' from the saved output s(1 - s) against recomputing from x."""
    inputs = np.linspace(-10, 10, sizes.derivative_n)
    saved = 1.0 / (1.0 + np.exp(-inputs))

    def from_input():
        e = np.exp(-inputs)
        return e / (1.0 + e) ** 2

    t_saved = seconds_per_call(lambda: saved * (1.0 - saved), target=sizes.target)
    t_input = seconds_per_call(from_input, target=sizes.target)
    return [
        ratio_row(
            "ch1",
            f"σ' from x / from saved s, n = {sizes.derivative_n:,}",
            t_input / t_saved,
            "recomputing from x is slower (> 1)",
        )
    ]


def ch3_rows(sizes: Sizes) -> list[Row]:
    """Chapter 3: ReLU against sigmoid forward, next to the layer's matrix product."""
    batch, units, inputs = sizes.layer
    generator = torch.Generator().manual_seed(1)
    z = torch.randn(batch, units, generator=generator)
    x = torch.randn(batch, inputs, generator=generator)
    w = torch.randn(units, inputs, generator=generator)
    t = {
        name: seconds_per_call(f, target=sizes.target)
        for name, f in {
            "relu": lambda: torch.relu(z),
            "sigmoid": lambda: torch.sigmoid(z),
            "matmul": lambda: x @ w.T,
        }.items()
    }
    shape = f"{batch}×{units}"
    return [
        ratio_row(
            "ch3",
            f"sigmoid / ReLU forward, {shape}",
            t["sigmoid"] / t["relu"],
            "ReLU is cheaper (> 1)",
        ),
        ratio_row(
            "ch3",
            f"matrix product ({inputs} inputs) / ReLU",
            t["matmul"] / t["relu"],
            "the matrix product dominates (> 1)",
        ),
        ratio_row(
            "ch3",
            "sigmoid / matrix product",
            t["sigmoid"] / t["matmul"],
            "the activation is the smaller cost (< 1)",
            expect_above_1=False,
        ),
    ]


def per_element(function, n, target) -> float:
    return seconds_per_call(function, target=target) / n


def ch4_size_rows(n: int, sizes: Sizes, rng) -> tuple[list[Row], float]:
    """Chapter 4 at one size: pure Python against NumPy and torch.sigmoid; the copy.

    Returns the rows and NumPy's float64 time per element (for the overhead row).
    """
    x64 = 5 * rng.standard_normal(n)
    x32 = x64.astype(np.float32)
    t32, copy32 = torch.from_numpy(x32), np.empty_like(x32)
    np64 = per_element(lambda: sigmoid_np(x64), n, sizes.target)
    torch32 = per_element(lambda: torch.sigmoid(t32), n, sizes.target)
    rows = []
    if n <= sizes.python_max_n:
        x_list = x64.tolist()
        python = per_element(lambda: [sigmoid_py(v) for v in x_list], n, sizes.target)
        # at the smallest n the prose names no winner: "within a small factor"
        claim = "" if n == sizes.sigmoid_n[0] else "vectorised is faster (> 1)"
        rows += [
            ratio_row(
                "ch4", f"pure Python / NumPy float64, n = {n:,}", python / np64, claim
            ),
            ratio_row(
                "ch4",
                f"pure Python / torch.sigmoid, n = {n:,}",
                python / torch32,
                claim,
            ),
        ]
    if n == sizes.sigmoid_n[-1]:
        copy = per_element(lambda: np.copyto(copy32, x32), n, sizes.target)
        rows.append(
            ratio_row(
                "ch4",
                f"torch.sigmoid / copy into a buffer, n = {n:,}",
                torch32 / copy,
                "no faster than a copy (> 1)",
            )
        )
    return rows, np64


def ch4_buffer_rows(n: int, sizes: Sizes, rng) -> list[Row]:
    """Chapter 4 at one size: a fresh output (first touch of new memory) or a buffer."""
    x = torch.from_numpy((5 * rng.standard_normal(n)).astype(np.float32))
    buffer = torch.empty_like(x)
    cases = {
        "fresh": lambda: torch.sigmoid(x),
        "out": lambda: torch.sigmoid(x, out=buffer),
        "copy": lambda: buffer.copy_(x),
        "fresh fill": lambda: torch.empty_like(x).fill_(1),
        "fill": lambda: buffer.fill_(1),
    }
    t = {name: per_element(f, n, sizes.target) for name, f in cases.items()}
    large = n == sizes.buffer_n[-1]  # main memory: the prose's claims are about it
    return [
        ratio_row(
            "ch4",
            f"sigmoid(x) / sigmoid(x, out=buffer), n = {n:,}",
            t["fresh"] / t["out"],
            "a fresh output costs extra (> 1)" if large else "",
        ),
        ratio_row(
            "ch4",
            f"empty_like(x).fill_ / buffer.fill_, n = {n:,}",
            t["fresh fill"] / t["fill"],
            "first touch of new memory costs (> 1)" if large else "",
        ),
        ratio_row(
            "ch4",
            f"sigmoid(x, out=buffer) / buffer.copy_(x), n = {n:,}",
            t["out"] / t["copy"],
            "the arithmetic costs on top of the memory traffic (> 1)",
        ),
    ]


def ch4_rows(sizes: Sizes) -> list[Row]:
    rng = np.random.default_rng(0)
    rows, np64 = [], {}
    for n in sizes.sigmoid_n:
        size_rows, np64[n] = ch4_size_rows(n, sizes, rng)
        rows += size_rows
    smallest = sizes.sigmoid_n[0]
    rows.append(
        ratio_row(
            "ch4",
            f"NumPy per element at n = {smallest} / its best",
            np64[smallest] / min(np64.values()),
            "per-call overhead dominates (> 1)",
        )
    )
    for n in sizes.buffer_n:
        rows += ch4_buffer_rows(n, sizes, rng)
    x = 5 * rng.standard_normal(sizes.stability_n)
    stable = seconds_per_call(lambda: sigmoid_np(x), target=sizes.target)
    naive = seconds_per_call(lambda: 1.0 / (1.0 + np.exp(-x)), target=sizes.target)
    rows.append(
        ratio_row(
            "ch4",
            f"stable / naive NumPy sigmoid, n = {sizes.stability_n:,}",
            stable / naive,
            "stability costs time (> 1)",
        )
    )
    return rows


def training_data(sizes: Sizes) -> tuple[torch.Tensor, torch.Tensor]:
    """MNIST's training set (as chapter 5), or random images of its shape for TINY."""
    if sizes.train_examples is None:
        from sigmoidbook.data import load_mnist

        images, labels = load_mnist("train")
        return torch.from_numpy(images), torch.from_numpy(labels)
    generator = torch.Generator().manual_seed(0)
    X = torch.rand(sizes.train_examples, 784, generator=generator)
    return X, torch.randint(0, 10, (sizes.train_examples,), generator=generator)


def adam_step_seconds(fused: bool, target: float) -> float:
    net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    for p in net.parameters():
        p.grad = torch.randn_like(p)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, fused=fused)
    return seconds_per_call(optimizer.step, target=target)


def ch5_rows(sizes: Sizes) -> list[Row]:
    """Chapter 5: DataLoader against indexing, Adam fused or not, one epoch's time."""
    from sigmoidbook.training import fit

    X, y = training_data(sizes)
    batches = torch.randperm(len(X), generator=torch.Generator().manual_seed(0)).split(
        128
    )
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(X, y),
        batch_size=128,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    count = sizes.fetch_batches
    indexing = seconds_per_call(
        lambda: [(X[i], y[i]) for i in batches[:count]], target=sizes.target
    )
    loading = seconds_per_call(
        lambda: [b for _, b in zip(range(count), loader)], target=sizes.target
    )
    unfused, fused = (adam_step_seconds(f, sizes.target) for f in (False, True))
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7, fused=True)
    epoch = fit(
        net, optimizer, X, y, epochs=1, seed=0, loss_fn=F.cross_entropy, progress=False
    )[0]
    examples = f"{len(X)} examples"
    return [
        ratio_row(
            "ch5",
            f"DataLoader / indexing, {count} batches of 128",
            loading / indexing,
            "indexing is faster (> 1)",
        ),
        ratio_row(
            "ch5",
            "Adam step: for-loop / fused=True, 784-128-10",
            unfused / fused,
            "fused is faster (> 1)",
        ),
        Row(
            "ch5",
            f"one epoch, 784-128-10, batch 128, {examples}: wall",
            epoch.seconds,
            "s",
            "",
            None,
        ),
        Row(
            "ch5", f"one epoch, {examples}: CPU time", epoch.cpu_seconds, "s", "", None
        ),
    ]


CHAPTERS = {"ch1": ch1_rows, "ch3": ch3_rows, "ch4": ch4_rows, "ch5": ch5_rows}
