"""Reverse-mode automatic differentiation.

Three pieces live here:

* grad mode: whether new operations are recorded into a graph (`no_grad`, `enable_grad`),
  and the study hooks (`hooks`), both per thread;
* `Function`: one operation. `forward` computes on backend arrays; `backward` receives the
  gradient of the output as a Tensor and returns the gradients of the inputs, built from
  differentiable Tensor operations. Because backward is itself made of recorded operations,
  `create_graph=True` records the backward pass and gradients of gradients come for free;
* the backward engine: order the graph (iteratively, so deep graphs cannot overflow the
  stack), walk it from the output back to the leaves, and sum the gradients that meet.

This module imports neither Tensor nor any op. It builds tensors through the `_make` of the
tensors it is handed, and undoes broadcasting through their `sum_to_size` method.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import re
import sys
import threading
import warnings as _warnings
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from tinygrad_edu import backend

if TYPE_CHECKING:   # for type hints only: the engine works on whatever tensors it is handed
    from tinygrad_edu.tensor import Tensor
    # tinygrad_edu/__init__.py adds these at import time, so tg.autograd.grad works as in torch.autograd
    from tinygrad_edu.study.anomaly import detect_anomaly
    from tinygrad_edu.study.gradcheck import gradcheck
    from tinygrad_edu.tensor import backward, grad

ForwardHook = Callable[["Function", Any], None]        # hook(fn, output_array) after each forward
BackwardHook = Callable[["Function", tuple], None]     # hook(fn, input_grads) after each backward step


# ---- grad mode and study hooks: per thread ---------------------------------------------------

class _ThreadState(threading.local):
    # Class attributes, so every new thread starts recording, with no hooks.
    grad_enabled = True
    inference = False
    forward_hooks: tuple[ForwardHook, ...] = ()
    backward_hooks: tuple[BackwardHook, ...] = ()
    keep_graphs = False   # study mode (tg.study.keep_graphs): backward keeps every value and gradient


_state = _ThreadState()


def is_grad_enabled() -> bool:
    return _state.grad_enabled


def is_inference_mode_enabled() -> bool:
    return _state.inference


class _GradMode:
    """What no_grad, enable_grad, set_grad_enabled and inference_mode share: a `with` block
    that sets the grad mode (and, if `inference` is not None, the inference flag) and restores
    both on exit, and a decorator.

    The setting is per thread, like PyTorch's: one thread's `no_grad` never affects another.
    As a decorator it enters a fresh copy (`clone()`) on every call, so two threads (or a
    recursion) in the same decorated function never share a saved mode.
    """

    def __init__(self, grad: bool, inference: bool | None = None) -> None:
        self.grad, self.inference = bool(grad), inference
        self._saved: list[tuple[bool, bool]] = []

    def clone(self) -> _GradMode:
        return _GradMode(self.grad, self.inference)

    def __enter__(self) -> None:
        self._saved.append((_state.grad_enabled, _state.inference))
        _state.grad_enabled = self.grad
        if self.inference is not None:
            _state.inference = self.inference

    def __exit__(self, *exc: Any) -> None:
        _state.grad_enabled, _state.inference = self._saved.pop()

    def __call__(self, func: Callable) -> Callable:
        if inspect.isgeneratorfunction(func):
            return _generator_with_mode(func, self.clone)

        @functools.wraps(func)
        def with_mode(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)
        return with_mode


def _generator_with_mode(func: Callable, mode: Callable[[], _GradMode]) -> Callable:
    """A generator runs in `mode()` while it runs, and the caller's mode holds between its steps."""
    @functools.wraps(func)
    def generator_with_mode(*args: Any, **kwargs: Any) -> Any:
        with mode():
            gen = func(*args, **kwargs)
            try:
                answer = gen.send(None)
            except StopIteration as done:
                return done.value
        while True:
            try:
                request = yield answer
            except GeneratorExit:
                with mode():
                    gen.close()
                raise
            except BaseException:   # thrown in by the caller: hand it to the generator
                step: Callable = lambda: gen.throw(*sys.exc_info())   # noqa: E731
            else:
                step = lambda: gen.send(request)   # noqa: E731
            try:
                with mode():
                    answer = step()
            except StopIteration as done:
                return done.value
    return generator_with_mode


