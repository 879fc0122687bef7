"""The workloads written with tinygrad_edu's public API, as a learner would write them.

Layers are plain parameter tensors and `tinygrad_edu.nn.functional` calls; the SGD step is the
one a reader writes by hand, `p -= lr * p.grad` inside `tg.no_grad()`.
"""
from __future__ import annotations

import numpy as np

import tinygrad_edu as tg
from benchmarks.workloads import (CONVNET_PARAMETERS, GPT_ADAMW, LEARNING_RATE, MLP_PARAMETERS, OVERHEAD_OPS, Run,
                                  Sizes, chain_data, conv_data, convnet_data, define_gpt, define_lstm_model,
                                  gpt_data, gpt_parameter_groups, lstm_data, mlp_data, overhead_operands,
                                  state_of)

NAME = "tinygrad_edu"


def prepare(device: str) -> None:
    """Nothing to set: tinygrad_edu computes in plain float32 on both devices."""


def _functional():
    # Imported when a workload is built, so that the workloads that need no layers still run
    # while tinygrad_edu.nn is missing or broken; the report then names what failed.
    import tinygrad_edu.nn.functional as F
    return F


def _sgd(params: dict[str, tg.Tensor]) -> None:
    with tg.no_grad():
        for p in params.values():
            p -= LEARNING_RATE * p.grad
            p.grad = None


def _parameters(data: dict[str, np.ndarray], names: tuple[str, ...], device: str) -> dict[str, tg.Tensor]:
    return {name: tg.tensor(data[name], device=device, requires_grad=True) for name in names}


def convnet(sizes: Sizes, device: str) -> Run:
    F = _functional()
    data = convnet_data(sizes)
    x, y = tg.tensor(data["x"], device=device), tg.tensor(data["y"], device=device)
    p = _parameters(data, CONVNET_PARAMETERS, device)

    def step() -> float:
        h = F.max_pool2d(F.conv2d(x, p["conv1.weight"], p["conv1.bias"], padding=1).relu(), 2)
        h = F.max_pool2d(F.conv2d(h, p["conv2.weight"], p["conv2.bias"], padding=1).relu(), 2)
        h = (h.flatten(1) @ p["fc1.weight"].T + p["fc1.bias"]).relu()
        loss = F.cross_entropy(h @ p["fc2.weight"].T + p["fc2.bias"], y)
        loss.backward()
        _sgd(p)
        return loss.item()

    return Run(step, lambda: {k: v.numpy() for k, v in p.items()})


def mlp(sizes: Sizes, device: str) -> Run:
    F = _functional()
    data = mlp_data(sizes)
    x, y = tg.tensor(data["x"], device=device), tg.tensor(data["y"], device=device)
    p = _parameters(data, MLP_PARAMETERS, device)

    def step() -> float:
        h = (x @ p["fc1.weight"].T + p["fc1.bias"]).relu()
        h = (h @ p["fc2.weight"].T + p["fc2.bias"]).relu()
        loss = F.cross_entropy(h @ p["fc3.weight"].T + p["fc3.bias"], y)
        loss.backward()
        _sgd(p)
        return loss.item()

    return Run(step, lambda: {k: v.numpy() for k, v in p.items()})


def _overhead(sizes: Sizes, device: str, tensor_constants: bool) -> Run:
    start, operands = overhead_operands(sizes, tensor_constants)
    x = tg.tensor(start, device=device, requires_grad=True)
    if tensor_constants:   # W3t: one tensor each for a and b, made here, outside the timed step; no grad
        a, b = (tg.tensor(v, device=device) for v in operands[0])
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
                h = h.sigmoid()
            else:
                h = h.relu()
        loss = h.sum()
        loss.backward()
        return loss.item()

    return Run(step, lambda: {"x.grad": x.grad.numpy()})


def overhead(sizes: Sizes, device: str) -> Run:
    return _overhead(sizes, device, tensor_constants=False)


def overhead_tensors(sizes: Sizes, device: str) -> Run:
    return _overhead(sizes, device, tensor_constants=True)


def conv(sizes: Sizes, device: str) -> Run:
    F = _functional()
    data = conv_data(sizes)
    x = tg.tensor(data["x"], device=device, requires_grad=True)
    w = tg.tensor(data["w"], device=device, requires_grad=True)

    def step() -> float:
        x.grad = w.grad = None
        F.conv2d(x, w, padding=1).sum().backward()
        return w.grad[0, 0, 0, 0].item()

    return Run(step, lambda: {"x.grad": x.grad.numpy(), "w.grad": w.grad.numpy()})


def chain(sizes: Sizes, device: str) -> Run:
    x = tg.tensor(chain_data(sizes), device=device, requires_grad=True)

    def step() -> float:
        x.grad = None
        h = x
        for _ in range(sizes.w5_adds):
            h = h + 1.0
        loss = h.sum()
        loss.backward()
        return loss.item()

    return Run(step, lambda: {"x.grad": x.grad.numpy()})


def _model(model_class, sizes: Sizes, data: dict[str, np.ndarray], device: str):
    from tinygrad_edu import nn
    model = model_class(nn, _functional())(sizes) if model_class is define_gpt else model_class(nn)(sizes)
    model.load_state_dict({k: tg.tensor(v) for k, v in state_of(data).items()}, strict=True)
    return model.to(device)


def gpt(sizes: Sizes, device: str) -> Run:
    from tinygrad_edu import optim
    F = _functional()
    data = gpt_data(sizes)
    x, y = tg.tensor(data["x"], device=device), tg.tensor(data["y"], device=device)
    model = _model(define_gpt, sizes, data, device)
    optimizer = optim.AdamW(gpt_parameter_groups(list(model.named_parameters())), **GPT_ADAMW)

    def step() -> float:
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return Run(step, lambda: {k: v.numpy() for k, v in model.named_parameters()})


def lstm(sizes: Sizes, device: str) -> Run:
    F = _functional()
    data = lstm_data(sizes)
    x, y = tg.tensor(data["x"], device=device), tg.tensor(data["y"], device=device)
    model = _model(define_lstm_model, sizes, data, device)
    p = dict(model.named_parameters())

    def step() -> float:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        _sgd(p)
        return loss.item()

    return Run(step, lambda: {k: v.numpy() for k, v in p.items()})


BUILDERS = {"W1": convnet, "W2": mlp, "W3": overhead, "W3t": overhead_tensors, "W4": conv, "W5": chain, "W6": gpt,
            "W7": lstm}
