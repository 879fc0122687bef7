"""tg.cuda: torch.cuda's questions, answered for tinygrad_edu's one GPU (computed with CuPy).

    if tg.cuda.is_available():
        model.to("cuda")

Functions that need a GPU (current_device, synchronize, get_device_name) raise RuntimeError
without one, as a CUDA build of PyTorch does on a machine without a GPU; the others answer
(device_count() is 0) or do nothing, as in PyTorch.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.backend.random import _check_seed
from tinygrad_edu.unsupported import Unsupported

_STREAMS = ("tinygrad_edu runs each op to the end on CuPy's default stream, so there are no streams or "
            "events to manage; leave them out")
Stream = Unsupported("tg.cuda.Stream", _STREAMS)
Event = Unsupported("tg.cuda.Event", _STREAMS)


def is_available() -> bool:
    """Whether CuPy imports and a GPU really runs a kernel (probed once, then remembered)."""
    return backend.is_available("cuda")


def device_count() -> int:
    """1 with a usable GPU (tinygrad_edu uses one), else 0."""
    return 1 if is_available() else 0


def _require_gpu(op: str) -> None:
    if not is_available():
        raise RuntimeError(f"tg.cuda.{op}: no usable GPU: {backend._unavailable_reason.get('cuda', '')}")


def _check_index(device: Any, op: str) -> None:
    """Only the first GPU exists for tinygrad_edu: None, 0, 'cuda', 'cuda:0' or tg.device('cuda')."""
    if device is None:
        return
    try:
        named = backend.device(device)   # an int n names cuda:n, as in PyTorch
    except (RuntimeError, TypeError) as e:
        raise ValueError(f"tg.cuda.{op}: {e}") from None
    if named.type != "cuda" or named.index not in (None, 0):
        raise ValueError(f"tg.cuda.{op}: only the GPU cuda:0 is supported, got {device!r}")


def current_device() -> int:
    """The index of the GPU in use: always 0."""
    _require_gpu("current_device")
    return 0


def set_device(device: Any) -> None:
    """Choose the GPU: only cuda:0 exists for tinygrad_edu, so this checks and changes nothing."""
    _check_index(device, "set_device")
    _require_gpu("set_device")


def get_device_name(device: Any = None) -> str:
    _check_index(device, "get_device_name")
    _require_gpu("get_device_name")
    cupy = backend.array_module("cuda")
    name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    return name.decode() if isinstance(name, bytes) else str(name)


def synchronize(device: Any = None) -> None:
    """Wait until the GPU has finished all queued work (for timing GPU code honestly)."""
    _check_index(device, "synchronize")
    _require_gpu("synchronize")
    backend.array_module("cuda").cuda.Device(0).synchronize()


def empty_cache() -> None:
    """Hand the GPU memory CuPy keeps for reuse back to the driver; nothing to do without a GPU."""
    if "cuda" in backend.array_modules:   # only when the GPU was already used: never starts it
        backend.array_modules["cuda"].get_default_memory_pool().free_all_blocks()


def manual_seed(seed: int) -> None:
    """Accepted for PyTorch scripts and changes nothing: random numbers for every device are
    drawn on the host from the one generator `tg.manual_seed` seeds, so there is no separate
    GPU stream to seed (and seeding the shared one here would change the CPU's numbers)."""
    _check_seed(seed, "tg.cuda.manual_seed")


def manual_seed_all(seed: int) -> None:
    """The same as manual_seed: tinygrad_edu has no GPU random stream of its own."""
    _check_seed(seed, "tg.cuda.manual_seed_all")