class _NoArgumentMode(_GradMode):
    """A mode that takes no argument, so that it also decorates without parentheses, as in
    PyTorch: `@tg.no_grad` as well as `@tg.no_grad()`."""

    def __new__(cls, func: Callable | None = None) -> Any:
        if func is None:
            return super().__new__(cls)
        return cls()(func)


class no_grad(_NoArgumentMode):  # noqa: N801 — named like torch.no_grad
    """Compute without recording a graph: for evaluation and for updating weights by hand."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(_NoArgumentMode):  # noqa: N801
    """Record a graph again inside a `no_grad` region."""

    def __init__(self) -> None:
        super().__init__(True)


class set_grad_enabled(_GradMode):  # noqa: N801
    """Turn graph recording on or off: as a plain call (`tg.set_grad_enabled(False)` holds until
    changed), in a `with` block (restored at its end), or as a decorator, as in PyTorch."""

    def __init__(self, mode: bool) -> None:
        super().__init__(mode)
        self._before = _state.grad_enabled
        _state.grad_enabled = self.grad   # at once, as torch.set_grad_enabled: a plain call must work

    def __enter__(self) -> None:
        self._saved.append((self._before, _state.inference))   # the mode before the call set it

    def __call__(self, func: Callable) -> Callable:
        _state.grad_enabled = self._before   # decorating changes nothing until the function runs
        return super().__call__(func)

    def clone(self) -> _GradMode:
        return _GradMode(self.grad)


class inference_mode(_GradMode):  # noqa: N801
    """PyTorch's faster no_grad: here no_grad that also sets `tg.is_inference_mode_enabled()`.
    `inference_mode(False)` records again; `@tg.inference_mode` decorates without parentheses."""

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)   # used as @inference_mode: `mode` is the function

    def __init__(self, mode: bool = True) -> None:
        super().__init__(not mode, inference=mode)


class RemovableHandle:
    """Returned when a hook is added; `.remove()` takes it away again (safe to call twice)."""
    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = next(RemovableHandle._ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _without(hooks: tuple, hook: Callable | None) -> tuple:
    """`hooks` less the first occurrence of `hook`."""
    if hook not in hooks:
        return hooks
    i = hooks.index(hook)
    return hooks[:i] + hooks[i + 1:]


class _StudyHooks(RemovableHandle):
    def __init__(self, forward: ForwardHook | None, backward: BackwardHook | None) -> None:
        self.forward, self.backward = forward, backward
        # New tuples rather than appends: a walk already iterating the old tuple is not disturbed.
        _state.forward_hooks += (forward,) if forward is not None else ()
        _state.backward_hooks += (backward,) if backward is not None else ()

    def remove(self) -> None:
        _state.forward_hooks = _without(_state.forward_hooks, self.forward)
        _state.backward_hooks = _without(_state.backward_hooks, self.backward)
        self.forward = self.backward = None


def add_hooks(forward: ForwardHook | None = None, backward: BackwardHook | None = None) -> RemovableHandle:
    """Watch every operation in this thread until `.remove()` is called on the result.

    `forward(fn, output_array)` runs after each op's forward; `backward(fn, input_grads)` after
    each step of a backward pass. This is the door the study tools (`detect_anomaly`,
    `Recorder`, `trace_backward`) use; like grad mode it is per thread, and a thread started
    inside it is not watched.
    """
    return _StudyHooks(forward, backward)


@contextlib.contextmanager
def hooks(forward: ForwardHook | None = None, backward: BackwardHook | None = None) -> Iterator[None]:
    """`add_hooks` for a `with` block: the hooks are removed when the block ends."""
    handle = add_hooks(forward, backward)
    try:
        yield
    finally:
        handle.remove()


def active_hooks() -> tuple[tuple[ForwardHook, ...], tuple[BackwardHook, ...]]:
    """The forward and backward hooks watching this thread (for tests and curious readers)."""
    return _state.forward_hooks, _state.backward_hooks


# ---- Function ------------------------------------------------------------------------------

def _snake_case(name: str) -> str:
    """LeakyReLU -> leaky_relu, MaxPool2d -> max_pool2d: a word starts at a capital that follows a
    lower-case letter and is followed by one (so the acronym in ReLU stays one word)."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])", "_", name).lower()


