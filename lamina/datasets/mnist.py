"""The MNIST handwritten digits data set (`keras.datasets.mnist`)."""

from lamina._src.datasets.mnist import load_data as load_data
