"""The one door to an array library.

Every array computation in tinygrad_edu goes through the module this file hands out:
NumPy for the device "cpu", CuPy for "cuda". Op code never imports numpy or cupy itself;
it asks for `array_module(device)` and writes `xp.exp(x)`, which is why the same op runs
on both devices. Moving data between devices also happens only here.
"""
from __future__ import annotations

import contextlib
import math
import os
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

CUDA_INSTALL_HINT = 'install the CUDA extra: pip install "tinygrad_edu[cuda]"'

# dtypes are NumPy's dtype objects; CuPy uses the same ones.
float16, float32, float64 = np.dtype("float16"), np.dtype("float32"), np.dtype("float64")
int8, int16, int32, int64 = np.dtype("int8"), np.dtype("int16"), np.dtype("int32"), np.dtype("int64")
uint8, bool_ = np.dtype("uint8"), np.dtype("bool")
DEFAULT_FLOAT = float32


@dataclass
class Device:
    """How to reach one device: its array module and the array type it hands out."""
    name: str
    module: Any
    array_type: type
    to_host: Callable[[Any], np.ndarray]
    from_host: Callable[[Any], Any]
    checks_arrays: bool = False   # verify every op result really lives on this device


def _cpu() -> Device:
    return Device("cpu", np, np.ndarray, lambda a: a, np.asarray)


def _cuda() -> Device:
    import cupy  # imported lazily: the CPU path must work without CuPy installed
    return Device("cuda", cupy, cupy.ndarray, cupy.asnumpy, cupy.asarray, checks_arrays=True)


_devices: dict[str, Device] = {"cpu": _cpu()}
# device name -> array module, for every device already set up (read on every operation)
array_modules: dict[str, Any] = {"cpu": np}
_device_makers: dict[str, Callable[[], Device]] = {"cuda": _cuda}
_availability: dict[str, bool] = {"cpu": True}
_unavailable_reason: dict[str, str] = {}


def register_device(name: str, make: Callable[[], Device]) -> None:
    """Add a device (the test suite registers a strict CPU device this way)."""
    _device_makers[name] = make
    _devices.pop(name, None)
    array_modules.pop(name, None)
    _availability.pop(name, None)


def known_devices() -> list[str]:
    return sorted(set(_devices) | set(_device_makers))


def is_available(device: str) -> bool:
    """True when `device` can really run: for "cuda", CuPy imports and a tiny kernel runs.

    The answer is cached, because probing a GPU takes time.
    """
    if device not in _availability:
        try:
            made = _device_makers[device]()
            if device == "cuda":  # importing CuPy proves nothing; running a kernel does
                x = made.module.arange(3, dtype=float32)
                if float((x * 2).sum()) != 6.0:
                    raise RuntimeError("a test kernel returned a wrong result")
            _devices[device] = made
            array_modules[device] = made.module
            _availability[device] = True
        except KeyError:
            raise ValueError(f"unknown device {device!r}; expected one of {known_devices()}") from None
        except ImportError as e:
            _availability[device] = False
            _unavailable_reason[device] = f"CuPy is not installed ({e}); {CUDA_INSTALL_HINT}"
        except Exception as e:  # CuPy raises its own runtime errors when no GPU or driver is present
            _availability[device] = False
            _unavailable_reason[device] = (f"CuPy is installed but no usable NVIDIA GPU was found "
                                           f"({type(e).__name__}: {e}); check the driver, or {CUDA_INSTALL_HINT}")
    return _availability[device]


def get_device(device: str) -> Device:
    if device in _devices:
        return _devices[device]
    if not isinstance(device, str):
        raise TypeError(f"device must be a string such as 'cpu' or 'cuda', got {type(device).__name__}")
    if not is_available(device):
        raise RuntimeError(f"device {device!r} is not available: {_unavailable_reason[device]}")
    return _devices[device]


def normalize_device(device: Any) -> str:
    """Accept 'cpu', 'cuda', 'cuda:0' and None (the default device)."""
    if device is None:
        return get_default_device()
    name = str(device)
    if name.startswith("cuda:"):
        if name != "cuda:0":
            raise ValueError(f"only one GPU is supported, got device {name!r}; use 'cuda'")
        name = "cuda"
    get_device(name)  # raises a clear error for unknown or unavailable devices
    return name


def array_module(device: str):
    """The array library (numpy or cupy) that computes on `device`."""
    module = array_modules.get(device)
    return module if module is not None else get_device(device).module


_default_device = "cpu"


def set_default_device(device: str) -> None:
    """Where new tensors live when no device is given."""
    global _default_device
    _default_device = normalize_device(device)


def get_default_device() -> str:
    return _default_device


def _device_from_environment() -> None:
    wanted = os.environ.get("TINYGRAD_EDU_DEVICE")
    if wanted:
        set_default_device(wanted)


# ---- moving arrays ---------------------------------------------------------------------

