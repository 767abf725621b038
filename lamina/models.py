"""Models (`keras.models`)."""

from lamina._src.models.functional import Functional as Functional
from lamina._src.models.model import Model as Model
from lamina._src.models.sequential import Sequential as Sequential
from lamina._src.saving.model_json import model_from_json as model_from_json
from lamina._src.saving.saving_api import load_model as load_model
from lamina._src.saving.saving_api import save_model as save_model
