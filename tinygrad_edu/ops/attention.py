"""Attention: every query takes a weighted average of the values, weighted by how well it
matches each key.

    scores  = query @ keyᵀ · scale            (..., L, S)   L queries against S keys
    weights = softmax(scores + mask, dim=-1)   each row sums to 1
    output  = weights @ value                  (..., L, Ev)

scaled_dot_product_attention is composed of recorded ops (matmul, mul, where, add, softmax,
dropout), so its backward, its double backward and its picture (`viz.draw_graph`) come from
those ops: there is no Attention Function to read, only the formula above.
"""
from __future__ import annotations

import math
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.activations import softmax
from tinygrad_edu.ops.dropout import dropout
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.matmul import matmul
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import broadcast_shapes
from tinygrad_edu.tensor import Tensor

OP = "scaled_dot_product_attention"


def _check_inputs(query: Tensor, key: Tensor, value: Tensor, attn_mask: Any, dropout_p: Any,
                  is_causal: bool) -> None:
    """PyTorch's rules, with the shapes and dtypes named in the message."""
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{OP}: {name} must be a Tensor, got {type(t).__name__}")
    shapes = f"query {query.shape}, key {key.shape}, value {value.shape}"
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise ShapeError(f"{OP}: query, key and value need at least 2 dims (..., length, features), got {shapes}")
    if not query.dtype == key.dtype == value.dtype or not backend.is_floating(query.dtype):
        raise DTypeError(f"{OP}: query, key and value must share one floating-point dtype, got "
                         f"{query.dtype}, {key.dtype} and {value.dtype}")
    if query.shape[-1] != key.shape[-1]:
        raise ShapeError(f"{OP}: query and key must have the same feature size (last dim), got {shapes}")
    if key.shape[-2] != value.shape[-2]:
        raise ShapeError(f"{OP}: key and value must have the same length (dim -2), got {shapes}")
    if isinstance(dropout_p, bool) or not isinstance(dropout_p, (int, float)) or not 0 <= dropout_p <= 1:
        raise ValueError(f"{OP}: dropout_p must be between 0 and 1, got {dropout_p!r}")
    if attn_mask is None:
        return
    if is_causal:
        raise ValueError(f"{OP}: give attn_mask or is_causal=True, not both")
    if not isinstance(attn_mask, Tensor):
        raise TypeError(f"{OP}: attn_mask must be a Tensor, got {type(attn_mask).__name__}")
    if attn_mask.dtype not in (backend.bool_, query.dtype):
        raise DTypeError(f"{OP}: attn_mask must be bool (True = takes part) or float like query ({query.dtype}), "
                         f"got {attn_mask.dtype}")


def _repeat_heads(t: Tensor, times: int) -> Tensor:
    """(..., H, S, E) -> (..., H·times, S, E), each head repeated `times` times in a row
    (torch.repeat_interleave on dim -3): the key/value head that a group of query heads shares."""
    *batch, heads, length, features = t.shape
    grown = t.unsqueeze(-3).expand(*batch, heads, times, length, features)
    return grown.reshape(*batch, heads * times, length, features)


def _share_heads(query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor]:
    """Grouped-query attention: fewer key/value heads than query heads (dim -3)."""
    if min(query.ndim, key.ndim, value.ndim) < 3:
        raise ShapeError(f"{OP}: enable_gqa needs a heads dim (-3) in query, key and value, got shapes "
                         f"{query.shape}, {key.shape} and {value.shape}")
    q_heads, k_heads, v_heads = query.shape[-3], key.shape[-3], value.shape[-3]
    if k_heads != v_heads or q_heads % k_heads:
        raise ShapeError(f"{OP}: with enable_gqa, key and value need the same number of heads, and it must "
                         f"divide query's; got {q_heads} query, {k_heads} key and {v_heads} value heads")
    return _repeat_heads(key, q_heads // k_heads), _repeat_heads(value, q_heads // v_heads)


def _masked(scores: Tensor, attn_mask: Tensor | None, is_causal: bool) -> Tensor:
    """scores with the mask applied: a bool mask keeps where True and puts -inf elsewhere, a
    float mask is added; is_causal lets query i see keys 0..i (the top-left triangle)."""
    if is_causal:
        length, source = scores.shape[-2:]
        attn_mask = Tensor._make(scores.xp.tril(scores.xp.ones((length, source), dtype=bool)),
                                 scores.device, False, None)
    assert attn_mask is not None   # the caller passes a mask, or is_causal
    if broadcast_shapes(attn_mask.shape, scores.shape) != scores.shape:
        raise ShapeError(f"{OP}: attn_mask of shape {attn_mask.shape} cannot be broadcast to the attention "
                         f"scores' shape {scores.shape} (..., L, S)")
    if attn_mask.dtype == backend.bool_:
        return where(attn_mask, scores, -math.inf)
    return scores + attn_mask


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the keys, except that a row whose every key is masked out (all -inf)
    gives zeros, as PyTorch's attention does, rather than 0/0 = nan. Such rows are set to 0
    before the softmax too, so that no nan reaches the backward pass either."""
    dead = (scores.array == -math.inf).all(axis=-1, keepdims=True)
    if not dead.any():   # the usual case: keep the graph (and its picture) to the plain softmax
        return softmax(scores, dim=-1)
    dead = Tensor._make(dead, scores._device, False, None)
    weights = softmax(where(dead, 0.0, scores), dim=-1)
    return where(dead, 0.0, weights)


@register("scaled_dot_product_attention", kind="functional")
def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(query @ keyᵀ · scale + mask) @ value: each query's weighted average of the values

    query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev); batch dims broadcast.
    attn_mask: bool (True = this key takes part) or float (added to the scores), broadcast to
    (..., L, S). is_causal: query i sees keys 0..i. scale defaults to 1/√E. dropout_p drops
    attention weights (always, as in PyTorch: pass 0.0 in evaluation). A query that may see no
    key at all gets zeros. The gradient flows through the recorded ops (matmul, softmax, ...).
    """
    _check_inputs(query, key, value, attn_mask, dropout_p, is_causal)
    if enable_gqa and key.shape[-3:-2] != query.shape[-3:-2]:
        key, value = _share_heads(query, key, value)
    if broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2]) is None:
        raise ShapeError(f"{OP}: the batch dims of query {query.shape}, key {key.shape} and value {value.shape} "
                         f"cannot be broadcast together")
    if scale is None:   # with E = 0 every score is an empty sum, 0, whatever the scale
        scale = 1 / math.sqrt(query.shape[-1]) if query.shape[-1] else 1.0
    scores = matmul(query, key.mT) * scale
    if attn_mask is None and not is_causal:
        weights = softmax(scores, dim=-1)
    else:
        weights = _safe_softmax(_masked(scores, attn_mask, is_causal))
    return matmul(dropout(weights, dropout_p, training=True), value)