def device_of_array(array: Any) -> str | None:
    """The device an array already lives on, or None for lists, scalars and other host data."""
    for name, dev in _devices.items():
        if type(array) is dev.array_type:
            return name
    if isinstance(array, np.ndarray):
        return "cpu"
    module = type(array).__module__
    if module.startswith("cupy"):
        return "cuda"
    return None


def to_device(array: Any, device: str, dtype=None, copy: bool = False):
    """Turn `array` (host data or an array on any device) into an array on `device`.

    With copy=True the result never shares memory with `array`, even when nothing had to move.
    """
    target = get_device(device)
    source = device_of_array(array)
    if source is not None and source != device:
        array = get_device(source).to_host(array)
    if source != device:
        array = target.from_host(np.asarray(array) if dtype is None else np.asarray(array, dtype=dtype))
    elif dtype is not None and array.dtype != dtype:
        return array.astype(dtype)   # astype copies
    elif copy:
        return array.copy()
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    return array


def to_numpy(array: Any, device: str) -> np.ndarray:
    """A NumPy array with the data of `array` (a copy when it lives on a GPU)."""
    return get_device(device).to_host(array)


def check_array(array: Any, device: str, op: str) -> None:
    """Catch an op that silently produced an array on the wrong device."""
    dev = _devices[device]
    if dev.checks_arrays and not isinstance(array, dev.array_type):
        raise TypeError(f"{op}: produced a {type(array).__module__}.{type(array).__name__} "
                        f"on device {device!r}, expected {dev.array_type.__name__}; "
                        f"an array left its device without an explicit move")


# ---- data types --------------------------------------------------------------------------

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


def promote_types(a: np.dtype, b: np.dtype, a_is_0d: bool = False, b_is_0d: bool = False) -> np.dtype:
    """PyTorch's promotion for two tensors: a float wins over an integer and keeps its width,
    and within one kind a 0-d tensor adapts to a tensor with dimensions, like a Python number."""
    if a == b:
        return a
    if is_floating(a) != is_floating(b):
        return a if is_floating(a) else b
    if a_is_0d != b_is_0d:
        return b if a_is_0d else a
    return np.promote_types(a, b)


def scalar_result_dtype(tensor_dtype: np.dtype, scalar: Any) -> np.dtype:
    """The dtype of `tensor <op> python_scalar`: the tensor's, unless the scalar is a float
    and the tensor is not (then the default float), as in PyTorch."""
    if isinstance(scalar, float) and not is_floating(tensor_dtype):
        return DEFAULT_FLOAT
    if isinstance(scalar, int) and not isinstance(scalar, bool) and tensor_dtype == bool_:
        return int64
    return tensor_dtype


# ---- random numbers ----------------------------------------------------------------------

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed every random draw of tinygrad_edu (both devices draw from this one generator)."""
    global _rng
    _rng = np.random.default_rng(seed)


def random_generator() -> np.random.Generator:
    # Numbers are drawn on the host and moved, so a seed gives the same values on every device.
    return _rng


# ---- functions NumPy lacks ---------------------------------------------------------------

_vector_erf = np.vectorize(math.erf, otypes=[np.float64])
_special_modules: dict[type, Any] = {}


def _special_functions(x) -> Any:
    """scipy.special for host arrays (None when SciPy is not installed: it is optional),
    cupyx.scipy.special for GPU arrays; looked up once per array type."""
    kind = type(x)
    if kind not in _special_modules:
        try:
            if kind.__module__.startswith("cupy"):
                import cupyx.scipy.special as special
            else:
                import scipy.special as special
        except ImportError:
            special = None
        _special_modules[kind] = special
    return _special_modules[kind]


def erf(x):
    """The error function, elementwise, on either device."""
    special = _special_functions(x)
    if special is not None:
        return special.erf(x)
    return _vector_erf(x).astype(x.dtype)   # math.erf: exact, but one Python call per element


def sigmoid(x):
    """1/(1 + e^-x) for any x, without overflow: SciPy's (or CuPy's) expit when installed,
    else exp(-log(1 + e^-x)) with the logarithm from logaddexp, which never overflows."""
    special = _special_functions(x)
    if special is not None:
        return special.expit(x)
    return np.exp(-np.logaddexp(0, -x))


def ieee_quietly(xp) -> Any:
    """A context in which 1/0, log(0) and sqrt(-1) give inf and nan without NumPy's warnings,
    as they do in PyTorch; `tg.detect_anomaly()` is the tool that finds where they appear."""
    errstate = getattr(xp, "errstate", None)   # CuPy has none: it never warns
    return errstate(divide="ignore", invalid="ignore") if errstate is not None else contextlib.nullcontext()


def scatter_add(xp, target, index, values) -> None:
    """target[index] += values, adding repeated indices up (plain `+=` keeps only one)."""
    if xp is np:
        np.add.at(target, index, values)
    elif hasattr(xp, "add") and hasattr(xp.add, "at"):
        xp.add.at(target, index, values)
    else:
        import cupyx
        cupyx.scatter_add(target, index, values)


def empty_aligned(xp, shape: tuple, dtype: Any) -> Any:
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


_device_from_environment()
