"""Selection: ops that pick elements by position or by mask, and ops that put values at positions.

gather reads input at the positions an index tensor names; scatter writes there. Each is the
other's gradient: gather's backward adds the gradient back at the positions it read (a
scatter_add, so a position read twice gets both shares), and scatter_add's backward reads the
gradient at the positions it wrote (a gather). index_select, index_add, take_along_dim and
repeat_interleave are gathers and scatter_adds with an index spread over the other dims.

A mask selects with `where`, whose backward lets the gradient through where the input was
kept and gives 0 where the value was filled in.
"""
from __future__ import annotations

import math
import numbers
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.autograd import Function
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.elementwise import Where, where
from tinygrad_edu.ops.movement import pad
from tinygrad_edu.ops.registry import register
from tinygrad_edu.ops.shapes import broadcast_shapes, wrap_dim
from tinygrad_edu.tensor import Tensor

INDEX_DTYPES = (backend.int64, backend.int32)


# ---- positions: what gather reads and scatter writes -----------------------------------------

def _at_least_1d(array: Any) -> Any:
    """A 0-d tensor is gathered from and scattered into as a tensor of one element, as in PyTorch."""
    return array.reshape(array.shape or (1,))


def _coordinates(xp: Any, index: Any, dim: int) -> tuple:
    """The full position each element of `index` names: its value along dim, and the element's own
    position along every other dim. So `x[_coordinates(xp, index, 1)][i, j] = x[i, index[i, j]]`."""
    ndim = index.ndim
    return tuple(index if d == dim else xp.arange(n).reshape((n,) + (1,) * (ndim - 1 - d))
                 for d, n in enumerate(index.shape))


def _leading(array: Any, shape: tuple[int, ...]) -> Any:
    """The leading block of `array` of the given shape: the part of src that scatter uses."""
    return array[tuple(slice(0, n) for n in shape)]


def _grown(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """A gradient of the leading block of src, with zeros for the rest of src."""
    if grad.shape == shape:
        return grad
    return pad(grad, [w for n, m in reversed(list(zip(grad.shape, shape))) for w in (0, m - n)])


def _zeroed_at(grad: Tensor, index: Tensor, dim: int) -> Tensor:
    """grad with 0 at the positions index names (by writing zeros: grad * mask would turn inf into nan)."""
    zeros = Tensor._make(grad.xp.zeros(index.shape, dtype=grad.dtype), grad._device, False, None)
    return Scatter.apply(grad, index, zeros, dim=dim)


class Gather(Function):
    """f(x) = x read at index along dim: out[i][j] = x[i][index[i][j]] for dim=1;
    df/dx = 1 at each position read, added up where a position is read twice (a scatter_add)"""
    reads = ((1,), ())   # backward reads the index

    def forward(self, x, index, dim):
        self.dim = dim
        return _at_least_1d(x)[_coordinates(self.xp, _at_least_1d(index), dim)].reshape(index.shape)

    def backward(self, grad):
        x, index = self.inputs
        zeros = self.constant(self.xp.zeros(x.shape, dtype=grad.dtype))
        return ScatterAdd.apply(zeros, index, grad, dim=self.dim), None


class ScatterAdd(Function):
    """f(x, src) = x with src added at the positions index names along dim (repeated positions add up);
    df/dx = 1, df/dsrc = 1 at the position each element went to (so its gradient is a gather)"""
    reads = ((), (), (1,))

    def forward(self, x, index, src, dim):
        self.dim = dim
        out = _at_least_1d(x).copy()
        index = _at_least_1d(index)
        if index.size:
            src = _leading(_at_least_1d(src), index.shape)
            backend.scatter_add(self.xp, out, _coordinates(self.xp, index, dim), src)
        return out.reshape(x.shape)

    def backward(self, grad):
        _, index, src = self.inputs
        src_grad = _grown(Gather.apply(grad, index, dim=self.dim), src.shape) if self.needs_input_grad[2] else None
        return grad if self.needs_input_grad[0] else None, None, src_grad


class Scatter(Function):
    """f(x, src) = x with src written at the positions index names along dim;
    df/dx = 1 except where src was written (0 there), df/dsrc = 1 at the position each element went to"""
    reads = ((1,), (), (1,))

    def forward(self, x, index, src, dim):
        self.dim = dim
        out = _at_least_1d(x).copy()
        index = _at_least_1d(index)
        out[_coordinates(self.xp, index, dim)] = _leading(_at_least_1d(src), index.shape)
        return out.reshape(x.shape)

    def backward(self, grad):
        _, index, src = self.inputs
        x_grad = _zeroed_at(grad, index, self.dim) if self.needs_input_grad[0] else None
        src_grad = _grown(Gather.apply(grad, index, dim=self.dim), src.shape) if self.needs_input_grad[2] else None
        return x_grad, None, src_grad


# ---- checking what users pass ---------------------------------------------------------------

def _check_index_tensor(index: Any, op: str, what: str = "index") -> None:
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}: {what} must be a Tensor of int64, got {type(index).__name__}")
    if index.dtype not in INDEX_DTYPES:
        raise DTypeError(f"{op}: expected {what} of dtype int64 (or int32), got {index.dtype}")


