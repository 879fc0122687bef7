"""Adagrad: step sizes that shrink with the sum of all squared gradients seen so far."""
from __future__ import annotations

from typing import Any

from tinygrad_edu.optim.optimizer import Optimizer, ParamsT, new_state, regularized_gradient
from tinygrad_edu.tensor import Tensor


class Adagrad(Optimizer):
    """Duchi et al.'s Adagrad, step t as torch.optim.Adagrad takes it:

        g = -g                                        (maximize only)
        g = g + weight_decay * p                      (L2 penalty, when weight_decay > 0)
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                                 (s starts at initial_accumulator_value)
        p = p - lr_t * g / (sqrt(s) + eps)

    A coordinate with large past gradients takes small steps, a rarely-seen one large steps.
    As in PyTorch, the state of every parameter exists from the start (step 0, s filled); a
    group's own initial_accumulator_value is honoured (PyTorch uses the constructor's for all).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, *, maximize: bool = False) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        self._require_at_least_zero(group, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def add_param_group(self, group: dict[str, Any]) -> None:
        super().add_param_group(group)
        added = self.param_groups[-1]
        for p in added["params"]:
            self.state[p] = {"step": 0, "sum": new_state(p, added["initial_accumulator_value"])}

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        state["step"] += 1
        grad = regularized_gradient(p, grad, group)
        step_size = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"].array
        total += grad * grad
        p.array -= step_size * (grad / (p.xp.sqrt(total) + group["eps"]))
