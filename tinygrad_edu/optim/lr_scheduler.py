"""Learning-rate schedules: change each group's lr as training goes on."""
from __future__ import annotations

from typing import Any

from tinygrad_edu.optim.optimizer import Optimizer


class StepLR:
    """Multiply the learning rate by `gamma` every `step_size` calls to `step()`.

    After n calls the learning rate is initial_lr * gamma ** (n // step_size). Call
    `scheduler.step()` once per epoch, after `optimizer.step()`, as in PyTorch.
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"StepLR: expected an Optimizer, got {type(optimizer).__name__}")
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.optimizer = optimizer
        self.step_size = step_size
        self.gamma = gamma
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def step(self) -> None:
        self.last_epoch += 1
        if self.last_epoch % self.step_size == 0:
            # Multiplying the current lr (rather than recomputing from initial_lr) gives the
            # same floating-point numbers as PyTorch.
            for group in self.optimizer.param_groups:
                group["lr"] *= self.gamma
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rate of each group, as set by the last `step()`."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        return {"step_size": self.step_size, "gamma": self.gamma, "last_epoch": self.last_epoch,
                "base_lrs": list(self.base_lrs), "last_lr": list(self._last_lr)}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume the schedule; the optimizer's own lr comes back with its state dict."""
        missing = {"step_size", "gamma", "last_epoch", "base_lrs", "last_lr"} - set(state_dict)
        if missing:
            raise ValueError(f"StepLR.load_state_dict: missing keys {sorted(missing)}")
        self.step_size = int(state_dict["step_size"])
        self.gamma = float(state_dict["gamma"])
        self.last_epoch = int(state_dict["last_epoch"])
        self.base_lrs = list(state_dict["base_lrs"])
        self._last_lr = list(state_dict["last_lr"])
