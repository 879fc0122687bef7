"""PyTorch as the oracle: one helper checks an op's forward, gradients and gradients of gradients.

    check_against_torch(lambda a, b: a * b, lambda a, b: a * b, [(2, 3), (3,)], device=device)

makes random float64 inputs of the given shapes (the same numbers for both frameworks), runs
both functions, and compares the outputs, then the gradient of every input for a random
upstream gradient, and, with `double=True`, the gradients of those gradients.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch

import tinygrad_edu as tg

RTOL, ATOL = 1e-9, 1e-10


def make_inputs(shapes: Sequence, seed: int = 0, low: float | None = None, high: float | None = None) -> list[np.ndarray]:
    """Random float64 arrays; `low`/`high` give a uniform range (e.g. positive inputs for log)."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in shapes:
        if isinstance(shape, np.ndarray):
            arrays.append(shape)
        elif low is not None:
            arrays.append(rng.uniform(low, high, size=shape))
        else:
            arrays.append(rng.standard_normal(size=shape))
    return arrays


def _to_numpy(x) -> np.ndarray:
    if isinstance(x, tg.Tensor):
        return x.numpy()
    return x.detach().numpy(force=True)   # force: torch returns lazy "zero tensors" for some second derivatives


def assert_close(ours, theirs, what: str, rtol: float = RTOL, atol: float = ATOL) -> None:
    a, b = _to_numpy(ours), _to_numpy(theirs)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != torch's {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def check_against_torch(our_fn: Callable, torch_fn: Callable, shapes: Sequence, *, device: str = "cpu",
                        double: bool = False, seed: int = 0, low: float | None = None, high: float | None = None,
                        rtol: float = RTOL, atol: float = ATOL, grad_inputs: Sequence[int] | None = None) -> None:
    """Compare forward values, first and (optionally) second derivatives with PyTorch's in float64.

    `shapes` holds shapes or ready arrays. `grad_inputs` picks which inputs require grad
    (all by default); the others are passed as constants.
    """
    arrays = make_inputs(shapes, seed, low, high)
    wants = set(range(len(arrays)) if grad_inputs is None else grad_inputs)
    ours = [tg.Tensor(a, device=device, requires_grad=i in wants) for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i in wants) for i, a in enumerate(arrays)]

    out, expected = our_fn(*ours), torch_fn(*theirs)
    assert_close(out, expected, "forward", rtol, atol)
    assert out.device == device, f"the result moved from {device} to {out.device}"

    upstream = np.random.default_rng(seed + 1).standard_normal(size=expected.shape)
    our_leaves = [ours[i] for i in sorted(wants)]
    their_leaves = [theirs[i] for i in sorted(wants)]
    our_grads = tg.grad(out, our_leaves, tg.Tensor(upstream, device=device), create_graph=double)
    their_grads = torch.autograd.grad(expected, their_leaves, torch.tensor(upstream), create_graph=double)
    for i, (g, h) in zip(sorted(wants), zip(our_grads, their_grads)):
        assert_close(g, h, f"gradient of input {i}", rtol, atol)
        assert g.device == device, f"the gradient of input {i} moved to {g.device}"

    if double:
        # Differentiate <random weights, first gradients> once more: this checks every
        # second derivative that the first gradients depend on.
        rng = np.random.default_rng(seed + 2)
        weights = [rng.standard_normal(size=h.shape) for h in their_grads]
        our_total = sum((g * tg.Tensor(w, device=device)).sum() for g, w in zip(our_grads, weights))
        their_total = sum((h * torch.tensor(w)).sum() for h, w in zip(their_grads, weights))
        if not their_total.requires_grad:   # the op is linear: second derivatives are all zero
            return
        their_second = torch.autograd.grad(their_total, their_leaves, allow_unused=True)
        our_second = tg.grad(our_total, our_leaves, allow_unused=True) if our_total.requires_grad \
            else [None] * len(our_leaves)
        for i, (g, h) in zip(sorted(wants), zip(our_second, their_second)):
            g_arr = np.zeros(arrays[i].shape) if g is None else _to_numpy(g)
            h_arr = np.zeros(arrays[i].shape) if h is None else _to_numpy(h)
            np.testing.assert_allclose(g_arr, h_arr, rtol=rtol, atol=atol, err_msg=f"second derivative, input {i}")


def finite_difference_check(fn: Callable, shapes: Sequence, *, seed: int = 0, low: float | None = None,
                            high: float | None = None, eps: float = 1e-6, rtol: float = 1e-5,
                            atol: float = 1e-7) -> None:
    """Compare autograd's gradients with central differences, element by element, in float64.

    For a random upstream vector v, the analytic gradient of <v, fn(x)> must match
    (f(x + eps) - f(x - eps)) / 2eps for every element of every input.
    """
    arrays = make_inputs(shapes, seed, low, high)
    inputs = [tg.Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*inputs)
    v = np.random.default_rng(seed + 1).standard_normal(size=out.shape)

    def scalar(values: list[np.ndarray]) -> float:
        with tg.no_grad():
            return float((fn(*[tg.Tensor(x) for x in values]).numpy() * v).sum())

    analytic = tg.grad(out, inputs, tg.Tensor(v))
    for i, a in enumerate(arrays):
        numeric = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i][j] += eps
            minus[i][j] -= eps
            numeric[j] = (scalar(plus) - scalar(minus)) / (2 * eps)
        np.testing.assert_allclose(analytic[i].numpy(), numeric, rtol=rtol, atol=atol,
                                   err_msg=f"finite differences, input {i}")
