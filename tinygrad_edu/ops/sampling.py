"""Sampling: drawing category indices from weights (multinomial).

The numbers are drawn on the host from `backend.random_generator(generator)` and moved to
the input's device, so one seed gives the same samples on every device. The result is a
tensor of indices: it has no gradient.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


def _check_weights(input: Any, num_samples: Any, replacement: bool) -> Any:
    """The weights as a host float64 array of shape (rows, categories), after PyTorch's checks."""
    if not isinstance(input, Tensor):
        raise TypeError(f"multinomial: expected a Tensor of weights, got {type(input).__name__}")
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"multinomial: only supports floating-point weights, got {input.dtype}")
    if input.ndim not in (1, 2):
        raise ShapeError(f"multinomial: the weights must be 1-D or 2-D (rows of weights), got shape {input.shape}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, int):
        raise TypeError(f"multinomial: num_samples must be an int, got {type(num_samples).__name__}")
    categories = input.shape[-1]
    if num_samples <= 0:
        raise ValueError(f"multinomial: cannot sample num_samples={num_samples} <= 0 samples")
    if not replacement and num_samples > categories:
        raise ValueError(f"multinomial: cannot sample {num_samples} samples without replacement from "
                         f"{categories} categories (weights of shape {input.shape}); pass replacement=True")
    if categories == 0:
        raise ValueError(f"multinomial: cannot sample from 0 categories (weights of shape {input.shape})")
    host = backend.array_module("cpu")
    weights = backend.to_numpy(input.array, input.device).astype(host.float64).reshape(-1, categories)
    if not host.isfinite(weights).all() or (weights < 0).any():
        raise ValueError(f"multinomial: the weights must be finite and >= 0, got inf, nan or a negative entry "
                         f"in a tensor of shape {input.shape}")
    if (weights.sum(axis=1) <= 0).any():
        raise ValueError(f"multinomial: every row of weights needs a positive sum, but a row of the tensor of "
                         f"shape {input.shape} sums to 0")
    return weights


def _with_replacement(host: Any, rng: Any, weights: Any, num_samples: int) -> Any:
    """Inverse-CDF sampling: draw u in [0, 1) and find the first category whose cumulative
    probability exceeds u, by a binary search run on every draw at once (log2(categories) steps)."""
    cumulative = host.cumsum(weights, axis=1)
    cumulative /= cumulative[:, -1:]
    cumulative[:, -1] = 1.0   # exactly 1, so that every u < 1 finds a category
    rows = host.arange(len(weights))[:, None]
    u = rng.random((len(weights), num_samples))
    low = host.zeros(u.shape, dtype=host.int64)
    high = host.full(u.shape, weights.shape[1] - 1, dtype=host.int64)
    while (low < high).any():
        middle = (low + high) // 2
        right = cumulative[rows, middle] <= u   # a zero-weight category never passes: its bound equals the one before
        low, high = host.where(right, middle + 1, low), host.where(right, high, middle)
    return low


def _without_replacement(host: Any, rng: Any, weights: Any, num_samples: int) -> Any:
    """An exponential race: category i finishes at time E_i / w_i with E_i ~ Exp(1); the order
    of finishing is a draw without replacement, each next category chosen in proportion to
    its weight among those left. Zero weights finish last (at inf), as PyTorch picks them."""
    with backend.ieee_quietly(host):
        finish = rng.standard_exponential(weights.shape) / weights
    return host.argsort(finish, axis=1, kind="stable")[:, :num_samples]


@register("multinomial")
def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None) -> Tensor:
    """num_samples category indices per row, drawn in proportion to the weights in input (int64)"""
    weights = _check_weights(input, num_samples, replacement)
    host, rng = backend.array_module("cpu"), backend.random_generator(generator)
    draw = _with_replacement if replacement else _without_replacement
    samples = draw(host, rng, weights, num_samples)
    shape = (num_samples,) if input.ndim == 1 else (input.shape[0], num_samples)
    return Tensor._make(backend.to_device(samples.reshape(shape).astype(backend.int64), input._device),
                        input.device, False, None)
