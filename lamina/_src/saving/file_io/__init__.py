"""The data-only layer of saving: model files <-> configs and named arrays.

No layer or model is built here and nothing here imports JAX, so `lamina inspect` can use
these readers alone. The layer above (`saving_api`) maps models to and from this data.
Formats are described in `shared/docs/keras-formats.md`; the safety rules the readers follow
are in `shared/docs/loading-security.md`.
"""

from ._h5_write import write_legacy_h5 as write_legacy_h5
from ._h5_write import write_weights_v3 as write_weights_v3
from ._read import read_model_file as read_model_file
from ._types import ArraySpec as ArraySpec
from ._types import LegacyLayerWeights as LegacyLayerWeights
from ._types import ModelFile as ModelFile
from ._types import VarsGroup as VarsGroup
from ._zip_write import write_keras_archive as write_keras_archive
