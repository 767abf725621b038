"""Metrics: `lamina.metrics` mirrors `keras.metrics`."""

from lamina._src.losses.crossentropy import binary_crossentropy as binary_crossentropy
from lamina._src.losses.crossentropy import categorical_crossentropy as categorical_crossentropy
from lamina._src.losses.crossentropy import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from lamina._src.losses.divergence import kl_divergence as kl_divergence
from lamina._src.losses.divergence import poisson as poisson
from lamina._src.losses.focal import binary_focal_crossentropy as binary_focal_crossentropy
from lamina._src.losses.focal import (
    categorical_focal_crossentropy as categorical_focal_crossentropy,
)
from lamina._src.losses.hinge import categorical_hinge as categorical_hinge
from lamina._src.losses.hinge import hinge as hinge
from lamina._src.losses.hinge import squared_hinge as squared_hinge
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
from lamina._src.metrics.accuracy import Accuracy as Accuracy
from lamina._src.metrics.accuracy import BinaryAccuracy as BinaryAccuracy
from lamina._src.metrics.accuracy import CategoricalAccuracy as CategoricalAccuracy
from lamina._src.metrics.accuracy import SparseCategoricalAccuracy as SparseCategoricalAccuracy
from lamina._src.metrics.accuracy import (
    SparseTopKCategoricalAccuracy as SparseTopKCategoricalAccuracy,
)
from lamina._src.metrics.accuracy import TopKCategoricalAccuracy as TopKCategoricalAccuracy
from lamina._src.metrics.accuracy import binary_accuracy as binary_accuracy
from lamina._src.metrics.accuracy import categorical_accuracy as categorical_accuracy
from lamina._src.metrics.accuracy import sparse_categorical_accuracy as sparse_categorical_accuracy
from lamina._src.metrics.accuracy import (
    sparse_top_k_categorical_accuracy as sparse_top_k_categorical_accuracy,
)
from lamina._src.metrics.accuracy import top_k_categorical_accuracy as top_k_categorical_accuracy
from lamina._src.metrics.at_constraint import PrecisionAtRecall as PrecisionAtRecall
from lamina._src.metrics.at_constraint import RecallAtPrecision as RecallAtPrecision
from lamina._src.metrics.at_constraint import SensitivityAtSpecificity as SensitivityAtSpecificity
from lamina._src.metrics.at_constraint import SpecificityAtSensitivity as SpecificityAtSensitivity
from lamina._src.metrics.auc import AUC as AUC
from lamina._src.metrics.confusion import FalseNegatives as FalseNegatives
from lamina._src.metrics.confusion import FalsePositives as FalsePositives
from lamina._src.metrics.confusion import Precision as Precision
from lamina._src.metrics.confusion import Recall as Recall
from lamina._src.metrics.confusion import TrueNegatives as TrueNegatives
from lamina._src.metrics.confusion import TruePositives as TruePositives
from lamina._src.metrics.correlation import ConcordanceCorrelation as ConcordanceCorrelation
from lamina._src.metrics.correlation import PearsonCorrelation as PearsonCorrelation
from lamina._src.metrics.correlation import concordance_correlation as concordance_correlation
from lamina._src.metrics.correlation import pearson_correlation as pearson_correlation
from lamina._src.metrics.f_score import F1Score as F1Score
from lamina._src.metrics.f_score import FBetaScore as FBetaScore
from lamina._src.metrics.hinge import CategoricalHinge as CategoricalHinge
from lamina._src.metrics.hinge import Hinge as Hinge
from lamina._src.metrics.hinge import SquaredHinge as SquaredHinge
from lamina._src.metrics.iou import BinaryIoU as BinaryIoU
from lamina._src.metrics.iou import IoU as IoU
from lamina._src.metrics.iou import MeanIoU as MeanIoU
from lamina._src.metrics.iou import OneHotIoU as OneHotIoU
from lamina._src.metrics.iou import OneHotMeanIoU as OneHotMeanIoU
from lamina._src.metrics.lookup import deserialize as deserialize
from lamina._src.metrics.lookup import get as get
from lamina._src.metrics.lookup import serialize as serialize
from lamina._src.metrics.metric import Metric as Metric
from lamina._src.metrics.probabilistic import BinaryCrossentropy as BinaryCrossentropy
from lamina._src.metrics.probabilistic import CategoricalCrossentropy as CategoricalCrossentropy
from lamina._src.metrics.probabilistic import KLDivergence as KLDivergence
from lamina._src.metrics.probabilistic import Poisson as Poisson
from lamina._src.metrics.probabilistic import (
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
)
from lamina._src.metrics.reduction import Mean as Mean
from lamina._src.metrics.reduction import MeanMetricWrapper as MeanMetricWrapper
from lamina._src.metrics.reduction import Sum as Sum
from lamina._src.metrics.regression import CosineSimilarity as CosineSimilarity
from lamina._src.metrics.regression import LogCoshError as LogCoshError
from lamina._src.metrics.regression import MeanAbsoluteError as MeanAbsoluteError
from lamina._src.metrics.regression import (
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
)
from lamina._src.metrics.regression import MeanSquaredError as MeanSquaredError
from lamina._src.metrics.regression import (
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
)
from lamina._src.metrics.regression import R2Score as R2Score
from lamina._src.metrics.regression import RootMeanSquaredError as RootMeanSquaredError
