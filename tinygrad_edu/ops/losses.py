"""Loss functions: one number that says how wrong the predictions are.

Most are built from differentiable operations, so their gradient (and their gradient's
gradient) comes from those operations; the docstrings give the gradient you would derive by
hand. Binary cross-entropy is an op of its own, because its logs must be clamped without
losing the gradient at probabilities of exactly 0 or 1.
"""
from __future__ import annotations

from typing import Any

import math

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.elementwise import where
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


def _as_target(target: Any, input: Tensor, op: str, dtype: Any = None) -> Tensor:
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
    if target.array.size and not 0 <= int(target.array.min()) <= int(target.array.max()) < classes:
        # some target lies outside 0..C-1: an error, unless it is ignore_index
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


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's old size_average= and reduce= arguments, read as it reads them, when given."""
    if size_average is None and reduce is None:
        return reduction
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _class_weight(weight: Tensor | None, input: Tensor, op: str) -> Tensor | None:
    """The per-class weights as a constant of the input's dtype, after checking there is one per class."""
    if weight is None:
        return None
    if not isinstance(weight, Tensor):
        raise TypeError(f"{op}: weight must be a Tensor of one weight per class, got {type(weight).__name__} "
                        f"{weight!r}; the reduction is a keyword: {op}(input, target, reduction=...)")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0] if input.ndim else 0
    if weight.shape != (classes,):
        raise ValueError(f"{op}: weight must hold one weight per class, shape ({classes},) for scores of shape "
                         f"{input.shape}, got weight of shape {weight.shape}")
    if weight.device != input.device:
        raise RuntimeError(f"{op}: input is on {input.device} but weight is on {weight.device}")
    return weight.detach().to(input.dtype)


@register("nll_loss", kind="functional")
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
             ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """L = -Σ w[t_i]·input[i, t_i] / Σ w[t_i] for log-probabilities;  dL/dinput = -w[t_i]/Σw at each target, 0 elsewhere

    Without weight every w is 1 (a plain mean). Samples whose target is `ignore_index` count
    for nothing, in the sum and in the divisor."""
    target = _as_target(target, input, "nll_loss")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "nll_loss")
    return _pick_and_reduce(input, target, _class_weight(weight, input, "nll_loss"), reduction, "nll_loss",
                            ignore_index)


class NllLoss(Function):
    """L_i = -w_i·x[i, t_i] per sample, reduced: 'none' keeps L, 'sum' gives Σ L_i, 'mean' Σ L_i / Σ w_i;
    dL/dx = -w_i/d at [i, t_i] (d: Σ w_i for the mean, else 1), 0 elsewhere

    The pick and the reduction as one op, as PyTorch's NllLossBackward: the picking written
    as tensor ops (an index, a negation, a sum, a division) records five ops in backward, and
    this one (`NllLossGrad`, which puts the numbers back where they were picked) records one.
    `weights` holds w_i per sample (None: all 1); `counted` marks the samples that count
    (None: all), and a sample that does not gives 0, selected, not multiplied, since its
    score may be -inf."""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)            # the gradient needs the targets only, never the scores

    def forward(self, scores, *, classes, weights, counted, divisor, reduction):
        self.options = {"classes": classes, "weights": weights, "counted": counted, "divisor": divisor,
                        "reduction": reduction}
        losses = -scores[self.xp.arange(scores.shape[0]), classes]
        if weights is not None:
            losses = losses * weights
        if counted is not None:
            losses = self.xp.where(counted, losses, 0)
        if reduction == "none":
            return losses
        total = losses.sum()
        return total if reduction == "sum" else total / divisor   # nothing counted: 0/0 = nan, as in PyTorch

    def backward(self, grad):
        scores = self.inputs[0]
        return NllLossGrad.apply(grad, shape=scores.shape, **self.options)


