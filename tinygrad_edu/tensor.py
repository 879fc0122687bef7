"""Tensor: an array that remembers how it was made.

A Tensor holds its data (a NumPy or CuPy array) and, when it was produced by an operation
that needs gradients, `grad_fn`: the Function that made it, which in turn knows its inputs.
Those links are the computational graph that `backward()` walks in reverse.

This file holds what a tensor *is*: its data, its graph links, its gradient, its version
(how often its memory was changed in place) and printing. The operations (`x.relu()`, `x + y`, `x.sum()`) are declared in
`tinygrad_edu/ops/`, each once, with its forward and backward side by side; the op registry
(`ops/registry.py`) adds them to Tensor as methods and operators when `tinygrad_edu` loads.
"""
from __future__ import annotations

import warnings
import weakref
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence, overload

from tinygrad_edu import autograd, backend
from tinygrad_edu.autograd import RemovableHandle

if TYPE_CHECKING:
    # The registry adds the op methods at import time, which a type checker cannot see; this
    # base class names them statically (tinygrad_edu/declared/). At run time Tensor has no base.
    from tinygrad_edu.declared.tensor_methods import TensorMethods
else:
    TensorMethods = object

Shape = tuple[int, ...]


class Tensor(TensorMethods):
    """A multi-dimensional array with automatic differentiation.

    >>> x = Tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    Tensor([[2., 4.],
            [6., 8.]])
    """

    # _version_box: None until the tensor (or a view of its memory) is first changed in place,
    # then a one-element list shared by every tensor that sees that memory. _base: set on views.
    __slots__ = ("array", "_grad", "requires_grad", "grad_fn", "_device", "_hooks", "_retains_grad",
                 "_version_box", "_base", "__weakref__")
    __array_ufunc__ = None   # make `ndarray + Tensor` call Tensor.__radd__ instead of NumPy's loop
    array: Any                                # the NumPy or CuPy array
    requires_grad: bool
    grad_fn: autograd.Function | None         # the op that made this tensor (None for a leaf)
    _grad: Tensor | None
    _device: str
    _hooks: dict[int, Callable] | None
    _retains_grad: bool
    _version_box: list[Any] | None           # [version, whether a view was made]
    _base: Tensor

    def __init__(self, data: Any, dtype: Any = None, device: str | None = None,
                 requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            device = data.device if device is None else device
            data = data.array
        device = backend.normalize_device(device)
        try:
            if dtype is not None:
                dtype = backend.as_dtype(dtype)
            elif backend.device_of_array(data) is None:
                dtype = backend.infer_dtype(data)
            array = backend.to_device(data, device, dtype, copy=True)   # like torch.tensor: never shares
        except (ValueError, TypeError) as e:
            raise type(e)(f"Tensor: cannot make a tensor from {type(data).__name__}: {e}") from None
        if array.dtype.kind not in "biuf":
            raise TypeError(f"Tensor: unsupported dtype {array.dtype}; use numbers or booleans")
        self._become_leaf(array, device, requires_grad)

    def _become_leaf(self, array: Any, device: str, requires_grad: bool) -> None:
        """Set every field of a new leaf tensor holding `array` (shared, not copied)."""
        self.array = array
        self._grad = None
        self._version_box = None
        self.grad_fn = None
        self._device = device
        self._hooks = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(data: Any, device: str, requires_grad: bool, grad_fn: Any) -> Tensor:
        """Wrap an array already on `device` (the fast path every operation takes).

        The engine builds every result through this, reached from an input tensor, so
        autograd needs no import of Tensor; the result is a plain Tensor even when the
        input is a Parameter."""
        t = object.__new__(Tensor)
        t.array = data
        t._grad = None
        t._version_box = None
        t.requires_grad = requires_grad
        t.grad_fn = grad_fn
        t._device = device
        t._hooks = None
        t._retains_grad = False
        return t

    # ---- what a tensor is --------------------------------------------------------------

    @property
    def shape(self) -> Shape:
        return self.array.shape

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> backend.DType:
        return self.array.dtype

    @property
    def device(self) -> backend.device:
        """Where the data lives, as a tg.device (a str too: `t.device == "cuda"` works)."""
        return backend.tensor_device(self._device)

    @property
    def is_cuda(self) -> bool:
        return self._device == "cuda"

    def get_device(self) -> int:
        """The GPU's index for a tensor on the GPU, -1 on the CPU, as in PyTorch."""
        return 0 if self._device == "cuda" else -1

    @property
    def xp(self) -> Any:
        """The array module (numpy or cupy) this tensor's data lives in."""
        return backend.array_module(self._device)

    @property
    def is_leaf(self) -> bool:
        """Made by the user rather than by a recorded operation."""
        return self.grad_fn is None

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return int(self.array.size)

    @overload
    def size(self, dim: None = None) -> Shape: ...
    @overload
    def size(self, dim: int) -> int: ...

    def size(self, dim: int | None = None) -> Shape | int:
        return self.shape if dim is None else self.shape[dim]

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        return (self[i] for i in range(len(self)))

    def __hash__(self) -> int:
        return id(self)   # `==` is elementwise, so identity is the only sensible hash

    # ---- leaving the graph and the device ----------------------------------------------

    def numpy(self) -> backend.NDArray:
        """The data as a NumPy array (shares memory on the CPU, a copy from a GPU)."""
        return backend.to_numpy(self.array, self._device)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> backend.NDArray:
        """np.asarray(t) shares t's memory; np.array(t) copies (NumPy 2 passes copy=True)."""
        if self._device != "cpu":
            raise TypeError(f"cannot convert a tensor on {self._device} to NumPy implicitly; use .numpy()")
        if dtype is None or self.array.dtype == dtype:
            return self.array.copy() if copy else self.array
        if copy is False:
            raise ValueError(f"__array__: a tensor of dtype {self.dtype} cannot become {dtype} without a copy")
        return self.array.astype(dtype)

    # ---- DLPack: handing the memory to NumPy, PyTorch or CuPy without a copy ----------------

    def __dlpack__(self, *, stream: Any = None, max_version: Any = None, dl_device: Any = None,
                   copy: bool | None = None) -> Any:
        """A DLPack capsule of this tensor's memory (`torch.from_dlpack(t)`, `np.from_dlpack(t)`).

        The NumPy or CuPy array does the work; only the arguments a consumer gave are passed
        on, so older NumPy versions that know fewer of them still work. Unlike PyTorch this
        does not refuse a tensor that requires grad: like `np.asarray(t)` or `t.data`, the
        consumer gets the numbers and none of the graph."""
        given = {"stream": stream, "max_version": max_version, "dl_device": dl_device, "copy": copy}
        return self.array.__dlpack__(**{k: v for k, v in given.items() if v is not None})

    def __dlpack_device__(self) -> tuple[int, int]:
        """(DLPack device type, device index): (1, 0) on the CPU, (2, 0) for CUDA."""
        return self.array.__dlpack_device__()

    @property
    def __cuda_array_interface__(self) -> dict[str, Any]:
        """What `cupy.asarray(t)` and Numba read to share a GPU tensor's memory; a tensor on the
        CPU has none (an AttributeError, as in PyTorch, so `hasattr` answers False)."""
        if self._device != "cuda":
            raise AttributeError(f"a tensor on {self._device} has no __cuda_array_interface__; "
                                 f"np.asarray(t) or DLPack share CPU memory")
        return self.array.__cuda_array_interface__

    def item(self) -> float | int | bool:
        if self.numel() != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a Python "
                             f"number, this one has shape {self.shape}")
        return self.numpy().reshape(()).item()

    def tolist(self) -> Any:
        return self.numpy().tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        """An integer tensor of one element where Python wants an index: x.reshape(n, -1), range(n)."""
        if self.dtype.kind not in "iu" or self.numel() != 1:
            raise TypeError(f"only integer tensors of a single element can be converted to an index, "
                            f"got {self.dtype} of shape {self.shape}")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.numel()} elements is ambiguous; "
                               f"use .any() or .all()")
        return bool(self.item())

    def detach(self) -> Tensor:
        """The same data, cut from the graph: no gradient flows through the result.

        It shares the memory and the version counter: changing it in place is seen by every
        backward that needs the original's values."""
        out = Tensor._make(self.array, self._device, False, None)
        out._become_view_of(self, False, is_view=False)   # an alias outside the graph, not a view in it
        return out

    @property
    def data(self) -> Tensor:
        """The same memory as a tensor that autograd does not see, as PyTorch's `.data`.

        `p.data.add_(...)`, `m.weight.data.normal_(0, 0.02)` and `p.data -= lr * p.grad` change
        the values without being recorded and without a version change; unlike detach(), a
        backward that needs the old values cannot notice. The raw NumPy/CuPy array that a
        tensor holds is `t.array`."""
        return Tensor._make(self.array, self._device, False, None)

    @data.setter
    def data(self, value: Tensor) -> None:
        """`t.data = other` makes t hold other's memory (any shape), as in PyTorch."""
        if not isinstance(value, Tensor):
            raise TypeError(f"data: assigned value must be a Tensor, got {type(value).__name__} "
                            f"(to set the raw array, assign to .array)")
        self.array, self._device = value.array, value._device

    # ---- versions: what backward checks before it reads a saved tensor ---------------------

    @property
    def _version(self) -> int:
        """How many times this tensor's memory was changed in place (PyTorch's `t._version`)."""
        box = self._version_box
        return 0 if box is None else box[0]

    def _bump_version(self) -> None:
        """Record one in-place change of this tensor's memory (and so of every view of it)."""
        if self._version_box is None:
            self._version_box = [0, False]
        autograd.note_inplace_change(self._version_box)

    def _become_view_of(self, other: Tensor, requires_grad: bool, is_view: bool = True) -> None:
        """Share `other`'s memory bookkeeping: one version counter (a list [version, has views]),
        and, for a real view, the same base tensor."""
        if other._version_box is None:
            other._version_box = [0, False]
        self._version_box = other._version_box
        if is_view:
            self._base = getattr(other, "_base", other)
            other._version_box[1] = True
        self.requires_grad = requires_grad

    def _has_views(self) -> bool:
        """Whether a view (x[0], x.T, ...) of this tensor's memory was ever made."""
        return self._version_box is not None and self._version_box[1]

    def _is_view(self) -> bool:
        return getattr(self, "_base", None) is not None

    # ---- autograd ----------------------------------------------------------------------

    @property
    def grad(self) -> Tensor | None:
        """The gradient backward accumulated here (leaves, and tensors that called retain_grad)."""
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                          "attribute won't be populated during backward(); use .retain_grad() on the non-leaf "
                          "Tensor if you want its gradient, or access the leaf Tensor instead", UserWarning,
                          stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"assigned grad has data of a different size: the tensor has shape "
                                   f"{self.shape}, the grad {value.shape}")
            if value.dtype != self.dtype:
                raise RuntimeError(f"assigned grad has data of a different type: the tensor is {self.dtype}, "
                                   f"the grad {value.dtype}")
            if value.device != self.device:
                raise RuntimeError(f"assigned grad has data located on a different device: the tensor is on "
                                   f"{self.device}, the grad on {value.device}")
        self._grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not backend.is_floating(self.dtype):
            raise RuntimeError(f"requires_grad_: only Tensors of floating point dtype can require gradients "
                               f"(only floating-point tensors have one), this one is {self.dtype}; "
                               f"convert it first with .float()")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_: cannot turn off gradients of a non-leaf tensor; use .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep theirs)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        self._retains_grad = True
        if self.grad_fn is not None:   # the engine collects a non-leaf's gradient at its node
            self.grad_fn.retained = weakref.ref(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call `hook(grad)` when this tensor's gradient is computed; a returned Tensor replaces it.

        A non-leaf's hook is kept by the op that made it (its `grad_fn`), where the engine
        collects its gradient, as in PyTorch."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            hooks = self._hooks
        else:
            if self.grad_fn.hooks is None:
                self.grad_fn.hooks = {}
            hooks = self.grad_fn.hooks
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        return handle

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad`."""
        backward(self, gradient, retain_graph, create_graph)

    # ---- promotion: what the binary ops in ops/ call first --------------------------------

    def _operand(self, other: Any, op: str) -> tuple[Tensor, Tensor]:
        """Bring `self` and `other` to one dtype and one kind (Tensor), as PyTorch promotes
        (`backend.promote_types`: bool < integer < float, and a 0-d tensor adapts to a tensor
        with dimensions only within its category; `backend.scalar_result_dtype` for numbers)."""
        if isinstance(other, Tensor):
            if other.array.dtype == self.array.dtype:
                return self, other
            dtype = backend.promote_types(self.dtype, other.dtype, self.ndim == 0, other.ndim == 0)
            return self.to(dtype), other.to(dtype)
        if isinstance(other, (int, float, bool)):
            dtype = backend.scalar_result_dtype(self.dtype, other)
            scalar = Tensor._make(self.xp.asarray(other, dtype=dtype), self._device, False, None)
            return (self if dtype == self.dtype else self.to(dtype)), scalar
        try:
            return self._operand(Tensor(other, device=self._device), op)
        except (TypeError, ValueError):
            raise TypeError(f"{op}: unsupported operand of type {type(other).__name__}") from None

    def _keeps_dtype(self, number: Any) -> bool:
        """True for a Python number that cannot change this tensor's dtype (a float or int with a
        float tensor, an int with an integer tensor): such numbers skip the promotion machinery."""
        kind = self.array.dtype.kind
        return (type(number) is float and kind == "f") or (type(number) is int and kind in "fiu")

    # ---- printing -------------------------------------------------------------------------

    def __format__(self, spec: str) -> str:
        """f"{loss:.4f}" formats the number a one-element tensor holds (a 0-d one also with an
        empty spec, as in PyTorch); other tensors print as str(t), and only without a spec."""
        if self.ndim == 0 or (spec and self.numel() == 1):
            return format(self.item(), spec)
        if spec:
            raise TypeError(f"unsupported format string passed to Tensor.__format__: {spec!r} needs a tensor "
                            f"of one element, this one has shape {tuple(self.shape)}")
        return str(self)

    def __repr__(self) -> str:
        body = backend.format_array(self.numpy(), prefix="Tensor(")
        extras = []
        if self.dtype not in (backend.float32, backend.int64, backend.bool_):
            extras.append(f"dtype={self.dtype}")
        if self._device != "cpu":
            extras.append(f"device='{self.device}'")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "Tensor(" + body + "".join(", " + e for e in extras) + ")"


# ---- starting a backward pass ------------------------------------------------------------

def initial_gradient(root: Tensor, gradient: Any, op: str) -> Tensor:
    """The gradient backward starts from: 1 for a scalar root, else the one the user gave."""
    if not root.requires_grad:
        raise RuntimeError(f"{op}: the tensor does not require grad and has no grad_fn; nothing "
                           f"that requires grad was used to compute it (create leaves with requires_grad=True)")
    if gradient is None:
        if root.numel() != 1:
            raise RuntimeError(f"{op}: gradient can be created implicitly only for a scalar output, "
                               f"but the output has shape {tuple(root.shape)}; pass gradient= a tensor of "
                               f"that shape, or reduce it first (e.g. .sum())")
        return Tensor._make(root.xp.ones(root.shape, dtype=root.dtype), root._device, False, None)
    if not isinstance(gradient, Tensor):
        gradient = Tensor(gradient, dtype=root.dtype, device=root.device)
    if gradient.shape != root.shape:
        raise RuntimeError(f"{op}: gradient has shape {tuple(gradient.shape)} but the output has shape "
                           f"{tuple(root.shape)}; they must match")
    if gradient.device != root.device:
        raise RuntimeError(f"{op}: gradient is on {gradient.device} but the output is on {root.device}")
    return gradient


def _as_list(tensors: Any) -> list[Any]:
    return [tensors] if isinstance(tensors, Tensor) or tensors is None else list(tensors)


def backward(tensors: Tensor | Iterable[Tensor], grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False) -> None:
    """Accumulate into leaves' `.grad` the gradients of several outputs at once."""
    roots = _as_list(tensors)
    grad_tensors = [None] * len(roots) if grad_tensors is None else _as_list(grad_tensors)
    root_grads = [initial_gradient(r, g, "backward") for r, g in zip(roots, grad_tensors)]
    autograd.run_backward(roots, root_grads, create_graph if retain_graph is None else retain_graph, create_graph)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Tensor | Sequence[Tensor] | None = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """The gradients of `outputs` with respect to `inputs`, without touching any `.grad`.

    With `create_graph=True` the result is itself differentiable (for gradients of gradients).
    """
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    given = [None] * len(outputs) if grad_outputs is None else _as_list(grad_outputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {tuple(t.shape)}) does not require grad")
    root_grads = [initial_gradient(o, g, "grad") for o, g in zip(outputs, given)]
    retain_graph = create_graph if retain_graph is None else retain_graph
    return autograd.run_grad(outputs, root_grads, inputs, retain_graph, create_graph, allow_unused)
