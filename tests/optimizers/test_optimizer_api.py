"""The optimizer API against Keras 3: variable names and order, configs, learning rate, lookup."""

import re

import numpy as np
import optimizer_cases as cases
import pytest

import lamina.optimizers as optimizers
from lamina._src.backend.naming import name_scope
from lamina._src.backend.variables import Variable


def _paths(optimizer) -> list[str]:
    # Nadam's extra Variable is unnamed, so its name carries a global counter in both libraries.
    return [re.sub(r"/variable(_\d+)?$", "/variable", v.path) for v in optimizer.variables]


@pytest.mark.parametrize("case", cases.CASES, ids=cases.case_id)
def test_variable_paths_and_order_match_keras(keras, case):
    name, kwargs = case
    named = (name, {**kwargs, "name": f"opt_{name.lower()}"})
    ours = cases.make_optimizer(optimizers, named)
    theirs = cases.make_optimizer(keras.optimizers, named)
    assert _paths(ours) == _paths(theirs)  # before build: iteration (and learning_rate)
    values, grads = cases.initial_values(), cases.gradient_sets()
    ours.apply_gradients(zip(grads[0], cases.lamina_variables(values)))
    theirs.apply_gradients(zip(grads[0], cases.keras_variables(keras, values)))
    assert _paths(ours) == _paths(theirs)
    assert [v.shape for v in ours.variables] == [tuple(v.shape) for v in theirs.variables]


@pytest.mark.parametrize("case", cases.CASES, ids=cases.case_id)
def test_get_config_matches_keras(keras, case):
    ours = cases.make_optimizer(optimizers, case)
    theirs = cases.make_optimizer(keras.optimizers, case)
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    ours_config.pop("name"), theirs_config.pop("name")
    assert ours_config == theirs_config
    assert (
        optimizers.serialize(ours)["class_name"] == keras.optimizers.serialize(theirs)["class_name"]
    )


@pytest.mark.parametrize(
    "cls, expected",
    [
        ("SGD", "sgd"),
        ("Adam", "adam"),
        ("AdamW", "adam_w"),
        ("RMSprop", "rm_sprop"),
        ("Adagrad", "adagrad"),
        ("Adadelta", "adadelta"),
        ("Adamax", "adamax"),
        ("Nadam", "nadam"),
        ("Lion", "lion"),
        ("Ftrl", "ftrl"),
    ],
)
def test_default_names_are_keras_snake_case(keras, cls, expected):
    ours = getattr(optimizers, cls)().name
    theirs = getattr(keras.optimizers, cls)().name
    assert re.sub(r"_\d+$", "", ours) == re.sub(r"_\d+$", "", theirs) == expected


def test_iterations_count_updates():
    optimizer = optimizers.Adam()
    variables = cases.lamina_variables(cases.initial_values())
    assert int(optimizer.iterations) == 0
    for grads in cases.gradient_sets()[:3]:
        assert optimizer.apply_gradients(zip(grads, variables)) is optimizer.iterations
    assert int(optimizer.iterations) == 3
    assert optimizer.iterations.path == f"{optimizer.name}/iteration"


def test_learning_rate_is_a_settable_variable():
    optimizer = optimizers.SGD(learning_rate=0.5)
    assert float(optimizer.learning_rate) == 0.5
    optimizer.learning_rate = 0.25
    assert float(optimizer.learning_rate) == 0.25
    assert optimizer.variables[1] is optimizer.learning_rate
    assert optimizer.get_config()["learning_rate"] == 0.25
    (kernel,) = cases.lamina_variables(cases.initial_values()[:1])
    before = kernel.numpy()
    optimizer.apply_gradients([(np.ones_like(before), kernel)])
    np.testing.assert_allclose(kernel.numpy(), before - 0.25)


def test_schedule_learning_rate_follows_iterations(keras):
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    optimizer = optimizers.SGD(learning_rate=schedule)
    assert [v.name for v in optimizer.variables] == ["iteration"]
    (kernel,) = cases.lamina_variables(cases.initial_values()[:1])
    for step in range(3):
        np.testing.assert_allclose(float(optimizer.learning_rate), 0.1 * 0.5**step, rtol=1e-6)
        optimizer.apply_gradients([(np.ones(kernel.shape, "float32"), kernel)])
    with pytest.raises(TypeError, match="cannot be set"):
        optimizer.learning_rate = 0.1


def test_setting_a_schedule_drops_the_learning_rate_variable():
    optimizer = optimizers.Adam()
    optimizer.learning_rate = optimizers.schedules.PolynomialDecay(0.1, 10)
    assert [v.name for v in optimizer.variables] == ["iteration"]
    assert optimizer.get_config()["learning_rate"]["class_name"] == "PolynomialDecay"


@pytest.mark.parametrize("case", cases.CASES, ids=cases.case_id)
def test_serialize_round_trip(keras, case):
    optimizer = cases.make_optimizer(optimizers, case)
    envelope = optimizers.serialize(optimizer)
    assert envelope["module"] == "keras.optimizers"
    restored = optimizers.deserialize(envelope)
    assert type(restored) is type(optimizer)
    assert restored.get_config() == optimizer.get_config()
    # Keras reads our envelope, and we read Keras's.
    assert keras.optimizers.deserialize(envelope).get_config() == optimizer.get_config()
    theirs = cases.make_optimizer(keras.optimizers, case)
    ours = optimizers.deserialize(keras.optimizers.serialize(theirs))
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize(
    "identifier, cls",
    [
        ("sgd", "SGD"),
        ("adam", "Adam"),
        ("adamw", "AdamW"),
        ("adamax", "Adamax"),
        ("nadam", "Nadam"),
        ("rmsprop", "RMSprop"),
        ("adagrad", "Adagrad"),
        ("adadelta", "Adadelta"),
        ("lion", "Lion"),
        ("ftrl", "Ftrl"),
        ("Adam", "Adam"),
        ("RMSprop", "RMSprop"),
    ],
)
def test_get_by_name(identifier, cls):
    assert type(optimizers.get(identifier)) is getattr(optimizers, cls)


