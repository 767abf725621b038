"""The einsum equations of multi-head attention: projections into and out of heads, and the
query-key product and value combination over arbitrary attention axes."""

import string

_LETTERS = string.ascii_lowercase


def projection_equation(free_dims: int, bound_dims: int, output_dims: int):
    """The einsum of a projection: `free_dims` kept axes, `bound_dims` contracted axes and
    `output_dims` new axes, e.g. (2, 1, 2) -> `"abc,cde->abde"`.

    Returns:
        `(equation, bias_axes, output_rank)`; the bias covers the new axes.
    """
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims:free_dims + bound_dims]
    new = _LETTERS[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def partial_output_shape(output_rank: int, known_last_dims) -> list:
    """`[None, ..., *known_last_dims]` of length `output_rank`."""
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)


def attention_equations(rank: int, attention_axes: tuple):
    """The two einsums of attention between projected tensors of rank `rank`
    `(batch, <other axes>, <attention axes>, heads, channels)`.

    Returns:
        `(dot_product_equation, combine_equation, scores_rank)`: `key, query -> scores` with
        scores `(<batch axes incl. heads>, <query attention axes>, <key attention axes>)`, and
        `scores, value -> output`.
    """
    target = _LETTERS[:rank]
    batch_axes = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source, next_letter = "", rank
    for i in range(rank):
        if i in batch_axes or i == rank - 1:
            source += target[i]
        else:
            source += _LETTERS[next_letter]
            next_letter += 1
    product = "".join([target[i] for i in batch_axes] + [target[i] for i in attention_axes]
                      + [source[i] for i in attention_axes])
    return f"{source},{target}->{product}", f"{product},{source}->{target}", len(product)
