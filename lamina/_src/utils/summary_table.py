"""The `model.summary()` table, drawn from plain rows: shared by `Model.summary` and `lamina inspect`.

Everything here works on strings, shapes and counts, never on layers or arrays, so it imports
neither JAX nor any lamina layer: `lamina inspect` renders a file's summary with it without
building the model. The look follows Keras 3: a rich box table whose width is
`min(88 or 108, terminal columns - 4)`, numbers highlighted, and the params footer with sizes
in KB = bytes / 1024.

Cells are rich markup; escape user text (layer names) with `rich.markup.escape`.
"""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import rich.console
import rich.markup
import rich.table

SEQUENTIAL_HEADER = ("Layer (type)", "Output Shape", "Param #")
FUNCTIONAL_HEADER = ("Layer (type)", "Output Shape", "Param #", "Connected to")


def count_params(weights) -> int:
    """The number of scalars in `weights` (anything with a `.shape`)."""
    return int(sum(math.prod(w.shape) for w in weights))


def weight_memory_size(weights) -> int:
    """Bytes taken by `weights` (anything with `.shape` and `.dtype`), each object counted once."""
    unique = {id(w): w for w in weights}.values()
    return int(sum(math.prod(w.shape) * np.dtype(w.dtype).itemsize for w in unique))


