"""nn.functional: the operations of the layers, as plain functions (`import tinygrad_edu.nn.functional as F`).

Most are defined in `tinygrad_edu/ops/` (activations, losses, conv and pooling, padding) and
only gathered here under PyTorch's names; `linear`, `softmax`'s default dim and `dropout`
live here.
"""
from __future__ import annotations

import warnings

from tinygrad_edu import backend
from tinygrad_edu.ops.activations import gelu, hardswish, mish, relu6, silu
from tinygrad_edu.ops.conv import avg_pool2d, conv2d, max_pool2d
from tinygrad_edu.ops.losses import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                                     mse_loss, nll_loss)
from tinygrad_edu.ops.movement import flatten, pad
from tinygrad_edu.tensor import Tensor

__all__ = ["relu", "sigmoid", "tanh", "step", "leaky_relu", "softmax", "log_softmax", "softplus", "gelu", "silu",
           "mish", "relu6", "hardswish", "linear", "conv2d", "max_pool2d", "avg_pool2d", "dropout", "pad",
           "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "flatten"]


def relu(x: Tensor) -> Tensor:
    """max(x, 0)"""
    return x.relu()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x)"""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    return x.tanh()


def step(x: Tensor) -> Tensor:
    """1 where x > 0, else 0; its gradient is zero, so nothing before it can learn."""
    return x.step()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    return x.leaky_relu(negative_slope)


def softplus(x: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return x.softplus(beta, threshold)


def implicit_softmax_dim(ndim: int, op: str) -> int:
    """PyTorch's old rule when no dim is given: dim 0 for 0-, 1- and 3-D input, else dim 1."""
    warnings.warn(f"{op}: no dim was given, so dim {0 if ndim in (0, 1, 3) else 1} was chosen as PyTorch "
                  f"does; pass dim= explicitly", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(x: Tensor, dim: int | None = None) -> Tensor:
    """e^x_i / Σ_j e^x_j along `dim`: scores into probabilities that sum to 1."""
    return x.softmax(implicit_softmax_dim(x.ndim, "softmax") if dim is None else dim)


def log_softmax(x: Tensor, dim: int | None = None) -> Tensor:
    """log(softmax(x)), computed without overflow."""
    return x.log_softmax(implicit_softmax_dim(x.ndim, "log_softmax") if dim is None else dim)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weightᵀ + bias: every output is a weighted sum of the inputs. weight: (out, in)."""
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}")
    if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features in its "
                         f"last dim, but weight of shape {weight.shape} expects {weight.shape[1]}")
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(f"linear: bias must have shape ({weight.shape[0]},) for weight {weight.shape}, "
                         f"got {bias.shape}")
    out = x @ weight.T
    return out if bias is None else out + bias


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: in training, zero each element with probability p and scale the rest
    by 1/(1 - p), so the expected value stays x and evaluation needs no rescaling.

    y = x·mask/(1 - p) with mask ~ Bernoulli(1 - p);  dy/dx = mask/(1 - p)
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
        raise ValueError(f"dropout: probability p must be between 0 and 1, got {p!r}")
    if not training or p == 0:
        return x
    if not backend.is_floating(x.dtype):
        raise TypeError(f"dropout: needs a floating-point tensor, got {x.dtype}")
    if p == 1:
        return x * 0.0
    # The mask is drawn on the host from the one seeded generator, so tg.manual_seed
    # gives the same mask on every device.
    keep = backend.random_generator().random(x.shape) >= p
    scale = keep.astype(x.dtype) * x.dtype.type(1 / (1 - p))
    return x * Tensor._make(backend.to_device(scale, x.device), x.device, False, None)
