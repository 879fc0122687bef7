"""Normalisation: bring activations to mean 0 and variance 1, then let the layer learn a scale
(weight, γ) and a shift (bias, β).

The three ops differ only in *which* numbers share one mean and variance:

* layer_norm: each sample over its last dims (a transformer's features);
* group_norm: each sample over groups of channels and the spatial dims;
* batch_norm: each channel over the batch and the spatial dims (in training; in evaluation
  the running averages collected in training stand in for the batch's statistics).

All three call `normalize`, built from differentiable Tensor ops (mean, var, sqrt), so the
gradient also flows through the statistics, which depend on every input they summarise, and
gradients of gradients come for free. By hand, with x̂ = (x - μ)/σ, σ = √(var + eps), the
biased variance (divided by n) and g = dL/dx̂:

    dL/dx = (g - mean(g) - x̂·mean(g·x̂)) / σ      (the means over the normalised numbers)
"""
from __future__ import annotations

from typing import Callable, Sequence

from tinygrad_edu import backend
from tinygrad_edu.autograd import no_grad
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.ops.movement import pad
from tinygrad_edu.ops.registry import register
from tinygrad_edu.tensor import Tensor


def normalize(x: Tensor, dims: tuple[int, ...], eps: float) -> Tensor:
    """x̂ = (x - mean) / √(var + eps) over `dims`, with the biased variance, as PyTorch normalises;
    dx̂/dx = (I - 1/n - x̂x̂ᵀ/n) / σ over the n numbers that share one mean."""
    mean = x.mean(dim=dims, keepdim=True)
    variance = x.var(dim=dims, keepdim=True, correction=0)
    return (x - mean) / (variance + eps).sqrt()


