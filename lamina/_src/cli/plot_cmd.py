"""`lamina plot FILE -o model.png`: draw a saved model's graph with `lamina.utils.plot_model`."""

from __future__ import annotations

from ._common import EXIT_USAGE, CLIError, command_parser, existing_file


def add_parser(commands):
    parser = command_parser(
        commands, "plot",
        help="draw a saved model's graph to an image (plot_model)",
        description=(
            "Load a model file and draw its graph with lamina.utils.plot_model. The format "
            "comes from the output's extension (.png, .svg, .pdf, .jpg, .dot). Needs the "
            "plot extra: pip install \"lamina[plot]\" (pydot and matplotlib; Graphviz's `dot` "
            "program is used when installed)."),
        example="lamina plot model.keras -o model.svg --show-shapes --rankdir LR",
    )
    parser.add_argument("file", help="the model file (.keras or .h5)")
    parser.add_argument("--output", "-o", default="model.png",
                        help="the image to write (default model.png)")
    parser.add_argument("--show-shapes", action="store_true", help="show input/output shapes")
    parser.add_argument("--show-dtype", action="store_true", help="show output dtypes")
    parser.add_argument("--show-layer-names", action="store_true",
                        help="show layer names (else only their classes, as Keras 3)")
    parser.add_argument("--rankdir", default="TB", choices=("TB", "LR", "BT", "RL"),
                        help="TB: vertical (default), LR: horizontal")
    parser.add_argument("--expand-nested", action="store_true",
                        help="draw nested models as clusters of their layers")
    parser.add_argument("--dpi", type=int, default=200, help="image resolution (default 200)")
    parser.add_argument("--show-layer-activations", action="store_true",
                        help="show each layer's activation")
    parser.add_argument("--show-trainable", action="store_true",
                        help="show whether each layer with weights is trainable")
    parser.set_defaults(func=run)
    return parser


def run(args) -> int:
    existing_file(args.file)
    if args.dpi <= 0:
        raise CLIError(f"--dpi must be positive, got {args.dpi}.", code=EXIT_USAGE)
    try:
        from lamina.utils import plot_model
    except ImportError as e:
        raise CLIError("lamina plot needs lamina.utils.plot_model, which this installation of "
                       f"lamina does not provide ({e}).") from e
    from ._common import load_model, one_line

    model = load_model(args.file, compile=False)
    try:
        plot_model(model, to_file=args.output, show_shapes=args.show_shapes,
                   show_dtype=args.show_dtype, show_layer_names=args.show_layer_names,
                   rankdir=args.rankdir, expand_nested=args.expand_nested, dpi=args.dpi,
                   show_layer_activations=args.show_layer_activations,
                   show_trainable=args.show_trainable)
    except ImportError as e:
        raise CLIError(f"cannot draw {args.file}: {one_line(e)}") from e
    except ValueError as e:
        raise CLIError(f"{args.output}: {one_line(e)}", code=EXIT_USAGE) from e
    print(f"Wrote {args.output}")
    return 0
