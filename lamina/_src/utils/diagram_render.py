"""Drawing a `Diagram` with matplotlib: the renderer `plot_model` uses without Graphviz.

matplotlib writes PNG, SVG and PDF (and JPEG, TIFF, EPS, ...) from one drawing, with real text
metrics and its own bundled DejaVu fonts, so the boxes fit their text on every machine. It is
imported only when a plot is drawn this way.
"""

import os

from lamina._src.utils.diagram import Box, Cluster, Diagram
from lamina._src.utils.diagram_layout import Layout, layout

FONT = "DejaVu Sans"  # bundled with matplotlib: the same metrics everywhere
LABEL_FONT = "DejaVu Serif"  # Graphviz labels clusters in Times
LABEL_SIZE = 14
CELL_PADDING = 10.0  # Keras's table: cellpadding="10"
CELL_SPACING = 2.0  # Graphviz's default cellspacing; the black table shows through
LINE_WIDTH = 1.5
ARROW_LENGTH = 9.0
ARROW_HALF_WIDTH = 4.0
MAX_PIXELS = 32000  # per side; past it the resolution is lowered (Agg's limit is 2**16)


def _matplotlib():
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties
        from matplotlib.patches import Polygon, Rectangle
    except ImportError as e:
        raise ImportError(
            "plot_model draws without Graphviz through matplotlib, which is not installed "
            f"({e}). Install it with `pip install \"lamina[plot]\"` (or `pip install "
            "matplotlib`), or install Graphviz's `dot` program (e.g. `apt-get install graphviz`, "
            "`brew install graphviz`, `conda install graphviz`)."
        ) from e
    return matplotlib, FigureCanvasAgg, Figure, FontProperties, Polygon, Rectangle


def supported_formats() -> set[str]:
    """The file extensions this renderer writes."""
    _, FigureCanvasAgg, Figure, *_ = _matplotlib()
    return set(FigureCanvasAgg(Figure()).get_supported_filetypes())


class _Metrics:
    """Text sizes in points, measured by the Agg renderer (at 720 dpi: Agg rounds to pixels)."""

    _SCALE = 10

    def __init__(self):
        _, FigureCanvasAgg, Figure, FontProperties, *_ = _matplotlib()
        self._renderer = FigureCanvasAgg(Figure(dpi=72 * self._SCALE)).get_renderer()
        self._FontProperties = FontProperties
        self._cache: dict = {}

    def font(self, size: float, bold: bool = False, family: str = FONT):
        return self._FontProperties(family=family, size=size, weight="bold" if bold else "normal")

    def width(self, text: str, size: float, bold: bool = False, family: str = FONT) -> float:
        key = (text, size, bold, family)
        if key not in self._cache:
            w, _, _ = self._renderer.get_text_width_height_descent(
                text, self.font(size, bold, family), ismath=False)
            self._cache[key] = w / self._SCALE
        return self._cache[key]

    def line(self, size: float, family: str = FONT) -> tuple[float, float]:
        """(height, descent) of a line of text."""
        _, h, d = self._renderer.get_text_width_height_descent(
            "Ag(|", self.font(size, family=family), ismath=False)
        return h / self._SCALE, d / self._SCALE


def _cell_natural_size(cell, metrics) -> tuple[float, float]:
    width = sum(metrics.width(text, cell.font_size, bold) for text, bold in cell.runs)
    height, _ = metrics.line(cell.font_size)
    return width + 2 * CELL_PADDING, height + 2 * CELL_PADDING


def _box_geometry(box: Box, metrics):
    """The box's (width, height) and each cell's rectangle relative to the box's top-left."""
    natural = [[_cell_natural_size(cell, metrics) for cell in row] for row in box.rows]
    row_widths = [sum(w for w, _ in row) + CELL_SPACING * (len(row) + 1) for row in natural]
    width = max(row_widths)
    cells = []
    y = CELL_SPACING
    for row, sizes, row_width in zip(box.rows, natural, row_widths):
        height = max(h for _, h in sizes)
        extra = width - row_width
        total = sum(w for w, _ in sizes)
        x = CELL_SPACING
        for cell, (w, _) in zip(row, sizes):
            w += extra * w / total  # a narrower row stretches its cells to the box's width
            cells.append((cell, x, y, w, height))
            x += w + CELL_SPACING
        y += height + CELL_SPACING
    return (width, y), cells


