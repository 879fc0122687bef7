"""tinygrad_edu: a small, readable autodiff framework for learning how deep learning works.

    import tinygrad_edu as tg
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad      # Tensor([2., 4.])
"""
from typing import TYPE_CHECKING

from tinygrad_edu import autograd, backend
from tinygrad_edu.autograd import (Function, enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                                   no_grad, set_grad_enabled)
from tinygrad_edu.tensor import Tensor, backward, grad
from tinygrad_edu import ops  # declares every op: Tensor gets its methods and operators here
from tinygrad_edu.ops.registry import toplevel_functions
from tinygrad_edu.backend import (Generator, default_generator, device, float16, float32, float64,
                                  get_default_device, get_default_dtype, int8, int16, int32, int64, is_available,
                                  manual_seed, set_default_device, set_default_dtype, uint8)
from tinygrad_edu import accelerator, backends, cuda  # tg.cuda.is_available(), tg.accelerator, tg.backends.mps
from tinygrad_edu.unsupported import compile, distributed, jit  # noqa: A004 — they exist and say why they refuse
from tinygrad_edu.creation import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace,
                                   normal, ones, ones_like, rand, rand_like, randint, randint_like, randn, randn_like,
                                   randperm, tensor, zeros, zeros_like)
from tinygrad_edu import nn  # tg.nn.Linear, tg.nn.functional
from tinygrad_edu.allocator import tune_allocator  # opt-in; importing it changes nothing
from tinygrad_edu.serialization import load, save
from tinygrad_edu.interop import from_dlpack  # tg.from_dlpack(torch_tensor): shares memory
from tinygrad_edu import data, optim, utils  # tg.data, tg.optim, tg.utils.data after `import tinygrad_edu as tg`
from tinygrad_edu import study, viz  # tg.study.trace_backward, tg.viz.draw_graph
from tinygrad_edu import onnx  # tg.onnx.export(model, example_inputs, path); needs the onnx extra
from tinygrad_edu.study import detect_anomaly, gradcheck
from tinygrad_edu import linalg  # tg.linalg.vector_norm, tg.linalg.norm, as torch.linalg

# torch.autograd.grad, .backward, .gradcheck, .detect_anomaly: PyTorch's autograd namespace is
# our engine module plus these, which live in layers above it (tensor.py, study/).
if not TYPE_CHECKING:   # autograd.py names them for type checkers
    autograd.grad, autograd.backward, autograd.gradcheck, autograd.detect_anomaly = (grad, backward, gradcheck,
                                                                                       detect_anomaly)

__all__ = [
    "Function", "Generator", "Tensor", "arange", "as_tensor", "backward", "bool", "compile", "default_generator",
    "detect_anomaly", "device", "distributed", "double", "empty", "empty_like", "enable_grad", "eye", "float",
    "float16", "float32", "float64", "from_dlpack", "from_numpy", "full", "full_like", "get_default_device",
    "get_default_dtype", "grad", "gradcheck", "half", "inference_mode", "int", "int8", "int16", "int32", "int64",
    "is_available", "is_grad_enabled", "is_inference_mode_enabled", "jit", "linspace", "load", "long",
    "manual_seed", "no_grad", "normal", "ones", "ones_like", "rand", "rand_like", "randint", "randint_like",
    "randn", "randn_like", "randperm", "save", "set_default_device", "set_default_dtype", "set_grad_enabled",
    "short", "tensor", "tune_allocator", "uint8", "zeros", "zeros_like",
    # the namespaces
    "accelerator", "autograd", "backend", "backends", "cuda", "data", "linalg", "nn", "onnx", "optim", "study",
    "utils", "viz",
]

# tg.exp, tg.relu, tg.where, tg.cat, ...: every op declared for tg.* in tinygrad_edu/ops/
# (docs/ops.md lists them). Names above (tg.bool below) are not overwritten.
if TYPE_CHECKING:   # the same functions and dtype names, spelled out for type checkers (tinygrad_edu/declared/)
    from tinygrad_edu.declared import functions as _declared_functions
    from tinygrad_edu.declared.functions import *  # noqa: F403
    __all__ += _declared_functions.__all__
    from tinygrad_edu.backend import bool_ as bool  # noqa: A004
    from tinygrad_edu.backend import float16 as half, float32 as float, float64 as double  # noqa: A004
    from tinygrad_edu.backend import int16 as short, int32 as int, int64 as long  # noqa: A004
else:
    globals().update({name: fn for name, fn in toplevel_functions().items() if name not in globals()})
    __all__ += sorted(name for name in toplevel_functions() if name not in __all__)

    bool = backend.bool_  # noqa: A001 — tg.bool, like torch.bool
    globals().update(backend.TORCH_NAMES)   # tg.float, tg.long, tg.half, ...: PyTorch's other dtype names
del toplevel_functions

__version__ = "0.1.0"
