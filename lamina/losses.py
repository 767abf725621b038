"""Losses: `lamina.losses` mirrors `keras.losses`."""

from lamina._src.losses.crossentropy import BinaryCrossentropy as BinaryCrossentropy
from lamina._src.losses.crossentropy import CategoricalCrossentropy as CategoricalCrossentropy
from lamina._src.losses.crossentropy import (
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
)
from lamina._src.losses.crossentropy import binary_crossentropy as binary_crossentropy
from lamina._src.losses.crossentropy import categorical_crossentropy as categorical_crossentropy
from lamina._src.losses.crossentropy import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from lamina._src.losses.divergence import KLDivergence as KLDivergence
from lamina._src.losses.divergence import Poisson as Poisson
from lamina._src.losses.divergence import kl_divergence as kl_divergence
from lamina._src.losses.divergence import poisson as poisson
from lamina._src.losses.focal import BinaryFocalCrossentropy as BinaryFocalCrossentropy
from lamina._src.losses.focal import CategoricalFocalCrossentropy as CategoricalFocalCrossentropy
from lamina._src.losses.focal import binary_focal_crossentropy as binary_focal_crossentropy
from lamina._src.losses.focal import (
    categorical_focal_crossentropy as categorical_focal_crossentropy,
)
from lamina._src.losses.generalized_crossentropy import (
    CategoricalGeneralizedCrossEntropy as CategoricalGeneralizedCrossEntropy,
)
from lamina._src.losses.generalized_crossentropy import (
    categorical_generalized_cross_entropy as categorical_generalized_cross_entropy,
)
from lamina._src.losses.hinge import CategoricalHinge as CategoricalHinge
from lamina._src.losses.hinge import Hinge as Hinge
from lamina._src.losses.hinge import SquaredHinge as SquaredHinge
from lamina._src.losses.hinge import categorical_hinge as categorical_hinge
from lamina._src.losses.hinge import hinge as hinge
from lamina._src.losses.hinge import squared_hinge as squared_hinge
from lamina._src.losses.lookup import deserialize as deserialize
from lamina._src.losses.lookup import get as get
from lamina._src.losses.lookup import serialize as serialize
from lamina._src.losses.loss import Loss as Loss
from lamina._src.losses.regression import CosineSimilarity as CosineSimilarity
from lamina._src.losses.regression import Huber as Huber
from lamina._src.losses.regression import LogCosh as LogCosh
from lamina._src.losses.regression import MeanAbsoluteError as MeanAbsoluteError
from lamina._src.losses.regression import (
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
)
from lamina._src.losses.regression import MeanSquaredError as MeanSquaredError
from lamina._src.losses.regression import (
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
)
from lamina._src.losses.regression import cosine_similarity as cosine_similarity
from lamina._src.losses.regression import huber as huber
from lamina._src.losses.regression import log_cosh as log_cosh
from lamina._src.losses.regression import mean_absolute_error as mean_absolute_error
from lamina._src.losses.regression import (
    mean_absolute_percentage_error as mean_absolute_percentage_error,
)
from lamina._src.losses.regression import mean_squared_error as mean_squared_error
from lamina._src.losses.regression import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error,
)
from lamina._src.losses.segmentation import Dice as Dice
from lamina._src.losses.segmentation import Tversky as Tversky
from lamina._src.losses.segmentation import dice as dice
from lamina._src.losses.segmentation import tversky as tversky
from lamina._src.losses.wrapper import LossFunctionWrapper as LossFunctionWrapper
