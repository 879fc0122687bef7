"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay."""
from __future__ import annotations

import math
from typing import Any

from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, regularized_gradient
from tinygrad_edu.tensor import Tensor


class SGD(Optimizer):
    """p <- p - lr * g, where g is the gradient, optionally smoothed by momentum.

    One step for each parameter p with gradient g, exactly as torch.optim.SGD does it:

        g = -g                                        (maximize only: climb instead)
        g = g + weight_decay * p                      (L2 penalty, when weight_decay > 0)
        b = g                        on the first step
        b = momentum * b + (1 - dampening) * g        afterwards (when momentum > 0)
        g = g + momentum * b  if nesterov  else  b
        p = p - lr * g
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0, dampening: float = 0.0,
                 weight_decay: float = 0.0, nesterov: bool = False, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._require_at_least_zero(group, "lr", "momentum", "weight_decay")
        self._require_in_range("dampening", group["dampening"], -math.inf, math.inf)   # any number, as in PyTorch
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"SGD: Nesterov momentum needs momentum > 0 and dampening = 0, got "
                             f"momentum={group['momentum']} and dampening={group['dampening']}")

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        momentum = group["momentum"]
        grad = regularized_gradient(p, grad, group)
        if momentum != 0:
            if "momentum_buffer" not in state:
                # a copy: the gradient array may be shared with p.grad or another tensor
                state["momentum_buffer"] = Tensor._make(grad.copy(), p._device, False, None)
                buffer = state["momentum_buffer"].array
            else:
                buffer = state["momentum_buffer"].array
                buffer *= momentum
                buffer += (1 - group["dampening"]) * grad
            grad = grad + momentum * buffer if group["nesterov"] else buffer
        p.array -= group["lr"] * grad
