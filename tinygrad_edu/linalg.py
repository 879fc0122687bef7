"""tg.linalg, as torch.linalg: the vector and matrix norms and the cross product.

Each is an op declared in ops/ (ops/norms.py, ops/products.py), listed in docs/ops.md as
`linalg.<name>`; this module only gives them PyTorch's module path.
"""
from tinygrad_edu.ops.norms import linalg_norm as norm, matrix_norm, vector_norm
from tinygrad_edu.ops.products import linalg_cross as cross

__all__ = ["cross", "matrix_norm", "norm", "vector_norm"]
