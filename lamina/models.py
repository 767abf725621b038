"""Models (`keras.models`)."""

from lamina._src.models.functional import Functional as Functional
from lamina._src.models.model import Model as Model
from lamina._src.models.sequential import Sequential as Sequential
