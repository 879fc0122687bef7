"""Distance modules: CosineSimilarity and PairwiseDistance (PyTorch's torch.nn.modules.distance).

Each remembers its settings and calls the function in `tinygrad_edu/ops/distance.py`.
"""
from __future__ import annotations

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class CosineSimilarity(Module):
    """The cosine of the angle between x1 and x2 along dim: 1 alike, 0 unrelated, -1 opposite."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The p-norm of x1 - x2 (+ eps) along the last dim: how far apart each pair of rows is."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim   # `norm`: PyTorch's attribute name for p

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