def test_get_dict_instance_and_errors():
    optimizer = optimizers.get({"class_name": "SGD", "config": {"momentum": 0.5}})
    assert isinstance(optimizer, optimizers.SGD) and optimizer.momentum == 0.5
    assert optimizers.get(optimizer) is optimizer
    assert optimizers.get(None) is None
    with pytest.raises(ValueError, match="Unknown object"):
        optimizers.get("adamz")
    with pytest.raises(ValueError, match="Could not interpret"):
        optimizers.get(42)


def test_reads_a_tf_keras_optimizer_config():
    # As tf.keras 2 writes it into legacy H5 training configs.
    config = {
        "class_name": "Custom>SGD",
        "config": {
            "name": "SGD",
            "weight_decay": None,
            "clipnorm": None,
            "global_clipnorm": None,
            "clipvalue": None,
            "use_ema": False,
            "ema_momentum": 0.99,
            "ema_overwrite_frequency": None,
            "jit_compile": False,
            "is_legacy_optimizer": False,
            "learning_rate": 0.009999999776482582,
            "momentum": 0.0,
            "nesterov": False,
        },
    }
    optimizer = optimizers.deserialize(config)
    assert isinstance(optimizer, optimizers.SGD)
    assert optimizer.name == "SGD"


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: optimizers.Adam(clipnorm=1.0, clipvalue=1.0), "Only one of"),
        (lambda: optimizers.Adam(learning_rate="fast"), "learning_rate"),
        (lambda: optimizers.Adam(gradient_accumulation_steps=1), "gradient_accumulation_steps"),
        (lambda: optimizers.Adam(use_ema=True, ema_momentum=2.0), "ema_momentum"),
        (lambda: optimizers.Adam(betta_1=0.8), "not recognized"),
        (lambda: optimizers.AdamW(weight_decay=None), "weight_decay"),
        (lambda: optimizers.SGD(momentum=1.5), "momentum"),
        (lambda: optimizers.Lion(beta_1=0.0), "beta_1"),
        (lambda: optimizers.Ftrl(learning_rate_power=0.5), "learning_rate_power"),
    ],
)
def test_invalid_arguments_raise(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_stateless_apply_checks_its_inputs():
    optimizer = optimizers.Adam()
    variables = cases.lamina_variables(cases.initial_values())
    grads = cases.gradient_sets()[0]
    with pytest.raises(ValueError, match="must be built"):
        optimizer.stateless_apply([], grads, [v.value for v in variables])
    optimizer.build(variables)
    with pytest.raises(ValueError, match="optimizer_variables"):
        optimizer.stateless_apply([], grads, [v.value for v in variables])


def test_unknown_variable_raises():
    optimizer = optimizers.SGD()
    variables = cases.lamina_variables(cases.initial_values())
    optimizer.apply_gradients(zip(cases.gradient_sets()[0], variables))
    with name_scope("other"):
        stranger = Variable(np.zeros(3, "float32"), name="kernel")
    with pytest.raises(ValueError, match="other/kernel"):
        optimizer.apply_gradients([(np.ones(3, "float32"), stranger)])


def test_save_and_load_own_variables_round_trip():
    values, grads = cases.initial_values(), cases.gradient_sets()
    source = optimizers.Adam(learning_rate=0.01)
    source.apply_gradients(zip(grads[0], cases.lamina_variables(values)))
    store = {}
    source.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(len(source.variables))]
    target = optimizers.Adam()
    target.build(cases.lamina_variables(values))
    target.load_own_variables(store)
    for a, b in zip(source.variables, target.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_a_keras_style_custom_optimizer_works_both_ways():
    class SignDescent(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)

        def build(self, var_list):
            super().build(var_list)
            self.steps_taken = self.add_optimizer_variables(var_list, "steps_taken")

        def update_step(self, gradient, variable, learning_rate):
            count = self.steps_taken[self._get_variable_index(variable)]
            self.assign_add(count, np.ones(count.shape, "float32"))
            self.assign_sub(variable, learning_rate * np.sign(gradient))

    optimizer = SignDescent(name="sign")
    values, grads = cases.initial_values(), cases.gradient_sets()
    variables = cases.lamina_variables(values)
    optimizer.apply_gradients(zip(grads[0], variables))
    assert [v.path for v in optimizer.variables][2:] == [
        "sign/dense_kernel_steps_taken",
        "sign/dense_bias_steps_taken",
    ]
    np.testing.assert_allclose(variables[0].numpy(), values[0] - 0.1 * np.sign(grads[0][0]))
    state = [v.value for v in optimizer.variables]
    new_values, new_state = optimizer.stateless_apply(state, grads[1], [v.value for v in variables])
    np.testing.assert_array_equal(np.asarray(new_state[2]), 2 * np.ones((3, 4)))
    assert int(new_state[0]) == 2 and int(optimizer.iterations) == 1


def test_forgetting_super_init_is_explained():
    class Broken(optimizers.Optimizer):
        def __init__(self):
            self.rate = 0.1

    with pytest.raises(RuntimeError, match="super"):
        Broken()


def test_schedules_import_as_a_submodule():
    from lamina.optimizers.schedules import CosineDecay

    assert CosineDecay is optimizers.schedules.CosineDecay
