"""Array helpers that are not computation: buffers aligned to a cache line (for fast matrix
products) and the PyTorch-like text of an array (for Tensor.__repr__)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np


def empty_aligned(xp: Any, shape: tuple[int, ...], dtype: Any) -> Any:
    """An uninitialised array whose data starts on a 64-byte boundary (one cache line).

    NumPy's arrays start wherever malloc puts them, 16-byte aligned; a matrix product whose
    large operand starts mid-line can run much slower (measured in docs/benchmarks.md).
    CuPy's arrays are always aligned; they get the 64 spare bytes and use none of them.
    """
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    raw = xp.empty(nbytes + 64, dtype=np.uint8)
    start = -raw.ctypes.data % 64 if hasattr(raw, "ctypes") else 0
    return raw[start: start + nbytes].view(dtype).reshape(shape)


def format_array(array: np.ndarray, prefix: str) -> str:
    """Numbers printed the way PyTorch prints them, for Tensor.__repr__."""
    return np.array2string(array, separator=", ", prefix=prefix, precision=4, threshold=200, edgeitems=3)
