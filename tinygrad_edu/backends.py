"""tg.backends: the flags PyTorch scripts set (torch.backends.cudnn.benchmark = True) and ask
(torch.backends.mps.is_available()). tinygrad_edu computes with NumPy and CuPy, not cuDNN or
Metal, so the flags are plain attributes that change nothing, and MPS is never available."""
from __future__ import annotations


class mps:  # noqa: N801 — PyTorch's name
    """Apple's Metal backend, which tinygrad_edu does not have."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def is_built() -> bool:
        return False


class cudnn:  # noqa: N801
    """Accepted settings of cuDNN, which tinygrad_edu does not use (CuPy's convolution here is
    im2col and one matrix product, always the same algorithm)."""
    enabled = True
    benchmark = False
    deterministic = False
    allow_tf32 = True

    @staticmethod
    def is_available() -> bool:
        return False
