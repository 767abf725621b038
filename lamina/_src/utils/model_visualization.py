"""`plot_model` and `model_to_dot` (`keras.utils`): a picture of a model's graph.

The boxes, their text and the edges follow Keras 3: one table per layer (name and class,
optionally the activation, input/output shapes, dtype and trainability), an edge per tensor
passed between layers, and with `expand_nested` each nested Sequential/Functional model drawn
as a dashed cluster whose inner layers the edges reach.

How it is drawn, and why:
* `model_to_dot` returns a `pydot.Dot`, as Keras does: pydot is the maintained pure-Python DOT
  library (Keras's own choice), so code that post-processes the graph keeps working.
* `plot_model` renders with Graphviz's `dot` program when it is installed, which gives Keras's
  exact pictures. Keras stops there with an error when the program is missing, and it is a
  system package a `pip install` cannot bring. So without it lamina lays the graph out itself
  (`diagram_layout`: the layered scheme `dot` uses, small because model graphs are small DAGs)
  and draws it with matplotlib (`diagram_render`), which writes PNG, SVG, PDF, JPEG, ... with
  bundled fonts. Looked at and not chosen: the `graphviz` and `pygraphviz` packages (both need
  the same system Graphviz), networkx (no layered layout; its drawing is matplotlib anyway),
  grandalf (a Sugiyama layout, unreleased since 2023, still needing a renderer) and the young
  Graphviz ports published as wheels.
* Both are in the `lamina[plot]` extra (`pip install "lamina[plot]"`: pydot and matplotlib),
  imported only when a plot is made. The environment variable `LAMINA_PLOT_RENDERER` picks the
  renderer: `auto` (the default: Graphviz when `dot` is on the PATH), `graphviz` or
  `matplotlib`.
* A `.dot` (or `.gv`) file is the DOT text: laid out by Graphviz when it is there (as Keras's
  `dot.write(format="dot")`), else the source itself, which any Graphviz tool reads.
"""

import html
import os
import shutil
import warnings

from lamina._src.utils import tree
from lamina._src.utils.diagram import Box, Cell, Cluster, Diagram

RENDERER_ENV = "LAMINA_PLOT_RENDERER"
_RENDERERS = ("auto", "graphviz", "matplotlib")
_RASTER_FOR_IPYTHON = ("png", "jpg", "jpeg", "gif")


def _pydot():
    try:
        import pydot
    except ImportError as e:
        raise ImportError(
            "model_to_dot builds the graph with pydot, which is not installed. Install it with "
            "`pip install \"lamina[plot]\"` (pydot and matplotlib) or `pip install pydot`."
        ) from e
    return pydot


def _graph_model_classes():
    from lamina._src.models.functional import Functional
    from lamina._src.models.sequential import Sequential

    return Functional, Sequential


def _check_built(model) -> None:
    if not getattr(model, "built", False):
        raise ValueError(
            f"Model '{model.name}' has not yet been built, so it has no graph to plot. Build it "
            "first: give it an `Input`, call `model.build(input_shape)`, or call it on a batch "
            "of data."
        )


def _check_kwargs(kwargs: dict) -> None:
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported (as in Keras 3).")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {sorted(kwargs)}")


# -- the model -> a Diagram ----------------------------------------------------------------------
def _format_shape(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, dict):
        text = ", ".join(f"{k}: {v}" for k, v in shape.items())
    else:
        text = f"{shape}"
    return text.replace("{", "").replace("}", "")


def _io_tensors(layer, attribute: str):
    """`layer.input` / `layer.output` (the first call's tensors), also for plain ops."""
    try:
        return getattr(layer, attribute)
    except (AttributeError, ValueError, TypeError):
        pass
    nodes = getattr(layer, "_inbound_nodes", None)
    if not nodes:
        return None
    values = nodes[0].input_tensors if attribute == "input" else nodes[0].outputs
    return values[0] if len(values) == 1 else list(values)


def _structure_of(tensors, field: str):
    if tensors is None:
        return None
    try:
        return tree.map_structure(lambda t: getattr(t, field), tensors)
    except (AttributeError, TypeError, ValueError):
        return None


def _activation_name(layer) -> str:
    from lamina._src.models.summary import describe_activation

    return describe_activation(layer)


