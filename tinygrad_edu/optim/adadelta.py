"""Adadelta: steps whose size comes from past steps, so no learning rate needs tuning."""
from __future__ import annotations

from typing import Any

from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, new_state, regularized_gradient
from tinygrad_edu.tensor import Tensor


class Adadelta(Optimizer):
    """Zeiler's Adadelta, step for step as torch.optim.Adadelta:

        g = -g                                        (maximize only)
        g = g + weight_decay * p                      (L2 penalty, when weight_decay > 0)
        v = rho * v + (1 - rho) * g * g               running mean of g squared (starts at 0)
        d = sqrt(u + eps) / sqrt(v + eps) * g         the step, in the units of p
        u = rho * u + (1 - rho) * d * d               running mean of d squared (starts at 0)
        p = p - lr * d

    The ratio of the two running averages gives each coordinate a step of the size its past
    steps had, which is why lr=1.0 is the default.
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._require_at_least_zero(group, "lr", "eps", "weight_decay")
        self._require_in_range("rho", group["rho"], 0.0, 1.0)

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        rho, eps, xp = group["rho"], group["eps"], p.xp
        if not state:
            state["step"] = 0
            state["square_avg"] = new_state(p)
            state["acc_delta"] = new_state(p)
        state["step"] += 1
        grad = regularized_gradient(p, grad, group)
        square_avg, acc_delta = state["square_avg"].array, state["acc_delta"].array
        square_avg *= rho
        square_avg += (1 - rho) * (grad * grad)
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(square_avg + eps) * grad
        acc_delta *= rho
        acc_delta += (1 - rho) * (delta * delta)
        p.array -= group["lr"] * delta
