"""Module and Parameter: how a network keeps track of what it learns.

A `Parameter` is a Tensor that a model learns (it requires grad by default). A `Module`
notices every Parameter and every sub-Module assigned to one of its attributes, so

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 2)       # registered as the child "fc"

gives `net.parameters()` (for the optimizer), `net.state_dict()` with the names PyTorch uses
(`fc.weight`, `fc.bias`), `net.to("cuda")`, `net.train()`/`net.eval()` and a printed tree.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, NamedTuple, ParamSpec, Protocol, TypeVar

from tinygrad_edu import backend
from tinygrad_edu.autograd import RemovableHandle
from tinygrad_edu.ops.conversion import parse_to_args
from tinygrad_edu.tensor import Tensor


if TYPE_CHECKING:
    _Args = ParamSpec("_Args")
    _Result = TypeVar("_Result", covariant=True)

    class _HasForward(Protocol[_Args, _Result]):
        def forward(self, *args: _Args.args, **kwargs: _Args.kwargs) -> _Result: ...

    class _CallsForward:
        """What type checkers see as Module.__call__: `model(x)` takes the arguments of the
        model's own `forward` and has its return type (PyTorch's stubs give Any instead)."""

        def __get__(self, module: _HasForward[_Args, _Result], owner: type | None = None
                    ) -> Callable[_Args, _Result]:
            raise NotImplementedError


class Parameter(Tensor):
    """A Tensor that a Module learns: `requires_grad=True` by default, and picked up by
    `Module.parameters()` when assigned to a module attribute. It shares the data of a Tensor
    it is made from."""

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            data = backend.array_module(backend.get_default_device()).zeros((0,), dtype=backend.get_default_dtype())
        if isinstance(data, Tensor):   # share the tensor's memory, as torch.nn.Parameter does
            self._become_leaf(data.array, data._device, requires_grad)
        else:
            super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` skipped: keys the model has but the dict lacks, and the reverse."""
    missing_keys: list[str]
    unexpected_keys: list[str]


def _check_name(name: Any, what: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{what} name must be a string, got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f'{what} name must be non-empty and cannot contain ".", got {name!r}')


def _parse_to_args(args: tuple, device: Any, dtype: Any) -> tuple[str | None, Any]:
    """module.to('cuda'), module.to(tg.float64), module.to('cpu', tg.float32), read as Tensor.to reads them."""
    device, dtype = parse_to_args(args, device, dtype)
    if dtype is not None and not backend.is_floating(dtype):
        raise TypeError(f"Module.to: only floating-point dtypes are allowed for a model, got {dtype}")
    return device, dtype


def zero_grads(params: Iterable[Tensor], set_to_none: bool = True) -> None:
    """Forget the gradients of `params` (Module.zero_grad and Optimizer.zero_grad both use this).

    With set_to_none=False the gradients become zero tensors instead of None. They are
    fresh arrays rather than zeroed in place, because a gradient may share its array with
    another tensor (the backward of `a + b` hands one array to both).
    """
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
        else:
            p.grad = Tensor._make(p.xp.zeros_like(p.grad.array), p._device, False, None)


