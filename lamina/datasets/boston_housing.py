"""The Boston housing price regression data set (`keras.datasets.boston_housing`)."""

from lamina._src.datasets.boston_housing import load_data as load_data