class Function:
    """One differentiable operation: `forward` on arrays, `backward` on Tensors.

    Subclasses write `forward(self, *arrays, **options) -> array` and
    `backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]` (one gradient per
    input; None where `self.needs_input_grad[i]` is False), and run with
    `MyOp.apply(*tensors, **options)`. Anything forward stores on `self` for backward is freed
    once backward has used it, unless the graph is retained. `self.xp` is the array module
    (NumPy or CuPy) of the inputs, so one forward runs on every device.

    A user-defined op, complete:

    >>> import tinygrad_edu as tg
    >>> class Cube(tg.Function):
    ...     '''f(x) = x³;  df/dx = 3x²'''
    ...     def forward(self, x):
    ...         return x ** 3
    ...     def backward(self, grad):
    ...         x, = self.inputs
    ...         return grad * 3.0 * x * x
    >>> x = tg.tensor([1.0, 2.0], requires_grad=True)
    >>> y = Cube.apply(x)
    >>> y.sum().backward()
    >>> y, x.grad
    (Tensor([1., 8.], grad_fn=<CubeBackward>), Tensor([ 3., 12.]))

    `apply` makes a new node for every call. A subclass may define `__init__(self)` (no
    arguments) to set up state; options belong in `forward`'s keyword arguments.
    """

    inputs: tuple[Tensor, ...]
    # The node that made each input when forward ran (None for a leaf): the graph's edges. An
    # input changed in place later gets a new grad_fn; this op's gradient still goes to the old.
    input_fns: tuple[Function | None, ...]
    needs_input_grad: tuple[bool, ...]
    xp: Any                      # the array module (numpy or cupy) the inputs live in
    hooks: dict[int, Callable] | None = None   # register_hook on this node's output tensor
    retained: Any = None         # a weak reference to the output, once it called retain_grad()
    position: int = 0            # the order in which forward ran (from 1); 0 again once released
    freed: bool = False
    # Once released (see release): the leaves it read (None for none), and its output's
    # (shape, dtype, device); what draw_graph needs after backward().
    leaf_inputs: tuple[Tensor | None, ...] | None
    output_outline: tuple[tuple[int, ...], Any, str]
    uses_output = False          # set by ops whose backward reads their own result (exp, sigmoid)
    _output: Callable[[], Tensor | None]   # set only for those: a weak reference to the result
    kept_output: Tensor          # the result, held once the op after it let go of it in backward
    moves_device = False         # set by the one op whose result lives on another device
    # Set by ops whose forward calls NumPy's ufuncs right in its own code (or does no arithmetic):
    # NumPy's warnings are then filed under the op's module, where the warnings filter drops
    # them, which costs less than a quiet block (see backend/special.py). A user's own Function
    # gets the quiet block.
    quiet_by_filter = False
    is_view = False              # set by ops whose result may share the input's memory (reshape)
    # Which inputs backward reads, for each input's gradient (None: all of them). Add reads
    # none, Mul's gradient for a reads b: ((1,), (0,)). Only what is read must be unchanged.
    reads: tuple[tuple[int, ...], ...] | None = None
    saved_versions: tuple[int, ...] | None = None   # the inputs' versions at forward (None: all 0)
    output_version = 0           # the output's version once made (an in-place op's output is bumped)
    _has_init = False            # whether the subclass sets up state in __init__

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._has_init = cls.__init__ is not Function.__init__

    def forward(self, *arrays: Any, **options: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, *arrays, **options)")

    def backward(self, grad: Tensor) -> Tensor | tuple[Tensor | None, ...]:
        raise NotImplementedError(f"{type(self).__name__} must define backward(self, grad)")

    @classmethod
    def apply(cls, *inputs: Tensor, **options: Any) -> Tensor:
        """Run forward and, when gradients are wanted, link the result into the graph."""
        # This runs for every operation, forward and backward, so it is kept lean.
        # One, then two inputs are most ops and most steps of a backward pass: they are
        # unpacked by hand (a loop costs more than the work); any number takes the loop.
        first = inputs[0]
        device = first._device
        n = len(inputs)
        arrays: tuple[Any, ...]
        needs_grad: tuple[bool, ...]
        input_fns: tuple[Function | None, ...]
        if n == 1:
            arrays, needs_grad, input_fns = (first.array,), (first.requires_grad,), (first.grad_fn,)
            changed_before = first._version_box is not None
        elif n == 2:
            second = inputs[1]
            if second._device != device:
                cls._raise_device_mismatch(inputs)
            arrays, needs_grad = (first.array, second.array), (first.requires_grad, second.requires_grad)
            input_fns = (first.grad_fn, second.grad_fn)
            changed_before = first._version_box is not None or second._version_box is not None
        else:
            array_list, flags, fns, changed_before = [], [], [], False
            for t in inputs:
                if t._device != device:
                    cls._raise_device_mismatch(inputs)
                array_list.append(t.array)
                flags.append(t.requires_grad)
                fns.append(t.grad_fn)
                if t._version_box is not None:
                    changed_before = True
            arrays, needs_grad, input_fns = tuple(array_list), tuple(flags), tuple(fns)
        fn = cls._new_node() if cls._has_init else object.__new__(cls)
        fn.xp = _array_modules[device]   # a tensor exists on `device`, so it is set up
        # Overflow gives inf and 0/0 nan, silently, as in PyTorch (backend/special.py says how):
        # through the warnings filter where forward calls NumPy itself, else a quiet block.
        if cls.quiet_by_filter:
            filters = _warnings.filters
            if not filters or filters[0] is not _floating_point_filter[0]:
                backend.put_floating_point_filter_first()
            quiet = None
        else:
            quiet = _quiet_numpy()
        try:
            # (without **options when there are none: an empty dict still costs a call's worth)
            data = fn.forward(*arrays, **options) if options else fn.forward(*arrays)
        except (FloatingPointError, RuntimeWarning):   # np.seterr(all="raise"), or warnings made errors
            with backend.ieee_quietly():
                data = fn.forward(*arrays, **options)
        except (ValueError, IndexError, TypeError) as e:
            named = _in_op(e, cls, inputs)
            if named is e:
                raise
            raise named from e   # `from e`: the failing line stays in the traceback
        finally:
            if quiet is not None:
                _restore_numpy(quiet)
        if not data.ndim:   # NumPy hands back a scalar, not a 0-d array, for e.g. a full sum
            data = fn.xp.asarray(data)
        if cls.moves_device:
            device = options["device"]
        if device != "cpu":
            backend.check_array(data, device, cls.op_name())
        state = _state
        hooks = state.forward_hooks
        if hooks:
            fn.position = next(_positions)
            for hook in hooks:
                hook(fn, data)
        if not (state.grad_enabled and True in needs_grad):
            out = first._make(data, device, False, None)
            if cls.is_view and _is_view_of(data, first.array):
                out._become_view_of(first, first.requires_grad)   # as in PyTorch, even under no_grad
            return out
        if not hooks:
            fn.position = next(_positions)
        fn.inputs = inputs
        fn.input_fns = input_fns
        fn.needs_input_grad = needs_grad
        if changed_before:   # an input was changed in place (or viewed) before: remember its version
            fn.saved_versions = tuple([0 if (box := t._version_box) is None else box[0] for t in inputs])
        out = first._make(data, device, True, fn)
        if cls.is_view and _is_view_of(data, first.array):
            out._become_view_of(first, True)
        if cls.uses_output:
            fn._output = weakref.ref(out)  # weak: the output already owns this node, no cycle
        return out

    @classmethod
    def _new_node(cls) -> Function:
        try:
            return cls()
        except TypeError as e:
            raise TypeError(f"{cls.__name__}.__init__ must take no arguments: apply() creates one node per "
                            f"call with {cls.__name__}(); pass options to apply() and read them in forward "
                            f"instead ({e})") from e

    @classmethod
    def _raise_device_mismatch(cls, inputs: Sequence[Tensor]) -> None:
        devices = ", ".join(f"{tuple(t.shape)} on {t.device}" for t in inputs)
        names = sorted({t.device for t in inputs})
        raise RuntimeError(f"{cls.op_name()}: expected all tensors on one device, got {devices}; "
                           f"move them with " + " or ".join(f".to('{d}')" for d in names))

    @classmethod
    def op_name(cls) -> str:
        """The op's name in messages, e.g. log_softmax (AddScalar is an add with a number: add)."""
        return _snake_case(cls.__name__.removesuffix("Scalar"))

    def name(self) -> str:
        """The name PyTorch would show, e.g. MulBackward."""
        return f"{type(self).__name__.removesuffix('Scalar')}Backward"

    def output(self) -> Tensor:
        """The tensor forward produced (only for ops that set `uses_output`)."""
        return self._output()  # type: ignore[return-value]  # alive: the caller holds the output

    def read_inputs(self) -> Iterable[int]:
        """The inputs backward reads, for the gradients it has to give (`reads`; None: all)."""
        if self.reads is None:
            return range(len(self.inputs))
        return {i for g, reads in zip(self.needs_input_grad, self.reads) if g for i in reads}

    def check_versions(self) -> None:
        """Refuse to run backward when a tensor it reads was changed in place since forward."""
        for i in self.read_inputs():
            t = self.inputs[i]
            was = 0 if self.saved_versions is None else self.saved_versions[i]
            if t._version != was:
                self._raise_changed(f"input {i}", t, was)
        out = self._output() if self.uses_output else None
        if out is not None and out._version != self.output_version:
            self._raise_changed("its output", out, self.output_version)

    def _raise_changed(self, which: str, t: Tensor, was: int) -> None:
        raise RuntimeError(
            f"backward: one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: {which} of {self.op_name()} ({self.name()}), a tensor of shape "
            f"{tuple(t.shape)}, is at version {t._version}; expected version {was} instead. Change a copy "
            f"(x = x.clone()) or write the operation out of place (x = x + y instead of x += y)")

    def constant(self, array: Any) -> Tensor:
        """Wrap an array computed in backward (a mask, a weight) as a Tensor outside the graph."""
        first = self.inputs[0]
        return first._make(array, first._device, False, None)

    def forget(self) -> None:
        """Free everything, outline included (see release): for graphs too big to draw."""
        self.__dict__.clear()
        self.freed = True

    def release(self, grad: Tensor) -> None:
        """Free what forward saved and the links to intermediate tensors: this node cannot run
        backward again. What stays is the graph's outline, which holds no intermediate array:
        the ops behind this one, the leaves it read (parameters and inputs, alive anyway) and its
        output's shape, dtype and device (`grad`'s), so that draw_graph still works after backward().

        Runs once per op and backward, so it is lean: one new dict, and a new tuple of leaves
        only for an op that reads both leaves and intermediate tensors."""
        inputs, input_fns = self.inputs, self.input_fns
        leaves: tuple[Tensor | None, ...] | None
        if None not in input_fns:          # no leaf among the inputs
            leaves = None
        elif len(input_fns) == 1:          # one input, a leaf: the tuple as it is
            leaves = inputs
        else:
            leaves = tuple([t if f is None else None for t, f in zip(inputs, input_fns)])
        array = grad.array
        self.__dict__ = {"freed": True, "input_fns": input_fns, "leaf_inputs": leaves,
                         "output_outline": (array.shape, array.dtype, grad._device)}


