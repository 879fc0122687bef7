"""In-place ops: `x += y`, `x.mul_(m)`, `x.relu_()`, `x[i] = v`, `p.zero_()` change a tensor's memory.

Two cases, as in PyTorch:

* Nothing to record (grad mode off, as in an optimizer step, or nothing requires grad): the
  array is changed where it lies, without a copy.
* Something requires grad: the change is recorded. The op runs out of place on an alias of
  the tensor's old self, the result is written into the tensor's memory, and the tensor takes
  the new node as its `grad_fn`. `h += identity` in a residual block, `x.relu_()`, `h.mul_(mask)`.

Either way the tensor's version goes up by one, and so does every view's that shares its
memory. A backward that needs the old values (the saved input of a Mul, say) then refuses to
run instead of computing a wrong gradient (autograd.Function.check_versions).

A leaf that requires grad cannot be changed in place while gradients are recorded: its
`.grad` would describe a value it no longer has. Change weights inside `with tg.no_grad():`.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

from tinygrad_edu import backend
from tinygrad_edu.autograd import is_grad_enabled
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.elementwise import add, clamp, div, mul, sub, where
from tinygrad_edu.ops.indexing import IndexPut, prepare_setitem
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.selection import check_mask, fill_value, index_fill, masked_fill, scatter, scatter_add
from tinygrad_edu.ops.shapes import broadcast_shapes
from tinygrad_edu.tensor import Tensor


def change_in_place(t: Tensor, op: str, operands: tuple, out_of_place: Callable[[Tensor], Tensor],
                    write: Callable[[], None]) -> Tensor:
    """Change `t` in place: by `write()` on its array, or recorded through `out_of_place(old t)`."""
    if t.requires_grad and t.grad_fn is None and is_grad_enabled():
        raise RuntimeError(f"{op}: a leaf tensor that requires grad (shape {t.shape}) is being used in an in-place "
                           f"operation while gradients are recorded; change weights inside `with tg.no_grad():`, "
                           f"or write `x = x + y` instead")
    if is_grad_enabled() and (t.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in operands)):
        _record(t, op, out_of_place)
    else:
        write()
        t._bump_version()
    return t


def _record(t: Tensor, op: str, out_of_place: Callable[[Tensor], Tensor]) -> None:
    # PyTorch rewrites the graph of a view's base, and of the other views, after such a change;
    # this library refuses instead of leaving them with a graph that no longer matches their values.
    if t._is_view():
        raise RuntimeError(f"{op}: changing a view of another tensor in place while gradients are recorded is not "
                           f"supported (PyTorch records it through CopySlices); make the view a tensor of its "
                           f"own with .clone() first, or write the operation out of place")
    if t._has_views():
        raise RuntimeError(f"{op}: changing in place a tensor that has views (x[0], x.T, x.reshape(...)) while "
                           f"gradients are recorded is not supported: the views' graphs would no longer match "
                           f"their values; change a .clone() instead, or write the operation out of place")
    # t as it was, the new op's input: t's memory and version, under its old grad_fn.
    old = Tensor._make(t.array, t._device, t.requires_grad, t.grad_fn)
    if t._version_box is None:
        t._version_box = [0, False]
    old._version_box = t._version_box
    result = out_of_place(old)
    _check_fits(t, result, op)
    fn = result.grad_fn
    assert fn is not None   # recorded: gradients are on and t requires grad (checked above)
    if any(fn.inputs[i] is old for i in fn.read_inputs()):
        # The new op's backward reads the old values (mul_'s gradient for its operand does), and
        # t's memory is about to be overwritten: that op alone gets a copy, at the same version.
        old.array, old._version_box = old.array.copy(), [old._version, False]
    t.array[...] = result.array
    t._bump_version()
    t.grad_fn, t.requires_grad = fn, True
    if fn.uses_output:   # the op's output is now t itself, at this version
        fn._output, fn.output_version = weakref.ref(t), t._version


def _check_fits(t: Tensor, result: Tensor, op: str) -> None:
    if result.shape != t.shape:
        raise ShapeError(f"{op}: the result of shape {result.shape} does not fit in place into a tensor of shape "
                           f"{t.shape}")
    if not t.xp.can_cast(result.dtype, t.dtype, "same_kind"):
        raise DTypeError(f"{op}: result type {result.dtype} can't be cast to the desired output type {t.dtype}")


def in_place(input: Tensor, op: str, compute: Callable[[Tensor], Tensor]) -> Tensor:
    """compute(input) written into input's own memory: what `F.relu(x, inplace=True)` asks for.

    As in PyTorch (the other ops of this file): recorded while gradients flow through input, refused on
    a leaf that requires grad, and written plainly otherwise."""
    def write() -> None:
        result = compute(input.detach())
        _check_fits(input, result, f"{op}(inplace=True)")
        input.array[...] = result.array
    return change_in_place(input, f"{op}(inplace=True)", (), compute, write)


def _operand_array(t: Tensor, other: Any, op: str) -> Any:
    """`other` as something NumPy/CuPy can combine with t's array, checked to fit in place."""
    if isinstance(other, Tensor):
        if other._device != t._device:
            raise RuntimeError(f"{op}: tensor is on {t.device} but the other operand is on {other.device}")
        data = other.array
    elif isinstance(other, (int, float, bool)):
        return other
    else:
        data = backend.to_device(other, t.device)
    if data.shape != t.shape:   # (same shapes, the usual case, need no broadcasting check)
        if broadcast_shapes(t.shape, tuple(data.shape)) != t.shape:
            raise ShapeError(f"{op}: the operand of shape {tuple(data.shape)} does not broadcast to the shape "
                               f"{t.shape} of the tensor changed in place")
    return data


