"""`lamina convert IN OUT`: rewrite a model between `.h5` and `.keras`, or extract its weights."""

from __future__ import annotations

import os

from ._common import EXIT_USAGE, CLIError, command_parser, existing_file


def add_parser(commands):
    parser = command_parser(
        commands, "convert",
        help="convert a model between .h5 and .keras, or write its weights only",
        description=(
            "Load a model file (Keras 3, tf.keras 2 or lamina; .keras or .h5) and save it "
            "again: OUT ending in .keras writes a Keras 3 archive, .h5 a legacy HDF5 model. "
            "The architecture, the weights, the training configuration and the optimizer "
            "state are kept. With --weights-only, OUT ending in .weights.h5 gets Keras 3's "
            "weights layout (optimizer state included) and another .h5 name tf.keras's legacy "
            "weights layout."),
        example="lamina convert old_model.h5 model.keras\n"
                "  lamina convert model.keras model.weights.h5 --weights-only",
    )
    parser.add_argument("source", metavar="IN", help="the model file to read")
    parser.add_argument("target", metavar="OUT", help="the file to write")
    parser.add_argument("--weights-only", action="store_true",
                        help="write only the weights (OUT: .weights.h5, or .h5 for tf.keras's "
                             "layout)")
    parser.add_argument("--no-optimizer", action="store_true",
                        help="leave the training configuration and optimizer state out")
    parser.add_argument("--force", "-f", action="store_true", help="overwrite OUT if it exists")
    parser.set_defaults(func=run)
    return parser


def _check_target(args) -> None:
    target = args.target.lower()
    if args.weights_only:
        if not target.endswith(".h5"):
            raise CLIError(f"{args.target}: with --weights-only the output must end in "
                           ".weights.h5 (Keras 3 layout) or .h5 (tf.keras layout).",
                           code=EXIT_USAGE)
    elif not target.endswith((".keras", ".h5")):
        raise CLIError(f"{args.target}: the output must end in .keras or .h5 (or use "
                       "--weights-only with .weights.h5).", code=EXIT_USAGE)
    elif target.endswith(".weights.h5"):
        raise CLIError(f"{args.target}: a .weights.h5 name holds weights only; pass "
                       "--weights-only, or name the model .h5 or .keras.", code=EXIT_USAGE)
    if os.path.exists(args.target):
        if os.path.samefile(args.source, args.target):
            raise CLIError(f"{args.target}: the output is the input file.", code=EXIT_USAGE)
        if not args.force:
            raise CLIError(f"{args.target}: the file exists; pass --force to overwrite it.",
                           code=EXIT_USAGE)


def run(args) -> int:
    existing_file(args.source)
    _check_target(args)
    from ._common import load_model

    model = load_model(args.source, compile=not args.no_optimizer)
    if args.weights_only:
        model.save_weights(args.target)
    else:
        model.save(args.target)
    from .inspection.report import inspect_file

    report = inspect_file(args.target)
    totals, state = report["totals"], report["optimizer_state"]
    optimizer = (f"optimizer state: {state['variables']} variables" if state["stored"]
                 else "no optimizer state")
    print(f"Wrote {args.target} ({report['file']['format_description']}): "
          f"{totals['params']:,} parameters, {optimizer}.")
    for warning in report["warnings"]:
        if warning["kind"] != "dtype_mismatch":
            print(f"  warning: {warning['message']}")
    return 0
