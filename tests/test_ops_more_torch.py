"""The torch functions training scripts reach for beyond the basics, against PyTorch: stacking,
diagonals, diff, tensordot, take, kron, cross, dist, cdist, median, unique and torch.linalg's
norms. Values, gradients, second derivatives, finite differences, dtypes and the errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu.errors import DTypeError, ShapeError

OPS_TESTED_HERE = ("numel", "vstack", "hstack", "dstack", "column_stack", "diag", "diagonal", "diag_embed",
                   "trace", "diff", "tensordot", "take", "kron", "cross", "linalg.cross", "dist", "cdist",
                   "median", "nanmedian", "unique", "unique_consecutive", "linalg.vector_norm",
                   "linalg.matrix_norm", "linalg.norm")

INF = float("inf")
NAN = float("nan")
TAKE_INDEX = np.array([[0, -1, 5], [5, 2, -12]])
WITH_NANS = np.array([[1.5, NAN, -0.3, 2.2], [NAN, 0.4, NAN, -2.0], [0.7, -1.1, NAN, 3.0]])


def _take(lib):
    return lambda x: lib.take(x, lib.tensor(TAKE_INDEX, device=x.device))


# (id, ours, theirs, shapes): each differentiable case, compared on every device with double backward
CASES = [
    ("vstack_vector_and_matrix", lambda a, b: tg.vstack([a, b]), lambda a, b: torch.vstack([a, b]), [(3,), (2, 3)]),
    ("row_stack", lambda a, b: tg.row_stack((a, b)), lambda a, b: torch.row_stack((a, b)), [(2, 3), (1, 3)]),
    ("hstack_vectors", lambda a, b: tg.hstack([a, b]), lambda a, b: torch.hstack([a, b]), [(3,), (2,)]),
    ("hstack_0d_and_vector", lambda a, b: tg.hstack([a, b]), lambda a, b: torch.hstack([a, b]), [(), (2,)]),
    ("hstack_matrices", lambda a, b: tg.hstack([a, b]), lambda a, b: torch.hstack([a, b]), [(2, 3), (2, 1)]),
    ("dstack", lambda a, b, c: tg.dstack([a, b, c]), lambda a, b, c: torch.dstack([a, b, c]),
     [(2, 3), (2, 3, 2), (2, 3, 1)]),
    ("dstack_vectors", lambda a, b: tg.dstack([a, b]), lambda a, b: torch.dstack([a, b]), [(3,), (3,)]),
    ("column_stack", lambda a, b, c: tg.column_stack([a, b, c]), lambda a, b, c: torch.column_stack([a, b, c]),
     [(3,), (3, 2), (3, 1)]),
    ("diagonal_default", lambda x: x.diagonal(), lambda x: x.diagonal(), [(3, 5)]),
    ("diagonal_offset_negative_dims_3d", lambda x: tg.diagonal(x, 1, -1, 0), lambda x: torch.diagonal(x, 1, -1, 0),
     [(3, 4, 5)]),
    ("diagonal_below", lambda x: x.diagonal(offset=-2, dim1=1, dim2=2), lambda x: x.diagonal(offset=-2, dim1=1, dim2=2),
     [(2, 4, 3)]),
    ("diagonal_offset_past_the_end", lambda x: x.diagonal(7) + 1, lambda x: x.diagonal(7) + 1, [(3, 4)]),
    ("diag_vector_above", lambda x: tg.diag(x, 1), lambda x: torch.diag(x, 1), [(4,)]),
    ("diag_vector_below", lambda x: x.diag(-2), lambda x: x.diag(-2), [(3,)]),
    ("diag_matrix", lambda x: tg.diag(x, 2), lambda x: torch.diag(x, 2), [(3, 5)]),
    ("diag_matrix_below", lambda x: x.diag(-1), lambda x: x.diag(-1), [(4, 2)]),
    ("diag_embed", lambda x: tg.diag_embed(x), lambda x: torch.diag_embed(x), [(2, 3)]),
    ("diag_embed_offset_dims", lambda x: x.diag_embed(1, 0, 2), lambda x: x.diag_embed(1, 0, 2), [(2, 3)]),
    ("diag_embed_below_negative_dims", lambda x: tg.diag_embed(x, -2, -1, 1), lambda x: torch.diag_embed(x, -2, -1, 1),
     [(2, 1, 3)]),
    ("trace", lambda x: tg.trace(x), lambda x: torch.trace(x), [(3, 4)]),
    ("trace_squared", lambda x: (x * x).trace(), lambda x: (x * x).trace(), [(4, 3)]),
    ("diff", lambda x: tg.diff(x), lambda x: torch.diff(x), [(3, 5)]),
    ("diff_n2_dim0", lambda x: x.diff(2, 0), lambda x: x.diff(2, 0), [(4, 3)]),
    ("diff_prepend_append", lambda x, p, a: tg.diff(x, n=2, dim=-2, prepend=p, append=a),
     lambda x, p, a: torch.diff(x, n=2, dim=-2, prepend=p, append=a), [(2, 3, 4), (2, 1, 4), (2, 2, 4)]),
    ("diff_n_past_the_size", lambda x: x.diff(4) + 1, lambda x: x.diff(4) + 1, [(2, 3)]),
    ("tensordot_int", lambda a, b: tg.tensordot(a, b), lambda a, b: torch.tensordot(a, b), [(2, 3, 4), (3, 4, 5)]),
    ("tensordot_pairs", lambda a, b: tg.tensordot(a, b, dims=([1, 0], [0, 2])),
     lambda a, b: torch.tensordot(a, b, dims=([1, 0], [0, 2])), [(2, 3, 4), (3, 5, 2)]),
    ("tensordot_negative", lambda a, b: tg.tensordot(a, b, dims=([-1], [-2])),
     lambda a, b: torch.tensordot(a, b, dims=([-1], [-2])), [(2, 3), (4, 3, 5)]),
    ("tensordot_outer", lambda a, b: tg.tensordot(a, b, 0), lambda a, b: torch.tensordot(a, b, 0), [(2, 3), (4,)]),
    ("tensordot_squared", lambda a, b: tg.tensordot(a * a, b, 1), lambda a, b: torch.tensordot(a * a, b, 1),
     [(2, 3), (3, 2)]),
    ("take", _take(tg), _take(torch), [(3, 4)]),
    ("take_squared", lambda x: tg.take(x * x, tg.tensor([1, 1, -2], device=x.device)),
     lambda x: torch.take(x * x, torch.tensor([1, 1, -2])), [(2, 3)]),
    ("kron_matrices", lambda a, b: tg.kron(a, b), lambda a, b: torch.kron(a, b), [(2, 3), (3, 2)]),
    ("kron_mixed_ndim", lambda a, b: a.kron(b), lambda a, b: a.kron(b), [(2, 1, 3), (4,)]),
    ("kron_product", lambda a, b: tg.kron(a * b, b), lambda a, b: torch.kron(a * b, b), [(2, 2), (2, 2)]),
    ("cross_broadcast", lambda a, b: tg.cross(a, b, dim=-1), lambda a, b: torch.cross(a, b, dim=-1), [(4, 3), (1, 3)]),
    ("cross_first_dim_of_size_3", lambda a, b: a.cross(b), lambda a, b: torch.cross(a, b, dim=0), [(3, 4), (3, 4)]),
    ("cross_self", lambda a, b: tg.cross(a * b, a, 1), lambda a, b: torch.cross(a * b, a, 1), [(2, 3, 2), (2, 3, 2)]),
    ("linalg_cross", lambda a, b: tg.linalg.cross(a, b), lambda a, b: torch.linalg.cross(a, b), [(2, 4, 3), (2, 1, 3)]),
    ("linalg_cross_dim", lambda a, b: tg.linalg.cross(a, b, dim=0), lambda a, b: torch.linalg.cross(a, b, dim=0),
     [(3, 2), (3, 2)]),
    ("dist", lambda a, b: tg.dist(a, b), lambda a, b: torch.dist(a, b), [(3, 4), (4,)]),
    ("dist_p3", lambda a, b: a.dist(b, 3), lambda a, b: a.dist(b, 3), [(2, 3), (2, 3)]),
    ("dist_p1", lambda a, b: tg.dist(a, b, p=1), lambda a, b: torch.dist(a, b, p=1), [(5,), (5,)]),
    ("dist_inf", lambda a, b: tg.dist(a, b, INF), lambda a, b: torch.dist(a, b, INF), [(2, 3), (1, 3)]),
    ("median_dim", lambda x: x.median(-1).values, lambda x: x.median(-1).values, [(3, 5)]),
    ("median_dim0_keepdim", lambda x: tg.median(x, 0, keepdim=True)[0], lambda x: torch.median(x, 0, keepdim=True)[0],
     [(4, 3)]),
    ("median_every_element", lambda x: tg.median(x), lambda x: torch.median(x), [(4, 5)]),
    ("median_odd", lambda x: (x * x).median(), lambda x: (x * x).median(), [(3, 3)]),
    ("median_nan", lambda x: x.median(1).values, lambda x: x.median(1).values, [WITH_NANS]),
    ("nanmedian", lambda x: tg.nanmedian(x, 1).values, lambda x: torch.nanmedian(x, 1).values, [WITH_NANS]),
    ("nanmedian_every_element", lambda x: x.nanmedian(), lambda x: x.nanmedian(), [WITH_NANS]),
    ("vector_norm", lambda x: tg.linalg.vector_norm(x), lambda x: torch.linalg.vector_norm(x), [(3, 4)]),
    ("vector_norm_ord3_dim_keepdim", lambda x: tg.linalg.vector_norm(x, 3, dim=(0, -1), keepdim=True),
     lambda x: torch.linalg.vector_norm(x, 3, dim=(0, -1), keepdim=True), [(2, 3, 4)]),
    ("vector_norm_inf", lambda x: tg.linalg.vector_norm(x, INF, -1), lambda x: torch.linalg.vector_norm(x, INF, -1),
     [(3, 4)]),
    ("matrix_norm_fro", lambda x: tg.linalg.matrix_norm(x), lambda x: torch.linalg.matrix_norm(x), [(2, 3, 4)]),
    ("matrix_norm_1", lambda x: tg.linalg.matrix_norm(x, 1), lambda x: torch.linalg.matrix_norm(x, 1), [(2, 3, 4)]),
    ("matrix_norm_minus_inf_dims", lambda x: tg.linalg.matrix_norm(x, -INF, (0, 2), keepdim=True),
     lambda x: torch.linalg.matrix_norm(x, -INF, (0, 2), keepdim=True), [(3, 2, 4)]),
    ("linalg_norm_default", lambda x: tg.linalg.norm(x), lambda x: torch.linalg.norm(x), [(2, 3, 4)]),
    ("linalg_norm_vector_dim", lambda x: tg.linalg.norm(x, 4, -2), lambda x: torch.linalg.norm(x, 4, -2), [(3, 4)]),
    ("linalg_norm_matrix_inf", lambda x: tg.linalg.norm(x, INF), lambda x: torch.linalg.norm(x, INF), [(3, 4)]),
    ("linalg_norm_vector_ord", lambda x: tg.linalg.norm(x, 1), lambda x: torch.linalg.norm(x, 1), [(5,)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_gradients_match_finite_differences(name, ours, theirs, shapes):
    if any(isinstance(s, np.ndarray) and np.isnan(s).any() for s in shapes):
        pytest.skip("finite differences of a NaN input are NaN")
    finite_difference_check(ours, shapes)


# ---- cdist: PyTorch has no second derivative for it, so the written-out distances are the oracle

def _torch_cdist_by_hand(x1, x2, p):
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p=p, dim=-1)


CDIST = [("p2_batched_broadcast", 2.0, [(2, 3, 4), (5, 4)]), ("p1_5", 1.5, [(3, 2), (4, 2)]),
         ("p1", 1.0, [(2, 4, 3), (2, 2, 3)]), ("inf", INF, [(3, 2), (2, 2)])]


@pytest.mark.parametrize("name, p, shapes", CDIST, ids=[c[0] for c in CDIST])
def test_cdist_matches_torch_in_values_and_gradients(name, p, shapes, device):
    check_against_torch(lambda a, b: tg.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p), shapes, device=device)
    check_against_torch(lambda a, b: tg.cdist(a, b, p=p), lambda a, b: _torch_cdist_by_hand(a, b, p), shapes,
                        device=device, double=True)
    finite_difference_check(lambda a, b: tg.cdist(a, b, p), shapes)


def test_cdist_gradient_at_zero_distance_is_zero_as_in_torch():
    rows = np.array([[1.0, 2.0], [3.0, -1.0]])
    ours = tg.tensor(rows, requires_grad=True)
    theirs = torch.tensor(rows, requires_grad=True)
    tg.cdist(ours, ours).sum().backward()
    torch.cdist(theirs, theirs).sum().backward()
    assert not np.isnan(ours.grad.numpy()).any()
    assert_close(ours.grad, theirs.grad, "gradient")


# ---- results that are not differentiable, and dtypes ---------------------------------------------

def test_numel_counts_elements_as_torch():
    for shape in [(), (0, 3), (2, 3, 4)]:
        assert tg.numel(tg.zeros(shape)) == torch.numel(torch.zeros(shape)) == tg.zeros(shape).numel()
    assert isinstance(tg.numel(tg.ones(2)), int)


@pytest.mark.parametrize("op", ["trace", "diag", "diagonal", "diag_embed", "kron", "diff", "take", "median",
                                "vstack", "hstack", "dstack", "column_stack", "cross", "tensordot"])
def test_integer_inputs_give_torch_dtypes_and_values(op, device):
    a = np.arange(12).reshape(3, 4) - 5
    b = np.arange(12).reshape(4, 3) % 3
    calls = {"trace": lambda lib, x, y: lib.trace(x), "diag": lambda lib, x, y: lib.diag(x, 1),
             "diagonal": lambda lib, x, y: lib.diagonal(x, -1), "diag_embed": lambda lib, x, y: lib.diag_embed(x),
             "kron": lambda lib, x, y: lib.kron(x, y.to(lib.int32)), "diff": lambda lib, x, y: lib.diff(x, 2, 0),
             "take": lambda lib, x, y: lib.take(x, lib.tensor([3, -1], device=x.device)),
             "median": lambda lib, x, y: lib.median(x),
             "vstack": lambda lib, x, y: lib.vstack([x, y.T]), "hstack": lambda lib, x, y: lib.hstack([x, y.T]),
             "dstack": lambda lib, x, y: lib.dstack([x, y.T]),
             "column_stack": lambda lib, x, y: lib.column_stack([x, y.T]),
             "cross": lambda lib, x, y: lib.cross(x[:, :3], y[:3], dim=1),
             "tensordot": lambda lib, x, y: lib.tensordot(x, y, 1)}
    ours = calls[op](tg, tg.tensor(a, device=device), tg.tensor(b, device=device))
    theirs = calls[op](torch, torch.tensor(a), torch.tensor(b))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_diff_of_bools_marks_changes_as_torch():
    x = [True, False, False, True, True]
    np.testing.assert_array_equal(tg.diff(tg.tensor(x)).numpy(), torch.diff(torch.tensor(x)).numpy())


def test_median_indices_and_nans_match_torch(device):
    x = np.random.default_rng(3).permutation(24).reshape(2, 3, 4).astype(np.float64)
    for dim, keepdim in [(0, False), (-1, True), (1, False)]:
        ours, theirs = tg.median(tg.tensor(x, device=device), dim, keepdim), torch.median(torch.tensor(x), dim, keepdim)
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
        assert ours.values.shape == tuple(theirs.values.shape)
    for op in ("median", "nanmedian"):
        ours = getattr(tg, op)(tg.tensor(WITH_NANS, device=device), 1)
        theirs = getattr(torch, op)(torch.tensor(WITH_NANS), 1)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
        assert type(ours).__name__ == op and ours._fields == ("values", "indices")
    all_nan = tg.nanmedian(tg.tensor([[NAN, NAN, NAN]], device=device), 1)   # which NaN's index is unspecified
    assert np.isnan(all_nan.values.item())
    assert np.isnan(torch.nanmedian(torch.tensor([[NAN, NAN, NAN]]), 1).values.item())
    assert np.isnan(tg.median(tg.tensor([])).item()) and np.isnan(torch.median(torch.tensor([])).item())
    zero_d = tg.median(tg.tensor(5.0), 0)
    assert zero_d.values.item() == 5.0 and zero_d.indices.item() == 0


UNIQUE = [
    ("flat", lambda lib, x: lib.unique(x), [[3, 1, 2], [1, 3, 3]]),
    ("inverse_counts", lambda lib, x: lib.unique(x, return_inverse=True, return_counts=True), [[3, 1, 2], [1, 3, 3]]),
    ("counts_only", lambda lib, x: x.unique(return_counts=True), [2.5, -1.0, 2.5, 0.0]),
    ("nans_are_distinct", lambda lib, x: lib.unique(x, return_inverse=True), [NAN, 1.0, NAN, 1.0]),
    ("rows", lambda lib, x: lib.unique(x, dim=0, return_inverse=True, return_counts=True),
     [[1, 2], [0, 5], [1, 2], [0, 1]]),
    ("columns_negative_dim", lambda lib, x: lib.unique(x, dim=-1, return_inverse=True),
     [[1, 0, 1, 1], [2, 5, 2, 0]]),
    ("empty", lambda lib, x: lib.unique(x, return_counts=True), np.zeros((0, 2))),
    ("empty_rows", lambda lib, x: lib.unique(x, dim=0, return_inverse=True, return_counts=True), np.zeros((0, 2))),
    ("bools", lambda lib, x: lib.unique(x), [True, False, True]),
    ("consecutive", lambda lib, x: lib.unique_consecutive(x, return_inverse=True, return_counts=True),
     [[1, 1, 2], [2, 3, 1]]),
    ("consecutive_rows", lambda lib, x: x.unique_consecutive(dim=0, return_counts=True),
     [[1, 2], [1, 2], [0, 1], [1, 2]]),
    ("consecutive_columns", lambda lib, x: lib.unique_consecutive(x, return_inverse=True, dim=1),
     [[1, 1, 0, 0], [2, 2, 5, 4]]),
]


@pytest.mark.parametrize("name, call, data", UNIQUE, ids=[c[0] for c in UNIQUE])
def test_unique_matches_torch(name, call, data, device):
    ours, theirs = call(tg, tg.tensor(data, device=device)), call(torch, torch.tensor(data))
    ours, theirs = (ours, theirs) if isinstance(theirs, tuple) else ((ours,), (theirs,))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert str(a.dtype) == str(b.dtype).removeprefix("torch.") and a.device == device
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_unique_results_are_not_differentiable():
    x = tg.tensor([2.0, 1.0, 2.0], requires_grad=True)
    values, counts = tg.unique(x, return_counts=True)
    assert not values.requires_grad and not counts.requires_grad


# ---- bad input: clear errors that name the op and the shapes --------------------------------------

ERRORS = [
    ("vstack_shapes", lambda: tg.vstack([tg.zeros(3), tg.zeros(2)]), ShapeError, r"vstack: .*\(1, 3\) and \(1, 2\)"),
    ("hstack_empty", lambda: tg.hstack([]), TypeError, "hstack"),
    ("hstack_one_tensor", lambda: tg.hstack(tg.zeros(2)), TypeError, "hstack: .*single Tensor"),
    ("column_stack_rows", lambda: tg.column_stack([tg.zeros(3), tg.zeros(2, 1)]), ShapeError,
     r"column_stack: .*\(3, 1\)"),
    ("dstack_shapes", lambda: tg.dstack([tg.zeros(2, 2), tg.zeros(3, 2)]), ShapeError, "dstack"),
    ("diagonal_1d", lambda: tg.zeros(3).diagonal(), ShapeError, r"diagonal: .*\(3,\)"),
    ("diagonal_same_dims", lambda: tg.zeros(3, 3).diagonal(0, 1, -1), ShapeError, "diagonal: dim1 and dim2"),
    ("diagonal_dim_range", lambda: tg.zeros(3, 3).diagonal(0, 0, 2), IndexError, "diagonal: dim 2"),
    ("diagonal_float_offset", lambda: tg.zeros(3, 3).diagonal(1.0), TypeError, "diagonal: the offset"),
    ("diag_3d", lambda: tg.diag(tg.zeros(2, 2, 2)), ShapeError, r"diag: .*\(2, 2, 2\)"),
    ("diag_embed_0d", lambda: tg.diag_embed(tg.tensor(1.0)), ShapeError, "diag_embed"),
    ("trace_3d", lambda: tg.trace(tg.zeros(2, 2, 2)), ShapeError, r"trace: .*\(2, 2, 2\)"),
    ("diff_0d", lambda: tg.diff(tg.tensor(1.0)), ShapeError, "diff: .*0-d"),
    ("diff_negative_n", lambda: tg.diff(tg.zeros(3), n=-1), ValueError, "diff: n"),
    ("diff_prepend_shape", lambda: tg.diff(tg.zeros(2, 3), prepend=tg.zeros(3)), ShapeError,
     r"diff: prepend of shape \(3,\)"),
    ("diff_append_type", lambda: tg.diff(tg.zeros(3), append=[1.0]), TypeError, "diff: append"),
    ("tensordot_sizes", lambda: tg.tensordot(tg.zeros(2, 3), tg.zeros(4, 5), 1), ShapeError,
     r"tensordot: dim 1 of a \(2, 3\).*\(4, 5\)"),
    ("tensordot_too_many", lambda: tg.tensordot(tg.zeros(2), tg.zeros(2), 2), ShapeError, "tensordot: dims=2"),
    ("tensordot_unpaired", lambda: tg.tensordot(tg.zeros(2, 3), tg.zeros(3, 2), ([0, 1], [1])), ShapeError,
     "tensordot"),
    ("tensordot_dtypes", lambda: tg.tensordot(tg.zeros(2), tg.zeros(2, dtype=tg.float64), 1), DTypeError,
     "tensordot"),
    ("take_range", lambda: tg.take(tg.zeros(2, 3), tg.tensor([6])), IndexError, r"take: index 6 .*\(2, 3\)"),
    ("take_index_device", lambda: tg.take(tg.zeros(3, device="strict"), tg.tensor([1])), RuntimeError,
     "take: index is on cpu but input is on strict"),
    ("take_float_index", lambda: tg.take(tg.zeros(3), tg.tensor([1.0])), DTypeError, "take: index"),
    ("kron_not_tensor", lambda: tg.kron(tg.zeros(2), [1.0]), TypeError, "kron"),
    ("cross_size", lambda: tg.cross(tg.zeros(4, 2), tg.zeros(4, 2), dim=1), ShapeError, r"cross: dim 1 .*\(4, 2\)"),
    ("cross_no_dim_of_3", lambda: tg.cross(tg.zeros(4, 2), tg.zeros(4, 2)), ShapeError, "cross: no dim of size 3"),
    ("cross_broadcast", lambda: tg.cross(tg.zeros(2, 3), tg.zeros(4, 3), dim=1), ShapeError, r"cross: .*\(2, 3\)"),
    ("linalg_cross_ndim", lambda: tg.linalg.cross(tg.zeros(4, 3), tg.zeros(3)), ShapeError, "linalg.cross"),
    ("dist_integer", lambda: tg.dist(tg.tensor([1, 2]), tg.tensor([0, 0])), DTypeError, "dist: .*int64"),
    ("cdist_features", lambda: tg.cdist(tg.zeros(2, 3), tg.zeros(2, 4)), ShapeError, r"cdist: .*\(2, 3\).*\(2, 4\)"),
    ("cdist_1d", lambda: tg.cdist(tg.zeros(3), tg.zeros(2, 3)), ShapeError, "cdist: .*at least 2 dims"),
    ("cdist_batch", lambda: tg.cdist(tg.zeros(2, 1, 3), tg.zeros(3, 1, 3)), ShapeError, "cdist: the batch dims"),
    ("cdist_negative_p", lambda: tg.cdist(tg.zeros(1, 3), tg.zeros(1, 3), -1.0), ValueError, "cdist: p"),
    ("median_empty_dim", lambda: tg.median(tg.zeros(2, 0), 1), IndexError, "median: .*dim 1"),
    ("median_dim_range", lambda: tg.median(tg.zeros(2, 3), 2), IndexError, "median: dim 2"),
    ("unique_0d_dim", lambda: tg.unique(tg.tensor(1.0), dim=0), ShapeError, "unique"),
    ("unique_empty_slices", lambda: tg.unique(tg.zeros(2, 0), dim=0), ShapeError, r"unique: .*\(2, 0\)"),
    ("unique_dim_range", lambda: tg.unique(tg.zeros(2, 3), dim=3), IndexError, "unique: dim 3"),
    ("vector_norm_integer", lambda: tg.linalg.vector_norm(tg.tensor([3, 4])), DTypeError, "linalg.vector_norm"),
    ("matrix_norm_1d", lambda: tg.linalg.matrix_norm(tg.zeros(3)), ShapeError, r"linalg.matrix_norm: .*\(3,\)"),
    ("matrix_norm_nuclear", lambda: tg.linalg.matrix_norm(tg.zeros(2, 2), "nuc"), NotImplementedError,
     "linalg.matrix_norm: .*singular values"),
    ("matrix_norm_bad_ord", lambda: tg.linalg.matrix_norm(tg.zeros(2, 2), 3), ValueError, "linalg.matrix_norm: ord"),
    ("norm_3d_with_ord", lambda: tg.linalg.norm(tg.zeros(2, 2, 2), 1), ShapeError, r"linalg.norm: .*\(2, 2, 2\)"),
    ("norm_fro_of_vector_dim", lambda: tg.linalg.norm(tg.zeros(3), "fro", 0), ValueError, "linalg.norm"),
]


@pytest.mark.parametrize("name, call, error, match", ERRORS, ids=[c[0] for c in ERRORS])
def test_bad_input_is_a_clear_error(name, call, error, match):
    with pytest.raises(error, match=match):
        call()
