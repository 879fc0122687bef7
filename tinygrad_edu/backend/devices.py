"""Devices: which array library computes where (NumPy for "cpu", CuPy for "cuda"), whether a
device can really run, the default device, and moving arrays between devices.

The device tables and the default device live only here; other modules read them through
this module's functions (or, for speed, through the `array_modules` dict, which is never
replaced, only updated).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from tinygrad_edu.backend.dtypes import float32

CUDA_INSTALL_HINT = 'install the CUDA extra: pip install "tinygrad_edu[cuda]"'
GPU_CHECK_HINT = ("check that `nvidia-smi` lists a GPU and that its driver supports the CUDA version your CuPy "
                  "package is built for (cupy-cuda12x: CUDA 12)")


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
            _unavailable_reason[device] = _cupy_import_problem(e)
        except Exception as e:  # CuPy raises its own runtime errors when no GPU or driver is present
            _availability[device] = False
            # the extra is installed: saying "install it" would send the user round in circles
            _unavailable_reason[device] = (f"CuPy is installed, but no usable NVIDIA GPU or driver was found "
                                           f"({type(e).__name__}: {e}); {GPU_CHECK_HINT}")
    return _availability[device]


def _cupy_import_problem(error: ImportError) -> str:
    """Why importing CuPy failed: not installed (install the extra), or installed but broken."""
    if isinstance(error, ModuleNotFoundError) and (error.name or "").split(".")[0] == "cupy":
        return f"CuPy is not installed; {CUDA_INSTALL_HINT}"
    return f"CuPy is installed but cannot be imported ({error}); {GPU_CHECK_HINT}"


class device(str):  # noqa: N801 — named like torch.device
    """A device name as an object, like torch.device: `device("cuda:0")`, `device("cuda", 0)`,
    `device("cpu")`, with `.type` and `.index`.

    It is a str whose text is the name tinygrad_edu computes with ("cpu", "cuda"), so it works
    wherever a device string does, also as a dict key; `str()` and `repr()` read like
    PyTorch's ("cuda:0", `device(type='cuda', index=0)`). Two devices are equal when type and
    index are (as in PyTorch, device("cuda") != device("cuda:0")); a device equals a string
    that names it, and a string without an index ("cuda") names every index of its type, so
    code that asks `t.device == "cuda"` keeps working. Creating one never probes a GPU.
    """
    type: str
    index: int | None  # type: ignore[assignment]  # str.index, the method, is hidden as in torch.device

    def __new__(cls, type: Any, index: int | None = None) -> device:  # noqa: A002 — PyTorch's name
        if isinstance(type, device) and index is None:
            return type
        kind, index = _parse_device(type, index)
        self = super().__new__(cls, kind if index in (None, 0) else f"{kind}:{index}")
        self.type, self.index = kind, index
        return self

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"device(type={self.type!r})" if self.index is None else \
            f"device(type={self.type!r}, index={self.index})"

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, device):
            return self.type == other.type and self.index == other.index
        if isinstance(other, str):
            try:
                kind, index = _parse_device(other, None)
            except RuntimeError:
                return False
            return kind == self.type and (index is None or index == (self.index or 0))
        return NotImplemented

    def __ne__(self, other: Any) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = str.__hash__   # the computing name's hash: device("cuda:0") finds the "cuda" entries

    def __reduce__(self) -> tuple:
        return device, (self.type, self.index)

    def __enter__(self) -> device:
        """`with tg.device("cuda"):` makes it the default device inside the block, as in PyTorch."""
        self._previous = get_default_device()
        set_default_device(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        set_default_device(self._previous)


def _parse_device(name: Any, index: Any) -> tuple[str, int | None]:
    """(type, index) from "cuda", "cuda:0", ("cuda", 0) or 0 (the GPU of that number, as in PyTorch)."""
    if isinstance(name, int) and not isinstance(name, bool) and index is None:
        name, index = "cuda", name
    if not isinstance(name, str):
        raise TypeError(f"device: expected a string such as 'cpu' or 'cuda:0', got {type(name).__name__}")
    kind, _, number = name.partition(":")
    if kind not in known_devices():
        raise RuntimeError(f"device: expected one of {', '.join(known_devices())} device type at start of "
                           f"device string: {name}")
    if number:
        if index is not None:
            raise RuntimeError(f"device: type (string) must not include an index because index was passed "
                               f"explicitly: {name}")
        if not number.isdigit():
            raise RuntimeError(f"device: invalid device string: {name!r}; the index must be a whole number")
        index = int(number)
    if index is not None and (isinstance(index, bool) or not isinstance(index, int) or index < 0):
        raise RuntimeError(f"device: the index must be a non-negative int, got {index!r} for {name!r}")
    return kind, index


def tensor_device(name: str) -> device:
    """The device object that `t.device` hands out for a tensor computing on `name`: the
    computing name with PyTorch's index (cuda tensors are on cuda:0, CPU tensors have none)."""
    found = _tensor_devices.get(name)
    if found is None:
        found = _tensor_devices[name] = device(name, 0 if name == "cuda" else None)
    return found


