"""Normalisation layers: LayerNorm, RMSNorm, GroupNorm, BatchNorm1d, BatchNorm2d, InstanceNorm1d,
InstanceNorm2d and LocalResponseNorm.

Each holds a learned scale (`weight`, starting at 1) and shift (`bias`, starting at 0) and calls
the function of the same name in `tinygrad_edu/ops/normalization.py`, where the math and its
gradient are. Batch norm also keeps running averages of the batch statistics as buffers
(`running_mean`, `running_var`, `num_batches_tracked`: in the state dict under PyTorch's names),
and uses them instead of the batch's own in evaluation mode (`model.eval()`); instance norm
can keep the same buffers (track_running_stats=True), averaged over the samples of each batch.
"""
from __future__ import annotations

import warnings
from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.creation import ones, zeros
from tinygrad_edu.errors import ShapeError
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.layers import _empty_parameter, _positive_int
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


def _check_eps(eps: Any, layer: str) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or eps < 0:
        raise ValueError(f"{layer}: eps must be a non-negative number, got {eps!r}")
    return float(eps)


class _ScaleAndShift(Module):
    """What every normalisation layer ends with: an optional per-feature scale (weight, starting at
    1) and shift (bias, starting at 0), so that the layer starts as a plain normalisation."""

    def _affine_parameters(self, shape: tuple[int, ...], affine: bool, bias: bool, device: Any, dtype: Any) -> None:
        if affine:
            self.weight = _empty_parameter(shape, device, dtype)
            self.bias = _empty_parameter(shape, device, dtype) if bias else None
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """weight = 1, bias = 0."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)


class LayerNorm(_ScaleAndShift):
    """Normalise each sample over its last dims (normalized_shape), then scale by weight and shift by
    bias, both of shape normalized_shape."""

    def __init__(self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not shape or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
            raise ValueError(f"LayerNorm: normalized_shape must be an int or a non-empty tuple of ints, "
                             f"got {normalized_shape!r}")
        self.normalized_shape, self.eps = shape, _check_eps(eps, "LayerNorm")
        self.elementwise_affine = elementwise_affine
        self._affine_parameters(shape, elementwise_affine, bias, device, dtype)
        self.reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
                f"bias={self.bias is not None}")


class GroupNorm(_ScaleAndShift):
    """Split the channels into num_groups groups and normalise each sample's group (with the
    spatial dims) on its own; then a scale and shift per channel."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True,
                 device: Any = None, dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        num_groups = _positive_int(num_groups, "num_groups", "GroupNorm")
        num_channels = _positive_int(num_channels, "num_channels", "GroupNorm")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} must be divisible by num_groups={num_groups}")
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = _check_eps(eps, "GroupNorm"), affine
        self._affine_parameters((num_channels,), affine, bias, device, dtype)
        self.reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ShapeError(f"GroupNorm: expected an input of shape (N, {self.num_channels}, *), "
                             f"got {input.shape}")
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")


