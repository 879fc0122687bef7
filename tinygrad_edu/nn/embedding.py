"""Embedding: a lookup table of learned vectors, one row per token id (PyTorch's nn.Embedding).

    emb = nn.Embedding(1000, 64)            # 1000 token ids, 64 numbers each
    vectors = emb(token_ids)                # (batch, time) int64 -> (batch, time, 64)

The lookup and its gradient (a scatter-add into the rows that were read) live in
`tinygrad_edu/ops/embedding.py`.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.layers import _empty_parameter, _positive_int
from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.ops.embedding import padding_index
from tinygrad_edu.tensor import Tensor


class Embedding(Module):
    """weight (num_embeddings, embedding_dim), drawn from N(0, 1); the padding_idx row starts at
    zero and never learns. max_norm rescales looked-up rows in place to at most that norm."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if sparse:
            raise NotImplementedError("Embedding: sparse=True (sparse gradients) is not supported; use sparse=False")
        self.num_embeddings = _positive_int(num_embeddings, "num_embeddings", "Embedding")
        self.embedding_dim = _positive_int(embedding_dim, "embedding_dim", "Embedding")
        self.padding_idx = padding_index(padding_idx, num_embeddings, "Embedding")
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = _empty_parameter((num_embeddings, embedding_dim), device, dtype)
            self.weight.requires_grad_(not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ShapeError(f"Embedding: _weight must have shape ({num_embeddings}, {embedding_dim}), "
                                 f"got {tuple(_weight.shape)}")
            self.weight = Parameter(_weight, requires_grad=not _freeze)   # shares _weight's memory, as in PyTorch

    def reset_parameters(self) -> None:
        """PyTorch's default: N(0, 1), and the padding row zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0.0

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        return text

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding whose weight is `embeddings` (2-D, shared, not copied); frozen unless freeze=False.
        The padding row is left as given."""
        if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
            shape = getattr(embeddings, "shape", None)
            raise ShapeError(f"Embedding.from_pretrained: embeddings must be a 2-D Tensor (num_embeddings, "
                             f"embedding_dim), got {type(embeddings).__name__} of shape {shape}")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)
