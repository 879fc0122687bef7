"""Margin losses: a penalty only while a score (or a distance) is on the wrong side of a margin.

Built from differentiable ops, so their gradients of any order come from those ops; each
docstring gives the gradient you would derive by hand.
"""
from __future__ import annotations

from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.activations import logsigmoid
from tinygrad_edu.ops.distance import pairwise_distance
from tinygrad_edu.ops.elementwise import minimum, where
from tinygrad_edu.ops.losses import _as_target, _check_reduction, _reduce
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.windows import check_float
from tinygrad_edu.tensor import Tensor


def _broadcast_shapes(op: str, *tensors: Tensor) -> None:
    """The inputs must broadcast together, as in PyTorch; the message names every shape."""
    try:
        shape: tuple = ()
        for t in tensors:
            shape = _broadcast_two(shape, t.shape)
    except ValueError:
        raise ShapeError(f"{op}: shapes {', '.join(str(t.shape) for t in tensors)} cannot be broadcast "
                         f"together") from None


def _broadcast_two(a: tuple, b: tuple) -> tuple:
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        raise ValueError
    return tuple(max(x, y) if 0 not in (x, y) else 0 for x, y in zip(a, b))


@register("margin_ranking_loss", kind="functional")
def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: str = "mean") -> Tensor:
    """max(0, -y·(x1 - x2) + margin): x1 should rank above x2 where y = 1, below where y = -1

    dL/dx1 = -y where the margin is violated, else 0;  dL/dx2 = y there."""
    _check_reduction(reduction, "margin_ranking_loss")
    target = _as_target(target, input1, "margin_ranking_loss", input1.dtype)
    check_float("margin_ranking_loss", input1=input1, input2=input2)
    if not input1.ndim == input2.ndim == target.ndim:
        raise ShapeError(f"margin_ranking_loss: input1, input2 and target must have the same number of dims, got "
                         f"{input1.shape}, {input2.shape} and {target.shape}")
    _broadcast_shapes("margin_ranking_loss", input1, input2, target)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0.0), reduction)


@register("hinge_embedding_loss", kind="functional")
def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1 (x is usually a distance)

    dL/dx = 1 (y = 1), -1 where x < margin (y = -1), else 0."""
    _check_reduction(reduction, "hinge_embedding_loss")
    target = _as_target(target, input, "hinge_embedding_loss", input.dtype)
    check_float("hinge_embedding_loss", input=input)
    _broadcast_shapes("hinge_embedding_loss", input, target)
    # PyTorch's reading of targets other than ±1: a 1 keeps x, anything but 1 adds the hinge
    not_one = Tensor._make(target.array != 1, input._device, False, None)
    not_minus_one = Tensor._make(target.array != -1, input._device, False, None)
    loss = where(not_one, (margin - input).clamp(min=0.0), 0.0) + where(not_minus_one, input, 0.0)
    return _reduce(loss, reduction)


@register("soft_margin_loss", kind="functional")
def soft_margin_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:
    """log(1 + e^(-y·x)), the logistic loss for labels y = ±1

    dL/dx = -y·sigmoid(-y·x)."""
    _check_reduction(reduction, "soft_margin_loss")
    target = _as_target(target, input, "soft_margin_loss", input.dtype)
    check_float("soft_margin_loss", input=input)
    _broadcast_shapes("soft_margin_loss", input, target)
    return _reduce(-logsigmoid(target * input), reduction)


@register("multilabel_soft_margin_loss", kind="functional")
def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                reduction: str = "mean") -> Tensor:
    """-mean_c [y_c·log σ(x_c) + (1 - y_c)·log σ(-x_c)] per sample: one binary decision per class

    dL/dx_c = (σ(x_c) - y_c)·w_c / C."""
    _check_reduction(reduction, "multilabel_soft_margin_loss")
    target = _as_target(target, input, "multilabel_soft_margin_loss", input.dtype)
    check_float("multilabel_soft_margin_loss", input=input)
    if input.ndim not in (1, 2) or target.shape != input.shape:
        raise ShapeError(f"multilabel_soft_margin_loss: expected input (N, C) or (C,) and a target of the same "
                         f"shape, got input {input.shape} and target {target.shape}")
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        _broadcast_shapes("multilabel_soft_margin_loss", input, weight)
        loss = loss * weight
    classes = input.shape[-1]
    return _reduce(loss.sum(dim=-1) / classes, reduction)


@register("triplet_margin_loss", kind="functional")
def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, reduction: str = "mean") -> Tensor:
    """max(0, d(a, p) - d(a, n) + margin) with d the p-norm distance: the positive nearer than the negative

    dL/dd(a, p) = 1 and dL/dd(a, n) = -1 where the margin is violated, else 0; swap uses
    min(d(a, n), d(p, n)) as the negative's distance."""
    _check_reduction(reduction, "triplet_margin_loss")
    check_float("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    if not (anchor.ndim == positive.ndim == negative.ndim) or anchor.ndim not in (1, 2):
        raise ShapeError(f"triplet_margin_loss: anchor, positive and negative must all be (N, D) or all (D,), got "
                         f"anchor {anchor.shape}, positive {positive.shape}, negative {negative.shape}")
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = minimum(to_negative, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + to_positive - to_negative).clamp(min=0.0), reduction)
