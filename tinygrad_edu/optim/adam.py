"""Adam: gradient descent with per-parameter step sizes from running averages of the gradient."""
from __future__ import annotations

import math
from typing import Any

from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, lerp_, new_state
from tinygrad_edu.tensor import Tensor


class Adam(Optimizer):
    """Each parameter moves by its average gradient divided by its typical gradient size.

    Step t for each parameter p with gradient g, in the order torch.optim.Adam uses:

        g = -g                                        (maximize only: climb instead)
        p = p * (1 - lr * weight_decay)               (decoupled_weight_decay, as AdamW)
        g = g + weight_decay * p                      (otherwise: an L2 penalty, when weight_decay > 0)
        m = beta1 * m + (1 - beta1) * g               running mean of g (starts at 0)
        v = beta2 * v + (1 - beta2) * g * g           running mean of g squared (starts at 0)
        v_max = max(v_max, v)                         (amsgrad only; then v_max replaces v below)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    The divisions by 1 - beta^t undo the pull towards 0 that starting the averages at 0 causes.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False, decoupled_weight_decay: bool = False) -> None:
        defaults = dict(lr=lr, betas=_pair(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._require_at_least_zero(group, "lr", "eps", "weight_decay")
        betas = group["betas"] = _pair(group["betas"])   # a list after a trip through JSON
        if len(betas) != 2:
            raise ValueError(f"{self._name()}: betas must be a pair (beta1, beta2), got {betas}")
        for i, beta in enumerate(betas):
            self._require_in_range(f"beta{i + 1}", beta, 0.0, 1.0, high_included=False)

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        lr, weight_decay = group["lr"], group["weight_decay"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = new_state(p)
            state["exp_avg_sq"] = new_state(p)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = new_state(p)
        state["step"] += 1
        step = state["step"]
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0 and group["decoupled_weight_decay"]:
            p.array *= 1 - lr * weight_decay   # shrink p itself, outside the averages (AdamW)
        elif weight_decay != 0:
            grad = grad + weight_decay * p.array
        m, v = state["exp_avg"].array, state["exp_avg_sq"].array
        lerp_(m, grad, 1 - beta1)          # m = beta1 * m + (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * (grad * grad)
        if group["amsgrad"]:
            v_max = state["max_exp_avg_sq"].array
            p.xp.maximum(v_max, v, out=v_max)
            v = v_max
        step_size = lr / (1 - beta1 ** step)
        denominator = p.xp.sqrt(v) / math.sqrt(1 - beta2 ** step) + group["eps"]
        p.array -= step_size * (m / denominator)


def _pair(betas: Any) -> Any:
    """betas as a tuple; anything else is left for the check to refuse."""
    return tuple(betas) if isinstance(betas, (list, tuple)) else betas
