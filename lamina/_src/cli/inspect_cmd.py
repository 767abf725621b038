"""`lamina inspect FILE`: what a model or weights file holds, without building the model.

The whole path (this module, `inspection/`, `saving.file_io`, `utils.summary_table`) imports
the standard library, numpy, h5py and rich only: no JAX, no layer classes. The JSON
document `--json` prints is described in `inspection/schema.py` and in `--help`.
"""

from __future__ import annotations

import argparse

from ._common import CLIError, command_parser, existing_file


def _schema_text() -> str:
    from .inspection import schema

    return "JSON output (--json), schema_version 1:\n" + schema.__doc__.split("\n", 1)[1]


def add_parser(commands) -> argparse.ArgumentParser:
    parser = command_parser(
        commands, "inspect",
        help="describe a model or weights file (no JAX needed)",
        description=(
            "Describe a .keras, .h5 or .weights.h5 file written by Keras 3, tf.keras 2 or "
            "lamina: who wrote it and in which format, Keras's summary table (with an "
            "activation column), each layer's parameter formula checked against the stored "
            "weights, the training configuration and whether optimizer state is stored. "
            "Output shapes are computed from the config; the model is not built."),
        example="lamina inspect model.keras --weights\n"
                "  lamina inspect model.h5 --json | jq '.layers[].params'",
        epilog=_schema_text(),
    )
    parser.add_argument("file", help="the model or weights file")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document (schema below) instead of text")
    parser.add_argument("--weights", action="store_true",
                        help="read the weight values: shape, dtype, min/max/mean/std, "
                             "fraction of zeros, NaN and Inf counts of each weight")
    parser.add_argument("--no-activations", dest="activations", action="store_false",
                        help="leave the activation column out of the table (it is then "
                             "Keras's own summary table)")
    parser.add_argument("--expand-nested", action="store_true",
                        help="list the layers of nested models in the table")
    parser.add_argument("--summary-only", action="store_true",
                        help="print only the summary table, as model.summary() does")
    parser.add_argument("--line-length", type=int, default=None, metavar="N",
                        help="table width (default: as Keras, 88 or 108 columns, narrowed to "
                             "the terminal)")
    parser.add_argument("--no-color", action="store_true", help="plain text, no colours")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    import json
    import sys

    from .inspection.report import inspect_file

    existing_file(args.file)
    if args.line_length is not None and args.line_length < 40:
        raise CLIError(f"--line-length must be at least 40, got {args.line_length}.", code=2)
    report = inspect_file(args.file, with_stats=args.weights)
    if args.json:
        json.dump(report, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
        return 0
    print_inspection(report, args)
    return 0


def print_inspection(report: dict, args, stream=None) -> None:
    """Print `report` as text, with the display options of `args`."""
    from ._common import make_console
    from .inspection.render import print_report

    console = make_console(args.line_length, args.no_color, stream)
    print_report(report, console, show_activations=args.activations,
                 expand_nested=args.expand_nested, show_weights=args.weights,
                 summary_only=args.summary_only, line_length=args.line_length)
