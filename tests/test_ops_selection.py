"""Selection ops against PyTorch: gather and the scatters, index_select, index_add, take_along_dim,
masks (masked_fill, masked_select), triangles (tril, triu), one_hot, nonzero and argwhere."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu.errors import DTypeError, ShapeError

OPS_TESTED_HERE = ("gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
                   "take_along_dim", "masked_fill", "masked_select", "tril", "triu", "one_hot", "nonzero",
                   "argwhere", "index_fill", "masked_fill_", "index_fill_", "scatter_", "scatter_add_")


def on(like, data, dtype=None):
    """The same index (or mask) data in the framework and on the device of `like`."""
    if isinstance(like, torch.Tensor):
        return torch.tensor(data, dtype=dtype)
    return tg.tensor(data, device=like.device, dtype=dtype)


def same(fn):
    """The same code runs on both frameworks (their method names and signatures agree)."""
    return fn, fn


REPEATED = [[0, 2, 2, 1], [1, 1, 0, 0]]           # positions along dim 1 of a (2, 3), some read twice
MASK = [[True, False, True]]                       # broadcasts over (2, 3)
TIES_X = np.array([[1.0, 5.0, 3.0], [2.0, 2.0, 7.0]])
TIES_SRC = np.array([[5.0, 2.0, 5.0, 3.0], [2.0, 7.0, 1.0, 2.0]])   # with REPEATED: amax and amin tie
ZEROS_X = np.array([[0.0, 2.0, 3.0], [1.5, 0.0, 0.5]])
ZEROS_SRC = np.array([[4.0, 0.0, 5.0, 0.0], [0.0, 2.0, 3.0, 0.0]])  # one zero, two zeros, none at a place

CASES = [
    ("gather_repeated_positions", *same(lambda x: x.gather(1, on(x, REPEATED))), [(2, 3)]),
    ("gather_dim0_smaller_index", *same(lambda x: x.gather(0, on(x, [[1, 0]]))), [(2, 3)]),
    ("gather_negative_dim_3d", *same(lambda x: x.gather(-2, on(x, [[[2, 0]], [[1, 1]]]))), [(2, 3, 2)]),
    ("gather_0d", *same(lambda x: x.gather(0, on(x, 0))), [()]),
    ("gather_empty_index", *same(lambda x: x.gather(1, on(x, np.zeros((2, 0), dtype=np.int64)))), [(2, 3)]),
    ("gather_int32_index", *same(lambda x: x.gather(1, on(x, REPEATED, dtype=torch.int32 if isinstance(
        x, torch.Tensor) else tg.int32))), [(2, 3)]),
    ("gather_of_product", *same(lambda x: (x * x).gather(1, on(x, REPEATED)) * x.gather(1, on(x, REPEATED))),
     [(2, 3)]),
    ("scatter_add_repeated_positions", *same(lambda x, s: x.scatter_add(1, on(x, REPEATED), s)), [(2, 3), (2, 4)]),
    ("scatter_add_negative_dim", *same(lambda x, s: x.scatter_add(-2, on(x, [[1, 0, 1]]), s)), [(2, 3), (1, 3)]),
    ("scatter_add_of_products", *same(lambda x, s: (x * x).scatter_add(1, on(x, REPEATED), s * s) * x[:, :1]),
     [(2, 3), (2, 4)]),
    ("scatter_src", *same(lambda x, s: x.scatter(1, on(x, [[0, 2], [1, 0]]), s)), [(2, 3), (2, 2)]),
    ("scatter_src_keyword_and_negative_dim", *same(lambda x, s: x.scatter(-1, on(x, [[2], [0]]), src=s)),
     [(2, 3), (2, 1)]),
    ("scatter_value", *same(lambda x: x.scatter(0, on(x, [[1, 0, 1]]), 2.5)), [(2, 3)]),
    ("scatter_value_keyword", *same(lambda x: x.scatter(1, on(x, [[1], [2]]), value=-1.0)), [(2, 3)]),
    ("scatter_of_product", *same(lambda x, s: (x * x).scatter(1, on(x, [[1], [2]]), s * x[:, :1])),
     [(2, 3), (2, 1)]),
    ("index_select_repeated", *same(lambda x: x.index_select(-1, on(x, [2, 0, 2]))), [(2, 3)]),
    ("index_select_dim0_3d", *same(lambda x: x.index_select(0, on(x, [1, 1]))), [(2, 3, 2)]),
    ("index_select_0d_index", *same(lambda x: x.index_select(1, on(x, 1))), [(2, 3)]),
    ("index_select_empty", *same(lambda x: x.index_select(0, on(x, np.zeros(0, dtype=np.int64)))), [(2, 3)]),
    ("index_add_repeated_alpha", *same(lambda x, s: x.index_add(0, on(x, [1, 1, 0]), s, alpha=2.0)),
     [(2, 3), (3, 3)]),
    ("index_add_negative_dim", *same(lambda x, s: x.index_add(-1, on(x, [2, 2]), s)), [(2, 3), (2, 2)]),
    ("index_add_of_products", *same(lambda x, s: (x * x).index_add(1, on(x, [0, 0]), s * s)), [(2, 3), (2, 2)]),
    ("take_along_dim_broadcast_negative", lambda x: tg.take_along_dim(x, on(x, [[[0, -1]]]), 2),
     lambda x: torch.take_along_dim(x, torch.tensor([[[0, -1]]]), 2), [(3, 1, 4)]),
    ("take_along_dim_flat", lambda x: tg.take_along_dim(x, on(x, [5, 0, 5])),
     lambda x: torch.take_along_dim(x, torch.tensor([5, 0, 5])), [(2, 3)]),
    ("take_along_dim_argmax_style", lambda x: tg.take_along_dim(x, on(x, [[1], [0]]), dim=1),
     lambda x: torch.take_along_dim(x, torch.tensor([[1], [0]]), dim=1), [(2, 3)]),
    ("masked_fill_number", *same(lambda x: x.masked_fill(on(x, MASK), 2.5)), [(2, 3)]),
    ("masked_fill_minus_inf_then_softmax", *same(lambda x: x.masked_fill(on(x, [[False, True, True]]),
                                                                          float("-inf")).softmax(-1)), [(2, 3)]),
    ("masked_fill_0d_tensor_value", *same(lambda x, v: x.masked_fill(on(x, MASK), v * v)), [(2, 3), ()]),
    ("masked_fill_mask_wider_than_input", *same(lambda x: x.masked_fill(on(x, [[True], [False]]), 1.0)), [(3,)]),
    ("masked_fill_function", lambda x: tg.masked_fill(x, on(x, MASK), 0.0),
     lambda x: torch.masked_fill(x, torch.tensor(MASK), 0.0), [(2, 3)]),
    ("index_fill_negative_and_repeated", *same(lambda x: x.index_fill(1, on(x, [-1, 0, 0]), -2.0)), [(2, 3)]),
    ("index_fill_0d_tensor_value", lambda x, v: tg.index_fill(x, 0, on(x, [1]), v * 3.0),
     lambda x, v: torch.index_fill(x, 0, torch.tensor([1]), v * 3.0), [(2, 3), ()]),
    ("masked_select_broadcast", *same(lambda x: x.masked_select(on(x, [[True, False, True], [False, False, True]]))),
     [(3,)]),
    ("masked_select_same_shape", lambda x: tg.masked_select(x * x, on(x, [[True, False, True], [True, False, False]])),
     lambda x: torch.masked_select(x * x, torch.tensor([[True, False, True], [True, False, False]])), [(2, 3)]),
    ("tril", *same(lambda x: x.tril()), [(3, 3)]),
    ("tril_wide_negative_diagonal", *same(lambda x: x.tril(-1)), [(2, 4)]),
    ("triu_tall_diagonal_keyword", *same(lambda x: x.triu(diagonal=1)), [(4, 2)]),
    ("triu_batch", lambda x: tg.triu(x, 2), lambda x: torch.triu(x, 2), [(2, 3, 5)]),
    ("tril_of_exp_times_triu", *same(lambda x: x.exp().tril() * x.triu(-1)), [(3, 3)]),
]
SPECIAL_INPUTS = {"amax": ("_ties", [TIES_X, TIES_SRC]), "amin": ("_ties", [TIES_X, TIES_SRC]),
                  "prod": ("_zeros", [ZEROS_X, ZEROS_SRC])}
REDUCE_CASES = []
for reduce in ("sum", "mean", "amax", "amin", "prod"):
    for include_self in (True, False):
        scatter_reduce = same(lambda x, s, r=reduce, i=include_self:
                              x.scatter_reduce(1, on(x, REPEATED), s, r, include_self=i))
        name = f"scatter_reduce_{reduce}_{'with' if include_self else 'without'}_self"
        REDUCE_CASES.append((name, *scatter_reduce, [(2, 3), (2, 4)]))
        if reduce in SPECIAL_INPUTS and (include_self or reduce == "prod"):   # amax without self: see below
            suffix, inputs = SPECIAL_INPUTS[reduce]
            REDUCE_CASES.append((name + suffix, *scatter_reduce, inputs))
REDUCE_CASES.append(("scatter_reduce_via_scatter_reduce_add",
                     lambda x, s: x.scatter(1, on(x, REPEATED), s, reduce="add"),
                     lambda x, s: x.scatter_reduce(1, torch.tensor(REPEATED), s, "sum"), [(2, 3), (2, 4)]))
ALL = CASES + REDUCE_CASES


@pytest.mark.parametrize("name, ours, theirs, shapes", ALL, ids=[c[0] for c in ALL])
def test_selection_op_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


SMOOTH = [c for c in ALL if not c[0].endswith(("_ties", "_zeros")) and "minus_inf" not in c[0]]


@pytest.mark.parametrize("name, ours, theirs, shapes", SMOOTH, ids=[c[0] for c in SMOOTH])
def test_selection_op_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


@pytest.mark.parametrize("op", ["scatter", "scatter_add"])
def test_scatter_with_src_larger_than_index_uses_its_leading_block(op, device):
    # PyTorch computes this forward but its backward refuses the shapes, so the gradient is
    # checked by finite differences (src outside the leading block gets 0).
    index = [[1, 0], [2, 2]] if op == "scatter_add" else [[1, 0], [2, 1]]
    ours = lambda x, s: getattr(x, op)(1, tg.tensor(index, device=x.device), s)
    x, s = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4) + 10
    expected = getattr(torch.tensor(x), op)(1, torch.tensor(index), torch.tensor(s))
    np.testing.assert_array_equal(ours(tg.tensor(x, device=device), tg.tensor(s, device=device)).numpy(),
                                  expected.numpy())
    finite_difference_check(ours, [(2, 3), (3, 4)])


@pytest.mark.parametrize("reduce", ["amax", "amin"])
def test_amax_without_self_gives_the_gradient_only_to_the_elements_that_took_part(reduce, device):
    # Here x's value at a place src goes to equals the result there but took no part in it.
    # PyTorch still counts it among the ties and hands src only half of the gradient; the true
    # derivative (this point is differentiable) is the whole of it, which finite differences confirm.
    x, src = tg.tensor(TIES_X, device=device), tg.tensor(TIES_SRC, device=device, requires_grad=True)
    index = tg.tensor(REPEATED, device=device)
    out = x.scatter_reduce(1, index, src, reduce, include_self=False)
    expected = torch.tensor(TIES_X).scatter_reduce(1, torch.tensor(REPEATED), torch.tensor(TIES_SRC), reduce,
                                                   include_self=False)
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    out.sum().backward()
    assert src.grad.sum().item() == 5.0   # each of the 5 places src went to passes on its whole gradient
    finite_difference_check(lambda x, s: x.scatter_reduce(1, tg.tensor(REPEATED), s, reduce, include_self=False),
                            [TIES_X, TIES_SRC])


def test_gather_and_scatter_add_gradients_add_up_at_repeated_positions(device):
    x = tg.zeros(4, device=device, requires_grad=True)
    x.gather(0, tg.tensor([3, 3, 3, 0], device=device)).sum().backward()
    theirs = torch.zeros(4, requires_grad=True)
    theirs.gather(0, torch.tensor([3, 3, 3, 0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), theirs.grad.numpy())
    assert x.grad.tolist() == [1.0, 0.0, 0.0, 3.0]


def test_integer_and_bool_dtypes_follow_torch(device):
    ints = np.array([[4, -3, 7], [1, 0, -8]])
    index = [[0, 0, 1, 0], [2, 2, 2, 1]]
    src = np.array([[-3, 2, 5, 1], [-2, -2, 9, 0]])
    cases = [
        lambda t, m: t(ints).gather(1, m(index)),
        lambda t, m: t(ints).scatter_add(1, m(index), t(src)),
        lambda t, m: t(ints).scatter_reduce(1, m(index), t(src), "mean"),   # PyTorch rounds down
        lambda t, m: t(ints).scatter_reduce(1, m(index), t(src), "mean", include_self=False),
        lambda t, m: t(ints).scatter_reduce(1, m(index), t(src), "amax", include_self=False),
        lambda t, m: t(ints).scatter_reduce(1, m(index), t(src), "amin", include_self=False),
        lambda t, m: t(ints).scatter_reduce(1, m(index), t(src), "prod"),
        lambda t, m: t(ints > 0).scatter_reduce(1, m(index), t(src > 0), "amax", include_self=False),
        lambda t, m: t(ints).masked_fill(m([[True, False, True]]), 2.7),   # cast as PyTorch: 2
        lambda t, m: t(ints > 0).masked_fill(m([[True, False, True]]), 0),
        lambda t, m: t(ints).scatter(1, m([[1], [0]]), 9.9),
        lambda t, m: t(ints > 0).tril(1),
        lambda t, m: t(ints).triu(),
        lambda t, m: t(ints).index_select(1, m([2, 2])),
        lambda t, m: t(ints).masked_select(m([[True, False, True]])),
        lambda t, m: t(ints.astype(np.float32)).scatter_reduce(1, m(index), t(src.astype(np.float32)), "mean"),
        lambda t, m: t(ints.astype(np.float32)).index_fill(0, m([1]), 7),
    ]
    for i, case in enumerate(cases):
        ours = case(lambda a: tg.tensor(a, device=device), lambda a: tg.tensor(a, device=device))
        theirs = case(torch.tensor, torch.tensor)
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), f"case {i}"
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=f"case {i}")


def test_masked_fill_gives_the_value_tensor_the_gradient_of_the_filled_places(device):
    x = tg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    v = tg.tensor(0.5, dtype=tg.float64, device=device, requires_grad=True)
    y = x.masked_fill(tg.tensor([True, False, True], device=device), v)
    assert y.dtype == tg.float32   # the value takes x's dtype, as in PyTorch
    (y * tg.tensor([10.0, 20.0, 30.0], device=device)).sum().backward()
    assert v.grad.item() == 40.0 and v.grad.dtype == tg.float64
    assert x.grad.tolist() == [0.0, 20.0, 0.0]


@pytest.mark.parametrize("data, num_classes", [([[1, 0], [3, 1]], -1), ([2, 0], 5), (2, 4),
                                                (np.zeros(0, dtype=np.int64), 3)],
                         ids=["infer", "given", "0d", "empty"])
def test_one_hot_matches_torch(data, num_classes, device):
    ours = F.one_hot(tg.tensor(data, device=device), num_classes)
    theirs = TF.one_hot(torch.tensor(data), num_classes)
    assert ours.dtype == tg.int64 and ours.device == device and not ours.requires_grad
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("data", [[[0, 1.5], [-2, 0]], [0, 0], [[[True, False]], [[True, True]]], 3.0, 0],
                         ids=["2d", "none", "3d_bool", "0d", "0d_zero"])
def test_nonzero_and_argwhere_match_torch(data, device):
    ours, theirs = tg.tensor(data, device=device), torch.tensor(data)
    for got, expected in [(ours.nonzero(), theirs.nonzero()), (tg.argwhere(ours), torch.argwhere(theirs)),
                          (tg.nonzero(ours), torch.nonzero(theirs))]:
        assert got.dtype == tg.int64 and got.shape == tuple(expected.shape)
        np.testing.assert_array_equal(got.numpy(), expected.numpy())
    got, expected = ours.nonzero(as_tuple=True), theirs.nonzero(as_tuple=True)
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g.numpy(), e.numpy())


def test_an_index_changed_in_place_after_gather_stops_backward(device):
    x = tg.ones(2, 3, device=device, requires_grad=True)
    index = tg.tensor([[0, 1], [2, 2]], device=device)
    y = x.gather(1, index)
    index.add_(-1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_index_tensors_must_live_on_the_inputs_device():
    x = tg.ones(2, 3, device="strict")
    with pytest.raises(RuntimeError, match="gather: expected all tensors on one device"):
        x.gather(1, tg.tensor([[0], [1]]))
    with pytest.raises(RuntimeError, match="masked_fill: mask is on cpu but input is on strict"):
        x.masked_fill(tg.tensor([True, False, True]), 1.0)


x23 = tg.zeros(2, 3)
ERRORS = [
    ("gather_float_index", lambda: x23.gather(1, tg.tensor([[0.0]])), DTypeError,
     r"gather: expected index of dtype int64"),
    ("gather_list_index", lambda: x23.gather(1, [[0]]), TypeError, r"gather: index must be a Tensor"),
    ("gather_out_of_range", lambda: x23.gather(1, tg.tensor([[3]])), IndexError,
     r"gather: index 3 is out of bounds for dim 1 of size 3 \(input of shape \(2, 3\)\)"),
    ("gather_negative", lambda: x23.gather(1, tg.tensor([[-1]])), IndexError, r"gather: index -1 is out of bounds"),
    ("gather_ndim", lambda: x23.gather(1, tg.tensor([0, 1])), ShapeError,
     r"gather: index must have as many dims as input, got index of shape \(2,\) and input of shape \(2, 3\)"),
    ("gather_index_too_big", lambda: x23.gather(1, tg.zeros(3, 1, dtype=tg.int64)), ShapeError,
     r"gather: index of shape \(3, 1\) must be no larger than input of shape \(2, 3\) apart from dim 1"),
    ("gather_bad_dim", lambda: x23.gather(2, tg.tensor([[0]])), IndexError, r"gather: dim 2 is out of range"),
    ("scatter_src_dtype", lambda: x23.scatter(1, tg.tensor([[0]]), tg.ones(1, 1, dtype=tg.float64)), DTypeError,
     r"scatter: expected src of the dtype of input, float32, got float64"),
    ("scatter_src_too_small", lambda: x23.scatter_add(1, tg.tensor([[0, 1]]), tg.ones(1, 1)), ShapeError,
     r"scatter_add: index of shape \(1, 2\) must be no larger than src of shape \(1, 1\)"),
    ("scatter_src_and_value", lambda: x23.scatter(1, tg.tensor([[0]]), tg.ones(1, 1), value=1.0), TypeError,
     r"scatter: give exactly one of src"),
    ("scatter_bad_reduce", lambda: x23.scatter(1, tg.tensor([[0]]), tg.ones(1, 1), reduce="max"), ValueError,
     r"scatter: reduce must be 'add' or 'multiply'"),
    ("scatter_reduce_bad_reduce", lambda: x23.scatter_reduce(1, tg.tensor([[0]]), tg.ones(1, 1), "max"), ValueError,
     r"scatter_reduce: reduce must be one of 'sum', 'mean', 'prod', 'amax', 'amin', got 'max'"),
    ("index_select_2d_index", lambda: x23.index_select(1, tg.tensor([[0]])), ShapeError,
     r"index_select: index must be a vector"),
    ("index_select_negative", lambda: x23.index_select(1, tg.tensor([-1])), IndexError,
     r"index_select: index -1 is out of bounds for dim 1 of size 3"),
    ("index_add_wrong_source", lambda: x23.index_add(1, tg.tensor([0]), tg.ones(2, 2)), ShapeError,
     r"index_add: source of shape \(2, 2\) does not fit: expected \(2, 1\)"),
    ("take_along_dim_ndim", lambda: tg.take_along_dim(x23, tg.tensor([0, 1]), 1), ShapeError,
     r"take_along_dim: input and indices must have as many dims"),
    ("masked_fill_uint8_mask", lambda: x23.masked_fill(tg.tensor([1, 0, 1], dtype=tg.uint8), 1.0), DTypeError,
     r"masked_fill: expected a mask of dtype bool, got uint8"),
    ("masked_fill_mask_shape", lambda: x23.masked_fill(tg.tensor([True, False]), 1.0), ShapeError,
     r"masked_fill: the mask of shape \(2,\) does not broadcast with input of shape \(2, 3\)"),
    ("masked_fill_1d_value", lambda: x23.masked_fill(tg.tensor([True, False, True]), tg.ones(1)), ShapeError,
     r"masked_fill: value must be a number or a 0-d tensor, got a tensor of shape \(1,\)"),
    ("masked_fill_text_value", lambda: x23.masked_fill(tg.tensor([True, False, True]), "a"), TypeError,
     r"masked_fill: value must be a number or a 0-d tensor, got str"),
    ("masked_fill_inf_into_int", lambda: tg.zeros(3, dtype=tg.int64).masked_fill(tg.tensor([True] * 3), float("inf")),
     ValueError, r"masked_fill: value inf cannot be converted to int64"),
    ("tril_1d", lambda: tg.zeros(3).tril(), ShapeError, r"tril: input must have at least 2 dims, got shape \(3,\)"),
    ("triu_float_diagonal", lambda: x23.triu(0.5), TypeError, r"triu: diagonal must be an int"),
    ("one_hot_int32", lambda: F.one_hot(tg.tensor([1], dtype=tg.int32)), DTypeError,
     r"one_hot: expected class values of dtype int64, got int32"),
    ("one_hot_negative", lambda: F.one_hot(tg.tensor([-1, 2])), ValueError,
     r"one_hot: class values must be non-negative"),
    ("one_hot_too_big", lambda: F.one_hot(tg.tensor([3]), 3), ValueError,
     r"one_hot: class values must be smaller than num_classes=3, got 3"),
    ("one_hot_empty", lambda: F.one_hot(tg.zeros(0, dtype=tg.int64)), ValueError, r"one_hot: cannot infer"),
]


@pytest.mark.parametrize("name, bad, error, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_arguments_raise_clear_errors_naming_the_op(name, bad, error, message):
    with pytest.raises(error, match=message):
        bad()


def test_one_hot_is_functional_only_as_in_torch():
    assert not hasattr(tg.Tensor, "one_hot") and not hasattr(tg, "one_hot")
    assert F.one_hot(tg.tensor([0, 1])).tolist() == TF.one_hot(torch.tensor([0, 1])).tolist()


# ---- the in-place forms (ops/inplace.py) ------------------------------------------------------

IN_PLACE = [
    ("masked_fill_", lambda x, v: (x * 1.0).masked_fill_(on(x, MASK), v * v), [(2, 3), ()]),
    ("index_fill_", lambda x, v: (x * 1.0).index_fill_(-1, on(x, [2, 2]), v), [(2, 3), ()]),
    ("scatter_", lambda x, s: (x * 1.0).scatter_(1, on(x, [[2], [0]]), s * x[:, :1]), [(2, 3), (2, 1)]),
    ("scatter_value_", lambda x, s: (x * s).scatter_(0, on(x, [[1, 0, 1]]), value=0.5), [(2, 3), (3,)]),
    ("scatter_add_", lambda x, s: (x * 1.0).scatter_add_(1, on(x, REPEATED), s), [(2, 3), (2, 4)]),
]


@pytest.mark.parametrize("name, fn, shapes", IN_PLACE, ids=[c[0] for c in IN_PLACE])
def test_in_place_forms_are_recorded_and_match_torch(name, fn, shapes, device):
    check_against_torch(fn, fn, shapes, device=device, double=True)


@pytest.mark.parametrize("name, fn, shapes", IN_PLACE, ids=[c[0] for c in IN_PLACE])
def test_in_place_forms_change_plain_tensors_without_recording(name, fn, shapes, device):
    arrays = [np.arange(float(np.prod(s))).reshape(s) + 1 for s in shapes]
    ours = fn(*[tg.tensor(a, device=device) for a in arrays])   # the tensor changed in place, returned
    theirs = fn(*[torch.tensor(a) for a in arrays])
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours._version == theirs._version == 1 and ours.grad_fn is None


def test_in_place_forms_refuse_bad_input_and_leave_the_tensor_as_it_was(device):
    x = tg.tensor([[1.0, 2.0, 3.0]], device=device)
    before = x.numpy().copy()
    for bad, error in [(lambda: x.scatter_(1, tg.tensor([[3]], device=device), 0.0), IndexError),
                       (lambda: x.scatter_add_(1, tg.tensor([[0]], device=device), tg.ones(1, 1, dtype=tg.float64,
                                                                                        device=device)), DTypeError),
                       (lambda: x.masked_fill_(tg.tensor([[True], [False]], device=device), 0.0), ShapeError),
                       (lambda: x.index_fill_(1, tg.tensor([5], device=device), 0.0), IndexError)]:
        with pytest.raises(error):
            bad()
        np.testing.assert_array_equal(x.numpy(), before)
        assert x._version == 0


def test_in_place_forms_refuse_a_leaf_that_requires_grad(device):
    w = tg.ones(2, 3, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="masked_fill_: a leaf tensor that requires grad"):
        w.masked_fill_(tg.tensor([True, False, True], device=device), 0.0)
    with tg.no_grad():   # as in an optimizer step
        w.masked_fill_(tg.tensor([True, False, True], device=device), 0.0)
    assert w.tolist() == [[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]]
