"""Comparisons and logic: == < & | ~ isnan isclose any all ... never differentiable.

Their results are bool tensors (or, for the bitwise ops, integer ones) outside the graph: a
comparison is a step, so no gradient could pass through it. Two operands are first promoted to
one dtype, as for arithmetic (`Tensor._operand`): `int_tensor == 1.5` compares as float32.

The bitwise ops `& | ^ ~ << >>` work on integer and bool tensors only, as in PyTorch; on a bool
tensor `& | ^ ~` are the logical and, or, exclusive or and not.
"""
from __future__ import annotations

from typing import Any, Callable

from tinygrad_edu import backend
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.reduce import normalize_dims
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


def _result(input: Tensor, array: Any) -> Tensor:
    """A result outside the graph (never requires grad), on input's device."""
    return Tensor._make(input.xp.asarray(array), input._device, False, None)


def _operands(op: str, input: Tensor, other: Any) -> tuple[Tensor, Tensor]:
    a, b = input._operand(other, op)
    if a.device != b.device:
        raise RuntimeError(f"{op}: tensors are on {a.device} and {b.device}")
    return a, b


def _binary(op: str, compute: Callable, a: Tensor, b: Tensor) -> Tensor:
    try:
        return _result(a, compute(a.array, b.array))
    except ValueError:
        raise ShapeError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together") from None


def _compare(op: str, ufunc: str, input: Tensor, other: Any) -> Tensor:
    """input <op> other; messages use PyTorch's long alias (`less: ...`), which says what `<` did."""
    a, b = _operands(op, input, other)
    return _binary(op, getattr(a.xp, ufunc), a, b)


# ---- comparisons -------------------------------------------------------------------------------

@register("eq", operators=("__eq__",))
def eq(input: Tensor, other: Any) -> Tensor:
    """input == other, elementwise, broadcast (a bool tensor)"""
    return _compare("eq", "equal", input, other)


@register("ne", aliases=("not_equal",), operators=("__ne__",))
def ne(input: Tensor, other: Any) -> Tensor:
    """input != other, elementwise, broadcast (a bool tensor)"""
    return _compare("not_equal", "not_equal", input, other)


@register("lt", aliases=("less",), operators=("__lt__",))
def lt(input: Tensor, other: Any) -> Tensor:
    """input < other, elementwise, broadcast (a bool tensor)"""
    return _compare("less", "less", input, other)


@register("le", aliases=("less_equal",), operators=("__le__",))
def le(input: Tensor, other: Any) -> Tensor:
    """input <= other, elementwise, broadcast (a bool tensor)"""
    return _compare("less_equal", "less_equal", input, other)


@register("gt", aliases=("greater",), operators=("__gt__",))
def gt(input: Tensor, other: Any) -> Tensor:
    """input > other, elementwise, broadcast (a bool tensor)"""
    return _compare("greater", "greater", input, other)


@register("ge", aliases=("greater_equal",), operators=("__ge__",))
def ge(input: Tensor, other: Any) -> Tensor:
    """input >= other, elementwise, broadcast (a bool tensor)"""
    return _compare("greater_equal", "greater_equal", input, other)


# ---- special values ----------------------------------------------------------------------------

def _float_test(input: Tensor, test: Callable, whole_numbers: bool) -> Tensor:
    """test(array) for a float tensor; integers and bools are never nan or infinite."""
    if backend.is_floating(input.dtype):
        return _result(input, test(input.array))
    return _result(input, input.xp.full(input.shape, whole_numbers, dtype=bool))


@register("isnan")
def isnan(input: Tensor) -> Tensor:
    """Whether each element is NaN (a bool tensor)"""
    return _float_test(input, input.xp.isnan, False)


@register("isinf")
def isinf(input: Tensor) -> Tensor:
    """Whether each element is +inf or -inf (a bool tensor)"""
    return _float_test(input, input.xp.isinf, False)


