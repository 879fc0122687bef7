"""nn.functional: the operations of the layers, as plain functions (`import tinygrad_edu.nn.functional as F`).

Every entry is an op declared in `tinygrad_edu/ops/` with `@register` (activations, losses,
conv and pooling, linear, dropout, pad, flatten); this module only gathers them under
PyTorch's names. docs/ops.md lists them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from tinygrad_edu.ops.registry import functional_functions

if TYPE_CHECKING:   # the same functions, named for type checkers (tinygrad_edu/declared/)
    from tinygrad_edu.declared import functional as _declared
    from tinygrad_edu.declared.functional import *  # noqa: F403
    __all__ = _declared.__all__
else:
    globals().update(functional_functions())
    __all__ = sorted(functional_functions())
