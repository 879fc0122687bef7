"""Every operation, one family per file, each declared once with `@register` (registry.py).

Importing this package loads every family, which declares its ops: from then on Tensor has
their methods and operators. `tinygrad_edu/__init__.py` imports it right after Tensor.
"""
from tinygrad_edu.ops import (activations, conv, conversion, elementwise, indexing, inplace, losses,  # noqa: F401
                              matmul, movement, pooling, reduce)
