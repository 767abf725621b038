"""`lamina.constraints`: the public names of `keras.constraints`."""

from lamina._src.constraints import Constraint as Constraint
from lamina._src.constraints import MaxNorm as MaxNorm
from lamina._src.constraints import MaxNorm as max_norm
from lamina._src.constraints import MinMaxNorm as MinMaxNorm
from lamina._src.constraints import MinMaxNorm as min_max_norm
from lamina._src.constraints import NonNeg as NonNeg
from lamina._src.constraints import NonNeg as non_neg
from lamina._src.constraints import UnitNorm as UnitNorm
from lamina._src.constraints import UnitNorm as unit_norm
from lamina._src.constraints import deserialize as deserialize
from lamina._src.constraints import get as get
from lamina._src.constraints import serialize as serialize
