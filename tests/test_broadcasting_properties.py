"""Property tests: for any shapes that broadcast, binary ops agree with PyTorch, and their
gradients come back in each input's own shape; shapes that do not broadcast are a clear error."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes

import tinygrad_edu as tg
from tests.oracle import check_against_torch

# The device fixture is the same for every example, so sharing it across examples is safe.
PROPERTY_SETTINGS = settings(max_examples=20, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture])

BINARY_OPS = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, {}),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, {}),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, {}),
    "div": (lambda a, b: a / b, lambda a, b: a / b, {"low": 0.5, "high": 2.0}),
    "maximum": (lambda a, b: a.maximum(b), torch.maximum, {}),
    "minimum": (lambda a, b: a.minimum(b), torch.minimum, {}),
    "pow": (lambda a, b: a ** b, lambda a, b: a ** b, {"low": 0.5, "high": 2.0}),
}

two_shapes = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1, max_side=3)


@pytest.mark.parametrize("op", BINARY_OPS)
@PROPERTY_SETTINGS
@given(shapes=two_shapes, seed=st.integers(0, 2**16))
def test_binary_op_on_any_broadcastable_shapes_matches_torch(op, shapes, seed, device):
    ours, theirs, options = BINARY_OPS[op]
    check_against_torch(ours, theirs, list(shapes.input_shapes), device=device, double=True, seed=seed, **options)


@PROPERTY_SETTINGS
@given(shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=1, max_side=3),
       seed=st.integers(0, 2**16))
def test_where_on_any_three_broadcastable_shapes_matches_torch(shapes, seed, device):
    cond_shape, a_shape, b_shape = shapes.input_shapes
    condition = np.asarray(np.random.default_rng(seed).random(cond_shape) > 0.5)
    check_against_torch(lambda c, a, b: tg.where(c, a, b), torch.where, [condition, a_shape, b_shape],
                        device=device, double=True, seed=seed, grad_inputs=[1, 2])


@pytest.mark.parametrize("op", ["add", "mul"])
@PROPERTY_SETTINGS
@given(shapes=two_shapes)
def test_gradients_of_broadcast_inputs_have_each_inputs_own_shape_and_count_the_copies(op, shapes, device):
    shape_a, shape_b = shapes.input_shapes
    a = tg.ones(shape_a, dtype=tg.float64, device=device, requires_grad=True)
    b = tg.ones(shape_b, dtype=tg.float64, device=device, requires_grad=True)
    BINARY_OPS[op][0](a, b).sum().backward()
    result = int(np.prod(shapes.result_shape))
    assert a.grad.shape == tuple(shape_a) and b.grad.shape == tuple(shape_b)
    # every element of an input was used once per copy the broadcast made of it
    np.testing.assert_array_equal(a.grad.numpy(), np.full(shape_a, result / max(int(np.prod(shape_a)), 1)))
    np.testing.assert_array_equal(b.grad.numpy(), np.full(shape_b, result / max(int(np.prod(shape_b)), 1)))


@st.composite
def clashing_shapes(draw):
    """Two shapes that cannot broadcast: b repeats the end of a, with one size (not 1) changed."""
    shape_a = draw(array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    keep = draw(st.integers(1, len(shape_a)))
    shape_b = list(shape_a[-keep:])
    clash = draw(st.integers(0, keep - 1))
    shape_b[clash] += draw(st.integers(1, 3))
    lead = draw(array_shapes(min_dims=0, max_dims=1, min_side=1, max_side=3))
    return shape_a, tuple(lead) + tuple(shape_b)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "minimum", "pow"])
@settings(max_examples=10, deadline=None)
@given(shapes=clashing_shapes())
def test_shapes_that_do_not_broadcast_raise_an_error_naming_the_op_and_both_shapes(op, shapes):
    shape_a, shape_b = shapes
    a, b = tg.ones(shape_a), tg.ones(shape_b)
    with pytest.raises(ValueError) as error:
        BINARY_OPS[op][0](a, b)
    message = str(error.value)
    assert message.startswith(f"{op}:"), message
    assert str(shape_a) in message and str(shape_b) in message, message
