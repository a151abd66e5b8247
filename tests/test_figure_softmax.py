"""sigmoidbook.figures.softmax: chapter 6's temperature slider shows the numbers it is given.

The probabilities and Jacobian sizes are computed here independently of the chapter
(the softmax and its Jacobian written out with ``math``, eigenvalues by NumPy); every
slider step, title and table row must show exactly those, the steps must move the
bars and the two markers (found by name, not position), and inputs the figure cannot
show truthfully must raise.
"""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pytest

from sigmoidbook.figures.softmax import DIV_ID, temperature_slider
from sigmoidbook.report import minus

NAMES = ["a", "b", "c", "d"]
LOGITS = [2.0, 1.0, 0.0, -1.5]
TEMPERATURES = [0.25, 0.5, 1.0, 2.0, 4.0]


def drawn(values):
    """The figure draws 6 significant digits (the titles and the table use the inputs)."""
    return [float(f"{v:.6g}") for v in values]


def softmax(z):
    m = max(z)
    e = [math.exp(v - m) for v in z]
    return [v / sum(e) for v in e]


def jacobian_sizes(z, T):
    p = softmax([v / T for v in z])
    J = [[(p[i] * ((i == j) - p[j])) / T for j in range(len(p))] for i in range(len(p))]
    frobenius = math.sqrt(sum(x * x for row in J for x in row))
    return p, frobenius, float(np.linalg.eigvalsh(np.array(J)).max())


@pytest.fixture(scope="module")
def inputs():
    rows = [jacobian_sizes(LOGITS, T) for T in TEMPERATURES]
    return (
        NAMES,
        TEMPERATURES,
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
    )


@pytest.fixture(scope="module")
def figure(inputs):
    return temperature_slider(*inputs)


def test_starts_at_temperature_one_with_a_fixed_div_id(figure):
    slider = figure.figure.layout.sliders[0]
    assert TEMPERATURES[slider.active] == 1.0
    assert slider.currentvalue.prefix == "temperature T = "
    assert figure.div_id == DIV_ID == "sigmoidbook-softmax-temperature"
    assert f'id="{DIV_ID}"' in figure.to_html()


def test_every_step_moves_the_bars_and_the_markers_by_name(figure, inputs):
    data = figure.figure.data
    steps = figure.figure.layout.sliders[0].steps
    assert len(steps) == len(TEMPERATURES)
    for step in steps:
        bars, markers = (data[i] for i in step.args[2])
        assert bars.type == "bar"
        assert markers.mode == "markers" and markers.showlegend is False
    untouched = {i for i in range(len(data)) if all(i not in s.args[2] for s in steps)}
    assert {data[i].name for i in untouched} == {
        "Frobenius norm of J",
        "largest eigenvalue of J",
    }


def test_every_step_shows_the_values_passed_in(figure, inputs):
    _, temperatures, probabilities, frobenius, largest = inputs
    steps = figure.figure.layout.sliders[0].steps
    for k, step in enumerate(steps):
        restyle, relayout, _ = step.args
        assert restyle["x"][0] == NAMES
        assert list(restyle["y"][0]) == drawn(probabilities[k])
        assert restyle["x"][1] == [temperatures[k]] * 2
        assert list(restyle["y"][1]) == drawn([frobenius[k], largest[k]])
        assert step.label == minus(f"{temperatures[k]:.4g}")
        assert relayout["title.text"] == minus(
            f"T = {temperatures[k]:.3g}: largest probability "
            f"{max(probabilities[k]):.4f}<br>Frobenius norm of J: {frobenius[k]:.4f}"
            f"<br>largest eigenvalue of J: {largest[k]:.4f}"
        )
    # the curves of the lower panel are the inputs too
    curve = next(t for t in figure.figure.data if t.name == "Frobenius norm of J")
    assert list(curve.y) == drawn(frobenius)


def test_the_table_lists_every_temperature(figure, inputs):
    _, temperatures, probabilities, frobenius, largest = inputs
    rows = re.findall(r"<tr>(<td>.*?)</tr>", figure.table_html)
    cells = [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", r)] for r in rows]
    assert len(cells) == len(temperatures)
    for k, row in enumerate(cells):
        assert row[0] == minus(f"{temperatures[k]:.4g}")
        assert row[1:5] == [f"{v:.4f}" for v in probabilities[k]]
        assert row[5:] == [f"{frobenius[k]:.4f}", f"{largest[k]:.4f}"]
    assert "softmax" in figure.alt and "Jacobian" in figure.alt


def test_the_initial_state_is_the_active_step(inputs):
    _, temperatures, probabilities, frobenius, largest = inputs
    for active in (0, 3):
        figure = temperature_slider(*inputs, active=active)
        bars = next(t for t in figure.figure.data if t.type == "bar")
        assert list(bars.y) == drawn(probabilities[active])
        steps = figure.figure.layout.sliders[0].steps
        assert figure.figure.layout.title.text == steps[active].args[1]["title.text"]
        assert figure.data["titles"][active] == figure.figure.layout.title.text


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(temperatures=[1.0, 0.5, 2.0, 3.0, 4.0]), "increasing"),
        (dict(temperatures=[-1.0, 0.5, 1.0, 2.0, 4.0]), "positive"),
        (dict(probabilities=[[0.5, 0.5, 0.5, 0.5]] * 5), "sum to 1"),
        (dict(probabilities=[[1.0, 0.0, 0.0]] * 5), "shape"),
        (dict(frobenius=[1.0] * 4), "one value per temperature"),
        (dict(largest=[2.0] * 5), "swapped"),
        (dict(names="abcd"), "at least two names"),
        (dict(frobenius=[math.nan] * 5), "not finite"),
    ],
)
def test_bad_input_raises_a_clear_error(inputs, change, message):
    names, temperatures, probabilities, frobenius, largest = inputs
    arguments = dict(
        names=names,
        temperatures=temperatures,
        probabilities=probabilities,
        frobenius=frobenius,
        largest=largest,
    )
    arguments.update(change)
    with pytest.raises(ValueError, match=message):
        temperature_slider(*arguments.values())


def test_active_step_out_of_range_raises(inputs):
    with pytest.raises(ValueError, match="not one of the 5 temperatures"):
        temperature_slider(*inputs, active=5)
