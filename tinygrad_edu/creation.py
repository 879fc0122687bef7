"""Ways to make tensors: filled with a constant, a range, or random numbers.

Random numbers come from one seeded generator (`tg.manual_seed`) and are drawn on the host,
so a seed gives the same numbers on the CPU and on the GPU.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.ops.shapes import shape_args
from tinygrad_edu.tensor import Tensor


def _new(array: Any, dtype: Any, device: str | None, requires_grad: bool) -> Tensor:
    return Tensor(array, dtype=dtype, device=device, requires_grad=requires_grad)


def _float_dtype(dtype: Any):
    return backend.DEFAULT_FLOAT if dtype is None else backend.as_dtype(dtype)


def tensor(data: Any, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    """Like torch.tensor: a new tensor from Python data or an array."""
    return Tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def from_numpy(array: Any) -> Tensor:
    """A CPU tensor that shares memory with a NumPy array (changes to one show in the other),
    like torch.from_numpy; `tg.tensor(array)` copies instead."""
    if backend.device_of_array(array) != "cpu":
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: unsupported dtype {array.dtype}")
    return Tensor._make(array, "cpu", False, None)


def full(shape: Any, fill_value: float, dtype: Any = None, device: str | None = None,
         requires_grad: bool = False) -> Tensor:
    shape = shape_args((shape,)) if not isinstance(shape, int) else (shape,)
    dtype = backend.infer_dtype(fill_value) if dtype is None else backend.as_dtype(dtype)
    device = backend.normalize_device(device)
    array = backend.array_module(device).full(shape, fill_value, dtype=dtype)
    return _new(array, dtype, device, requires_grad)


def zeros(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    return full(shape_args(shape), 0.0, _float_dtype(dtype), device, requires_grad)


def ones(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    return full(shape_args(shape), 1.0, _float_dtype(dtype), device, requires_grad)


def empty(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    return zeros(*shape, dtype=dtype, device=device, requires_grad=requires_grad)


def rand(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    array = backend.random_generator().random(shape_args(shape))
    return _new(array, _float_dtype(dtype), device, requires_grad)


def randn(*shape: Any, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    array = backend.random_generator().standard_normal(shape_args(shape))
    return _new(array, _float_dtype(dtype), device, requires_grad)


def randint(low: int, high: int, size: Any, dtype: Any = None, device: str | None = None) -> Tensor:
    """Random integers in [low, high)."""
    array = backend.random_generator().integers(low, high, size=shape_args((size,)))
    return _new(array, backend.int64 if dtype is None else dtype, device, False)


def randperm(n: int, device: str | None = None) -> Tensor:
    return _new(backend.random_generator().permutation(n), backend.int64, device, False)


def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           device: str | None = None, requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = backend.int64 if all(isinstance(v, int) for v in (start, end, step)) else backend.DEFAULT_FLOAT
    device = backend.normalize_device(device)
    return _new(backend.array_module(device).arange(start, end, step, dtype=backend.as_dtype(dtype)),
                dtype, device, requires_grad)


def linspace(start: float, end: float, steps: int, dtype: Any = None, device: str | None = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced numbers from start to end; an integer dtype truncates them, as in
    PyTorch, and bool is refused, as in PyTorch."""
    dtype = _float_dtype(dtype)
    if dtype == backend.bool_:
        raise NotImplementedError("linspace: not implemented for dtype bool (PyTorch has no bool linspace "
                                  "either); make a float or integer range and compare it, e.g. linspace(...) > 0")
    device = backend.normalize_device(device)
    return _new(backend.array_module(device).linspace(start, end, steps), dtype, device, requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, device: str | None = None,
        requires_grad: bool = False) -> Tensor:
    device = backend.normalize_device(device)
    return _new(backend.array_module(device).eye(n, m), _float_dtype(dtype), device, requires_grad)


def _like(t: Tensor, dtype: Any, device: str | None) -> dict:
    return {"dtype": t.dtype if dtype is None else dtype, "device": t.device if device is None else device}


def zeros_like(t: Tensor, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    return full(t.shape, 0, **_like(t, dtype, device), requires_grad=requires_grad)


def ones_like(t: Tensor, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    return full(t.shape, 1, **_like(t, dtype, device), requires_grad=requires_grad)


def full_like(t: Tensor, fill_value: float, dtype: Any = None, device: str | None = None,
              requires_grad: bool = False) -> Tensor:
    return full(t.shape, fill_value, **_like(t, dtype, device), requires_grad=requires_grad)


def rand_like(t: Tensor, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    return rand(t.shape, **_like(t, dtype, device), requires_grad=requires_grad)


def randn_like(t: Tensor, dtype: Any = None, device: str | None = None, requires_grad: bool = False) -> Tensor:
    return randn(t.shape, **_like(t, dtype, device), requires_grad=requires_grad)
