r"""The Q3 network drawn as a graph, annotated like micrograd's draw_dot.

Each neuron is a box holding its forward values (net input, output) and its
delta, the gradient of the loss with respect to its net input; each edge
carries its weight, dL/dw and the weight after the step; the loss box holds
the loss before and after the step. Labels use the text's notation through
mathtext ($\partial L/\partial w_{13}$, $\delta_3$) and its numbers: given
values as given, computed ones with the report's significant digits. Drawn
with matplotlib rather than graphviz so the figure needs no system package.

Sizes: one data unit is INCHES_PER_UNIT on paper and the homework's network
is drawn narrower than the report's text width, so when the template places
it at \linewidth nothing shrinks and every label prints at MIN_FONT_POINTS
or more. The font itself comes from the shared figure style.

The drawing takes a plain NetworkDrawing (numbers already formatted), built
from the Q3 solution by `drawing_from_q3`, so the layout is testable alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Rectangle
from matplotlib.path import Path as LinePath
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from hwsolve.render.figures.common import new_figure, save_figure
from hwsolve.render.figures.words import shaped, words

if TYPE_CHECKING:  # the solution is read, never built, here: SymPy and torch load only where it is solved
    from hwsolve.solutions.q3 import Q3Solution

FORWARD_COLOUR = "#1f4e79"
GRADIENT_COLOUR = "#b22222"
UPDATE_COLOUR = "#2e7d32"


def colour_meanings() -> tuple[tuple[str, str], ...]:
    """What each colour means, in words (the active language's), for the legend."""
    return (
        (FORWARD_COLOUR, words("forward-pass values")),
        (GRADIENT_COLOUR, words("gradients of the loss")),
        (UPDATE_COLOUR, words("values after the step")),
    )


MIN_FONT_POINTS = 8.0  # the smallest text as printed
NODE_FONT_POINTS = 8.5
EDGE_FONT_POINTS = 8.0
LEGEND_FONT_POINTS = 8.5
INCHES_PER_UNIT = 0.5
BOX_WIDTH = 2.3  # data units: a neuron's box holds "delta_3 = 0.00530898" at NODE_FONT_POINTS
INPUT_BOX_WIDTH = 1.7
Point = tuple[float, float]
EdgeKey = tuple[int, int] | tuple[int, str]  # (source, target) neurons, or (output, "loss")
COLUMN_GAP, ROW_GAP, LINE_HEIGHT = 3.0, 4.6, 0.36  # data units; see _layout


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


def _positions(
    layers: Sequence[int], column_widths: Sequence[float], column_gap: float, row_gap: float
) -> dict[int, tuple[float, float]]:
    """Box centres: columns `column_gap` apart edge to edge, each layer centred vertically."""
    positions, number = {}, 1
    tallest = max(layers)
    x = column_widths[0] / 2
    for column, size in enumerate(layers):
        if column:
            x += column_widths[column - 1] / 2 + column_gap + column_widths[column] / 2
        offset = (tallest - size) * row_gap / 2
        for row in range(size):
            positions[number] = (x, -(offset + row * row_gap))
            number += 1
    return positions


def _box(axis: Axes, centre: Point, lines: Sequence[Line], width: float, line_height: float, face: str) -> float:
    """A rounded box with one text line per entry; returns its half height."""
    height = line_height * (len(lines) + 0.6)
    x, y = centre
    axis.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=face,
            edgecolor="#444444",
            linewidth=0.8,
            zorder=3,
        )
    )
    top = y + line_height * (len(lines) - 1) / 2
    for index, line in enumerate(lines):
        axis.text(
            x,
            top - index * line_height,
            line.text,
            ha="center",
            va="center",
            color=line.colour,
            fontsize=NODE_FONT_POINTS,
            zorder=4,
        )
    return height / 2


def _label(axis: Axes, lines: Sequence[Line], line_height: float, gid: str) -> list[Text]:
    """An edge label's lines, centred on (0, 0) until `_place_labels` moves them."""
    top = line_height * (len(lines) - 1) / 2
    return [
        axis.text(
            0.0,
            top - index * line_height,
            line.text,
            ha="center",
            va="center",
            fontsize=EDGE_FONT_POINTS,
            color=line.colour,
            zorder=2.5,
            gid=gid,
        )
        for index, line in enumerate(lines)
    ]


# Where along its edge a label may sit, as a fraction of the edge: the middle
# first, then ever nearer either end. Edges that cross (x1->4 and x2->3 in Q3)
# meet in the middle, so their labels end up near one end.
LABEL_STEPS = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85)
LABEL_PAD = 0.06  # data units (about 2 pt) of white kept round a label's text