def _make_box(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
              show_trainable) -> Box:
    class_name = type(layer).__name__
    if show_layer_names:
        header = [(layer.name, True), (f" ({class_name})", False)]
    else:
        header = [(class_name, True)]
    rows = [[Cell(header, background="black", color="white", font_size=16)]]
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        rows.append([Cell([("Activation: ", False), (_activation_name(layer), True)])])
    cells = []
    if show_shapes:
        if class_name != "InputLayer":
            shape = _structure_of(_io_tensors(layer, "input"), "shape")
            cells.append(Cell([("Input shape: ", False), (_format_shape(shape), True)]))
        shape = _structure_of(_io_tensors(layer, "output"), "shape")
        cells.append(Cell([("Output shape: ", False), (_format_shape(shape), True)]))
    if show_dtype:
        dtype = _structure_of(_io_tensors(layer, "output"), "dtype")
        cells.append(Cell([("Output dtype: ", False), (f"{dtype or '?'}", True)]))
    if show_trainable and hasattr(layer, "trainable") and getattr(layer, "weights", None):
        if layer.trainable:
            cells.append(Cell([("Trainable", True)], background="forestgreen", color="white"))
        else:
            cells.append(Cell([("Non-trainable", True)], background="firebrick", color="white"))
    if cells:
        rows.append(cells)
    return Box(str(id(layer)), rows)


def _model_nodes(model) -> set[int]:
    """The ids of the graph nodes that belong to `model` (a layer reused elsewhere has more)."""
    Functional, Sequential = _graph_model_classes()
    graph = model._functional if isinstance(model, Sequential) else model
    return {id(node) for node in (getattr(graph, "_nodes", None) or [])}


def _collect(model, cluster: Cluster, edges: list, box_options: dict, expand_nested: bool):
    """Fill `cluster` with `model`'s boxes (and sub-clusters) and add its edges, as Keras."""
    Functional, Sequential = _graph_model_classes()
    graph_models = (Functional, Sequential)
    if isinstance(model, Sequential):
        layers = model.layers
    elif not isinstance(model, Functional):
        cluster.items.append(_make_box(model, **box_options))  # a subclassed model: one box
        return
    else:
        layers = model._operations

    for layer in layers:
        if expand_nested and isinstance(layer, graph_models):
            _check_built(layer)
            inner = Cluster(str(id(layer)), layer.name)
            cluster.items.append(inner)
            _collect(layer, inner, edges, box_options, expand_nested)
        else:
            cluster.items.append(_make_box(layer, **box_options))

    if isinstance(model, Sequential):
        if not expand_nested:
            for a, b in zip(layers, layers[1:]):
                edges.append((str(id(a)), str(id(b))))
            return
        # The first layer's input is the (undrawn) InputLayer; the edge from outside reaches
        # it through the edge into the Sequential model itself.
        layers = layers[1:]

    nodes = _model_nodes(model)
    for layer in layers:
        for node in layer._inbound_nodes:
            if id(node) not in nodes:
                continue
            for input_index, tensor in enumerate(node.input_tensors):
                history = tensor._keras_history
                if history is None or history[0] is None:
                    continue
                source, _, output_index = history
                destination = layer
                if expand_nested:
                    # A nested model has no box: go to the layer inside that makes the output
                    # (or receives the input), however deep.
                    while isinstance(source, graph_models):
                        source, _, output_index = source.outputs[output_index]._keras_history
                    while isinstance(destination, graph_models):
                        if isinstance(destination, Functional):
                            destination = destination.inputs[input_index]._keras_history[0]
                        else:
                            destination = destination.layers[0]
                edges.append((str(id(source)), str(id(destination))))


def build_diagram(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                  rankdir="TB", expand_nested=False, show_layer_activations=False,
                  show_trainable=False) -> Diagram:
    """What `plot_model` draws, as a renderer-independent `Diagram`."""
    _check_built(model)
    if not isinstance(rankdir, str) or rankdir.upper() not in ("TB", "BT", "LR", "RL"):
        raise ValueError(f"`rankdir` must be 'TB', 'LR', 'BT' or 'RL'. Received: {rankdir!r}")
    root = Cluster(str(id(model)), model.name)
    edges: list[tuple[str, str]] = []
    box_options = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable)
    _collect(model, root, edges, box_options, expand_nested)
    unique = list(dict.fromkeys(edges))  # as Keras: one edge per pair of boxes
    return Diagram(root, unique, rankdir.upper())


