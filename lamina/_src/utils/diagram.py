"""What a model plot shows, independent of how it is drawn.

`plot_model` turns a model into a `Diagram` once; Graphviz (through a DOT label) and the
built-in renderer both draw from it, so they show the same boxes, text and edges.
"""

import dataclasses

# A line of text as (text, bold) runs: `[("dense", True), (" (Dense)", False)]`.
Runs = list[tuple[str, bool]]


@dataclasses.dataclass
class Cell:
    """One table cell of a layer box."""

    runs: Runs
    background: str = "white"
    color: str = "black"
    font_size: int = 14

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


@dataclasses.dataclass
class Box:
    """A layer (or op, or unexpanded model): rows of cells, drawn as a table. The first row is
    the header; each row spans the box's width."""

    key: str
    rows: list[list[Cell]]


@dataclasses.dataclass
class Cluster:
    """A nested model drawn expanded: its boxes and sub-clusters inside a dashed frame."""

    key: str
    label: str
    items: list["Box | Cluster"] = dataclasses.field(default_factory=list)

    def boxes(self) -> list[Box]:
        """Every box in this cluster and below it."""
        found = []
        for item in self.items:
            found.extend(item.boxes() if isinstance(item, Cluster) else [item])
        return found


@dataclasses.dataclass
class Diagram:
    """A whole plot: the top-level items (the root is not framed) and the edges between boxes,
    each `(source box key, destination box key)`, once each, in the order they were found."""

    root: Cluster
    edges: list[tuple[str, str]]
    rankdir: str = "TB"