@register("isposinf")
def isposinf(input: Tensor) -> Tensor:
    """Whether each element is +inf (a bool tensor)"""
    return _float_test(input, lambda a: a == float("inf"), False)


@register("isneginf")
def isneginf(input: Tensor) -> Tensor:
    """Whether each element is -inf (a bool tensor)"""
    return _float_test(input, lambda a: a == float("-inf"), False)


@register("isfinite")
def isfinite(input: Tensor) -> Tensor:
    """Whether each element is neither NaN nor infinite (a bool tensor)"""
    return _float_test(input, input.xp.isfinite, True)


# ---- closeness and equality ----------------------------------------------------------------------

@register("isclose")
def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol·|other|, elementwise, broadcast (a bool tensor)"""
    if not isinstance(other, Tensor):
        raise TypeError(f"isclose: other must be a Tensor, got {type(other).__name__}")
    if input.dtype != other.dtype:   # PyTorch promotes nothing here
        raise DTypeError(f"isclose: input is {input.dtype} but other is {other.dtype}; convert one first")
    if input.device != other.device:
        raise RuntimeError(f"isclose: tensors are on {input.device} and {other.device}")
    for name, value in (("rtol", rtol), ("atol", atol)):
        if not value >= 0:
            raise ValueError(f"isclose: {name} must be greater than or equal to zero, but got {value}")

    def close(a, b):
        with backend.ieee_quietly(input.xp):   # inf - inf on the way is fine: isclose handles it
            return input.xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return _binary("isclose", close, input, other)


@register("allclose")
def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether isclose holds for every element (a Python bool)"""
    return bool(isclose(input, other, rtol, atol, equal_nan).array.all())


@register("equal")
def equal(input: Tensor, other: Tensor) -> bool:
    """Whether input and other have the same shape and the same elements (a Python bool)"""
    if not isinstance(other, Tensor):
        raise TypeError(f"equal: other must be a Tensor, got {type(other).__name__}")
    if input.device != other.device:
        raise RuntimeError(f"equal: tensors are on {input.device} and {other.device}")
    return input.shape == other.shape and bool(input.xp.array_equal(input.array, other.array))


# ---- logical: the truth of each element, whatever its dtype ---------------------------------------

@register("logical_and")
def logical_and(input: Tensor, other: Any) -> Tensor:
    """Both input and other nonzero, elementwise, broadcast (a bool tensor)"""
    return _compare("logical_and", "logical_and", input, other)


@register("logical_or")
def logical_or(input: Tensor, other: Any) -> Tensor:
    """input or other nonzero, elementwise, broadcast (a bool tensor)"""
    return _compare("logical_or", "logical_or", input, other)


@register("logical_xor")
def logical_xor(input: Tensor, other: Any) -> Tensor:
    """Exactly one of input and other nonzero, elementwise, broadcast (a bool tensor)"""
    return _compare("logical_xor", "logical_xor", input, other)


@register("logical_not")
def logical_not(input: Tensor) -> Tensor:
    """Whether each element is zero (a bool tensor)"""
    return _result(input, input.xp.logical_not(input.array))


# ---- bitwise: integer and bool tensors only ------------------------------------------------------

def _integer_operands(op: str, input: Tensor, other: Any) -> tuple[Tensor, Tensor]:
    a, b = _operands(op, input, other)
    if a.dtype.kind not in "biu":
        raise DTypeError(f"{op}: only integer and bool tensors support it, got {a.dtype}")
    return a, b


def _bitwise(op: str, ufunc: str, input: Tensor, other: Any) -> Tensor:
    a, b = _integer_operands(op, input, other)
    return _binary(op, getattr(a.xp, ufunc), a, b)


@register("bitwise_and", operators=("__and__", "__rand__"))
def bitwise_and(input: Tensor, other: Any) -> Tensor:
    """input & other, bit by bit (logical and for bools), broadcast"""
    return _bitwise("bitwise_and", "bitwise_and", input, other)


