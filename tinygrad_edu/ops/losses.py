"""Loss functions: one number that says how wrong the predictions are.

Most are built from differentiable operations, so their gradient (and their gradient's
gradient) comes from those operations; the docstrings give the gradient you would derive by
hand. Binary cross-entropy is an op of its own, because its logs must be clamped without
losing the gradient at probabilities of exactly 0 or 1.
"""
from __future__ import annotations

import math

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.indexing import Getitem, Index
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, op: str) -> None:
    """Checked before any work, so a typo is reported as such and not as a later failure."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _as_target(target, input: Tensor, op: str, dtype=None) -> Tensor:
    """The target as a Tensor on the input's device (Python lists and arrays are accepted)."""
    if not isinstance(target, Tensor):
        target = Tensor(target, dtype=dtype, device=input.device)
    if target.device != input.device:
        raise RuntimeError(f"{op}: input is on {input.device} but target is on {target.device}; "
                           f"move one of them with .to('{input.device}') or .to('{target.device}')")
    return target


def _same_shape(input: Tensor, target: Tensor, op: str) -> None:
    if input.shape != target.shape:
        raise ValueError(f"{op}: input has shape {input.shape} but target has shape {target.shape}; "
                         f"they must match")


@register("mse_loss", kind="functional")
def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """L = mean((input - target)²);  dL/dinput = 2(input - target)/n"""
    target = _as_target(target, input, "mse_loss", input.dtype)
    _same_shape(input, target, "mse_loss")
    _check_reduction(reduction, "mse_loss")
    diff = input - target
    return _reduce(diff * diff, reduction)


def _class_scores_last(input: Tensor, target: Tensor, op: str, ignore_index: int) -> tuple[Tensor, Tensor]:
    """(N, C, d1, ...) scores with (N, d1, ...) targets become (M, C) and (M,)."""
    if target.dtype.kind not in "iu":
        raise TypeError(f"{op}: class targets must be integers (int64), got {target.dtype}")
    if input.ndim == 0:
        raise ValueError(f"{op}: expected scores of shape (N, C) or (C,), got a 0-d tensor")
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if target.shape != expected:
        raise ValueError(f"{op}: scores of shape {input.shape} need targets of shape {expected}, got {target.shape}")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    counted = target.array[target.array != ignore_index]
    if counted.size:
        low, high = int(counted.min()), int(counted.max())
        if low < 0 or high >= classes:
            bad = low if low < 0 else high
            raise IndexError(f"{op}: target {bad} is out of range for {classes} classes "
                             f"(scores of shape {input.shape}); targets must lie in 0..{classes - 1}")
    if input.ndim > 2:
        input = input.permute(0, *range(2, input.ndim), 1)   # classes last
    if input.ndim != 2:    # (N, C) scores and (N,) targets, the usual case, are left as they are
        input, target = input.reshape(-1, classes), target.reshape(-1)
    return input, target


@register("nll_loss", kind="functional")
def nll_loss(input: Tensor, target: Tensor, reduction: str = "mean", ignore_index: int = -100) -> Tensor:
    """L = -mean(input[i, target_i]) for log-probabilities;  dL/dinput = -1/n at each target, 0 elsewhere

    Samples whose target is `ignore_index` count for nothing, and the mean is over the others."""
    target = _as_target(target, input, "nll_loss")
    _check_reduction(reduction, "nll_loss")
    return _pick_and_reduce(input, target, reduction, "nll_loss", ignore_index)


def _pick_and_reduce(input: Tensor, target: Tensor, reduction: str, op: str, ignore_index: int) -> Tensor:
    """-input[i, target_i] for every sample i, reduced: the heart of nll_loss and cross_entropy."""
    scores, classes = _class_scores_last(input, target, op, ignore_index)
    xp = scores.xp
    counted = classes.array != ignore_index
    # scores[rows, classes], with the index built directly: the general parser is for user input
    pick = Index((Ellipsis,), (xp.arange(scores.shape[0]), xp.where(counted, classes.array, 0)))
    picked = -Getitem.apply(scores, index=pick)   # an ignored sample picks class 0 ...
    if not bool(counted.all()):   # ... and counts 0 (selected, not multiplied: its score may be -inf)
        picked = where(Tensor._make(counted, scores.device, False, None), picked, 0.0)
    if reduction == "none":
        return picked.reshape(target.shape)
    if reduction == "sum":
        return picked.sum()
    return picked.sum() / float(counted.sum())   # no counted sample: 0/0 = nan, as in PyTorch