def _check_positions(index: Tensor, size: int, dim: int, shape: tuple[int, ...], op: str) -> None:
    """Every position in index lies in [0, size): PyTorch refuses negative ones here, and NumPy
    would wrap them around (CuPy would wrap even the ones past the end)."""
    if index.numel():
        low, high = int(index.array.min()), int(index.array.max())
        if low < 0 or high >= size:
            raise IndexError(f"{op}: index {low if low < 0 else high} is out of bounds for dim {dim} of size "
                             f"{size} (input of shape {shape})")


def _check_gather_args(op: str, input: Tensor, dim: Any, index: Any, src: Tensor | None = None) -> int:
    """The checks gather and the scatters share (PyTorch's rules); returns dim counted from 0."""
    _check_index_tensor(index, op)
    d = wrap_dim(dim, input.ndim, op)
    in_shape, ix_shape = input.shape or (1,), index.shape or (1,)
    if len(ix_shape) != len(in_shape):
        raise ShapeError(f"{op}: index must have as many dims as input, got index of shape {index.shape} and "
                         f"input of shape {input.shape}")
    if any(ix_shape[k] > in_shape[k] for k in range(len(in_shape)) if k != d):
        raise ShapeError(f"{op}: index of shape {index.shape} must be no larger than input of shape "
                         f"{input.shape} apart from dim {d}")
    if src is not None:
        src_shape = src.shape or (1,)
        if len(src_shape) != len(in_shape) or any(i > s for i, s in zip(ix_shape, src_shape)):
            raise ShapeError(f"{op}: index of shape {index.shape} must be no larger than src of shape "
                             f"{src.shape}, which must have as many dims as input (shape {input.shape})")
        if src.dtype != input.dtype:
            raise DTypeError(f"{op}: expected src of the dtype of input, {input.dtype}, got {src.dtype}")
    _check_positions(index, in_shape[d], d, input.shape, op)
    return d


def _full_like_index(input: Tensor, index: Tensor, value: Any, op: str) -> Tensor:
    """`value` (a number) spread over index's shape in input's dtype: what scatter(value=) writes."""
    if not isinstance(value, numbers.Number):
        raise TypeError(f"{op}: value must be a number, got {type(value).__name__}")
    array = input.xp.full(index.shape, _cast_number(value, input.dtype, op), dtype=input.dtype)
    return Tensor._make(array, input._device, False, None)


def _cast_number(value: Any, dtype: Any, op: str) -> Any:
    """A Python number as `dtype` would hold it (2.7 -> 2 for integers, as PyTorch casts), refusing
    inf and nan where dtype has no room for them."""
    if dtype.kind in "iu" and isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{op}: value {value} cannot be converted to {dtype} without overflow")
    return bool(value) if dtype.kind == "b" else int(value) if dtype.kind in "iu" else value


