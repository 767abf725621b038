"""`lamina predict FILE --input x.npy --output y.npy`: run a saved model on stored inputs."""

from __future__ import annotations

import os

from ._common import EXIT_USAGE, CLIError, command_parser, existing_file

INPUT_SUFFIXES = (".npy", ".npz", ".csv")
OUTPUT_SUFFIXES = (".npy", ".npz", ".csv")


def add_parser(commands):
    parser = command_parser(
        commands, "predict",
        help="run a saved model on inputs from a .npy, .npz or .csv file",
        description=(
            "Load a model file and write model.predict(inputs) to a file.\n\n"
            "Inputs: .npy (one array); .npz (one array per model input, matched by input "
            "name, else taken in order); .csv (one sample per row, comma-separated, for a "
            "single-input model: each row is reshaped to the model's input shape; use "
            "--skip-header when the first row holds column names).\n"
            "Outputs: .npy (single-output models), .npz (one array per output, named after "
            "the output layers) or .csv (one row per sample, flattened)."),
        example="lamina predict model.keras --input x.npy --output y.npy --batch-size 64",
    )
    parser.add_argument("file", help="the model file (.keras or .h5)")
    parser.add_argument("--input", "-i", required=True, help="the inputs: .npy, .npz or .csv")
    parser.add_argument("--output", "-o", required=True, help="where to write the predictions: "
                                                              ".npy, .npz or .csv")
    parser.add_argument("--batch-size", type=int, default=32, metavar="N",
                        help="samples per batch (default 32)")
    parser.add_argument("--skip-header", action="store_true",
                        help="the CSV input's first row is a header")
    parser.set_defaults(func=run)
    return parser


def _suffix(path: str) -> str:
    return os.path.splitext(path)[1].lower()


def _input_specs(model) -> list[tuple[str, tuple]]:
    inputs = list(getattr(model, "inputs", None) or [])
    names = getattr(model, "input_names", None)
    if not names:
        names = [getattr(x, "_keras_history", [None])[0].name if getattr(
            x, "_keras_history", None) else f"input_{i}" for i, x in enumerate(inputs)]
    return [(name, tuple(x.shape)) for name, x in zip(names, inputs)]


def _output_names(model, count: int) -> list[str]:
    names = list(getattr(model, "output_names", None) or [])
    if len(names) != count:
        names = [f"y{i}" if count > 1 else "y" for i in range(count)]
    return names


def read_inputs(path: str, specs: list[tuple[str, tuple]], skip_header: bool = False):
    """The model's inputs from `path`: one array, or a list in the model's input order."""
    import numpy as np

    suffix = _suffix(path)
    if suffix == ".npy":
        arrays = [np.load(path, allow_pickle=False)]
    elif suffix == ".npz":
        with np.load(path, allow_pickle=False) as data:
            stored = {key: data[key] for key in data.files}
        names = [name for name, _ in specs]
        if specs and all(name in stored for name in names):
            arrays = [stored[name] for name in names]
        else:
            arrays = list(stored.values())
            if specs and len(arrays) != len(specs):
                raise CLIError(
                    f"{path}: holds {len(arrays)} arrays ({', '.join(stored)}) but the model "
                    f"takes {len(specs)} input(s) ({', '.join(names)}): name the arrays after "
                    "the inputs, or store only the inputs, in the model's input order.")
    elif suffix == ".csv":
        if len(specs) > 1:
            raise CLIError(f"{path}: a CSV file holds one input, but the model takes "
                           f"{len(specs)} ({', '.join(n for n, _ in specs)}); use an .npz file "
                           "with one array per input.", code=EXIT_USAGE)
        try:
            rows = np.loadtxt(path, delimiter=",", skiprows=1 if skip_header else 0,
                              dtype=np.float32, ndmin=2)
        except ValueError as e:
            raise CLIError(f"{path}: not a numeric CSV file ({e}). If the first row holds "
                           "column names, pass --skip-header.") from e
        shape = specs[0][1] if specs else None
        if shape is not None and len(shape) > 2 and all(d is not None for d in shape[1:]):
            try:
                rows = rows.reshape((len(rows), *shape[1:]))
            except ValueError as e:
                raise CLIError(f"{path}: each row has {rows.shape[1]} values, which do not "
                               f"fit the model's input shape {shape}.") from e
        arrays = [rows]
    else:
        raise CLIError(f"{path}: unsupported input file type {suffix or '(none)'!r}; use "
                       f"{', '.join(INPUT_SUFFIXES)}.", code=EXIT_USAGE)
    if specs and len(arrays) != len(specs):
        raise CLIError(f"{path}: holds {len(arrays)} array(s) but the model takes "
                       f"{len(specs)} input(s): {', '.join(n for n, _ in specs)}.")
    return arrays[0] if len(arrays) == 1 else arrays


def write_outputs(path: str, outputs, names: list[str]) -> None:
    import numpy as np

    if isinstance(outputs, dict):
        names, outputs = list(outputs), list(outputs.values())
    arrays = [np.asarray(y) for y in (outputs if isinstance(outputs, (list, tuple))
                                      else [outputs])]
    suffix = _suffix(path)
    if suffix == ".npz":
        np.savez(path, **dict(zip(names, arrays)))
        return
    if len(arrays) > 1:
        raise CLIError(f"{path}: the model has {len(arrays)} outputs ({', '.join(names)}); "
                       "write them to an .npz file.", code=EXIT_USAGE)
    if suffix == ".npy":
        np.save(path, arrays[0])
    else:
        y = arrays[0]
        np.savetxt(path, y.reshape(len(y), -1) if y.ndim else y.reshape(1, 1), delimiter=",",
                   fmt="%.9g")


def run(args) -> int:
    existing_file(args.file)
    existing_file(args.input)
    if _suffix(args.input) not in INPUT_SUFFIXES:
        raise CLIError(f"{args.input}: unsupported input file type; use "
                       f"{', '.join(INPUT_SUFFIXES)}.", code=EXIT_USAGE)
    if _suffix(args.output) not in OUTPUT_SUFFIXES:
        raise CLIError(f"{args.output}: unsupported output file type; use "
                       f"{', '.join(OUTPUT_SUFFIXES)}.", code=EXIT_USAGE)
    if args.batch_size < 1:
        raise CLIError(f"--batch-size must be at least 1, got {args.batch_size}.",
                       code=EXIT_USAGE)
    from ._common import load_model

    model = load_model(args.file, compile=False)
    x = read_inputs(args.input, _input_specs(model), args.skip_header)
    try:
        y = model.predict(x, batch_size=args.batch_size, verbose=0)
    except (ValueError, TypeError) as e:
        raise CLIError(f"{args.input}: the model cannot run on these inputs: "
                       f"{' '.join(str(e).split())}") from e
    flat = list(y.values()) if isinstance(y, dict) else y if isinstance(y, (list, tuple)) else [y]
    write_outputs(args.output, y, _output_names(model, len(flat)))
    shapes = ", ".join(str(tuple(a.shape)) for a in flat)
    print(f"Wrote {args.output}: {shapes}")
    return 0
