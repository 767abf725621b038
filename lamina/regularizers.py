"""`lamina.regularizers`: the public names of `keras.regularizers`."""

from lamina._src.regularizers import L1 as L1
from lamina._src.regularizers import L1 as l1
from lamina._src.regularizers import L1L2 as L1L2
from lamina._src.regularizers import L1L2 as l1_l2
from lamina._src.regularizers import L2 as L2
from lamina._src.regularizers import L2 as l2
from lamina._src.regularizers import OrthogonalRegularizer as OrthogonalRegularizer
from lamina._src.regularizers import OrthogonalRegularizer as orthogonal_regularizer
from lamina._src.regularizers import Regularizer as Regularizer
from lamina._src.regularizers import deserialize as deserialize
from lamina._src.regularizers import get as get
from lamina._src.regularizers import serialize as serialize
