"""The shared optimizer case table and the code that runs one case in lamina and in Keras."""

import numpy as np

SHAPES = {"kernel": (3, 4), "bias": (4,)}
STEPS = 5

# (optimizer class name, constructor kwargs). A ("Schedule", kwargs) learning rate is built
# in each library from its own `schedules` module.
SCHEDULE = (
    "ExponentialDecay",
    {"initial_learning_rate": 0.05, "decay_steps": 2, "decay_rate": 0.5},
)
CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"learning_rate": 0.1, "weight_decay": 0.1, "clipnorm": 1.0}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("Adam", {"learning_rate": 0.01, "clipnorm": 1.0}),
    ("Adam", {"learning_rate": 0.01, "global_clipnorm": 1.0}),
    ("Adam", {"learning_rate": 0.01, "clipvalue": 0.5}),
    ("Adam", {"learning_rate": 0.01, "use_ema": True}),
    ("Adam", {"learning_rate": 0.01, "use_ema": True, "ema_overwrite_frequency": 2}),
    ("Adam", {"learning_rate": SCHEDULE, "weight_decay": 0.1}),
    ("Adam", {"learning_rate": 0.01, "gradient_accumulation_steps": 2}),
    ("Adam", {"learning_rate": 0.01, "loss_scale_factor": 4.0}),
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {"learning_rate": 0.01}),
    ("Nadam", {"learning_rate": 0.01}),
    ("Nadam", {"learning_rate": 0.01, "weight_decay": 0.05, "global_clipnorm": 2.0}),
    ("RMSprop", {"learning_rate": 0.01}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True}),
    ("RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.5, "rho": 0.8}),
    ("Adagrad", {"learning_rate": 0.1}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-4}),
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9}),
    ("Lion", {"learning_rate": 0.01}),
    ("Lion", {"learning_rate": SCHEDULE, "use_ema": True}),
    ("Ftrl", {"learning_rate": 0.1}),
    (
        "Ftrl",
        {
            "learning_rate": 0.1,
            "learning_rate_power": -0.7,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.02,
            "l2_shrinkage_regularization_strength": 0.03,
            "beta": 0.1,
        },
    ),
]


def case_id(case) -> str:
    name, kwargs = case
    parts = [f"{k}={'schedule' if isinstance(v, tuple) else v}" for k, v in kwargs.items()]
    return "-".join([name, *parts])


def make_optimizer(module, case):
    """Builds the case's optimizer from `module` (`lamina.optimizers` or `keras.optimizers`)."""
    name, kwargs = case
    kwargs = dict(kwargs)
    if isinstance(kwargs.get("learning_rate"), tuple):
        schedule_name, schedule_kwargs = kwargs["learning_rate"]
        kwargs["learning_rate"] = getattr(module.schedules, schedule_name)(**schedule_kwargs)
    return getattr(module, name)(**kwargs)


def initial_values(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape).astype("float32") for shape in SHAPES.values()]


def gradient_sets(seed: int = 1) -> list[list[np.ndarray]]:
    """`STEPS` sets of gradients, large enough for the clipping cases to clip."""
    rng = np.random.default_rng(seed)
    return [
        [(2.0 * rng.normal(size=shape)).astype("float32") for shape in SHAPES.values()]
        for _ in range(STEPS)
    ]


def lamina_variables(values):
    from lamina._src.backend.naming import name_scope
    from lamina._src.backend.variables import Variable

    with name_scope("dense"):
        return [Variable(v, name=n) for v, n in zip(values, SHAPES)]


def keras_variables(keras, values):
    with keras.name_scope("dense"):
        return [keras.Variable(v, name=n) for v, n in zip(values, SHAPES)]
