"""Indexing: `t[index]` with PyTorch's rules, its gradient, and what `t[index] = value` needs.

PyTorch reads an index in two steps, and so does this file:

1. the basic part (ints, slices with a step > 0, None, `...`) picks a *view*: nothing is
   copied, and writing into the result writes into the tensor (`e = y[1]; e += 10` changes y);
2. the advanced part (integer lists and tensors, bool masks, a bare True or False) then picks
   elements of that view into a new array, a copy. Where the advanced indices stand side by
   side their result dims take their place; where a slice or None separates them, they go first.

Because ints are used up in step 1, PyTorch and NumPy part ways where ints and lists meet:
with x of shape (2, 3, 4), x[0, :, [0, 1]] has shape (3, 2) in PyTorch and here, but (2, 3)
in NumPy, which reads the 0 as a list too and so finds two lists separated by a slice.

A list is read as PyTorch reads it: as a tuple of indices when it holds a tensor, a list, a
slice, None or `...` (x[[t, 1]] is x[t, 1]; x[[[0]]] is x[[0]]), as one integer (or bool)
index otherwise (x[[0, 1]] picks rows 0 and 1). A bool mask stands for the positions of its
True elements, an integer tensor with no dims for an int.
"""
from __future__ import annotations

import numbers
import operator
from typing import Any, NamedTuple

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import broadcast_shapes
from tinygrad_edu.tensor import Tensor

VALID = "only integers, slices (`:`), ellipsis (`...`), None and integer or bool tensors are valid indices"


class Index(NamedTuple):
    """An index in the two steps PyTorch takes: `array[view]` is a view of the array (`view`
    holds ints, slices, None and a final `...`), then `[select]`, unless select is None, picks
    a copy: one entry per dim of the view, slice(None) or an integer array on the array's device."""
    view: tuple
    select: tuple | None


def _read(array: Any, index: Index) -> Any:
    view = array[index.view]
    return view if index.select is None else view[index.select]


# ---- reading an index with PyTorch's rules ---------------------------------------------------