def _place_labels(
    axis: Axes,
    labels: dict[EdgeKey, list[Text]],
    segments: dict[EdgeKey, tuple[Point, Point]],
    obstacles: list[Bbox],
) -> None:
    """Move each edge's label to the first point along its edge (or, failing
    that, just beside it) where its box meets no other edge, no node and no
    label already placed.

    Labels are measured with the renderer, so the boxes are the text as drawn.
    One data unit is a fixed length on paper (see `network_figure`), so a label's
    size in data units does not depend on where it goes. Where no point is
    clear, the one with the fewest conflicts is taken; the opaque background
    still keeps its own numbers readable.
    """
    canvas = axis.figure.canvas if axis.figure is not None else None
    if not isinstance(canvas, FigureCanvasAgg):  # figures.common fixes the Agg backend for the process
        raise TypeError(f"edge labels are measured on an Agg canvas, not {type(canvas).__name__}")
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]  # matplotlib leaves it unannotated
    to_data = axis.transData.inverted()
    placed: dict[EdgeKey, Bbox] = {}
    for edge, texts in labels.items():
        extent = Bbox.union([text.get_window_extent(renderer) for text in texts]).transformed(to_data).padded(LABEL_PAD)
        (x0, y0), (x1, y1) = segments[edge]
        others = [LinePath(points) for key, points in segments.items() if key != edge]
        # On the edge first; failing that, just above or just below it, where
        # it still reads as the edge's label.
        beside = extent.height / 2 + LABEL_PAD
        candidates = [(t, 0.0) for t in LABEL_STEPS] + [(t, side * beside) for t in LABEL_STEPS for side in (1, -1)]
        best: tuple[int, float, float, Bbox] | None = None
        for t, offset in candidates:
            dx, dy = x0 + t * (x1 - x0), y0 + t * (y1 - y0) + offset
            box = extent.translated(dx, dy)
            conflicts = sum(line.intersects_bbox(box, filled=False) for line in others) + sum(
                box.overlaps(other) for other in obstacles + list(placed.values())
            )
            if best is None or conflicts < best[0]:
                best = (conflicts, dx, dy, box)
            if conflicts == 0:
                break
        assert best is not None  # there is always a first candidate
        _, dx, dy, box = best
        for text in texts:
            x, y = text.get_position()
            text.set_position((x + dx, y + dy))
        # One opaque box behind all the lines hides the label's own edge,
        # which runs through it, including the gaps between lines.
        axis.add_patch(
            Rectangle(
                (box.x0, box.y0), box.width, box.height, facecolor="white", edgecolor="none", zorder=2, clip_on=False
            )
        )
        placed[edge] = box


@dataclass(frozen=True)
class _Layout:
    """Where every box goes, in data units, and the axes' limits around them."""

    positions: dict[int, Point]  # neuron -> box centre
    width_of: dict[int, float]  # neuron -> box width
    box_half: dict[int, float]  # neuron -> half its box's height
    first_output: int
    outputs: list[int]
    loss_centre: Point
    loss_half: float
    x_range: Point
    y_range: Point


def _layout(drawing: NetworkDrawing) -> _Layout:
    # The gaps leave room for a three-line edge label (about 2.3 units wide
    # with its margin at 8 pt) in the middle of a level edge, clear of the
    # slanted edges leaving and entering its ends, and for labels of crossing
    # edges beside the node they start from, clear of that node and the other
    # edge. Input boxes hold one short value, so they are narrower.
    column_widths = [INPUT_BOX_WIDTH] + [BOX_WIDTH] * (len(drawing.layers) - 1)
    positions = _positions(drawing.layers, column_widths, COLUMN_GAP, ROW_GAP)
    first_hidden = drawing.layers[0] + 1
    width_of = {n: INPUT_BOX_WIDTH if n < first_hidden else BOX_WIDTH for n in positions}
    first_output = sum(drawing.layers[:-1]) + 1
    outputs = [n for n in positions if n >= first_output]
    box_half = {n: LINE_HEIGHT * (len(drawing.neuron_lines.get(n, [None])) + 0.6) / 2 for n in positions}
    # The loss sits under the output layer, so the figure is only as wide as
    # the network and prints at full size across the page.
    loss_half = LINE_HEIGHT * (len(drawing.loss_lines) + 0.6) / 2
    loss_centre = (positions[outputs[-1]][0], positions[outputs[-1]][1] - box_half[outputs[-1]] - 0.7 - loss_half)
    xs = [x for x, _ in positions.values()]
    bottoms = [y - box_half[n] for n, (_, y) in positions.items()] + (
        [loss_centre[1] - loss_half] if drawing.loss_lines else []
    )
    tops = [y + box_half[n] for n, (_, y) in positions.items()]
    x_range = (min(xs) - INPUT_BOX_WIDTH / 2 - 0.1, max(xs) + BOX_WIDTH / 2 + 0.1)
    y_range = (min(bottoms) - 0.15, max(tops) + 0.15)  # the legend goes below the axes
    return _Layout(positions, width_of, box_half, first_output, outputs, loss_centre, loss_half, x_range, y_range)


