"""Bad input to an operation gives a clear exception that names the op and the offending
shapes, dtypes or devices, and leaves the user's tensors untouched."""
from __future__ import annotations

import traceback

import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.ops import losses
from tinygrad_edu.ops.movement import pad


@pytest.mark.parametrize("op, fn", [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("pow", lambda a, b: a ** b),
    ("maximum", lambda a, b: a.maximum(b)),
    ("minimum", lambda a, b: a.minimum(b)),
    ("where", lambda a, b: tg.where(a > 0, a, b)),
    ("less", lambda a, b: a < b),
])
def test_broadcasting_mismatch_names_the_op_and_both_shapes(op, fn, device):
    a, b = tg.ones(2, 3, device=device), tg.ones(4, device=device)
    with pytest.raises(ValueError, match=rf"^{op}: .*\(2, ?3\).*\(4,\)"):
        fn(a, b)


def test_matmul_with_mismatched_inner_dims_names_both_shapes(device):
    with pytest.raises(ValueError, match=r"matmul: shapes \(2, 3\) and \(2, 3\) do not fit"):
        tg.ones(2, 3, device=device) @ tg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=r"matmul: shapes \(3,\) and \(4,\) do not fit"):
        tg.ones(3, device=device) @ tg.ones(4, device=device)


def test_matmul_with_a_0d_operand_is_an_error(device):
    with pytest.raises(ValueError, match=r"matmul: both operands need at least 1 dimension, got shapes \(2, 3\) "
                                         r"and \(\)"):
        tg.ones(2, 3, device=device) @ Tensor(2.0, device=device)
    with pytest.raises(ValueError, match=r"matmul: .*got shapes \(\) and \(3,\)"):
        Tensor(2.0, device=device) @ tg.ones(3, device=device)


def test_matmul_with_batch_dims_that_do_not_broadcast_is_an_error(device):
    with pytest.raises(ValueError, match=r"matmul: batch dims of \(2, 2, 3\) and \(3, 3, 4\) cannot be broadcast"):
        tg.ones(2, 2, 3, device=device) @ tg.ones(3, 3, 4, device=device)


@pytest.mark.parametrize("shape", [(4,), (5, -1), (-1, -1), (7, 0)])
def test_reshape_to_a_wrong_size_names_both_shapes(shape, device):
    x = tg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) "
                                         r"into shape"):
        x.reshape(*shape)
    with pytest.raises(ValueError, match=r"reshape: .*\(2, 3\)"):
        x.view(shape)


@pytest.mark.parametrize("op, call", [
    ("sum", lambda x: x.sum(2)),
    ("sum", lambda x: x.sum((0, -3))),
    ("mean", lambda x: x.mean(axis=5)),
    ("max", lambda x: x.max(2)),
    ("min", lambda x: x.min(-3)),
    ("var", lambda x: x.var(2)),
    ("argmax", lambda x: x.argmax(2)),
    ("argmin", lambda x: x.argmin(-3)),
    ("transpose", lambda x: x.transpose(0, 2)),
    ("squeeze", lambda x: x.squeeze(2)),
    ("unsqueeze", lambda x: x.unsqueeze(4)),
    ("flatten", lambda x: x.flatten(3)),
    ("softmax", lambda x: x.softmax(2)),
    ("log_softmax", lambda x: x.log_softmax(-3)),
    ("cat", lambda x: tg.cat([x, x], 2)),
    ("stack", lambda x: tg.stack([x, x], 4)),
])
def test_dims_out_of_range_raise_index_error_naming_the_op(op, call, device):
    x = tg.ones(2, 3, device=device)
    with pytest.raises(IndexError, match=rf"^{op}: dim -?\d is out of range for a tensor with \d dimensions"):
        call(x)


def test_a_0d_tensor_accepts_dims_0_and_minus_1_only(device):
    x = Tensor(2.0, device=device)
    assert x.sum(0).item() == 2.0 and x.squeeze(-1).item() == 2.0 and x.softmax(0).item() == 1.0
    for call in (lambda: x.sum(1), lambda: x.squeeze(1), lambda: x.softmax(1)):
        with pytest.raises(IndexError, match=r"dim 1 is out of range for a tensor with 0 dimensions"):
            call()


def test_permute_with_dims_that_are_not_a_permutation_is_an_error(device):
    with pytest.raises(ValueError, match=r"permute: dims \(0, 0\) are not a permutation .* shape \(2, 3\)"):
        tg.ones(2, 3, device=device).permute(0, 0)


def test_argmax_over_several_dims_is_an_error():
    with pytest.raises(TypeError, match="argmax: dim must be a single int"):
        tg.ones(2, 3).argmax((0, 1))