def _parts(index: Any) -> tuple:
    """The index as a tuple of parts, one per dim or so. PyTorch reads a list as a tuple when it
    holds a tensor, a sequence, a slice, None or `...` and has fewer than 32 items."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(_is_tuple_like_item(p) for p in index):
        return tuple(index)
    return (index,)


def _is_tuple_like_item(part: Any) -> bool:
    return (part is None or part is Ellipsis or isinstance(part, (Tensor, list, tuple, range, slice))
            or backend.device_of_array(part) is not None)


def _plain_data(value: Any, op: str) -> Any:
    """Nested lists with the tensors in them turned into numbers, as torch.tensor would."""
    if isinstance(value, Tensor):
        if value.numel() != 1 or value.dtype.kind not in "biu":
            raise TypeError(f"{op}: only integer tensors of a single element can be converted to an index")
        return value.item()
    if isinstance(value, (list, tuple, range)):
        return [_plain_data(v, op) for v in value]
    return value


def _index_array(part: Any, t: Tensor, op: str) -> Any:
    """A tensor, array or (nested) list used as an index, as an array on t's device. Data given as
    lists or arrays is read like torch.tensor(data).long(): floats are cut to integers."""
    if isinstance(part, Tensor):
        if part.device != t.device:
            raise RuntimeError(f"{op}: index is on {part.device} but the tensor is on {t.device}")
        if part.dtype.kind not in "biu":
            raise IndexError(f"{op}: tensors used as indices must be integer or bool, got {part.dtype}")
        return part.array
    try:
        array = backend.to_device(_plain_data(part, op), t.device)
    except ValueError as e:
        raise IndexError(f"{op}: cannot make an index from {part!r}: {e}") from None
    if array.dtype.kind == "f":
        array = array.astype(backend.int64)
    if array.dtype.kind not in "biu":
        raise IndexError(f"{op}: {VALID} (got an array of {array.dtype})")
    return array


def _is_mask(array: Any) -> bool:
    return array.dtype.kind == "b" or array.dtype == backend.uint8   # uint8 reads as a mask, as in PyTorch


def _slice_bound(value: Any, op: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, Tensor) and value.ndim == 0 and value.dtype.kind in "iu":
        return int(value.item())
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{op}: slice indices must be integers or None, got {type(value).__name__}") from None


def _check_slice(part: slice, op: str) -> slice:
    start, stop, step = (_slice_bound(v, op) for v in (part.start, part.stop, part.step))
    if step is not None and step == 0:
        raise ValueError(f"{op}: slice step cannot be zero")
    if step is not None and step < 0:
        raise ValueError(f"{op}: step must be greater than zero (got a slice with step {step}); PyTorch "
                         f"refuses negative steps too")
    return slice(start, stop, step)


def _classify(part: Any, t: Tensor, op: str) -> tuple[str, Any]:
    """One part of an index as (kind, value): new (None), ellipsis, bool, int, slice, array or mask."""
    if part is None:
        return "new", None
    if part is Ellipsis:
        return "ellipsis", None
    if isinstance(part, bool):
        return "bool", part
    if isinstance(part, numbers.Integral):   # also NumPy's integers
        return "int", int(part)
    if isinstance(part, slice):
        return "slice", _check_slice(part, op)
    if isinstance(part, (float, complex, str)) or not (
            isinstance(part, (Tensor, list, tuple, range)) or hasattr(part, "dtype")):   # hasattr: arrays, np.bool_
        raise IndexError(f"{op}: {VALID} (got {type(part).__name__})")
    array = _index_array(part, t, op)
    if array.ndim == 0:   # a tensor without dims stands for a number
        return ("bool", bool(array)) if _is_mask(array) else ("int", int(array))
    return ("mask", array) if _is_mask(array) else ("array", array)


def _dims_used(kind: str, value: Any) -> int:
    return value.ndim if kind == "mask" else 1 if kind in ("int", "slice", "array") else 0


def parse_index(t: Tensor, index: Any, op: str = "getitem") -> tuple[Index, tuple[int, ...]]:
    """`index` read with PyTorch's rules for a tensor `t`: the Index and the shape it selects."""
    parts = [_classify(p, t, op) for p in _parts(index)]
    if sum(kind == "ellipsis" for kind, _ in parts) > 1:
        raise IndexError(f"{op}: an index can only have a single ellipsis ('...')")
    used = sum(_dims_used(kind, value) for kind, value in parts)
    if used > t.ndim:
        raise IndexError(f"{op}: too many indices for a tensor of shape {t.shape}: {used} dims are indexed "
                         f"but it has {t.ndim}")
    view: list = []
    select: list = []
    view_shape: list[int] = []
    dim = 0   # the dim of t that the next part indexes
    for kind, value in parts:
        v, s, n, consumed = _part_effect(kind, value, t, dim, t.ndim - used, op)
        view += v
        select += s
        view_shape += n
        dim += consumed
    view_shape.extend(t.shape[dim:])
    view.append(Ellipsis)
    return _with_selection(tuple(view), select, view_shape, op)


def _part_effect(kind: str, value: Any, t: Tensor, dim: int, free_dims: int, op: str) -> tuple[list, list, list, int]:
    """What one part adds: to the basic view, to the selection of its result, to the view's
    shape; and how many dims of t it consumes."""
    shape, xp = t.shape, t.xp
    if kind == "ellipsis":   # every dim no other part names
        return [slice(None)] * free_dims, [slice(None)] * free_dims, list(shape[dim:dim + free_dims]), free_dims
    if kind == "new":
        return [None], [slice(None)], [1], 0
    if kind == "bool":   # a new dim of size 1, of which True keeps the one element and False none
        return [None], [xp.zeros(1 if value else 0, dtype=backend.int64)], [1], 0
    if kind == "int":
        if not -shape[dim] <= value < shape[dim]:
            raise IndexError(f"{op}: index {value} is out of range for dim {dim} of size {shape[dim]} "
                             f"(tensor of shape {shape})")
        return [value], [], [], 1
    if kind == "slice":
        return [value], [slice(None)], [len(range(*value.indices(shape[dim])))], 1
    if kind == "array":
        return [slice(None)], [_checked_positions(value, shape, dim, op, xp)], [shape[dim]], 1
    # a mask stands for the positions of its True elements, one integer array per dim it covers
    covered = shape[dim:dim + value.ndim]
    if tuple(value.shape) != covered:
        dims = f"dim {dim}" if value.ndim == 1 else f"dims {dim}..{dim + value.ndim - 1}"
        raise IndexError(f"{op}: the mask of shape {tuple(value.shape)} does not match {dims} of the "
                         f"tensor, of shape {covered} (tensor of shape {shape})")
    return [slice(None)] * value.ndim, list(xp.nonzero(value)), list(covered), value.ndim


