"""What each interactive figure must show, computed here independently of the book.

Used by tests/test_browser.py: drag every slider of a page in the browser and record
what it shows (:func:`exercise_sliders`), then check each record against values this
module computes itself, not with the figure's code (:func:`check_slider_records`).
:data:`FIGURES` builds each figure as its chapter does, from small data of the right
shape, for the tests that draw the figures on their own (test_figure_layout.py,
test_figure_text.py).
"""

from __future__ import annotations

import math
import re

import numpy as np
import torch

from sigmoidbook.figures.dead_neurons import dead_neuron_grid
from sigmoidbook.figures.depth import depth_slider
from sigmoidbook.figures.explorer import activation_explorer
from sigmoidbook.figures.softmax import temperature_slider
from sigmoidbook.report import format_number, minus

# --------------------------------------------------------------------------
# Driving a slider
# --------------------------------------------------------------------------


def shown_title(page, div_id: str) -> str:
    """The figure title as displayed (SVG text; a <br> starts a new line, no character)."""
    return page.locator(f"#{div_id} .gtitle").text_content()


def shown_current_value(page, div_id: str) -> str:
    """The slider's "current value" text above the rail."""
    return page.locator(
        f"#{div_id} .slider-group > text.slider-label"
    ).first.text_content()


def table_columns(page, div_id: str) -> dict[str, list[str]]:
    """The plotly table as displayed: {column header: [cell text, ...]} (empty if no table)."""
    # Plotly reuses the cells' DOM nodes when the table changes: order them by position on screen.
    columns = page.evaluate(
        """(id) => [...document.querySelectorAll('#' + id + ' .table .y-column')].map(
               (column) => [...column.querySelectorAll('.cell-text')]
                   .map((t) => [t.getBoundingClientRect().top, t.textContent])
                   .sort((a, b) => a[0] - b[0])
                   .map((pair) => pair[1]))""",
        div_id,
    )
    return {column[0]: column[1:] for column in columns if column}  # header on top