def _arithmetic(t: Tensor, other: Any, op: str, ufunc: str, function: Callable) -> Tensor:
    data = _operand_array(t, other, op)

    def write() -> None:
        try:
            # a 0-d array as `out` makes NumPy return a scalar; `out=(...,)` keeps it an array
            getattr(t.xp, ufunc)(t.array, data, out=(t.array,), casting="same_kind")
        except TypeError as e:   # e.g. an integer tensor /= 2 (the result would be float)
            raise DTypeError(f"{op}: result type of {t.dtype} {ufunc} {type(other).__name__} can't be cast "
                               f"to the desired output type {t.dtype} ({e})") from None
    return change_in_place(t, op, (other,), lambda old: function(old, other), write)


@register("add_", kind="method", operators=("__iadd__",))
def add_(t: Tensor, other: Any, *, alpha: float = 1) -> Tensor:
    """t += alpha·other, in place"""
    if alpha != 1:
        other = other * alpha
    return _arithmetic(t, other, "add_", "add", add)


@register("sub_", kind="method", operators=("__isub__",))
def sub_(t: Tensor, other: Any, *, alpha: float = 1) -> Tensor:
    """t -= alpha·other, in place"""
    if alpha != 1:
        other = other * alpha
    return _arithmetic(t, other, "sub_", "subtract", sub)


@register("mul_", kind="method", operators=("__imul__",))
def mul_(t: Tensor, other: Any) -> Tensor:
    """t *= other, in place"""
    return _arithmetic(t, other, "mul_", "multiply", mul)


@register("div_", kind="method", operators=("__itruediv__",))
def div_(t: Tensor, other: Any) -> Tensor:
    """t /= other, in place (only into a floating-point tensor, as in PyTorch)"""
    if not backend.is_floating(t.dtype):
        raise DTypeError(f"div_: result type Float can't be cast to the desired output type {t.dtype}")
    with backend.ieee_quietly(t.xp):
        return _arithmetic(t, other, "div_", "divide", div)


def _set_to(t: Tensor, value: Any, op: str) -> Tensor:
    """Every element of t becomes `value` (a number, or a tensor broadcast to t's shape)."""
    data = _operand_array(t, value, op)

    def write() -> None:
        t.array[...] = data

    def out_of_place(old: Tensor) -> Tensor:   # where(False, old, value): value, and no gradient to old
        chosen = where(Tensor._make(t.xp.zeros(t.shape, dtype=bool), t._device, False, None), old, value)
        return chosen if chosen.dtype == t.dtype else chosen.to(t.dtype)
    return change_in_place(t, op, (value,), out_of_place, write)


@register("zero_", kind="method")
def zero_(t: Tensor) -> Tensor:
    """Every element becomes 0, in place"""
    return _set_to(t, 0, "zero_")


@register("fill_", kind="method")
def fill_(t: Tensor, value: Any) -> Tensor:
    """Every element becomes value (a number or a 0-d tensor), in place"""
    return _set_to(t, value, "fill_")


def _fill_random(t: Tensor, op: str, draw: Any, generator: Any) -> Tensor:
    """t's elements become numbers drawn on the host (draw(numpy generator, shape)), in place."""
    if not backend.is_floating(t.dtype):
        raise DTypeError(f"{op}: needs a floating-point tensor, got {t.dtype}")
    values = draw(backend.random_generator(generator), t.shape)
    return _set_to(t, Tensor._make(backend.to_device(values.astype(t.dtype), t._device), t._device, False, None),
                   op)