def _with_selection(view: tuple, select: list, view_shape: list[int], op: str) -> tuple[Index, tuple[int, ...]]:
    """The Index, and the shape it picks: where integer arrays select, their broadcast shape
    stands in place of their dims when they sit side by side, else first (PyTorch's rule)."""
    arrays = [i for i, s in enumerate(select) if not isinstance(s, slice)]
    if not arrays:
        return Index(view, None), tuple(view_shape)
    picked = broadcast_shapes(*(tuple(select[i].shape) for i in arrays))
    if picked is None:
        shapes = ", ".join(str(tuple(select[i].shape)) for i in arrays)
        raise IndexError(f"{op}: shape mismatch: indexing tensors could not be broadcast together with "
                         f"shapes {shapes}")
    if arrays == list(range(arrays[0], arrays[-1] + 1)):   # side by side: the picked dims stay in place
        result = view_shape[:arrays[0]] + list(picked) + view_shape[arrays[-1] + 1:]
    else:   # separated: the picked dims go first
        result = list(picked) + [n for i, n in enumerate(view_shape) if i not in arrays]
    return Index(view, tuple(select)), tuple(result)


def _checked_positions(array: Any, shape: tuple[int, ...], dim: int, op: str, xp: Any) -> Any:
    """An integer index array after checking it lies within its dim (CuPy would wrap out-of-range
    positions around silently), with negative positions counted from the end."""
    size = shape[dim]
    if array.size:
        low, high = int(array.min()), int(array.max())
        if low < -size or high >= size:
            bad = high if high >= size else low
            raise IndexError(f"{op}: index {bad} is out of range for dim {dim} of size {size} "
                             f"(tensor of shape {shape})")
        if low < 0:
            array = xp.where(array < 0, array + size, array)
    return array


# ---- getitem and its gradient ----------------------------------------------------------------

class Getitem(Function):
    """f(x) = x[index];
    df/dx = 1 at each indexed position (added up where one is picked twice), 0 elsewhere

    Basic indexing (ints, slices, None, ...) returns a view sharing memory with x, as in
    PyTorch; advanced indexing (integer arrays, masks) returns a copy.
    """
    quiet_by_filter = True   # NumPy called right here: the warnings filter covers it
    is_view = True   # for basic indexing the output shares memory with the input
    reads = ((),)    # backward needs only the input's shape

    def forward(self, x, index):
        self.index = index
        out = _read(x, index)
        if index.select is not None and out.base is not None:
            out = out.copy()   # NumPy may hand out a copy as a view of a scratch array: own it
        return out

    def backward(self, grad):
        return IndexAdd.apply(grad, index=self.index, shape=self.inputs[0].shape)


class IndexAdd(Function):
    """f(g) = zeros(shape) with g added at `index` (the backward of getitem);  df/dg = g[index]"""
    reads = ((),)

    def forward(self, grad, index, shape):
        self.index = index
        out = self.xp.zeros(shape, dtype=grad.dtype)
        target = out[index.view]   # a view: adding into it adds into out
        if index.select is None:
            target[...] = grad
        elif not _has_arrays(index.select):   # no arrays, no place picked twice
            target[index.select] += grad
        elif grad.size:
            backend.scatter_add(self.xp, target, index.select, grad)
        return out

    def backward(self, grad):
        return Getitem.apply(grad, index=self.index)


@register("getitem", kind="operator", operators=("__getitem__",))
def getitem(t: Tensor, index: Any) -> Tensor:
    """input[index] as in PyTorch: ints, slices, None and ... give a view; lists, int tensors, masks a copy"""
    return Getitem.apply(t, index=parse_index(t, index, "getitem")[0])


# ---- setitem: what Tensor.__setitem__ needs --------------------------------------------------

