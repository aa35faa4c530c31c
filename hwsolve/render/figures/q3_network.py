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

from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.path import Path as LinePath
from matplotlib.transforms import Bbox

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


def _label(axis, lines: Sequence[Line], line_height: float, gid: str) -> list:
    """An edge label's lines, centred on (0, 0) until `_place_labels` moves them."""
    top = line_height * (len(lines) - 1) / 2
    return [axis.text(0.0, top - index * line_height, line.text, ha="center", va="center", fontsize=6.5,
                      color=line.colour, zorder=2.5, gid=gid)
            for index, line in enumerate(lines)]


# Where along its edge a label may sit, as a fraction of the edge: the middle
# first, then ever nearer either end. Edges that cross (x1->4 and x2->3 in Q3)
# meet in the middle, so their labels end up near one end.
LABEL_STEPS = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85)
LABEL_PAD = 0.06  # data units (about 2 pt) of white kept round a label's text


def _place_labels(axis, labels: dict, segments: dict, obstacles: list[Bbox]) -> None:
    """Move each edge's label to the first point along its edge where its box
    meets no other edge, no node and no label already placed.

    Labels are measured with the renderer, so the boxes are the text as drawn.
    One data unit is a fixed length on paper (see `network_figure`), so a label's
    size in data units does not depend on where it goes. Where no point is
    clear, the one with the fewest conflicts is taken; the opaque background
    still keeps its own numbers readable.
    """
    renderer = axis.figure.canvas.get_renderer()
    to_data = axis.transData.inverted()
    placed: dict = {}
    for edge, texts in labels.items():
        extent = Bbox.union([text.get_window_extent(renderer) for text in texts]).transformed(to_data).padded(LABEL_PAD)
        (x0, y0), (x1, y1) = segments[edge]
        others = [LinePath(points) for key, points in segments.items() if key != edge]
        best = None
        for t in LABEL_STEPS:
            dx, dy = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            box = extent.translated(dx, dy)
            conflicts = (sum(line.intersects_bbox(box, filled=False) for line in others)
                         + sum(box.overlaps(other) for other in obstacles + list(placed.values())))
            if best is None or conflicts < best[0]:
                best = (conflicts, dx, dy, box)
            if conflicts == 0:
                break
        _, dx, dy, box = best
        for text in texts:
            x, y = text.get_position()
            text.set_position((x + dx, y + dy))
        # One opaque box behind all the lines hides the label's own edge,
        # which runs through it, including the gaps between lines.
        axis.add_patch(Rectangle((box.x0, box.y0), box.width, box.height, facecolor="white", edgecolor="none",
                                 zorder=2, clip_on=False))
        placed[edge] = box


def network_figure(drawing: NetworkDrawing):
    """The drawn network as an open figure (`draw_network` saves and closes it)."""
    # The gaps leave room for a three-line edge label (about 1.9 units wide
    # with its margin) in the middle of a level edge, clear of the slanted
    # edges leaving and entering its ends, and for labels of crossing edges
    # beside the node they start from, clear of that node and the other edge.
    column_gap, row_gap, box_width, line_height = 4.8, 4.4, 2.2, 0.3
    positions = _positions(drawing.layers, column_gap, row_gap)
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
    # Limits before the labels: placing them measures text in data units.
    axis.set_xlim(*x_range)
    axis.set_ylim(*y_range)
    axis.set_aspect("equal")
    axis.axis("off")
    node_boxes = []
    for neuron, centre in positions.items():
        face = "#eef3fa" if neuron < first_output else "#fdf1e6"
        half = _box(axis, centre, drawing.neuron_lines.get(neuron, [Line(str(neuron))]), box_width, line_height, face)
        node_boxes.append(Bbox.from_extents(centre[0] - box_width / 2, centre[1] - half,
                                            centre[0] + box_width / 2, centre[1] + half).padded(0.02))
    segments, labels = {}, {}
    for (source, target), lines in drawing.edge_lines.items():
        (x0, y0), (x1, y1) = positions[source], positions[target]
        start, end = (x0 + box_width / 2, y0), (x1 - box_width / 2, y1)
        axis.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=8, color="#777777", lw=0.8, zorder=1,
                                       gid=f"edge {source}-{target}"))
        segments[(source, target)] = (start, end)
        labels[(source, target)] = _label(axis, lines, line_height * 0.85, gid=f"edge label {source}-{target}")
    if drawing.loss_lines:
        _box(axis, loss_centre, drawing.loss_lines, box_width, line_height, "#f7f7f7")
        node_boxes.append(Bbox.from_extents(loss_centre[0] - box_width / 2, loss_centre[1] - loss_half,
                                            loss_centre[0] + box_width / 2, loss_centre[1] + loss_half).padded(0.02))
        for neuron in outputs:
            x0, y0 = positions[neuron]
            start, end = (x0, y0 - box_half[neuron]), (loss_centre[0], loss_centre[1] + loss_half)
            axis.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=8, color="#777777", lw=0.8,
                                           zorder=1, gid=f"edge {neuron}-loss"))
            segments[(neuron, "loss")] = (start, end)
    _place_labels(axis, labels, segments, node_boxes)
    if drawing.title:
        axis.set_title(drawing.title, fontsize=8.5)
    legend = [("forward value", FORWARD_COLOUR), ("gradient dL/d·", GRADIENT_COLOUR), ("after the step", UPDATE_COLOUR)]
    for index, (text, colour) in enumerate(legend):
        axis.text(0.01 + index * 0.2, 0.01, "■ " + text, transform=axis.transAxes, color=colour, fontsize=7, va="bottom")
    return figure


def draw_network(drawing: NetworkDrawing, base: Path | str) -> tuple[Path, Path]:
    return save_figure(network_figure(drawing), base)


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
