"""Comparisons and logic (ops/logic.py) against PyTorch: values, dtypes, broadcasting, errors.

None of these ops is differentiable: each case also checks that the result stays outside the
graph when an input requires grad.
"""
from __future__ import annotations

import operator

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu.errors import DTypeError, ShapeError

OPS_TESTED_HERE = ("eq", "ne", "lt", "le", "gt", "ge", "isnan", "isinf", "isposinf", "isneginf", "isfinite",
                   "isclose", "allclose", "equal", "logical_and", "logical_or", "logical_xor", "logical_not",
                   "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
                   "bitwise_right_shift", "rlshift", "rrshift", "any", "all")

SPECIAL = [1.5, -2.0, 0.0, float("nan"), float("inf"), -float("inf")]


def both(data, dtype=None, device="cpu", requires_grad=False):
    """The same values as our tensor and as torch's."""
    ours = tg.tensor(data, dtype=getattr(tg, dtype) if dtype else None, device=device, requires_grad=requires_grad)
    return ours, torch.tensor(data, dtype=getattr(torch, dtype) if dtype else None)


def assert_same(ours, theirs, what=""):
    assert isinstance(ours, tg.Tensor), what
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), f"{what}: {ours.dtype} != {theirs.dtype}"
    assert ours.shape == tuple(theirs.shape), f"{what}: {ours.shape} != {tuple(theirs.shape)}"
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=what)
    assert not ours.requires_grad and ours.grad_fn is None, f"{what}: a logic result must stay out of the graph"


# ---- comparisons -------------------------------------------------------------------------------