def prepare_setitem(t: Tensor, index: Any, value: Any) -> tuple[Any, Any]:
    """`t[index] = value` made ready for the array: `(array_index, value_array)` such that
    `t.array[array_index] = value_array` writes with PyTorch's rules.

    The index is read as `t[index]` reads it (errors name setitem). array_index is a plain
    NumPy/CuPy index: ints, slices, None and `...` where the index is basic, else one integer
    array per dim of t giving the position of every selected element, in PyTorch's order.
    value (a number, list, array or Tensor, on any device) comes back as an array on t's device
    in t's dtype, broadcast to the shape `t[index]` selects; it must fit that shape, as in
    PyTorch (leading dims of size 1 beyond it are allowed), else a ValueError names both shapes.
    """
    parsed, selected = parse_index(t, index, "setitem")
    data = value.array if isinstance(value, Tensor) else value
    try:
        array = backend.to_device(data, t.device, t.dtype)
    except (TypeError, ValueError) as e:
        raise TypeError(f"setitem: cannot assign a value of type {type(value).__name__} to a tensor of "
                        f"{t.dtype}: {e}") from None
    xp = t.xp
    fitted = _strip_leading_ones(array, len(selected))
    fits = broadcast_shapes(tuple(fitted.shape), selected) == selected
    if not fits and index is not False:   # PyTorch ignores the value of x[False] = value
        raise ValueError(f"setitem: cannot assign a value of shape {tuple(array.shape)} to the selected "
                         f"shape {selected}")
    values = xp.broadcast_to(fitted, selected) if fits else xp.zeros(selected, dtype=t.dtype)
    if parsed.select is None:
        return parsed.view, values
    if t.ndim == 0:   # only None, True, False and ... can index it: NumPy reads these as PyTorch does
        kinds = [_classify(p, t, "setitem") for p in _parts(index)]
        return tuple(None if kind == "new" else Ellipsis if kind == "ellipsis" else value
                     for kind, value in kinds), values
    positions = []
    for d, n in enumerate(t.shape):
        along = xp.arange(n).reshape((n,) + (1,) * (t.ndim - 1 - d))
        positions.append(_read(xp.broadcast_to(along, t.shape), parsed))
    return tuple(positions), values


def _strip_leading_ones(array: Any, ndim: int) -> Any:
    return array.reshape(_without_leading_ones(tuple(array.shape), ndim))


def _without_leading_ones(shape: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """A value may have more dims than the place it is written to, if the extra ones have size 1."""
    while len(shape) > ndim and shape[0] == 1:
        shape = shape[1:]
    return shape


def _is_basic(part: Any) -> bool:
    return part is None or part is Ellipsis or isinstance(part, slice) or (
        isinstance(part, numbers.Integral) and not isinstance(part, bool))


def _has_arrays(parts: tuple) -> bool:
    return any(hasattr(p, "shape") for p in parts)


def _as_index(array_index: Any) -> Index:
    """A plain NumPy index (as prepare_setitem makes) as an Index, read with NumPy's rules."""
    parts = array_index if isinstance(array_index, tuple) else (array_index,)
    if all(_is_basic(p) for p in parts):
        return Index(parts if any(p is Ellipsis for p in parts) else parts + (Ellipsis,), None)
    return Index((Ellipsis,), parts)


class IndexPut(Function):
    """f(x, v) = x with v written at `index` (v broadcast to the selected shape), or added there
    with accumulate;  df/dx = 1 outside the index (everywhere with accumulate), df/dv = 1 at it

    `IndexPut.apply(x, value, index=array_index, accumulate=False)` returns a new array (x is not
    changed); array_index is a plain NumPy index, read with NumPy's rules: the one that
    prepare_setitem returns. It records `t[index] = value` on tensors that require grad.
    """
    reads = ((), ())   # backward needs only shapes

    def forward(self, x, value, index, accumulate=False):
        self.index, self.accumulate = index, accumulate
        out = self.xp.array(x)   # a copy, and an array even where x is a NumPy scalar
        selected = out[index].shape
        values = self.xp.broadcast_to(_strip_leading_ones(value, len(selected)), selected)
        if not accumulate:
            out[index] = values
        elif not _has_arrays(index if isinstance(index, tuple) else (index,)):   # no place picked twice
            out[index] += values
        elif values.size:
            backend.scatter_add(self.xp, out, index, values)
        return out

    def backward(self, grad):
        x, value = self.inputs
        x_grad = value_grad = None
        if self.needs_input_grad[0]:
            # the written places get 0 (by writing a zero there: grad * mask would turn an inf into nan)
            zero = self.constant(self.xp.zeros((), dtype=grad.dtype))
            x_grad = grad if self.accumulate else IndexPut.apply(grad, zero, index=self.index)
        if self.needs_input_grad[1]:
            value_grad = Getitem.apply(grad, index=_as_index(self.index))
            fitted = _without_leading_ones(value.shape, value_grad.ndim)
            if value_grad.shape != fitted:
                value_grad = value_grad.sum_to_size(fitted)
            if fitted != value.shape:
                value_grad = value_grad.reshape(value.shape)
        return x_grad, value_grad