# ---- gather and the scatters ----------------------------------------------------------------

@register("gather")
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """input read at index along dim: out[i][j] = input[i][index[i][j]] for dim=1"""
    d = _check_gather_args("gather", input, dim, index)
    return Gather.apply(input, index, dim=d)


@register("scatter_add")
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """input with src added at index along dim: out[i][index[i][j]] += src[i][j] for dim=1 (repeats add up)"""
    d = _check_gather_args("scatter_add", input, dim, index, _src_tensor(src, "scatter_add"))
    return ScatterAdd.apply(input, index, src, dim=d)


def _src_tensor(src: Any, op: str) -> Tensor:
    if not isinstance(src, Tensor):
        raise TypeError(f"{op}: src must be a Tensor, got {type(src).__name__}")
    return src


@register("scatter")
def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    """input with src (a tensor) or value (a number) written at index along dim: out[i][index[i][j]] = src[i][j]"""
    if isinstance(src, numbers.Number) and value is None:   # scatter(x, dim, index, 2.0), as in PyTorch
        src, value = None, src
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src (a tensor) and value (a number)")
    if reduce is not None:   # PyTorch's older spelling; here it keeps a gradient
        if reduce not in ("add", "multiply"):
            raise ValueError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        if src is None:
            _check_index_tensor(index, "scatter")
            src = _full_like_index(input, index, value, "scatter")
        return scatter_reduce(input, dim, index, src, "sum" if reduce == "add" else "prod")
    if src is None:
        d = _check_gather_args("scatter", input, dim, index)
        src = _full_like_index(input, index, value, "scatter")
    else:
        d = _check_gather_args("scatter", input, dim, index, _src_tensor(src, "scatter"))
    return Scatter.apply(input, index, src, dim=d)


# How each reduction combines (a ufunc's `at`, which handles repeated positions) and the value
# it starts from where x's own value takes no part.
_COMBINE = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}


def _identity(reduce: str, dtype: Any, xp: Any) -> Any:
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "b":
        return reduce == "amin"
    if dtype.kind == "f":
        return -xp.inf if reduce == "amax" else xp.inf
    info = xp.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