def _is_view_of(data: Any, source: Any) -> bool:
    """Whether `data` is a view of `source`'s memory (NumPy and CuPy point a view at the owner)."""
    base = data.base
    return base is not None and (base is source or base is source.base)


def _in_op(error: Exception, cls: type[Function], inputs: Sequence[Tensor]) -> Exception:
    """The same kind of error, with the op's name and its inputs' shapes and dtypes added (the
    error itself where its message names the op already)."""
    if str(error).startswith(f"{cls.op_name()}:"):
        return error
    shapes = ", ".join(f"{tuple(t.shape)} {t.dtype}" for t in inputs)
    try:
        return type(error)(f"{cls.op_name()}: {error} (inputs: {shapes})")
    except Exception:   # an exception type whose constructor wants other arguments
        return error


_array_modules = backend.array_modules
_quiet_numpy, _restore_numpy = backend.quiet_numpy, backend.restore_numpy
_floating_point_filter = backend.FLOATING_POINT_FILTER
_positions = itertools.count(1)   # numbers ops in the order their forward ran
# The forward position at the latest in-place change, in any thread. An op whose forward ran
# after it has nothing to check in backward: one compare of two ints per op, the common case.
_last_change = [0]


def note_inplace_change(version_box: list) -> None:
    """Count one in-place change of a tensor (its version box, [version, has views], is shared
    with its views)."""
    version_box[0] += 1
    _last_change[0] = next(_positions)


