"""tg.accelerator: PyTorch 2.x's device-neutral questions (torch.accelerator); tinygrad_edu's
one accelerator is a CUDA GPU through CuPy.

    device = tg.accelerator.current_accelerator() or tg.device("cpu")
"""
from __future__ import annotations

from tinygrad_edu import backend


def is_available() -> bool:
    return backend.is_available("cuda")


def device_count() -> int:
    return 1 if is_available() else 0


def current_accelerator(check_available: bool = False) -> backend.device | None:
    """tg.device("cuda") when a GPU is usable, else None, as in PyTorch."""
    return backend.device("cuda") if is_available() else None


def _require(op: str) -> None:
    if not is_available():
        raise RuntimeError(f"tg.accelerator.{op}: cannot access accelerator device when none is available "
                           f"({backend._unavailable_reason.get('cuda', '')})")


def current_device_index() -> int:
    _require("current_device_index")
    return 0


def synchronize(device: object = None) -> None:
    """Wait until the accelerator has finished its queued work."""
    _require("synchronize")
    backend.array_module("cuda").cuda.Device(0).synchronize()
