import numpy as np
import pytest
import torch

from exercises.checks.under_test import assert_matches, quietly

EXERCISE = "ex01_sigmoid"
SHAPES = [(), (1,), (7,), (3, 5), (2, 1, 4)]


def torch_sigmoid(x: np.ndarray, grad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    tx = torch.tensor(x, requires_grad=True)
    out = torch.sigmoid(tx)
    out.backward(torch.tensor(grad))
    return out.detach().numpy(), tx.grad.numpy()


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def check_forward_matches_torch(exercise, rng, shape):
    x = rng.normal(0, 3, size=shape)
    out, _ = exercise.forward(x)
    assert_matches(out, torch_sigmoid(x, np.ones(shape))[0], "forward")


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def check_backward_matches_torch(exercise, rng, shape):
    x, grad = rng.normal(0, 3, size=shape), rng.normal(size=shape)
    _, saved = exercise.forward(x)
    assert_matches(exercise.backward(grad, saved), torch_sigmoid(x, grad)[1], "backward")


def check_large_inputs_give_0_and_1_without_overflow(exercise):
    x = np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0])
    grad = np.ones_like(x)
    with quietly():
        out, saved = exercise.forward(x)
        grad_x = exercise.backward(grad, saved)
    expected_out, expected_grad = torch_sigmoid(x, grad)
    assert_matches(out, expected_out, "forward at ±1000")
    assert_matches(grad_x, expected_grad, "backward at ±1000")