def _check_floating(input: Tensor, op: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if not backend.is_floating(input.dtype):
        raise DTypeError(f"{op}: input must be floating point (float32 or float64), got {input.dtype}; "
                         f"convert it with .float()")


def _check_affine(tensor: Tensor | None, expected: tuple[int, ...], name: str, op: str, detail: str) -> None:
    """weight, bias and running statistics must have exactly the shape the op scales by."""
    if tensor is not None and tuple(tensor.shape) != expected:
        raise ShapeError(f"{op}: expected {name} of shape {expected} ({detail}), got {name} of shape {tensor.shape}")


def _last_dims(input: Tensor, normalized_shape: int | Sequence[int], op: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """normalized_shape as a tuple, and the dims of `input` it names (its last ones), checked."""
    _check_floating(input, op)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(int(n) for n in normalized_shape)
    if not shape:
        raise ValueError(f"{op}: normalized_shape must hold at least one size, got ()")
    if tuple(input.shape[input.ndim - len(shape):]) != shape or input.ndim < len(shape):
        raise ShapeError(f"{op}: normalized_shape={shape} needs an input of shape (*, {', '.join(map(str, shape))}),"
                         f" got an input of shape {input.shape}")
    return shape, tuple(range(input.ndim - len(shape), input.ndim))


def _scale_and_shift(x: Tensor, weight: Tensor | None, bias: Tensor | None, shape: tuple[int, ...]) -> Tensor:
    """x·weight + bias, with weight and bias reshaped to `shape` to broadcast against x."""
    if weight is not None:
        x = x * weight.reshape(shape)
    if bias is not None:
        x = x + bias.reshape(shape)
    return x


@register("layer_norm", kind="functional")
def layer_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """(x - mean)/√(var + eps)·weight + bias, each sample over its last len(normalized_shape) dims"""
    shape, dims = _last_dims(input, normalized_shape, "layer_norm")
    _check_affine(weight, shape, "weight", "layer_norm", "normalized_shape")
    _check_affine(bias, shape, "bias", "layer_norm", "normalized_shape")
    return _scale_and_shift(normalize(input, dims, eps), weight, bias, shape)


@register("rms_norm", kind="functional")
def rms_norm(input: Tensor, normalized_shape: Sequence[int], weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """x/√(mean(x²) + eps)·weight, each sample over its last len(normalized_shape) dims (eps None: the dtype's epsilon)

    No mean is taken away, only the scale: with r = √(mean(x²) + eps) over n numbers,
    dy/dx = (I - x·xᵀ/(n·r²)) / r, which the recorded ops (square, mean, rsqrt, mul) give."""
    shape, dims = _last_dims(input, normalized_shape, "rms_norm")
    _check_affine(weight, shape, "weight", "rms_norm", "normalized_shape")
    if eps is None:   # PyTorch's default: the machine epsilon of the input's dtype
        eps = float(input.xp.finfo(input.dtype).eps)
    return _scale_and_shift(input * (input.square().mean(dim=dims, keepdim=True) + eps).rsqrt(), weight, None, shape)


@register("group_norm", kind="functional")
def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """(x - mean)/√(var + eps)·weight + bias, each sample over num_groups groups of its channels (N, C, *)"""
    _check_floating(input, "group_norm")
    if input.ndim < 2:
        raise ShapeError(f"group_norm: expected an input of shape (N, C, *), got {input.shape}")
    channels = input.shape[1]
    if isinstance(num_groups, bool) or not isinstance(num_groups, int) or num_groups < 1 or channels % num_groups:
        raise ShapeError(f"group_norm: num_groups={num_groups!r} must be a positive int that divides the "
                         f"{channels} channels of the input of shape {input.shape}")
    _check_affine(weight, (channels,), "weight", "group_norm", "one per channel")
    _check_affine(bias, (channels,), "bias", "group_norm", "one per channel")
    grouped = input.reshape(input.shape[0], num_groups, -1)   # each group's channels and positions in one row
    normalized = normalize(grouped, (2,), eps).reshape(input.shape)
    return _scale_and_shift(normalized, weight, bias, (channels,) + (1,) * (input.ndim - 2))


@register("batch_norm", kind="functional")
def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """(x - mean)/√(var + eps)·weight + bias per channel of (N, C, *): batch statistics in training, running ones otherwise

    In training the running statistics, when given, are updated in place:
    running = (1 - momentum)·running + momentum·batch, with the unbiased variance, as in PyTorch."""
    _check_floating(input, "batch_norm")
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected an input of shape (N, C) or (N, C, *), got {input.shape}")
    channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                         ("bias", bias)):
        _check_affine(tensor, (channels,), name, "batch_norm", f"one per channel of the input of shape {input.shape}")
    dims = (0,) + tuple(range(2, input.ndim))
    per_channel = (channels,) + (1,) * (input.ndim - 2)
    if not training:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var must be given in evaluation mode "
                             "(training=False)")
        # The running statistics are constants here: they were learned, not computed from this input.
        normalized = (input - running_mean.detach().reshape(per_channel)) / \
            (running_var.detach().reshape(per_channel) + eps).sqrt()
        return _scale_and_shift(normalized, weight, bias, per_channel)
    count = input.numel() // channels if channels else 0
    if count == 1:   # one number per channel has no spread to normalise by (an empty batch is let through)
        raise ValueError(f"batch_norm: expected more than 1 value per channel when training, got an input of "
                         f"shape {input.shape}")
    if count == 0:   # an empty batch: nothing to normalise, and nothing to learn from
        return _scale_and_shift(input.clone(), weight, bias, per_channel)
    normalized = normalize(input, dims, eps)
    with no_grad():
        batch = input.detach()
        _update_running_statistics(running_mean, running_var, lambda: batch.mean(dim=dims),
                                   lambda: batch.var(dim=dims, correction=1), momentum)
    return _scale_and_shift(normalized, weight, bias, per_channel)


def _update_running_statistics(running_mean: Tensor | None, running_var: Tensor | None, mean: Callable[[], Tensor],
                               var: Callable[[], Tensor], momentum: float) -> None:
    """running = (1 - momentum)·running + momentum·statistic, in place and outside the graph, for
    each running statistic given; `mean` and `var` compute the statistics only when needed
    (the variance is the unbiased one, divided by n - 1, as in PyTorch)."""
    with no_grad():
        if running_mean is not None:
            running_mean.copy_(running_mean * (1 - momentum) + mean() * momentum)
        if running_var is not None:
            running_var.copy_(running_var * (1 - momentum) + var() * momentum)


@register("instance_norm", kind="functional")
def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """(x - mean)/√(var + eps)·weight + bias, each sample's each channel over its spatial dims (N, C, *)

    With use_input_stats=False the running statistics stand in for the sample's. Running
    statistics given with use_input_stats are updated in place with the per-sample statistics
    averaged over the batch (the unbiased variance), as in PyTorch."""
    _check_floating(input, "instance_norm")
    if input.ndim < 3:
        raise ShapeError(f"instance_norm: expected an input of shape (N, C, *) with at least one spatial dim, "
                         f"got {input.shape}")
    channels = input.shape[1]
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                         ("bias", bias)):
        _check_affine(tensor, (channels,), name, "instance_norm", f"one per channel of the input of shape {input.shape}")
    dims = tuple(range(2, input.ndim))
    per_channel = (channels,) + (1,) * (input.ndim - 2)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise ValueError("instance_norm: running_mean and running_var must be given when use_input_stats=False")
        normalized = (input - running_mean.detach().reshape(per_channel)) / \
            (running_var.detach().reshape(per_channel) + eps).sqrt()
        return _scale_and_shift(normalized, weight, bias, per_channel)
    if input.numel() and input.numel() // (input.shape[0] * channels) == 1:
        raise ValueError(f"instance_norm: expected more than 1 spatial element when training, got an input of "
                         f"shape {input.shape}")
    normalized = normalize(input, dims, eps)
    batch = input.detach()
    _update_running_statistics(running_mean, running_var, lambda: batch.mean(dim=dims).mean(dim=0),
                               lambda: batch.var(dim=dims, correction=1).mean(dim=0), momentum)
    return _scale_and_shift(normalized, weight, bias, per_channel)


@register("local_response_norm", kind="functional")
def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """x / (k + alpha·mean of x² over `size` neighbouring channels)^beta, for input (N, C, *)

    The window runs over channels c - size//2 ... c + (size-1)//2, zero beyond the edges, and
    the mean divides by size there too, as PyTorch's average pooling does."""
    _check_floating(input, "local_response_norm")
    if input.ndim < 3:
        raise ShapeError(f"local_response_norm: expected an input of shape (N, C, *) with at least 3 dims, "
                         f"got {input.shape}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"local_response_norm: size must be a positive int, got {size!r}")
    channels = input.shape[1]
    # pad takes (last dim before, after, ..., dim 1 before, after): zeros only around the channels
    padded = pad(input.square(), (0, 0) * (input.ndim - 2) + (size // 2, (size - 1) // 2))
    window = sum(padded.narrow(1, i, channels) for i in range(size))   # size is a few channels: one slice each
    return input / (window * (alpha / size) + k) ** beta