class ScatterReduce(Function):
    """f(x, src) = x with src reduced into the positions index names along dim (x's own value taking
    part where include_self);  df/dsrc, df/dx = 1 for sum, 1/count for mean, 1/ties for the elements
    equal to the result of amax and amin (0 for the rest), the product of the others for prod"""

    def forward(self, x, index, src, dim, reduce, include_self):
        xp = self.xp
        self.dim, self.reduce, self.include_self = dim, reduce, include_self
        out = _at_least_1d(x).copy()
        index = _at_least_1d(index)
        where_to = _coordinates(xp, index, dim)
        if not include_self:
            out[where_to] = _identity(reduce, x.dtype, xp)
        getattr(xp, _COMBINE[reduce]).at(out, where_to, _leading(_at_least_1d(src), index.shape))
        if reduce == "mean":
            count = xp.full(out.shape, int(include_self), dtype=backend.int64)
            backend.scatter_add(xp, count, where_to, 1)
            self.count = xp.maximum(count, 1).reshape(x.shape)   # a place nothing went to keeps x
            divide = xp.true_divide if x.dtype.kind == "f" else xp.floor_divide   # integers round down, as in PyTorch
            with backend.ieee_quietly(xp):
                out = divide(out, self.count.reshape(out.shape)).astype(x.dtype)
        self.result = out.reshape(x.shape)
        return self.result

    def backward(self, grad):
        x, index, src = self.inputs
        if self.reduce == "sum":
            x_grad, src_grad = grad, Gather.apply(grad, index, dim=self.dim)
        elif self.reduce == "mean":
            share = grad / self.constant(self.count.astype(grad.dtype))
            x_grad, src_grad = share, Gather.apply(share, index, dim=self.dim)
        elif self.reduce == "prod":
            x_grad, src_grad = self._product_grads(grad)
        else:
            x_grad, src_grad = self._extreme_grads(grad)
        if not self.include_self:   # x's values at the written places took no part
            x_grad = _zeroed_at(x_grad, index, self.dim)
        return x_grad, None, _grown(src_grad, src.shape)

    def _where_to(self) -> tuple:
        return _coordinates(self.xp, _at_least_1d(self.inputs[1].array), self.dim)

    def _extreme_grads(self, grad: Tensor) -> tuple[Tensor, Tensor]:
        """The gradient goes to the elements equal to the result, shared equally among ties."""
        x, index, src = self.inputs
        xp, where_to = self.xp, self._where_to()
        result = _at_least_1d(self.result)
        x_hit = _at_least_1d(x.array) == result
        if not self.include_self:
            x_hit[where_to] = False
        src_hit = _leading(_at_least_1d(src.array), index.shape or (1,)) == result[where_to]
        ties = x_hit.astype(grad.dtype)
        backend.scatter_add(xp, ties, where_to, src_hit.astype(grad.dtype))
        share = grad / self.constant(xp.maximum(ties, 1).reshape(x.shape))
        return (where(self.constant(x_hit.reshape(x.shape)), share, 0.0),
                where(self.constant(src_hit.reshape(index.shape)), Gather.apply(share, index, dim=self.dim), 0.0))

    def _product_grads(self, grad: Tensor) -> tuple[Tensor, Tensor]:
        """d(product)/d(element) is the product of the other elements at its place: the product
        divided by the element where it is not 0. For a 0 that is the only one at its place, it is
        the product of the non-zero others; next to one other 0 it is that 0 times them (a value of
        0 whose own derivative is not); next to more, 0. Recorded ops throughout, so that double
        backward works as well."""
        x, index, src = self.inputs
        xp, dim, options = self.xp, self.dim, dict(dim=self.dim, include_self=self.include_self)
        src = src[tuple(slice(0, n) for n in index.shape)] if src.shape != index.shape else src
        x_zero, src_zero = self.constant(x.array == 0), self.constant(src.array == 0)
        zeros = _at_least_1d(x_zero.array if self.include_self else xp.zeros(x.shape, dtype=bool)).astype(backend.int64)
        backend.scatter_add(xp, zeros, self._where_to(), _at_least_1d(src_zero.array).astype(backend.int64))
        zeros = zeros.reshape(x.shape)
        one_zero, two_zeros = self.constant(zeros == 1), self.constant(zeros == 2)
        nonzero_x, nonzero_src = where(x_zero, 1.0, x), where(src_zero, 1.0, src)
        product = ScatterReduce.apply(x, index, src, reduce="prod", **options)   # again, recorded this time
        of_nonzero = ScatterReduce.apply(nonzero_x, index, nonzero_src, reduce="prod", **options)
        of_zeros = ScatterReduce.apply(where(x_zero, x, 0.0), index, where(src_zero, src, 0.0), reduce="sum", **options)

        def others(e: Tensor, is_zero: Tensor, nonzero: Tensor, one_zero: Tensor, two_zeros: Tensor,
                   product: Tensor, of_nonzero: Tensor, of_zeros: Tensor) -> Tensor:
            beside_a_zero = where(two_zeros, (of_zeros - e) * of_nonzero, 0.0)
            return where(is_zero, where(one_zero, of_nonzero, beside_a_zero), product / nonzero)

        places = (one_zero, two_zeros, product, of_nonzero, of_zeros)
        x_grad = grad * others(x, x_zero, nonzero_x, *places) if self.include_self else grad
        at_src = [Gather.apply(t, index, dim=dim) for t in places]
        return x_grad, Gather.apply(grad, index, dim=dim) * others(src, src_zero, nonzero_src, *at_src)


