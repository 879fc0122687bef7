"""Functions NumPy lacks or gets awkward: erf and an overflow-free sigmoid (through SciPy's or
CuPy's special functions when installed), IEEE arithmetic without warnings (`quiet_numpy`, `ieee_quietly`),
and scatter_add."""
from __future__ import annotations

import functools
import math
import warnings
from typing import Any

import numpy as np

_vector_erf = np.vectorize(math.erf, otypes=[np.float64])
_vector_erfc = np.vectorize(math.erfc, otypes=[np.float64])
_special_modules: dict[type, Any] = {}


def _special_functions(x: Any) -> Any:
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


def erfc(x):
    """1 - erf(x), elementwise, accurate where erf(x) is near 1 (1 - erf would round to 0)."""
    special = _special_functions(x)
    if special is not None:
        return special.erfc(x)
    return _vector_erfc(x).astype(x.dtype)


def sigmoid(x):
    """1/(1 + e^-x) for any x, without overflow: SciPy's (or CuPy's) expit when installed,
    else exp(-log(1 + e^-x)) with the logarithm from logaddexp, which never overflows."""
    special = _special_functions(x)
    if special is not None:
        return special.expit(x)
    return np.exp(-np.logaddexp(0, -x))


# NumPy reports overflow (e^1000), invalid results (inf - inf, 0·inf) and division by zero with
# a RuntimeWarning (or raises, under np.seterr(all="raise")); PyTorch gives inf and nan silently.
# So every op computes quietly, and only the op: the user's own NumPy keeps its settings.
# Function.apply does it for every op, in one of two ways (the engine does the same around
# each backward):
#
# * `quiet_numpy()` ... `restore_numpy(token)`: NumPy's error settings switched off for the op.
#   np.errstate would do, but builds its settings anew on every entry (about 2 µs, as much as
#   a small op); NumPy 2 keeps the settings in one context variable, so the quiet settings are
#   made once here and swapped in and out, one C call each way (NumPy 1.x: np.seterr). Still,
#   a swap costs about 4,000 machine instructions, as much as the rest of a small op's overhead.
# * for the many ops whose forward calls NumPy's ufuncs right in its own code (add, mul, exp,
#   matmul, the activations, and every op that moves data without arithmetic), a warnings filter
#   instead: a warning is filed under the module whose code called NumPy, and this filter drops
#   floating-point warnings filed under tinygrad_edu's modules only, so it changes nothing for
#   the user's NumPy. `warnings.catch_warnings()` swaps in a copy of the filter list (pytest does
#   around every test) and `simplefilter` puts new filters first, so before such an op computes,
#   apply checks that ours is still the first filter (`FLOATING_POINT_FILTER[0]`), and puts it
#   first again if not. Where NumPy raises instead (np.seterr(all="raise"), or a warning made an
#   error), apply computes the op again inside `ieee_quietly`.
try:
    from numpy._core.umath import _extobj_contextvar as _numpy_error_settings
    from numpy._core.umath import _make_extobj
    quiet_numpy = functools.partial(_numpy_error_settings.set, _make_extobj(all="ignore"))   # -> a token
    restore_numpy = _numpy_error_settings.reset
except ImportError:   # NumPy 1.x: np.seterr returns the settings to go back to
    quiet_numpy = functools.partial(np.seterr, all="ignore")  # type: ignore[assignment, arg-type]

    def restore_numpy(token: dict) -> None:  # type: ignore[misc]
        np.seterr(**token)


FLOATING_POINT_WARNINGS = r"(overflow|underflow|invalid value|divide by zero) encountered in"


def put_floating_point_filter_first() -> None:
    """Put the filter first (filterwarnings drops an equal one further down) and remember it."""
    warnings.filterwarnings("ignore", message=FLOATING_POINT_WARNINGS, category=RuntimeWarning,
                            module=r"tinygrad_edu\.")
    FLOATING_POINT_FILTER[0] = warnings.filters[0]


FLOATING_POINT_FILTER: list = [None]   # the filter as the warnings module holds it, once put
put_floating_point_filter_first()


class ieee_quietly:
    """A block in which overflow gives inf, and 1/0, log(0), sqrt(-1), inf - inf give inf and nan,
    without NumPy's warnings, as in PyTorch (`with ieee_quietly(xp): ...`); for array math outside
    an op, such as an optimizer's update. `tg.detect_anomaly()` is the tool that finds where they
    appear. `xp` is accepted for the caller's clarity: the block covers every array module."""
    __slots__ = ("_token",)

    def __init__(self, xp: Any = None) -> None:
        pass

    def __enter__(self) -> None:
        self._token = quiet_numpy()

    def __exit__(self, *exc: Any) -> None:
        restore_numpy(self._token)


def scatter_add(xp: Any, target: Any, index: Any, values: Any) -> None:
    """target[index] += values, adding repeated indices up (plain `+=` keeps only one)."""
    if xp is np:
        np.add.at(target, index, values)
    elif hasattr(xp, "add") and hasattr(xp.add, "at"):
        xp.add.at(target, index, values)
    else:
        import cupyx
        cupyx.scatter_add(target, index, values)
