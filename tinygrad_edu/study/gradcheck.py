"""Check autograd against finite differences, element by element, in float64.

    tg.gradcheck(lambda x, w: (x @ w).tanh(), [tg.randn(3, 4, requires_grad=True),
                                              tg.randn(4, 2, requires_grad=True)])

For every output element k and every input element j, the analytic derivative
d out_k / d in_j (one backward pass per output element) must match the central difference
(f(in_j + eps) - f(in_j - eps)) / 2eps within atol + rtol·|numeric|. This is how to test a
Function you wrote yourself: if its backward is wrong, the report says which input, which
element, and both numbers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np   # host-side bookkeeping only: the Jacobians are compared on the host

from tinygrad_edu import backend
from tinygrad_edu.autograd import no_grad
from tinygrad_edu.tensor import grad
from tinygrad_edu.tensor import Tensor

MAX_REPORTED = 10


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytic and numeric gradients disagree."""


@dataclass
class Mismatch:
    """One Jacobian entry where autograd and finite differences disagree."""
    input: int
    input_index: tuple[int, ...]
    output: int
    output_index: tuple[int, ...]
    analytic: float
    numeric: float

    def __str__(self) -> str:
        return (f"input {self.input}{list(self.input_index)} -> output {self.output}{list(self.output_index)}: "
                f"analytic {self.analytic:.6g}, numeric {self.numeric:.6g}, "
                f"difference {self.analytic - self.numeric:.3g}")


def _outputs(result: Any) -> list[Tensor]:
    outputs = [result] if isinstance(result, Tensor) else list(result) if isinstance(result, (tuple, list)) else None
    if not outputs or not all(isinstance(o, Tensor) for o in outputs):
        raise TypeError(f"gradcheck: fn must return a Tensor or a tuple of Tensors, got {type(result).__name__}")
    return outputs


def _float64_copies(inputs: Sequence[Any]) -> list[Any]:
    """The inputs as fresh float64 leaves, so the user's tensors are never touched."""
    copies = []
    for x in inputs:
        if isinstance(x, Tensor) and backend.is_floating(x.dtype):
            data = x.array.astype(backend.float64)   # astype copies, on either device
            copies.append(Tensor._make(data, x._device, x.requires_grad, None))
        else:
            copies.append(x)
    return copies


def gradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """True when autograd's gradients of `fn(*inputs)` match central differences.

    Inputs that require grad are checked; other inputs are passed through as constants.
    Floating-point inputs are copied to float64 first. On a mismatch, GradcheckError lists
    the worst entries (input, element, output element, analytic, numeric), or False is
    returned when `raise_exception=False`.
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if eps <= 0:
        raise ValueError(f"gradcheck: eps must be positive, got {eps}")
    inputs = _float64_copies(inputs)
    checked = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: none of the inputs requires grad; create them with requires_grad=True")
    outputs = _outputs(fn(*inputs))

    mismatches: list[Mismatch] = []
    for out_number, out in enumerate(outputs):
        if not backend.is_floating(out.dtype):
            continue
        analytic = _analytic_jacobian(out, [inputs[i] for i in checked])
        for slot, i in enumerate(checked):
            numeric = _numeric_jacobian(fn, inputs, i, out, out_number, eps)
            bound = atol + rtol * abs(numeric)
            bad = abs(analytic[slot] - numeric) > bound
            for k, j in zip(*bad.nonzero()):
                mismatches.append(Mismatch(i, _unravel(j, inputs[i].shape), out_number, _unravel(k, out.shape),
                                           float(analytic[slot][k, j]), float(numeric[k, j])))
    if not mismatches:
        return True
    if not raise_exception:
        return False
    mismatches.sort(key=lambda m: -abs(m.analytic - m.numeric))
    lines = [str(m) for m in mismatches[:MAX_REPORTED]]
    more = f"\n  ... and {len(mismatches) - MAX_REPORTED} more" if len(mismatches) > MAX_REPORTED else ""
    raise GradcheckError(f"gradcheck: analytic and numeric gradients differ in {len(mismatches)} Jacobian "
                         f"entries (eps={eps}, atol={atol}, rtol={rtol}); the largest differences:\n  "
                         + "\n  ".join(lines) + more)


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    index = []
    for n in reversed(shape):
        index.append(int(flat % n))
        flat //= n
    return tuple(reversed(index))


def _analytic_jacobian(out: Tensor, leaves: list[Tensor]) -> list[np.ndarray]:
    """One (out.numel, leaf.numel) NumPy matrix per leaf: row k is the gradient of out_k."""
    jacobians = [np.zeros((out.numel(), leaf.numel())) for leaf in leaves]
    xp = out.xp
    for k in range(out.numel()):
        one_hot = xp.zeros(out.numel(), dtype=out.dtype)
        one_hot[k] = 1.0
        upstream = Tensor._make(one_hot.reshape(out.shape), out._device, False, None)
        grads = grad(out, leaves, upstream, retain_graph=True, allow_unused=True)
        for jac, g in zip(jacobians, grads):
            if g is not None:
                jac[k] = g.numpy().reshape(-1)
    return jacobians


def _numeric_jacobian(fn: Callable, inputs: list[Any], i: int, out: Tensor, out_number: int,
                      eps: float) -> np.ndarray:
    """(out.numel, input.numel) central differences for input `i`."""
    x = inputs[i]
    base = x.array
    columns = []
    with no_grad():
        for j in range(x.numel()):
            values = []
            for step in (eps, -eps):
                moved = base.copy()
                flat = moved.reshape(-1)     # a view of the copy: writing it moves one element
                flat[j] = flat[j] + step
                shifted = list(inputs)
                shifted[i] = Tensor._make(moved, x._device, False, None)
                values.append(_outputs(fn(*shifted))[out_number].numpy().astype(np.float64).reshape(-1))
            columns.append((values[0] - values[1]) / (2 * eps))
    return np.stack(columns, axis=1) if columns else np.zeros((out.numel(), 0))