_tensor_devices: dict[str, device] = {}


def get_device(device: str) -> Device:
    if device in _devices:
        return _devices[device]
    if not isinstance(device, str):
        raise TypeError(f"device must be a string such as 'cpu' or 'cuda', got {type(device).__name__}")
    if not is_available(device):
        raise RuntimeError(f"device {device!r} is not available: {_unavailable_reason[device]}")
    return _devices[device]


def normalize_device(device: Any) -> str:
    """The computing name ("cpu", "cuda") for 'cpu', 'cuda', 'cuda:0', a tg.device, or None
    (the default device)."""
    if device is None:
        return get_default_device()
    if isinstance(device, int) and not isinstance(device, bool):
        device = f"cuda:{device}"   # PyTorch reads a bare number as that GPU
    name = str(device)
    if name.startswith("cuda:"):
        if name != "cuda:0":
            raise ValueError(f"only one GPU is supported, got device {name!r}; use 'cuda'")
        name = "cuda"
    get_device(name)  # raises a clear error for unknown or unavailable devices
    return name


def array_module(device: str) -> Any:
    """The array library (numpy or cupy) that computes on `device`."""
    module = array_modules.get(device)
    return module if module is not None else get_device(device).module


DEVICE_VARIABLE = "TINYGRAD_EDU_DEVICE"
# None until the default device is first used: only then is TINYGRAD_EDU_DEVICE read and
# checked, so that `import tinygrad_edu` (and `tinygrad-edu --help`) work whatever it says.
_default_device: str | None = None


def set_default_device(device: str) -> None:
    """Where new tensors live when no device is given (this wins over TINYGRAD_EDU_DEVICE)."""
    global _default_device
    _default_device = normalize_device(device)


def get_default_device() -> str:
    """Where new tensors live when no device is given: the device set_default_device chose,
    else the one the environment variable TINYGRAD_EDU_DEVICE names, else "cpu"."""
    global _default_device
    if _default_device is None:
        _default_device = _device_from_environment()
    return _default_device


def _device_from_environment() -> str:
    """The device TINYGRAD_EDU_DEVICE names ("cpu" when it is unset or empty), or an error that
    names the variable, its value and the choices."""
    wanted = os.environ.get(DEVICE_VARIABLE, "").strip()
    if not wanted:
        return "cpu"
    where = f"the environment variable {DEVICE_VARIABLE}={wanted!r}"
    choices = f"choices: {', '.join(known_devices())}, or unset it to compute on cpu"
    if wanted.split(":")[0] not in known_devices():
        raise ValueError(f"{where} names no device that tinygrad_edu knows; {choices}")
    try:
        return normalize_device(wanted)
    except (ValueError, RuntimeError) as e:   # e.g. "cuda" without CuPy or a GPU, or "cuda:1"
        raise type(e)(f"{where} cannot be used: {e}; {choices}") from None


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


def numpy_kind(value: Any) -> str | None:
    """"array" for a NumPy array, "scalar" for a NumPy scalar (np.float32(1.5)), else None: for
    code outside the backend that must treat host data from NumPy as PyTorch does."""
    if isinstance(value, np.ndarray):
        return "array"
    return "scalar" if isinstance(value, np.generic) else None


def to_device(array: Any, device: str, dtype: Any = None, copy: bool = False) -> Any:
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

