"""Ways to make tensors: filled with a constant, a range, or random numbers.

Every function takes PyTorch's keywords: `dtype=`, `device=` (a string or a tg.device) and
`requires_grad=`; the random ones also `generator=` (a tg.Generator, else the default one
that `tg.manual_seed` seeds). Random numbers are drawn on the host and then moved, so a seed
gives the same numbers on the CPU and on the GPU. Float tensors get the default dtype
(`tg.get_default_dtype()`, float32 unless changed) unless a dtype is given.
"""
from __future__ import annotations

import operator
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.ops.shapes import shape_args
from tinygrad_edu.tensor import Tensor


def _new(array: Any, dtype: Any, device: Any, requires_grad: bool) -> Tensor:
    return Tensor(array, dtype=dtype, device=device, requires_grad=requires_grad)


def _float_dtype(dtype: Any) -> Any:
    return backend.get_default_dtype() if dtype is None else backend.as_dtype(dtype)


def _random_float_dtype(dtype: Any, op: str) -> Any:
    """Uniform and normal numbers are floats: an integer dtype is refused, as in PyTorch."""
    dtype = _float_dtype(dtype)
    if not backend.is_floating(dtype):
        raise TypeError(f"{op}: random numbers of this kind need a floating-point dtype, got {dtype}; "
                        f"use randint for integers")
    return dtype


def _size(shape: tuple, op: str) -> tuple[int, ...]:
    """f(2, 3), f((2, 3)) and f([2, 3]) give (2, 3); anything but whole numbers >= 0 is an error."""
    shape = shape_args(shape)
    try:
        sizes = tuple(operator.index(n) for n in shape)
    except TypeError:
        raise TypeError(f"{op}: size must be whole numbers, got {shape!r}") from None
    if any(n < 0 for n in sizes):
        raise RuntimeError(f"{op}: trying to create a tensor with negative dimension in size {sizes}")
    return sizes


def tensor(data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Like torch.tensor: a new tensor from Python data or an array (always a copy)."""
    return Tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like torch.as_tensor: `data` itself when it already is a tensor of that dtype and device,
    a tensor sharing a NumPy array's memory when it can, else a new tensor (a copy)."""
    if isinstance(data, Tensor):
        return data.to(device=device if device is not None else data.device, dtype=dtype or data.dtype)
    if backend.device_of_array(data) == "cpu" and (dtype is None or backend.as_dtype(dtype) == data.dtype) \
            and backend.normalize_device(device) == "cpu" and data.dtype.kind in "biuf":
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: Any) -> Tensor:
    """A CPU tensor that shares memory with a NumPy array (changes to one show in the other),
    like torch.from_numpy; `tg.tensor(array)` copies instead."""
    if backend.device_of_array(array) != "cpu":
        raise TypeError(f"from_numpy: expected a NumPy array, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: unsupported dtype {array.dtype}")
    return Tensor._make(array, "cpu", False, None)


