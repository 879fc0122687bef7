"""Learning-rate schedules: change each group's lr as training goes on.

    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=100)
    for epoch in range(100):
        train_one_epoch(model, optimizer)     # optimizer.step() inside
        scheduler.step()                      # after optimizer.step(), as in PyTorch

Every schedule is an `LRScheduler`: creating one sets epoch 0's learning rates, and each
`step()` moves to the next epoch. Its `get_lr()` works out the new lr of each group from the
group's current lr, in the very form torch.optim.lr_scheduler uses (each docstring gives the
closed form it amounts to), so the numbers match PyTorch's to the last bit and schedules can
be chained: ChainedScheduler applies several at once, SequentialLR one after another.
`state_dict()` holds every attribute except the optimizer, with PyTorch's names.
"""
from __future__ import annotations

import math
import numbers
import types
from collections import Counter
from typing import Any, Callable, Sequence

from tinygrad_edu.optim.one_cycle import OneCycleLR
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.plateau import ReduceLROnPlateau
from tinygrad_edu.optim.scheduler import LRScheduler, check_int, check_number, check_optimizer, per_group
from tinygrad_edu.optim.scheduler_chains import ChainedScheduler, SequentialLR


class LambdaLR(LRScheduler):
    """lr = base_lr * lr_lambda(epoch), with one function for all groups or one per group.

    Only callable objects' attributes are saved by state_dict(); plain functions are not
    (as in PyTorch): pass the same function when you resume."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        self.lr_lambdas = _lambdas(self, optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * fn(self.last_epoch) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    _not_saved = (*LRScheduler._not_saved, "lr_lambdas")

    def state_dict(self) -> dict[str, Any]:
        # a function cannot be saved; a callable object's attributes can
        lambdas = [None if isinstance(fn, types.FunctionType) else dict(vars(fn)) for fn in self.lr_lambdas]
        return {**super().state_dict(), "lr_lambdas": lambdas}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for fn, attributes in zip(self.lr_lambdas, state_dict["lr_lambdas"]):
            if attributes is not None:
                vars(fn).update(attributes)

    def _check_saved(self, state_dict: Any) -> None:
        super()._check_saved(state_dict)
        if len(state_dict["lr_lambdas"]) != len(self.lr_lambdas):
            raise ValueError(f"{type(self).__name__}.load_state_dict: the saved state has "
                             f"{len(state_dict['lr_lambdas'])} lr_lambdas, this scheduler {len(self.lr_lambdas)}")


class MultiplicativeLR(LambdaLR):
    """lr = lr * lr_lambda(epoch) at every step after the first: the factors multiply up."""

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * fn(self.last_epoch) for fn, lr in zip(self.lr_lambdas, self._current_lrs())]

    def _restart(self) -> None:
        # PyTorch's SequentialLR multiplies the current lr by lr_lambda(0) here
        self.last_epoch = 0
        self._set_lrs([lr * fn(0) for fn, lr in zip(self.lr_lambdas, self._current_lrs())])


def _lambdas(scheduler: Any, optimizer: Optimizer, lr_lambda: Any) -> list:
    lambdas = per_group(scheduler, "lr_lambda", optimizer, lr_lambda)
    for fn in lambdas:
        if not callable(fn):
            raise TypeError(f"{type(scheduler).__name__}: lr_lambda must be a function, got {type(fn).__name__}")
    return lambdas


class StepLR(LRScheduler):
    """lr = base_lr * gamma ** (epoch // step_size): multiplied by gamma every step_size epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        if isinstance(step_size, bool) or not isinstance(step_size, numbers.Integral) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        check_number(self, "gamma", gamma, 0.0)
        self.step_size: int = step_size
        self.gamma: float = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma ** (number of milestones <= epoch); a milestone listed twice counts twice."""

    def __init__(self, optimizer: Optimizer, milestones: Sequence[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        milestones = list(milestones)
        for milestone in milestones:
            check_int(self, "each milestone", milestone, low=0)
        check_number(self, "gamma", gamma, 0.0)
        self.milestones = dict(Counter(milestones))   # epoch -> how many times it is listed
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        count = self.milestones.get(self.last_epoch, 0)
        if count == 0:
            return self._current_lrs()
        return [lr * self.gamma ** count for lr in self._current_lrs()]


class ConstantLR(LRScheduler):
    """lr = base_lr * factor for epochs before total_iters, base_lr from then on (a warm-up)."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        check_number(self, "factor", factor, 0.0, 1.0, low_included=False)
        check_int(self, "total_iters", total_iters, low=0)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]


class LinearLR(LRScheduler):
    """lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters) / total_iters)."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3, end_factor: float = 1.0,
                 total_iters: int = 5, last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        check_number(self, "start_factor", start_factor, 0.0, 1.0, low_included=False)
        check_number(self, "end_factor", end_factor, 0.0, 1.0)
        check_int(self, "total_iters", total_iters, low=1)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        # the ratio of this epoch's factor to the last one's
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [lr * ratio for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        check_number(self, "gamma", gamma, 0.0)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class PolynomialLR(LRScheduler):
    """lr = base_lr * (1 - min(epoch, total_iters) / total_iters) ** power."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        check_int(self, "total_iters", total_iters, low=1)
        check_number(self, "power", power, 0.0)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        ratio = ((1.0 - self.last_epoch / self.total_iters) / (1.0 - (self.last_epoch - 1) / self.total_iters))
        return [lr * ratio ** self.power for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2.

    Half a cosine from base_lr down to eta_min over T_max epochs; past T_max it climbs back
    up again (PyTorch's schedule continues the cosine), so stop at T_max or restart."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        check_int(self, "T_max", T_max, low=1)
        check_number(self, "eta_min", eta_min, 0.0)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        epoch, T_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (epoch - 1 - T_max) % (2 * T_max) == 0:   # leaving the bottom: the ratio below would be 0 / 0
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
                    for base_lr, lr in zip(self.base_lrs, self._current_lrs())]
        ratio = (1 + math.cos(math.pi * epoch / T_max)) / (1 + math.cos(math.pi * (epoch - 1) / T_max))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]


class CosineAnnealingWarmRestarts(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2, where T_cur counts the
    epochs since the last restart and T_i, the length of this cycle, starts at T_0 and is
    multiplied by T_mult at each restart. `step(epoch)` accepts fractional epochs
    (`scheduler.step(epoch + i / iters_per_epoch)`), as in PyTorch."""

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        check_int(self, "T_0", T_0, low=1)
        check_int(self, "T_mult", T_mult, low=1)
        check_number(self, "eta_min", eta_min, 0.0)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            check_number(self, "epoch", epoch, 0.0)
            self.T_cur, self.T_i = self._position(epoch)
        self.last_epoch = math.floor(epoch)
        self._step_count += 1
        self._set_lrs(self.get_lr())

    def _position(self, epoch: float) -> tuple[float, int]:
        """(T_cur, T_i) at a given epoch: which cycle it falls in, and how far into it."""
        if epoch < self.T_0:
            return epoch, self.T_0
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        # cycles have lengths T_0, T_0 * T_mult, T_0 * T_mult^2, ...: n cycles end at T_0 (T_mult^n - 1) / (T_mult - 1)
        n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        return epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1), self.T_0 * self.T_mult ** n

    def _restart(self) -> None:
        self.T_cur, self.T_i = -1, self.T_0
        super()._restart()


__all__ = ["LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR", "ConstantLR", "LinearLR",
           "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "OneCycleLR",
           "ReduceLROnPlateau", "ChainedScheduler", "SequentialLR"]
