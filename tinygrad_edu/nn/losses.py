"""Loss modules: `loss_fn = nn.CrossEntropyLoss(); loss = loss_fn(logits, targets)`.

Each only remembers its `reduction` ('mean', 'sum' or 'none') and calls the function in
`tinygrad_edu/ops/losses.py`, where the math and its gradient are written down.
"""
from __future__ import annotations

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module
from tinygrad_edu.ops.losses import REDUCTIONS
from tinygrad_edu.tensor import Tensor


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """mean((input - target)²): for regression."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class _ClassLoss(_Loss):
    def __init__(self, reduction: str = "mean", ignore_index: int = -100) -> None:
        super().__init__(reduction)
        self.ignore_index = ignore_index   # targets equal to it count for nothing


class CrossEntropyLoss(_ClassLoss):
    """-log softmax(input)[target] from raw scores (logits) and integer class targets: for classification."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, self.reduction, self.ignore_index)


class NLLLoss(_ClassLoss):
    """-input[target] for log-probabilities (the output of log_softmax)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, self.reduction, self.ignore_index)


class BCELoss(_Loss):
    """-(y·log p + (1 - y)·log(1 - p)) for probabilities p (the output of a sigmoid)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """BCELoss applied to sigmoid(input), computed stably from the raw scores."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.reduction)
