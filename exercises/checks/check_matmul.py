import numpy as np
import pytest
import torch

from exercises.checks.under_test import assert_matches

EXERCISE = "ex02_matmul"
# (shape of a, shape of b): plain, batched on either side, batch dims stretched from 1, size-1 dims
PAIRS = [((2, 3), (3, 4)),
         ((5, 2, 3), (3, 4)),
         ((2, 3), (5, 3, 4)),
         ((4, 1, 2, 3), (5, 3, 2)),
         ((3, 1, 2, 3), (1, 4, 3, 5)),
         ((1, 1), (1, 1)),
         ((6, 1, 7), (6, 7, 1))]


def output_shape(a_shape: tuple, b_shape: tuple) -> tuple:
    return np.broadcast_shapes(a_shape[:-2], b_shape[:-2]) + (a_shape[-2], b_shape[-1])


def torch_matmul(a: np.ndarray, b: np.ndarray, grad: np.ndarray):
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out = ta @ tb
    out.backward(torch.tensor(grad))
    return out.detach().numpy(), ta.grad.numpy(), tb.grad.numpy()


@pytest.mark.parametrize("shape, target", [((5, 3, 4), (3, 4)), ((2, 7, 3), (2, 1, 3)),
                                           ((4, 2, 6, 1), (2, 1, 1)), ((3, 2), (3, 2))], ids=str)
def check_unbroadcast_sums_to_the_shape(exercise, rng, shape, target):
    grad = rng.normal(size=shape)
    # PyTorch's answer: the gradient of a tensor of `target`'s shape broadcast to `shape`
    small = torch.zeros(target, dtype=torch.float64, requires_grad=True)
    small.expand(shape).backward(torch.tensor(grad))
    assert_matches(exercise.unbroadcast(grad, target), small.grad.numpy(), f"unbroadcast to {target}")


@pytest.mark.parametrize("a_shape, b_shape", PAIRS, ids=str)
def check_forward_matches_torch(exercise, rng, a_shape, b_shape):
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    out, _ = exercise.forward(a, b)
    assert_matches(out, torch_matmul(a, b, np.ones(output_shape(a_shape, b_shape)))[0], "forward")


@pytest.mark.parametrize("a_shape, b_shape", PAIRS, ids=str)
def check_backward_matches_torch(exercise, rng, a_shape, b_shape):
    a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
    grad = rng.normal(size=output_shape(a_shape, b_shape))
    _, saved = exercise.forward(a, b)
    _, expected_a, expected_b = torch_matmul(a, b, grad)
    grads = exercise.backward(grad, saved)
    assert isinstance(grads, tuple) and len(grads) == 2, "backward must return (grad_a, grad_b)"
    assert_matches(grads[0], expected_a, f"grad_a for {a_shape} @ {b_shape}")
    assert_matches(grads[1], expected_b, f"grad_b for {a_shape} @ {b_shape}")
