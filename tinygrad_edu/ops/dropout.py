"""Dropout: zero random elements while training, so no unit can rely on any other.

Its own family because it draws random numbers (from the one seeded generator, on the host,
so that tg.manual_seed gives the same mask on every device) and can write in place.
"""
from __future__ import annotations

from tinygrad_edu import backend
from tinygrad_edu.ops.inplace import in_place
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


@register("dropout", kind="functional")
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: in training, zero each element with probability p and scale the rest
    by 1/(1 - p), so the expected value stays x and evaluation needs no rescaling.

    y = x·mask/(1 - p) with mask ~ Bernoulli(1 - p);  dy/dx = mask/(1 - p)
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"dropout: probability p must be between 0 and 1, got {p!r}")
    if not training or p == 0:
        return input
    if not backend.is_floating(input.dtype):
        raise TypeError(f"dropout: needs a floating-point tensor, got {input.dtype}")
    # One mask, drawn before anything is written, so that an in-place dropout that is refused
    # (a leaf that requires grad) leaves both the tensor and the generator's use predictable.
    keep = backend.random_generator().random(input.shape) >= p
    scale = keep.astype(input.dtype) * input.dtype.type(0.0 if p == 1 else 1 / (1 - p))
    mask = Tensor._make(backend.to_device(scale, input._device), input._device, False, None)
    if inplace:
        return in_place(input, "dropout", lambda x: x * mask)
    return input * mask
