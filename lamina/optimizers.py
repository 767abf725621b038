"""`lamina.optimizers`: Keras 3's optimizers, learning rate schedules and their (de)serialization."""

import sys

from lamina._src.optimizers import schedules as schedules
from lamina._src.optimizers.adadelta import Adadelta as Adadelta
from lamina._src.optimizers.adagrad import Adagrad as Adagrad
from lamina._src.optimizers.adam import Adam as Adam
from lamina._src.optimizers.adamax import Adamax as Adamax
from lamina._src.optimizers.adamw import AdamW as AdamW
from lamina._src.optimizers.base_optimizer import Optimizer as Optimizer
from lamina._src.optimizers.ftrl import Ftrl as Ftrl
from lamina._src.optimizers.lion import Lion as Lion
from lamina._src.optimizers.nadam import Nadam as Nadam
from lamina._src.optimizers.rmsprop import RMSprop as RMSprop
from lamina._src.optimizers.serialization import deserialize as deserialize
from lamina._src.optimizers.serialization import get as get
from lamina._src.optimizers.serialization import serialize as serialize
from lamina._src.optimizers.sgd import SGD as SGD

# Let `from lamina.optimizers.schedules import ExponentialDecay` work as it does with Keras.
sys.modules[__name__ + ".schedules"] = schedules
