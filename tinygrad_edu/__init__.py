"""tinygrad_edu: a small, readable autodiff framework for learning how deep learning works.

    import tinygrad_edu as tg
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad      # Tensor([2., 4.])
"""
from tinygrad_edu import backend
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.autograd import Function, backward, enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from tinygrad_edu.backend import (bool_, float16, float32, float64, get_default_device, int8, int16, int32,
                                  int64, is_available, manual_seed, set_default_device, uint8)
from tinygrad_edu.creation import (arange, empty, eye, from_numpy, full, full_like, linspace, ones, ones_like, rand,
                                   rand_like, randint, randn, randn_like, randperm, tensor, zeros, zeros_like)
from tinygrad_edu.ops.elementwise import where
from tinygrad_edu.ops.matmul import matmul
from tinygrad_edu.ops.movement import cat, stack
from tinygrad_edu import nn  # tg.nn.Linear, tg.nn.functional
from tinygrad_edu.nn.functional import relu, sigmoid, tanh  # also as tg.relu, tg.sigmoid, tg.tanh
from tinygrad_edu.allocator import tune_allocator  # opt-in; importing it changes nothing
from tinygrad_edu.serialization import load, save
from tinygrad_edu import data, optim  # so that tg.data and tg.optim work after `import tinygrad_edu as tg`
from tinygrad_edu import study, viz  # tg.study.trace_backward, tg.viz.draw_graph
from tinygrad_edu.study import detect_anomaly, gradcheck

bool = bool_  # noqa: A001 — tg.bool, like torch.bool

__version__ = "0.1.0"


def exp(x: Tensor) -> Tensor:
    return x.exp()


def log(x: Tensor) -> Tensor:
    return x.log()


def sqrt(x: Tensor) -> Tensor:
    return x.sqrt()


def maximum(a: Tensor, b: Tensor) -> Tensor:
    return a.maximum(b)


def minimum(a: Tensor, b: Tensor) -> Tensor:
    return a.minimum(b)


def clamp(x: Tensor, min: float | None = None, max: float | None = None) -> Tensor:  # noqa: A002
    return x.clamp(min, max)