class Module:
    """The base class of every layer and every model.

    Subclasses call `super().__init__()` first, assign Parameters and sub-Modules as
    attributes, and define `forward`. Calling the module calls `forward`.
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__ because our own __setattr__ needs these dicts to exist already.
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} has no forward(); define forward(self, ...) in your "
                                  f"Module subclass")

    def _call_impl(self, *args: Any, **kwargs: Any) -> Any:
        out = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            replaced = hook(self, args, out)
            if replaced is not None:
                out = replaced
        return out

    # Calling a module runs forward (and the forward hooks). A type checker sees __call__ with
    # forward's own signature, so `model(x)` is a Tensor where forward returns one.
    if TYPE_CHECKING:
        __call__ = _CallsForward()
    else:
        __call__ = _call_impl

    def register_forward_hook(self, hook: Callable[["Module", tuple, Any], Any]) -> RemovableHandle:
        """Call `hook(module, inputs, output)` after every forward; a returned value replaces the output."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    # ---- registering parameters, buffers and sub-modules by attribute ------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        params: OrderedDict[str, Parameter | None] = self.__dict__.get("_parameters")  # type: ignore[assignment]
        if isinstance(value, (Parameter, Module)) and params is None:
            raise AttributeError(f"cannot assign {type(value).__name__} '{name}' before Module.__init__() is called; "
                                 f"call super().__init__() first in {type(self).__name__}.__init__")
        if isinstance(value, Parameter):
            self._forget(name, keep=params)     # a replaced parameter keeps its place in the order
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name, keep=self._modules)
            self._modules[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign a {type(value).__name__} as parameter '{name}' of "
                                f"{type(self).__name__} (a Parameter or None is expected); wrap it: nn.Parameter(...)")
            params[name] = None
        elif params is not None and name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign a {type(value).__name__} as child module '{name}' of "
                                f"{type(self).__name__} (a Module or None is expected)")
            self._modules[name] = None
        elif params is not None and name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign a {type(value).__name__} as buffer '{name}' of "
                                f"{type(self).__name__} (a Tensor or None is expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails: parameters, buffers and children live in dicts.
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def _forget(self, name: str, keep: dict | None = None) -> None:
        """Drop `name` from every place it may be registered, except `keep`."""
        self.__dict__.pop(name, None)
        for store in (self._parameters, self._buffers, self._modules):
            if store is not keep:
                store.pop(name, None)
        self._non_persistent.discard(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        _check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter: '{name}' must be a Parameter or None, got {type(param).__name__}")
        self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor the module keeps and moves with `.to()` but does not learn (e.g. running statistics);
        persistent buffers are part of the state dict."""
        _check_name(name, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: '{name}' must be a Tensor or None, got {type(tensor).__name__}")
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        _check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: '{name}' must be a Module or None, got {type(module).__name__}")
        self._forget(name)
        self._modules[name] = module

    register_module = add_module

    # ---- walking the tree ------------------------------------------------------------------

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """This module and every module inside it, depth first, with dotted names ('' for this one)."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self._modules.items():
            if child is not None:
                yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The direct sub-modules, with their attribute names."""
        seen = set()
        for name, child in self._modules.items():
            if child is not None and id(child) not in seen:
                seen.add(id(child))
                yield name, child

    def children(self) -> Iterator[Module]:
        for _, child in self.named_children():
            yield child

    def _named_members(self, store: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, t in getattr(module, store).items():
                if t is None or (remove_duplicate and id(t) in seen):
                    continue
                seen.add(id(t))
                yield (f"{module_prefix}.{name}" if module_prefix else name), t

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every parameter with its dotted name (`conv1.weight`); a shared parameter appears once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter, for an optimizer: `optim.SGD(model.parameters(), lr=0.1)`."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call fn on every sub-module, then on this one (e.g. to initialise weights)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ---- saving and loading ----------------------------------------------------------------

    def state_dict(self, destination: OrderedDict[str, Tensor] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """name -> Tensor for every parameter and persistent buffer, in registration order.

        The tensors share data with the model (detached from the graph unless keep_vars=True);
        save them with `tg.save(model.state_dict(), path)`.
        """
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, child in self._modules.items():
            if child is not None:
                child.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values (Tensors or arrays, e.g. `{k: v.numpy()}` from PyTorch) into the parameters and buffers.

        Everything is checked first: with strict=True every key must match; shapes must always
        match. On any problem a RuntimeError lists all of them and the model is left unchanged;
        a value that is not numbers at all (a string, None, a dict) is a TypeError naming its key.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict: expected a dict of name -> Tensor or array, got "
                            f"{type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        wrong_types = [f"{name!r} should be a Tensor or array of shape {tuple(target.shape)} and dtype "
                       f"{target.dtype}, got a {type(state_dict[name]).__name__}"
                       for name, target in own.items() if name in state_dict and not _array_like(state_dict[name])]
        if wrong_types:
            raise TypeError(f"load_state_dict: cannot load into {type(self).__name__}; the model was not "
                            f"changed:\n  " + "\n  ".join(wrong_types))
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(repr(k) for k in missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(repr(k) for k in unexpected))
        new_data = {}
        for name, target in own.items():
            if name in state_dict:
                array, problem = _converted(state_dict[name], target)
                if problem:
                    problems.append(f"{name}: {problem}")
                else:
                    new_data[name] = array
        if problems:
            raise RuntimeError(f"load_state_dict: cannot load into {type(self).__name__}; the model was not "
                               f"changed:\n  " + "\n  ".join(problems))
        for name, array in new_data.items():
            own[name].array = array
        return IncompatibleKeys(missing, unexpected)

    # ---- modes, devices, gradients ---------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        """Training mode (the default): Dropout drops. Returns the module, so `model.train()` chains."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: mode must be True or False, got {mode!r}")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout passes everything through unchanged."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last backward (they add up otherwise)."""
        zero_grads(self.parameters(), set_to_none)

    def to(self, *args: Any, device: Any = None, dtype: Any = None) -> Module:
        """Move (and/or convert) every parameter and buffer in place: `model.to("cuda")`.

        The Parameter objects stay the same — only their data moves — so an optimizer made
        before `.to()` keeps working. Integer buffers keep their dtype.
        """
        device, dtype = _parse_to_args(args, device, dtype)
        tensors = {id(t): t for t in list(self.parameters()) + list(self.buffers())}.values()
        moved = []
        for t in tensors:   # convert everything first, so a failure changes nothing
            data = backend.to_device(t.array, device or t.device)
            grad = None if t.grad is None else backend.to_device(t.grad.array, device or t.device)
            if dtype is not None and backend.is_floating(t.dtype):
                data = data.astype(dtype, copy=False)
                grad = None if grad is None else grad.astype(dtype, copy=False)
            moved.append((t, data, grad))
        for t, data, grad in moved:
            t.array, t._device = data, device or t._device
            if grad is not None:
                t.grad = Tensor._make(grad, t._device, False, None)
        return self

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self) -> Module:
        return self.to("cuda")

    def float(self) -> Module:
        return self.to(backend.float32)

    def double(self) -> Module:
        return self.to(backend.float64)

    # ---- printing --------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown between the parentheses, e.g. `in_features=4, out_features=2, bias=True`."""
        return ""

    def __repr__(self) -> str:
        lines = self.extra_repr().split("\n") if self.extra_repr() else []
        for name, child in self._modules.items():
            child_text = repr(child).replace("\n", "\n  ")   # indent the child's own lines
            lines.append(f"({name}): {child_text}")
        if not lines:
            return f"{type(self).__name__}()"
        if len(lines) == 1 and not self._modules:
            return f"{type(self).__name__}({lines[0]})"
        return f"{type(self).__name__}(\n  " + "\n  ".join(lines) + "\n)"


