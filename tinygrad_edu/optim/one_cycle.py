"""OneCycleLR: the 1cycle policy, a warm-up to a high learning rate and a long anneal down."""
from __future__ import annotations

import math
from typing import Any, Sequence

from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.scheduler import LRScheduler, check_int, check_number, check_optimizer, per_group


class OneCycleLR(LRScheduler):
    """Leslie Smith's 1cycle policy, one step per batch: the lr climbs from max_lr / div_factor to
    max_lr over the first pct_start of total_steps, then anneals (cosine or linear) down to
    max_lr / (div_factor * final_div_factor); with three_phase=True it first comes back down to
    the start value over the same number of steps, then anneals to the minimum.

    With cycle_momentum, the momentum (beta1 for Adam-like optimizers) moves the opposite way,
    between max_momentum and base_momentum. Stepping past total_steps is an error."""

    def __init__(self, optimizer: Optimizer, max_lr: float | Sequence[float], total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None, pct_start: float = 0.3,
                 anneal_strategy: str = "cos", cycle_momentum: bool = True,
                 base_momentum: float | Sequence[float] = 0.85, max_momentum: float | Sequence[float] = 0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 last_epoch: int = -1) -> None:
        # every check comes before the first change to the optimizer's groups
        check_optimizer(self, optimizer)
        self.total_steps = self._total_steps(total_steps, epochs, steps_per_epoch)
        check_number(self, "pct_start", pct_start, 0.0, 1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"OneCycleLR: anneal_strategy must be 'cos' or 'linear', got {anneal_strategy!r}")
        check_number(self, "div_factor", div_factor, 0.0, low_included=False)
        check_number(self, "final_div_factor", final_div_factor, 0.0, low_included=False)
        max_lrs = per_group(self, "max_lr", optimizer, max_lr)
        for value in max_lrs:
            check_number(self, "max_lr", value, 0.0)
        self.use_beta1 = "betas" in optimizer.defaults
        if cycle_momentum and "momentum" not in optimizer.defaults and not self.use_beta1:
            raise ValueError(f"OneCycleLR: cycle_momentum=True needs an optimizer with momentum or betas; "
                             f"{type(optimizer).__name__} has neither (pass cycle_momentum=False)")
        max_momentums = per_group(self, "max_momentum", optimizer, max_momentum)
        base_momentums = per_group(self, "base_momentum", optimizer, base_momentum)
        self._schedule_phases = _phases(self.total_steps, pct_start, three_phase)
        self._anneal_func_type = anneal_strategy
        self.cycle_momentum = cycle_momentum
        if last_epoch == -1:
            for group, top, high, low in zip(optimizer.param_groups, max_lrs, max_momentums, base_momentums):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
                if cycle_momentum:
                    self._set_momentum(group, high)
                    group["max_momentum"], group["base_momentum"] = high, low
        super().__init__(optimizer, last_epoch)

    def _total_steps(self, total_steps: int | None, epochs: int | None, steps_per_epoch: int | None) -> int:
        if total_steps is not None:
            check_int(self, "total_steps", total_steps, low=1)
            return total_steps
        if epochs is None or steps_per_epoch is None:
            raise ValueError("OneCycleLR: give either total_steps or both epochs and steps_per_epoch")
        check_int(self, "epochs", epochs, low=1)
        check_int(self, "steps_per_epoch", steps_per_epoch, low=1)
        return epochs * steps_per_epoch

    def _set_momentum(self, group: dict[str, Any], momentum: float) -> None:
        if self.use_beta1:
            group["betas"] = (momentum, *group["betas"][1:])
        else:
            group["momentum"] = momentum

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"OneCycleLR: tried to step {step} times, but total_steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    break
                start_step = end_step
            lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
            if self.cycle_momentum:
                self._set_momentum(group, self._anneal(group[phase["start_momentum"]],
                                                       group[phase["end_momentum"]], pct))
        return lrs


def _phases(total_steps: int, pct_start: float, three_phase: bool) -> list[dict[str, Any]]:
    """Where each phase of the 1cycle policy ends, and which group keys it goes from and to."""
    def phase(end_step: float, lrs: tuple[str, str], momenta: tuple[str, str]) -> dict[str, Any]:
        return {"end_step": end_step, "start_lr": lrs[0], "end_lr": lrs[1],
                "start_momentum": momenta[0], "end_momentum": momenta[1]}
    up = phase(float(pct_start * total_steps) - 1, ("initial_lr", "max_lr"), ("max_momentum", "base_momentum"))
    if not three_phase:
        return [up, phase(total_steps - 1, ("max_lr", "min_lr"), ("base_momentum", "max_momentum"))]
    back = phase(float(2 * pct_start * total_steps) - 2, ("max_lr", "initial_lr"), ("base_momentum", "max_momentum"))
    return [up, back, phase(total_steps - 1, ("initial_lr", "min_lr"), ("max_momentum", "max_momentum"))]
