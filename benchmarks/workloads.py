"""The five workloads, defined once so that every system computes the same thing on the same data.

Every system (tinygrad_edu, PyTorch, hand-written NumPy) builds a workload from the NumPy
arrays made here, so all three start from identical weights and batches and, step for step,
must compute the same losses. A system returns a `Run`: `step()` does one timed iteration and
returns a number read back to the host (which also makes a GPU finish its work before the
clock stops); `arrays()` hands the parameters or gradients back as NumPy arrays, so the smoke
test can compare the systems with each other.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

LEARNING_RATE = 0.01
WORKLOADS = ("W1", "W2", "W3", "W4", "W5")
DESCRIPTIONS = {
    "W1": "ConvNet train step (conv-relu-pool ×2, linear-relu-linear, cross-entropy)",
    "W2": "MLP 784-256-256-10 train step (relu, cross-entropy)",
    "W3": "per-op overhead: (16,) tensor through alternating x*a, x+b, sigmoid, relu; sum; backward",
    "W4": "conv2d forward + backward, no bias, pad 1: conv2d(x, w).sum().backward()",
    "W5": "chain of adds, forward + backward",
}
# The targets for tinygrad_edu / PyTorch at 1 thread, and what the hand-written NumPy
# floor measured against PyTorch on the reference machine.
TARGETS = {"W1": 1.0, "W2": 1.0, "W3": 1.0, "W4": 1.2, "W5": 1.0}
REFERENCE_FLOOR = {"W1": "1.5× (0.9× tuned)", "W2": "0.95×", "W3": "0.4×", "W4": "0.9×", "W5": "0.2×"}


@dataclass(frozen=True)
class Sizes:
    """How big each workload is; `FULL` is what the issue specifies."""
    w1_batch: int = 64
    w2_batch: int = 128
    w3_ops: int = 1000
    w3_width: int = 16
    w4_x: tuple[int, int, int, int] = (32, 16, 32, 32)
    w4_w: tuple[int, int, int, int] = (32, 16, 3, 3)
    w5_adds: int = 5000

    def describe(self, workload: str) -> str:
        return {"W1": f"batch {self.w1_batch}", "W2": f"batch {self.w2_batch}",
                "W3": f"{self.w3_ops} ops on ({self.w3_width},)",
                "W4": f"x{self.w4_x} w{self.w4_w}", "W5": f"{self.w5_adds} adds"}[workload]


FULL = Sizes()
TINY = Sizes(w1_batch=4, w2_batch=4, w3_ops=40, w4_x=(2, 3, 8, 8), w4_w=(4, 3, 3, 3), w5_adds=50)


@dataclass(frozen=True)
class Case:
    """One row of a report: a workload at some size."""
    workload: str
    sizes: Sizes = field(default_factory=Sizes)

    @property
    def label(self) -> str:
        return f"{self.workload} ({self.sizes.describe(self.workload)})"


def preset(name: str) -> list[Case]:
    """The cases a run measures: 'full' (the issue's sizes), 'tiny' (seconds, for checks),
    'gpu' (batches big enough to keep a GPU busy) and 'gpu-dry' (the gpu list, shrunk)."""
    if name == "full":
        return [Case(w, FULL) for w in WORKLOADS]
    if name == "tiny":
        return [Case(w, TINY) for w in WORKLOADS]
    if name == "gpu":
        return [Case("W1", replace(FULL, w1_batch=256)), Case("W1", replace(FULL, w1_batch=4096)),
                Case("W2", replace(FULL, w2_batch=8192)), Case("W4", FULL),
                Case("W4", replace(FULL, w4_x=(256, 16, 32, 32)))]
    if name == "gpu-dry":
        return [Case("W1", replace(TINY, w1_batch=8)), Case("W2", replace(TINY, w2_batch=8)), Case("W4", TINY)]
    raise ValueError(f"unknown preset {name!r}; expected full, tiny, gpu or gpu-dry")


@dataclass
class Run:
    """A built workload: call `step()` repeatedly to time it."""
    step: Callable[[], float]
    arrays: Callable[[], dict[str, np.ndarray]]


def _uniform_init(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    # PyTorch's default for Linear and Conv2d weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    bound = 1 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape).astype(np.float32)


def convnet_data(sizes: Sizes) -> dict[str, np.ndarray]:
    """W1: a batch of 1×28×28 images, integer labels, and the ConvNet's initial parameters."""
    rng = np.random.default_rng(0)
    n = sizes.w1_batch
    data = {"x": rng.standard_normal((n, 1, 28, 28)).astype(np.float32),
            "y": rng.integers(0, 10, n).astype(np.int64)}
    for name, shape, fan_in in [("conv1", (8, 1, 3, 3), 9), ("conv2", (16, 8, 3, 3), 72),
                                ("fc1", (64, 784), 784), ("fc2", (10, 64), 64)]:
        data[f"{name}.weight"] = _uniform_init(rng, shape, fan_in)
        data[f"{name}.bias"] = _uniform_init(rng, shape[:1], fan_in)
    return data


def mlp_data(sizes: Sizes) -> dict[str, np.ndarray]:
    """W2: a batch of 784-feature rows, integer labels, and the MLP's initial parameters."""
    rng = np.random.default_rng(0)
    n = sizes.w2_batch
    data = {"x": rng.standard_normal((n, 784)).astype(np.float32),
            "y": rng.integers(0, 10, n).astype(np.int64)}
    for name, shape in [("fc1", (256, 784)), ("fc2", (256, 256)), ("fc3", (10, 256))]:
        data[f"{name}.weight"] = _uniform_init(rng, shape, shape[1])
        data[f"{name}.bias"] = _uniform_init(rng, shape[:1], shape[1])
    return data


CONVNET_PARAMETERS = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                      "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias")
MLP_PARAMETERS = ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias")
OVERHEAD_OPS = ("mul", "add", "sigmoid", "relu")   # op i is OVERHEAD_OPS[i % 4]


def overhead_data(sizes: Sizes) -> tuple[np.ndarray, list[float]]:
    """W3: the starting vector and one scalar per op, drawn up front.

    Op i multiplies by scalars[i], adds -scalars[i]/2, or ignores it (sigmoid, relu). With
    a ≈ 3.75 the values stay in a range where neither sigmoid nor relu saturates for good."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(sizes.w3_width).astype(np.float32)
    scalars = [float(a) for a in rng.uniform(3.6, 3.9, sizes.w3_ops)]
    return x, scalars


def conv_data(sizes: Sizes) -> dict[str, np.ndarray]:
    """W4: the input and the kernel of one convolution."""
    rng = np.random.default_rng(0)
    fan_in = int(np.prod(sizes.w4_w[1:]))
    return {"x": rng.standard_normal(sizes.w4_x).astype(np.float32),
            "w": _uniform_init(rng, sizes.w4_w, fan_in)}


def chain_data(sizes: Sizes) -> np.ndarray:
    """W5: the vector that 1.0 is added to, again and again."""
    return np.random.default_rng(0).standard_normal(16).astype(np.float32)