COMPARISONS = [("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt), ("le", operator.le),
               ("gt", operator.gt), ("ge", operator.ge)]
ALIASES = {"ne": "not_equal", "lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal"}


@pytest.mark.parametrize("name, op", COMPARISONS, ids=[n for n, _ in COMPARISONS])
def test_comparisons_match_torch_with_broadcasting_numbers_and_promotion(name, op, device):
    a, ta = both([[1.0, 2.0, float("nan")], [3.0, -1.0, 2.0]], device=device, requires_grad=True)
    b, tb = both([2.0, 2.0, float("nan")], device=device)
    i, ti = both([[2], [3]], device=device)
    assert_same(op(a, b), op(ta.detach(), tb), f"{name} broadcast")
    assert_same(getattr(tg, name)(a, b), getattr(torch, name)(ta.detach(), tb), f"tg.{name}")
    assert_same(getattr(a, name)(i), getattr(ta.detach(), name)(ti), f"{name} float with int64")
    assert_same(op(i, 2.5), op(ti, 2.5), f"{name} int64 with a float")
    assert_same(op(2, a), op(2, ta.detach()), f"{name} with the number on the left")
    assert_same(op(a, np.array([2.0, 1.0, 0.0])), op(ta.detach(), torch.tensor([2.0, 1.0, 0.0])), f"{name} ndarray")
    if name in ALIASES:
        assert_same(getattr(tg, ALIASES[name])(a, b), getattr(torch, ALIASES[name])(ta.detach(), tb), ALIASES[name])
        assert_same(getattr(a, ALIASES[name])(b), op(ta.detach(), tb), f"Tensor.{ALIASES[name]}")


def test_comparisons_of_0d_and_empty_tensors_match_torch(device):
    z, tz = both(3.0, device=device)
    e, te = both(np.zeros((0, 3)), device=device)
    assert_same(z == 3, tz == 3, "0-d")
    assert_same(e < z, te < tz, "empty with 0-d")


def test_comparison_of_shapes_that_do_not_broadcast_names_the_op_and_shapes(device):
    with pytest.raises(ShapeError, match=r"^less: shapes \(2, 3\) and \(4,\) cannot be broadcast together"):
        tg.ones(2, 3, device=device) < tg.ones(4, device=device)
    with pytest.raises(ShapeError, match=r"^eq: shapes \(2,\) and \(3,\)"):
        tg.eq(tg.ones(2, device=device), tg.ones(3, device=device))


# ---- special values ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["isnan", "isinf", "isposinf", "isneginf", "isfinite"])
def test_special_value_tests_match_torch_for_floats_integers_and_bools(name, device):
    for data, dtype in [(SPECIAL, "float32"), (SPECIAL, "float64"), ([1, -2, 0], "int64"), ([True, False], "bool"),
                        (np.zeros((2, 0)), "float32")]:
        ours, theirs = both(data, dtype, device)
        assert_same(getattr(tg, name)(ours), getattr(torch, name)(theirs), f"{name} {dtype}")
        assert_same(getattr(ours, name)(), getattr(torch, name)(theirs), f"Tensor.{name} {dtype}")


# ---- closeness and equality ----------------------------------------------------------------------

def test_isclose_matches_torch_with_tolerances_infinities_and_nan(device):
    a, ta = both([1.0, 1.0001, float("nan"), float("inf"), float("inf"), 1.0, 0.0], "float64", device)
    b, tb = both([1.0, 1.0, float("nan"), float("inf"), -float("inf"), float("inf"), 1e-9], "float64", device)
    for options in [{}, {"equal_nan": True}, {"rtol": 0.0, "atol": 1e-3}, {"rtol": 1e-3, "atol": 0.0}]:
        assert_same(tg.isclose(a, b, **options), torch.isclose(ta, tb, **options), str(options))
        assert tg.allclose(a[:2], b[:2], **options) is torch.allclose(ta[:2], tb[:2], **options)
    assert_same(a.isclose(b[0]), ta.isclose(tb[0]), "broadcast against a 0-d tensor")
    i, ti = both([1, 2, 3], device=device)
    assert_same(tg.isclose(i, i + 1, atol=1), torch.isclose(ti, ti + 1, atol=1), "int64")
    assert tg.allclose(i, i) is True and tg.allclose(a, b) is False and a.allclose(a, equal_nan=True) is True


def test_isclose_refuses_what_torch_refuses_with_clear_messages(device):
    x = tg.ones(3, device=device)
    with pytest.raises(RuntimeError):
        torch.isclose(torch.ones(3), torch.ones(3, dtype=torch.int64))
    with pytest.raises(DTypeError, match="^isclose: input is float32 but other is int64"):
        tg.isclose(x, tg.ones(3, dtype=tg.int64, device=device))
    with pytest.raises(ValueError, match="^isclose: rtol must be greater than or equal to zero, but got -1"):
        tg.isclose(x, x, rtol=-1)
    with pytest.raises(ValueError, match="^isclose: atol must be greater than or equal to zero, but got nan"):
        tg.isclose(x, x, atol=float("nan"))
    with pytest.raises(ShapeError, match=r"^isclose: shapes \(3,\) and \(2,\)"):
        tg.allclose(x, tg.ones(2, device=device))


def test_equal_is_a_python_bool_like_torch_equal(device):
    cases = [([1, 2], [1.0, 2.0]), ([1, 2], [[1, 2]]), ([1.0, float("nan")], [1.0, float("nan")]), ([1, 2], [1, 3]),
             ([], [])]
    for left, right in cases:
        a, ta = both(left, device=device)
        b, tb = both(right, device=device)
        assert tg.equal(a, b) is torch.equal(ta, tb), (left, right)
        assert a.equal(b) is torch.equal(ta, tb)
    with pytest.raises(TypeError, match="^equal: other must be a Tensor, got list"):
        tg.equal(a, [1, 2])


# ---- logical ops -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_ops_give_bool_for_any_dtypes_and_broadcast_like_torch(name, device):
    f, tf = both([[0.0, 2.5, float("nan")], [-1.0, 0.0, 0.0]], device=device)
    i, ti = both([3, 0, 0], device=device)
    m, tm = both([[True], [False]], device=device)
    for (a, ta), (b, tb) in [((f, tf), (i, ti)), ((i, ti), (m, tm)), ((m, tm), (m, tm)), ((f, tf), (f, tf))]:
        assert_same(getattr(tg, name)(a, b), getattr(torch, name)(ta, tb), f"{name} {a.dtype} {b.dtype}")
        assert_same(getattr(a, name)(b), getattr(ta, name)(tb), f"Tensor.{name}")


def test_logical_not_matches_torch(device):
    for data in [[0.0, 1.5, float("nan")], [0, 3], [True, False], 0.0]:
        ours, theirs = both(data, device=device)
        assert_same(tg.logical_not(ours), torch.logical_not(theirs), str(data))
        assert_same(ours.logical_not(), theirs.logical_not(), str(data))


# ---- bitwise ops -------------------------------------------------------------------------------

BITWISE = [("bitwise_and", operator.and_), ("bitwise_or", operator.or_), ("bitwise_xor", operator.xor)]


@pytest.mark.parametrize("name, op", BITWISE, ids=[n for n, _ in BITWISE])
def test_bitwise_ops_and_operators_match_torch_on_integers_and_bools(name, op, device):
    i, ti = both([[12, -7, 0], [5, 255, -1]], device=device)
    j, tj = both([10, 3, -2], "int32", device)
    u, tu = both([200, 7, 1], "uint8", device)
    m, tm = both([True, False, True], device=device)
    n, tn = both([[False], [True]], device=device)
    pairs = [((i, ti), (j, tj)), ((u, tu), (m, tm)), ((m, tm), (n, tn)), ((i, ti), (m, tm)), ((u, tu), (u, tu))]
    for (a, ta), (b, tb) in pairs:
        assert_same(op(a, b), op(ta, tb), f"{a.dtype} {name} {b.dtype}")
        assert_same(getattr(tg, name)(a, b), getattr(torch, name)(ta, tb), f"tg.{name}")
    for number in (6, True, False):   # a Python int or bool on either side (__rand__, __ror__, __rxor__)
        for t, tt in [(i, ti), (m, tm), (u, tu)]:
            assert_same(op(t, number), op(tt, number), f"{t.dtype} {name} {number!r}")
            assert_same(op(number, t), op(number, tt), f"{number!r} {name} {t.dtype}")


@pytest.mark.parametrize("name, op", BITWISE, ids=[n for n, _ in BITWISE])
def test_bitwise_ops_refuse_floats_naming_the_op_and_dtype(name, op, device):
    f = tg.ones(3, device=device)
    with pytest.raises(RuntimeError):
        op(torch.ones(3), 1)
    with pytest.raises(DTypeError, match=f"^{name}: only integer and bool tensors support it, got float32"):
        op(f, 1)
    with pytest.raises(DTypeError, match=f"^{name}: only integer and bool tensors support it, got float32"):
        op(tg.tensor([1, 2], device=device), 1.5)   # the number makes it a float op, as in PyTorch
    with pytest.raises(ShapeError, match=rf"^{name}: shapes \(2,\) and \(3,\)"):
        op(tg.tensor([1, 2], device=device), tg.tensor([1, 2, 3], device=device))


def test_bitwise_not_and_invert_match_torch_and_refuse_floats(device):
    for data, dtype in [([0, 5, -6], "int64"), ([True, False], "bool"), ([0, 7, 255], "uint8"), ([3], "int16")]:
        ours, theirs = both(data, dtype, device)
        assert_same(~ours, ~theirs, f"~ {dtype}")
        assert_same(tg.bitwise_not(ours), torch.bitwise_not(theirs), f"bitwise_not {dtype}")
    with pytest.raises(DTypeError, match="invert: ~ is only implemented on integer and bool tensors, got float64"):
        ~tg.ones(2, dtype=tg.float64, device=device)


def test_shifts_and_their_operators_match_torch_also_past_the_width(device):
    i, ti = both([[1, -8, 5, 100], [-1, 0, 3, 7]], device=device)
    s, ts = both([0, 1, 3, 70], device=device)
    n, tn = both([1, -1, 2, 64], device=device)
    small, tsmall = both([1, 3, 200], "uint8", device)
    assert_same(i << s, ti << ts, "<< with amounts past 64")
    assert_same(i >> s, ti >> ts, ">> with amounts past 64")
    assert_same(i >> n, ti >> tn, ">> by negative amounts")
    assert_same(tg.bitwise_left_shift(i, 2), torch.bitwise_left_shift(ti, 2), "tg.bitwise_left_shift")
    assert_same(i.bitwise_right_shift(1), ti.bitwise_right_shift(1), "Tensor.bitwise_right_shift")
    assert_same(small << 3, tsmall << 3, "uint8 overflows to its width")
    assert_same(small >> 9, tsmall >> 9, "uint8 shifted out")
    assert_same(tg.tensor([True, False], device=device) << 2, torch.tensor([True, False]) << 2, "bool << int")


def test_rlshift_and_rrshift_put_the_number_on_the_left(device):
    s, ts = both([0, 1, 5], device=device)
    assert_same(1 << s, 1 << ts, "1 << tensor")
    assert_same(256 >> s, 256 >> ts, "256 >> tensor")
    assert tg.Tensor.__rlshift__ is tg.ops.registry.OPS["rlshift"].function
    with pytest.raises(DTypeError, match="^bitwise_left_shift: only integer and bool tensors support it, got float32"):
        tg.ones(2, device=device) << 1


# ---- any and all -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["any", "all"])
def test_any_and_all_take_dims_and_keepdim_like_torch(name, device):
    data = np.array([[[0.0, 1.0], [2.0, 3.0]], [[0.0, 0.0], [float("nan"), 5.0]], [[1.0, 1.0], [1.0, 1.0]]])
    for dtype in ["float32", "int64", "bool", "uint8"]:
        values = data if dtype == "float32" else np.nan_to_num(data, nan=7.0).astype(dtype)
        ours, theirs = both(values, dtype, device)
        assert_same(getattr(ours, name)(), getattr(theirs, name)(), f"{name} {dtype}")
        assert_same(getattr(tg, name)(ours), getattr(torch, name)(theirs), f"tg.{name} {dtype}")
        for dim in [0, -1, 1, (0, 2), (-1, 0)]:
            for keepdim in [False, True]:
                assert_same(getattr(ours, name)(dim, keepdim), getattr(theirs, name)(dim, keepdim),
                            f"{name}({dim}, keepdim={keepdim}) {dtype}")
        assert_same(getattr(ours, name)(dim=1, keepdim=True), getattr(theirs, name)(dim=1, keepdim=True), "keywords")
    empty, tempty = both(np.zeros((0, 3)), device=device)
    assert_same(getattr(empty, name)(), getattr(tempty, name)(), f"{name} of an empty tensor")
    assert_same(getattr(empty, name)(0), getattr(tempty, name)(0), f"{name} over an empty dim")
    z, tz = both(2.0, device=device)
    assert_same(getattr(z, name)(0), getattr(tz, name)(0), f"{name} of a 0-d tensor")


def test_any_and_all_reject_bad_dims_like_the_other_reductions(device):
    x = tg.ones(2, 3, device=device)
    with pytest.raises(IndexError, match=r"^any: dim 2 is out of range for a tensor with 2 dimensions"):
        x.any(2)
    with pytest.raises(ShapeError, match=r"^all: dim 0 appears multiple times"):
        x.all((0, -2))
    with pytest.raises(TypeError, match="^all: dim must be an int or a tuple of ints, got float"):
        x.all(1.0)