def _arrow(axis: Axes, start: Point, end: Point, gid: str) -> None:
    axis.add_patch(
        FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=8, color="#777777", lw=0.8, zorder=1, gid=gid)
    )


def _draw_neurons(axis: Axes, drawing: NetworkDrawing, layout: _Layout) -> list[Bbox]:
    """Every neuron's box; returns the boxes, which the edge labels keep clear of."""
    node_boxes = []
    for neuron, centre in layout.positions.items():
        face = "#eef3fa" if neuron < layout.first_output else "#fdf1e6"
        width = layout.width_of[neuron]
        half = _box(axis, centre, drawing.neuron_lines.get(neuron, [Line(str(neuron))]), width, LINE_HEIGHT, face)
        node_boxes.append(
            Bbox.from_extents(centre[0] - width / 2, centre[1] - half, centre[0] + width / 2, centre[1] + half).padded(
                0.02
            )
        )
    return node_boxes


def _draw_edges(
    axis: Axes, drawing: NetworkDrawing, layout: _Layout
) -> tuple[dict[EdgeKey, tuple[Point, Point]], dict[EdgeKey, list[Text]]]:
    """Every weighted edge as an arrow, and its label (not yet placed); returns the segments and the labels."""
    segments: dict[EdgeKey, tuple[Point, Point]] = {}
    labels: dict[EdgeKey, list[Text]] = {}
    for (source, target), lines in drawing.edge_lines.items():
        (x0, y0), (x1, y1) = layout.positions[source], layout.positions[target]
        start, end = (x0 + layout.width_of[source] / 2, y0), (x1 - layout.width_of[target] / 2, y1)
        _arrow(axis, start, end, f"edge {source}-{target}")
        segments[(source, target)] = (start, end)
        labels[(source, target)] = _label(axis, lines, LINE_HEIGHT * 0.9, gid=f"edge label {source}-{target}")
    return segments, labels


def _draw_loss(
    axis: Axes,
    drawing: NetworkDrawing,
    layout: _Layout,
    node_boxes: list[Bbox],
    segments: dict[EdgeKey, tuple[Point, Point]],
) -> None:
    """The loss box under the outputs and an arrow from each output; both join the obstacles of the labels."""
    centre, half = layout.loss_centre, layout.loss_half
    _box(axis, centre, drawing.loss_lines, BOX_WIDTH, LINE_HEIGHT, "#f7f7f7")
    node_boxes.append(
        Bbox.from_extents(
            centre[0] - BOX_WIDTH / 2, centre[1] - half, centre[0] + BOX_WIDTH / 2, centre[1] + half
        ).padded(0.02)
    )
    for neuron in layout.outputs:
        x0, y0 = layout.positions[neuron]
        start, end = (x0, y0 - layout.box_half[neuron]), (centre[0], centre[1] + half)
        _arrow(axis, start, end, f"edge {neuron}-loss")
        segments[(neuron, "loss")] = (start, end)


def _legend(axis: Axes) -> None:
    """What each colour means, under the drawing and inside its width, so the figure stays as wide as the network."""
    meanings = colour_meanings()
    handles = [Patch(facecolor=colour, edgecolor="none", label=meaning) for colour, meaning in meanings]
    legend = axis.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=len(handles),
        frameon=False,
        fontsize=LEGEND_FONT_POINTS,
        handlelength=1.2,
        handleheight=0.8,
        columnspacing=1.2,
        borderaxespad=0.2,
    )
    for text, (colour, _) in zip(legend.get_texts(), meanings):
        text.set_color(colour)


