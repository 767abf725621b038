"""The Reuters newswire topics data set (`keras.datasets.reuters`)."""

from lamina._src.datasets.reuters import get_label_names as get_label_names
from lamina._src.datasets.reuters import get_word_index as get_word_index
from lamina._src.datasets.reuters import load_data as load_data