# -- a Diagram -> pydot --------------------------------------------------------------------------
def _html_cell(cell: Cell, colspan: int | None) -> str:
    text = "".join(f"<b>{html.escape(t, quote=False)}</b>" if bold else html.escape(t, quote=False)
                   for t, bold in cell.runs)
    color = f' color="{cell.color}"' if cell.color != "black" else ""
    span = f' colspan="{colspan}"' if colspan else ""
    return (f'<td{span} bgcolor="{cell.background}"><font point-size="{cell.font_size}"{color}>'
            f"{text}</font></td>")


def _html_label(box: Box) -> str:
    columns = max(len(row) for row in box.rows)
    rows = []
    for row in box.rows:
        if len(row) == 1 and columns > 1:
            rows.append(f"<tr>{_html_cell(row[0], columns)}</tr>")
        else:
            rows.append("<tr>" + "".join(_html_cell(cell, None) for cell in row) + "</tr>")
    return ('<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
            + "".join(rows) + "</table>>")


def _to_pydot(diagram: Diagram, dpi, splines, subgraph: bool):
    pydot = _pydot()
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=diagram.root.label)
        dot.set("label", diagram.root.label)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", diagram.rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")

    # Each edge goes in the deepest cluster holding both of its ends, as Keras adds it.
    home: dict[str, list] = {}

    def chains(cluster, chain):
        chain = chain + [cluster]
        for item in cluster.items:
            if isinstance(item, Cluster):
                chains(item, chain)
            else:
                home[item.key] = chain

    chains(diagram.root, [])
    edges_in: dict[int, list] = {}
    for a, b in diagram.edges:
        common = diagram.root
        for ca, cb in zip(home.get(a, [diagram.root]), home.get(b, [diagram.root])):
            if ca is not cb:
                break
            common = ca
        edges_in.setdefault(id(common), []).append((a, b))

    def fill(graph, cluster):
        for item in cluster.items:
            if isinstance(item, Cluster):
                sub = pydot.Cluster(style="dashed", graph_name=item.label)
                sub.set("label", item.label)
                sub.set("labeljust", "l")
                fill(sub, item)
                graph.add_subgraph(sub)
            else:
                node = pydot.Node(item.key, label=_html_label(item))
                node.set("fontname", "Helvetica")
                node.set("border", "0")
                node.set("margin", "0")
                graph.add_node(node)
        for a, b in edges_in.get(id(cluster), []):
            edge = pydot.Edge(a, b)
            edge.set("penwidth", "2")
            graph.add_edge(edge)

    fill(dot, diagram.root)
    return dot


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, subgraph=False, show_layer_activations=False,
                 show_trainable=False, splines="ortho", **kwargs):
    """Convert a model to a `pydot.Dot` graph (needs `pydot`, not Graphviz).

    Args:
        model: a built model (Sequential, Functional, or subclassed: then a single box).
        show_shapes: show each layer's input and output shapes.
        show_dtype: show each layer's output dtype.
        show_layer_names: show layer names (else only their classes).
        rankdir: `"TB"` (a vertical plot), `"LR"` (horizontal), `"BT"` or `"RL"`.
        expand_nested: draw nested Sequential/Functional models as clusters of their layers.
        dpi: the image resolution Graphviz renders at.
        subgraph: return a `pydot.Cluster` (to nest in another graph) instead of a `pydot.Dot`.
        show_layer_activations: show the activation of layers that have one.
        show_trainable: show whether each layer with weights is trainable.
        splines: how Graphviz draws edges: `"ortho"` (right angles), `"curved"`,
            `"polyline"`, `"spline"` or `"line"`.

    Returns:
        A `pydot.Dot`, or a `pydot.Cluster` when `subgraph=True`.

    Raises:
        ValueError: the model is not built, or an unknown argument was passed.
        ImportError: pydot is not installed.
    """
    _check_kwargs(kwargs)
    diagram = build_diagram(model, show_shapes, show_dtype, show_layer_names, rankdir,
                            expand_nested, show_layer_activations, show_trainable)
    return _to_pydot(diagram, dpi, splines, subgraph)


# -- rendering -----------------------------------------------------------------------------------
def _renderer_choice() -> str:
    choice = os.environ.get(RENDERER_ENV, "auto").strip().lower() or "auto"
    if choice not in _RENDERERS:
        raise ValueError(f"The environment variable {RENDERER_ENV} must be one of {_RENDERERS}. "
                         f"Received: {choice!r}")
    return choice


