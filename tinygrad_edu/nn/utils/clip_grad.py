"""Gradient clipping, as torch.nn.utils: scale all gradients together so their total norm is
at most max_norm (clip_grad_norm_), or clamp each gradient value (clip_grad_value_).

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    optimizer.step()

The total norm is the norm of the per-tensor norms, which equals the norm of all gradient
values taken together. Everything runs without recording a graph; the gradients change in place.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.ops.elementwise import clamp
from tinygrad_edu.ops.movement import stack
from tinygrad_edu.tensor import Tensor


def _tensors(tensors: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [p.grad for p in _tensors(parameters) if p.grad is not None]


def _norm_type(norm_type: Any, op: str) -> float:
    if isinstance(norm_type, str) and norm_type == "inf":
        return math.inf
    if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float)):
        raise TypeError(f"{op}: norm_type must be a number (or inf), got {norm_type!r}")
    return float(norm_type)


@no_grad()
def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The norm of all the tensors' values taken together (a 0-d tensor; 0 for no tensors)."""
    tensors = _tensors(tensors)
    p = _norm_type(norm_type, "get_total_norm")
    if not tensors:
        return Tensor(0.0)
    first = tensors[0]
    norms = [t.norm(p).to(first.device) for t in tensors]   # the total lives where the first gradient does
    total = stack(norms).norm(p)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite "
                           f"({total.item()}), so it cannot be clipped. To disable this error and scale the "
                           f"gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


@no_grad()
def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), in place."""
    grads = _grads(parameters)
    if not grads:
        return
    # The 1e-6 keeps an all-zero gradient from dividing by zero; the clamp never scales up.
    coefficient = clamp(float(max_norm) / (total_norm + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coefficient.to(g.device, g.dtype))


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients together so that their total norm is at most max_norm; returns the
    total norm before clipping (a 0-d tensor), as torch.nn.utils.clip_grad_norm_."""
    parameters = _tensors(parameters)   # an iterator (model.parameters()) is read twice below
    total = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


@no_grad()
def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient value into [-clip_value, clip_value], in place."""
    if isinstance(clip_value, bool) or not isinstance(clip_value, (int, float)):
        raise TypeError(f"clip_grad_value_: clip_value must be a number, got {clip_value!r}")
    for g in _grads(parameters):
        g.clamp_(-float(clip_value), float(clip_value))
