"""Conversions: the same values in another dtype, on another device, or in a fresh copy.

Each is an op with a backward, so a gradient flows back through a cast (converted back to the
input's dtype) and through a move between devices (moved back).
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


class Cast(Function):
    """f(a) = a converted to another dtype;  the gradient is converted back"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)

    def forward(self, a, dtype):
        return a.astype(dtype)

    def backward(self, grad):
        return grad.to(self.inputs[0].dtype)


class ToDevice(Function):
    """f(x) = x copied to another device;  the gradient is copied back"""
    moves_device = True
    reads = ((),)

    def forward(self, x, device):
        return backend.to_device(x, device)

    def backward(self, grad):
        return grad.to(self.inputs[0].device)


def parse_to_args(args: tuple, device: Any = None, dtype: Any = None) -> tuple[str | None, Any]:
    """Read `.to(...)`'s arguments, as Tensor.to and Module.to take them: a device, a dtype,
    both, or a tensor whose device and dtype to match. Returns (device or None, dtype or None)."""
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, str) and not a.startswith(("float", "int", "uint", "bool")):
            device = a
        else:
            dtype = a
    device = backend.normalize_device(device) if device is not None else None
    dtype = backend.as_dtype(dtype) if dtype is not None else None
    return device, dtype


@register("to", kind="method")
def to(input: Tensor, *args: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """input moved to a device and/or converted to a dtype: t.to('cuda'), t.to(tg.float64)"""
    device, dtype = parse_to_args(args, device, dtype)
    out = input
    if device is not None and device != out.device:
        out = ToDevice.apply(out, device=device)
    if dtype is not None and dtype != out.dtype:
        if not backend.is_floating(dtype):
            out = out.detach()   # an integer or bool tensor never requires grad, as in PyTorch
        out = Cast.apply(out, dtype=dtype)
    return out


@register("cpu", kind="method")
def cpu(input: Tensor) -> Tensor:
    """input on the CPU"""
    return to(input, "cpu")


@register("cuda", kind="method")
def cuda(input: Tensor) -> Tensor:
    """input on the GPU"""
    return to(input, "cuda")


@register("float", kind="method")
def float(input: Tensor) -> Tensor:  # noqa: A001 — PyTorch's name
    """input as float32"""
    return to(input, backend.float32)


@register("double", kind="method")
def double(input: Tensor) -> Tensor:
    """input as float64"""
    return to(input, backend.float64)


@register("long", kind="method")
def long(input: Tensor) -> Tensor:
    """input as int64"""
    return to(input, backend.int64)


@register("int", kind="method")
def int(input: Tensor) -> Tensor:  # noqa: A001
    """input as int32"""
    return to(input, backend.int32)


@register("bool", kind="method")
def bool(input: Tensor) -> Tensor:  # noqa: A001
    """input as bool"""
    return to(input, backend.bool_)


@register("half", kind="method")
def half(input: Tensor) -> Tensor:
    """input as float16"""
    return to(input, backend.float16)


@register("short", kind="method")
def short(input: Tensor) -> Tensor:
    """input as int16"""
    return to(input, backend.int16)


@register("byte", kind="method")
def byte(input: Tensor) -> Tensor:
    """input as uint8"""
    return to(input, backend.uint8)


@register("char", kind="method")
def char(input: Tensor) -> Tensor:
    """input as int8"""
    return to(input, backend.int8)


# PyTorch's legacy type names, as t.type() reports them and t.type("torch.LongTensor") takes them
TYPE_NAMES = {"float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor", "uint8": "ByteTensor",
              "int8": "CharTensor", "int16": "ShortTensor", "int32": "IntTensor", "int64": "LongTensor",
              "bool": "BoolTensor"}


@register("type", kind="method")
def type_(input: Tensor, dtype: Any = None) -> Any:
    """input converted to dtype; without one, the type's name, e.g. 'torch.FloatTensor'"""
    if dtype is None:
        return f"torch.{TYPE_NAMES[str(input.dtype)]}"
    if isinstance(dtype, str) and dtype.startswith("torch."):
        names = {f"torch.{name}": dt for dt, name in TYPE_NAMES.items()}
        if dtype not in names:
            raise TypeError(f"type: unknown type name {dtype!r}; expected one of {sorted(names)} or a dtype")
        dtype = names[dtype]
    return to(input, backend.as_dtype(dtype))


@register("type_as", kind="method")
def type_as(input: Tensor, other: Tensor) -> Tensor:
    """input converted to other's dtype"""
    return to(input, other.dtype)


class Clone(Function):
    """f(a) = a copied;  df/da = 1"""
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    reads = ((),)

    def forward(self, a, order="K"):
        return a.copy(order=order)   # "K" keeps the memory order, as torch.clone; "C": row-major

    def backward(self, grad):
        return grad


@register("clone")
def clone(input: Tensor) -> Tensor:
    """A copy of input, still in the graph"""
    return Clone.apply(input)
