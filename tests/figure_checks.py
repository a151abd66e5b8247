"""What each interactive figure must show, computed here independently of the book.

Used by tests/test_browser.py: drag every slider of a page in the browser and record
what it shows (:func:`exercise_sliders`), then check each record against values this
module computes itself, not with the figure's code (:func:`check_slider_records`).
"""

from __future__ import annotations

import math
import re

import numpy as np
import torch

from sigmoidbook.report import minus

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
        figure.scroll_into_view_if_needed()
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
        assert table["f′(x)"][row].removesuffix(" *") == minus(f"{slope:.4f}"), (
            name,
            x,
        )
        kinked = x == 0 and name in ("ReLU", "Leaky ReLU (0.1)")
        assert table["f′(x)"][row].endswith(" *") == kinked, (name, x)
    if x == 3.0:
        assert record["title"] == "x = 3.00: σ(x) = 0.9526, σ′(x) = 0.0452"


def check_depth(record: dict) -> None:
    depth = int(record["label"])
    assert record["current_value"] == f"depth L = {depth}"
    title = record["title"]
    assert f"(1/4)^{depth} = " + minus(f"{0.25**depth:.3e}") in title, title
    product = np.float32(1)
    with np.errstate(under="ignore"):
        for _ in range(depth):  # one float32 rounding per layer, as in a backward pass
            product = np.float32(product * np.float32(0.25))
    tiny = np.finfo(np.float32).smallest_normal
    if product == 0:
        assert "float32 product: 0 (underflow)" in title, title
    else:
        assert "float32 product: " + minus(f"{float(product):.3e}") in title, title
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
    expected = minus(
        f"b = {bias:.2f}: ReLU {relu}/128 units alive · "
        f"Leaky ReLU (0.1) 128/128 alive, {relu} active"
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
