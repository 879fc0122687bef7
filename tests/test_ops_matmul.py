"""Matrix multiplication against PyTorch: vectors, matrices, batches and broadcast batches."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor

OPS_TESTED_HERE = ("mm", "bmm", "mv", "dot", "outer", "addmm", "einsum")

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


# ---- the named products: mm bmm mv dot outer (ger) addmm ----------------------------------

PRODUCTS = [
    ("mm", lambda a, b: tg.mm(a, b), torch.mm, [(2, 3), (3, 4)]),
    ("mm_method_odd_sizes", lambda a, b: a.mm(b), lambda a, b: a.mm(b), [(1, 5), (5, 1)]),
    ("bmm", lambda a, b: tg.bmm(a, b), torch.bmm, [(2, 3, 4), (2, 4, 5)]),
    ("bmm_method", lambda a, b: a.bmm(b), lambda a, b: a.bmm(b), [(1, 2, 3), (1, 3, 1)]),
    ("mv", lambda a, b: tg.mv(a, b), torch.mv, [(3, 4), (4,)]),
    ("dot", lambda a, b: a.dot(b), lambda a, b: a.dot(b), [(5,), (5,)]),
    ("outer", lambda a, b: tg.outer(a, b), torch.outer, [(3,), (4,)]),
    ("ger_alias", lambda a, b: a.ger(b), lambda a, b: a.outer(b), [(2,), (3,)]),
    ("addmm", lambda c, a, b: tg.addmm(c, a, b), torch.addmm, [(2, 4), (2, 3), (3, 4)]),
    ("addmm_broadcast_bias_beta_alpha", lambda c, a, b: c.addmm(a, b, beta=0.5, alpha=-2.0),
     lambda c, a, b: c.addmm(a, b, beta=0.5, alpha=-2.0), [(4,), (2, 3), (3, 4)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", PRODUCTS, ids=[c[0] for c in PRODUCTS])
def test_named_products_match_torch_with_second_derivatives(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", PRODUCTS, ids=[c[0] for c in PRODUCTS])
def test_named_products_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


def test_addmm_with_beta_0_ignores_nan_in_input_like_torch(device):
    c = np.full((2, 2), np.nan)
    ours = tg.addmm(Tensor(c, device=device), tg.ones(2, 3, dtype=tg.float64, device=device),
                    tg.ones(3, 2, dtype=tg.float64, device=device), beta=0)
    assert ours.tolist() == torch.addmm(torch.tensor(c), torch.ones(2, 3, dtype=torch.float64),
                                        torch.ones(3, 2, dtype=torch.float64), beta=0).tolist()


@pytest.mark.parametrize("call, message", [
    (lambda: tg.mm(tg.ones(2, 3), tg.ones(4, 2)), r"mm: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x2\)"),
    (lambda: tg.mm(tg.ones(2, 3, 1), tg.ones(1, 2)), r"mm: input must be a 2-D matrix, got shape \(2, 3, 1\)"),
    (lambda: tg.mm(tg.ones(2, 3), tg.ones(3)), r"mm: mat2 must be a 2-D matrix, got shape \(3,\)"),
    (lambda: tg.bmm(tg.ones(2, 3), tg.ones(2, 3, 4)), r"bmm: input must be a 3-D batch of matrices"),
    (lambda: tg.bmm(tg.ones(2, 3, 4), tg.ones(3, 4, 5)), r"bmm: expected mat2 of shape \(2, 4, p\) .* got \(3, 4, 5\)"),
    (lambda: tg.bmm(tg.ones(1, 3, 4), tg.ones(2, 4, 5)), r"bmm: expected mat2 of shape \(1, 4, p\)"),
    (lambda: tg.mv(tg.ones(2, 3), tg.ones(2)), r"mv: size mismatch"),
    (lambda: tg.dot(tg.ones(3), tg.ones(2)), r"dot: expected 1-D tensors of the same size, got sizes 3 and 2"),
    (lambda: tg.dot(tg.ones(3, 1), tg.ones(3)), r"dot: input must be a 1-D vector"),
    (lambda: tg.outer(tg.ones(3, 1), tg.ones(3)), r"outer: input must be a 1-D vector"),
    (lambda: tg.addmm(tg.ones(3, 3), tg.ones(2, 3), tg.ones(3, 4)), r"addmm: input of shape \(3, 3\) cannot be broadcast"),
], ids=["mm_inner", "mm_3d", "mm_vector", "bmm_2d", "bmm_batch_and_inner", "bmm_no_broadcast", "mv", "dot_sizes",
        "dot_2d", "outer_2d", "addmm_input"])
def test_named_products_refuse_bad_shapes_like_torch(call, message):
    with pytest.raises(RuntimeError, match=message):
        call()


def test_named_products_refuse_mixed_dtypes_like_torch():
    with pytest.raises(RuntimeError, match=r"mm: expected both operands to have the same dtype, but got float32 and float64"):
        tg.mm(tg.ones(2, 2), tg.ones(2, 2, dtype=tg.float64))
    with pytest.raises(RuntimeError, match=r"dot: expected both operands to have the same dtype"):
        tg.dot(tg.ones(2), tg.tensor([1, 2]))
    assert tg.dot(tg.tensor([1, 2]), tg.tensor([3, 4])).item() == 11


# ---- einsum ----------------------------------------------------------------------------------

EINSUM = [
    ("attention_scores", "bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("bilinear", "bi,oij,bj->bo", [(3, 2), (4, 2, 5), (3, 5)]),
    ("batched_matmul", "bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("matmul_implicit", "ij,jk", [(2, 3), (3, 4)]),
    ("trace", "ii", [(3, 3)]),
    ("diagonal", "ii->i", [(3, 3)]),
    ("repeated_in_3d", "iji->j", [(3, 2, 3)]),
    ("transpose", "ij->ji", [(2, 3)]),
    ("sum_all", "ij->", [(2, 3)]),
    ("sum_rows", "ij->i", [(2, 3)]),
    ("outer", "i,j->ij", [(2,), (3,)]),
    ("implicit_alphabetical", "ba,ab", [(2, 3), (3, 2)]),
    ("upper_and_lower_case", "bA,aB", [(2, 3), (3, 2)]),
    ("ellipsis_broadcast", "...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)]),
    ("ellipsis_to_output", "i...->...", [(2, 3, 4)]),
    ("ellipsis_only", "...", [(2, 3)]),
    ("size_1_broadcasts", "i,i->i", [(3,), (1,)]),
    ("spaces", "ij, jk -> ik", [(2, 3), (3, 2)]),
    ("hadamard", "ij,ij->ij", [(2, 3), (2, 3)]),
    ("empty_sum", "i->", [(0,)]),
    ("empty_contraction", "ij,jk", [(2, 0), (0, 3)]),
]


@pytest.mark.parametrize("name, equation, shapes", EINSUM, ids=[c[0] for c in EINSUM])
def test_einsum_matches_torch_with_second_derivatives(name, equation, shapes, device):
    check_against_torch(lambda *ops: tg.einsum(equation, *ops), lambda *ops: torch.einsum(equation, *ops), shapes,
                        device=device, double=True)


@pytest.mark.parametrize("name, equation, shapes", EINSUM[:12], ids=[c[0] for c in EINSUM[:12]])
def test_einsum_matches_finite_differences(name, equation, shapes):
    finite_difference_check(lambda *ops: tg.einsum(equation, *ops), shapes)


def test_einsum_takes_a_list_of_operands_and_integers_like_torch(device):
    a, b = tg.ones(2, 3, device=device), tg.ones(3, 4, device=device)
    assert tg.einsum("ij,jk", [a, b]).shape == (2, 4)
    ints = tg.einsum("i,i", Tensor([1, 2], device=device), Tensor([3, 4], device=device))
    assert ints.dtype == tg.int64 and ints.item() == 11


@pytest.mark.parametrize("equation, shapes, message", [
    ("ij,jk->ik", [(2, 3), (4, 5)], r"einsum: subscript 'j' has size 4 in operand 1"),
    ("ij->k", [(2, 3)], r"einsum: output subscript 'k' does not appear in any operand"),
    ("ij,j", [(2, 3)], r"einsum: the equation 'ij,j' names 2 operand\(s\), but 1 were given"),
    ("ii->i", [(2, 3)], r"einsum: subscript 'i' is repeated in operand 0 but its sizes differ"),
    ("ij->ii", [(2, 3)], r"einsum: output subscript 'i' appears more than once"),
    ("i..j", [(2, 3)], r"einsum: invalid subscript '.'"),
    ("i1", [(2, 3)], r"einsum: invalid subscript '1'"),
    ("ijk", [(2, 3)], r"einsum: operand 0 has 2 dims \(shape \(2, 3\)\), but its subscripts 'ijk' name 3"),
    ("...ijk", [(2, 3)], r"einsum: operand 0 has 2 dims"),
], ids=["size_mismatch", "unknown_output", "too_few_operands", "diagonal_sizes", "repeated_output", "dots",
        "digit", "too_many_subscripts", "too_many_with_ellipsis"])
def test_einsum_errors_name_the_bad_equation(equation, shapes, message):
    with pytest.raises(RuntimeError, match=message):
        tg.einsum(equation, *[tg.ones(s) for s in shapes])
    with pytest.raises(RuntimeError):   # PyTorch refuses each of them too
        torch.einsum(equation, *[torch.ones(s) for s in shapes])


def test_einsum_refuses_mixed_dtypes_and_non_tensors():
    with pytest.raises(RuntimeError, match=r"einsum: expected both operands to have the same dtype"):
        tg.einsum("ij,jk", tg.ones(2, 3), tg.ones(3, 2, dtype=tg.float64))
    with pytest.raises(TypeError, match=r"einsum: the equation must be a str"):
        tg.einsum(3, tg.ones(2))
    with pytest.raises(TypeError, match=r"einsum: expected one or more Tensors"):
        tg.einsum("ij", np.ones((2, 2)))
