"""Data types: the dtype names (tg.float32 ...), the default float, and PyTorch's rules for
inferring a dtype from Python data and for promoting two dtypes to one."""
from __future__ import annotations

from typing import Any

import numpy as np

# dtypes are NumPy's dtype objects; CuPy uses the same ones.
float16, float32, float64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
int8, int16, int32, int64 = np.dtype("int8"), np.dtype("int16"), np.dtype("int32"), np.dtype("int64")
uint8, bool_ = np.dtype("uint8"), np.dtype("bool")
DEFAULT_FLOAT = float32


def as_dtype(dtype: Any) -> np.dtype:
    """'float32', np.float32, tg.float32 and friends all name one dtype."""
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}") from None


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def infer_dtype(data: Any) -> np.dtype | None:
    """PyTorch's rules for Python data: floats -> float32, ints -> int64, bools -> bool."""
    if isinstance(data, bool):
        return bool_
    if isinstance(data, int):
        return int64
    if isinstance(data, float):
        return DEFAULT_FLOAT
    kind = np.asarray(data).dtype.kind
    return {"b": bool_, "i": int64, "u": int64, "f": DEFAULT_FLOAT}.get(kind)   # None: let Tensor reject it


def category(dtype: np.dtype) -> int:
    """PyTorch's kinds of dtype, in the order promotion climbs them: bool 0, integer 1, float 2."""
    return {"b": 0, "i": 1, "u": 1, "f": 2}[dtype.kind]


def promote_types(a: np.dtype, b: np.dtype, a_is_0d: bool = False, b_is_0d: bool = False) -> np.dtype:
    """PyTorch's promotion for two tensors: a float wins over an integer and keeps its width,
    and an integer wins over a bool. A 0-d tensor meeting a tensor with dimensions adapts to it,
    like a Python number, but only within one category (bool < integer < float): int8 and a 0-d
    int64 give int8, while a bool tensor and a 0-d int64 give int64."""
    if a == b:
        return a
    if a_is_0d != b_is_0d:
        dims, zero = (b, a) if a_is_0d else (a, b)
        if category(zero) <= category(dims):
            return dims
    if is_floating(a) != is_floating(b):
        return a if is_floating(a) else b   # int64 with float16 is float16, as in PyTorch (NumPy: float64)
    return np.promote_types(a, b)


def scalar_result_dtype(tensor_dtype: np.dtype, scalar: Any) -> np.dtype:
    """The dtype of `tensor <op> python_scalar`: the tensor's, unless the scalar is a float
    and the tensor is not (then the default float), as in PyTorch."""
    if isinstance(scalar, float) and not is_floating(tensor_dtype):
        return DEFAULT_FLOAT
    if isinstance(scalar, int) and not isinstance(scalar, bool) and tensor_dtype == bool_:
        return int64
    return tensor_dtype
