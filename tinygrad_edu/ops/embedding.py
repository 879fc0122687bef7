"""Embedding: a learned table of vectors, one row per token id; looking a token up picks its row.

The lookup is indexing, so its gradient is the reverse: each upstream row is added back into
the row it was read from, and a row read twice (a word that occurs twice) gets the sum of both
(a scatter-add). Two PyTorch options shape that gradient: the `padding_idx` row gets none (it
stays the "nothing here" vector), and `scale_grad_by_freq` divides each row's gradient by how
often its index occurs in the batch.
"""
from __future__ import annotations

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function, no_grad
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.indexing import Index, IndexAdd
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


class Embedding(Function):
    """f(W) = W[indices], one row per index;
    df/dW = each upstream row added into the row it was read from (summed where one is read twice)

    The padding_idx row gets no gradient; with scale_grad_by_freq each row's gradient is divided
    by the number of times its index occurs in `indices`."""
    reads = ((),)   # backward needs only the indices and the table's shape

    def forward(self, weight, indices, padding_idx, scale_grad_by_freq):
        self.indices, self.padding_idx, self.scale_grad_by_freq = indices, padding_idx, scale_grad_by_freq
        return weight[indices]

    def backward(self, grad):
        weight_shape = self.inputs[0].shape
        flat = self.indices.reshape(-1)
        rows = grad.reshape(flat.shape[0], weight_shape[1])
        if self.scale_grad_by_freq:
            counts = self.xp.bincount(flat, minlength=weight_shape[0])[flat]
            rows = rows / self.constant(counts.reshape(-1, 1).astype(rows.dtype))
        if self.padding_idx is not None:
            rows = where(self.constant((flat != self.padding_idx).reshape(-1, 1)), rows, 0.0)
        return IndexAdd.apply(rows, index=Index((Ellipsis,), (flat, slice(None))), shape=weight_shape)


def _check_indices(input: Tensor, weight: Tensor) -> None:
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(f"embedding: input and weight must be Tensors, got {type(input).__name__} and "
                        f"{type(weight).__name__}")
    if input.dtype.kind not in "iu":
        raise DTypeError(f"embedding: indices must be integers (int64 or int32), got {input.dtype}")
    if weight.ndim != 2:
        raise ShapeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    if input.device != weight.device:
        raise RuntimeError(f"embedding: indices are on {input.device} but weight is on {weight.device}; "
                           f"move one of them with .to('{weight.device}')")
    if input.numel():
        low, high = int(input.array.min()), int(input.array.max())
        if low < 0 or high >= weight.shape[0]:
            raise IndexError(f"embedding: index {low if low < 0 else high} is out of range for a table of "
                             f"{weight.shape[0]} rows (weight of shape {weight.shape})")


def padding_index(padding_idx: int | None, num_embeddings: int, op: str) -> int | None:
    """padding_idx counted from 0 (a negative one counts from the end), after checking it is a row."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, int) \
            or not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{op}: padding_idx must be an int within num_embeddings ({num_embeddings}), "
                         f"got {padding_idx!r}")
    return padding_idx % num_embeddings


def embedding_renorm_(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """Rows of weight looked up by indices whose norm exceeds max_norm are scaled down to it,
    in place and outside the graph, as PyTorch does (scale = max_norm / (norm + 1e-7))."""
    xp = weight.xp
    rows = xp.unique(indices.array)
    picked = weight.array[rows]
    with backend.ieee_quietly(xp):
        if norm_type == float("inf"):
            norms = xp.abs(picked).max(axis=1)
        else:
            norms = (xp.abs(picked) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
        scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(weight.dtype)
    with no_grad():
        weight[Tensor._make(rows, weight._device, False, None)] = Tensor._make(picked * scale[:, None], weight._device,
                                                                              False, None)


@register("embedding", kind="functional")
def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """weight[input]: the row of the table for each index, shape input.shape + (embedding_dim,)"""
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported; use sparse=False")
    _check_indices(input, weight)
    padding_idx = padding_index(padding_idx, weight.shape[0], "embedding")
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    return Embedding.apply(weight, indices=input.array, padding_idx=padding_idx,
                           scale_grad_by_freq=bool(scale_grad_by_freq))