@register("scatter_reduce")
def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """input with src reduced in at index along dim by "sum", "prod", "mean", "amax" or "amin\""""
    if reduce not in _COMBINE:
        raise ValueError(f"scatter_reduce: reduce must be one of {', '.join(map(repr, _COMBINE))}, got {reduce!r}")
    d = _check_gather_args("scatter_reduce", input, dim, index, _src_tensor(src, "scatter_reduce"))
    return ScatterReduce.apply(input, index, src, dim=d, reduce=reduce, include_self=bool(include_self))


# ---- an index along one dim: index_select, index_add, take_along_dim -------------------------

def _spread(index: Tensor, dim: int, shape: tuple[int, ...]) -> Tensor:
    """A 1-D index along dim, broadcast to `shape` (a view: no copy) so gather can read with it."""
    along = tuple(index.shape[0] if d == dim else 1 for d in range(len(shape)))
    return index.reshape(along).expand(shape)


def _vector_index(input: Tensor, dim: Any, index: Any, op: str) -> tuple[int, Tensor]:
    """index_select's and index_add's index: 1-D (or 0-d), int64 or int32, inside the dim."""
    _check_index_tensor(index, op)
    if index.ndim > 1:
        raise ShapeError(f"{op}: index must be a vector (0-d or 1-d), got shape {index.shape}")
    d = wrap_dim(dim, input.ndim, op)
    _check_positions(index, (input.shape or (1,))[d], d, input.shape, op)
    return d, index.reshape(-1)


@register("index_select")
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of input along dim at the positions of a 1-D index (repeats allowed)"""
    d, index = _vector_index(input, dim, index, "index_select")
    if input.ndim == 0:
        if index.shape != (1,):
            raise ShapeError(f"index_select: a 0-d input takes an index of one value, got shape {index.shape}")
        return Gather.apply(input, index.reshape(()), dim=0)
    shape = input.shape[:d] + index.shape + input.shape[d + 1:]
    return Gather.apply(input, _spread(index, d, shape), dim=d)


@register("index_add")
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """input with alpha·source added at the positions of a 1-D index along dim (repeats add up)"""
    d, index = _vector_index(input, dim, index, "index_add")
    source = _src_tensor(source, "index_add")
    expected = input.shape[:d] + index.shape + input.shape[d + 1:] if input.ndim else index.shape
    if (source.shape or (1,)) != expected:
        raise ShapeError(f"index_add: source of shape {source.shape} does not fit: expected {expected} for input "
                         f"of shape {input.shape} and an index of {index.shape[0]} positions along dim {d}")
    if source.dtype != input.dtype:
        raise DTypeError(f"index_add: expected source of the dtype of input, {input.dtype}, got {source.dtype}")
    if alpha != 1:
        source = source * alpha
    if input.ndim == 0:
        return ScatterAdd.apply(input, index.reshape(()), source.reshape(()), dim=0)
    return ScatterAdd.apply(input, _spread(index, d, expected), source, dim=d)


@register("take_along_dim")
def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """input read at indices along dim, input and indices broadcast over the other dims (dim=None: flattened)"""
    _check_index_tensor(indices, "take_along_dim", "indices")
    if dim is None:
        input, indices, d = input.reshape(-1), indices.reshape(-1), 0
    else:
        d = wrap_dim(dim, input.ndim, "take_along_dim")
        if indices.ndim != input.ndim:
            raise ShapeError(f"take_along_dim: input and indices must have as many dims, got input of shape "
                             f"{input.shape} and indices of shape {indices.shape}")
    if input.ndim:
        others = broadcast_shapes(*(s[:d] + (1,) + s[d + 1:] for s in (input.shape, indices.shape)))
        if others is None:
            raise ShapeError(f"take_along_dim: input of shape {input.shape} and indices of shape {indices.shape} "
                             f"do not broadcast apart from dim {d}")
        input = input.expand(others[:d] + (input.shape[d],) + others[d + 1:])
        indices = indices.expand(others[:d] + (indices.shape[d],) + others[d + 1:])
    size = (input.shape or (1,))[d]
    if indices.numel() and int(indices.array.min()) >= -size:   # negative positions count from the end here
        indices = Tensor._make(indices.xp.where(indices.array < 0, indices.array + size, indices.array),
                               indices.device, False, None)
    _check_positions(indices, size, d, input.shape, "take_along_dim")
    return Gather.apply(input, indices, dim=d)


# ---- masks and triangles ----------------------------------------------------------------------

def check_mask(input: Tensor, mask: Any, op: str) -> Any:
    """The array of a bool mask that broadcasts with input, on input's device."""
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}: mask must be a bool Tensor, got {type(mask).__name__}")
    if mask.dtype != backend.bool_:
        raise DTypeError(f"{op}: expected a mask of dtype bool, got {mask.dtype}")
    if mask.device != input.device:
        raise RuntimeError(f"{op}: mask is on {mask.device} but input is on {input.device}")
    if broadcast_shapes(input.shape, mask.shape) is None:
        raise ShapeError(f"{op}: the mask of shape {mask.shape} does not broadcast with input of shape {input.shape}")
    return mask.array