def drag_slider(page, div_id: str, index: int, attempts: int = 3) -> None:
    """Drag the slider's grip with the mouse onto step ``index``.

    Positions are measured just before the drag; if the page moved meanwhile
    (late layout on a busy machine) and the slider did not land on the step,
    the drag is repeated.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    figure = page.locator(f"#{div_id}")
    for _ in range(attempts):
        # The grip itself: a figure taller than the window may be "in view" without it.
        figure.locator(".slider-grip-rect").scroll_into_view_if_needed()
        grip = figure.locator(".slider-grip-rect").bounding_box()
        tick = figure.locator(".slider-tick-rect").nth(index).bounding_box()
        assert grip and tick, f"{div_id}: slider not on screen"
        x0, y0 = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
        page.mouse.move(x0, y0)
        page.mouse.down()
        # Few intermediate positions: each step the grip passes re-draws the figure.
        page.mouse.move(tick["x"] + tick["width"] / 2, y0, steps=3)
        page.mouse.up()
        try:
            page.wait_for_function(
                "([id, index]) => document.getElementById(id)._fullLayout.sliders[0].active === index",
                arg=[div_id, index],
                timeout=20_000,
            )
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError(
        f"#{div_id}: the slider did not reach step {index} in {attempts} drags"
    )


def exercise_sliders(page, figures: list[dict]) -> list[dict]:
    """Drag every slider of the page to the steps the checks below single out
    (or its first and middle step) and to its last step; record what is shown."""
    records = []
    for figure in figures:
        if not figure["sliders"]:
            continue
        div_id = figure["id"]
        steps = page.evaluate(
            """(id) => document.getElementById(id).layout.sliders[0].steps.map(
                   (s) => ({label: s.label, title: s.args[1]['title.text']}))""",
            div_id,
        )
        labels = [s["label"] for s in steps]
        special = [
            labels.index(v)
            for v in SPECIAL_STEPS.get(kind_of(div_id), ())
            if v in labels
        ]
        for index in [*(special or [0, len(steps) // 2]), len(steps) - 1]:
            drag_slider(page, div_id, index)
            records.append(
                {
                    "div_id": div_id,
                    "index": index,
                    "label": labels[index],
                    "step_title": steps[index]["title"].replace("<br>", ""),
                    "title": shown_title(page, div_id),
                    "current_value": shown_current_value(page, div_id),
                    "table": table_columns(page, div_id),
                    "alive_cells": page.evaluate(
                        "(id) => { const d = document.getElementById(id).data[0];"
                        " return d.type === 'heatmap' ? d.z.flat().reduce((a, b) => a + b, 0) : null; }",
                        div_id,
                    ),
                }
            )
    return records


# --------------------------------------------------------------------------
# What each figure must show: computed here
# --------------------------------------------------------------------------

#: Step labels (as displayed) that are always dragged to, per figure kind.
SPECIAL_STEPS = {
    "activation-explorer": ("3.00", "0.00", "−2.50"),
    "depth-slider": ("12", "64", "75"),
    "dead-neuron-grid": ("−0.14", "−3.00"),
}


def kind_of(div_id: str) -> str | None:
    match = re.match(
        r"sigmoidbook-(activation-explorer|depth-slider|dead-neuron-grid|softmax-temperature)",
        div_id,
    )
    return match.group(1) if match else None


#: The explorer's activations by displayed name, written out here independently of
#: chapter 3 (which passes its own table to the figure).
EXPLORER_FUNCTIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "ReLU": torch.relu,
    "Leaky ReLU (0.1)": lambda t: torch.nn.functional.leaky_relu(t, 0.1),
    "GELU": torch.nn.functional.gelu,
    "SiLU": torch.nn.functional.silu,
}


def value_and_slope(function, x: float) -> tuple[float, float]:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = function(t)
    y.backward()
    return float(y.detach()), float(t.grad)


def check_explorer(record: dict) -> None:
    x = float(record["label"].replace("−", "-"))
    assert record["current_value"] == f"x = {record['label']}"
    sigma = 1 / (1 + math.exp(-x))  # closed form, not the figure's code
    assert record["title"] == minus(
        f"x = {x:.2f}: σ(x) = {sigma:.4f}, σ′(x) = {sigma * (1 - sigma):.4f}"
    )
    table = record["table"]
    assert table["activation"] == list(EXPLORER_FUNCTIONS)
    for row, (name, function) in enumerate(EXPLORER_FUNCTIONS.items()):
        value, slope = value_and_slope(function, x)
        assert table["f(x)"][row] == minus(f"{value:.4f}"), (name, x)
        assert table["f′(x)"][row].removesuffix("*") == minus(f"{slope:.4f}"), (
            name,
            x,
        )
        kinked = x == 0 and name in ("ReLU", "Leaky ReLU (0.1)")
        assert table["f′(x)"][row].endswith("*") == kinked, (name, x)
    if x == 3.0:
        assert record["title"] == "x = 3.00: σ(x) = 0.9526, σ′(x) = 0.0452"


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def check_depth(record: dict) -> None:
    depth = int(record["label"])
    assert record["current_value"] == f"depth L = {depth}"
    title = record["title"]  # as displayed: the title's lines run together
    exponent = str(depth).translate(SUPERSCRIPT)
    assert f"¼{exponent} = {format_number(0.25**depth, '.3e')}" in title, title
    product = np.float32(1)
    with np.errstate(under="ignore"):
        for _ in range(depth):  # one float32 rounding per layer, as in a backward pass
            product = np.float32(product * np.float32(0.25))
    tiny = np.finfo(np.float32).smallest_normal
    if product == 0:
        assert title.endswith("float32 product: 0float32: underflow to 0"), title
    else:
        shown = format_number(float(product), ".3e")
        assert f"float32 product: {shown}float32: " in title, title
    assert ("subnormal" in title) == bool(0 < product < tiny), title
    assert ("1 + g rounds to 1" in title) == bool(
        np.float32(1) + product == np.float32(1) and product >= tiny
    ), title
    landmark = {12: "1 + g rounds to 1", 64: "subnormal", 75: "underflow"}.get(depth)
    if landmark:
        assert landmark in title, title


def exercise_relu_alive(bias: float) -> int:
    """Chapter 3's dead-neuron exercise at hidden bias ``bias``, recomputed here: 784
    inputs of standard deviation 0.1, PyTorch's default init (seed 0), 128 units, a
    batch of 64 (generator seed 1); a ReLU unit is alive if it fires on some example."""
    torch.manual_seed(0)
    weight = torch.nn.Linear(784, 128).weight.detach().double()
    generator = torch.Generator().manual_seed(1)
    inputs = (0.1 * torch.randn(64, 784, generator=generator)).double()
    return int(((inputs @ weight.T + bias) > 0).any(dim=0).sum())


def check_dead(record: dict) -> None:
    bias = float(record["label"].replace("−", "-"))
    assert record["current_value"] == f"hidden bias b = {record['label']}"
    relu = exercise_relu_alive(bias)
    expected = minus(  # as displayed: the title's lines run together
        f"hidden bias b = {bias:.2f}ReLU: {relu}/128 units alive"
        f"Leaky ReLU (0.1): 128 alive, {relu} active"
    )
    assert record["title"] == expected, record["title"]
    assert record["alive_cells"] == relu, (
        "coloured ReLU cells must match the count in the title"
    )


CHECKS = {
    "activation-explorer": check_explorer,
    "depth-slider": check_depth,
    "dead-neuron-grid": check_dead,
}


def check_slider_records(where: str, records: list[dict]) -> None:
    for record in records:
        context = (
            f"{where} #{record['div_id']} step {record['index']} ({record['label']})"
        )
        assert record["title"] == record["step_title"], context
        check = CHECKS.get(kind_of(record["div_id"]))
        if check:
            try:
                check(record)
            except AssertionError as error:
                raise AssertionError(f"{context}: {error}") from error


# --------------------------------------------------------------------------
# The figures, built as the chapters build them (small data of the right shape)
# --------------------------------------------------------------------------


def build_depth():
    """Chapter 2: float32 landmarks and the float32 products (1/4)^L, L = 1 … 80."""
    product, products = np.float32(1), []
    with np.errstate(under="ignore"):
        for _ in range(80):
            product = np.float32(product * np.float32(0.25))
            products.append(product)
    landmarks = {"update lost": 12, "subnormal": 64, "zero": 75}
    return depth_slider(landmarks, np.array(products, dtype=np.float32))


def value_and_derivative(function, x):
    """Chapter 3's autograd helper."""
    x = torch.as_tensor(x, dtype=torch.float64).clone().requires_grad_(True)
    (dy,) = torch.autograd.grad(function(x).sum(), x)
    return function(x).detach().numpy(), dy.numpy()


