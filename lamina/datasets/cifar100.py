"""The CIFAR-100 small images data set (`keras.datasets.cifar100`)."""

from lamina._src.datasets.cifar100 import load_data as load_data
