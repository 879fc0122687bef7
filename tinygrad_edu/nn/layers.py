"""Layers: Modules that hold their parameters and call the matching function from nn.functional.

Names, arguments, parameter names and default initialisation follow PyTorch's, so a model
written here runs there, and a PyTorch state dict (`{k: v.numpy()}`) loads here.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, Generic, Iterable, Iterator, Literal, TypeVar, overload

from tinygrad_edu import backend
from tinygrad_edu.creation import zeros
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.ops.windows import line_setting, pair
from tinygrad_edu.tensor import Tensor


def _positive_int(value: Any, name: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{layer}: {name} must be a positive int, got {value!r}")
    return value


def _empty_parameter(shape: tuple, device: Any, dtype: Any) -> Parameter:
    dtype = backend.get_default_dtype() if dtype is None else backend.as_dtype(dtype)
    if not backend.is_floating(dtype):
        raise TypeError(f"parameters must have a floating-point dtype, got {dtype}")
    return Parameter(zeros(shape, dtype=dtype, device=device))


class Linear(Module):
    """y = x @ weightᵀ + bias, with weight (out_features, in_features): a layer of neurons that
    each take a weighted sum of all the inputs."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        in_features, out_features = (_positive_int(in_features, "in_features", "Linear"),
                                     _positive_int(out_features, "out_features", "Linear"))
        self.in_features, self.out_features = in_features, out_features
        self.weight = _empty_parameter((out_features, in_features), device, dtype)
        self.bias = _empty_parameter((out_features,), device, dtype) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weights and bias uniform in ±1/√in_features."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features)
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def _settings(value: Any, name: str, layer: str, dims: int, fill: int) -> tuple[int, ...]:
    """A setting as PyTorch's layers keep it: (3,) for a 1-D layer, (3, 3) for a 2-D one."""
    return pair(value, name, layer) if dims == 2 else line_setting(value, name, layer, fill)[1:]


class _ConvNd(Module):
    """What every convolution layer shares: checked settings, the weight
    (out_channels, in_channels/groups, *kernel), or (in_channels, out_channels/groups, *kernel)
    for a transposed one, PyTorch's initialisation (Conv2d's) and PyTorch's repr."""
    dims = 2
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None, *, output_padding: Any = 0) -> None:
        """Conv1d's and Conv2d's signature; a transposed one orders its arguments as PyTorch does
        and passes output_padding on."""
        super().__init__()
        self._setup(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                    device, dtype, output_padding)

    def _setup(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
               groups: int, bias: bool, padding_mode: str, device: Any, dtype: Any, output_padding: Any = 0) -> None:
        layer, dims = type(self).__name__, self.dims
        in_channels = _positive_int(in_channels, "in_channels", layer)
        out_channels = _positive_int(out_channels, "out_channels", layer)
        groups = _positive_int(groups, "groups", layer)
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{layer}: groups={groups} must divide in_channels={in_channels} and "
                             f"out_channels={out_channels}")
        if padding_mode != "zeros":
            raise ValueError(f"{layer}: only padding_mode='zeros' is supported, got {padding_mode!r}")
        if isinstance(padding, str) and (self.transposed or padding not in ("same", "valid")):
            allowed = "an int or a tuple of ints" + ("" if self.transposed else ", 'valid' or 'same'")
            raise ValueError(f"{layer}: padding must be {allowed}, got {padding!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = _settings(kernel_size, "kernel_size", layer, dims, 1)
        self.stride, self.dilation = _settings(stride, "stride", layer, dims, 1), _settings(dilation, "dilation",
                                                                                           layer, dims, 1)
        self.padding = padding if isinstance(padding, str) else _settings(padding, "padding", layer, dims, 0)
        self.output_padding = _settings(output_padding, "output_padding", layer, dims, 0)
        self.padding_mode = padding_mode
        sides = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        self.weight = _empty_parameter(sides + self.kernel_size, device, dtype)
        self.bias = _empty_parameter((out_channels,), device, dtype) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: weights and bias uniform in ±1/√fan_in, fan_in = in_channels/groups·kh·kw
        (from the weight's dim 1, for both layouts, as in PyTorch)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)


    def extra_repr(self) -> str:
        zeros, ones = (0,) * self.dims, (1,) * self.dims
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != zeros:
            text += f", padding={self.padding}"
        if self.dilation != ones:
            text += f", dilation={self.dilation}"
        if self.output_padding != zeros:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv2d(_ConvNd):
    """Slides out_channels learned kernels of size (in_channels/groups, kh, kw) over the input;
    weight (out_channels, in_channels/groups, kh, kw), bias (out_channels,)."""

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


# What a max pool returns: the maxima, or (maxima, indices) when made with return_indices=True.
# The overloads of __init__ tell a type checker which, so `pool(x)` is a Tensor in the usual case.
Pooled = TypeVar("Pooled", Tensor, tuple[Tensor, Tensor])


class MaxPool2d(Module, Generic[Pooled]):
    """The largest value of each kernel_size window (stride defaults to kernel_size)."""

    @overload
    def __init__(self: MaxPool2d[Tensor], kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: Literal[False] = False, ceil_mode: bool = False) -> None: ...
    @overload
    def __init__(self: MaxPool2d[tuple[Tensor, Tensor]], kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, *, return_indices: Literal[True], ceil_mode: bool = False) -> None: ...
    @overload
    def __init__(self: MaxPool2d[Any], kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None: ...

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, x: Tensor) -> Pooled:
        return F.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,  # type: ignore[return-value]
                            self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean of each kernel_size window (stride defaults to kernel_size; padding zeros count)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
                            self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class Flatten(Module):
    """Merge dims start_dim..end_dim into one: (N, C, H, W) -> (N, C·H·W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Tensor) -> Tensor:
        return F.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dim `dim` into `unflattened_size`: Flatten undone, (N, 784) -> (N, 1, 28, 28)."""

    def __init__(self, dim: int, unflattened_size: tuple[int, ...]) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x: Tensor) -> Tensor:
        return x.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1/(1 - p);
    in evaluation (`model.eval()`), pass everything through unchanged."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"Dropout: probability p must be between 0 and 1, got {p!r}")
        self.p, self.inplace = p, inplace

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Identity(Module):
    """Returns its input (a placeholder, e.g. to switch a layer off); ignores any arguments."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


class Sequential(Module):
    """Layers applied one after the other: `Sequential(Conv2d(1, 8, 3), ReLU(), ...)`.

    The layers are named "0", "1", ... (or by an OrderedDict's keys), as in PyTorch; the
    container can be indexed, sliced, measured with len() and iterated.
    """

    def __init__(self, *layers: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], OrderedDict):
            for name, layer in layers[0].items():
                self.add_module(name, layer)
        else:
            for i, layer in enumerate(layers):  # type: ignore[assignment]
                if not isinstance(layer, Module):
                    raise TypeError(f"Sequential: argument {i} is a {type(layer).__name__}, not a Module")
                self.add_module(str(i), layer)

    def _index(self, idx: int) -> str:
        n = len(self._modules)
        if not -n <= idx < n:
            raise IndexError(f"Sequential: index {idx} is out of range for {n} layers")
        return list(self._modules)[idx % n]

    def __getitem__(self, idx: int | slice) -> Module:
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._index(idx)]

    def __setitem__(self, idx: int, layer: Module) -> None:
        setattr(self, self._index(idx), layer)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, layer: Module) -> Sequential:
        self.add_module(str(len(self)), layer)
        return self

    # Typed Tensor -> Tensor, what nearly every Sequential is, so that `model(x)` is a Tensor to a
    # type checker; a layer that returns something else (LSTM's tuple) still runs.
    def forward(self, x: Tensor) -> Tensor:
        for layer in self._modules.values():
            x = layer(x)
        return x


class ModuleList(Module):
    """A list of Modules whose parameters are registered (a plain Python list would hide them)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for m in modules or ():
            self.append(m)

    def __getitem__(self, idx: int | slice) -> Module | ModuleList:
        items = list(self._modules.values())
        if isinstance(idx, slice):
            return ModuleList(items[idx])
        if not -len(items) <= idx < len(items):
            raise IndexError(f"ModuleList: index {idx} is out of range for {len(items)} modules")
        return items[idx]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self


# ---- more convolutions, pooling and resizing (PyTorch's names, arguments and reprs) ------------

class Conv1d(_ConvNd):
    """Slides out_channels learned kernels of size (in_channels/groups, k) along a sequence;
    weight (out_channels, in_channels/groups, k), bias (out_channels,)."""
    dims = 1

    def forward(self, x: Tensor) -> Tensor:
        return F.conv1d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class ConvTranspose2d(_ConvNd):
    """Spreads each input pixel over a window of the output, weighted by learned kernels (the
    transpose of Conv2d, used to upsample); weight (in_channels, out_channels/groups, kh, kw)."""
    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode,
                         device, dtype, output_padding=output_padding)

    def forward(self, x: Tensor) -> Tensor:
        return F.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding, self.output_padding,
                                  self.groups, self.dilation)


