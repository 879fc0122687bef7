"""nn.functional: the operations of the layers, as plain functions (`import tinygrad_edu.nn.functional as F`).

Every entry is an op declared in `tinygrad_edu/ops/` with `@register` (activations, losses,
conv and pooling, linear, dropout, pad, flatten); this module only gathers them under
PyTorch's names. docs/ops.md lists them.
"""
from __future__ import annotations

from tinygrad_edu.ops.registry import functional_functions

globals().update(functional_functions())
__all__ = sorted(functional_functions())