def fill_value(input: Tensor, value: Any, op: str) -> Tensor:
    """masked_fill's value as a 0-d tensor of input's dtype: a number, or a 0-d tensor (which keeps
    its gradient)."""
    if isinstance(value, Tensor):
        if value.ndim:
            raise ShapeError(f"{op}: value must be a number or a 0-d tensor, got a tensor of shape {value.shape}")
        if value.device != input.device:
            raise RuntimeError(f"{op}: value is on {value.device} but input is on {input.device}")
        return value if value.dtype == input.dtype else value.to(input.dtype)
    if not isinstance(value, numbers.Number):
        raise TypeError(f"{op}: value must be a number or a 0-d tensor, got {type(value).__name__}")
    array = input.xp.asarray(_cast_number(value, input.dtype, op), dtype=input.dtype)
    return Tensor._make(array, input._device, False, None)


@register("masked_fill")
def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """input with value (a number or 0-d tensor) where the bool mask is True; mask broadcasts"""
    condition = check_mask(input, mask, "masked_fill")
    return Where.apply(fill_value(input, value, "masked_fill"), input, condition=condition)


@register("masked_select")
def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of input where the bool mask is True, as a 1-D tensor (input and mask broadcast)"""
    check_mask(input, mask, "masked_select")
    shape = broadcast_shapes(input.shape, mask.shape)
    return input.expand(shape)[mask.expand(shape)].reshape(-1)


@register("index_fill")
def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """input with value (a number or 0-d tensor) in the slices along dim at a 1-D index (negative: from the end)"""
    _check_index_tensor(index, "index_fill")
    if index.ndim > 1:
        raise ShapeError(f"index_fill: index must be a vector (0-d or 1-d), got shape {index.shape}")
    if index.device != input.device:
        raise RuntimeError(f"index_fill: index is on {index.device} but input is on {input.device}")
    d = wrap_dim(dim, input.ndim, "index_fill")
    size = (input.shape or (1,))[d]
    positions = index.array.reshape(-1)
    if positions.size and (int(positions.min()) < -size or int(positions.max()) >= size):
        bad = int(positions.max()) if int(positions.max()) >= size else int(positions.min())
        raise IndexError(f"index_fill: index {bad} is out of range for dim {d} of size {size} (input of shape "
                         f"{input.shape})")
    chosen = input.xp.zeros(size, dtype=bool)
    chosen[positions] = True   # a negative position counts from the end, as in PyTorch
    mask = chosen.reshape(tuple(size if k == d else 1 for k in range(input.ndim)))
    return masked_fill(input, _constant_like(input, mask), value)


class Tril(Function):
    """f(x) = x on and below the diagonal-th diagonal of its last two dims, 0 above;
    df/dx = 1 where x was kept, 0 elsewhere (so the gradient is cut the same way)"""
    reads = ((),)

    def forward(self, x, diagonal):
        self.diagonal = diagonal
        return self.cut(self.xp)(x, k=diagonal)

    @staticmethod
    def cut(xp: Any) -> Any:
        return xp.tril

    def backward(self, grad):
        return type(self).apply(grad, diagonal=self.diagonal)


class Triu(Tril):
    """f(x) = x on and above the diagonal-th diagonal of its last two dims, 0 below;
    df/dx = 1 where x was kept, 0 elsewhere"""

    @staticmethod
    def cut(xp: Any) -> Any:
        return xp.triu


def _triangle(function: type[Tril], input: Tensor, diagonal: Any) -> Tensor:
    op = function.op_name()
    if input.ndim < 2:
        raise ShapeError(f"{op}: input must have at least 2 dims, got shape {input.shape}")
    if isinstance(diagonal, bool) or not isinstance(diagonal, numbers.Integral):
        raise TypeError(f"{op}: diagonal must be an int, got {type(diagonal).__name__}")
    return function.apply(input, diagonal=int(diagonal))


@register("tril")
def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of (each matrix in) input, zeros above the diagonal-th diagonal"""
    return _triangle(Tril, input, diagonal)


