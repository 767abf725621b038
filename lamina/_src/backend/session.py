"""`clear_session`: forget default-name counters (and any cached compiled functions)."""

import gc

from lamina._src.backend import naming


def clear_session() -> None:
    """Reset layer-name counters so new layers are named `dense`, `dense_1`, ... again."""
    naming.reset_uids()
    gc.collect()