def readable_memory_size(size: float) -> str:
    """`"7.02 KB"`: Keras's units (1 KB = 1024 B), two decimals."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def number(x) -> str:
    """A number (or `None`) highlighted as Keras highlights it."""
    return f"[color({45 if x is None else 34})]{x}[/]"


def format_shape(shape) -> str:
    """`(None, 32)` with highlighted dimensions."""
    return f"({', '.join(number(d) for d in shape)})"


def format_shapes(shapes: Sequence) -> str:
    """One shape as `(None, 32)`; several (a layer with several outputs) as `[(..), (..)]`."""
    texts = [format_shape(s) for s in shapes]
    if len(texts) == 1:
        return texts[0]
    return "[" + ", ".join(texts) + "]"


def layer_cell(name: str, class_name: str, prefix: str = "") -> str:
    """`dense (Dense)`, escaped; `prefix` indents nested layers (`"   └ "`)."""
    return (f"{rich.markup.escape(prefix + name)} "
            f"([color(33)]{rich.markup.escape(class_name)}[/])")


def nested_prefix(level: int) -> str:
    return "   " * level + "└ " if level else ""


def params_cell(count: int | None, built: bool = True) -> str:
    if count is None:
        return number(0)
    if not built:
        return f"{number(0)} (unbuilt)"
    return number(f"{count:,}")


def connection_text(layer_name: str, node_index: int, tensor_index: int) -> str:
    """`dense[0][0]`, as the "Connected to" column writes an input."""
    return f"{rich.markup.escape(layer_name)}[{number(node_index)}][{number(tensor_index)}]"


def trainable_cell(has_weights: bool, trainable: bool) -> str:
    if not has_weights:
        return "[bold]-[/]"
    return "[bold][color(34)]Y[/][/]" if trainable else "[bold][color(9)]N[/][/]"


@dataclass
class TableLayout:
    """The columns of a summary table: their names, alignment and widths in characters."""

    header: list[str]
    alignment: list[str]
    widths: list[int]
    line_length: int


def table_layout(sequential_like: bool, show_activations: bool = False,
                 show_trainable: bool = False, line_length: int | None = None,
                 positions: Sequence[float] | None = None) -> TableLayout:
    """The column layout Keras uses: 88 (sequential-like) or 108 columns, narrowed to the terminal.

    Raises:
        ValueError: a column would be narrower than 4 characters.
    """
    if sequential_like:
        default_length = 88
        positions = positions or [0.45, 0.80, 1.0]
        header = list(SEQUENTIAL_HEADER)
        alignment = ["left", "left", "right"]
    else:
        default_length = 108
        positions = positions or [0.3, 0.56, 0.74, 1.0]
        header = list(FUNCTIONAL_HEADER)
        alignment = ["left", "left", "right", "left"]
    positions = list(positions)
    for extra, flag in (("Activation", show_activations), ("Trainable", show_trainable)):
        if flag:
            default_length += 12 if extra == "Trainable" else 24
            share = 0.90 if extra == "Trainable" else 0.78
            positions = [p * share for p in positions] + [1.0]
            header.append(extra)
            alignment.append("center" if extra == "Trainable" else "left")
    default_length = min(default_length, shutil.get_terminal_size().columns - 4)
    line_length = line_length or default_length
    if positions[-1] <= 1:
        positions = [int(p * line_length) for p in positions]
    widths, current = [], 0
    for pos in positions:
        width = int(pos) - current
        if width < 4:
            raise ValueError(
                f"Insufficient console width to print the summary: a column would be {width} "
                f"characters wide. Pass a larger `line_length` (currently {line_length})."
            )
        widths.append(width)
        current += width
    return TableLayout(header, alignment, widths, line_length)


def build_table(layout: TableLayout, rows: Sequence[Sequence[str]]) -> rich.table.Table:
    """The rich table of `rows` (lists of markup cells, one per column of `layout`)."""
    columns = [rich.table.Column(name, justify=layout.alignment[i], width=layout.widths[i],
                                 overflow="fold" if name == "Activation" else "ellipsis")
               for i, name in enumerate(layout.header)]
    table = rich.table.Table(*columns, width=layout.line_length, show_lines=True)
    for row in rows:
        table.add_row(*row)
    return table


@dataclass
class Footer:
    """One `Total params: 1,797 (7.02 KB)` line."""

    label: str
    count: int
    size: int


def params_footers(trainable: tuple[int, int], non_trainable: tuple[int, int],
                   optimizer: tuple[int, int] | None = None) -> list[Footer]:
    """Keras's footer lines from `(count, bytes)` pairs; the total includes the optimizer's."""
    total_count = trainable[0] + non_trainable[0] + (optimizer[0] if optimizer else 0)
    total_size = trainable[1] + non_trainable[1] + (optimizer[1] if optimizer else 0)
    footers = [Footer("Total params", total_count, total_size),
               Footer("Trainable params", *trainable),
               Footer("Non-trainable params", *non_trainable)]
    if optimizer is not None:
        footers.append(Footer("Optimizer params", *optimizer))
    return footers


def print_summary_table(title: str, table: rich.table.Table, footers: Sequence[Footer],
                        line_length: int, print_fn: Callable[[str], object] | None = None,
                        console: rich.console.Console | None = None) -> None:
    """Print `Model: "title"`, the table and the footers.

    With `print_fn`, the text is rendered without colours and handed over in one call (as
    Keras's `print_fn`); otherwise it goes to `console` (default: a rich console on stdout).
    """
    if print_fn:
        console = rich.console.Console(highlight=False, force_terminal=False, color_system=None,
                                       width=max(line_length + 4, 80))
        console.begin_capture()
    elif console is None:
        console = rich.console.Console(highlight=False)
    console.print(f'[bold]Model: "{rich.markup.escape(title)}"[/]')
    console.print(table)
    for footer in footers:
        console.print(f"[bold] {footer.label}: [/]{number(f'{footer.count:,}')} "
                      f"({readable_memory_size(footer.size)})")
    if print_fn:
        print_fn(console.end_capture())


def layer_range_bounds(names: Sequence[str], layer_range) -> tuple[int, int]:
    """`[first, last)` indices of the rows `layer_range` (two name patterns) selects."""
    if layer_range is None:
        return 0, len(names)
    if len(layer_range) != 2 or not all(isinstance(n, str) for n in layer_range):
        raise ValueError(
            f"layer_range must be a list or tuple of two layer names, received {layer_range!r}."
        )
    lower = [i for i, name in enumerate(names) if re.match(layer_range[0], name)]
    upper = [i for i, name in enumerate(names) if re.match(layer_range[1], name)]
    if not lower or not upper:
        raise ValueError(
            f"The layer_range names {list(layer_range)} do not match any layer of the model; "
            f"its layers are {list(names)}."
        )
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1