# ---- the backward engine -------------------------------------------------------------------

# backward() keeps the outline of a graph of at most this many ops (Function.release), so that
# draw_graph works after it. A bigger graph is forgotten whole: a drawing of it would be
# unreadable (and Graphviz slow), and the outline's cost per op (keeping every node object
# alive until the root goes) shows in long chains of small ops: +4% of W3's instructions,
# +8% of W5's. Study mode (tg.study.keep_graphs) keeps any graph whole.
OUTLINE_MAX_OPS = 500


def topological_order(roots: Sequence[Function]) -> list[Function]:
    """Every recorded op that `roots` depend on, each after the ops that made its inputs.

    Each recorded op carries its `position` in forward order, and an op always runs after the
    ops that made its inputs, so sorting by position is a valid order. Finding the ops uses an
    explicit stack, not recursion, so a chain of 100,000 operations works at Python's default
    recursion limit.
    """
    # Keyed by position. Released ops all read position 0, so the first one met is still
    # stacked, popped and reported.
    found = {fn.position: fn for fn in roots}
    stack = list(found.values())
    while stack:
        fn = stack.pop()
        if fn.freed:
            raise RuntimeError(
                "backward: trying to backward through the graph a second time; its saved "
                "values were freed after the first backward. Pass retain_graph=True to the "
                "first backward() if you need to go through it again")
        for made_by in fn.input_fns:
            if made_by is not None and made_by.position not in found:
                found[made_by.position] = made_by
                stack.append(made_by)
    return [found[position] for position in sorted(found)]


