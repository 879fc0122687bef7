import numpy as np
import pytest
import torch
import torch.nn.functional as F

from exercises.checks.under_test import assert_matches

EXERCISE = "ex04_conv2d"
# (x shape, weight shape, stride, padding): one channel, several, non-square kernels and
# images, strides that skip pixels or leave some out, padding, a kernel as large as the image
CASES = [((1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
         ((2, 3, 6, 5), (4, 3, 3, 2), 1, 0),
         ((1, 2, 7, 6), (3, 2, 3, 3), 2, 0),
         ((2, 1, 5, 4), (2, 1, 2, 3), 1, 1),
         ((1, 3, 8, 7), (2, 3, 3, 3), 3, 2),
         ((3, 2, 3, 3), (5, 2, 3, 3), 1, 0)]


def torch_conv2d(x, weight, bias, stride, padding, grad):
    tensors = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias)]
    out = F.conv2d(*tensors, stride=stride, padding=padding)
    out.backward(torch.tensor(grad))
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]


def output_shape(x_shape, w_shape, stride, padding):
    return (x_shape[0], w_shape[0]) + tuple((size + 2 * padding - k) // stride + 1
                                            for size, k in zip(x_shape[2:], w_shape[2:]))


def case_id(case):
    x_shape, w_shape, stride, padding = case
    return f"x{x_shape}-w{w_shape}-stride{stride}-padding{padding}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def check_forward_matches_torch(exercise, rng, case):
    x_shape, w_shape, stride, padding = case
    x, weight, bias = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
    out, _ = exercise.forward(x, weight, bias, stride=stride, padding=padding)
    ones = np.ones(output_shape(*case))
    assert_matches(out, torch_conv2d(x, weight, bias, stride, padding, ones)[0], "forward")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def check_backward_matches_torch(exercise, rng, case):
    x_shape, w_shape, stride, padding = case
    x, weight, bias = rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])
    grad = rng.normal(size=output_shape(*case))
    _, saved = exercise.forward(x, weight, bias, stride=stride, padding=padding)
    grads = exercise.backward(grad, saved)
    assert isinstance(grads, tuple) and len(grads) == 3, "backward must return (grad_x, grad_weight, grad_bias)"
    expected = torch_conv2d(x, weight, bias, stride, padding, grad)[1]
    for name, actual, wanted in zip(("grad_x", "grad_weight", "grad_bias"), grads, expected):
        assert_matches(actual, wanted, name)