@register("bitwise_or", operators=("__or__", "__ror__"))
def bitwise_or(input: Tensor, other: Any) -> Tensor:
    """input | other, bit by bit (logical or for bools), broadcast"""
    return _bitwise("bitwise_or", "bitwise_or", input, other)


@register("bitwise_xor", operators=("__xor__", "__rxor__"))
def bitwise_xor(input: Tensor, other: Any) -> Tensor:
    """input ^ other, bit by bit (exclusive or for bools), broadcast"""
    return _bitwise("bitwise_xor", "bitwise_xor", input, other)


@register("bitwise_not", operators=("__invert__",))
def bitwise_not(input: Tensor) -> Tensor:
    """~input: every bit flipped (logical not for bools)"""
    if input.dtype.kind not in "biu":
        raise DTypeError(f"bitwise_not (invert: ~ is only implemented on integer and bool tensors, got {input.dtype})")
    return _result(input, input.xp.invert(input.array))   # NumPy's invert of a bool is its not


def _shift(op: str, input: Tensor, other: Any, left: bool, reflected: bool = False) -> Tensor:
    """a << b or a >> b. A shift by a negative amount or by the width of the type or more is
    undefined in C; PyTorch gives 0 there (-1 for a negative number shifted right)."""
    a, b = _integer_operands(op, input, other)
    if reflected:
        a, b = b, a
    if a.dtype == backend.bool_:
        raise DTypeError(f"{op}: not implemented for bool tensors")

    xp = a.xp

    def shifted(x, amount):
        in_range = (amount >= 0) & (amount < x.dtype.itemsize * 8)
        result = (xp.left_shift if left else xp.right_shift)(x, xp.where(in_range, amount, 0))
        spilled = 0 if left else xp.where(x < 0, -1, 0).astype(x.dtype)
        return xp.where(in_range, result, spilled).astype(x.dtype)
    return _binary(op, shifted, a, b)


@register("bitwise_left_shift", operators=("__lshift__",))
def bitwise_left_shift(input: Tensor, other: Any) -> Tensor:
    """input << other: input·2^other in integer arithmetic, broadcast"""
    return _shift("bitwise_left_shift", input, other, left=True)


@register("bitwise_right_shift", operators=("__rshift__",))
def bitwise_right_shift(input: Tensor, other: Any) -> Tensor:
    """input >> other: ⌊input / 2^other⌋ in integer arithmetic, broadcast"""
    return _shift("bitwise_right_shift", input, other, left=False)


@register("rlshift", kind="operator", operators=("__rlshift__",))
def rlshift(input: Tensor, other: Any) -> Tensor:
    """other << input (what `1 << x` runs)"""
    return _shift("bitwise_left_shift", input, other, left=True, reflected=True)


@register("rrshift", kind="operator", operators=("__rrshift__",))
def rrshift(input: Tensor, other: Any) -> Tensor:
    """other >> input (what `256 >> x` runs)"""
    return _shift("bitwise_right_shift", input, other, left=False, reflected=True)


# ---- any and all ---------------------------------------------------------------------------------

def _truth_reduction(op: str, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    dims = normalize_dims(dim, input.ndim, op)
    result = getattr(input.xp, op)(input.array, axis=dims, keepdims=bool(keepdim))
    # bool, but uint8 for a uint8 tensor, as in PyTorch (from the days before bool tensors)
    return _result(input, result.astype(input.dtype) if input.dtype == backend.uint8 else result)


@register("any")
def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001 — PyTorch's name
    """Whether any element is nonzero, over dim (an int, a tuple, or None for all)"""
    return _truth_reduction("any", input, dim, keepdim)


@register("all")
def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001 — PyTorch's name
    """Whether every element is nonzero, over dim (an int, a tuple, or None for all)"""
    return _truth_reduction("all", input, dim, keepdim)