# deliver(leaf tensor or node, gradient, unshared): what a caller of propagate does with a finished
# gradient; `unshared` says that nothing but the walk holds the gradient or its memory
Deliver = Callable[[Any, "Tensor", bool], None]


def propagate(roots: Sequence[Tensor], root_grads: Sequence[Tensor], retain_graph: bool, create_graph: bool,
              deliver: Deliver, wanted: frozenset[Function] = frozenset()) -> None:
    """Walk the graph from `roots` back to the leaves, handing each finished gradient on.

    Gradients are collected per node (the op that made a tensor) and, for leaves, per tensor.
    `deliver(key, grad, unshared)` receives the complete gradient of every leaf (key: the
    tensor), and of every node whose output called `retain_grad()` or that is in `wanted` (key:
    the node). A node's gradient is complete when its turn comes (the order guarantees that
    every use of its output has reported back); a leaf's only at the end of the walk, when
    `unshared` tells whether anything but the walk still holds it (`_memory_held_only_by`).
    """
    nodes: dict[Function, Tensor] = {}                # node -> gradient of its output, summed
    leaves: dict[int, tuple[Tensor, Tensor]] = {}     # id(leaf) -> (leaf, gradient summed)
    for root, g in zip(roots, root_grads):
        _add_gradient(nodes, leaves, root.grad_fn, root, g)
    if not _warnings.filters or _warnings.filters[0] is not _floating_point_filter[0]:
        backend.put_floating_point_filter_first()   # for NumPy called right inside a backward
    order = topological_order([r.grad_fn for r in roots if r.grad_fn is not None])
    outline = len(order) <= OUTLINE_MAX_OPS
    with _GradMode(create_graph):
        for fn in reversed(order):
            grad = nodes.pop(fn, None)
            if grad is None:   # nothing that needs a gradient came through this op
                continue
            if fn.hooks:
                grad = _run_tensor_hooks(fn.hooks, grad)
            if fn.retained is not None or fn in wanted:
                deliver(fn, grad, False)
            _backward_step(fn, grad, nodes, leaves, retain_graph, outline)
        grad = None   # the last node's gradient: no longer held here
        probe = object()
        one_local = sys.getrefcount(probe)   # what a reference from one local variable counts here
        for key in list(leaves):
            leaf, grad = leaves.pop(key)
            if leaf._hooks:
                grad = _run_tensor_hooks(leaf._hooks, grad)
            # (counted before the call: as deliver's argument, grad would be counted once more)
            unshared = sys.getrefcount(grad) == one_local and _memory_held_only_by(grad)
            deliver(leaf, grad, unshared)