def test_cat_with_mismatched_shapes_names_both_shapes(device):
    with pytest.raises(ValueError, match=r"cat: tensors must have the same shape except in dimension 0, "
                                         r"got \(2, 3\) and \(2, 4\)"):
        tg.cat([tg.ones(2, 3, device=device), tg.ones(2, 4, device=device)])
    with pytest.raises(ValueError, match=r"cat: .* got \(2, 3\) and \(3,\)"):
        tg.cat([tg.ones(2, 3, device=device), tg.ones(3, device=device)])


def test_cat_and_stack_need_a_non_empty_list_of_tensors():
    with pytest.raises(TypeError, match="cat: expected a non-empty sequence of Tensors"):
        tg.cat([])
    with pytest.raises(TypeError, match="stack: expected a non-empty sequence of Tensors"):
        tg.stack([tg.ones(2), [1.0, 2.0]])


def test_stack_with_mismatched_shapes_names_both_shapes(device):
    with pytest.raises(ValueError, match=r"stack: all tensors must have one shape, got \(2, 3\) and \(3, 2\)"):
        tg.stack([tg.ones(2, 3, device=device), tg.ones(3, 2, device=device)])


def test_expand_to_an_incompatible_shape_names_both_shapes(device):
    with pytest.raises(ValueError, match=r"expand: cannot expand shape \(2, 3\) to \(4, 3\)"):
        tg.ones(2, 3, device=device).expand(4, 3)
    with pytest.raises(ValueError, match=r"expand: cannot expand shape \(2, 3\) to \(3,\): fewer dimensions"):
        tg.ones(2, 3, device=device).expand(3)


def test_pad_with_bad_widths_or_mode_is_an_error(device):
    x = tg.ones(2, 3, device=device)
    with pytest.raises(ValueError, match=r"pad: expected an even number of at most 4 values .* \(2, 3\), got \(1,\)"):
        pad(x, (1,))
    with pytest.raises(NotImplementedError, match="pad: mode must be one of 'constant', 'reflect'"):
        pad(x, (1, 1), mode="bogus")
    assert pad(x, (-1, 1)).shape == (2, 3)   # a negative width crops, as in PyTorch


def test_a_float_tensor_used_as_an_index_is_an_error(device):
    x = tg.ones(3, device=device)
    with pytest.raises(IndexError, match="getitem: tensors used as indices must be integer or bool, got float32"):
        x[Tensor([0.0, 1.0], device=device)]
    with pytest.raises(IndexError, match="getitem: "):
        x[1.0]


@pytest.mark.parametrize("index", [5, [0, 5], (slice(None), [3]), (Ellipsis, [-5])])
def test_an_index_out_of_range_is_an_error_on_every_device(index, device):
    x = tg.ones(2, 3, device=device)
    with pytest.raises(IndexError, match=r"getitem: index -?\d is out of (range|bounds)"):
        x[index]


def test_too_many_indices_is_an_error():
    with pytest.raises(IndexError, match="getitem: too many indices"):
        tg.ones(2, 3)[0, 0, 0]


@pytest.mark.parametrize("targets, match", [
    ([0, 1, 1], r"cross_entropy: scores of shape \(2, 3\) need targets of shape \(2,\), got \(3,\)"),
    ([[0], [1]], r"cross_entropy: scores of shape \(2, 3\) need targets of shape \(2,\), got \(2, 1\)"),
], ids=["too-many", "column"])
def test_cross_entropy_with_integer_targets_of_the_wrong_shape(targets, match, device):
    with pytest.raises(ValueError, match=match):
        losses.cross_entropy(tg.ones(2, 3, device=device), Tensor(targets, device=device))


def test_cross_entropy_with_float_targets_of_the_wrong_shape(device):
    with pytest.raises(ValueError, match=r"cross_entropy: float targets are class probabilities and need the "
                                         r"input's shape \(2, 3\), got \(2,\)"):
        losses.cross_entropy(tg.ones(2, 3, device=device), Tensor([0.0, 1.0], device=device))


@pytest.mark.parametrize("bad", [3, -1])
def test_cross_entropy_and_nll_with_an_out_of_range_class(bad, device):
    x = tg.ones(2, 3, device=device)
    with pytest.raises(IndexError, match=rf"cross_entropy: target {bad} is out of range for 3 classes"):
        losses.cross_entropy(x, Tensor([0, bad], device=device))
    with pytest.raises(IndexError, match=rf"nll_loss: target {bad} is out of range for 3 classes"):
        losses.nll_loss(x, Tensor([bad, 0], device=device))


def test_cross_entropy_with_bool_targets_asks_for_integers():
    with pytest.raises(TypeError, match="cross_entropy: class targets must be integers \\(int64\\), got bool"):
        losses.cross_entropy(tg.ones(2, 3), Tensor([True, False]))


