"""The California housing price regression data set (`keras.datasets.california_housing`)."""

from lamina._src.datasets.california_housing import load_data as load_data