class _BatchNorm(_ScaleAndShift):
    """What BatchNorm1d and BatchNorm2d share; they differ only in the input dims they accept."""
    input_dims: tuple[int, ...] = ()

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        layer = type(self).__name__
        self.num_features = _positive_int(num_features, "num_features", layer)
        if momentum is not None and (isinstance(momentum, bool) or not isinstance(momentum, (int, float))):
            raise ValueError(f"{layer}: momentum must be a number or None (a cumulative average), got {momentum!r}")
        self.eps, self.momentum = _check_eps(eps, layer), momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        self._affine_parameters((num_features,), affine, bias, device, dtype)
        if track_running_stats:
            float_dtype = backend.get_default_dtype() if dtype is None else dtype
            self.register_buffer("running_mean", zeros(num_features, dtype=float_dtype, device=device))
            self.register_buffer("running_var", ones(num_features, dtype=float_dtype, device=device))
            self.register_buffer("num_batches_tracked", Tensor(0, dtype=backend.int64, device=device))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """running_mean = 0, running_var = 1, num_batches_tracked = 0."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        super().reset_parameters()

    def _check_input(self, input: Tensor) -> None:
        layer = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{layer}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in self.input_dims:
            wanted = " or ".join(f"{n}-D" for n in self.input_dims)
            raise ValueError(f"{layer}: expected {wanted} input, got {input.ndim}-D input of shape {input.shape}")
        if input.shape[1] != self.num_features:
            raise ShapeError(f"{layer}: expected {self.num_features} channels (dim 1) for num_features="
                             f"{self.num_features}, got an input of shape {input.shape}")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        updates_stats = self.training and self.track_running_stats and self.num_batches_tracked is not None
        factor = 0.0 if self.momentum is None else self.momentum
        if updates_stats and self.momentum is None:   # a cumulative average: batch k weighs 1/k
            factor = 1.0 / (int(self.num_batches_tracked.item()) + 1)
        # Batch statistics in training, and also in evaluation when no running statistics are kept.
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        keeps_stats = not self.training or self.track_running_stats
        out = F.batch_norm(input, self.running_mean if keeps_stats else None,
                           self.running_var if keeps_stats else None, self.weight, self.bias,
                           use_batch_stats, factor, self.eps)
        if updates_stats:   # counted only once the batch went through, so a failed call changes nothing
            self.num_batches_tracked.add_(1)
        return out

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) input: each channel over the batch (and L)."""
    input_dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) input: each channel over the batch and the pixels."""
    input_dims = (4,)


class RMSNorm(_ScaleAndShift):
    """Divide each sample by the root mean square of its last dims (normalized_shape), then scale
    by weight; no mean is taken away and there is no bias. eps=None means the input dtype's
    machine epsilon, as in PyTorch."""

    def __init__(self, normalized_shape: Any, eps: float | None = None, elementwise_affine: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        if not shape or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
            raise ValueError(f"RMSNorm: normalized_shape must be an int or a non-empty tuple of ints, "
                             f"got {normalized_shape!r}")
        self.normalized_shape = shape
        self.eps = None if eps is None else _check_eps(eps, "RMSNorm")
        self.elementwise_affine = elementwise_affine
        self._affine_parameters(shape, elementwise_affine, False, device, dtype)
        self.reset_parameters()

    def forward(self, input: Tensor) -> Tensor:
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class _InstanceNorm(_BatchNorm):
    """What InstanceNorm1d and InstanceNorm2d share: batch norm's settings and buffers, but each
    sample's each channel is normalised on its own, and an unbatched input (C, *) is accepted."""
    spatial_dims = 1

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        layer, n = type(self).__name__, self.spatial_dims
        if not isinstance(input, Tensor):
            raise TypeError(f"{layer}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (n + 1, n + 2):
            raise ValueError(f"{layer}: expected {n + 1}-D (unbatched) or {n + 2}-D input, got {input.ndim}-D input "
                             f"of shape {input.shape}")
        batched = input.ndim == n + 2
        x = input if batched else input.unsqueeze(0)
        if x.shape[1] != self.num_features:
            if self.affine or self.track_running_stats:
                raise ShapeError(f"{layer}: expected {self.num_features} channels for num_features="
                                 f"{self.num_features}, got an input of shape {input.shape}")
            # Without weights or buffers num_features is unused; PyTorch warns and goes on.
            warnings.warn(f"{layer}: the input of shape {input.shape} does not have num_features="
                          f"{self.num_features} channels; it is normalised all the same", stacklevel=2)
        # Running statistics are read only in evaluation, and only when they are kept.
        use_input_stats = self.training or not self.track_running_stats
        out = F.instance_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_input_stats,
                              0.0 if self.momentum is None else self.momentum, self.eps)
        return out if batched else out.squeeze(0)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) input: each sample's each channel over L."""
    spatial_dims = 1


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) input: each sample's each channel over its pixels."""
    spatial_dims = 2


class LocalResponseNorm(Module):
    """Divide each channel by (k + alpha·mean of the squares of `size` neighbouring channels)^beta:
    AlexNet's competition between nearby channels."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = _positive_int(size, "size", "LocalResponseNorm")
        self.alpha, self.beta, self.k = alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
