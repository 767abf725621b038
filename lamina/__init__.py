"""lamina: Keras-compatible deep learning on JAX. `import lamina as keras`."""

from lamina import activations as activations
from lamina import backend as backend
from lamina import callbacks as callbacks
from lamina import config as config
from lamina import constraints as constraints
from lamina import datasets as datasets
from lamina import initializers as initializers
from lamina import layers as layers
from lamina import losses as losses
from lamina import metrics as metrics
from lamina import models as models
from lamina import ops as ops
from lamina import optimizers as optimizers
from lamina import regularizers as regularizers
from lamina import saving as saving
from lamina import utils as utils
from lamina._src.layers.input_layer import Input as Input
from lamina._src.layers.layer import Layer as Layer
from lamina._src.models.model import Model as Model
from lamina._src.models.sequential import Sequential as Sequential
from lamina._src.version import __version__ as __version__
