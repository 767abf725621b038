"""The JSON document `lamina inspect --json` prints (schema_version 1).

One object. Keys are always present; a value that is unknown or does not apply is null.
Shapes are lists of ints with null for unknown sizes (the batch dimension is null). The
schema only grows: new keys may appear in later versions with the same schema_version;
removing or changing the meaning of a key increases schema_version.

{
  "schema_version": 1,
  "file": {
    "path": str,                     the file as given on the command line
    "size_bytes": int,
    "format": "legacy_h5" | "legacy_weights_h5" | "keras_v3" | "weights_v3",
    "format_description": str,       e.g. ".keras archive (model.save('*.keras'))"
    "keras_version": str | null,     the writer's Keras version ("2.21.0", "3.15.1")
    "backend": str | null,           the writer's backend (.keras files do not record it)
    "date_saved": str | null         .keras metadata
  },
  "model": null | {                  null for weights-only files
    "class_name": str, "name": str,
    "kind": "sequential" | "functional" | "other",
    "sequential_like": bool,         Keras prints no "Connected to" column when true
    "inputs":  [{"name": str, "shape": SHAPE | null}],
    "outputs": [{"name": str, "shape": SHAPE | null}]
  },
  "layers": [LAYER],                 the rows of Keras's summary, in its order
  "totals": {
    "params": int, "trainable_params": int, "non_trainable_params": int,
    "params_bytes": int, "trainable_bytes": int, "non_trainable_bytes": int,
                                     bytes use the dtype the config declares (else the stored one)
    "optimizer_params": int | null,  null when no optimizer state is stored
    "optimizer_bytes": int | null
  },
  "training": null | {               null when the model was not compiled
    "source": "training_config" | "compile_config",
    "optimizer": null | {"class_name": str, "name": str | null,
                         "hyperparameters": {str: value}},   the optimizer config, minus
                                     "name" and null entries
    "loss": value, "loss_weights": value, "metrics": value, "weighted_metrics": value,
                                     as stored (strings, lists, dicts or serialized objects)
  },
  "optimizer_state": {
    "stored": bool, "variables": int, "params": int, "bytes": int,
    "iterations": int | null         the step counter; null unless --weights read the values
  },
  "metrics_state": {"stored": bool, "variables": int},
                                     metric accumulators (tf.keras's .keras saves its loss tracker)
  "unmatched_weights": [str],        stored weights no config layer claims
  "warnings": [{"layer": str | null, "kind": KIND, "message": str}]
}

LAYER = {
  "name": str,
  "class_name": str | null,          null in weights-only files
  "path": str,                       "sequential/dense" for a layer of a nested model
  "trainable": bool,                 false when the layer or a model around it is frozen
  "output_shapes": [SHAPE] | null,   of its last call; several for multi-output layers
  "output_shape_source": "config" | "build_config" | "weights" | null,
                                     computed from the config; recorded by a .keras file;
                                     guessed from the stored kernel (custom layers)
  "connected_to": [{"layer": str, "call_index": int, "tensor_index": int}],
                                     its inputs (Functional models; [] otherwise); call_index
                                     counts the producer's calls from 0
  "activation": str | null,          "relu", "LeakyReLU(negative_slope=0.05)"; null when none
  "params": {
    "count": int,                    stored scalars (a nested model: all its layers)
    "trainable": int, "non_trainable": int,
    "expected": int | null,          what the config implies; null when unknown
    "formula": str | null,           "P = I·O + O = 3·32 + 32 = 128"
    "notes": [str],                  where the numbers come from ("I = 3 inputs ...")
    "matches": bool | null           expected == count (and the shapes agree)
  },
  "weights": [WEIGHT],               its own weights (a nested model's are on its layers)
  "layers": [LAYER]                  a nested model's layers; [] otherwise
}

WEIGHT = {
  "name": str,                       "dense/kernel:0" (legacy files) or "kernel", "cell/bias"
  "shape": [int], "dtype": str,      as stored
  "declared_dtype": str | null,      the variable dtype the layer's dtype policy asks for
  "size": int, "trainable": bool,
  "stats": null | {                  only with --weights
    "min": float | null, "max": float | null, "mean": float | null, "std": float | null,
                                     over the finite values
    "zeros_fraction": float, "nan_count": int, "inf_count": int
  }
}

KIND = "param_mismatch"      the config implies another parameter count than is stored
     | "shape_mismatch"      same count, other weight shapes
     | "missing_weights"     the config implies weights; none are stored
     | "unmatched_weights"   stored weights that no config layer claims
     | "dtype_mismatch"      stored in another dtype than the config declares
     | "unknown_layer"       a class lamina inspect has no rules for (custom layers)
     | "bad_config"          a known class whose config could not be interpreted
"""

SCHEMA_VERSION = 1
