"""The CIFAR-10 small images data set (`keras.datasets.cifar10`)."""

from lamina._src.datasets.cifar10 import load_data as load_data
