"""Keras layers (`keras.layers`)."""

from lamina._src.layers.activations import *  # noqa: F403,E402
from lamina._src.layers.activations.leaky_relu import LeakyReLU as LeakyReLU

# Layer families: each package's __init__ lists its public names in __all__.
from lamina._src.layers.attention import *  # noqa: F403,E402
from lamina._src.layers.convolutional import *  # noqa: F403,E402
from lamina._src.layers.core.activation import Activation as Activation
from lamina._src.layers.core.dense import Dense as Dense
from lamina._src.layers.core.dropout import Dropout as Dropout
from lamina._src.layers.core.lambda_layer import Lambda as Lambda
from lamina._src.layers.input_layer import Input as Input
from lamina._src.layers.input_layer import InputLayer as InputLayer
from lamina._src.layers.input_spec import InputSpec as InputSpec
from lamina._src.layers.layer import Layer as Layer
from lamina._src.layers.merging import *  # noqa: F403,E402
from lamina._src.layers.merging.add import Add as Add
from lamina._src.layers.merging.add import add as add
from lamina._src.layers.merging.concatenate import Concatenate as Concatenate
from lamina._src.layers.merging.concatenate import concatenate as concatenate
from lamina._src.layers.normalization import *  # noqa: F403,E402
from lamina._src.layers.pooling import *  # noqa: F403,E402
from lamina._src.layers.preprocessing import *  # noqa: F403,E402
from lamina._src.layers.regularization import *  # noqa: F403,E402
from lamina._src.layers.reshaping import *  # noqa: F403,E402
from lamina._src.layers.reshaping.flatten import Flatten as Flatten
from lamina._src.layers.reshaping.reshape import Reshape as Reshape
from lamina._src.layers.rnn import *  # noqa: F403,E402
