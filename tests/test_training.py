"""Unit tests for sigmoidbook.training (in-memory training helpers used by chapter 5)."""

import sys

import numpy as np
import pytest
import torch
import torch.nn as nn

from sigmoidbook.training import (
    EpochResult,
    as_tensors,
    default_device,
    evaluate,
    fit,
    minibatch_indices,
    progress_enabled,
    train_epoch,
)


def toy_data(n=200, seed=0):
    """Two well-separated Gaussian blobs in 5 dimensions, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    images = rng.normal(size=(n, 5)).astype(np.float32) + 3 * labels[:, None].astype(
        np.float32
    )
    return as_tensors(images, labels, device="cpu")


def toy_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))


def test_default_device_falls_back_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert default_device() == torch.device("cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert default_device() == torch.device("cuda")


def test_as_tensors_types_and_no_copy():
    images = np.zeros((3, 4), dtype=np.float32)
    labels = np.array([0, 1, 2])
    X, y = as_tensors(images, labels, device="cpu")
    assert X.dtype == torch.float32 and y.dtype == torch.int64 and X.shape == (3, 4)
    images[0, 0] = 7.0
    assert X[0, 0].item() == 7.0, (
        "on the CPU the tensor should share the array's memory"
    )


def test_as_tensors_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        as_tensors(np.zeros((3, 4), dtype=np.float32), np.array([0, 1]), device="cpu")


def test_minibatch_indices_is_a_seeded_permutation():
    batches = minibatch_indices(10, 4, torch.Generator().manual_seed(0))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(torch.cat(batches).tolist()) == list(range(10))
    again = minibatch_indices(10, 4, torch.Generator().manual_seed(0))
    assert all(torch.equal(a, b) for a, b in zip(batches, again))
    with pytest.raises(ValueError):
        minibatch_indices(10, 0, torch.Generator().manual_seed(0))


def test_epoch_averages_match_evaluate_when_the_model_does_not_move():
    """With a zero learning rate every batch sees the same model: the epoch mean is the full-data mean."""
    X, y = toy_data()
    model = toy_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    loss, accuracy = train_epoch(
        model,
        optimizer,
        X,
        y,
        batch_size=32,
        generator=torch.Generator().manual_seed(0),
        progress=False,
    )
    expected_loss, expected_accuracy = evaluate(model, X, y, batch_size=50)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert accuracy == pytest.approx(expected_accuracy)


def test_evaluate_leaves_the_model_alone():
    X, y = toy_data()
    model = toy_model()
    before = [p.detach().clone() for p in model.parameters()]
    model.train()
    full = evaluate(model, X, y)
    assert model.training, "evaluate should restore training mode"
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))
    assert evaluate(model, X, y, batch_size=7) == pytest.approx(full, rel=1e-6)


def test_fit_learns_and_records_each_epoch():
    X, y = toy_data()
    model = toy_model()
    history = fit(
        model,
        torch.optim.Adam(model.parameters(), lr=0.05),
        X,
        y,
        epochs=5,
        seed=0,
        batch_size=32,
        test_data=(X, y),
        progress=False,
    )
    assert [r.epoch for r in history] == [1, 2, 3, 4, 5]
    assert all(isinstance(r, EpochResult) for r in history)
    assert history[-1].train_loss < history[0].train_loss
    assert history[-1].test_accuracy > 0.95
    assert all(r.seconds >= 0 and r.cpu_seconds >= 0 for r in history)


def test_fit_without_test_data():
    X, y = toy_data()
    model = toy_model()
    (result,) = fit(
        model,
        torch.optim.SGD(model.parameters(), lr=0.1),
        X,
        y,
        epochs=1,
        seed=0,
        progress=False,
    )
    assert result.test_loss is None and result.test_accuracy is None


def test_fit_is_reproducible():
    X, y = toy_data()
    runs = []
    for _ in range(2):
        model = toy_model(seed=3)
        fit(
            model,
            torch.optim.Adam(model.parameters(), lr=0.01),
            X,
            y,
            epochs=2,
            seed=5,
            batch_size=16,
            progress=False,
        )
        runs.append([p.detach().clone() for p in model.parameters()])
    assert all(torch.equal(a, b) for a, b in zip(*runs))


def test_shuffle_seed_changes_the_batch_order_only():
    X, y = toy_data()
    results = []
    for seed in (0, 1):
        model = toy_model(seed=3)
        fit(
            model,
            torch.optim.SGD(model.parameters(), lr=0.1),
            X,
            y,
            epochs=1,
            seed=seed,
            batch_size=16,
            progress=False,
        )
        results.append(model[0].weight.detach().clone())
    assert not torch.equal(*results)


@pytest.mark.parametrize(
    "env, tty, expected",
    [
        ({"SIGMOIDBOOK_PROGRESS": "1"}, False, True),
        ({"SIGMOIDBOOK_PROGRESS": "0", "JPY_SESSION_NAME": "x.ipynb"}, True, False),
        ({"JPY_SESSION_NAME": "x.ipynb"}, False, True),
        ({}, True, True),
        ({}, False, False),
    ],
)
def test_progress_enabled(monkeypatch, env, tty, expected):
    for name in ("SIGMOIDBOOK_PROGRESS", "JPY_SESSION_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Stream:
        def isatty(self):
            return tty

        def write(self, text):
            return len(text)

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stderr", Stream())
    assert progress_enabled() is expected


def test_progress_bar_only_when_asked(capsys, monkeypatch):
    monkeypatch.delenv("SIGMOIDBOOK_PROGRESS", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    X, y = toy_data()
    model = toy_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    fit(
        model, optimizer, X, y, epochs=1, seed=0, progress=None
    )  # stderr is not a terminal under pytest
    fit(model, optimizer, X, y, epochs=1, seed=0, progress=False)
    quiet = capsys.readouterr()
    assert quiet.out == "" and quiet.err == ""
    fit(model, optimizer, X, y, epochs=1, seed=0, progress=True)
    assert "epoch 1/1" in capsys.readouterr().err


def test_bad_data_gets_a_clear_error_before_training():
    X, y = toy_data(n=20)
    model = toy_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    cases = [
        ((X.numpy(), y), TypeError, "must be a torch.Tensor"),
        ((X, y[:-1]), ValueError, "20 images but 19 labels"),
        ((X[:0], y[:0]), ValueError, "empty"),
        ((X, y[:, None]), ValueError, "1-d labels"),
    ]
    for (inputs, labels), error, message in cases:
        with pytest.raises(error, match=message):
            fit(model, optimizer, inputs, labels, epochs=1, seed=0, progress=False)
        with pytest.raises(error, match=message):
            evaluate(model, inputs, labels)


@pytest.mark.parametrize(
    "options, message",
    [
        ({"epochs": 0}, "epochs must be a positive int"),
        ({"epochs": 2.0}, "epochs must be a positive int"),
        ({"batch_size": 0}, "batch_size must be a positive int"),
        ({"test_data": "not a pair"}, "test_data must be a pair"),
        ({"test_data": torch.zeros(2, 5)}, "test_data must be a pair"),
    ],
)
def test_bad_fit_options_get_a_clear_error(options, message):
    X, y = toy_data(n=20)
    model = toy_model()
    before = [p.detach().clone() for p in model.parameters()]
    arguments = {"epochs": 1, "seed": 0, "progress": False} | options
    with pytest.raises(ValueError, match=message):
        fit(model, torch.optim.SGD(model.parameters(), lr=0.1), X, y, **arguments)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters())), (
        "nothing should be trained before the arguments are checked"
    )


def test_test_data_is_checked_like_training_data():
    X, y = toy_data(n=20)
    model = toy_model()
    with pytest.raises(ValueError, match="test_data: 20 images but 3 labels"):
        fit(
            model,
            torch.optim.SGD(model.parameters(), lr=0.1),
            X,
            y,
            epochs=1,
            seed=0,
            test_data=(X, y[:3]),
            progress=False,
        )


def test_evaluate_rejects_a_non_positive_batch_size():
    X, y = toy_data(n=20)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        evaluate(toy_model(), X, y, batch_size=0)
