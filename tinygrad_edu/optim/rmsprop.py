"""RMSprop: divide each gradient by a running average of its recent size."""
from __future__ import annotations

from typing import Any

from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, lerp_, new_state, regularized_gradient
from tinygrad_edu.tensor import Tensor


class RMSprop(Optimizer):
    """Hinton's RMSprop, step for step as torch.optim.RMSprop:

        g = -g                                        (maximize only)
        g = g + weight_decay * p                      (L2 penalty, when weight_decay > 0)
        v = alpha * v + (1 - alpha) * g * g           running mean of g squared (starts at 0)
        a = alpha * a + (1 - alpha) * g               (centered only: running mean of g)
        d = sqrt(v - a * a) + eps  if centered  else  sqrt(v) + eps
        b = momentum * b + g / d;  p = p - lr * b     (momentum > 0; b starts at 0)
        p = p - lr * g / d                            (otherwise)

    Centered RMSprop divides by an estimate of the gradient's spread instead of its size.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False, *,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._require_at_least_zero(group, "lr", "eps", "weight_decay", "momentum")
        self._require_in_range("alpha", group["alpha"], 0.0, 1.0)

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            state["step"] = 0
            state["square_avg"] = new_state(p)
        if momentum > 0 and "momentum_buffer" not in state:
            state["momentum_buffer"] = new_state(p)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = new_state(p)
        state["step"] += 1
        grad = regularized_gradient(p, grad, group)
        square_avg = state["square_avg"].array
        square_avg *= alpha
        square_avg += (1 - alpha) * (grad * grad)
        if group["centered"]:
            grad_avg = state["grad_avg"].array
            lerp_(grad_avg, grad, 1 - alpha)
            # v - a * a can round below 0; sqrt then gives nan, as in PyTorch
            denominator = p.xp.sqrt(square_avg - grad_avg * grad_avg) + group["eps"]
        else:
            denominator = p.xp.sqrt(square_avg) + group["eps"]
        if momentum > 0:
            buffer = state["momentum_buffer"].array
            buffer *= momentum
            buffer += grad / denominator
            p.array -= group["lr"] * buffer
        else:
            p.array -= group["lr"] * (grad / denominator)
