"""What every optimizer shares: parameter groups, per-parameter state, zero_grad, state_dict.

An optimizer holds the parameters in *groups*: dicts with a "params" list and the
hyperparameters (lr, momentum, ...) for those parameters, so that, say, the last layer can
learn faster than the rest. Each parameter also owns some *state*: tensors the update rule
carries from one step to the next (a momentum buffer, Adam's running averages), read as in
PyTorch: `optimizer.state[p]["exp_avg"]`.

Updates change `p.array` (and the state arrays) in place, on the parameter's own device,
with its array module `p.xp`: the optimizer never records a graph and never moves data
between devices.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Callable, Iterable

from tinygrad_edu import backend
from tinygrad_edu.autograd import enable_grad
from tinygrad_edu.creation import full_like
from tinygrad_edu.nn.module import zero_grads
from tinygrad_edu.tensor import Tensor

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]]


class Optimizer:
    """Base class: subclasses set `defaults`, check hyperparameters in `_check_group` and
    write the update rule of one parameter in `_update`."""

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        # Tensor hashes by identity; a defaultdict, as in PyTorch, so state[p] of a parameter
        # that has not stepped yet is {}.
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        if isinstance(params, Tensor):
            raise TypeError(f"{self._name()}: params must be an iterable of Tensors or dicts, got a single "
                            f"Tensor of shape {params.shape}; wrap it in a list: [t]")
        groups: list[Any] = list(params)
        if not groups:
            raise ValueError(f"{self._name()}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _name(self) -> str:
        return type(self).__name__

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise ValueError for a hyperparameter outside its valid range."""

    def _require_at_least_zero(self, group: dict[str, Any], *keys: str) -> None:
        for key in keys:
            self._require_in_range(key, group[key], 0.0, math.inf)

    def _require_in_range(self, name: str, value: Any, low: float, high: float, high_included: bool = True) -> None:
        """A ValueError naming the optimizer and the hyperparameter unless low <= value <= high (or < high)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{self._name()}: {name} must be a number, got {value!r} ({type(value).__name__})")
        inside = low <= value <= high if high_included else low <= value < high   # False for NaN too
        if not inside:
            bound = f">= {low}" if high == math.inf else f"in [{low}, {high}{']' if high_included else ')'}"
            raise ValueError(f"{self._name()}: invalid {name} {value}; it must be {bound}")

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Add parameters with their own hyperparameters (the defaults fill in what is missing)."""
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{self._name()}: a parameter group must be a dict with a 'params' key, "
                            f"got {type(group).__name__}")
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        if not params:
            raise ValueError(f"{self._name()}: got an empty parameter list")
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{self._name()}: parameter {i} is a {type(p).__name__}, expected a Tensor")
            if not backend.is_floating(p.dtype):
                raise TypeError(f"{self._name()}: parameter {i} has dtype {p.dtype} and shape {p.shape}; "
                                f"only floating-point tensors can be optimized")
            if not p.is_leaf:
                raise ValueError(f"{self._name()}: parameter {i} (shape {p.shape}) is not a leaf tensor; "
                                 f"it was computed by {p.grad_fn.name()}, so an update would be overwritten")  # type: ignore[union-attr]
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in seen for p in params):
            raise ValueError(f"{self._name()}: some parameters appear more than once; "
                             f"each parameter may belong to one group only, once")
        full = {**self.defaults, **group, "params": params}
        self._check_group(full)
        self.param_groups.append(full)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward, so the next ones do not add to them.

        With set_to_none=False the gradients become zero tensors (fresh arrays) instead of None.
        """
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; `closure`, if given, recomputes the loss first."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_gradients()   # all of them first: a failure must change no parameter and no state
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:   # a parameter the loss did not use is left alone
                    continue
                state = self.state[p]
                with backend.ieee_quietly(p.xp):   # eps=0 may divide 0 by 0: a silent nan, as in PyTorch
                    self._update(p, p.grad.array, state, group)
                p._bump_version()   # an in-place change: a graph that saved p sees it
                for value in state.values():
                    if isinstance(value, Tensor):
                        value._bump_version()
        return loss

    def _check_gradients(self) -> None:
        for g, group in enumerate(self.param_groups):
            for i, p in enumerate(group["params"]):
                grad = p.grad
                if grad is None:
                    continue
                for what in ("shape", "dtype", "device"):
                    if getattr(grad, what) != getattr(p, what):
                        raise RuntimeError(f"{self._name()}.step: parameter {i} of group {g} has {what} "
                                           f"{getattr(p, what)} but its gradient has {what} {getattr(grad, what)}; "
                                           f"no parameter was changed")

    def _update(self, p: Tensor, grad: Any, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Change p.array in place from its gradient array `grad` and its state (Tensors and counts)."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: {"state": {index: {name: Tensor | int}}, "param_groups": [...]}.

        Parameters are numbered 0, 1, 2, ... in group order, as in PyTorch, so the dict does not
        depend on object identities. State tensors are copied: later steps do not change a dict
        already taken. `tg.save(optimizer.state_dict(), path)` stores it; `tg.load` gives it back.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, values in self.state.items():
            if values and id(p) in index:
                state[index[id(p)]] = {name: _copy(v) for name, v in values.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Continue from a saved `state_dict()`: restores the hyperparameters and the state.

        Everything is checked before anything changes, so a mismatched dict leaves the
        optimizer as it was. State tensors move to each parameter's device and dtype.
        """
        name = f"{self._name()}.load_state_dict"
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            keys = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(f"{name}: expected a dict with keys 'state' and 'param_groups', got {keys}")
        params, new_groups = self._restored_groups(name, list(state_dict["param_groups"]))
        new_state = _restored_state(name, state_dict["state"], params)
        for group, new_group in zip(self.param_groups, new_groups):
            group.update(new_group)   # in place: a scheduler may hold these very dicts
        self.state = new_state

    def _restored_groups(self, name: str, saved_groups: list[dict[str, Any]]) -> tuple[list[Tensor], list[dict]]:
        """This optimizer's groups with the saved hyperparameters (checked, not yet applied), and
        all parameters in group order: the numbering the saved state uses."""
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"{name}: the saved state has {len(saved_groups)} parameter groups, "
                             f"this optimizer has {len(self.param_groups)}")
        params: list[Tensor] = []
        new_groups = []
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{name}: parameter group {i} has {len(saved['params'])} parameters in the "
                                 f"saved state but {len(group['params'])} here")
            params.extend(group["params"])
            new_group = {**group, **{k: v for k, v in saved.items() if k != "params"}}
            self._check_group(new_group)
            new_groups.append(new_group)
        return params, new_groups

    def __repr__(self) -> str:
        lines = [f"{self._name()} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params")
        return "\n".join(lines) + "\n)"


