"""Data types: the dtype names (tg.float32 ...), the default float, and PyTorch's rules for
inferring a dtype from Python data and for promoting two dtypes to one.

The default float (what `tg.tensor([1.5])` and `tg.zeros(3)` make) is run-time state: read it
with `get_default_dtype()`, never copy it; `DEFAULT_FLOAT` is only its starting value."""
from __future__ import annotations

from typing import Any

import numpy as np

# dtypes are NumPy's dtype objects; CuPy uses the same ones. For annotations: a dtype, and the
# NumPy array that Tensor.numpy() hands out.
DType = np.dtype
NDArray = np.ndarray
float16, float32, float64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
int8, int16, int32, int64 = np.dtype("int8"), np.dtype("int16"), np.dtype("int32"), np.dtype("int64")
uint8, bool_ = np.dtype("uint8"), np.dtype("bool")
DEFAULT_FLOAT = float32

# PyTorch's other names for the same dtypes: tg.float, tg.long, tg.half, ... (`tinygrad_edu`
# binds them at its top level; here they would hide Python's float, int and bool).
TORCH_NAMES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
               "short": int16, "bool": bool_}

_default_float = DEFAULT_FLOAT


def get_default_dtype() -> np.dtype:
    """The dtype of new float tensors (float32 unless set_default_dtype changed it)."""
    return _default_float


def set_default_dtype(dtype: Any) -> None:
    """Make `dtype` (float16, float32 or float64) the dtype of new float tensors, as
    torch.set_default_dtype; integer and bool dtypes are refused, as in PyTorch."""
    global _default_float
    dtype = as_dtype(dtype)
    if not is_floating(dtype):
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the default type, "
                        f"got {dtype}")
    _default_float = dtype


def as_dtype(dtype: Any) -> np.dtype:
    """'float32', np.float32, tg.float32, tg.long and friends all name one dtype."""
    try:
        return np.dtype(dtype)
    except TypeError:
        raise TypeError(f"unknown dtype {dtype!r}") from None


def is_floating(dtype: np.dtype) -> bool:
    return dtype.kind == "f"


def infer_dtype(data: Any) -> np.dtype | None:
    """PyTorch's rules for Python data: floats -> float32, ints -> int64, bools -> bool; a NumPy
    scalar keeps its dtype (np.float64 is a Python float too, but torch.tensor keeps float64)."""
    if isinstance(data, np.generic):
        return data.dtype if data.dtype.kind in "biuf" else None
    if isinstance(data, bool):
        return bool_
    if isinstance(data, int):
        return int64
    if isinstance(data, float):
        return _default_float
    kind = np.asarray(data).dtype.kind
    return {"b": bool_, "i": int64, "u": int64, "f": _default_float}.get(kind)   # None: let Tensor reject it


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
        return _default_float
    if isinstance(scalar, int) and not isinstance(scalar, bool) and tensor_dtype == bool_:
        return int64
    return tensor_dtype
