"""The text form of an inspection report: header, Keras's summary table, formulas, weights.

The table is drawn by `utils.summary_table`, the code `model.summary()` uses, so with
`show_activations=False` its text is the text Keras prints for the same model.
"""

from __future__ import annotations

import rich.console
import rich.markup

from lamina._src.utils import summary_table as st


def _esc(text) -> str:
    return rich.markup.escape(str(text))


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.7g}"
    return str(value)


def _value(value) -> str:
    """A config value, compactly: strings bare, lists joined, serialized objects by name."""
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if "class_name" in value:
            config = value.get("config") if isinstance(value.get("config"), dict) else {}
            label = config.get("name") or config.get("fn")
            name = str(value["class_name"]).rsplit(">", 1)[-1]
            if name in ("MeanMetricWrapper",) and label:
                return str(label)
            args = ", ".join(f"{k}={_value(v)}" for k, v in config.items()
                             if k not in ("name", "dtype") and v is not None)
            return f"{name}({args})"
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _size(nbytes: int) -> str:
    return st.readable_memory_size(nbytes)


def _rows(layers: list[dict], sequential_like: bool, show_activations: bool,
          expand_nested: bool, level: int = 0) -> list[list[str]]:
    rows = []
    for layer in layers:
        shapes = layer["output_shapes"]
        shape_text = st.format_shapes(shapes) if shapes else "?"
        row = [st.layer_cell(layer["name"], layer["class_name"] or "?", st.nested_prefix(level)),
               shape_text, st.params_cell(layer["params"]["count"])]
        if not sequential_like:
            row.append(", ".join(st.connection_text(c["layer"], c["call_index"],
                                                    c["tensor_index"])
                                 for c in layer["connected_to"]) or "-")
        if show_activations:
            row.append(_esc(layer["activation"] or "-"))
        rows.append(row)
        if expand_nested and layer["layers"]:
            rows += _rows(layer["layers"], sequential_like, show_activations, expand_nested,
                          level + 1)
    return rows


def print_summary(report: dict, console: rich.console.Console, show_activations: bool = True,
                  expand_nested: bool = False, line_length: int | None = None) -> None:
    """Keras's `Model: "name"` table and params footer for the report's model."""
    model = report["model"]
    sequential_like = model["sequential_like"] if model else True
    layout = st.table_layout(sequential_like, show_activations=show_activations,
                             line_length=line_length)
    rows = _rows(report["layers"], sequential_like, show_activations, expand_nested)
    totals = report["totals"]
    optimizer = None
    if totals["optimizer_params"] is not None:
        optimizer = (totals["optimizer_params"], totals["optimizer_bytes"])
    footers = st.params_footers((totals["trainable_params"], totals["trainable_bytes"]),
                                (totals["non_trainable_params"], totals["non_trainable_bytes"]),
                                optimizer)
    title = model["name"] if model else report["file"]["path"]
    st.print_summary_table(title, st.build_table(layout, rows), footers, layout.line_length,
                           console=console)


class _Lines:
    """Markup lines collected, to print in one call (rich's per-call cost adds up)."""

    def __init__(self):
        self.lines: list[str] = []

    def flush(self, console: rich.console.Console) -> None:
        if self.lines:
            console.print("\n".join(self.lines), soft_wrap=True, highlight=False)
        self.lines = []


def _line(out: _Lines, text: str = "") -> None:
    out.lines.append(text)


def _header(report: dict, out: _Lines) -> None:
    file = report["file"]
    model = report["model"]
    _line(out, f"[bold]File:[/]       {_esc(file['path'])} ({_size(file['size_bytes'])})")
    _line(out, f"[bold]Format:[/]     {_esc(file['format_description'])} "
                   f"[dim]({file['format']})[/]")
    if model:
        _line(out, f"[bold]Model:[/]      {_esc(model['class_name'])} "
                       f"\"{_esc(model['name'])}\"")
        io = [f"{_esc(x['name'])} {_shape(x['shape'])}" for x in model["inputs"]]
        _line(out, f"[bold]Inputs:[/]     {', '.join(io) or '?'}")
        io = [f"{_esc(x['name'])} {_shape(x['shape'])}" for x in model["outputs"]]
        _line(out, f"[bold]Outputs:[/]    {', '.join(io) or '?'}")
    else:
        _line(out, "[bold]Model:[/]      none (a weights-only file: no architecture)")
    version = file["keras_version"]
    writer = f"Keras {version}" if version else "an unknown Keras version"
    if version and version.startswith("2."):
        writer = f"tf.keras {version}"
    backend = file["backend"] or ("not recorded" if file["format"] in ("keras_v3", "weights_v3")
                                  else "unknown")
    _line(out, f"[bold]Written by:[/] {_esc(writer)}, backend {_esc(backend)}"
                   + (f", saved {_esc(file['date_saved'])}" if file["date_saved"] else ""))
    _line(out)


def _shape(shape) -> str:
    if shape is None:
        return "?"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def _walk(layers: list[dict], level: int = 0):
    for layer in layers:
        yield layer, level
        yield from _walk(layer["layers"], level + 1)


