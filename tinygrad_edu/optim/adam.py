"""Adam: gradient descent with per-parameter step sizes from running averages of the gradient."""
from __future__ import annotations

import math
from typing import Any

from tinygrad_edu.optim.optimizer import Optimizer, ParamsT
from tinygrad_edu.tensor import Tensor


class Adam(Optimizer):
    """Each parameter moves by its average gradient divided by its typical gradient size.

    Step t for each parameter p with gradient g, in the order torch.optim.Adam uses:

        g = g + weight_decay * p                      (L2 penalty, when weight_decay > 0)
        m = beta1 * m + (1 - beta1) * g               running mean of g (starts at 0)
        v = beta2 * v + (1 - beta2) * g * g           running mean of g squared (starts at 0)
        v_max = max(v_max, v)                         (amsgrad only; then v_max replaces v below)
        p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)

    The divisions by 1 - beta^t undo the pull towards 0 that starting the averages at 0 causes.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        for key in ("lr", "eps", "weight_decay"):
            if not group[key] >= 0:   # also catches NaN
                raise ValueError(f"Adam: invalid {key} {group[key]}; it must be >= 0")
        betas = group["betas"]
        if len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam: invalid beta{i + 1} {beta} in betas={betas}; each must be in [0, 1)")

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        xp = p.xp
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = xp.zeros_like(p.array)
            state["exp_avg_sq"] = xp.zeros_like(p.array)
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = xp.zeros_like(p.array)
        state["step"] += 1
        step = state["step"]
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * p.array
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += (1 - beta1) * (grad - m)      # the same as beta1 * m + (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * (grad * grad)
        if group["amsgrad"]:
            xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = group["lr"] / (1 - beta1 ** step)
        denominator = xp.sqrt(v) / math.sqrt(1 - beta2 ** step) + group["eps"]
        p.array -= step_size * (m / denominator)
