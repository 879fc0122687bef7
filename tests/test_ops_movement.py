"""Movement operations against PyTorch: reshaping, reordering, padding and joining
(indexing is in test_indexing.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor
from tinygrad_edu.ops.movement import pad


def same(fn):
    """The same code runs on both frameworks (their method names agree)."""
    return fn, fn


CASES = [
    ("reshape", *same(lambda x: x.reshape(3, 2)), [(2, 3)]),
    ("reshape_tuple_and_minus_one", *same(lambda x: x.reshape((-1, 4))), [(2, 2, 4)]),
    ("reshape_to_0d", *same(lambda x: x.reshape(())), [(1, 1)]),
    ("reshape_from_0d", *same(lambda x: x.reshape(1, 1)), [()]),
    ("view", *same(lambda x: x.view(6)), [(2, 3)]),
    ("flatten", *same(lambda x: x.flatten()), [(2, 3, 2)]),
    ("flatten_from_dim1", *same(lambda x: x.flatten(1)), [(2, 3, 2)]),
    ("flatten_middle", *same(lambda x: x.flatten(1, 2)), [(2, 3, 2, 2)]),
    ("flatten_0d", *same(lambda x: x.flatten()), [()]),
    ("transpose", *same(lambda x: x.transpose(0, 1)), [(2, 3)]),
    ("transpose_negative_dims", *same(lambda x: x.transpose(-1, 0)), [(2, 3, 4)]),
    ("T", *same(lambda x: x.T), [(2, 3)]),
    ("mT", *same(lambda x: x.mT), [(2, 3, 4)]),
    ("permute", *same(lambda x: x.permute(2, 0, 1)), [(2, 3, 4)]),
    ("permute_tuple", *same(lambda x: x.permute((1, 0, 2))), [(2, 3, 4)]),
    ("squeeze_all", *same(lambda x: x.squeeze()), [(1, 3, 1)]),
    ("squeeze_dim", *same(lambda x: x.squeeze(2)), [(1, 3, 1)]),
    ("squeeze_negative_dim", *same(lambda x: x.squeeze(-3)), [(1, 3, 1)]),
    ("squeeze_dim_not_one_is_a_no_op", *same(lambda x: x.squeeze(1)), [(1, 3, 1)]),
    ("squeeze_dim_tuple", *same(lambda x: x.squeeze((0, 2))), [(1, 3, 1)]),
    ("unsqueeze", *same(lambda x: x.unsqueeze(1)), [(2, 3)]),
    ("unsqueeze_end", *same(lambda x: x.unsqueeze(-1)), [(2, 3)]),
    ("unsqueeze_0d", *same(lambda x: x.unsqueeze(0)), [()]),
    ("expand", *same(lambda x: x.expand(2, 3, 4)), [(3, 1)]),
    ("expand_minus_one", *same(lambda x: x.expand(-1, 5)), [(3, 1)]),
    ("expand_0d", *same(lambda x: x.expand(2, 2)), [()]),
    ("expand_tuple", *same(lambda x: x.expand((4, 2))), [(2,)]),
    ("expand_as", *same(lambda x, y: x.expand_as(y) * y), [(1, 3), (2, 3)]),
    ("pad_last_dim", lambda x: pad(x, (1, 2)), lambda x: TF.pad(x, (1, 2)), [(2, 3)]),
    ("pad_two_dims", lambda x: pad(x, (1, 0, 0, 2)), lambda x: TF.pad(x, (1, 0, 0, 2)), [(2, 3)]),
    ("pad_all_dims_of_4d", lambda x: pad(x, (1, 1, 2, 0, 0, 1, 1, 0)),
     lambda x: TF.pad(x, (1, 1, 2, 0, 0, 1, 1, 0)), [(1, 2, 2, 3)]),
    ("pad_value", lambda x: pad(x, (2, 1), value=-3.5), lambda x: TF.pad(x, (2, 1), value=-3.5), [(2, 2)]),
    ("pad_nothing", lambda x: pad(x, (0, 0)), lambda x: TF.pad(x, (0, 0)), [(2, 2)]),
    ("pad_of_square", lambda x: pad(x * x, (1, 1)), lambda x: TF.pad(x * x, (1, 1)), [(2, 2)]),
    ("pad_negative_crops", lambda x: pad(x, (-1, 2, 1, -2)), lambda x: TF.pad(x, (-1, 2, 1, -2)), [(2, 4, 3)]),
    *[(f"pad_{mode}_{name}", lambda x, m=mode, p=widths: pad(x, p, mode=m) ** 2,
       lambda x, m=mode, p=widths: TF.pad(x, p, mode=m) ** 2, [shape])
      for mode in ("reflect", "replicate", "circular")
      for name, shape, widths in [("1d_unbatched", (2, 4), (3, 1)), ("1d", (2, 2, 5), (1, 4)),
                                  ("2d", (1, 2, 3, 4), (2, 0, 1, 2)), ("2d_unbatched", (2, 3, 3), (1, 1, 2, 2)),
                                  ("3d", (1, 1, 3, 3, 4), (1, 2, 1, 0, 2, 1)), ("negative", (2, 5), (-1, 2))]
      if not (mode == "reflect" and max(widths) >= min(shape[-len(widths) // 2:]))],
    ("cat_dim0", lambda a, b: tg.cat([a, b]), lambda a, b: torch.cat([a, b]), [(2, 3), (1, 3)]),
    ("cat_dim1", lambda a, b: tg.cat([a, b], 1), lambda a, b: torch.cat([a, b], 1), [(2, 3), (2, 1)]),
    ("cat_negative_dim", lambda a, b, c: tg.cat((a, b, c), dim=-1), lambda a, b, c: torch.cat((a, b, c), dim=-1),
     [(2, 1, 2), (2, 1, 3), (2, 1, 1)]),
    ("cat_one_tensor", lambda a: tg.cat([a]), lambda a: torch.cat([a]), [(2, 3)]),
    ("cat_same_tensor_twice", lambda a: tg.cat([a, a * a]), lambda a: torch.cat([a, a * a]), [(2,)]),
    ("stack_dim0", lambda a, b: tg.stack([a, b]), lambda a, b: torch.stack([a, b]), [(2, 3), (2, 3)]),
    ("stack_last_dim", lambda a, b: tg.stack([a, b], dim=-1), lambda a, b: torch.stack([a, b], dim=-1),
     [(2, 3), (2, 3)]),
    ("stack_0d", lambda a, b: tg.stack([a, b]), lambda a, b: torch.stack([a, b]), [(), ()]),
    ("stack_of_products", lambda a, b: tg.stack([a * b, a], 1), lambda a, b: torch.stack([a * b, a], 1),
     [(3,), (3,)]),
    ("reshape_of_square", *same(lambda x: (x * x).reshape(-1)), [(2, 2)]),
    ("permute_of_square", *same(lambda x: (x * x).permute(1, 0) * x.T), [(2, 3)]),
    ("expand_of_square", *same(lambda x: (x * x).expand(3, 2) * x), [(2,)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_movement_op_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_movement_op_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


def test_cat_promotes_dtypes_like_torch(device):
    a = Tensor(np.ones(2, dtype=np.float32), device=device)
    b = Tensor(np.ones(1, dtype=np.float64), device=device)
    n = Tensor([1, 2], device=device)
    assert tg.cat([a, b]).dtype == tg.float64
    assert tg.cat([n, a]).dtype == tg.float32
    assert tg.cat([n, n]).dtype == tg.int64


def test_stack_and_cat_keep_float32_gradients(device):
    a = tg.ones(2, device=device, requires_grad=True)
    b = tg.ones(2, device=device, requires_grad=True)
    (tg.stack([a, b * 3.0]).sum() + tg.cat([a, b]).sum()).backward()
    assert a.grad.tolist() == [2.0, 2.0] and b.grad.tolist() == [4.0, 4.0]
    assert a.grad.dtype == tg.float32


def test_expand_shares_the_gradient_as_a_sum_over_the_copies(device):
    x = Tensor([[1.0], [2.0]], device=device, requires_grad=True)
    x.expand(3, 2, 4).sum().backward()
    assert x.grad.tolist() == [[12.0], [12.0]]


def test_transpose_and_permute_of_0d_and_1d_tensors_are_identities(device):
    v = Tensor([1.0, 2.0], device=device)
    assert v.T.tolist() == [1.0, 2.0]
    assert Tensor(5.0, device=device).T.item() == 5.0
    assert v.transpose(0, -1).tolist() == [1.0, 2.0]
    assert Tensor(5.0, device=device).transpose(0, -1).item() == 5.0


def test_shape_errors_of_reshape_permute_expand_cat_are_value_and_runtime_errors():
    from tinygrad_edu.errors import ShapeError
    x = tg.zeros(2, 3)
    for bad in (lambda: x.reshape(4, 2), lambda: x.permute(0, 0), lambda: x.expand(3, 3),
                lambda: tg.cat([x, tg.zeros(2, 2)], dim=0)):
        with pytest.raises(ShapeError) as error:
            bad()
        assert isinstance(error.value, ValueError) and isinstance(error.value, RuntimeError)


def test_a_shape_that_is_not_ints_names_the_op_and_an_integer_tensor_counts_as_an_int():
    x = tg.zeros(2, 3)
    with pytest.raises(TypeError, match=r"reshape: a shape must be a sequence of ints, got \(str\)"):
        x.reshape("a")
    assert x.reshape(tg.tensor(3), 2).shape == (3, 2)
    with pytest.raises(TypeError, match=r"reshape: a shape must be a sequence of ints, got \(Tensor, int\)"):
        x.reshape(tg.tensor(3.0), 2)
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        range(tg.tensor([1, 2]))


# ---- pad: PyTorch's rules on modes and widths --------------------------------------------

@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_of_an_integer_tensor_keeps_its_dtype_like_torch(mode, device):
    x = np.arange(12).reshape(1, 3, 4)
    ours = pad(Tensor(x, device=device), (2, 1, 1, 0), mode=mode)
    theirs = TF.pad(torch.tensor(x), (2, 1, 1, 0), mode=mode)
    assert ours.dtype == tg.int64
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes_that_copy_pad_only_the_dims_after_a_channel_dim(mode):
    with pytest.raises(NotImplementedError, match=rf"pad: mode='{mode}' pads the last 1, 2 or 3 dims .* got 2 values "
                                                  r"for an input of shape \(1, 1, 2, 3\)"):
        pad(tg.randn(1, 1, 2, 3), (1, 1), mode=mode)
    with pytest.raises(NotImplementedError, match=r"got 4 values for an input of shape \(2, 3\)"):
        pad(tg.randn(2, 3), (1, 1, 1, 1), mode=mode)
    with pytest.raises(ValueError, match=rf"pad: mode='{mode}' copies the input's own elements and takes no value"):
        pad(tg.randn(2, 3), (1, 1), mode=mode, value=1.0)


def test_pad_reflect_and_circular_refuse_widths_their_input_cannot_fill():
    with pytest.raises(ValueError, match=r"pad: mode='reflect' needs padding smaller than the dim it pads, got "
                                         r"\(3, 0\) for dim 1 of size 3 \(input \(2, 3\)\)"):
        pad(tg.randn(2, 3), (3, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"pad: mode='circular' pads at most the dim's size .* got \(4, 0\) "
                                         r"for dim 1 of size 3"):
        pad(tg.randn(2, 3), (4, 0), mode="circular")
    with pytest.raises(ValueError, match=r"pad: padding \(-2, -1\) leaves nothing to copy from dim 1 of size 3"):
        pad(tg.randn(2, 3), (-2, -1), mode="replicate")
    with pytest.raises(ValueError, match=r"pad: padding \(-3, -1\) crops more than dim 1 of size 3 holds"):
        pad(tg.randn(2, 3), (-3, -1))
    assert pad(tg.randn(2, 3), (-2, -1)).shape == TF.pad(torch.randn(2, 3), (-2, -1)).shape == (2, 0)


def test_pad_rejects_odd_or_too_long_widths_and_unknown_modes():
    with pytest.raises(ValueError, match=r"pad: expected an even number of at most 4 values for a tensor of shape "
                                         r"\(2, 3\), got \(1,\)"):
        pad(tg.randn(2, 3), (1,))
    with pytest.raises(ValueError, match="pad: expected an even number of at most 4 values"):
        pad(tg.randn(2, 3), (1, 1, 1, 1, 1, 1))
    with pytest.raises(NotImplementedError, match="pad: mode must be one of 'constant', 'reflect', 'replicate', "
                                                  "'circular', got 'wrap'"):
        pad(tg.randn(2, 3), (1, 1), mode="wrap")
    with pytest.raises(TypeError, match=r"pad: pad must be a tuple of ints, got \(1.5, 1\)"):
        pad(tg.randn(2, 3), (1.5, 1))


def test_pad_through_nn_functional_and_torch_keyword_names():
    x = np.random.default_rng(0).standard_normal((1, 2, 3, 4))
    ours = tg.nn.functional.pad(input=Tensor(x), pad=[1, 2, 2, 1], mode="reflect")
    np.testing.assert_allclose(ours.numpy(), TF.pad(torch.tensor(x), pad=[1, 2, 2, 1], mode="reflect").numpy())
