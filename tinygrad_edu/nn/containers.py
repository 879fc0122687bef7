"""Containers that register what they hold: ModuleDict, ParameterList and ParameterDict.

A plain Python dict or list of layers or parameters hides them from the Module: they would be
missing from `parameters()` (so the optimizer never updates them), from `state_dict()` and
from `.to()`. These containers register every item under its key ("0", "1", ... for a list),
so `model.heads["cls"].weight` is saved as `heads.cls.weight`, as in PyTorch.
(Sequential and ModuleList live in layers.py.)
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.tensor import Tensor


def _pairs(items: Any, container: str) -> list[tuple[Any, Any]]:
    """(key, value) pairs from a mapping or an iterable of pairs, all checked before anything is added,
    so a bad update leaves the container as it was."""
    if isinstance(items, (Mapping, ModuleDict, ParameterDict)):
        return list(items.items())
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"{container}.update: expected a mapping or an iterable of (key, value) pairs, "
                        f"got {type(items).__name__}")
    pairs = []
    for i, pair in enumerate(items):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise ValueError(f"{container}.update: element {i} should be a (key, value) pair, got {pair!r}")
        pairs.append(tuple(pair))
    return pairs


def _check_key(key: Any, owner: Module, store: dict) -> str:
    container = type(owner).__name__
    if not isinstance(key, str):
        raise TypeError(f"{container}: keys must be strings, got {type(key).__name__} {key!r}")
    if not key or "." in key:
        raise KeyError(f'{container}: key must be non-empty and cannot contain ".", got {key!r}')
    if key not in store and hasattr(owner, key):   # "training", "keys": registering would hide or break it
        raise KeyError(f"{container}: key {key!r} is already an attribute of {container}; choose another name")
    return key


def _as_parameter(value: Any, container: str) -> Parameter:
    """A Parameter as it is; a Tensor becomes a Parameter sharing its memory (as in PyTorch)."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        return Parameter(value)
    raise TypeError(f"{container} holds Parameters (or Tensors, which become Parameters), "
                    f"got a {type(value).__name__}")


def _describe(p: Tensor) -> str:
    """One line per parameter in a container's repr, as PyTorch prints it."""
    size = "x".join(str(n) for n in p.shape)
    device = "" if p.device == "cpu" else f" ({p.device})"
    return f"Parameter containing: [{p.dtype} of size {size}{device}]"


class ModuleDict(Module):
    """Modules by name, registered: `nn.ModuleDict({"encoder": nn.Linear(4, 8), "head": nn.Linear(8, 2)})`.
    Keeps insertion order; indexing, `in`, len(), iteration (over keys), keys/items/values, update, pop."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no module {key!r}; it holds {list(self._modules)}")
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        if key in self._modules and isinstance(module, Module):   # a replaced module keeps its place
            self._modules[key] = module
        else:
            self.add_module(_check_key(key, self, self._modules), module)

    def __delitem__(self, key: str) -> None:
        self.__getitem__(key)
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> Iterable[str]:
        return self._modules.keys()

    def items(self) -> Iterable[tuple[str, Module]]:
        return self._modules.items()

    def values(self) -> Iterable[Module]:
        return self._modules.values()

    def pop(self, key: str) -> Module:
        module = self[key]
        del self[key]
        return module

    def clear(self) -> None:
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace modules from a mapping or from (key, module) pairs."""
        pairs = _pairs(modules, "ModuleDict")
        for key, module in pairs:
            _check_key(key, self, self._modules)
            if not isinstance(module, Module):
                raise TypeError(f"ModuleDict: {key!r} must be a Module, got {type(module).__name__}")
        for key, module in pairs:
            self[key] = module

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ModuleDict has no forward(): call the modules it holds, e.g. d['head'](x)")


