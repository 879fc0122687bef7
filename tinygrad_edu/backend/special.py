"""Functions NumPy lacks or gets awkward: erf and an overflow-free sigmoid (through SciPy's or
CuPy's special functions when installed), IEEE arithmetic without warnings (`ieee_quietly`),
and scatter_add."""
from __future__ import annotations

import contextlib
import math
import warnings
from typing import Any

import numpy as np

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


# NumPy reports overflow (e^1000), invalid results (inf - inf, 0·inf) and division by zero with
# a RuntimeWarning; PyTorch gives inf and nan silently. Ops compute inside `ieee_quietly`, which
# silences NumPy for the calls inside the block only: the user's own NumPy keeps its settings.
# np.errstate would do, but it builds its settings anew on every entry, about 2 µs: as much as
# a small op itself. NumPy 2 keeps its error settings in one context variable, so the quiet
# settings are made once here and swapped in and out (under 1 µs); older NumPy falls back to
# np.errstate. CuPy never warns, so it needs nothing.
try:
    from numpy._core.umath import _extobj_contextvar as _numpy_error_settings
    from numpy._core.umath import _make_extobj
    _QUIET_SETTINGS = _make_extobj(all="ignore")
except ImportError:   # NumPy 1.x
    _numpy_error_settings = None


class _QuietNumPy:
    """`np.errstate(all="ignore")` with settings made once (see above); one object per block."""
    __slots__ = ("_token",)

    def __enter__(self) -> None:
        self._token = _numpy_error_settings.set(_QUIET_SETTINGS)

    def __exit__(self, *exc: Any) -> None:
        _numpy_error_settings.reset(self._token)


def _quiet_context_factory(xp) -> Any:
    """What makes a quiet block for the array module `xp` (worked out once per module)."""
    errstate = getattr(xp, "errstate", None)   # CuPy has none: it never warns
    if errstate is None:
        return contextlib.nullcontext
    if errstate is np.errstate and _numpy_error_settings is not None:   # NumPy, or a module wrapping it
        return _QuietNumPy
    return lambda: errstate(all="ignore")


_quiet_factories: dict[Any, Any] = {}


def ieee_quietly(xp) -> Any:
    """A context in which overflow gives inf, and 1/0, log(0), sqrt(-1), inf - inf give inf and
    nan, without NumPy's warnings, as in PyTorch; `tg.detect_anomaly()` is the tool that finds
    where they appear. Only the calls inside the block are affected."""
    try:
        return _quiet_factories[xp]()
    except KeyError:
        _quiet_factories[xp] = _quiet_context_factory(xp)
        return _quiet_factories[xp]()


# The cheapest ops (add, sub, mul, exp), which run most often, cannot afford a few hundred ns
# per call: a float32 add of 16 numbers takes about 3 µs in all. They compute plainly instead,
# under a warnings filter that drops NumPy's floating-point warnings raised from our own modules
# (a warning is filed under the module whose code called NumPy): it changes nothing for the
# user's NumPy, nor for any warning raised elsewhere. Filters are tried first to last, and
# `warnings.catch_warnings()` swaps in a copy of the list (pytest does so around every test, and
# around collection, where this package is often first imported), and `simplefilter` puts new
# filters first; so those ops call `filter_floating_point_warnings` before they compute: one
# identity check that ours is still the first filter, and only if it is not, ours is put first
# again. Where NumPy raises instead (a warning made an error, or np.seterr(all="raise")), those
# ops compute again inside `ieee_quietly`.
FLOATING_POINT_WARNINGS = r"(overflow|underflow|invalid value|divide by zero) encountered in"


def _put_filter_first() -> tuple:
    """Put the filter first (filterwarnings drops an equal one further down) and return it."""
    warnings.filterwarnings("ignore", message=FLOATING_POINT_WARNINGS, category=RuntimeWarning,
                            module=r"tinygrad_edu\.")
    return warnings.filters[0]


_FILTER = _put_filter_first()


def filter_floating_point_warnings() -> None:
    """Make sure NumPy's floating-point warnings raised in our modules are dropped, whatever
    filters came since (see above); cheap enough for every add."""
    global _FILTER
    filters = warnings.filters
    if not filters or filters[0] is not _FILTER:
        _FILTER = _put_filter_first()


def scatter_add(xp, target, index, values) -> None:
    """target[index] += values, adding repeated indices up (plain `+=` keeps only one)."""
    if xp is np:
        np.add.at(target, index, values)
    elif hasattr(xp, "add") and hasattr(xp.add, "at"):
        xp.add.at(target, index, values)
    else:
        import cupyx
        cupyx.scatter_add(target, index, values)