def network_figure(drawing: NetworkDrawing) -> Figure:
    """The drawn network as an open figure (`draw_network` saves and closes it)."""
    layout = _layout(drawing)
    x_range, y_range = layout.x_range, layout.y_range
    # One data unit is the same length on paper whatever the network's size,
    # so the text, set in points, always fits its box.
    figure: Figure
    axis: Axes
    figure, axis = new_figure((x_range[1] - x_range[0]) * INCHES_PER_UNIT, (y_range[1] - y_range[0]) * INCHES_PER_UNIT)
    axis.set_position((0.0, 0.0, 1.0, 1.0))  # the axes fill the figure, so units map to inches exactly
    # Limits before the labels: placing them measures text in data units.
    axis.set_xlim(*x_range)
    axis.set_ylim(*y_range)
    axis.set_aspect("equal")
    axis.axis("off")
    node_boxes = _draw_neurons(axis, drawing, layout)
    segments, labels = _draw_edges(axis, drawing, layout)
    if drawing.loss_lines:
        _draw_loss(axis, drawing, layout, node_boxes, segments)
    _place_labels(axis, labels, segments, node_boxes)
    if drawing.title:
        axis.set_title(shaped(drawing.title), fontsize=NODE_FONT_POINTS + 0.5)
    _legend(axis)
    return figure


def draw_network(drawing: NetworkDrawing, base: Path | str) -> tuple[Path, Path]:
    return save_figure(network_figure(drawing), base)


def _math_name(latex_name: str) -> str:
    """SymPy's w_{13} is already mathtext; only \\left/\\right need dropping."""
    return latex_name.replace(r"\left", "").replace(r"\right", "")


def drawing_from_q3(solution: Q3Solution, digits: int = 6) -> NetworkDrawing:
    """The Q3 solution's numbers, formatted as in the text, on the network's nodes and edges.

    Given values (inputs, weights, the target) are written as given (0.35),
    computed ones with `digits` significant digits, zeros kept (0.0147090),
    as the report's derivation and tables write them.
    """
    from hwsolve.numbers import format_number_latex
    from hwsolve.problem.q3 import parse_weight_name

    def given(value: float) -> str:
        return format_number_latex(value, digits)

    def computed(value: float) -> str:
        return format_number_latex(value, digits, keep_zeros=True)

    deltas = {step.neuron: step for step in getattr(solution, "delta_steps", ())}
    drawing = NetworkDrawing(tuple(solution.problem.layers))
    for neuron in solution.neurons:
        name = _math_name(neuron.output_latex)
        if neuron.net_input is None or neuron.net_latex is None:  # an input: it has neither
            lines = [
                Line(words("input {neuron}", neuron=neuron.neuron)),
                Line(f"${name} = {given(neuron.output)}$", FORWARD_COLOUR),
            ]
        else:
            lines = [
                Line(words("neuron {neuron}", neuron=neuron.neuron)),
                Line(f"${_math_name(neuron.net_latex)} = {computed(neuron.net_input)}$", FORWARD_COLOUR),
                Line(f"${name} = {computed(neuron.output)}$", FORWARD_COLOUR),
            ]
        if neuron.neuron in deltas:  # a mini-batch's mean delta, beside the mean gradients on the edges
            delta = deltas[neuron.neuron]
            lines.append(Line(f"${delta.latex_name} = {computed(solution.deltas[neuron.neuron])}$", GRADIENT_COLOUR))
        drawing.neuron_lines[neuron.neuron] = lines
    for step in solution.updates:  # a mini-batch's mean gradient: the one the update uses
        pair = parse_weight_name(step.name)
        if pair is None:  # a bias: shown in the text, not on an edge
            continue
        name = _math_name(step.latex_name)
        drawing.edge_lines[pair] = [
            Line(f"${name} = {given(step.before)}$", FORWARD_COLOUR),
            Line(f"$\\partial L / \\partial {name} = {computed(step.gradient)}$", GRADIENT_COLOUR),
            Line(f"${name} \\leftarrow {computed(step.updated)}$", UPDATE_COLOUR),
        ]
    targets = ", ".join(f"{_math_name(latex)} = {given(value)}" for _, latex, value in solution.targets)
    drawing.loss_lines = [
        Line(words("loss")),
        Line(f"${_math_name(solution.loss_formula_latex)}$"),
        Line(f"${targets}$"),
        Line(f"$L = {computed(solution.loss)}$", FORWARD_COLOUR),
    ]
    if getattr(solution, "delta_steps", ()):
        drawing.loss_lines += [
            Line(words("after the step:"), UPDATE_COLOUR),
            Line(f"$L = {computed(solution.loss_after_step)}$", UPDATE_COLOUR),
        ]
    return drawing


def draw_q3_network(solution: Q3Solution, base: Path | str, digits: int = 6) -> tuple[Path, Path]:
    return draw_network(drawing_from_q3(solution, digits=digits), base)
