"""The one door to an array library.

Every array computation in tinygrad_edu goes through the module this package hands out:
NumPy for the device "cpu", CuPy for "cuda". Op code never imports numpy or cupy itself;
it asks for `backend.array_module(device)` and writes `xp.exp(x)`, which is why the same op
runs on both devices. Moving data between devices also happens only here.

The package is split by purpose, and every name is re-exported here, so code writes
`from tinygrad_edu import backend` and `backend.to_device(...)`:

    devices.py   devices, availability, the default device, moving arrays between devices
    dtypes.py    dtype names, the default float, PyTorch's inference and promotion rules
    random.py    the default random generator, manual_seed, and Generator
    special.py   erf, sigmoid, quiet IEEE arithmetic, scatter_add
    arrays.py    cache-line aligned buffers and the printed form of an array

State that changes at run time (the default device, the generator) lives in one module and
is read through functions, so it is never copied here. The device tables re-exported below
are the very dicts of devices.py, updated in place and never replaced.
"""
from tinygrad_edu.backend.arrays import empty_aligned, format_array
from tinygrad_edu.backend.devices import (CUDA_INSTALL_HINT, Device, _availability, _devices, _unavailable_reason,
                                          array_module, array_modules, check_array, device_of_array,
                                          device, get_default_device, get_device, is_available, known_devices,
                                          normalize_device, numpy_kind, register_device, set_default_device,
                                          tensor_device, to_device, to_numpy)
from tinygrad_edu.backend.dtypes import (DEFAULT_FLOAT, TORCH_NAMES, DType, NDArray,
                                         as_dtype, bool_, float16, float32, float64,
                                         get_default_dtype, infer_dtype, int8, int16, int32, int64, is_floating,
                                         promote_types, scalar_result_dtype, set_default_dtype, uint8)
from tinygrad_edu.backend.random import Generator, default_generator, manual_seed, random_generator
from tinygrad_edu.backend.special import (FLOATING_POINT_FILTER, erf, erfc, ieee_quietly, put_floating_point_filter_first,
                                          quiet_numpy, restore_numpy, scatter_add, sigmoid)

__all__ = [
    # devices
    "CUDA_INSTALL_HINT", "Device", "array_module", "array_modules", "check_array", "device", "device_of_array",
    "get_default_device", "get_device", "is_available", "known_devices", "normalize_device", "numpy_kind",
    "register_device", "set_default_device", "tensor_device", "to_device", "to_numpy",
    # dtypes
    "DEFAULT_FLOAT", "TORCH_NAMES", "DType", "NDArray",
    "as_dtype", "bool_", "float16", "float32", "float64", "get_default_dtype",
    "infer_dtype", "int8", "int16", "int32", "int64", "is_floating", "promote_types", "scalar_result_dtype",
    "set_default_dtype", "uint8",
    # random numbers
    "manual_seed", "random_generator", "Generator", "default_generator",
    # special functions
    "erf", "erfc", "ieee_quietly", "quiet_numpy", "restore_numpy", "FLOATING_POINT_FILTER",
    "put_floating_point_filter_first", "scatter_add", "sigmoid",
    # array memory and printing
    "empty_aligned", "format_array",
]
