import numpy as np
import pytest
import torch
import torch.nn.functional as F

from exercises.checks.under_test import assert_matches

EXERCISE = "ex05_max_pool"
SHAPES = [(1, 1, 2, 2), (1, 1, 4, 4), (2, 3, 6, 4), (1, 2, 5, 7), (2, 1, 3, 3)]   # odd sizes drop an edge


def torch_max_pool(x: np.ndarray, grad: np.ndarray):
    tx = torch.tensor(x, requires_grad=True)
    out = F.max_pool2d(tx, kernel_size=2, stride=2)
    out.backward(torch.tensor(grad))
    return out.detach().numpy(), tx.grad.numpy()


def pooled_shape(shape):
    n, c, h, w = shape
    return (n, c, h // 2, w // 2)


def inputs(rng, shape, ties: bool):
    # whole numbers from a small range make most windows hold the maximum twice or more
    return rng.integers(0, 3, size=shape).astype(np.float64) if ties else rng.normal(size=shape)


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def check_forward_matches_torch(exercise, rng, shape, ties):
    x = inputs(rng, shape, ties)
    out, _ = exercise.forward(x)
    assert_matches(out, torch_max_pool(x, np.ones(pooled_shape(shape)))[0], "forward")


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def check_backward_matches_torch(exercise, rng, shape, ties):
    x = inputs(rng, shape, ties)
    grad = rng.normal(size=pooled_shape(shape))
    _, saved = exercise.forward(x)
    assert_matches(exercise.backward(grad, saved), torch_max_pool(x, grad)[1],
                   "backward" + (" with ties (the first maximum in reading order wins)" if ties else ""))


def check_all_equal_window_sends_gradient_to_top_left(exercise):
    x = np.full((1, 1, 2, 2), 7.0)
    _, saved = exercise.forward(x)
    expected = np.array([[[[5.0, 0.0], [0.0, 0.0]]]])
    assert_matches(exercise.backward(np.array([[[[5.0]]]]), saved), expected, "backward of a window of four equal values")