def _graphviz_available() -> bool:
    if shutil.which("dot") is None:
        return False
    try:
        import pydot  # noqa: F401
    except ImportError:
        return False
    return True


_NO_GRAPHVIZ = (
    "Graphviz's `dot` program was not found on the PATH. Install Graphviz (`apt-get install "
    "graphviz`, `brew install graphviz`, `conda install graphviz`, or "
    "https://graphviz.org/download/) and pydot (`pip install \"lamina[plot]\"`)."
)


def _write_with_graphviz(diagram, path, fmt, dpi, splines) -> None:
    dot = _to_pydot(diagram, dpi, splines, subgraph=False)
    dot.write(path, prog="dot", format="dot" if fmt == "gv" else fmt)


def _write(diagram: Diagram, path: str, fmt: str, dpi, splines) -> None:
    choice = _renderer_choice()
    if choice == "graphviz" and not _graphviz_available():
        raise ImportError(f"{RENDERER_ENV}=graphviz, but Graphviz cannot be used: {_NO_GRAPHVIZ}")
    use_graphviz = choice == "graphviz" or (choice == "auto" and _graphviz_available())
    if use_graphviz:
        try:
            _write_with_graphviz(diagram, path, fmt, dpi, splines)
            return
        except Exception as e:
            if choice == "graphviz":
                raise
            warnings.warn(f"Graphviz failed to draw the model ({e}); drawing it with "
                          "matplotlib instead.", stacklevel=3)
    if fmt in ("dot", "gv"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(_to_pydot(diagram, dpi, splines, subgraph=False).to_string())
        return
    from lamina._src.utils import diagram_render

    formats = diagram_render.supported_formats()
    if fmt not in formats:
        raise ValueError(
            f"plot_model cannot write '{path}': without Graphviz it writes the formats "
            f"{sorted(formats | {'dot'})}, not {fmt!r}. Use one of those extensions, or install "
            f"Graphviz for the others. {_NO_GRAPHVIZ}"
        )
    diagram_render.render(diagram, path, fmt, dpi)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw a model's graph to an image file; the format comes from the file's extension.

    PNG, SVG, PDF, JPEG and DOT work after `pip install "lamina[plot]"`, with or without the
    Graphviz program (which, when installed, draws exactly as for Keras; any format Graphviz
    knows then works). The environment variable `LAMINA_PLOT_RENDERER` (`auto`, `graphviz`,
    `matplotlib`) forces a renderer.

    Example:
        model = lamina.Sequential([lamina.Input((28, 28)), lamina.layers.Flatten(),
                                   lamina.layers.Dense(10, activation="softmax")])
        lamina.utils.plot_model(model, "model.png", show_shapes=True)

    Args:
        model: a built model.
        to_file: the file to write (`.png`, `.svg`, `.pdf`, `.jpg`, `.dot`, ...; none: PNG).
        show_shapes: show each layer's input and output shapes.
        show_dtype: show each layer's output dtype.
        show_layer_names: show layer names (else only their classes; Keras 3's default).
        rankdir: `"TB"` (a vertical plot), `"LR"` (horizontal), `"BT"` or `"RL"`.
        expand_nested: draw nested Sequential/Functional models as clusters of their layers.
        dpi: the image resolution.
        show_layer_activations: show the activation of layers that have one.
        show_trainable: show whether each layer with weights is trainable.
        splines: how Graphviz draws edges (`"ortho"`, `"curved"`, `"polyline"`, `"spline"`,
            `"line"`); without Graphviz edges are always drawn with right angles.

    Returns:
        An `IPython.display.Image` (or `SVG`) of the file when IPython is installed, else None.

    Raises:
        ValueError: the model is not built, an unknown argument, or a format that cannot be
            written without Graphviz.
        ImportError: neither Graphviz (with pydot) nor matplotlib is installed; the message
            says what to install.
    """
    _check_kwargs(kwargs)
    diagram = build_diagram(model, show_shapes, show_dtype, show_layer_names, rankdir,
                            expand_nested, show_layer_activations, show_trainable)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    _write(diagram, to_file, extension, dpi, splines)
    try:
        from IPython import display
    except ImportError:
        return None
    if extension in _RASTER_FOR_IPYTHON:
        return display.Image(filename=to_file)
    if extension == "svg":
        return display.SVG(filename=to_file)
    return None
