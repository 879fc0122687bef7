import numpy as np
import pytest
import torch
import torch.nn.functional as F

from exercises.checks.under_test import assert_matches, quietly

EXERCISE = "ex03_softmax_cross_entropy"
SHAPES = [(1, 1), (1, 5), (4, 3), (7, 10)]      # (samples, classes)


def torch_cross_entropy(logits: np.ndarray, targets: np.ndarray, grad: float):
    t = torch.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(t, torch.tensor(targets))
    loss.backward(torch.tensor(grad, dtype=t.dtype))
    return loss.detach().numpy(), t.grad.numpy()


def problem(rng, n: int, c: int, scale: float = 2.0):
    return rng.normal(0, scale, size=(n, c)), rng.integers(0, c, size=n)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def check_log_softmax_matches_torch(exercise, rng, shape):
    logits, _ = problem(rng, *shape)
    expected = torch.log_softmax(torch.tensor(logits), dim=1).numpy()
    assert_matches(exercise.log_softmax(logits), expected, "log_softmax")


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def check_forward_matches_torch(exercise, rng, shape):
    logits, targets = problem(rng, *shape)
    loss, _ = exercise.forward(logits, targets)
    assert_matches(loss, torch_cross_entropy(logits, targets, 1.0)[0], "loss")


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def check_backward_matches_torch(exercise, rng, shape):
    logits, targets = problem(rng, *shape)
    grad = float(rng.uniform(0.5, 2.0))            # an upstream gradient other than 1
    _, saved = exercise.forward(logits, targets)
    assert_matches(exercise.backward(grad, saved), torch_cross_entropy(logits, targets, grad)[1],
                   "gradient of the logits")


def check_huge_logits_without_overflow(exercise, rng):
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -999.0, -1000.0], [5.0, 1000.0, 999.0]])
    targets = np.array([1, 1, 2])
    with quietly():
        log_p = exercise.log_softmax(logits)
        loss, saved = exercise.forward(logits, targets)
        grad_logits = exercise.backward(1.0, saved)
    expected_loss, expected_grad = torch_cross_entropy(logits, targets, 1.0)
    assert_matches(log_p, torch.log_softmax(torch.tensor(logits), dim=1).numpy(), "log_softmax of ±1000")
    assert_matches(loss, expected_loss, "loss of ±1000")
    assert_matches(grad_logits, expected_grad, "gradient of ±1000")