def _params_section(report: dict, out: _Lines) -> None:
    _line(out, "[bold]Parameters, layer by layer[/] (P = parameter count)")
    weightless = []
    for layer, level in _walk(report["layers"]):
        params = layer["params"]
        label = "  " + "  " * level + f"{layer['name']} ({layer['class_name'] or '?'})"
        if not layer["layers"] and params["count"] == 0 and (
                params["expected"] == 0 or layer["class_name"] is None):
            weightless.append(layer["name"])
            continue
        if params["formula"] is None:
            formula = f"P = {params['count']:,} stored (no formula for this class)"
        else:
            formula = params["formula"]
        status = ""
        if params["matches"] is False:
            status = f"  [bold red]but the file stores {params['count']:,}[/]" \
                if params["expected"] != params["count"] else \
                "  [bold red]but the stored shapes differ[/]"
        _line(out, f"[bold]{_esc(label)}[/]: {_esc(formula)}{status}")
        indent = " " * (len(label) + 2)
        notes = list(params["notes"])
        if params["non_trainable"] and "non-trainable" not in (params["formula"] or ""):
            notes.append(f"{params['non_trainable']:,} non-trainable")
        joined = "; ".join(notes)
        for note in [joined] if len(joined) <= 90 else notes:
            _line(out, f"[dim]{indent}{_esc(note)}[/]")
    if weightless:
        _line(out, f"  [dim]no weights: {_esc(', '.join(weightless))}[/]")
    _line(out)


def _weights_section(report: dict, out: _Lines) -> None:
    rows = [("weight", "shape", "dtype", "min", "max", "mean", "std", "zeros", "nan", "inf")]
    for layer, _ in _walk(report["layers"]):
        for w in layer["weights"]:
            s = w["stats"] or {}

            def f(key, s=s):
                v = s.get(key)
                return "-" if v is None else f"{v:.4g}"
            rows.append((f"{layer['path']}/{w['name']}" if not w["name"].startswith(
                layer["path"]) else w["name"], _shape(w["shape"]), w["dtype"], f("min"),
                f("max"), f("mean"), f("std"),
                "-" if not s else f"{100 * s['zeros_fraction']:.1f}%",
                str(s.get("nan_count", "-")), str(s.get("inf_count", "-"))))
    _line(out, "[bold]Weights[/]")
    if len(rows) == 1:
        _line(out, "  none stored")
        _line(out)
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(widths[2])]
        cells += [c.rjust(widths[i + 3]) for i, c in enumerate(row[3:])]
        text = "  " + "  ".join(cells)
        bad = n and (row[8] not in ("0", "-") or row[9] not in ("0", "-"))
        _line(out, f"[bold]{_esc(text)}[/]" if n == 0 else
              f"[red]{_esc(text)}[/]" if bad else _esc(text))
    _line(out)


def _training_section(report: dict, out: _Lines) -> None:
    training = report["training"]
    state = report["optimizer_state"]
    if training is None:
        _line(out, "[bold]Training configuration:[/] none (the model was not compiled)")
    else:
        _line(out, f"[bold]Training configuration[/] [dim]({training['source']})[/]")
        optimizer = training["optimizer"]
        if optimizer is None:
            text = "none"
        else:
            hyper = ", ".join(f"{k}={_value(v)}" for k, v in optimizer["hyperparameters"].items())
            text = optimizer["class_name"] + (f" ({hyper})" if hyper else "")
        _line(out, f"  optimizer:     {_esc(text)}")
        for key, label in (("loss", "loss"), ("loss_weights", "loss weights"),
                           ("metrics", "metrics"), ("weighted_metrics", "weighted metrics")):
            if training[key] is not None:
                _line(out, f"  {label + ':':<14} {_esc(_value(training[key]))}")
    if state["stored"]:
        text = (f"stored: {state['variables']} variables, {state['params']:,} values "
                f"({_size(state['bytes'])})")
        if state["iterations"] is not None:
            text += f", {state['iterations']:,} steps taken"
    else:
        text = "not stored"
    _line(out, f"  [bold]optimizer state:[/] {_esc(text)}")
    if report["metrics_state"]["stored"]:
        _line(out, f"  metric state:  stored ({report['metrics_state']['variables']} "
                       "variables; Keras 3 does not restore it)")
    _line(out)


def _warnings_section(report: dict, out: _Lines) -> None:
    if not report["warnings"]:
        _line(out, "[bold green]No warnings:[/] the stored weights agree with the config.")
        return
    _line(out, f"[bold yellow]Warnings ({len(report['warnings'])})[/]")
    for warning in report["warnings"]:
        _line(out, f"  [yellow]![/] {_esc(warning['message'])}")


def _shape_notes(report: dict, out: _Lines) -> None:
    guessed = [layer for layer, _ in _walk(report["layers"])
               if layer["output_shape_source"] == "weights"]
    for layer in guessed:
        _line(out, f"[dim]{_esc(layer['name'])}: output shape inferred from its stored "
                       "kernel (the file does not record it for this custom class)[/]")
    if guessed:
        _line(out)


def print_report(report: dict, console: rich.console.Console, *, show_activations: bool = True,
                 expand_nested: bool = False, show_weights: bool = False,
                 summary_only: bool = False, line_length: int | None = None) -> None:
    """Print the whole report (or only Keras's summary with `summary_only`)."""
    out = _Lines()
    if not summary_only:
        _header(report, out)
        out.flush(console)
    print_summary(report, console, show_activations=show_activations,
                  expand_nested=expand_nested, line_length=line_length)
    if summary_only:
        return
    _line(out)
    _shape_notes(report, out)
    _params_section(report, out)
    if show_weights:
        _weights_section(report, out)
    _training_section(report, out)
    _warnings_section(report, out)
    out.flush(console)
