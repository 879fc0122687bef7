import numpy as np
import pytest
import torch

import tinygrad_edu as tg
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


class LearnersSigmoid(tg.Function):
    """The learner's two functions as a tinygrad_edu op: the engine hands backward the upstream
    gradient as a Tensor, and takes the input's gradient back as one (outside the graph, so
    this op, unlike tinygrad_edu's own, has no gradients of gradients)."""

    def forward(self, x, exercise):
        self.exercise = exercise
        out, self.saved = exercise.forward(x)
        return np.asarray(out)

    def backward(self, grad):
        return self.constant(np.asarray(self.exercise.backward(grad.numpy(), self.saved)))


def check_inside_a_tinygrad_edu_graph_like_tg_sigmoid(exercise, rng):
    x, w = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    target = rng.normal(size=(4, 2))
    grads = []
    for sigmoid in (lambda z: LearnersSigmoid.apply(z, exercise=exercise), tg.sigmoid):
        tx, tw = tg.tensor(x, requires_grad=True), tg.tensor(w, requires_grad=True)
        ((sigmoid(tx @ tw) - tg.tensor(target)) ** 2).sum().backward()
        grads.append((tx.grad.numpy(), tw.grad.numpy()))
    (yours_x, yours_w), (expected_x, expected_w) = grads
    assert_matches(yours_x, expected_x, "x.grad through your sigmoid in a graph")
    assert_matches(yours_w, expected_w, "w.grad through your sigmoid in a graph")