def build_explorer():
    """Chapter 3: its six activations."""
    activations = {
        "sigmoid": ("sigmoid", torch.sigmoid),
        "tanh": ("tanh", torch.tanh),
        "relu": ("ReLU", torch.relu),
        "leaky_relu": (
            "Leaky ReLU (0.1)",
            lambda x: torch.nn.functional.leaky_relu(x, 0.1),
        ),
        "gelu": ("GELU", torch.nn.functional.gelu),
        "silu": ("SiLU", torch.nn.functional.silu),
    }
    return activation_explorer(activations, value_and_derivative)


def build_dead_neurons():
    """Chapter 3: its exercise's 128 units at biases 0, −0.02, …, −0.24 and −3
    (recomputed as figure_checks.exercise_relu_alive does, so the browser checks apply)."""
    biases = [*np.round(np.arange(0, -0.25, -0.02), 2), -3.0]
    torch.manual_seed(0)
    weight = torch.nn.Linear(784, 128).weight.detach().double()
    generator = torch.Generator().manual_seed(1)
    inputs = (0.1 * torch.randn(64, 784, generator=generator)).double()
    alive = np.array([((inputs @ weight.T + b) > 0).any(dim=0).numpy() for b in biases])
    return dead_neuron_grid(
        biases,
        relu_alive=alive,
        leaky_alive=np.ones_like(alive),
        leaky_active=alive,
        initial_bias=-0.14,
    )


def build_softmax():
    """Chapter 6: five classes, T = 2^−4 … 2^4 in quarter powers."""
    logits = np.array([3.0, 1.5, 0.5, 0.0, -1.0])
    temperatures = 2.0 ** np.arange(-4, 4.25, 0.25)
    probabilities, frobenius, largest = [], [], []
    for T in temperatures:
        e = np.exp(logits / T - np.max(logits / T))
        p = e / e.sum()
        J = (np.diag(p) - np.outer(p, p)) / T
        probabilities.append(p)
        frobenius.append(np.linalg.norm(J))
        largest.append(np.linalg.eigvalsh(J).max())
    names = ["a", "b", "c", "d", "e"]
    return temperature_slider(names, temperatures, probabilities, frobenius, largest)


FIGURES = {
    "depth": build_depth,
    "explorer": build_explorer,
    "dead_neurons": build_dead_neurons,
    "softmax": build_softmax,
}
