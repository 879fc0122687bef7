"""LRScheduler, the base of every learning-rate schedule, and the argument checks they share.

A schedule's `get_lr()` works out each group's new lr from the group's current lr, in the very
form torch.optim.lr_scheduler uses, so the numbers match PyTorch's to the last bit and
schedules can be chained. The schedules themselves are in lr_scheduler.py, one_cycle.py,
plateau.py and scheduler_chains.py; users import them all from `optim.lr_scheduler`.
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

from tinygrad_edu.optim.optimizer import Optimizer


class LRScheduler:
    """Base class: a subclass checks its arguments, then calls `super().__init__`, and writes
    `get_lr()`: the lr of every group at epoch `self.last_epoch`."""

    _not_saved: tuple[str, ...] = ("optimizer", "_is_initial")

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        check_int(self, "last_epoch", last_epoch, low=-1)
        if last_epoch != -1:
            missing = [i for i, group in enumerate(optimizer.param_groups) if "initial_lr" not in group]
            if missing:
                raise KeyError(f"{type(self).__name__}: resuming at last_epoch={last_epoch} needs 'initial_lr' in "
                               f"param group(s) {missing}; load the optimizer's state dict first")
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.optimizer = optimizer
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._initial_step()

    def _initial_step(self) -> None:
        """Epoch 0 (or the epoch after last_epoch): most schedules keep the current lr here."""
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        raise NotImplementedError

    def step(self) -> None:
        """Move to the next epoch and set each group's lr. Call it after `optimizer.step()`."""
        self.last_epoch += 1
        try:
            lrs = self.get_lr()
        except Exception:
            self.last_epoch -= 1   # a schedule that refuses to go on changes nothing
            raise
        self._step_count += 1
        self._set_lrs(lrs)

    def _set_lrs(self, lrs: Sequence[float]) -> None:
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _restart(self) -> None:
        """Start again at epoch 0 from the base lrs (SequentialLR does this at a milestone)."""
        self._set_lrs(self.base_lrs)
        self.last_epoch = -1
        self._initial_step()

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group, as set by the last `step()`."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything the schedule needs to resume (not the optimizer: it saves its own lrs)."""
        return {key: _copied(value) for key, value in vars(self).items() if key not in self._not_saved}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume the schedule from `state_dict()`; load the optimizer's state dict too.

        Everything is checked first: a dict that does not fit changes nothing."""
        self._check_saved(state_dict)
        for key in vars(self).keys() - set(self._not_saved):
            setattr(self, key, _copied(state_dict[key]))

    def _check_saved(self, state_dict: Any) -> None:
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, dict):
            raise TypeError(f"{name}: expected a dict from state_dict(), got {type(state_dict).__name__}")
        missing = sorted(set(self.state_dict()) - set(state_dict))
        if missing:
            raise ValueError(f"{name}: the saved state lacks {missing}; was it saved from a {type(self).__name__}?")


def _copied(value: Any) -> Any:
    """Lists and dicts copied one level, so a saved state dict and the scheduler share nothing."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def check_optimizer(scheduler: Any, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(scheduler).__name__}: expected an Optimizer, got {type(optimizer).__name__}")


def check_int(scheduler: Any, name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{type(scheduler).__name__}: {name} must be an int >= {low}, got {value!r}")


def check_number(scheduler: Any, name: str, value: Any, low: float, high: float = math.inf,
                  low_included: bool = True) -> None:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and (low <= value if low_included else low < value) and value <= high   # False for NaN too
    if not ok:
        bound = f"{'>=' if low_included else '>'} {low}" + ("" if high == math.inf else f" and <= {high}")
        raise ValueError(f"{type(scheduler).__name__}: {name} must be a number {bound}, got {value!r}")


def per_group(scheduler: Any, name: str, optimizer: Optimizer, value: Any) -> list:
    """One value for each parameter group: a list/tuple must have one per group."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(f"{type(scheduler).__name__}: {name} has {len(value)} values, but the optimizer "
                             f"has {groups} parameter groups")
        return list(value)
    return [value] * groups