def render(diagram: Diagram, path: str, fmt: str, dpi: float) -> None:
    """Lay the diagram out and write it to `path` in format `fmt` (a matplotlib format)."""
    matplotlib, FigureCanvasAgg, Figure, _, Polygon, Rectangle = _matplotlib()
    metrics = _Metrics()
    geometry = {box.key: _box_geometry(box, metrics) for box in diagram.root.boxes()}
    label_height, _ = metrics.line(LABEL_SIZE, LABEL_FONT)
    labels = {}

    def collect(cluster):
        for item in cluster.items:
            if isinstance(item, Cluster):
                labels[item.key] = (metrics.width(item.label, LABEL_SIZE, family=LABEL_FONT),
                                    label_height + 6)
                collect(item)

    collect(diagram.root)
    placed: Layout = layout(diagram, {k: size for k, (size, _) in geometry.items()}, labels)

    if fmt in ("png", "jpg", "jpeg", "tif", "tiff", "webp", "raw", "rgba"):
        dpi = min(dpi, MAX_PIXELS * 72 / max(placed.width, placed.height, 1.0))
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "lamina",
                                "pdf.fonttype": 42}):
        figure = Figure(figsize=(placed.width / 72, placed.height / 72), dpi=dpi)
        FigureCanvasAgg(figure)
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, placed.width)
        ax.set_ylim(placed.height, 0)
        ax.set_axis_off()

        for cluster, rect in placed.clusters:
            ax.add_patch(Rectangle((rect.x0, rect.y0), rect.width, rect.height, fill=False,
                                   linestyle=(0, (4, 3)), linewidth=0.8, edgecolor="black"))
            ax.text(rect.x0 + 6, rect.y0 + 4, cluster.label, ha="left", va="top",
                    fontproperties=metrics.font(LABEL_SIZE, family=LABEL_FONT),
                    parse_math=False)

        for box in diagram.root.boxes():
            (width, height), cells = geometry[box.key]
            rect = placed.boxes[box.key]
            ax.add_patch(Rectangle((rect.x0, rect.y0), width, height, facecolor="black",
                                   edgecolor="none"))
            for cell, x, y, w, h in cells:
                ax.add_patch(Rectangle((rect.x0 + x, rect.y0 + y), w, h, facecolor=cell.background,
                                       edgecolor="none"))
                _draw_runs(ax, metrics, cell, rect.x0 + x + w / 2, rect.y0 + y + h / 2)

        for line in placed.edges:
            if len(line) < 2:
                continue
            xs, ys, head = _shorten_for_arrow(line)
            ax.plot(xs, ys, color="black", linewidth=LINE_WIDTH, solid_joinstyle="miter",
                    solid_capstyle="butt")
            ax.add_patch(Polygon(head, closed=True, facecolor="black", edgecolor="none"))

        metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
        figure.savefig(os.fspath(path), format=fmt, dpi=dpi, metadata=metadata,
                       facecolor="white")


def _draw_runs(ax, metrics, cell, cx: float, cy: float) -> None:
    """A cell's text runs side by side, centred on (cx, cy), sharing one baseline."""
    widths = [metrics.width(text, cell.font_size, bold) for text, bold in cell.runs]
    height, descent = metrics.line(cell.font_size)
    baseline = cy + height / 2 - descent
    x = cx - sum(widths) / 2
    for (text, bold), w in zip(cell.runs, widths):
        if text:
            ax.text(x, baseline, text, ha="left", va="baseline", color=cell.color,
                    fontproperties=metrics.font(cell.font_size, bold), parse_math=False)
        x += w


def _shorten_for_arrow(line):
    """The polyline ending where the arrowhead starts, and the arrowhead's triangle."""
    (x0, y0), (x1, y1) = line[-2], line[-1]
    length = max(((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 1e-9)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    back = min(ARROW_LENGTH, length)
    bx, by = x1 - ux * back, y1 - uy * back
    head = [(x1, y1), (bx - uy * ARROW_HALF_WIDTH, by + ux * ARROW_HALF_WIDTH),
            (bx + uy * ARROW_HALF_WIDTH, by - ux * ARROW_HALF_WIDTH)]
    points = line[:-1] + [(bx, by)]
    return [p[0] for p in points], [p[1] for p in points], head
