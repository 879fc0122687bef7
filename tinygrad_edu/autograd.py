"""Reverse-mode automatic differentiation.

Three pieces live here:

* grad mode: whether new operations are recorded into a graph (`no_grad`, `enable_grad`);
* `Function`: one operation. `forward` computes on backend arrays; `backward` receives the
  gradient of the output as a Tensor and returns the gradients of the inputs, built from
  differentiable Tensor operations. Because backward is itself made of recorded operations,
  `create_graph=True` records the backward pass and gradients of gradients come for free;
* the backward engine: order the graph (iteratively, so deep graphs cannot overflow the
  stack), walk it from the output back to the leaves, and sum the gradients that meet.
"""
from __future__ import annotations

import contextlib
import itertools
import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from tinygrad_edu import backend

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor

import tinygrad_edu.tensor as tensor_module  # Function builds Tensors; tensor.py builds on Function


# ---- grad mode -----------------------------------------------------------------------------

class _GradMode(threading.local):
    enabled = True   # a class attribute, so every new thread starts with recording on


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    return _grad_mode.enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off inside a `with` block or a decorated function.

    The setting is per thread, like PyTorch's: one thread's `no_grad` never affects another.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(_grad_mode.enabled)
        _grad_mode.enabled = self.mode

    def __exit__(self, *exc: Any) -> None:
        _grad_mode.enabled = self._previous.pop()


class no_grad(set_grad_enabled):
    """Compute without recording a graph: for evaluation and for updating weights by hand."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record a graph again inside a `no_grad` region."""

    def __init__(self) -> None:
        super().__init__(True)


# ---- Function ------------------------------------------------------------------------------

class Function:
    """One differentiable operation.

    Subclasses write `forward(self, *arrays, **options) -> array` and
    `backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]` (one gradient per
    input; None where `self.needs_input_grad[i]` is False). Anything forward stores on `self`
    for backward is freed once backward has used it, unless the graph is retained.
    """

    inputs: tuple[Tensor, ...]
    needs_input_grad: tuple[bool, ...]
    xp: Any                      # the array module (numpy or cupy) the inputs live in
    position: int = 0            # the order in which forward ran (from 1); 0 again once released
    freed: bool = False
    uses_output = False          # set by ops whose backward reads their own result (exp, sigmoid)
    moves_device = False         # set by the one op whose result lives on another device

    def forward(self, *arrays: Any, **options: Any) -> Any:
        raise NotImplementedError

    def backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run forward and, when gradients are wanted, link the result into the graph."""
        # This runs for every operation, forward and backward, so it is kept lean.
        first = inputs[0]
        device = first._device
        if len(inputs) == 1:   # most ops, and most steps of a backward pass: nothing to gather
            arrays, needs_grad = (first.data,), (first.requires_grad,)
        else:
            arrays, needs_grad = [], []
            for t in inputs:   # one plain loop: comprehensions cost a call each
                if t._device != device:
                    cls._raise_device_mismatch(inputs)
                arrays.append(t.data)
                needs_grad.append(t.requires_grad)
        fn = object.__new__(cls)
        fn.xp = _array_modules[device]   # a tensor exists on `device`, so it is set up
        try:
            data = fn.forward(*arrays, **options)
        except (ValueError, IndexError, TypeError) as e:
            shapes = ", ".join(f"{tuple(t.shape)} {t.dtype}" for t in inputs)
            raise type(e)(f"{cls.op_name()}: {e} (inputs: {shapes})") from None
        if cls.moves_device:
            device = options["device"]
        if device != "cpu":
            backend.check_array(data, device, cls.op_name())
        if _forward_hooks:
            fn.position = next(_positions)
            for hook in _forward_hooks:
                hook(fn, data)
        if not (_grad_mode.enabled and True in needs_grad):
            return _make_tensor(data, device, False, None)
        if not _forward_hooks:
            fn.position = next(_positions)
        fn.inputs = inputs
        fn.needs_input_grad = tuple(needs_grad)
        out = _make_tensor(data, device, True, fn)
        if cls.uses_output:
            fn._output = weakref.ref(out)  # weak: the output already owns this node, no cycle
        return out

    @classmethod
    def _raise_device_mismatch(cls, inputs: Sequence[Tensor]) -> None:
        devices = ", ".join(f"{tuple(t.shape)} on {t.device}" for t in inputs)
        names = sorted({t.device for t in inputs})
        raise RuntimeError(f"{cls.op_name()}: expected all tensors on one device, got {devices}; "
                           f"move them with " + " or ".join(f".to('{d}')" for d in names))

    @classmethod
    def op_name(cls) -> str:
        return cls.__name__.lower()

    def name(self) -> str:
        """The name PyTorch would show, e.g. MulBackward."""
        return f"{type(self).__name__}Backward"

    def output(self) -> Tensor:
        """The tensor forward produced (only for ops that set `uses_output`)."""
        return self._output()

    def constant(self, array: Any) -> Tensor:
        """Wrap an array computed in backward (a mask, a weight) as a Tensor outside the graph."""
        return tensor_module.Tensor._make(array, self.inputs[0].device, False, None)

    def release(self) -> None:
        """Free what forward saved and forget the inputs: this node cannot run backward again."""
        self.__dict__.clear()
        self.freed = True


_array_modules = backend.array_modules
_make_tensor: Callable[..., Tensor]   # Tensor._make; tensor.py sets it once Tensor exists
_positions = itertools.count(1)   # numbers ops in the order their forward ran

# Called as hook(fn, output_array) after every forward; used by detect_anomaly.
_forward_hooks: list[Callable[[Function, Any], None]] = []
_backward_hooks: list[Callable[[Function, tuple], None]] = []


# ---- the backward engine -------------------------------------------------------------------

def topological_order(roots: Sequence[Tensor]) -> list[Tensor]:
    """Every tensor that `roots` depend on through recorded ops, inputs before outputs.

    Each recorded op carries its `position` in forward order, and an op's output is always
    made after its inputs, so sorting the tensors by position puts every input before the
    tensors computed from it. Finding the tensors uses an explicit stack, not recursion, so
    a chain of 100,000 operations works at Python's default recursion limit.
    """
    # Keyed by position. Released ops all read position 0, so the first one met is still
    # stacked, popped and reported.
    found = {r.grad_fn.position: r for r in roots if r.grad_fn is not None}
    stack = list(found.values())
    while stack:
        fn = stack.pop().grad_fn
        if fn.freed:
            raise RuntimeError(
                "backward: trying to backward through the graph a second time; its saved "
                "values were freed after the first backward. Pass retain_graph=True to the "
                "first backward() if you need to go through it again")
        for inp in fn.inputs:
            made_by = inp.grad_fn
            if made_by is not None and made_by.position not in found:
                found[made_by.position] = inp
                stack.append(inp)
    return [found[position] for position in sorted(found)]


def _sum_to_shape(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Undo broadcasting: an input that was stretched to a bigger shape receives the sum of
    the gradient over the stretched dimensions (called only when the shapes differ)."""
    from tinygrad_edu.ops.movement import sum_to   # ops build on this module, so imported late
    return sum_to(grad, shape)


