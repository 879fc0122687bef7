"""PyTorch names that tinygrad_edu does not support: tg.compile, tg.jit, tg.distributed,
tg.cuda.Stream. They exist, so that `import` lines and attribute look-ups of a PyTorch script
succeed, and using them raises one NotImplementedError that says why."""
from __future__ import annotations

from typing import Any, Callable


class Unsupported:
    """Stands for a PyTorch function or namespace: calling it, or using any of its attributes,
    raises NotImplementedError naming it and the reason. `answers` are attributes that do
    work, such as `tg.distributed.is_available()` (False), so that checks before use pass.

    Private and dunder names raise AttributeError instead, so that introspection (copy,
    pickle, inspect, hasattr(x, "__wrapped__")) sees an ordinary object."""

    def __init__(self, name: str, why: str, answers: dict[str, Callable] | None = None) -> None:
        self._name, self._why, self._answers = name, why, answers or {}

    def _refuse(self, name: str) -> NotImplementedError:
        return NotImplementedError(f"{name}: tinygrad_edu does not support it; {self._why}")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise self._refuse(self._name)

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        if attribute in self._answers:
            return self._answers[attribute]
        raise self._refuse(f"{self._name}.{attribute}")

    def __repr__(self) -> str:
        return f"<unsupported {self._name}>"


compile = Unsupported(  # noqa: A001 — PyTorch's name
    "tg.compile", "it would fuse a model's ops into generated kernels, while tinygrad_edu runs every op "
    "eagerly, one NumPy/CuPy call at a time, so that each step can be read and traced; leave the call out, "
    "the model runs as it is")
jit = Unsupported(
    "tg.jit", "TorchScript turns a model into a program of its own, while a tinygrad_edu model is plain "
    "Python; to hand a model on, save its state_dict (tg.save) or export it to ONNX")
distributed = Unsupported(
    "tg.distributed", "tinygrad_edu trains in one process on one device; is_available() is False",
    answers={"is_available": lambda: False, "is_initialized": lambda: False})
