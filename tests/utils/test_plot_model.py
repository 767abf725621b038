"""`utils.plot_model` / `utils.model_to_dot`: real image files, through Graphviz and without it.

Every rendering test runs twice: with Graphviz's `dot` program (skipped when it is not
installed: `apt-get install graphviz`) and with the built-in matplotlib renderer, forced with
`LAMINA_PLOT_RENDERER=matplotlib` so it is tested even where Graphviz exists. The graph itself
(boxes, edges, clusters) is checked against real Keras's `model_to_dot`.
"""

import re
import shutil
import struct
import sys
import xml.etree.ElementTree as ET

import pytest

import lamina
from lamina._src.utils import diagram_layout
from lamina._src.utils.model_visualization import (
    RENDERER_ENV,
    build_diagram,
    model_to_dot,
    plot_model,
)

pydot = pytest.importorskip("pydot")
pytest.importorskip("matplotlib")

HAS_DOT = shutil.which("dot") is not None
RENDERERS = [
    pytest.param("graphviz", marks=pytest.mark.skipif(
        not HAS_DOT, reason="Graphviz's `dot` is not installed (apt-get install graphviz)")),
    "matplotlib",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# pydot's DOT parser (used here to read files back) still calls pyparsing's old names.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pydot.dot_parser")


@pytest.fixture(params=RENDERERS)
def renderer(request, monkeypatch):
    monkeypatch.setenv(RENDERER_ENV, request.param)
    return request.param


# -- models, built the same way with lamina and with Keras (the oracle) ------------------------
def sequential_model(k):
    return k.Sequential([
        k.Input((8,)),
        k.layers.Dense(16, activation="relu", name="hidden"),
        k.layers.Dropout(0.5, name="drop"),
        k.layers.Dense(3, activation="softmax", name="probs"),
    ], name="stack")


def two_io_model(k):
    """Two inputs, two outputs, a shared trunk and a branch that skips ranks."""
    image = k.Input((6,), name="image")
    meta = k.Input((3,), name="meta")
    x = k.layers.Dense(8, activation="relu", name="trunk")(image)
    m = k.layers.Dense(4, name="meta_proj")(meta)
    joined = k.layers.Concatenate(name="join")([x, m])
    score = k.layers.Dense(1, activation="sigmoid", name="score")(joined)
    label = k.layers.Dense(5, activation="softmax", name="label")(x)
    return k.Model([image, meta], [score, label], name="two_io")


def nested_model(k):
    """A Functional model holding a Sequential (holding a Sequential) and a Functional."""
    inner_in = k.Input((4,), name="inner_in")
    inner = k.Model(inner_in, k.layers.Dense(4, name="inner_dense")(inner_in), name="inner_func")
    tower = k.Sequential([
        k.Input((4,)),
        k.layers.Dense(4, name="tower_a"),
        k.Sequential([k.Input((4,)), k.layers.Dense(4, name="deep_dense")], name="deep_seq"),
    ], name="tower")
    x = k.Input((4,), name="x")
    h = k.layers.Dense(4, name="pre")(x)
    out = k.layers.Dense(2, name="post")(tower(inner(h)))
    return k.Model(x, out, name="outer")


def fashion_mnist_model(k):
    """The tutorial's classifier (Hands-On ML, ch. 10)."""
    return k.Sequential([
        k.Input(shape=(28, 28)),
        k.layers.Flatten(),
        k.layers.Dense(300, activation="relu"),
        k.layers.Dense(100, activation="relu"),
        k.layers.Dense(10, activation="softmax"),
    ])


# -- reading files back --------------------------------------------------------------------------
def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def check_png(path):
    width, height = png_size(path)
    assert path.stat().st_size > 2000 and width > 50 and height > 50
    try:
        from PIL import Image
    except ImportError:
        return width, height
    with Image.open(path) as image:
        image.load()  # decodes every pixel
        assert image.size == (width, height)
        low, high = image.convert("L").getextrema()
        assert low < 50 and high > 200, "the image should have dark boxes on a light page"
    return width, height


def svg_text(path) -> str:
    root = ET.parse(path).getroot()  # well-formed XML
    assert root.tag.endswith("svg")
    return " ".join(t for t in root.itertext())


def layer_names(model, expand_nested):
    Functional, Sequential = lamina.Model, lamina.Sequential
    names = []
    for layer in (model.layers if isinstance(model, Sequential) else model._operations):
        if expand_nested and isinstance(layer, (Functional, Sequential)):
            names += layer_names(layer, True)
        else:
            names.append(layer.name)
    return names


def dot_structure(dot):
    """(box names, edges as name pairs, cluster labels) of a pydot graph from Keras or lamina."""
    names, edges, clusters = {}, set(), set()

    def walk(graph):
        for node in graph.get_nodes():
            label = node.get("label") or ""
            found = re.search(r"<b>([^<]+)</b> \(", label)
            if found:
                names[node.get_name()] = found.group(1)
        for sub in graph.get_subgraphs():
            clusters.add(sub.get("label").strip('"'))
            walk(sub)
        for edge in graph.get_edges():
            edges.add((edge.get_source(), edge.get_destination()))

    walk(dot)
    return (set(names.values()), {(names[a], names[b]) for a, b in edges}, clusters)


# -- the graph, against Keras --------------------------------------------------------------------
@pytest.mark.parametrize("make", [sequential_model, two_io_model, nested_model])
def test_graph_matches_keras(keras, make):
    ours, theirs = make(lamina), make(keras)
    for expand_nested in (False, True):
        assert (dot_structure(model_to_dot(ours, expand_nested=expand_nested))
                == dot_structure(keras.utils.model_to_dot(theirs, expand_nested=expand_nested)))


def test_nested_edges_reach_inner_layers():
    _, edges, clusters = dot_structure(model_to_dot(nested_model(lamina), expand_nested=True))
    assert clusters == {"inner_func", "tower", "deep_seq"}
    assert edges == {("x", "pre"), ("pre", "inner_in"), ("inner_in", "inner_dense"),
                     ("inner_dense", "tower_a"), ("tower_a", "deep_dense"),
                     ("deep_dense", "post")}
    _, edges, clusters = dot_structure(model_to_dot(nested_model(lamina)))
    assert clusters == set()
    assert edges == {("x", "pre"), ("pre", "inner_func"), ("inner_func", "tower"),
                     ("tower", "post")}


def test_model_to_dot_options_and_subgraph():
    dot = model_to_dot(two_io_model(lamina), show_shapes=True, show_dtype=True,
                       show_layer_activations=True, show_trainable=True, rankdir="LR", dpi=96)
    assert isinstance(dot, pydot.Dot)
    assert dot.get("rankdir") == "LR" and str(dot.get("dpi")) == "96"
    text = dot.to_string()
    for piece in ("Input shape: <b>[(None, 8), (None, 4)]</b>", "Output shape: <b>(None, 12)</b>",
                  "Output dtype: <b>float32</b>", "Activation: <b>sigmoid</b>", "Trainable"):
        assert piece in text
    # Graphviz and pydot both read it back.
    assert pydot.graph_from_dot_data(text)
    cluster = model_to_dot(sequential_model(lamina), subgraph=True)
    assert isinstance(cluster, pydot.Cluster) and cluster.get("label") == "stack"


# -- real files ----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [sequential_model, two_io_model])
def test_png_svg_pdf(renderer, tmp_path, make):
    model = make(lamina)
    png = tmp_path / "model.png"
    plot_model(model, png, show_layer_names=True, dpi=60)
    check_png(png)
    svg = tmp_path / "model.svg"
    plot_model(model, svg, show_layer_names=True, show_shapes=True)
    text = svg_text(svg)
    for name in layer_names(model, expand_nested=False):
        assert name in text
    pdf = tmp_path / "model.pdf"
    plot_model(model, pdf, show_layer_names=True)
    assert pdf.read_bytes()[:4] == b"%PDF" and pdf.stat().st_size > 1000


@pytest.mark.parametrize("expand_nested", [False, True])
def test_nested_model(renderer, tmp_path, expand_nested):
    model = nested_model(lamina)
    svg = tmp_path / "nested.svg"
    plot_model(model, svg, show_layer_names=True, expand_nested=expand_nested)
    text = svg_text(svg)
    for name in layer_names(model, expand_nested):
        assert name in text
    inner_only = {"inner_dense", "tower_a", "deep_dense"}
    if expand_nested:
        assert all(cluster in text for cluster in ("inner_func", "tower", "deep_seq"))
    else:
        assert not any(name in text for name in inner_only)
    png = tmp_path / "nested.png"
    plot_model(model, png, show_layer_names=True, expand_nested=expand_nested, dpi=50)
    check_png(png)


def test_fashion_mnist_tutorial_call(renderer, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = fashion_mnist_model(lamina)
    plot_model(model, "my_fashion_mnist_model.png", show_shapes=True)
    check_png(tmp_path / "my_fashion_mnist_model.png")
    plot_model(model, "my_fashion_mnist_model.svg", show_shapes=True)
    text = svg_text(tmp_path / "my_fashion_mnist_model.svg")
    for shape in ("(None, 28, 28)", "(None, 784)", "(None, 300)", "(None, 100)", "(None, 10)"):
        assert shape in text
    # Keras 3's default: classes without layer names.
    assert "Flatten" in text and "dense" not in text


def test_box_contents(renderer, tmp_path):
    model = two_io_model(lamina)
    model.get_layer("trunk").trainable = False
    svg = tmp_path / "contents.svg"
    plot_model(model, svg, show_dtype=True, show_layer_activations=True, show_trainable=True)
    text = svg_text(svg)
    for piece in ("float32", "relu", "sigmoid", "softmax", "Non-trainable", "Trainable",
                  "Concatenate", "InputLayer"):
        assert piece in text


def test_rankdir_and_dot_file(renderer, tmp_path):
    model = sequential_model(lamina)
    plot_model(model, tmp_path / "lr.png", rankdir="LR", dpi=40)
    width, height = png_size(tmp_path / "lr.png")
    assert width > height  # a horizontal stack
    for rankdir in ("BT", "RL"):
        plot_model(nested_model(lamina), tmp_path / f"{rankdir}.png", rankdir=rankdir,
                   expand_nested=True, dpi=30)
        png_size(tmp_path / f"{rankdir}.png")
    plot_model(model, tmp_path / "model.dot", show_layer_names=True)
    (graph,) = pydot.graph_from_dot_file(str(tmp_path / "model.dot"))
    assert len(graph.get_edges()) == 2


def test_no_extension_means_png(renderer, tmp_path):
    plot_model(sequential_model(lamina), tmp_path / "model", dpi=30)
    png_size(tmp_path / "model")


def test_ops_and_subclassed_models(renderer, tmp_path):
    x = lamina.Input((3,), name="x")
    model = lamina.Model(x, lamina.ops.add(lamina.layers.Dense(3, name="d")(x), x), name="res")
    plot_model(model, tmp_path / "ops.svg", show_layer_names=True)
    assert "Add" in svg_text(tmp_path / "ops.svg")

    class Custom(lamina.Model):
        def __init__(self):
            super().__init__(name="custom")
            self.dense = lamina.layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs)

    custom = Custom()
    custom(lamina.ops.ones((1, 3)))
    plot_model(custom, tmp_path / "custom.svg", show_layer_names=True)
    assert "custom" in svg_text(tmp_path / "custom.svg")


# -- the fallback layout -------------------------------------------------------------------------
def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _on_border(point, rect, tol=1e-6) -> bool:
    x, y = point
    inside = rect.x0 - tol <= x <= rect.x1 + tol and rect.y0 - tol <= y <= rect.y1 + tol
    return inside and min(abs(x - rect.x0), abs(x - rect.x1), abs(y - rect.y0),
                          abs(y - rect.y1)) < tol


@pytest.mark.parametrize("rankdir", ["TB", "LR", "BT", "RL"])
@pytest.mark.parametrize("make", [two_io_model, nested_model])
def test_layout_invariants(rankdir, make):
    diagram = build_diagram(make(lamina), rankdir=rankdir, expand_nested=True)
    sizes = {box.key: (60.0 + 5 * len(box.rows[0][0].text), 30.0) for box in diagram.root.boxes()}
    labels = {cluster.key: (40.0, 14.0) for cluster in diagram.root.items
              if isinstance(cluster, lamina._src.utils.diagram.Cluster)}
    placed = diagram_layout.layout(diagram, sizes, labels)
    rects = list(placed.boxes.values())
    assert len(rects) == len(sizes)
    for i, a in enumerate(rects):  # no two boxes overlap, all on the page
        assert 0 <= a.x0 and a.x1 <= placed.width and 0 <= a.y0 and a.y1 <= placed.height
        for b in rects[i + 1:]:
            assert not _overlap(a, b)
    for cluster, frame in placed.clusters:  # a frame holds its boxes and no other box
        inside = {box.key for box in cluster.boxes()}
        for key, rect in placed.boxes.items():
            if key in inside:
                assert frame.x0 < rect.x0 and rect.x1 < frame.x1
                assert frame.y0 < rect.y0 and rect.y1 < frame.y1
            else:
                assert not _overlap(frame, rect)
    for (source, target), line in zip(diagram.edges, placed.edges):
        assert _on_border(line[0], placed.boxes[source])
        assert _on_border(line[-1], placed.boxes[target])
        for (x0, y0), (x1, y1) in zip(line, line[1:]):  # right angles only
            assert abs(x0 - x1) < 1e-6 or abs(y0 - y1) < 1e-6


def test_layout_keeps_a_chain_straight():
    diagram = build_diagram(sequential_model(lamina))
    placed = diagram_layout.layout(diagram, {b.key: (100.0, 40.0) for b in diagram.root.boxes()},
                                   {})
    centres = {round((r.x0 + r.x1) / 2, 6) for r in placed.boxes.values()}
    assert len(centres) == 1
    assert all(len(line) == 2 for line in placed.edges)


# -- errors --------------------------------------------------------------------------------------
def test_unbuilt_model_and_bad_arguments(tmp_path):
    unbuilt = lamina.Sequential([lamina.layers.Dense(2)])
    with pytest.raises(ValueError, match="not yet been built"):
        plot_model(unbuilt, tmp_path / "x.png")
    model = sequential_model(lamina)
    with pytest.raises(ValueError, match="layer_range"):
        plot_model(model, tmp_path / "x.png", layer_range=["a", "b"])
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        model_to_dot(model, colour=True)
    with pytest.raises(ValueError, match="rankdir"):
        model_to_dot(model, rankdir="UP")


def test_renderer_errors(tmp_path, monkeypatch):
    model = sequential_model(lamina)
    monkeypatch.setenv(RENDERER_ENV, "crayons")
    with pytest.raises(ValueError, match=RENDERER_ENV):
        plot_model(model, tmp_path / "x.png")
    monkeypatch.setenv(RENDERER_ENV, "matplotlib")
    with pytest.raises(ValueError, match="Graphviz"):
        plot_model(model, tmp_path / "x.unknownformat")
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"lamina\[plot\]"):
        plot_model(model, tmp_path / "x.png")
    monkeypatch.setenv(RENDERER_ENV, "graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` there
    with pytest.raises(ImportError, match="apt-get install graphviz"):
        plot_model(model, tmp_path / "x.png")


def test_missing_pydot_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="pip install"):
        model_to_dot(sequential_model(lamina))