def run_backward(roots: Sequence[Tensor], root_grads: Sequence[Tensor], retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Tensor] | None = None,
                 allow_unused: bool = False) -> list[Tensor | None] | None:
    """Propagate gradients from `roots` back through the graph.

    Without `inputs`, gradients are accumulated into the `.grad` of leaves (and of tensors that
    called `retain_grad()`), as `Tensor.backward` does. With `inputs`, their gradients are
    returned instead and no `.grad` is touched, as `tg.grad` does.
    """
    grads: dict[int, Tensor] = {}
    leaves: dict[int, Tensor] = {}   # leaves get their gradient summed over the whole walk
    for root, g in zip(roots, root_grads):
        grads[id(root)] = grads[id(root)] + g if id(root) in grads else g
        if root.grad_fn is None:
            leaves[id(root)] = root
    wanted = {id(t): i for i, t in enumerate(inputs)} if inputs is not None else None
    found: list[Tensor | None] = [None] * len(inputs) if inputs is not None else []
    order = topological_order(roots)

    with set_grad_enabled(create_graph):
        for t in reversed(order):
            grad = grads.pop(id(t), None)
            if grad is None:
                continue
            if t._hooks:
                grad = _apply_hooks(t, grad)
            if wanted is not None:
                if id(t) in wanted:
                    found[wanted[id(t)]] = grad
            elif t._retains_grad:
                _accumulate(t, grad, create_graph)
            fn = t.grad_fn
            input_grads = fn.backward(grad)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if _backward_hooks:
                for hook in _backward_hooks:
                    hook(fn, input_grads)
            for inp, g in zip(fn.inputs, input_grads):
                if g is None or not inp.requires_grad:
                    continue
                if g.data.shape != inp.data.shape:
                    g = _sum_to_shape(g, inp.data.shape)
                key = id(inp)
                earlier = grads.get(key)
                if earlier is None:
                    grads[key] = g
                    if inp.grad_fn is None:   # a leaf: its gradient is complete only at the end
                        leaves[key] = inp
                else:                         # a second path reaches inp: gradients add up
                    grads[key] = earlier + g
            if not retain_graph:
                fn.release()

        for key, grad in grads.items():
            leaf = leaves[key]
            if leaf._hooks:
                grad = _apply_hooks(leaf, grad)
            if wanted is not None:
                if key in wanted:
                    found[wanted[key]] = grad
            else:
                _accumulate(leaf, grad, create_graph)

    if wanted is None:
        return None
    for i, (t, g) in enumerate(zip(inputs, found)):
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {tuple(t.shape)}) was not used to compute the "
                               f"outputs; pass allow_unused=True to get None for it")
    return found