def _backward_step(fn: Function, grad: Tensor, nodes: dict, leaves: dict, retain_graph: bool,
                   outline: bool = True) -> None:
    """One op's backward: its inputs' gradients, brought back to their shapes and collected;
    then, unless the graph is retained, the op is released (keeping its outline if `outline`)."""
    if fn.position < _last_change[0]:   # something changed in place after this forward
        fn.check_versions()
    try:   # inf and nan, silently, as in forward: propagate put the warnings filter first
        returned = fn.backward(grad)
    except (FloatingPointError, RuntimeWarning):   # np.seterr(all="raise"), or warnings made errors
        with backend.ieee_quietly():
            returned = fn.backward(grad)
    input_grads: tuple[Any, ...] = returned if type(returned) is tuple else (returned,)
    for hook in _state.backward_hooks:
        hook(fn, input_grads)
    # needs_input_grad, not inp.requires_grad: a tensor that started requiring grad after this
    # forward (requires_grad_() later) gets nothing from it, as in PyTorch.
    for inp, made_by, g, needed in zip(fn.inputs, fn.input_fns, input_grads, fn.needs_input_grad):
        if made_by is not None and made_by.uses_output and not retain_graph:
            # fn lets go of inp below; the op that made it reads it in its own backward, still to come
            made_by.kept_output = inp
        if g is None or not needed:
            continue
        if g.array.shape != inp.array.shape:
            # Undo broadcasting, in this one place: an input stretched to a bigger shape
            # receives the sum of the gradient over the stretched dimensions.
            g = g.sum_to_size(inp.array.shape)
        # _add_gradient, written out: this runs once per edge of the graph
        if made_by is None:
            earlier = leaves.get(id(inp))
            leaves[id(inp)] = (inp, g) if earlier is None else (inp, earlier[1] + g)
        else:
            earlier = nodes.get(made_by)
            nodes[made_by] = g if earlier is None else earlier + g
    if not retain_graph:
        if outline:
            fn.release(grad)
        else:
            fn.forget()


def _add_gradient(nodes: dict, leaves: dict, made_by: Function | None, t: Tensor, g: Tensor) -> None:
    """A node (or leaf) reached along several paths receives the sum of their gradients."""
    if made_by is None:
        earlier = leaves.get(id(t))
        leaves[id(t)] = (t, g) if earlier is None else (t, earlier[1] + g)
    else:
        earlier = nodes.get(made_by)
        nodes[made_by] = g if earlier is None else earlier + g


def _run_tensor_hooks(hooks: dict, grad: Tensor) -> Tensor:
    for hook in list(hooks.values()):
        replaced = hook(grad)
        if replaced is not None:
            _check_hook_result(hook, replaced, grad)
            grad = replaced
    return grad


def _check_hook_result(hook: Callable, replaced: Any, grad: Tensor) -> None:
    """A hook may return None (keep the gradient) or a Tensor like the gradient, nothing else."""
    name = getattr(hook, "__name__", repr(hook))
    if type(replaced) is not type(grad):
        raise TypeError(f"register_hook: hook {name!r} returned a {type(replaced).__name__}; expected None or "
                        f"a Tensor of shape {tuple(grad.shape)}, dtype {grad.dtype}, on {grad.device}")
    for what in ("shape", "dtype", "device"):
        if getattr(replaced, what) != getattr(grad, what):
            raise RuntimeError(f"register_hook: hook {name!r} returned a gradient with {what} "
                               f"{getattr(replaced, what)}, but the gradient has {what} {getattr(grad, what)}")


def _memory_held_only_by(t: Tensor) -> bool:
    """Whether t's array, and the memory it is a view of, are held by t alone (and by the view
    bookkeeping of t itself), and may be written.

    Counted with sys.getrefcount on attributes (each count is the holders plus the call's own
    argument), so that it does not depend on how the interpreter counts local variables."""
    if sys.getrefcount(t.array) != 2 or not getattr(t.array.flags, "writeable", True):
        return False
    if t.array.base is None:
        return True
    # A view: its memory belongs to its base array, which the view holds, and so may the tensor
    # t was made a view of (Tensor._base), if nothing but t holds that tensor.
    has_base_tensor = getattr(t, "_base", None) is not None
    if has_base_tensor and (t._base.array is not t.array.base or sys.getrefcount(t._base) != 2):
        return False
    # and the view must span its base: a slice kept as .grad would keep the whole array alive
    return sys.getrefcount(t.array.base) == 2 + has_base_tensor and t.array.nbytes == t.array.base.nbytes


