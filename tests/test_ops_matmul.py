"""Matrix multiplication against PyTorch: vectors, matrices, batches and broadcast batches."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor

SHAPES = [
    ("vector_vector", (3,), (3,)),
    ("vector_matrix", (3,), (3, 4)),
    ("matrix_vector", (2, 3), (3,)),
    ("matrix_matrix", (2, 3), (3, 4)),
    ("row_times_column", (1, 3), (3, 1)),
    ("column_times_row", (3, 1), (1, 2)),
    ("size1_inner_dim", (2, 1), (1, 3)),
    ("batched", (2, 3, 4), (2, 4, 5)),
    ("batch_times_matrix", (2, 3, 4), (4, 2)),
    ("matrix_times_batch", (3, 4), (2, 4, 2)),
    ("batch_times_vector", (2, 3, 4), (4,)),
    ("vector_times_batch", (4,), (2, 4, 3)),
    ("broadcast_batch_dims", (2, 1, 3, 4), (5, 4, 2)),
    ("broadcast_batch_size1_both", (1, 3, 2, 3), (4, 1, 3, 2)),
]


@pytest.mark.parametrize("name, shape_a, shape_b", SHAPES, ids=[s[0] for s in SHAPES])
def test_matmul_values_gradients_and_second_derivatives_match_torch(name, shape_a, shape_b, device):
    check_against_torch(lambda a, b: a @ b, lambda a, b: a @ b, [shape_a, shape_b], device=device, double=True)


@pytest.mark.parametrize("name, shape_a, shape_b", SHAPES, ids=[s[0] for s in SHAPES])
def test_matmul_gradients_match_finite_differences(name, shape_a, shape_b):
    finite_difference_check(lambda a, b: a @ b, [shape_a, shape_b])


def test_matmul_function_and_method_match_the_operator(device):
    check_against_torch(lambda a, b: tg.matmul(a, b), torch.matmul, [(2, 3), (3, 2)], device=device)
    check_against_torch(lambda a, b: a.matmul(b), torch.matmul, [(2, 3), (3,)], device=device)


def test_matmul_of_a_product_has_second_derivatives_like_torch(device):
    check_against_torch(lambda a, b: (a * a) @ (b * a.T), lambda a, b: (a * a) @ (b * a.T), [(2, 3), (3, 2)],
                        device=device, double=True)


def test_matmul_with_only_one_input_requiring_grad(device):
    check_against_torch(lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3), (3, 4)], device=device, grad_inputs=[1])
    check_against_torch(lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3), (3, 4)], device=device, grad_inputs=[0])


def test_matmul_with_a_numpy_array_on_either_side(device):
    w = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]], dtype=np.float32)
    x = Tensor([[1.0, 2.0, 3.0]], device=device, requires_grad=True)
    assert (x @ w).tolist() == [[4.0, 7.0]]
    assert (w.T @ x.T).tolist() == [[4.0], [7.0]]


def test_matmul_keeps_float32_and_refuses_mixed_dtypes_like_torch(device):
    a = tg.ones(2, 3, device=device)
    assert (a @ tg.ones(3, device=device)).dtype == tg.float32
    n = Tensor([[1, 2], [3, 4]], device=device)
    assert (n @ n).dtype == tg.int64 and (n @ n).tolist() == [[7, 10], [15, 22]]
    with pytest.raises(RuntimeError, match="expected m1 and m2 to have the same dtype"):
        torch.ones(2, 3) @ torch.ones(3, 2, dtype=torch.float64)
    for other in (tg.ones(3, 2, dtype=tg.float64, device=device), tg.ones(3, 2, dtype=tg.int64, device=device)):
        with pytest.raises(RuntimeError, match=rf"^matmul: expected both operands to have the same dtype, but got "
                                               rf"float32 and {other.dtype}"):
            a @ other


def test_vector_dot_vector_gives_a_0d_tensor(device):
    out = Tensor([1.0, 2.0], device=device) @ Tensor([3.0, 4.0], device=device)
    assert out.shape == () and out.item() == 11.0