def test_binary_cross_entropy_with_inputs_outside_0_1_points_to_the_logits_version(device):
    with pytest.raises(ValueError, match=r"binary_cross_entropy: input must hold probabilities between 0 and 1, "
                                         r"but its values reach from -0.5 to 2; .*binary_cross_entropy_with_logits"):
        losses.binary_cross_entropy(Tensor([-0.5, 2.0], device=device), Tensor([0.0, 1.0], device=device))


@pytest.mark.parametrize("loss, target", [
    (losses.mse_loss, tg.ones(2, 3)),
    (losses.cross_entropy, Tensor([0, 1])),
    (losses.nll_loss, Tensor([0, 1])),
    (losses.binary_cross_entropy, tg.ones(2, 3)),
    (losses.binary_cross_entropy_with_logits, tg.ones(2, 3)),
], ids=["mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_a_bad_reduction_string_is_an_error_naming_the_loss(loss, target):
    with pytest.raises(ValueError, match=rf"^{loss.__name__}: reduction must be one of \('mean', 'sum', 'none'\), "
                                         r"got 'average'"):
        loss(tg.full((2, 3), 0.5), target, reduction="average")


@pytest.mark.parametrize("loss", [losses.mse_loss, losses.binary_cross_entropy,
                                  losses.binary_cross_entropy_with_logits])
def test_elementwise_losses_need_input_and_target_of_one_shape(loss):
    with pytest.raises(ValueError, match=rf"{loss.__name__}: input has shape \(2, 3\) but target has shape \(3,\)"):
        loss(tg.full((2, 3), 0.5), tg.ones(3))


@pytest.mark.parametrize("op, call", [
    ("add", lambda a, b: a + b),
    ("mul", lambda a, b: b * a),
    ("matmul", lambda a, b: a @ b.T),
    ("cat", lambda a, b: tg.cat([a, b])),
    ("stack", lambda a, b: tg.stack([a, b])),
    ("where", lambda a, b: tg.where(a > 0, a, b)),
    ("where", lambda a, b: tg.where(b > 0, a, a)),
    ("maximum", lambda a, b: a.maximum(b)),
    ("less", lambda a, b: a < b),
    ("getitem", lambda a, b: a[Tensor([0], device=b.device)]),
    ("mse_loss", lambda a, b: losses.mse_loss(a, b)),
    ("cross_entropy", lambda a, b: losses.cross_entropy(a, Tensor([0, 1], device=b.device))),
    ("binary_cross_entropy", lambda a, b: losses.binary_cross_entropy(a.sigmoid(), b)),
])
def test_mixing_devices_in_one_op_names_the_op_and_both_devices(op, call):
    a = tg.ones(2, 3, device="cpu", requires_grad=True)
    b = tg.ones(2, 3, device="strict")
    with pytest.raises(RuntimeError, match=rf"^{op}: ") as error:
        call(a, b)
    assert "cpu" in str(error.value) and "strict" in str(error.value)


def test_integer_tensor_to_a_negative_integer_power_is_an_error():
    with pytest.raises(ValueError, match=r"pow: Integers to negative integer powers are not allowed"):
        Tensor([2, 3]) ** -1


def test_where_needs_a_bool_condition_and_at_least_one_tensor(device):
    x = tg.ones(3, device=device)
    with pytest.raises(TypeError, match="where: the condition must be a bool tensor, got float32"):
        tg.where(x, x, x)
    with pytest.raises(TypeError, match="where: give the condition or one of the values as a Tensor"):
        tg.where([True, False, True], 1.0, 2.0)
    assert tg.where(x > 0, 1.0, 2.0).device == device    # two numbers are fine with a tensor condition


def test_clamp_without_bounds_is_an_error():
    with pytest.raises(ValueError, match="clamp: give at least one of min and max"):
        tg.ones(2).clamp()


def test_a_failed_op_leaves_the_inputs_and_their_gradients_untouched(device):
    x = Tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    (x * 2.0).sum().backward()
    with pytest.raises(ValueError):
        x + tg.ones(2, device=device)
    with pytest.raises(ValueError):
        with tg.no_grad():
            x += tg.ones(2, device=device)
    assert x.tolist() == [1.0, 2.0, 3.0]
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_an_op_error_names_the_op_and_keeps_the_failing_line_in_its_traceback():
    x = tg.ones(2, 3, device="strict")
    with pytest.raises(ValueError) as error:
        x * tg.ones(3, 2, device="strict")
    assert str(error.value).startswith("mul: ") and "(2, 3) float32, (3, 2) float32" in str(error.value)
    cause = error.value.__cause__   # the original error, with the traceback into forward
    assert isinstance(cause, ValueError) and "forward" in [f.name for f in traceback.extract_tb(cause.__traceback__)]
