"""Schedules made of schedules: ChainedScheduler (at once) and SequentialLR (one after another)."""
from __future__ import annotations

from bisect import bisect_right
from typing import Any, Sequence

from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.plateau import ReduceLROnPlateau
from tinygrad_edu.optim.scheduler import LRScheduler, check_int, check_optimizer


class _SchedulerOfSchedulers(LRScheduler):
    """What ChainedScheduler and SequentialLR share: checking the schedulers, and a state dict
    that holds theirs."""
    _schedulers: list[LRScheduler]

    _not_saved = ("optimizer", "_is_initial", "_schedulers")

    def _check_schedulers(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer) -> None:
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{name}: expected at least one scheduler, got none")
        for i, scheduler in enumerate(schedulers):
            if not isinstance(scheduler, LRScheduler):
                raise TypeError(f"{name}: scheduler {i} is a {type(scheduler).__name__}, not an LRScheduler")
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(f"{name}: scheduler {i} is a ReduceLROnPlateau, whose step() needs the metric; "
                                 f"step it yourself instead")
            if scheduler.optimizer is not optimizer:
                raise ValueError(f"{name}: scheduler {i} ({type(scheduler).__name__}) belongs to another optimizer; "
                                 f"all must schedule the same one")

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "_schedulers": [s.state_dict() for s in self._schedulers]}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        for scheduler, state in zip(self._schedulers, state_dict["_schedulers"]):
            scheduler.load_state_dict(state)

    def _check_saved(self, state_dict: Any) -> None:
        super()._check_saved(state_dict)
        saved = state_dict["_schedulers"]
        if not isinstance(saved, list) or len(saved) != len(self._schedulers):
            raise ValueError(f"{type(self).__name__}.load_state_dict: expected '_schedulers' with "
                             f"{len(self._schedulers)} state dicts in the saved state")
        for scheduler, state in zip(self._schedulers, saved):   # all of them before any is loaded
            scheduler._check_saved(state)


class ChainedScheduler(_SchedulerOfSchedulers):
    """Step several schedulers at once: their changes to the lr multiply (e.g. a warm-up
    ConstantLR with an ExponentialLR decay)."""

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        schedulers = list(schedulers)
        if optimizer is None and schedulers and isinstance(schedulers[0], LRScheduler):
            optimizer = schedulers[0].optimizer
        check_optimizer(self, optimizer)
        self._check_schedulers(schedulers, optimizer)  # type: ignore[arg-type]  # check_optimizer refused None
        self._schedulers = schedulers
        self.optimizer = optimizer  # type: ignore[assignment]
        self._last_lr = self._current_lrs()

    def step(self) -> None:
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()


class SequentialLR(_SchedulerOfSchedulers):
    """Run schedulers one after another: schedulers[i + 1] takes over at epoch milestones[i],
    starting again from its epoch 0 (e.g. a LinearLR warm-up, then CosineAnnealingLR)."""

    def __init__(self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int],
                 last_epoch: int = -1) -> None:
        check_optimizer(self, optimizer)
        schedulers, milestones = list(schedulers), list(milestones)
        self._check_schedulers(schedulers, optimizer)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(f"SequentialLR: {len(schedulers)} schedulers need {len(schedulers) - 1} milestones, "
                             f"got {len(milestones)}")
        for milestone in milestones:
            check_int(self, "each milestone", milestone, low=0)
        if milestones != sorted(milestones):
            raise ValueError(f"SequentialLR: milestones must be in increasing order, got {milestones}")
        check_int(self, "last_epoch", last_epoch, low=-1)
        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        # Creating the schedulers took each one's first step; start again from the first one.
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        _step_back(self._schedulers)
        first = self._schedulers[bisect_right(milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:
        self.last_epoch += 1
        i = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[i]
        if i > 0 and self._milestones[i - 1] == self.last_epoch:
            scheduler._restart()
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


def _step_back(schedulers: Sequence[LRScheduler]) -> None:
    """Undo the first step of every scheduler, also inside nested chained/sequential ones."""
    for scheduler in schedulers:
        if isinstance(scheduler, _SchedulerOfSchedulers):
            _step_back(scheduler._schedulers)
        else:
            scheduler.last_epoch -= 1
