"""Shaping ops against PyTorch: split, chunk, unbind, narrow, flip, fliplr, flipud, roll, repeat, tile,
repeat_interleave, view_as, reshape_as, unflatten, movedim/moveaxis, swapaxes, swapdims, meshgrid."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu.errors import DTypeError, ShapeError

OPS_TESTED_HERE = ("split", "chunk", "unbind", "narrow", "flip", "fliplr", "flipud", "roll", "repeat", "tile",
                   "repeat_interleave", "view_as", "reshape_as", "unflatten", "movedim", "swapaxes", "swapdims",
                   "meshgrid")


def lib(x):
    """The framework `x` belongs to, so that one lambda runs on both."""
    return torch if isinstance(x, torch.Tensor) else tg


def joined(pieces, dim=0):
    """The pieces back in one tensor, each scaled by its number: the order and the sizes of the
    pieces show in the values, and each piece's gradient in the gradient."""
    return lib(pieces[0]).cat([p * (i + 1.0) for i, p in enumerate(pieces)], dim)


def stacked(pieces):
    return lib(pieces[0]).stack([p * (i + 1.0) for i, p in enumerate(pieces)])


def same(fn):
    return fn, fn


CASES = [
    ("split_size", *same(lambda x: joined(x.split(2))), [(5, 3)]),
    ("split_size_dim_keyword", *same(lambda x: joined(x.split(2, dim=-1), -1)), [(2, 5)]),
    ("split_sections", *same(lambda x: joined(x.split([1, 0, 4], 1), 1)), [(2, 5)]),
    ("split_function", lambda x: joined(tg.split(x, (3, 2))), lambda x: joined(torch.split(x, (3, 2))), [(5,)]),
    ("chunk_uneven", *same(lambda x: joined(x.chunk(3))), [(5, 2)]),
    ("chunk_fewer_pieces", *same(lambda x: joined(x.chunk(4, 1), 1)), [(2, 5)]),
    ("chunk_function", lambda x: joined(tg.chunk(x, 2, -1), -1), lambda x: joined(torch.chunk(x, 2, -1), -1),
     [(3, 4)]),
    ("unbind", *same(lambda x: stacked(x.unbind())), [(3, 2)]),
    ("unbind_last_dim", *same(lambda x: stacked(x.unbind(-1))), [(2, 3, 2)]),
    ("narrow", *same(lambda x: x.narrow(1, 1, 2)), [(2, 4)]),
    ("narrow_negative_start", *same(lambda x: x.narrow(-2, -2, 2)), [(3, 2)]),
    ("narrow_empty", lambda x: tg.narrow(x, 0, 3, 0), lambda x: torch.narrow(x, 0, 3, 0), [(3, 2)]),
    ("flip", *same(lambda x: x.flip(0)), [(3, 2)]),
    ("flip_several_dims", *same(lambda x: x.flip(0, -1)), [(2, 3, 4)]),
    ("flip_dims_tuple", lambda x: tg.flip(x, dims=(1,)), lambda x: torch.flip(x, dims=(1,)), [(2, 3)]),
    ("flip_0d", *same(lambda x: x.flip(())), [()]),
    ("flip_of_square", *same(lambda x: (x * x).flip(1) * x), [(2, 3)]),
    ("fliplr", *same(lambda x: x.fliplr()), [(2, 3, 2)]),
    ("flipud", *same(lambda x: x.flipud()), [(3,)]),
    ("roll", *same(lambda x: x.roll(1, 0)), [(3, 2)]),
    ("roll_several", *same(lambda x: x.roll((-1, 5), (1, 0))), [(2, 3)]),
    ("roll_flattened", *same(lambda x: x.roll(4)), [(2, 3)]),
    ("roll_function_keywords", lambda x: tg.roll(x, shifts=2, dims=-1), lambda x: torch.roll(x, shifts=2, dims=-1),
     [(2, 3)]),
    ("roll_of_square", *same(lambda x: (x * x).roll(1) * x), [(4,)]),
    ("repeat", *same(lambda x: x.repeat(2, 3)), [(2, 3)]),
    ("repeat_new_dims", *same(lambda x: x.repeat((2, 1, 3))), [(2,)]),
    ("repeat_zero", *same(lambda x: x.repeat(0, 2)), [(2, 3)]),
    ("repeat_0d", *same(lambda x: x.repeat(3)), [()]),
    ("repeat_of_square", *same(lambda x: (x * x).repeat(2, 1) * x.repeat(2, 1)), [(2, 3)]),
    ("tile_fewer_dims", *same(lambda x: x.tile((2,))), [(2, 3)]),
    ("tile_function", lambda x: tg.tile(x, (2, 1, 2)), lambda x: torch.tile(x, (2, 1, 2)), [(2, 3)]),
    ("repeat_interleave_flat", *same(lambda x: x.repeat_interleave(2)), [(2, 3)]),
    ("repeat_interleave_dim", *same(lambda x: x.repeat_interleave(3, dim=-1)), [(2, 2)]),
    ("repeat_interleave_counts", lambda x: x.repeat_interleave(tg.tensor([2, 0, 1], device=x.device), dim=1),
     lambda x: x.repeat_interleave(torch.tensor([2, 0, 1]), dim=1), [(2, 3)]),
    ("repeat_interleave_of_square", *same(lambda x: (x * x).repeat_interleave(2, 0) * x.repeat_interleave(2, 0)),
     [(2, 3)]),
    ("view_as", *same(lambda x: x.view_as(x.reshape(3, 2))), [(2, 3)]),
    ("reshape_as", lambda x: x.T.reshape_as(tg.zeros(6)), lambda x: x.T.reshape_as(torch.zeros(6)), [(2, 3)]),
    ("unflatten", *same(lambda x: x.unflatten(1, (2, -1))), [(2, 6)]),
    ("unflatten_negative_dim", lambda x: tg.unflatten(x, -1, (3, 1, 2)),
     lambda x: torch.unflatten(x, -1, (3, 1, 2)), [(2, 6)]),
    ("movedim", *same(lambda x: x.movedim(0, -1)), [(2, 3, 4)]),
    ("movedim_tuples", *same(lambda x: x.movedim((0, -1), (-1, 0))), [(2, 3, 4)]),
    ("moveaxis", lambda x: tg.moveaxis(x, 1, 0), lambda x: torch.moveaxis(x, 1, 0), [(2, 3, 4)]),
    ("swapaxes", *same(lambda x: x.swapaxes(axis0=0, axis1=-1)), [(2, 3, 4)]),
    ("swapdims", *same(lambda x: x.swapdims(dim0=1, dim1=0)), [(2, 3)]),
    ("meshgrid_ij", lambda a, b: stacked(tg.meshgrid(a, b, indexing="ij")),
     lambda a, b: stacked(torch.meshgrid(a, b, indexing="ij")), [(2,), (3,)]),
    ("meshgrid_xy_three", lambda a, b, c: stacked(tg.meshgrid([a, b, c], indexing="xy")),
     lambda a, b, c: stacked(torch.meshgrid([a, b, c], indexing="xy")), [(2,), (3,), (4,)]),
    ("meshgrid_0d", lambda a, b: stacked(tg.meshgrid(a, b, indexing="ij")),
     lambda a, b: stacked(torch.meshgrid(a, b, indexing="ij")), [(), (3,)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_shaping_op_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", CASES, ids=[c[0] for c in CASES])
def test_shaping_op_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


PIECES = [
    lambda x: x.split(2), lambda x: x.split([0, 5]), lambda x: x.split(5), lambda x: x.split(7, 1),
    lambda x: x.chunk(3), lambda x: x.chunk(4), lambda x: x.chunk(6), lambda x: x.unbind(1),
    lambda x: x[:0].split(2), lambda x: x[:0].split(0), lambda x: x[:0].chunk(2),
]


@pytest.mark.parametrize("i", range(len(PIECES)))
def test_split_chunk_and_unbind_give_the_pieces_torch_gives(i, device):
    data = np.arange(20.0).reshape(5, 4)
    ours, theirs = PIECES[i](tg.tensor(data, device=device)), PIECES[i](torch.tensor(data))
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert a.shape == tuple(b.shape)


def test_split_pieces_are_views_and_flip_is_a_copy_as_in_torch(device):
    x = tg.zeros(4, 2, device=device)
    top, _ = x.split(2)
    top += 1.0
    assert x.sum().item() == 4.0   # the piece shares x's memory
    flipped = x.flip(0)
    flipped += 1.0
    assert x.sum().item() == 4.0   # the flip does not


@pytest.mark.parametrize("fn", [lambda t, x: t.flip(x, (0, 1)), lambda t, x: x.roll(1, 1), lambda t, x: x.repeat(2, 1),
                                lambda t, x: x.tile(2), lambda t, x: x.repeat_interleave(2, 0),
                                lambda t, x: t.stack(t.meshgrid(x[0], x[1], indexing="xy"))],
                         ids=["flip", "roll", "repeat", "tile", "repeat_interleave", "meshgrid"])
def test_integer_and_bool_tensors_keep_their_dtype(fn, device):
    data = np.array([[3, -1, 4], [1, 5, -9]])
    for made in (data, data > 0):
        ours, theirs = fn(tg, tg.tensor(made, device=device)), fn(torch, torch.tensor(made))
        assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_repeat_interleave_of_counts_alone_and_output_size_match_torch(device):
    counts = [1, 0, 3]
    assert tg.repeat_interleave(tg.tensor(counts, device=device)).tolist() == \
        torch.repeat_interleave(torch.tensor(counts)).tolist()
    assert tg.tensor([1, 2], device=device).repeat_interleave(2, output_size=4).tolist() == [1, 1, 2, 2]
    assert tg.tensor([1, 2], device=device).repeat_interleave(tg.tensor(3, device=device)).tolist() == \
        torch.tensor([1, 2]).repeat_interleave(torch.tensor(3)).tolist()


def test_repeat_interleave_adds_the_gradients_of_the_copies(device):
    x = tg.tensor([1.0, 2.0], device=device, requires_grad=True)
    x.repeat_interleave(tg.tensor([3, 1], device=device)).sum().backward()
    assert x.grad.tolist() == [3.0, 1.0]


x23 = tg.zeros(2, 3)
ERRORS = [
    ("split_0d", lambda: tg.tensor(1.0).split(1), ShapeError, r"split: expected a tensor with at least 1 dim"),
    ("split_sections_sum", lambda: x23.split([1, 2]), ShapeError,
     r"split: section sizes \[1, 2\] must be non-negative and add up to 2, the size of dim 0"),
    ("split_zero", lambda: x23.split(0), ValueError, r"split: split_size must be positive"),
    ("split_float", lambda: x23.split(1.5), TypeError, r"split: split_size must be an int, got float"),
    ("chunk_zero", lambda: x23.chunk(0), ValueError, r"chunk: chunks must be positive, got 0"),
    ("unbind_0d", lambda: tg.tensor(1.0).unbind(), ShapeError, r"unbind: expected a tensor with at least 1 dim"),
    ("narrow_too_long", lambda: x23.narrow(1, 2, 2), ShapeError,
     r"narrow: start \(2\) \+ length \(2\) must lie within dim 1 of size 3"),
    ("narrow_bad_start", lambda: x23.narrow(1, -4, 1), IndexError, r"narrow: start -4 is out of range for dim 1"),
    ("flip_repeated_dim", lambda: x23.flip(0, -2), ShapeError, r"flip: dim 0 appears multiple times"),
    ("flip_bad_dim", lambda: x23.flip(2), IndexError, r"flip: dim 2 is out of range"),
    ("fliplr_1d", lambda: tg.zeros(3).fliplr(), ShapeError, r"fliplr: input must have at least 2 dims"),
    ("flipud_0d", lambda: tg.tensor(1.0).flipud(), ShapeError, r"flipud: expected a tensor with at least 1 dim"),
    ("roll_no_dims_two_shifts", lambda: x23.roll((1, 2)), ValueError, r"roll: without dims, give one shift"),
    ("roll_lengths", lambda: x23.roll((1, 2), 0), ValueError, r"roll: shifts \(1, 2\) and dims \(0,\) must have"),
    ("repeat_fewer", lambda: x23.repeat(2), ShapeError, r"repeat: 1 repeat counts \(2,\) are fewer than the 2 dims"),
    ("repeat_negative", lambda: x23.repeat(-1, 2), ValueError, r"repeat: repeat counts must be non-negative"),
    ("repeat_nothing", lambda: x23.repeat(), TypeError, r"repeat: give the number of repeats"),
    ("repeat_interleave_negative", lambda: x23.repeat_interleave(-1), ValueError,
     r"repeat_interleave: repeats must be non-negative, got -1"),
    ("repeat_interleave_counts", lambda: x23.repeat_interleave(tg.tensor([1, 2]), dim=1), ShapeError,
     r"repeat_interleave: 2 repeat counts for a dim of size 3"),
    ("repeat_interleave_float_counts", lambda: x23.repeat_interleave(tg.tensor([1.0])), DTypeError,
     r"repeat_interleave: repeats must be an integer tensor, got float32"),
    ("repeat_interleave_output_size", lambda: x23.repeat_interleave(2, output_size=3), ValueError,
     r"repeat_interleave: output_size 3 differs from the 12 elements made"),
    ("view_as_shape", lambda: x23.view_as(tg.zeros(4)), ShapeError, r"reshape: cannot reshape a tensor of shape"),
    ("view_as_not_tensor", lambda: x23.view_as((3, 2)), TypeError, r"view_as: other must be a Tensor, got tuple"),
    ("unflatten_sizes", lambda: x23.unflatten(1, (2, -1)), ShapeError,
     r"unflatten: sizes \[2, -1\] do not multiply up to 3, the size of dim 1"),
    ("unflatten_two_unknowns", lambda: x23.unflatten(1, (-1, -1)), ShapeError, r"unflatten: sizes \[-1, -1\]"),
    ("unflatten_0d", lambda: tg.tensor(3.0).unflatten(0, (1,)), ShapeError, r"unflatten: expected a tensor with"),
    ("unflatten_empty", lambda: x23.unflatten(1, ()), ValueError, r"unflatten: sizes must not be empty"),
    ("movedim_lengths", lambda: x23.movedim((0, 1), (0,)), ValueError,
     r"movedim: source \(0, 1\) and destination \(0,\) must name as many dims"),
    ("movedim_repeated", lambda: x23.movedim((0, 1), (1, -1)), ShapeError, r"movedim: dim 1 appears multiple times"),
    ("meshgrid_2d", lambda: tg.meshgrid(x23, tg.zeros(2)), ShapeError,
     r"meshgrid: expected 0-d or 1-d tensors, got one of shape \(2, 3\)"),
    ("meshgrid_dtypes", lambda: tg.meshgrid(tg.zeros(2), tg.arange(3)), DTypeError,
     r"meshgrid: expected tensors of one dtype on one device, got float32 on cpu and int64 on cpu"),
    ("meshgrid_indexing", lambda: tg.meshgrid(tg.zeros(2), indexing="yx"), ValueError,
     r"meshgrid: indexing must be 'ij' or 'xy', got 'yx'"),
    ("meshgrid_nothing", lambda: tg.meshgrid(), TypeError, r"meshgrid: expected one or more Tensors"),
]


@pytest.mark.parametrize("name, bad, error, message", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_arguments_raise_clear_errors_naming_the_op(name, bad, error, message):
    with pytest.raises(error, match=message):
        bad()


def test_method_only_ops_are_methods_as_in_torch():
    for name in ("repeat", "view_as", "reshape_as"):
        assert hasattr(tg.Tensor, name) and not hasattr(tg, name) and not hasattr(torch, name)
    assert hasattr(tg, "meshgrid") and not hasattr(tg.Tensor, "meshgrid")