class NllLossGrad(Function):
    """f(g)[i, t_i] = -g_i·w_i/d, 0 elsewhere (g_i = g for a reduced loss): NllLoss's gradient;
    df/dg = NllLoss of the upstream gradient, the same pick (the two ops are each other's backward)"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)

    def forward(self, grad, *, shape, classes, weights, counted, divisor, reduction):
        self.options = {"classes": classes, "weights": weights, "counted": counted, "divisor": divisor,
                        "reduction": reduction}
        # NumPy's division, not Python's: with nothing counted the divisor is 0, and those
        # samples are then set to 0 below, as in PyTorch
        values = -(grad / divisor) if reduction == "mean" else -grad
        if weights is not None:
            values = values * weights
        if counted is not None:
            values = self.xp.where(counted, values, 0)
        out = self.xp.zeros(shape, dtype=grad.dtype)
        out[self.xp.arange(shape[0]), classes] = values
        return out

    def backward(self, upstream):
        return NllLoss.apply(upstream, **self.options)


def _pick_and_reduce(input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, op: str,
                     ignore_index: int) -> Tensor:
    """-w[t_i]·input[i, t_i] for every sample i, reduced: the heart of nll_loss and cross_entropy."""
    scores, classes = _class_scores_last(input, target, op, ignore_index)
    xp = scores.xp
    counted = classes.array != ignore_index
    everything_counts = bool(counted.all())
    picked_class = classes.array if everything_counts else xp.where(counted, classes.array, 0)
    sample_weight = None if weight is None else weight.array[picked_class]
    divisor = 1.0
    if reduction == "mean":
        divisor = float(counted.sum() if sample_weight is None else (sample_weight * counted).sum())
    loss = NllLoss.apply(scores, classes=picked_class, weights=sample_weight,
                         counted=None if everything_counts else counted, divisor=divisor, reduction=reduction)
    return loss.reshape(target.shape) if reduction == "none" else loss


def _smoothing_term(log_p: Tensor, target: Tensor, weight: Tensor | None, reduction: str,
                    ignore_index: int, class_dim: int) -> Tensor:
    """-Σ_c w_c·log p_c per sample (the loss against a uniform target), reduced as PyTorch reduces it:
    the mean divides by the same Σ w[t_i] as the weighted nll_loss."""
    xp = log_p.xp
    if weight is not None:
        log_p = log_p * weight.reshape((-1,) + (1,) * (log_p.ndim - class_dim - 1))
    counted = target.array != ignore_index
    per_sample = where(Tensor._make(counted, log_p._device, False, None), -log_p.sum(dim=class_dim), 0.0)
    if reduction == "none":
        return per_sample
    if reduction == "sum":
        return per_sample.sum()
    divisor = weight.array[xp.where(counted, target.array, 0)][counted].sum() if weight is not None else counted.sum()
    return per_sample.sum() / float(divisor)


@register("cross_entropy", kind="functional")
def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average: bool | None = None,
                  ignore_index: int = -100, reduce: bool | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """L = -mean(log_softmax(input)[i, target_i]) from raw scores (logits);
    dL/dinput = (softmax(input) - onehot(target))/n.

    Targets are class indices (int64; `ignore_index` marks samples that count for nothing),
    or class probabilities of the input's shape. `weight` weighs each class (the mean divides by
    the weights of the targets), and `label_smoothing` ε mixes the target with the uniform
    distribution: (1 - ε)·onehot + ε/C."""
    target = _as_target(target, input, "cross_entropy")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "cross_entropy")
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)) \
            or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing!r}")
    weight = _class_weight(weight, input, "cross_entropy")
    class_dim = 1 if input.ndim > 1 else 0
    log_p = input.log_softmax(dim=class_dim)
    classes = input.shape[class_dim] if input.ndim else 0
    if not backend.is_floating(target.dtype):
        loss = _pick_and_reduce(log_p, target, weight, reduction, "cross_entropy", ignore_index)
        if not label_smoothing:
            return loss
        smooth = _smoothing_term(log_p, target, weight, reduction, ignore_index, class_dim)
        return loss * (1 - label_smoothing) + smooth * (label_smoothing / classes)
    if target.shape != input.shape:
        raise ValueError(f"cross_entropy: float targets are class probabilities and need the input's shape "
                         f"{input.shape}, got {target.shape}; class-index targets must be integers (int64)")
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    if weight is not None:
        log_p = log_p * weight.reshape((-1,) + (1,) * (input.ndim - class_dim - 1))
    return _reduce(-(target * log_p).sum(dim=class_dim), reduction)


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


# ---- regression losses that forgive outliers ---------------------------------------------------

def _pointwise_args(input: Tensor, target: Tensor, op: str, size_average: bool | None, reduce: bool | None,
                    reduction: str) -> tuple[Tensor, str]:
    target = _as_target(target, input, op, input.dtype)
    _same_shape(input, target, op)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, op)
    return target, reduction


@register("l1_loss", kind="functional")
def l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
            reduction: str = "mean") -> Tensor:
    """L = mean(|input - target|);  dL/dinput = sign(input - target)/n"""
    target, reduction = _pointwise_args(input, target, "l1_loss", size_average, reduce, reduction)
    return _reduce((input - target).abs(), reduction)


def _quadratic_then_linear(diff: Tensor, beta: float) -> Tensor:
    """½d²/β where |d| < β, |d| - ½β beyond: the two pieces meet with equal value and slope at |d| = β."""
    distance = diff.abs()
    near = Tensor._make(distance.array < beta, diff._device, False, None)
    return where(near, diff * diff * (0.5 / beta), distance - 0.5 * beta)


@register("smooth_l1_loss", kind="functional")
def smooth_l1_loss(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """L = mean(½d²/β if |d| < β else |d| - ½β), d = input - target;  dL/dd = d/β inside, sign(d) outside (/n)"""
    target, reduction = _pointwise_args(input, target, "smooth_l1_loss", size_average, reduce, reduction)
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must not be negative, got {beta}")
    if beta == 0:   # the quadratic piece vanishes: plain L1
        return _reduce((input - target).abs(), reduction)
    return _reduce(_quadratic_then_linear(input - target, beta), reduction)


@register("huber_loss", kind="functional")
def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """L = mean(½d² if |d| < δ else δ(|d| - ½δ)), d = input - target;  dL/dd = d inside, δ·sign(d) outside (/n)"""
    target, reduction = _pointwise_args(input, target, "huber_loss", None, None, reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    return _reduce(_quadratic_then_linear(input - target, delta) * delta, reduction)   # δ·smooth_l1 with β = δ


# ---- comparing distributions and directions ----------------------------------------------------

def _x_log_x(t: Tensor) -> Tensor:
    """t·log t, and 0 where t = 0 (the limit), as PyTorch's xlogy(t, t); a negative t gives nan."""
    zero = Tensor._make(t.array == 0, t._device, False, None)
    return where(zero, 0.0, t * where(zero, 1.0, t).log())