def full(size: Any, fill_value: float, *, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of `size` filled with `fill_value` (its dtype follows the value, as in PyTorch)."""
    size = _size((size,), "full")
    dtype = backend.infer_dtype(fill_value) if dtype is None else backend.as_dtype(dtype)
    device = backend.normalize_device(device)
    array = backend.array_module(device).full(size, fill_value, dtype=dtype)
    return _new(array, dtype, device, requires_grad)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return full(_size(size, "zeros"), 0, dtype=_float_dtype(dtype), device=device, requires_grad=requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return full(_size(size, "ones"), 1, dtype=_float_dtype(dtype), device=device, requires_grad=requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Like torch.empty; here the memory is zeroed, so nothing left over can leak into results."""
    return full(_size(size, "empty"), 0, dtype=_float_dtype(dtype), device=device, requires_grad=requires_grad)


def rand(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    dtype = _random_float_dtype(dtype, "rand")
    array = backend.random_generator(generator).random(_size(size, "rand"))
    return _new(array, dtype, device, requires_grad)


def randn(*size: Any, generator: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers (mean 0, standard deviation 1)."""
    dtype = _random_float_dtype(dtype, "randn")
    array = backend.random_generator(generator).standard_normal(_size(size, "randn"))
    return _new(array, dtype, device, requires_grad)


def randint(*args: Any, size: Any = None, low: int | None = None, high: int | None = None, generator: Any = None,
            dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high): randint(high, size) or randint(low, high, size), as torch.randint."""
    if size is None and args:
        args, size = args[:-1], args[-1]
    if len(args) == 2 and low is None and high is None:
        low, high = args
    elif len(args) == 1 and high is None:
        high = args[0]
    elif args:
        raise TypeError(f"randint: expected randint(high, size) or randint(low, high, size), got positional "
                        f"arguments {args + (size,)!r}")
    if high is None or size is None:
        raise TypeError("randint: missing high or size; call randint(high, size) or randint(low, high, size)")
    low = 0 if low is None else low
    if not low < high:
        raise RuntimeError(f"randint: expects low < high, got low={low}, high={high}")
    size = _size((size,), "randint")
    array = backend.random_generator(generator).integers(low, high, size=size)
    return _new(array, backend.int64 if dtype is None else dtype, device, requires_grad)


def randperm(n: int, *, generator: Any = None, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """The numbers 0 .. n-1 in a random order (int64 unless dtype says otherwise)."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise RuntimeError(f"randperm: n must be a non-negative int, got {n!r}")
    array = backend.random_generator(generator).permutation(n)
    return _new(array, backend.int64 if dtype is None else dtype, device, requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal random numbers with the given mean and standard deviation (numbers or tensors that
    broadcast, as torch.normal; with two numbers, `size` gives the shape). The result is a new
    sample outside the graph: no gradient flows back to mean or std."""
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if size is None and not tensors:
        raise TypeError("normal: with a number for both mean and std, give size=, e.g. normal(0.0, 1.0, (2, 3))")
    if size is not None and tensors:
        raise TypeError("normal: size= goes with a number for both mean and std; with tensors the shape is theirs")
    device = tensors[0].device if device is None and tensors else device
    host = [v.numpy() if isinstance(v, Tensor) else v for v in (mean, std)]
    if (backend.to_device(host[1], "cpu") < 0).any():
        raise RuntimeError(f"normal: expects std >= 0.0, got {std}")
    if dtype is None:   # a tensor's float dtype wins, else the default float, as in PyTorch
        dtype = next((t.dtype for t in tensors if backend.is_floating(t.dtype)), backend.get_default_dtype())
    dtype = _random_float_dtype(dtype, "normal")
    shape = _size((size,), "normal") if size is not None else None
    array = backend.random_generator(generator).normal(host[0], host[1], size=shape)
    return _new(array, dtype, device, requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """start, start + step, ... up to but not including end; int64 when all three are ints."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and larger bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        ints = all(isinstance(v, int) or (isinstance(v, Tensor) and v.dtype.kind in "iu") for v in (start, end, step))
        dtype = backend.int64 if ints else backend.get_default_dtype()
    device = backend.normalize_device(device)
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    return _new(backend.array_module(device).arange(*values, dtype=backend.as_dtype(dtype)),
                dtype, device, requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced numbers from start to end; an integer dtype truncates them, as in
    PyTorch, and bool is refused, as in PyTorch."""
    dtype = _float_dtype(dtype)
    if dtype == backend.bool_:
        raise NotImplementedError("linspace: not implemented for dtype bool (PyTorch has no bool linspace "
                                  "either); make a float or integer range and compare it, e.g. linspace(...) > 0")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise RuntimeError(f"linspace: number of steps must be a non-negative int, got {steps!r}")
    device = backend.normalize_device(device)
    return _new(backend.array_module(device).linspace(start, end, steps), dtype, device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """An n x m matrix (n x n without m) with ones on the diagonal."""
    for name, value in (("n", n), ("m", m)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise RuntimeError(f"eye: {name} must be a non-negative int, got {value!r}")
    device = backend.normalize_device(device)
    return _new(backend.array_module(device).eye(n, m), _float_dtype(dtype), device, requires_grad)


def _like(t: Tensor, dtype: Any, device: Any) -> dict:
    return {"dtype": t.dtype if dtype is None else dtype, "device": t.device if device is None else device}


def zeros_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return full(input.shape, 0, **_like(input, dtype, device), requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return full(input.shape, 1, **_like(input, dtype, device), requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: float, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return full(input.shape, fill_value, **_like(input, dtype, device), requires_grad=requires_grad)


def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(input.shape, **_like(input, dtype, device), requires_grad=requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(input.shape, **_like(input, dtype, device), requires_grad=requires_grad)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
    """randint_like(t, high) or randint_like(t, low, high): integers in t's shape (and dtype)."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, **_like(input, dtype, device), requires_grad=requires_grad)
