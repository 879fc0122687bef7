"""tinygrad_edu: a small, readable autodiff framework for learning how deep learning works.

    import tinygrad_edu as tg
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad      # Tensor([2., 4.])
"""
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
autograd.grad, autograd.backward, autograd.gradcheck, autograd.detect_anomaly = grad, backward, gradcheck, detect_anomaly

# tg.exp, tg.relu, tg.where, tg.cat, ...: every op declared for tg.* in tinygrad_edu/ops/
# (docs/ops.md lists them). Names above (tg.bool below) are not overwritten.
globals().update({name: fn for name, fn in toplevel_functions().items() if name not in globals()})
del toplevel_functions

bool = backend.bool_  # noqa: A001 — tg.bool, like torch.bool
globals().update(backend.TORCH_NAMES)   # tg.float, tg.long, tg.half, ...: PyTorch's other dtype names

__version__ = "0.1.0"
