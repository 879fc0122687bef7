"""The workloads W1-W7 (and W3t beside W3), defined once so that every system computes the same
thing on the same data.

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
from typing import Any, Callable

import numpy as np

LEARNING_RATE = 0.01
WORKLOADS = ("W1", "W2", "W3", "W3t", "W4", "W5", "W6", "W7")
DESCRIPTIONS = {
    "W1": "ConvNet train step (conv-relu-pool ×2, linear-relu-linear, cross-entropy)",
    "W2": "MLP 784-256-256-10 train step (relu, cross-entropy)",
    "W3": "per-op overhead: (16,) tensor through alternating x*a, x+b, sigmoid, relu; sum; backward",
    "W3t": "W3 with tensor constants: a and b are fixed (16,) tensors that need no grad, as in model code",
    "W4": "conv2d forward + backward, no bias, pad 1: conv2d(x, w).sum().backward()",
    "W5": "chain of adds, forward + backward",
    "W6": "GPT train step (pre-norm blocks, causal attention, GELU MLP, tied head, cross-entropy, AdamW)",
    "W7": "LSTM train step (2 layers, a linear read-out at every step, cross-entropy, SGD)",
}
# Issue 16's targets at 1 thread, tuned allocator against tuned allocator (CPU-time ratios):
# tinygrad_edu / PyTorch, and tinygrad_edu / the hand-written NumPy floor where there is one.
TARGETS = {"W1": 1.0, "W2": 1.0, "W3": 1.0, "W3t": 1.0, "W4": 1.3, "W5": 1.0, "W6": 1.3, "W7": 1.3}
FLOOR_TARGETS = {"W1": "≤ 1.15×", "W2": "≤ 1.15×", "W4": "≤ 1.15×"}
# A hand-written NumPy backward of a GPT or of an LSTM through time is a program of its own, not
# a floor that is cheap to keep right, so W6 and W7 compare tinygrad_edu with PyTorch only.
WITHOUT_FLOOR = ("W6", "W7")
# Reported in µs per op rather than ms per step: their steps are chains of w3_ops tiny ops.
PER_OP = ("W3", "W3t")


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
    w6_layers: int = 4
    w6_heads: int = 4
    w6_width: int = 128
    w6_context: int = 64
    w6_batch: int = 16
    w6_vocab: int = 65
    w7_layers: int = 2
    w7_hidden: int = 128
    w7_sequence: int = 32
    w7_batch: int = 32
    w7_classes: int = 10

    def describe(self, workload: str) -> str:
        return {"W1": f"batch {self.w1_batch}", "W2": f"batch {self.w2_batch}",
                "W3": f"{self.w3_ops} ops on ({self.w3_width},)",
                "W3t": f"{self.w3_ops} ops on ({self.w3_width},), tensor constants",
                "W4": f"x{self.w4_x} w{self.w4_w}", "W5": f"{self.w5_adds} adds",
                "W6": f"{self.w6_layers} layers, {self.w6_heads} heads, width {self.w6_width}, "
                      f"context {self.w6_context}, batch {self.w6_batch}",
                "W7": f"{self.w7_layers} layers, hidden {self.w7_hidden}, sequence {self.w7_sequence}, "
                      f"batch {self.w7_batch}"}[workload]


FULL = Sizes()
TINY = Sizes(w1_batch=4, w2_batch=4, w3_ops=40, w4_x=(2, 3, 8, 8), w4_w=(4, 3, 3, 3), w5_adds=50,
             w6_layers=2, w6_heads=2, w6_width=8, w6_context=5, w6_batch=3, w6_vocab=7,
             w7_hidden=6, w7_sequence=4, w7_batch=3, w7_classes=5)


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


def overhead_tensor_data(sizes: Sizes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W3t: the starting vector and the two constant vectors every mul and add uses.

    Model code mostly combines tensors with tensors, which takes a different path through a
    framework than a Python number does. a is drawn from W3's range and b = -a/2 per element,
    so after each sigmoid a·x + b lies within ±a/2 and nothing saturates."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(sizes.w3_width).astype(np.float32)
    a = rng.uniform(3.6, 3.9, sizes.w3_width).astype(np.float32)
    return x, a, -a / 2


def overhead_operands(sizes: Sizes, tensor_constants: bool) -> tuple[np.ndarray, list[tuple[Any, Any]]]:
    """W3 and W3t as one chain: the starting vector and, for op i, the (a, b) of `x*a` and `x+b`
    (sigmoid and relu ignore them): a fresh Python number a and b = -a/2 for W3, the same two
    (16,) arrays for every op of W3t."""
    if tensor_constants:
        x, a, b = overhead_tensor_data(sizes)
        return x, [(a, b)] * sizes.w3_ops
    x, scalars = overhead_data(sizes)
    return x, [(a, -a / 2) for a in scalars]


def conv_data(sizes: Sizes) -> dict[str, np.ndarray]:
    """W4: the input and the kernel of one convolution."""
    rng = np.random.default_rng(0)
    fan_in = int(np.prod(sizes.w4_w[1:]))
    return {"x": rng.standard_normal(sizes.w4_x).astype(np.float32),
            "w": _uniform_init(rng, sizes.w4_w, fan_in)}


def chain_data(sizes: Sizes) -> np.ndarray:
    """W5: the vector that 1.0 is added to, again and again."""
    return np.random.default_rng(0).standard_normal(16).astype(np.float32)


# ---- W6 and W7: modern layers, written once for PyTorch and tinygrad_edu alike -----------------
# The two share PyTorch's API, so each model is defined once here, given the framework's `nn`
# and `F` modules, and both systems load the same initial weights into it (strict=True).

def define_gpt(nn, F):   # noqa: N803 — the framework's modules, named as a user imports them
    """The W6 GPT class for the framework whose `nn` and `functional` modules are given."""

    class Block(nn.Module):
        def __init__(self, width: int, heads: int) -> None:
            super().__init__()
            self.heads = heads
            self.ln1 = nn.LayerNorm(width)
            self.qkv = nn.Linear(width, 3 * width)
            self.proj = nn.Linear(width, width)
            self.ln2 = nn.LayerNorm(width)
            self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = (t.view(B, T, self.heads, C // self.heads).transpose(1, 2)
                       for t in self.qkv(self.ln1(x)).split(C, dim=2))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(y.transpose(1, 2).reshape(B, T, C))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self, sizes: Sizes) -> None:
            super().__init__()
            self.tok = nn.Embedding(sizes.w6_vocab, sizes.w6_width)
            self.pos = nn.Embedding(sizes.w6_context, sizes.w6_width)
            self.blocks = nn.Sequential(*[Block(sizes.w6_width, sizes.w6_heads) for _ in range(sizes.w6_layers)])
            self.ln_f = nn.LayerNorm(sizes.w6_width)
            self.head = nn.Linear(sizes.w6_width, sizes.w6_vocab, bias=False)
            self.head.weight = self.tok.weight   # weight tying

        def forward(self, idx):
            x = self.tok(idx) + self.pos.weight[:idx.shape[1]]
            logits = self.head(self.ln_f(self.blocks(x)))
            return logits.flatten(0, 1)

    return GPT


def gpt_parameter_groups(named: list[tuple[str, object]]) -> list[dict]:
    """AdamW's two groups, as GPT training uses them: weight decay 0.1 on the matrices of the
    linear layers, none on biases, LayerNorm and the (tied) embeddings."""
    def decays(name: str, p) -> bool:
        return p.ndim == 2 and not name.startswith(("tok.", "pos."))
    return [{"params": [p for n, p in named if decays(n, p)], "weight_decay": 0.1},
            {"params": [p for n, p in named if not decays(n, p)], "weight_decay": 0.0}]


GPT_ADAMW = {"lr": 1e-3, "betas": (0.9, 0.95)}


def gpt_data(sizes: Sizes) -> dict[str, np.ndarray]:
    """W6: a batch of token windows, the next token of each position, and GPT-2's initialisation
    (normal weights with std 0.02, zero biases, LayerNorms at 1 and 0), keyed as the state_dict."""
    rng = np.random.default_rng(0)
    B, T, C, V = sizes.w6_batch, sizes.w6_context, sizes.w6_width, sizes.w6_vocab
    tokens = rng.integers(0, V, (B, T + 1))
    data = {"x": tokens[:, :-1].astype(np.int64), "y": tokens[:, 1:].reshape(-1).astype(np.int64)}

    def normal(*shape: int) -> np.ndarray:
        return (0.02 * rng.standard_normal(shape)).astype(np.float32)

    data["state.tok.weight"], data["state.pos.weight"] = normal(V, C), normal(T, C)
    for i in range(sizes.w6_layers):
        block = f"state.blocks.{i}."
        for name, rows, cols in (("qkv", 3 * C, C), ("proj", C, C), ("mlp.0", 4 * C, C), ("mlp.2", C, 4 * C)):
            data[f"{block}{name}.weight"], data[f"{block}{name}.bias"] = normal(rows, cols), np.zeros(rows, np.float32)
        for norm in ("ln1", "ln2"):
            data[f"{block}{norm}.weight"], data[f"{block}{norm}.bias"] = np.ones(C, np.float32), np.zeros(C, np.float32)
    data["state.ln_f.weight"], data["state.ln_f.bias"] = np.ones(C, np.float32), np.zeros(C, np.float32)
    data["state.head.weight"] = data["state.tok.weight"]   # tied: both keys are in PyTorch's state_dict
    return data


def define_lstm_model(nn):   # noqa: N803
    """The W7 model class: a stacked LSTM with a linear read-out at every time step."""

    class LSTMModel(nn.Module):
        def __init__(self, sizes: Sizes) -> None:
            super().__init__()
            self.lstm = nn.LSTM(sizes.w7_hidden, sizes.w7_hidden, num_layers=sizes.w7_layers, batch_first=True)
            self.head = nn.Linear(sizes.w7_hidden, sizes.w7_classes)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out).flatten(0, 1)

    return LSTMModel


def lstm_data(sizes: Sizes) -> dict[str, np.ndarray]:
    """W7: a batch of sequences (input size = hidden size), a class per time step, and PyTorch's
    initialisation U(-1/sqrt(hidden), 1/sqrt(hidden)) in PyTorch's weight layout (gates i, f, g, o)."""
    rng = np.random.default_rng(0)
    B, T, H = sizes.w7_batch, sizes.w7_sequence, sizes.w7_hidden
    data = {"x": rng.standard_normal((B, T, H)).astype(np.float32),
            "y": rng.integers(0, sizes.w7_classes, B * T).astype(np.int64)}
    for layer in range(sizes.w7_layers):
        for name, shape in (("weight_ih", (4 * H, H)), ("weight_hh", (4 * H, H)), ("bias_ih", (4 * H,)),
                            ("bias_hh", (4 * H,))):
            data[f"state.lstm.{name}_l{layer}"] = _uniform_init(rng, shape, H)
    data["state.head.weight"] = _uniform_init(rng, (sizes.w7_classes, H), H)
    data["state.head.bias"] = _uniform_init(rng, (sizes.w7_classes,), H)
    return data


def state_of(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The model's initial state_dict inside a W6 or W7 data dict (the keys after "state.")."""
    return {k[len("state."):]: v for k, v in data.items() if k.startswith("state.")}