@register("cross_entropy", kind="functional")
def cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean", ignore_index: int = -100) -> Tensor:
    """L = -mean(log_softmax(input)[i, target_i]) from raw scores (logits);
    dL/dinput = (softmax(input) - onehot(target))/n.

    Targets are class indices (int64; `ignore_index` marks samples that count for nothing),
    or class probabilities of the input's shape."""
    target = _as_target(target, input, "cross_entropy")
    _check_reduction(reduction, "cross_entropy")
    class_dim = 1 if input.ndim > 1 else 0
    if not backend.is_floating(target.dtype):
        return _pick_and_reduce(input.log_softmax(dim=class_dim), target, reduction, "cross_entropy", ignore_index)
    if target.shape != input.shape:
        raise ValueError(f"cross_entropy: float targets are class probabilities and need the input's shape "
                         f"{input.shape}, got {target.shape}; class-index targets must be integers (int64)")
    return _reduce(-(target * input.log_softmax(dim=class_dim)).sum(dim=class_dim), reduction)


def _log_clamped(xp, a):
    """log(a), never below -100 (PyTorch's clamp), computed without a warning where a = 0."""
    positive = a > 0
    log_a = xp.log(xp.where(positive, a, 1))
    return xp.where(positive, xp.maximum(log_a, -100), -100).astype(a.dtype, copy=False)


_SMALLEST_LOG_ARGUMENT = math.exp(-100)   # log(max(a, e^-100)) is log(a) clamped at -100


class BinaryCrossEntropy(Function):
    """L = -(y·log p + (1-y)·log(1-p)), each log clamped at -100;
    dL/dp = (p - y)/(p(1-p)), dL/dy = log(1-p) - log p"""

    def forward(self, p, y):
        with backend.ieee_quietly(self.xp):
            return -(y * _log_clamped(self.xp, p) + (1 - y) * _log_clamped(self.xp, 1 - p))

    def backward(self, grad):
        p, y = self.inputs
        # As in PyTorch, p(1-p) is kept from 0: p of exactly 0 or 1 (a saturated sigmoid) still
        # gets a large, finite gradient instead of a clamped-away zero or a 0/0.
        grad_p = grad * (p - y) / (p * (1.0 - p)).clamp(min=1e-12) if self.needs_input_grad[0] else None
        grad_y = None
        if self.needs_input_grad[1]:
            log_p = p.clamp(min=_SMALLEST_LOG_ARGUMENT).log()
            log_not_p = (1.0 - p).clamp(min=_SMALLEST_LOG_ARGUMENT).log()
            grad_y = grad * (log_not_p - log_p)
        return grad_p, grad_y


@register("binary_cross_entropy", kind="functional")
def binary_cross_entropy(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """L = -mean(y·log p + (1-y)·log(1-p)), each log clamped at -100 as PyTorch does;
    dL/dp = (p - y)/(p(1 - p))/n"""
    target = _as_target(target, input, "binary_cross_entropy", input.dtype)
    _same_shape(input, target, "binary_cross_entropy")
    _check_reduction(reduction, "binary_cross_entropy")
    if input.numel():
        low, high = float(input.array.min()), float(input.array.max())
        if low < 0 or high > 1:
            raise ValueError(f"binary_cross_entropy: input must hold probabilities between 0 and 1, but its "
                             f"values reach from {low:g} to {high:g}; for raw scores (logits) use "
                             f"binary_cross_entropy_with_logits")
    input, target = input._operand(target, "binary_cross_entropy")
    return _reduce(BinaryCrossEntropy.apply(input, target), reduction)


@register("binary_cross_entropy_with_logits", kind="functional")
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """L = mean(softplus(x) - x·y), the stable form of BCE(sigmoid(x), y);  dL/dx = (sigmoid(x) - y)/n"""
    target = _as_target(target, input, "binary_cross_entropy_with_logits", input.dtype)
    _same_shape(input, target, "binary_cross_entropy_with_logits")
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    return _reduce(input.softplus() - input * target, reduction)
