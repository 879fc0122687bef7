"""The activation layers: one nn module for each activation declared in `tinygrad_edu/ops/`.

`@register("leaky_relu", kind="activation", module="LeakyReLU")` on `leaky_relu(input,
negative_slope=0.01)` gives `nn.LeakyReLU(negative_slope=0.01)`: the module takes the
function's arguments after the input, keeps them as attributes, shows them in its repr, and
calls the function in `forward`. Nothing here needs editing when an activation is added.
"""
from __future__ import annotations

import inspect
from typing import Any

from tinygrad_edu.nn.module import Module
from tinygrad_edu.ops.registry import OpSpec, activations
from tinygrad_edu.tensor import Tensor


def _shown_settings(module: str, settings: dict[str, Any]) -> str:
    """The settings as PyTorch's repr shows them: `alpha=1.0`, but `inplace` only when True (and
    never for Hardsigmoid and Hardswish, as there), and the shrinks' `lambd` by its value alone
    (`Softshrink(0.5)`)."""
    shown = []
    for name, value in settings.items():
        if name == "inplace" and (not value or module in ("Hardsigmoid", "Hardswish")):
            continue
        shown.append(repr(value) if name == "lambd" else f"{name}={value!r}")
    return ", ".join(shown)


def activation_module(spec: OpSpec) -> type[Module]:
    """The nn module class of one registered activation."""
    name = spec.module
    assert name is not None   # register() requires module= for an activation
    signature = inspect.signature(spec.function)
    options = list(signature.parameters.values())[1:]   # everything after the input
    settings = signature.replace(parameters=options)
    usage = name + "(" + ", ".join(p.name if p.default is p.empty else f"{p.name}={p.default!r}"
                                          for p in options) + ")"

    def __init__(self: Module, *args: Any, **kwargs: Any) -> None:
        Module.__init__(self)
        try:
            bound = settings.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{usage}: {e}") from None
        bound.apply_defaults()
        for name, value in bound.arguments.items():
            setattr(self, name, value)

    def forward(self: Module, input: Tensor) -> Tensor:
        return spec.function(input, **{p.name: getattr(self, p.name) for p in options})

    def extra_repr(self: Module) -> str:
        return _shown_settings(name, {p.name: getattr(self, p.name) for p in options})

    namespace = {"__init__": __init__, "forward": forward, "extra_repr": extra_repr,
                 "__doc__": f"{spec.summary} (the module form of F.{spec.name})", "__module__": __name__}
    return type(name, (Module,), namespace)


MODULES = {module.__name__: module for module in map(activation_module, activations())}
globals().update(MODULES)
__all__ = sorted(MODULES)