def accumulate(t: Tensor, grad: Tensor, create_graph: bool, unshared: bool = False) -> None:
    """Add `grad` into `t.grad`: gradients from several backward calls add up until zeroed.

    Every `.grad` is a tensor of its own, with its own writable memory, as in PyTorch: the
    backward of `a + b` hands one array to both, and a broadcast gradient is a read-only view.
    A gradient that nothing else holds (`unshared`) and that is laid out like `t` becomes
    `.grad` without a copy, as PyTorch's AccumulateGrad takes a gradient nobody else references.
    """
    earlier = t._grad
    if create_graph:
        t._grad = grad if earlier is None else earlier + grad
    elif earlier is None:
        array = grad.array
        if not (unshared and array.strides == t.array.strides and array.dtype == t.array.dtype):
            array = array.copy()
        t._grad = t._make(array, t._device, False, None)
    elif earlier.requires_grad or not getattr(earlier.array.flags, "writeable", True):
        with backend.ieee_quietly():
            t._grad = t._make(earlier.array + grad.array, t._device, False, None)
    else:
        with backend.ieee_quietly():   # inf + -inf is nan, silently, as in every op
            earlier.array += grad.array   # in place, as PyTorch: a tensor that holds the .grad sees it


def run_backward(roots: Sequence[Tensor], root_grads: Sequence[Tensor], retain_graph: bool,
                 create_graph: bool) -> None:
    """Accumulate the gradients into the `.grad` of leaves and of tensors that retain theirs.

    In study mode (`tg.study.keep_graphs`) the graph is kept and every intermediate tensor
    gets its `.grad` too, as if each had called retain_grad(): what draw_graph shows."""
    wanted: frozenset[Function] = frozenset()
    retained: Callable[[Function], Tensor | None] = _retained_output
    if _state.keep_graphs:
        outputs = _outputs_of(roots)
        wanted, retained, retain_graph = frozenset(outputs), outputs.get, True

    def into_grad(key: Any, g: Tensor, unshared: bool) -> None:
        t = retained(key) if isinstance(key, Function) else key
        if t is not None:
            accumulate(t, g, create_graph, unshared)
    propagate(roots, root_grads, retain_graph, create_graph, into_grad, wanted)


def _retained_output(fn: Function) -> Tensor | None:
    """The output of a node whose output called retain_grad(), if it is still alive."""
    return fn.retained()


def _outputs_of(roots: Sequence[Tensor]) -> dict[Function, Tensor]:
    """node -> the tensor it made, for every node behind `roots` (each output is an input of a
    later node, or a root)."""
    outputs = {r.grad_fn: r for r in roots if r.grad_fn is not None}
    for fn in topological_order(list(outputs)):
        for t, made_by in zip(fn.inputs, fn.input_fns):
            if made_by is not None:
                outputs.setdefault(made_by, t)
    return outputs


def run_grad(roots: Sequence[Tensor], root_grads: Sequence[Tensor], inputs: Sequence[Tensor], retain_graph: bool,
             create_graph: bool, allow_unused: bool) -> tuple[Tensor | None, ...]:
    """The gradients of `roots` with respect to `inputs`, touching no `.grad`."""
    keys = [t if t.grad_fn is None else t.grad_fn for t in inputs]   # a non-leaf's gradient is its node's
    wanted = frozenset(id(k) for k in keys)
    found: dict[int, Tensor] = {}

    def keep(key: Any, g: Tensor, unshared: bool) -> None:
        if id(key) in wanted:
            found[id(key)] = g
    propagate(roots, root_grads, retain_graph, create_graph, keep, frozenset(k for k in keys if isinstance(k, Function)))
    for i, t in enumerate(inputs):
        if id(keys[i]) not in found and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {tuple(t.shape)}) was not used to compute the "
                               f"outputs; pass allow_unused=True to get None for it")
    return tuple(_writable(found.get(id(k))) for k in keys)


def _writable(g: Tensor | None) -> Tensor | None:
    """A gradient the caller may change in place: a broadcast gradient is a read-only view."""
    if g is None or g.requires_grad or getattr(g.array.flags, "writeable", True):
        return g
    return g._make(g.array.copy(), g._device, False, None)