def _apply_hooks(t: Tensor, grad: Tensor) -> Tensor:
    for hook in list(t._hooks.values()):
        replaced = hook(grad)
        if replaced is not None:
            if replaced.shape != grad.shape:
                raise RuntimeError(f"register_hook: a hook returned a gradient of shape "
                                   f"{tuple(replaced.shape)} for a tensor of shape {tuple(grad.shape)}")
            grad = replaced
    return grad


def _accumulate(t: Tensor, grad: Tensor, create_graph: bool) -> None:
    """Add `grad` into `t.grad`: gradients from several backward calls add up until zeroed."""
    if not create_graph:
        grad = grad.detach()
    if t.grad is None:
        t.grad = grad
    elif create_graph:
        t.grad = t.grad + grad
    else:
        t.grad = tensor_module.Tensor._make(t.grad.data + grad.data, t.device, False, None)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Tensor | Sequence[Tensor] | None = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of `outputs` with respect to `inputs`, without touching any `.grad`.

    With `create_graph=True` the result is itself differentiable (for gradients of gradients).
    """
    outputs = [outputs] if isinstance(outputs, tensor_module.Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, tensor_module.Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, tensor_module.Tensor):
        grad_outputs = [grad_outputs]
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {tuple(t.shape)}) does not require grad")
    roots_grads = [initial_gradient(o, g, "grad") for o, g in zip(outputs, grad_outputs)]
    if retain_graph is None:
        retain_graph = create_graph
    return tuple(run_backward(outputs, roots_grads, retain_graph, create_graph, inputs, allow_unused))


def initial_gradient(root: Tensor, gradient: Any, op: str) -> Tensor:
    """The gradient backward starts from: 1 for a scalar root, else the one the user gave."""
    Tensor = tensor_module.Tensor
    if not root.requires_grad:
        raise RuntimeError(f"{op}: the tensor does not require grad and has no grad_fn; nothing "
                           f"that requires grad was used to compute it (create leaves with requires_grad=True)")
    if gradient is None:
        if root.numel() != 1:
            raise RuntimeError(f"{op}: gradient can be created implicitly only for a scalar output, "
                               f"but the output has shape {tuple(root.shape)}; pass gradient= a tensor of "
                               f"that shape, or reduce it first (e.g. .sum())")
        return Tensor._make(root.xp.ones(root.shape, dtype=root.dtype), root.device, False, None)
    if not isinstance(gradient, Tensor):
        gradient = Tensor(gradient, dtype=root.dtype, device=root.device)
    if gradient.shape != root.shape:
        raise RuntimeError(f"{op}: gradient has shape {tuple(gradient.shape)} but the output has shape "
                           f"{tuple(root.shape)}; they must match")
    if gradient.device != root.device:
        raise RuntimeError(f"{op}: gradient is on {gradient.device} but the output is on {root.device}")
    return gradient


def backward(tensors: Tensor | Iterable[Tensor], grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate into leaves' `.grad` the gradients of several outputs at once."""
    roots = [tensors] if isinstance(tensors, tensor_module.Tensor) else list(tensors)
    if grad_tensors is None or isinstance(grad_tensors, tensor_module.Tensor):
        grad_tensors = [grad_tensors] * len(roots) if grad_tensors is None else [grad_tensors]
    root_grads = [initial_gradient(r, g, "backward") for r, g in zip(roots, grad_tensors)]
    run_backward(roots, root_grads, create_graph if retain_graph is None else retain_graph, create_graph)
