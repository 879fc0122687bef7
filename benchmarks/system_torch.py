"""The workloads written with PyTorch: the reference every ratio is taken against.

Written the way a PyTorch user would write them, with torch.nn.functional and a plain SGD step
(`p -= lr * p.grad` under no_grad), so that tinygrad_edu is compared with everyday PyTorch.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks.workloads import (CONVNET_PARAMETERS, GPT_ADAMW, LEARNING_RATE, MLP_PARAMETERS, OVERHEAD_OPS, Run,
                                  Sizes, chain_data, conv_data, convnet_data, define_gpt, define_lstm_model,
                                  gpt_data, gpt_parameter_groups, lstm_data, mlp_data, overhead_operands,
                                  state_of)

NAME = "PyTorch"


def prepare(device: str) -> None:
    """Settings that keep the comparison like with like on a GPU: plain float32, no TF32."""
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False


def _host(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def _sgd(params: dict[str, torch.Tensor]) -> None:
    with torch.no_grad():
        for p in params.values():
            p -= LEARNING_RATE * p.grad
            p.grad = None


def _parameters(data: dict[str, np.ndarray], names: tuple[str, ...], device: str) -> dict[str, torch.Tensor]:
    return {name: torch.tensor(data[name], device=device, requires_grad=True) for name in names}


def convnet(sizes: Sizes, device: str) -> Run:
    data = convnet_data(sizes)
    x, y = torch.tensor(data["x"], device=device), torch.tensor(data["y"], device=device)
    p = _parameters(data, CONVNET_PARAMETERS, device)

    def step() -> float:
        h = F.max_pool2d(F.relu(F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, p["conv2.weight"], p["conv2.bias"], padding=1)), 2)
        h = F.relu(F.linear(h.flatten(1), p["fc1.weight"], p["fc1.bias"]))
        loss = F.cross_entropy(F.linear(h, p["fc2.weight"], p["fc2.bias"]), y)
        loss.backward()
        _sgd(p)
        return loss.item()

    return Run(step, lambda: {k: _host(v) for k, v in p.items()})


def mlp(sizes: Sizes, device: str) -> Run:
    data = mlp_data(sizes)
    x, y = torch.tensor(data["x"], device=device), torch.tensor(data["y"], device=device)
    p = _parameters(data, MLP_PARAMETERS, device)

    def step() -> float:
        h = F.relu(F.linear(x, p["fc1.weight"], p["fc1.bias"]))
        h = F.relu(F.linear(h, p["fc2.weight"], p["fc2.bias"]))
        loss = F.cross_entropy(F.linear(h, p["fc3.weight"], p["fc3.bias"]), y)
        loss.backward()
        _sgd(p)
        return loss.item()

    return Run(step, lambda: {k: _host(v) for k, v in p.items()})


def _overhead(sizes: Sizes, device: str, tensor_constants: bool) -> Run:
    start, operands = overhead_operands(sizes, tensor_constants)
    x = torch.tensor(start, device=device, requires_grad=True)
    if tensor_constants:   # W3t: one tensor each for a and b, made here, outside the timed step; no grad
        a, b = (torch.tensor(v, device=device) for v in operands[0])
        operands = [(a, b)] * len(operands)

    def step() -> float:
        x.grad = None
        h = x
        for i, (a, b) in enumerate(operands):
            op = OVERHEAD_OPS[i % 4]
            if op == "mul":
                h = h * a
            elif op == "add":
                h = h + b
            elif op == "sigmoid":
                h = torch.sigmoid(h)
            else:
                h = torch.relu(h)
        loss = h.sum()
        loss.backward()
        return loss.item()

    return Run(step, lambda: {"x.grad": _host(x.grad)})


def overhead(sizes: Sizes, device: str) -> Run:
    return _overhead(sizes, device, tensor_constants=False)


def overhead_tensors(sizes: Sizes, device: str) -> Run:
    return _overhead(sizes, device, tensor_constants=True)


def conv(sizes: Sizes, device: str) -> Run:
    data = conv_data(sizes)
    x = torch.tensor(data["x"], device=device, requires_grad=True)
    w = torch.tensor(data["w"], device=device, requires_grad=True)

    def step() -> float:
        x.grad = w.grad = None
        F.conv2d(x, w, padding=1).sum().backward()
        return w.grad[0, 0, 0, 0].item()

    return Run(step, lambda: {"x.grad": _host(x.grad), "w.grad": _host(w.grad)})


def chain(sizes: Sizes, device: str) -> Run:
    x = torch.tensor(chain_data(sizes), device=device, requires_grad=True)

    def step() -> float:
        x.grad = None
        h = x
        for _ in range(sizes.w5_adds):
            h = h + 1.0
        loss = h.sum()
        loss.backward()
        return loss.item()

    return Run(step, lambda: {"x.grad": _host(x.grad)})


def _model(model_class, sizes: Sizes, data: dict[str, np.ndarray], device: str) -> torch.nn.Module:
    model = model_class(torch.nn, F)(sizes) if model_class is define_gpt else model_class(torch.nn)(sizes)
    model.load_state_dict({k: torch.tensor(v) for k, v in state_of(data).items()}, strict=True)
    return model.to(device)


def gpt(sizes: Sizes, device: str) -> Run:
    data = gpt_data(sizes)
    x, y = torch.tensor(data["x"], device=device), torch.tensor(data["y"], device=device)
    model = _model(define_gpt, sizes, data, device)
    optimizer = torch.optim.AdamW(gpt_parameter_groups(list(model.named_parameters())), **GPT_ADAMW)

    def step() -> float:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return Run(step, lambda: {k: _host(v) for k, v in model.named_parameters()})


def lstm(sizes: Sizes, device: str) -> Run:
    data = lstm_data(sizes)
    x, y = torch.tensor(data["x"], device=device), torch.tensor(data["y"], device=device)
    model = _model(define_lstm_model, sizes, data, device)
    p = dict(model.named_parameters())

    def step() -> float:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        _sgd(p)
        return loss.item()

    return Run(step, lambda: {k: _host(v) for k, v in p.items()})


BUILDERS = {"W1": convnet, "W2": mlp, "W3": overhead, "W3t": overhead_tensors, "W4": conv, "W5": chain, "W6": gpt,
            "W7": lstm}
