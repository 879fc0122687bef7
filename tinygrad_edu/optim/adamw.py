"""AdamW: Adam whose weight decay shrinks the weights directly instead of joining the gradient."""
from __future__ import annotations

from typing import Any

from tinygrad_edu.optim.adam import Adam
from tinygrad_edu.optim.optimizer import ParamsT


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW.

    Each step first shrinks p <- p * (1 - lr * weight_decay), then takes Adam's step with the
    plain gradient. With Adam's L2 penalty instead, a weight with a large typical gradient is
    barely decayed (its penalty is divided by sqrt(v) too); here every weight decays alike.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def _check_group(self, group: dict[str, Any]) -> None:
        # Always decoupled, even for a group or a state dict that says otherwise (PyTorch does the same).
        group["decoupled_weight_decay"] = True
        super()._check_group(group)
