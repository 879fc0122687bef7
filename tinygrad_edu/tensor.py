"""Tensor: an array that remembers how it was made.

A Tensor holds its data (a NumPy or CuPy array) and, when it was produced by an operation
that needs gradients, `grad_fn`: the Function that made it, which in turn knows its inputs.
Those links are the computational graph that `backward()` walks in reverse.

The methods here are thin: each names an operation and hands it to `tinygrad_edu/ops/`,
where its forward and backward stand side by side.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

from tinygrad_edu import autograd, backend

Shape = tuple[int, ...]


def _shape_args(shape: tuple) -> tuple:
    """Accept both f(2, 3) and f((2, 3)), as PyTorch does."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


class Tensor:
    """A multi-dimensional array with automatic differentiation.

    >>> x = Tensor([[1., 2.], [3., 4.]], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    Tensor([[2., 4.],
            [6., 8.]])
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "_device", "_hooks", "_retains_grad",
                 "__weakref__")
    __array_ufunc__ = None   # make `ndarray + Tensor` call Tensor.__radd__ instead of NumPy's loop

    def __init__(self, data: Any, dtype: Any = None, device: str | None = None,
                 requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            device = data.device if device is None else device
            data = data.data
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
        self.data = array
        self.grad: Tensor | None = None
        self.grad_fn = None
        self._device = device
        self._hooks: dict[int, Callable] | None = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data: Any, device: str, requires_grad: bool, grad_fn: Any) -> Tensor:
        """Wrap an array already on `device` (the fast path every operation takes)."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t.requires_grad = requires_grad
        t.grad_fn = grad_fn
        t._device = device
        t._hooks = None
        t._retains_grad = False
        return t

    # ---- what a tensor is --------------------------------------------------------------

    @property
    def shape(self) -> Shape:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def device(self) -> str:
        return self._device

    @property
    def xp(self):
        """The array module (numpy or cupy) this tensor's data lives in."""
        return backend.array_module(self._device)

    @property
    def is_leaf(self) -> bool:
        """Made by the user rather than by a recorded operation."""
        return self.grad_fn is None

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def size(self, dim: int | None = None):
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

    def numpy(self):
        """The data as a NumPy array (shares memory on the CPU, a copy from a GPU)."""
        return backend.to_numpy(self.data, self._device)

    def __array__(self, dtype=None, copy=None):
        if self._device != "cpu":
            raise TypeError(f"cannot convert a tensor on {self._device} to NumPy implicitly; use .numpy()")
        return self.data if dtype is None else self.data.astype(dtype)

    def item(self) -> float | int | bool:
        if self.numel() != 1:
            raise ValueError(f"item: only a tensor with one element can be converted to a Python "
                             f"number, this one has shape {self.shape}")
        return self.numpy().reshape(()).item()

    def tolist(self):
        return self.numpy().tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(f"the truth value of a tensor with {self.numel()} elements is ambiguous; "
                               f"use .any() or .all()")
        return bool(self.item())

    def detach(self) -> Tensor:
        """The same data, cut from the graph: no gradient flows through the result."""
        return Tensor._make(self.data, self._device, False, None)

    def clone(self) -> Tensor:
        return elementwise.Clone.apply(self)

    def to(self, *args: Any, dtype: Any = None, device: str | None = None) -> Tensor:
        """Move to a device and/or convert to a dtype: t.to('cuda'), t.to(tg.float64)."""
        for a in args:
            if isinstance(a, str) and not a.startswith(("float", "int", "uint", "bool")):
                device = a
            else:
                dtype = a
        out = self
        if device is not None:
            device = backend.normalize_device(device)
            if device != out._device:
                out = movement.ToDevice.apply(out, device=device)
        if dtype is not None:
            dtype = backend.as_dtype(dtype)
            if dtype != out.dtype:
                out = elementwise.Cast.apply(out, dtype=dtype)
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self) -> Tensor:
        return self.to("cuda")

    def float(self) -> Tensor:
        return self.to(backend.float32)

    def double(self) -> Tensor:
        return self.to(backend.float64)

    def long(self) -> Tensor:
        return self.to(backend.int64)

    def int(self) -> Tensor:
        return self.to(backend.int32)

    def bool(self) -> Tensor:
        return self.to(backend.bool_)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    # ---- autograd ----------------------------------------------------------------------

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if requires_grad and not backend.is_floating(self.dtype):
            raise RuntimeError(f"requires_grad_: only floating-point tensors can require gradients, "
                               f"this one is {self.dtype}; convert it first with .float()")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_: cannot turn off gradients of a non-leaf tensor; use .detach()")
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep theirs)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        self._retains_grad = True

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> "_HookHandle":
        """Call `hook(grad)` when this tensor's gradient is computed; a returned Tensor replaces it."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        if self._hooks is None:
            self._hooks = {}
        handle = _HookHandle(self._hooks)
        self._hooks[handle.id] = hook
        return handle

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's `.grad`."""
        autograd.backward(self, gradient, retain_graph, create_graph)

    # ---- changing data in place (only outside the graph) --------------------------------

    def _check_inplace(self, op: str) -> None:
        if self.requires_grad and autograd.is_grad_enabled():
            raise RuntimeError(
                f"{op}: cannot change a tensor that requires grad in place while gradients are "
                f"recorded; update weights inside `with tg.no_grad():`, or write `x = x + y` instead")

    def _inplace(self, other: Any, op: str, ufunc: str) -> Tensor:
        self._check_inplace(op)
        other_data = other.data if isinstance(other, Tensor) else other
        if isinstance(other, Tensor) and other.device != self._device:
            raise RuntimeError(f"{op}: tensor is on {self._device} but the other operand is on {other.device}")
        other_shape = getattr(other_data, "shape", ())
        if other_shape != self.shape:   # (same shapes, the usual case, need no broadcasting check)
            result_shape = self.xp.broadcast_shapes(self.shape, other_shape)
            if result_shape != self.shape:
                raise ValueError(f"{op}: the result of shape {result_shape} does not fit in place into "
                                 f"a tensor of shape {self.shape}")
        try:
            getattr(self.xp, ufunc)(self.data, other_data, out=self.data, casting="same_kind")
        except TypeError as e:
            raise TypeError(f"{op}: {e}") from None
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(other, "add_ (+=)", "add")

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(other, "sub_ (-=)", "subtract")

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(other, "mul_ (*=)", "multiply")

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(other, "div_ (/=)", "divide")

    def add_(self, other: Any) -> Tensor:
        return self._inplace(other, "add_", "add")

    def sub_(self, other: Any) -> Tensor:
        return self._inplace(other, "sub_", "subtract")

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(other, "mul_", "multiply")

    def zero_(self) -> Tensor:
        self._check_inplace("zero_")
        self.data[...] = 0
        return self

    def fill_(self, value: float) -> Tensor:
        self._check_inplace("fill_")
        self.data[...] = value
        return self

    def copy_(self, source: Any) -> Tensor:
        """Overwrite the data with `source`'s (moved and converted as needed), keeping identity."""
        self._check_inplace("copy_")
        data = source.data if isinstance(source, Tensor) else source
        data = backend.to_device(data, self._device, self.dtype)
        if tuple(data.shape) != self.shape:
            raise ValueError(f"copy_: source has shape {tuple(data.shape)} but the tensor has shape {self.shape}")
        self.data[...] = data
        return self

    # ---- arithmetic ------------------------------------------------------------------------

    def _operand(self, other: Any, op: str) -> tuple[Tensor, Tensor]:
        """Bring `self` and `other` to one dtype and one kind (Tensor), as PyTorch promotes."""
        if isinstance(other, Tensor):
            if other.dtype == self.dtype:
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
        kind = self.data.dtype.kind
        return (type(number) is float and kind == "f") or (type(number) is int and kind in "fiu")

    def __add__(self, other: Any) -> Tensor:
        if self._keeps_dtype(other):
            return elementwise.AddScalar.apply(self, scalar=other)
        return elementwise.Add.apply(*self._operand(other, "add"))

    def __radd__(self, other: Any) -> Tensor:
        if self._keeps_dtype(other):
            return elementwise.AddScalar.apply(self, scalar=other)
        a, b = self._operand(other, "add")
        return elementwise.Add.apply(b, a)

    def __sub__(self, other: Any) -> Tensor:
        if self._keeps_dtype(other):
            return elementwise.AddScalar.apply(self, scalar=-other)
        return elementwise.Sub.apply(*self._operand(other, "sub"))

    def __rsub__(self, other: Any) -> Tensor:
        a, b = self._operand(other, "sub")
        return elementwise.Sub.apply(b, a)

    def __mul__(self, other: Any) -> Tensor:
        if self._keeps_dtype(other):
            return elementwise.MulScalar.apply(self, scalar=other)
        return elementwise.Mul.apply(*self._operand(other, "mul"))

    def __rmul__(self, other: Any) -> Tensor:
        if self._keeps_dtype(other):
            return elementwise.MulScalar.apply(self, scalar=other)
        a, b = self._operand(other, "mul")
        return elementwise.Mul.apply(b, a)

    def __truediv__(self, other: Any) -> Tensor:
        a, b = self._operand(other, "div")
        if not backend.is_floating(a.dtype):   # true division of integers gives floats, as in PyTorch
            a, b = a.float(), b.float()
        return elementwise.Div.apply(a, b)

    def __rtruediv__(self, other: Any) -> Tensor:
        a, b = self._operand(other, "div")
        if not backend.is_floating(a.dtype):
            a, b = a.float(), b.float()
        return elementwise.Div.apply(b, a)

    def __pow__(self, exponent: Any) -> Tensor:
        if isinstance(exponent, (int, float)) and not isinstance(exponent, bool):
            return elementwise.PowScalar.apply(self, exponent=exponent)
        return elementwise.Pow.apply(*self._operand(exponent, "pow"))

    def __rpow__(self, base: Any) -> Tensor:
        a, b = self._operand(base, "pow")
        return elementwise.Pow.apply(b, a)

    def pow(self, exponent: Any) -> Tensor:
        return self ** exponent

    def __matmul__(self, other: Any) -> Tensor:
        return matmul.matmul(*self._operand(other, "matmul"))

    def __rmatmul__(self, other: Any) -> Tensor:
        a, b = self._operand(other, "matmul")
        return matmul.matmul(b, a)

    def matmul(self, other: Tensor) -> Tensor:
        return self @ other

    def __neg__(self) -> Tensor:
        return elementwise.Neg.apply(self)

    def __abs__(self) -> Tensor:
        return self.abs()

    # ---- comparisons and logic: bool results, never differentiable -------------------------

    def _compare(self, other: Any, ufunc: str) -> Tensor:
        a, b = self._operand(other, ufunc)
        if a.device != b.device:
            raise RuntimeError(f"{ufunc}: tensors are on {a.device} and {b.device}")
        try:
            result = getattr(self.xp, ufunc)(a.data, b.data)
        except ValueError:
            raise ValueError(f"{ufunc}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None
        return Tensor._make(result, self._device, False, None)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, "equal")

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, "not_equal")

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, "less")

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, "less_equal")

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, "greater")

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, "greater_equal")

    def __and__(self, other: Any) -> Tensor:
        return self._compare(other, "logical_and" if self.dtype == backend.bool_ else "bitwise_and")

    def __or__(self, other: Any) -> Tensor:
        return self._compare(other, "logical_or" if self.dtype == backend.bool_ else "bitwise_or")

    def __invert__(self) -> Tensor:
        op = self.xp.logical_not if self.dtype == backend.bool_ else self.xp.invert
        return Tensor._make(op(self.data), self._device, False, None)

    def any(self) -> Tensor:
        return Tensor._make(self.xp.any(self.data), self._device, False, None)

    def all(self) -> Tensor:
        return Tensor._make(self.xp.all(self.data), self._device, False, None)

    def sign(self) -> Tensor:
        """-1, 0 or 1; not differentiable (its derivative is zero almost everywhere)."""
        return Tensor._make(self.xp.sign(self.data), self._device, False, None)

    def eq(self, other: Any) -> Tensor:
        return self == other

    # ---- elementwise math ------------------------------------------------------------------

    def exp(self) -> Tensor:
        return elementwise.Exp.apply(self)

    def log(self) -> Tensor:
        return elementwise.Log.apply(self)

    def sqrt(self) -> Tensor:
        return elementwise.Sqrt.apply(self)

    def abs(self) -> Tensor:
        return elementwise.Abs.apply(self)

    def square(self) -> Tensor:
        return self * self

    def maximum(self, other: Any) -> Tensor:
        return elementwise.Maximum.apply(*self._operand(other, "maximum"))

    def minimum(self, other: Any) -> Tensor:
        return elementwise.Minimum.apply(*self._operand(other, "minimum"))

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        if min is None and max is None:
            raise ValueError("clamp: give at least one of min and max")
        return elementwise.Clamp.apply(self, low=min, high=max)

    clip = clamp

    def where(self, condition: Any, other: Any) -> Tensor:
        """self where condition holds, else other (PyTorch's Tensor.where)."""
        return elementwise.where(condition, self, other)

    # ---- activations ----------------------------------------------------------------------

    def step(self) -> Tensor:
        return activations.Step.apply(self)

    def sigmoid(self) -> Tensor:
        return activations.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return activations.ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        return activations.LeakyReLU.apply(self, negative_slope=negative_slope)

    def tanh(self) -> Tensor:
        return activations.Tanh.apply(self)

    def softmax(self, dim: int = -1) -> Tensor:
        return activations.Softmax.apply(self, dim=dim)

    def log_softmax(self, dim: int = -1) -> Tensor:
        return activations.LogSoftmax.apply(self, dim=dim)

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        return activations.Softplus.apply(self, beta=beta, threshold=threshold)

    def gelu(self, approximate: str = "none") -> Tensor:
        return activations.gelu(self, approximate)

    def silu(self) -> Tensor:
        return activations.silu(self)

    def mish(self) -> Tensor:
        return activations.mish(self)

    def relu6(self) -> Tensor:
        return activations.relu6(self)

    def hardswish(self) -> Tensor:
        return activations.hardswish(self)

    # ---- reductions -----------------------------------------------------------------------

    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Tensor:
        dim, keepdim = reduce.reduce_args(self, dim, keepdim, axis, keepdims, "sum")
        return reduce.Sum.apply(self, dim=dim, keepdim=keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Tensor:
        return reduce.mean(self, dim, keepdim, axis, keepdims)

    def var(self, dim: Any = None, keepdim: bool = False, *, correction: int = 1, unbiased: bool | None = None,
            axis: Any = None, keepdims: bool | None = None) -> Tensor:
        if unbiased is not None:
            correction = int(unbiased)
        return reduce.var(self, dim, keepdim, correction, axis, keepdims)

    def std(self, dim: Any = None, keepdim: bool = False, *, correction: int = 1, unbiased: bool | None = None,
            axis: Any = None, keepdims: bool | None = None) -> Tensor:
        return self.var(dim, keepdim, correction=correction, unbiased=unbiased, axis=axis, keepdims=keepdims).sqrt()

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Tensor:
        dim, keepdim = reduce.reduce_args(self, dim, keepdim, axis, keepdims, "max")
        return reduce.Max.apply(self, dim=dim, keepdim=keepdim)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool | None = None) -> Tensor:
        dim, keepdim = reduce.reduce_args(self, dim, keepdim, axis, keepdims, "min")
        return reduce.Min.apply(self, dim=dim, keepdim=keepdim)

    amax, amin = max, min

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
               keepdims: bool | None = None) -> Tensor:
        return reduce.arg_reduce(self, "argmax", dim, keepdim, axis, keepdims)

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: int | None = None,
               keepdims: bool | None = None) -> Tensor:
        return reduce.arg_reduce(self, "argmin", dim, keepdim, axis, keepdims)

    # ---- movement -------------------------------------------------------------------------

    def reshape(self, *shape: Any) -> Tensor:
        return movement.reshape(self, _shape_args(shape))

    def view(self, *shape: Any) -> Tensor:
        return self.reshape(*shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return movement.flatten(self, start_dim, end_dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return movement.transpose(self, dim0, dim1)

    def permute(self, *dims: Any) -> Tensor:
        dims = movement.check_permutation(self, _shape_args(dims))
        return movement.Permute.apply(self, dims=dims)

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    def squeeze(self, dim: int | tuple | None = None) -> Tensor:
        return movement.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return movement.unsqueeze(self, dim)

    def expand(self, *sizes: Any) -> Tensor:
        return movement.expand(self, _shape_args(sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def broadcast_to(self, shape: tuple) -> Tensor:
        return self.expand(shape)

    def contiguous(self) -> Tensor:
        return self

    def __getitem__(self, index: Any) -> Tensor:
        return movement.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_inplace("setitem")
        if isinstance(index, Tensor):
            index = index.data
        value = value.data if isinstance(value, Tensor) else value
        self.data[index] = backend.to_device(value, self._device, self.dtype)

    # ---- printing -------------------------------------------------------------------------

    def __repr__(self) -> str:
        body = backend.format_array(self.numpy(), prefix="Tensor(")
        extras = []
        if self.dtype not in (backend.float32, backend.int64, backend.bool_):
            extras.append(f"dtype={self.dtype}")
        if self._device != "cpu":
            extras.append(f"device='{self._device}'")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "Tensor(" + body + "".join(", " + e for e in extras) + ")"


class _HookHandle:
    """Returned by register_hook; `.remove()` takes the hook away again."""
    _next_id = 0

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks
        self.id = _HookHandle._next_id
        _HookHandle._next_id += 1

    def remove(self) -> None:
        self.hooks.pop(self.id, None)


# Function.apply wraps every result with this; autograd.py is loaded before Tensor exists.
autograd._make_tensor = Tensor._make

# The operations import Tensor, so they are loaded after it is defined.
from tinygrad_edu.ops import activations, elementwise, matmul, movement, reduce  # noqa: E402,F401