@register("kl_div", kind="functional")
def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None, reduce: bool | None = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """L = Σ target·(log target - input) for log-probabilities input;  dL/dinput = -target (/n)

    With log_target=True the target is given as log-probabilities too: Σ e^target·(target - input).
    reduction="batchmean" divides the sum by the batch size, the true KL divergence per sample
    ("mean" divides by the number of elements, as PyTorch does)."""
    target = _as_target(target, input, "kl_div", input.dtype)
    _same_shape(input, target, "kl_div")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in REDUCTIONS + ("batchmean",):
        raise ValueError(f"kl_div: reduction must be one of {REDUCTIONS + ('batchmean',)}, got {reduction!r}")
    if log_target:
        pointwise = target.exp() * (target - input)
    else:
        pointwise = _x_log_x(target) - target * input
    if reduction == "batchmean":
        total = pointwise.sum()
        return total / input.shape[0] if input.ndim else total
    return _reduce(pointwise, reduction)


_COSINE_EPSILON = 1e-12   # PyTorch's, added to each squared length in cosine_embedding_loss


@register("cosine_embedding_loss", kind="functional")
def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """L = 1 - cos(x1, x2) where target = 1, max(0, cos(x1, x2) - margin) where target = -1, per row;
    dL/dcos = -1 (target 1), 1 where cos > margin (target -1), else 0"""
    target = _as_target(target, input1, "cosine_embedding_loss")
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, "cosine_embedding_loss")
    if input1.shape != input2.shape or input1.ndim not in (1, 2) or target.shape != input1.shape[:-1]:
        raise ValueError(f"cosine_embedding_loss: expected inputs of one shape (N, D) with target (N,), or (D,) "
                         f"with a 0-d target; got input1 {input1.shape}, input2 {input2.shape}, target {target.shape}")
    input1, input2 = input1._operand(input2, "cosine_embedding_loss")
    dim = input1.ndim - 1
    lengths = ((input1 * input1).sum(dim=dim) + _COSINE_EPSILON) * ((input2 * input2).sum(dim=dim) + _COSINE_EPSILON)
    cos = (input1 * input2).sum(dim=dim) / lengths.sqrt()
    similar = Tensor._make(target.array == 1, input1._device, False, None)
    dissimilar = Tensor._make(target.array == -1, input1._device, False, None)
    loss = where(similar, 1.0 - cos, 0.0) + where(dissimilar, (cos - margin).clamp(min=0.0), 0.0)
    return _reduce(loss, reduction)