def new_state(p: Tensor, fill_value: float = 0.0) -> Tensor:
    """A state tensor shaped like `p`, on its device and dtype, outside any graph."""
    return full_like(p, fill_value)


def regularized_gradient(p: Tensor, grad: Any, group: dict[str, Any]) -> Any:
    """The gradient array an update rule follows: negated with maximize=True (to climb), plus
    the L2 penalty's gradient weight_decay * p. A new array whenever it differs from `grad`,
    so p.grad itself is never changed."""
    if group["maximize"]:
        grad = -grad
    if group["weight_decay"] != 0:
        grad = grad + group["weight_decay"] * p.array
    return grad


def lerp_(start: Any, end: Any, weight: float) -> None:
    """start <- start + weight * (end - start), in place, rounded as torch's lerp_ rounds it
    (from the nearer end), so running averages match PyTorch's to the last bit more often."""
    w = start.dtype.type(weight)
    if abs(weight) < 0.5:
        start += w * (end - start)
    else:
        start[...] = end - (end - start) * (1 - w)


def _copy(value: Any) -> Any:
    return Tensor._make(value.array.copy(), value._device, False, None) if isinstance(value, Tensor) else value


def _restored_state(name: str, saved_state: dict[Any, dict[str, Any]],
                    params: list[Tensor]) -> defaultdict[Tensor, dict[str, Any]]:
    """The saved per-parameter state, keyed by the parameters themselves instead of their numbers."""
    new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
    for key, values in saved_state.items():
        i = int(key)
        if not 0 <= i < len(params):
            raise ValueError(f"{name}: the saved state names parameter {i}, but there are only {len(params)}")
        p = params[i]
        new_state[p] = {field: _restored_value(name, field, value, p, i) for field, value in values.items()}
    return new_state


def _restored_value(name: str, field: str, value: Any, p: Tensor, i: int) -> Any:
    """One saved state entry of parameter `p` (number i): the step count becomes an int (PyTorch
    keeps it as a 0-d tensor), an array is copied onto p's device and dtype as a Tensor after
    its shape is checked, anything else stays as it is."""
    if not isinstance(value, Tensor) and backend.device_of_array(value) is None:
        return value
    data = value.array if isinstance(value, Tensor) else value
    if field == "step" and data.ndim == 0:
        return int(data.item())
    if tuple(data.shape) != p.shape:
        raise ValueError(f"{name}: state {field!r} of parameter {i} has shape "
                         f"{tuple(data.shape)}, but the parameter has shape {p.shape}")
    return Tensor._make(backend.to_device(data, p._device, p.dtype).copy(), p._device, False, None)