class ConvTranspose1d(ConvTranspose2d):
    """ConvTranspose2d along a sequence; weight (in_channels, out_channels/groups, k)."""
    dims = 1

    def forward(self, x: Tensor) -> Tensor:
        return F.conv_transpose1d(x, self.weight, self.bias, self.stride, self.padding, self.output_padding,
                                  self.groups, self.dilation)


class MaxPool1d(MaxPool2d[Pooled]):
    """The largest value of each kernel_size window along a sequence (stride defaults to kernel_size)."""

    def forward(self, x: Tensor) -> Pooled:
        return F.max_pool1d(x, self.kernel_size, self.stride, self.padding, self.dilation,  # type: ignore[return-value]
                            self.ceil_mode, self.return_indices)


class AvgPool1d(AvgPool2d):
    """The mean of each kernel_size window along a sequence (stride defaults to kernel_size)."""

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)
        # PyTorch keeps these as 1-tuples, and prints them so
        self.kernel_size = _settings(kernel_size, "kernel_size", "AvgPool1d", 1, 1)
        self.stride = _settings(self.stride, "stride", "AvgPool1d", 1, 1)
        self.padding = _settings(padding, "padding", "AvgPool1d", 1, 0)

    def forward(self, x: Tensor) -> Tensor:
        return F.avg_pool1d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad)


class AdaptiveAvgPool2d(Module):
    """The mean over each of output_size windows spread evenly over H and W (None keeps a size)."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """The mean over each of output_size windows spread evenly along a sequence."""

    def forward(self, x: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(x, self.output_size)


class Upsample(Module):
    """Resizes its input to `size`, or by `scale_factor`, with F.interpolate's modes."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size, self.mode = size, mode
        # PyTorch keeps the factor as a float (or a tuple of floats)
        self.scale_factor = (tuple(float(f) for f in scale_factor) if isinstance(scale_factor, (tuple, list))
                             else float(scale_factor) if scale_factor else None)
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, x: Tensor) -> Tensor:
        return F.interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        shown = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{shown}, mode={self.mode!r}"