@register("triu")
def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of (each matrix in) input, zeros below the diagonal-th diagonal"""
    return _triangle(Triu, input, diagonal)


# ---- positions as results: one_hot, nonzero, argwhere -------------------------------------------

def _constant_like(t: Tensor, array: Any) -> Tensor:
    return Tensor._make(array, t._device, False, None)


@register("one_hot", kind="functional")
def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*tensor.shape, num_classes), 1 at each value's class (num_classes=-1: max + 1)"""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot: expected a Tensor of int64 class values, got {type(tensor).__name__}")
    if tensor.dtype != backend.int64:
        raise DTypeError(f"one_hot: expected class values of dtype int64, got {tensor.dtype}")
    if num_classes == -1:
        if not tensor.numel():
            raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; give num_classes")
        num_classes = int(tensor.array.max()) + 1
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 0:
        raise ValueError(f"one_hot: num_classes must be -1 or a non-negative int, got {num_classes!r}")
    if tensor.numel():
        low, high = int(tensor.array.min()), int(tensor.array.max())
        if low < 0:
            raise ValueError(f"one_hot: class values must be non-negative, got {low}")
        if high >= num_classes:
            raise ValueError(f"one_hot: class values must be smaller than num_classes={num_classes}, got {high}")
    xp = tensor.xp
    return _constant_like(tensor, (tensor.array[..., None] == xp.arange(num_classes)).astype(backend.int64))


@register("nonzero")
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Tensor | tuple[Tensor, ...]:
    """The positions of the non-zero elements: an int64 tensor of shape (count, ndim), or one per dim with as_tuple"""
    xp = input.xp
    if input.ndim == 0:   # PyTorch: a 0-d tensor is one position with no coordinates
        count = int(bool(input.array))
        if as_tuple:
            return (_constant_like(input, xp.zeros(count, dtype=backend.int64)),)
        return _constant_like(input, xp.zeros((count, 0), dtype=backend.int64))
    positions = [p.astype(backend.int64) for p in xp.nonzero(input.array)]
    if as_tuple:
        return tuple(_constant_like(input, p) for p in positions)
    return _constant_like(input, xp.stack(positions, axis=1))


@register("argwhere")
def argwhere(input: Tensor) -> Tensor:
    """The positions of the non-zero elements, an int64 tensor of shape (count, ndim) (nonzero's)"""
    return nonzero(input)  # type: ignore[return-value]  # as_tuple=False: one tensor