@register("normal_", kind="method")
def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Every element becomes a draw from N(mean, std²), in place (`w.data.normal_(0, 0.02)`)"""
    if std < 0:
        raise ValueError(f"normal_: std must be non-negative, got {std}")
    return _fill_random(t, "normal_", lambda rng, shape: rng.normal(mean, std, size=shape), generator)


@register("uniform_", kind="method")
def uniform_(t: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
    """Every element becomes a draw from the uniform distribution on [from_, to), in place"""
    if from_ > to:
        raise ValueError(f"uniform_: expects from_ <= to, got from_={from_} and to={to}")
    return _fill_random(t, "uniform_", lambda rng, shape: rng.uniform(from_, to, size=shape), generator)


@register("copy_", kind="method")
def copy_(t: Tensor, source: Any) -> Tensor:
    """t's elements become source's (broadcast, moved to t's device, converted to t's dtype), in place"""
    if isinstance(source, Tensor) and source.device != t.device:
        source = source.to(t.device)
    elif not isinstance(source, Tensor):
        source = Tensor(source, dtype=t.dtype, device=t.device)
    if source.dtype != t.dtype:
        source = source.to(t.dtype)
    return _set_to(t, source, "copy_")


@register("clamp_", kind="method", aliases=("clip_",))
def clamp_(t: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    """t limited to [min, max], in place"""
    if min is None and max is None:
        raise ValueError("clamp_: give at least one of min and max")
    return change_in_place(t, "clamp_", (), lambda old: clamp(old, min, max),
                           lambda: t.xp.clip(t.array, min, max, out=t.array))


@register("relu_", kind="method")
def relu_(t: Tensor) -> Tensor:
    """max(t, 0), in place"""
    # Tensor.relu, not an import: ops/activations.py builds on this file (for inplace=True)
    return change_in_place(t, "relu_", (), Tensor.relu, lambda: t.xp.maximum(t.array, 0, out=t.array))


@register("sigmoid_", kind="method")
def sigmoid_(t: Tensor) -> Tensor:
    """1 / (1 + e^-t), in place"""
    def write() -> None:
        t.array[...] = t.detach().sigmoid().array
    return change_in_place(t, "sigmoid_", (), Tensor.sigmoid, write)


@register("setitem", kind="operator", operators=("__setitem__",))
def setitem(t: Tensor, index: Any, value: Any) -> None:
    """t[index] = value, in place (recorded when t or value requires grad)"""
    array_index, value_array = prepare_setitem(t, index, value)

    def write() -> None:
        t.array[array_index] = value_array

    def out_of_place(old: Tensor) -> Tensor:
        if isinstance(value, Tensor):   # keep value in the graph, on t's device and in t's dtype
            v = value.to(t.device, t.dtype)
        else:
            v = Tensor._make(value_array, t._device, False, None)
        return IndexPut.apply(old, v, index=array_index)
    change_in_place(t, "setitem", (value,), out_of_place, write)


# ---- the selection ops of ops/selection.py, in place -------------------------------------------

def _like_out_of_place(t: Tensor, op: str, operand: Any, out_of_place: Callable[[Tensor], Tensor]) -> Tensor:
    """Change t to out_of_place(t): computed on t's old values, then written into its memory (the
    checks run before anything is written)."""
    def write() -> None:
        t.array[...] = out_of_place(t.detach()).array
    return change_in_place(t, op, (operand,), out_of_place, write)


@register("masked_fill_", kind="method")
def masked_fill_(t: Tensor, mask: Tensor, value: Any) -> Tensor:
    """t's elements become value where the bool mask (broadcast to t's shape) is True, in place"""
    condition = check_mask(t, mask, "masked_fill_")
    if broadcast_shapes(t.shape, mask.shape) != t.shape:
        raise ShapeError(f"masked_fill_: the mask of shape {mask.shape} does not broadcast to the shape {t.shape} "
                         f"of the tensor changed in place")
    fill = fill_value(t, value, "masked_fill_")

    def write() -> None:
        t.xp.copyto(t.array, fill.array, where=condition)
    return change_in_place(t, "masked_fill_", (fill,), lambda old: masked_fill(old, mask, fill), write)


@register("index_fill_", kind="method")
def index_fill_(t: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """t's slices along dim at a 1-D index become value, in place"""
    return _like_out_of_place(t, "index_fill_", value, lambda old: index_fill(old, dim, index, value))


@register("scatter_", kind="method")
def scatter_(t: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
             reduce: str | None = None) -> Tensor:
    """src (a tensor) or value (a number) written into t at index along dim, in place"""
    return _like_out_of_place(t, "scatter_", src,
                              lambda old: scatter(old, dim, index, src, value=value, reduce=reduce))


@register("scatter_add_", kind="method")
def scatter_add_(t: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """src added into t at index along dim (repeated positions add up), in place"""
    return _like_out_of_place(t, "scatter_add_", src, lambda old: scatter_add(old, dim, index, src))
