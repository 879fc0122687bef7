"""The likelihood loss modules: each remembers its settings and calls its function in ops/likelihoods.py."""
from __future__ import annotations

from typing import Any

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.losses import _Loss
from tinygrad_edu.tensor import Tensor


class GaussianNLLLoss(_Loss):
    """½·(log var + (input - target)²/var): regression that also predicts its own uncertainty."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Tensor, target: Tensor, var: Any) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, self.reduction)

    def extra_repr(self) -> str:
        return ""   # PyTorch's loss modules show no settings in their repr


class PoissonNLLLoss(_Loss):
    """e^input - target·input: counts predicted through their log-rate (or the rate, log_input=False)."""

    def __init__(self, log_input: bool = True, full: bool = False, eps: float = 1e-8, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, self.eps, self.reduction)

    def extra_repr(self) -> str:
        return ""   # PyTorch's loss modules show no settings in their repr
