"""The Fashion-MNIST data set (`keras.datasets.fashion_mnist`)."""

from lamina._src.datasets.fashion_mnist import load_data as load_data
