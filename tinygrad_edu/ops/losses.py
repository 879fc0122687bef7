"""Loss functions: one number that says how wrong the predictions are.

Each is built from differentiable operations, so its gradient (and its gradient's gradient)
comes from those operations; the docstrings give the gradient you would derive by hand.
"""
from __future__ import annotations

from tinygrad_edu import backend
from tinygrad_edu.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _same_shape(input: Tensor, target: Tensor, op: str) -> None:
    if input.shape != target.shape:
        raise ValueError(f"{op}: input has shape {input.shape} but target has shape {target.shape}; "
                         f"they must match")


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """L = mean((input - target)²);  dL/dinput = 2(input - target)/n"""
    target = target if isinstance(target, Tensor) else Tensor(target, dtype=input.dtype, device=input.device)
    _same_shape(input, target, "mse_loss")
    diff = input - target
    return _reduce(diff * diff, reduction, "mse_loss")


def _class_scores_last(input: Tensor, target: Tensor, op: str) -> tuple[Tensor, Tensor]:
    """(N, C, d1, ...) scores with (N, d1, ...) targets become (M, C) and (M,)."""
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op}: class targets must be integers (int64), got {target.dtype}")
    if input.ndim < 1 or input.ndim == 1 and target.ndim != 0:
        raise ValueError(f"{op}: expected scores of shape (N, C) and targets (N,), got {input.shape} and {target.shape}")
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if target.shape != expected:
        raise ValueError(f"{op}: scores of shape {input.shape} need targets of shape {expected}, got {target.shape}")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    if target.numel():
        low, high = int(target.data.min()), int(target.data.max())
        if low < 0 or high >= classes:
            bad = low if low < 0 else high
            raise IndexError(f"{op}: target {bad} is out of range for {classes} classes")
    if input.ndim > 2:
        input = input.permute(0, *range(2, input.ndim), 1)   # classes last
    return input.reshape(-1, classes), target.reshape(-1)


def nll_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """L = -mean(input[i, target_i]) for log-probabilities;  dL/dinput = -1/n at each target, 0 elsewhere"""
    scores, classes = _class_scores_last(input, target, "nll_loss")
    rows = Tensor._make(scores.xp.arange(scores.shape[0]), scores.device, False, None)
    picked = -scores[rows, classes]
    if reduction == "none":
        return picked.reshape(target.shape)
    return _reduce(picked, reduction, "nll_loss")


def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """L = -mean(log_softmax(input)[i, target_i]) from raw scores (logits);
    dL/dinput = (softmax(input) - onehot(target))/n.

    Targets are class indices (int64), or class probabilities of the input's shape."""
    if backend.is_floating(target.dtype):
        _same_shape(input, target, "cross_entropy")
        return _reduce(-(target * input.log_softmax(dim=1 if input.ndim > 1 else 0)).sum(dim=1 if input.ndim > 1 else 0),
                       reduction, "cross_entropy")
    return nll_loss(input.log_softmax(dim=1 if input.ndim > 1 else 0), target, reduction)


def binary_cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """L = -mean(y·log p + (1-y)·log(1-p)), each log clamped at -100 as PyTorch does;
    dL/dp = (p - y)/(p(1 - p))/n"""
    target = target if isinstance(target, Tensor) else Tensor(target, dtype=input.dtype, device=input.device)
    _same_shape(input, target, "binary_cross_entropy")
    if input.numel() and (float(input.data.min()) < 0 or float(input.data.max()) > 1):
        raise ValueError("binary_cross_entropy: input must hold probabilities between 0 and 1; "
                         "for raw scores use binary_cross_entropy_with_logits")
    log_p = input.log().clamp(min=-100.0)
    log_not_p = (1.0 - input).log().clamp(min=-100.0)
    return _reduce(-(target * log_p + (1.0 - target) * log_not_p), reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """L = mean(softplus(x) - x·y), the stable form of BCE(sigmoid(x), y);  dL/dx = (sigmoid(x) - y)/n"""
    target = target if isinstance(target, Tensor) else Tensor(target, dtype=input.dtype, device=input.device)
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    return _reduce(input.softplus() - input * target, reduction, "binary_cross_entropy_with_logits")
