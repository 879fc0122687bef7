"""All parameters as one flat vector and back, as torch.nn.utils (for optimisers and studies
that treat a model's weights as one point in a long vector)."""
from __future__ import annotations

from typing import Iterable

from tinygrad_edu.ops.movement import cat
from tinygrad_edu.tensor import Tensor


def _same_device(parameters: list[Tensor], op: str) -> None:
    devices = sorted({str(p.device) for p in parameters})
    if len(devices) > 1:
        raise TypeError(f"{op}: found parameters on different devices ({', '.join(devices)}); "
                        f"this is currently not supported")


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters' values, flattened and joined in order (a differentiable copy)."""
    parameters = list(parameters)
    _same_device(parameters, "parameters_to_vector")
    if not parameters:
        raise ValueError("parameters_to_vector: needs at least one parameter")
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Give each parameter its slice of `vec`: afterwards the parameters share vec's memory, as
    in PyTorch. The sizes are checked first, so a wrong vector changes no parameter."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got {type(vec).__name__}")
    parameters = list(parameters)
    _same_device([vec, *parameters], "vector_to_parameters")
    needed = sum(p.numel() for p in parameters)
    if vec.ndim != 1 or vec.numel() != needed:
        raise ValueError(f"vector_to_parameters: vec must be 1-D with {needed} values (the parameters' total), "
                         f"got shape {tuple(vec.shape)}")
    start = 0
    for p in parameters:
        n = p.numel()
        p.data = vec.data[start:start + n].reshape(p.shape)
        start += n
