"""Functions NumPy lacks or gets awkward: erf and an overflow-free sigmoid (through SciPy's or
CuPy's special functions when installed), IEEE arithmetic without warnings, and scatter_add."""
from __future__ import annotations

import contextlib
import math
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
