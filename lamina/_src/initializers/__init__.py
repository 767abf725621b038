"""Initializers (`keras.initializers`): what a weight starts as, and their lookup."""

from lamina._src.initializers.constant_initializers import Constant as Constant
from lamina._src.initializers.constant_initializers import Identity as Identity
from lamina._src.initializers.constant_initializers import Ones as Ones
from lamina._src.initializers.constant_initializers import Zeros as Zeros
from lamina._src.initializers.initializer import Initializer as Initializer
from lamina._src.initializers.lookup import deserialize as deserialize
from lamina._src.initializers.lookup import get as get
from lamina._src.initializers.lookup import serialize as serialize
from lamina._src.initializers.random_initializer import RandomInitializer as RandomInitializer
from lamina._src.initializers.random_initializers import Orthogonal as Orthogonal
from lamina._src.initializers.random_initializers import RandomNormal as RandomNormal
from lamina._src.initializers.random_initializers import RandomUniform as RandomUniform
from lamina._src.initializers.random_initializers import TruncatedNormal as TruncatedNormal
from lamina._src.initializers.stft import STFT as STFT
from lamina._src.initializers.variance_scaling import GlorotNormal as GlorotNormal
from lamina._src.initializers.variance_scaling import GlorotUniform as GlorotUniform
from lamina._src.initializers.variance_scaling import HeNormal as HeNormal
from lamina._src.initializers.variance_scaling import HeUniform as HeUniform
from lamina._src.initializers.variance_scaling import LecunNormal as LecunNormal
from lamina._src.initializers.variance_scaling import LecunUniform as LecunUniform
from lamina._src.initializers.variance_scaling import VarianceScaling as VarianceScaling
from lamina._src.initializers.variance_scaling import compute_fans as compute_fans
