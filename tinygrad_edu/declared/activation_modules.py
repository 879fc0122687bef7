"""The activation modules (nn.ReLU, nn.GELU, ...) made from the op registry, for type checkers.

Made by `python -m tools.declared_names` from the op registry; do not edit.
"""

from __future__ import annotations

from tinygrad_edu.nn.module import Module
from tinygrad_edu.ops import activations as _activations
from tinygrad_edu.ops import gating as _gating
from tinygrad_edu.tensor import Tensor


class CELU(Module):
    alpha: float
    inplace: bool

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.celu(input, alpha=self.alpha, inplace=self.inplace)


class ELU(Module):
    alpha: float
    inplace: bool

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.elu(input, alpha=self.alpha, inplace=self.inplace)


class GELU(Module):
    approximate: str

    def __init__(self, approximate: str = 'none') -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.gelu(input, approximate=self.approximate)


class GLU(Module):
    dim: int

    def __init__(self, dim: int = -1) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _gating.glu(input, dim=self.dim)


class Hardshrink(Module):
    lambd: float

    def __init__(self, lambd: float = 0.5) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.hardshrink(input, lambd=self.lambd)


class Hardsigmoid(Module):
    inplace: bool

    def __init__(self, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.hardsigmoid(input, inplace=self.inplace)


class Hardswish(Module):
    inplace: bool

    def __init__(self, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.hardswish(input, inplace=self.inplace)


class Hardtanh(Module):
    min_val: float
    max_val: float
    inplace: bool

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.hardtanh(input, min_val=self.min_val, max_val=self.max_val, inplace=self.inplace)


class LeakyReLU(Module):
    negative_slope: float
    inplace: bool

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.leaky_relu(input, negative_slope=self.negative_slope, inplace=self.inplace)


class LogSigmoid(Module):
    def __init__(self) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.logsigmoid(input)


class LogSoftmax(Module):
    dim: int | None

    def __init__(self, dim: int | None = None) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.log_softmax(input, dim=self.dim)


class Mish(Module):
    inplace: bool

    def __init__(self, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.mish(input, inplace=self.inplace)


class ReLU(Module):
    inplace: bool

    def __init__(self, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.relu(input, inplace=self.inplace)


class ReLU6(Module):
    inplace: bool

    def __init__(self, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.relu6(input, inplace=self.inplace)


class SELU(Module):
    inplace: bool

    def __init__(self, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.selu(input, inplace=self.inplace)


class SiLU(Module):
    inplace: bool

    def __init__(self, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.silu(input, inplace=self.inplace)


class Sigmoid(Module):
    def __init__(self) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.sigmoid(input)


class Softmax(Module):
    dim: int | None

    def __init__(self, dim: int | None = None) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.softmax(input, dim=self.dim)


class Softmin(Module):
    dim: int | None

    def __init__(self, dim: int | None = None) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _gating.softmin(input, dim=self.dim)


class Softplus(Module):
    beta: float
    threshold: float

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.softplus(input, beta=self.beta, threshold=self.threshold)


class Softshrink(Module):
    lambd: float

    def __init__(self, lambd: float = 0.5) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.softshrink(input, lambd=self.lambd)


class Softsign(Module):
    def __init__(self) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.softsign(input)


class Step(Module):
    def __init__(self) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.step(input)


class Tanh(Module):
    def __init__(self) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.tanh(input)


class Tanhshrink(Module):
    def __init__(self) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.tanhshrink(input)


class Threshold(Module):
    threshold: float
    value: float
    inplace: bool

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None: ...

    def forward(self, input: Tensor) -> Tensor:
        return _activations.threshold(input, threshold=self.threshold, value=self.value, inplace=self.inplace)


__all__: list[str] = [
    'CELU',
    'ELU',
    'GELU',
    'GLU',
    'Hardshrink',
    'Hardsigmoid',
    'Hardswish',
    'Hardtanh',
    'LeakyReLU',
    'LogSigmoid',
    'LogSoftmax',
    'Mish',
    'ReLU',
    'ReLU6',
    'SELU',
    'SiLU',
    'Sigmoid',
    'Softmax',
    'Softmin',
    'Softplus',
    'Softshrink',
    'Softsign',
    'Step',
    'Tanh',
    'Tanhshrink',
    'Threshold',
]