class ParameterList(Module):
    """Parameters in a list, registered under "0", "1", ... (a Tensor becomes a Parameter):
    indexing and slicing, len(), iteration, append, extend, +=."""

    def __init__(self, values: Iterable[Tensor] | None = None) -> None:
        super().__init__()
        if values is not None:
            self.extend(values)

    def _key(self, idx: int) -> str:
        if isinstance(idx, bool) or not isinstance(idx, int):
            raise TypeError(f"ParameterList indices must be integers or slices, got {type(idx).__name__}")
        n = len(self)
        if not -n <= idx < n:
            raise IndexError(f"ParameterList: index {idx} is out of range for {n} parameters")
        return str(idx % n)

    def __getitem__(self, idx: int | slice) -> Parameter | ParameterList:
        if isinstance(idx, slice):
            return ParameterList(list(self._parameters.values())[idx])
        return self._parameters[self._key(idx)]

    def __setitem__(self, idx: int, param: Tensor) -> None:
        key = self._key(idx)
        self._parameters[key] = _as_parameter(param, "ParameterList")

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self._parameters.values())

    def __iadd__(self, parameters: Iterable[Tensor]) -> ParameterList:
        return self.extend(parameters)

    def append(self, value: Tensor) -> ParameterList:
        self.register_parameter(str(len(self)), _as_parameter(value, "ParameterList"))
        return self

    def extend(self, values: Iterable[Tensor]) -> ParameterList:
        if isinstance(values, Tensor) or not hasattr(values, "__iter__"):
            raise TypeError(f"ParameterList.extend: expected an iterable of Parameters, got {type(values).__name__}")
        params = [_as_parameter(v, "ParameterList") for v in values]   # all checked before any is added
        for p in params:
            self.append(p)
        return self

    def extra_repr(self) -> str:
        return "\n".join(f"  ({i}): {_describe(p)}" for i, p in enumerate(self))

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ParameterList has no forward(): use the parameters it holds")


class ParameterDict(Module):
    """Parameters by name, registered (a Tensor becomes a Parameter): indexing, `in`, len(), iteration
    (over keys), keys/items/values, get, update, pop, setdefault."""

    def __init__(self, parameters: Mapping[str, Tensor] | Iterable[tuple[str, Tensor]] | None = None) -> None:
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key: str) -> Parameter:
        if key not in self._parameters:
            raise KeyError(f"ParameterDict has no parameter {key!r}; it holds {list(self._parameters)}")
        return self._parameters[key]

    def __setitem__(self, key: str, value: Tensor) -> None:
        value = _as_parameter(value, "ParameterDict")
        if key in self._parameters:   # a replaced parameter keeps its place
            self._parameters[key] = value
        else:
            self.register_parameter(_check_key(key, self, self._parameters), value)

    def __delitem__(self, key: str) -> None:
        self.__getitem__(key)
        del self._parameters[key]

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __contains__(self, key: object) -> bool:
        return key in self._parameters

    def keys(self) -> Iterable[str]:
        return self._parameters.keys()

    def items(self) -> Iterable[tuple[str, Parameter]]:
        return self._parameters.items()

    def values(self) -> Iterable[Parameter]:
        return self._parameters.values()

    def get(self, key: str, default: Any = None) -> Any:
        return self._parameters.get(key, default)

    def pop(self, key: str) -> Parameter:
        value = self[key]
        del self[key]
        return value

    def setdefault(self, key: str, default: Tensor) -> Parameter:
        if key not in self:
            self[key] = default
        return self[key]

    def clear(self) -> None:
        self._parameters.clear()

    def update(self, parameters: Mapping[str, Tensor] | Iterable[tuple[str, Tensor]]) -> None:
        """Add or replace parameters from a mapping or from (key, tensor) pairs."""
        pairs = [(_check_key(k, self, self._parameters), _as_parameter(v, "ParameterDict"))
                 for k, v in _pairs(parameters, "ParameterDict")]
        for key, value in pairs:
            self[key] = value

    def extra_repr(self) -> str:
        return "\n".join(f"  ({key}): {_describe(p)}" for key, p in self.items())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("ParameterDict has no forward(): use the parameters it holds")
