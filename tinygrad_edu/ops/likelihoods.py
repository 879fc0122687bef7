"""Likelihood losses: the negative log-likelihood of a target under a predicted distribution.

    gaussian_nll_loss:  ½·(log var + (x - y)²/var)  (+ ½·log 2π when full)
    poisson_nll_loss:   e^x - y·x  (log_input)  or  x - y·log(x + eps)  (+ Stirling's log y! when full)

Built from differentiable ops, as PyTorch builds them, so gradients of any order come from
those ops; each docstring gives the gradient you would derive by hand.
"""
from __future__ import annotations

import math
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.losses import _as_target, _check_reduction, _reduce
from tinygrad_edu.ops.margins import _broadcast_shapes
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.windows import check_float
from tinygrad_edu.tensor import Tensor


def _float_target(target: Any, input: Tensor, op: str) -> Tensor:
    """The target on input's device; integer counts or labels are read as input's dtype, as PyTorch promotes them."""
    target = _as_target(target, input, op, input.dtype)
    return target if backend.is_floating(target.dtype) else target.to(input.dtype)


def _gaussian_var(input: Tensor, var: Any) -> Tensor:
    """var as PyTorch reads it: a float for every element, a shape equal to input's, input's
    shape without its last dim, or input's shape with exactly one dim of size 1."""
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"gaussian_nll_loss: var must be non-negative, got {var}")
        return Tensor._make(input.xp.full(input.shape, var, dtype=input.dtype), input._device, False, None)
    var = _as_target(var, input, "gaussian_nll_loss", input.dtype)
    check_float("gaussian_nll_loss", input=input, var=var)
    if var.shape != input.shape:
        if var.shape == input.shape[:-1]:
            var = var.unsqueeze(-1)      # one variance per sample, shared by its features
        elif not (var.ndim == input.ndim
                  and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ShapeError(f"gaussian_nll_loss: var of shape {var.shape} does not fit input of shape "
                             f"{input.shape} (same shape, the shape without the last dim, or one dim of size 1)")
    if bool((var.array < 0).any()):
        raise ValueError("gaussian_nll_loss: var must be non-negative, got a negative entry")
    return var


@register("gaussian_nll_loss", kind="functional")
def gaussian_nll_loss(input: Tensor, target: Tensor, var: Any, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """½·(log var + (input - target)²/var): the Gaussian negative log-likelihood of target

    dL/dinput = (input - target)/var;  dL/dvar = ½·(1/var - (input - target)²/var²), with var
    clamped to at least eps and, as in PyTorch, no gradient through that clamp."""
    _check_reduction(reduction, "gaussian_nll_loss")
    check_float("gaussian_nll_loss", input=input)
    target = _float_target(target, input, "gaussian_nll_loss")
    var = _gaussian_var(input, var)
    _broadcast_shapes("gaussian_nll_loss", input, target, var)
    # the clamp's value without its gradient: var's gradient is taken as if it were not there
    var = var + (var.clamp(min=eps) - var).detach()
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


@register("poisson_nll_loss", kind="functional")
def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False, eps: float = 1e-8,
                     reduction: str = "mean") -> Tensor:
    """e^input - target·input: the Poisson negative log-likelihood of target for rate e^input

    dL/dinput = e^input - target (log_input), else 1 - target/(input + eps); full adds
    Stirling's target·log target - target + ½·log(2π·target) where target > 1."""
    _check_reduction(reduction, "poisson_nll_loss")
    check_float("poisson_nll_loss", input=input)
    target = _float_target(target, input, "poisson_nll_loss")
    check_float("poisson_nll_loss", input=input, target=target)
    _broadcast_shapes("poisson_nll_loss", input, target)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction)
