"""The library's own exception types.

Python code expects a ValueError for a value that does not fit and a TypeError for a dtype
that does not; PyTorch raises RuntimeError for both. Each class here is both at once, so
`except ValueError` and code written for PyTorch (`except RuntimeError`) catch it alike.
This module imports nothing: every layer may use it.
"""
from __future__ import annotations


class ShapeError(ValueError, RuntimeError):
    """Shapes, or dims, that do not fit the op: a matmul's inner dims, operands that cannot be
    broadcast together, a convolution's channels, a dim named twice in a reduction."""


class DTypeError(TypeError, RuntimeError):
    """A dtype the op refuses, as PyTorch does: `-` on a bool tensor, a matmul of float32 with
    float64."""
