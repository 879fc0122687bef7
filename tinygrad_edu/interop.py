"""Sharing memory with other array libraries through DLPack, without a copy.

DLPack is the common language of array libraries for "here is my memory: its address, shape,
strides, dtype and device". A tinygrad_edu tensor speaks it both ways:

    torch.from_dlpack(t), np.from_dlpack(t), cupy.from_dlpack(t)   # Tensor.__dlpack__
    tg.from_dlpack(torch_tensor)                                   # this module

The result shares memory with what it was made from: a change made through one shows in the
other. `torch.tensor(t)` and `torch.as_tensor(t)` also go through `Tensor.__dlpack__` (the
first then copies), `np.asarray(t)` through `Tensor.__array__`, and `cupy.asarray(t)` through
`Tensor.__cuda_array_interface__` for a tensor on the GPU.
"""
from __future__ import annotations

from typing import Any

from tinygrad_edu import backend
from tinygrad_edu.tensor import Tensor

# DLPack's device types (dlpack.h, DLDeviceType) that tinygrad_edu has a backend for.
DLPACK_DEVICES = {1: "cpu", 2: "cuda"}   # kDLCPU, kDLCUDA


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A Tensor sharing memory with `ext_tensor`, any array that has `__dlpack__` (a PyTorch
    tensor, a NumPy or CuPy array), like `torch.from_dlpack`.

    The result is a leaf that does not require grad. PyTorch refuses to hand out a tensor that
    requires grad: pass `torch_tensor.detach()`.
    """
    if not hasattr(ext_tensor, "__dlpack__") or not hasattr(ext_tensor, "__dlpack_device__"):
        hint = (" (a bare DLPack capsule is not accepted: pass the array it came from)"
                if type(ext_tensor).__name__ == "PyCapsule" else "")
        raise TypeError(f"from_dlpack: expected an array with __dlpack__ and __dlpack_device__ (a PyTorch "
                        f"tensor, a NumPy or CuPy array), got {type(ext_tensor).__name__}{hint}")
    device_type, _ = ext_tensor.__dlpack_device__()
    device = DLPACK_DEVICES.get(int(device_type))
    if device is None:
        raise RuntimeError(f"from_dlpack: the array lives on DLPack device type {int(device_type)}; tinygrad_edu "
                           f"has memory only on the CPU (1) and on CUDA GPUs (2)")
    xp = backend.array_module(device)   # a clear error when CUDA memory comes without CuPy
    try:
        array = xp.from_dlpack(ext_tensor)
    except (RuntimeError, BufferError, TypeError, ValueError) as e:
        raise type(e)(f"from_dlpack: {type(ext_tensor).__name__} could not be shared: {e}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_dlpack: unsupported dtype {array.dtype}; use numbers or booleans")
    return Tensor._make(array, device, False, None)