# -- the automatic choice, with LAMINA_PLOT_RENDERER unset ---------------------------------------
@pytest.fixture
def no_graphviz(monkeypatch, tmp_path):
    """LAMINA_PLOT_RENDERER unset and a PATH without Graphviz's `dot`."""
    monkeypatch.delenv(RENDERER_ENV, raising=False)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert shutil.which("dot") is None


def test_automatic_fallback_without_dot(no_graphviz, tmp_path):
    model = two_io_model(lamina)
    png = tmp_path / "auto.png"
    plot_model(model, png, show_layer_names=True, dpi=60)
    check_png(png)
    svg = tmp_path / "auto.svg"
    plot_model(model, svg, show_layer_names=True, show_shapes=True)
    assert "matplotlib" in svg.read_text()  # drawn by the fallback, not Graphviz
    text = svg_text(svg)
    for name in layer_names(model, expand_nested=False):
        assert name in text
    pdf = tmp_path / "auto.pdf"
    plot_model(model, pdf, show_layer_names=True)
    assert pdf.read_bytes()[:4] == b"%PDF" and pdf.stat().st_size > 1000


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's `dot` is not installed")
def test_automatic_choice_uses_dot_when_installed(monkeypatch, tmp_path):
    monkeypatch.delenv(RENDERER_ENV, raising=False)
    svg = tmp_path / "auto.svg"
    plot_model(sequential_model(lamina), svg, show_layer_names=True)
    assert "Generated by graphviz" in svg.read_text()


def test_lamina_plot_png_and_pdf_without_dot(no_graphviz, tmp_path, capsys, fixtures_dir):
    from lamina._src.cli.main import main

    source = fixtures_dir / "keras3_jax" / "wide_deep.keras"
    for name, signature in (("model.png", PNG_SIGNATURE), ("model.pdf", b"%PDF")):
        out = tmp_path / name
        assert main(["plot", str(source), "-o", str(out), "--show-shapes"]) == 0, \
            capsys.readouterr().err
        assert out.read_bytes()[:len(signature)] == signature and out.stat().st_size > 1000
    check_png(tmp_path / "model.png")
