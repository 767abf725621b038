"""Nested-structure helpers over lists, tuples and dicts (None and scalars are leaves)."""

import jax


def _is_leaf(x) -> bool:
    return not isinstance(x, list | tuple | dict)


def flatten(structure) -> list:
    """Leaves in order; None counts as a leaf (unlike jax.tree_util)."""
    return jax.tree_util.tree_leaves(structure, is_leaf=_is_leaf)


def map_structure(fn, *structures):
    return jax.tree_util.tree_map(fn, *structures, is_leaf=_is_leaf)


def pack_sequence_as(structure, leaves):
    treedef = jax.tree_util.tree_structure(structure, is_leaf=_is_leaf)
    return jax.tree_util.tree_unflatten(treedef, list(leaves))


def is_nested(x) -> bool:
    return isinstance(x, list | tuple | dict)
