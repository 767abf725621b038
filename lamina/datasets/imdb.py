"""The IMDB movie review sentiment data set (`keras.datasets.imdb`)."""

from lamina._src.datasets.imdb import get_word_index as get_word_index
from lamina._src.datasets.imdb import load_data as load_data