def _array_like(value: Any) -> bool:
    """Whether load_state_dict can read `value` as numbers: a Tensor, an array (anything with a
    shape, e.g. a NumPy, CuPy or PyTorch array), a number, or a (nested) list of numbers.
    A string is not: NumPy would turn it into an array of text."""
    return isinstance(value, (Tensor, bool, int, float, list, tuple)) or hasattr(value, "shape")


def _converted(value: Any, target: Tensor) -> tuple[Any, str | None]:
    """`value` as a fresh array on target's device and dtype, or the reason it cannot be."""
    data = value.array if isinstance(value, Tensor) else value
    shape = getattr(data, "shape", None)
    try:
        if shape is None:
            data = backend.to_device(data, "cpu")
            shape = data.shape
        shape = tuple(int(n) for n in shape)
    except (TypeError, ValueError) as e:
        return None, f"cannot use a {type(value).__name__} as an array ({e})"
    if shape != tuple(target.shape):
        return None, f"shape {shape} in the state dict does not match shape {tuple(target.shape)} in the model"
    try:
        array = backend.to_device(data, target.device, target.dtype)
    except (TypeError, ValueError) as e:
        return None, f"cannot convert a {type(value).__name__} of dtype {getattr(data, 'dtype', '?')} to " \
                     f"{target.dtype} ({e})"
    # A copy, so the model never shares memory with the dict it was loaded from.
    return array.copy(), None
