"""A CPU device that behaves like CuPy where it matters: its arrays refuse to mix with NumPy.

CuPy raises when a GPU array meets a NumPy array in one operation, or when NumPy is asked to
compute on a GPU array. Code that silently falls back to NumPy therefore works on the CPU and
breaks on a GPU. CI has no GPU, so the test suite runs every device-parametrised test on this
"strict" device too: its arrays are NumPy arrays of a subclass that raises in the same places.
"""
from __future__ import annotations

import threading
import types

import numpy as np

from tinygrad_edu import backend

_inside = threading.local()


class StrictArray(np.ndarray):
    """An ndarray that refuses to compute together with plain NumPy arrays."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _refuse_plain(ufunc.__name__, inputs + tuple(kwargs.get("out", ())))
        plain_inputs = [_plain(x) for x in inputs]
        if "out" in kwargs:
            kwargs["out"] = tuple(_plain(x) for x in kwargs["out"])
        with np.errstate(all="ignore"):   # as CuPy, which never warns about inf and nan
            result = getattr(ufunc, method)(*plain_inputs, **kwargs)
        return _wrap(result)

    def __array_function__(self, func, types_, args, kwargs):
        if not getattr(_inside, "depth", 0):
            _refuse_plain(func.__name__, _flatten(args) + _flatten(tuple(kwargs.values())))
        _inside.depth = getattr(_inside, "depth", 0) + 1
        try:
            result = func(*_unwrap(args), **_unwrap(kwargs))
        finally:
            _inside.depth -= 1
        return _wrap(result)


def _flatten(values):
    out = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out.extend(_flatten(v))
        else:
            out.append(v)
    return tuple(out)


def _refuse_plain(name, values):
    for v in values:
        if type(v) is np.ndarray:
            raise TypeError(f"strict device: {name} got a plain numpy.ndarray next to a device array "
                            f"(CuPy refuses this: arrays must be moved explicitly)")


def _plain(x):
    return x.view(np.ndarray) if isinstance(x, StrictArray) else x


def _unwrap(x):
    if isinstance(x, StrictArray):
        return x.view(np.ndarray)
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    if isinstance(x, dict):
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def _wrap(result):
    if isinstance(result, tuple):
        return tuple(_wrap(r) for r in result)
    if isinstance(result, np.ndarray) and not isinstance(result, StrictArray):
        return result.view(StrictArray)
    if isinstance(result, np.generic):       # NumPy returns bare scalars; CuPy returns 0-d arrays
        return np.asarray(result).view(StrictArray)
    return result


class _StrictUfunc:
    def __init__(self, ufunc):
        self._ufunc = ufunc

    def __call__(self, *args, **kwargs):
        return _wrap(self._ufunc(*args, **kwargs))

    def __getattr__(self, name):
        attr = getattr(self._ufunc, name)
        return (lambda *a, **k: _wrap(attr(*a, **k))) if callable(attr) else attr


class _StrictModule(types.ModuleType):
    """Looks like the numpy module, but every array it makes is a StrictArray."""

    def __init__(self):
        super().__init__("strict_numpy")

    def __getattr__(self, name):
        attr = getattr(np, name)
        if isinstance(attr, np.ufunc):
            return _StrictUfunc(attr)
        if callable(attr) and not isinstance(attr, type):
            return lambda *a, **k: _wrap(attr(*a, **k))
        return attr


def _to_host(array):
    if not isinstance(array, StrictArray):
        raise TypeError(f"strict device: expected a device array, got {type(array).__name__}")
    return array.view(np.ndarray).copy()


def _from_host(array):
    return np.array(array).view(StrictArray)


def register() -> None:
    backend.register_device("strict", lambda: backend.Device(
        "strict", _StrictModule(), StrictArray, _to_host, _from_host, checks_arrays=True))
