"""The Q3 network drawn as a graph, annotated like micrograd's draw_dot.

Each neuron is a box holding its forward values (net input, output) and the
gradient of the loss with respect to its output; each edge carries its
weight, dL/dw and the weight after the step. Drawn with matplotlib rather
than graphviz so the figure needs no system package.

The drawing takes a plain NetworkDrawing (numbers already formatted), built
from the Q3 solution by `drawing_from_q3`, so the layout is testable alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from hwsolve.render.figures.common import new_figure, save_figure

FORWARD_COLOUR = "#1f4e79"
GRADIENT_COLOUR = "#b22222"
UPDATE_COLOUR = "#2e7d32"


@dataclass(frozen=True)
class Line:
    text: str
    colour: str = "black"


@dataclass
class NetworkDrawing:
    layers: tuple[int, ...]  # neurons per layer, inputs first; numbered 1..N
    neuron_lines: dict[int, list[Line]] = field(default_factory=dict)
    edge_lines: dict[tuple[int, int], list[Line]] = field(default_factory=dict)
    loss_lines: list[Line] = field(default_factory=list)  # the loss node, right of the outputs
    title: str = ""


def _positions(layers: Sequence[int], column_gap: float, row_gap: float) -> dict[int, tuple[float, float]]:
    positions, number = {}, 1
    tallest = max(layers)
    for column, size in enumerate(layers):
        offset = (tallest - size) * row_gap / 2
        for row in range(size):
            positions[number] = (column * column_gap, -(offset + row * row_gap))
            number += 1
    return positions


def _box(axis, centre: tuple[float, float], lines: Sequence[Line], width: float, line_height: float, face: str) -> float:
    """A rounded box with one text line per entry; returns its half height."""
    height = line_height * (len(lines) + 0.6)
    x, y = centre
    axis.add_patch(
        FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.02,rounding_size=0.08",
                       facecolor=face, edgecolor="#444444", linewidth=0.8, zorder=3)
    )
    top = y + line_height * (len(lines) - 1) / 2
    for index, line in enumerate(lines):
        axis.text(x, top - index * line_height, line.text, ha="center", va="center", color=line.colour,
                  fontsize=7.5, zorder=4, family="DejaVu Sans")
    return height / 2


def _label(axis, centre: tuple[float, float], lines: Sequence[Line], line_height: float) -> None:
    x, y = centre
    top = y + line_height * (len(lines) - 1) / 2
    for index, line in enumerate(lines):
        axis.text(x, top - index * line_height, line.text, ha="center", va="center", fontsize=6.5, color=line.colour,
                  zorder=2, bbox={"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none", "alpha": 0.92})


def draw_network(drawing: NetworkDrawing, base: Path | str) -> tuple[Path, Path]:
    column_gap, row_gap, box_width, line_height = 4.6, 3.6, 2.2, 0.3
    positions = _positions(drawing.layers, column_gap, row_gap)
    column_of = {neuron: column for column, size in enumerate(drawing.layers)
                 for neuron in range(sum(drawing.layers[:column]) + 1, sum(drawing.layers[:column + 1]) + 1)}
    first_output = sum(drawing.layers[:-1]) + 1
    outputs = [n for n in positions if n >= first_output]
    box_half = {n: line_height * (len(drawing.neuron_lines.get(n, [None])) + 0.6) / 2 for n in positions}
    # The loss sits under the output layer, so the figure is only as wide as
    # the network and prints at full size across the page.
    loss_half = line_height * (len(drawing.loss_lines) + 0.6) / 2
    loss_centre = (positions[outputs[-1]][0], positions[outputs[-1]][1] - box_half[outputs[-1]] - 0.7 - loss_half)
    xs = [x for x, _ in positions.values()]
    bottoms = [y - box_half[n] for n, (_, y) in positions.items()] + ([loss_centre[1] - loss_half] if drawing.loss_lines else [])
    tops = [y + box_half[n] for n, (_, y) in positions.items()]
    x_range = (min(xs) - box_width / 2 - 0.2, max(xs) + box_width / 2 + 0.2)
    y_range = (min(bottoms) - 0.7, max(tops) + 0.2)
    # One data unit is the same length on paper whatever the network's size,
    # so the text, set in points, always fits its box.
    inches_per_unit = 0.54
    figure, axis = new_figure((x_range[1] - x_range[0]) * inches_per_unit, (y_range[1] - y_range[0]) * inches_per_unit)
    axis.set_position((0.0, 0.0, 1.0, 1.0))  # the axes fill the figure, so units map to inches exactly
    for neuron, centre in positions.items():
        face = "#eef3fa" if neuron < first_output else "#fdf1e6"
        _box(axis, centre, drawing.neuron_lines.get(neuron, [Line(str(neuron))]), box_width, line_height, face)
    for (source, target), lines in drawing.edge_lines.items():
        (x0, y0), (x1, y1) = positions[source], positions[target]
        axis.add_patch(FancyArrowPatch((x0 + box_width / 2, y0), (x1 - box_width / 2, y1), arrowstyle="-|>",
                                       mutation_scale=8, color="#777777", lw=0.8, zorder=1))
        # Labels of level edges sit near the source, those of slanted edges
        # near the target, so edges that cross in the middle keep their
        # labels apart.
        crossing = drawing.layers[column_of[source]] > 1 and drawing.layers[column_of[target]] > 1
        t = 0.5 if not crossing else (0.45 if abs(y1 - y0) < 1e-9 else 0.7)
        lx = (x0 + box_width / 2) + t * ((x1 - box_width / 2) - (x0 + box_width / 2))
        ly = y0 + t * (y1 - y0)
        _label(axis, (lx, ly), lines, line_height * 0.85)
    if drawing.loss_lines:
        _box(axis, loss_centre, drawing.loss_lines, box_width, line_height, "#f7f7f7")
        for neuron in outputs:
            x0, y0 = positions[neuron]
            axis.add_patch(FancyArrowPatch((x0, y0 - box_half[neuron]), (loss_centre[0], loss_centre[1] + loss_half),
                                           arrowstyle="-|>", mutation_scale=8, color="#777777", lw=0.8, zorder=1))
    axis.set_xlim(*x_range)
    axis.set_ylim(*y_range)
    axis.set_aspect("equal")
    axis.axis("off")
    if drawing.title:
        axis.set_title(drawing.title, fontsize=8.5)
    legend = [("forward value", FORWARD_COLOUR), ("gradient dL/d·", GRADIENT_COLOUR), ("after the step", UPDATE_COLOUR)]
    for index, (text, colour) in enumerate(legend):
        axis.text(0.01 + index * 0.2, 0.01, "■ " + text, transform=axis.transAxes, color=colour, fontsize=7, va="bottom")
    return save_figure(figure, base)


def drawing_from_q3(solution, digits: int = 6) -> NetworkDrawing:
    """The Q3 solution's numbers, formatted, on the network's nodes and edges.

    dL/dy_j is not stored per neuron; it is the sum over chain-rule paths of
    any weight entering j (the same number for every such weight), which
    the solution keeps as `path_values`.
    """
    from hwsolve.problem.q3 import parse_weight_name
    from hwsolve.render.numbers import format_number

    def show(value: float) -> str:
        return format_number(value, digits)

    upstream: dict[int, float] = {}
    for step in solution.derivations:
        pair = parse_weight_name(step.name)
        if pair is not None:
            upstream.setdefault(pair[1], sum(step.path_values))
    drawing = NetworkDrawing(tuple(solution.problem.layers))
    for neuron in solution.neurons:
        lines = [Line(f"neuron {neuron.neuron}" if neuron.role != "input" else neuron.output_text)]
        if neuron.net_input is not None:
            lines.append(Line(f"{neuron.net_text} = {show(neuron.net_input)}", FORWARD_COLOUR))
            lines.append(Line(f"{neuron.output_text} = {show(neuron.output)}", FORWARD_COLOUR))
        else:
            lines.append(Line(f"= {show(neuron.output)}", FORWARD_COLOUR))
        if neuron.neuron in upstream:
            lines.append(Line(f"dL/d{neuron.output_text} = {show(upstream[neuron.neuron])}", GRADIENT_COLOUR))
        drawing.neuron_lines[neuron.neuron] = lines
    for step in solution.derivations:
        pair = parse_weight_name(step.name)
        if pair is None:  # a bias: shown in the text, not on an edge
            continue
        drawing.edge_lines[pair] = [
            Line(f"{step.name} = {show(step.before)}", FORWARD_COLOUR),
            Line(f"dL/d{step.name} = {show(step.value)}", GRADIENT_COLOUR),
            Line(f"new {step.name} = {show(step.updated)}", UPDATE_COLOUR),
        ]
    targets = ", ".join(show(value) for value in solution.problem.y)
    drawing.loss_lines = [Line("loss"), Line(solution.loss_formula_text.replace("**2", "²")), Line(f"target y = {targets}"),
                          Line(f"L = {show(solution.loss)}", FORWARD_COLOUR)]
    drawing.title = f"One step of gradient descent, learning rate {show(solution.problem.lr)}"
    return drawing


def draw_q3_network(solution, base: Path | str) -> tuple[Path, Path]:
    return draw_network(drawing_from_q3(solution, digits=4), base)
