"""The Tensor API: construction, dtypes, conversions, printing, in-place updates."""
from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor


@pytest.mark.parametrize("data, dtype", [
    (1.5, tg.float32), (3, tg.int64), (True, tg.bool), ([1.0, 2], tg.float32), ([[1, 2]], tg.int64),
    (np.array([1.0, 2.0]), tg.float64), (np.array([1, 2], dtype=np.int32), tg.int32),
])
def test_dtypes_follow_pytorch(data, dtype):
    assert Tensor(data).dtype == dtype


def test_constructors_make_the_requested_shapes_and_dtypes(device):
    assert tg.zeros(2, 3, device=device).shape == (2, 3)
    assert tg.ones((4,), device=device).numpy().sum() == 4
    assert tg.full((2, 2), 7, device=device).dtype == tg.int64
    assert tg.arange(5, device=device).tolist() == [0, 1, 2, 3, 4]
    assert tg.arange(0, 1, 0.5, device=device).dtype == tg.float32
    assert tg.eye(3, device=device).numpy().trace() == 3
    assert tg.rand(2, 5, device=device).shape == (2, 5)
    x = tg.randn(3, dtype=tg.float64, device=device, requires_grad=True)
    assert x.requires_grad and x.dtype == tg.float64
    assert tg.zeros_like(x).dtype == tg.float64 and tg.ones_like(x).device == device
    assert tg.linspace(0, 1, 5, device=device).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]


def test_attributes():
    x = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert x.shape == (1, 3) and x.ndim == 2 and x.numel() == 3 and x.size(1) == 3 and x.dim() == 2
    assert x.is_leaf and x.grad_fn is None
    y = x * 2.0
    assert not y.is_leaf and y.grad_fn.name() == "MulBackward"
    assert x.T.shape == (3, 1)
    assert len(x) == 1


def test_item_tolist_numpy_and_python_numbers():
    x = Tensor([[2.5]])
    assert x.item() == 2.5 and float(x) == 2.5 and int(Tensor(3)) == 3
    assert x.tolist() == [[2.5]]
    assert isinstance(x.numpy(), np.ndarray)
    with pytest.raises(ValueError, match=r"item: only a tensor with one element.*\(2,\)"):
        Tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))


def test_to_converts_dtype_and_the_gradient_comes_back_in_the_original_dtype():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.to(tg.float64)
    assert y.dtype == tg.float64 and x.double().dtype == tg.float64 and Tensor([1]).float().dtype == tg.float32
    (y * y).sum().backward()
    assert x.grad.dtype == tg.float32
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_repr_reads_like_pytorch():
    assert repr(Tensor([[1.0, 2.0]])) == "Tensor([[1., 2.]])"
    assert repr(Tensor([1, 2])) == "Tensor([1, 2])"
    assert repr(Tensor([1.0], dtype=tg.float64)) == "Tensor([1.], dtype=float64)"
    x = Tensor([1.0], requires_grad=True)
    assert repr(x) == "Tensor([1.], requires_grad=True)"
    assert repr(x * 2.0) == "Tensor([2.], grad_fn=<MulBackward>)"
    assert "device='strict'" in repr(Tensor([1.0], device="strict"))


def test_scalars_and_arrays_work_on_either_side_of_operators():
    x = Tensor([1.0, 2.0])
    assert (2.0 - x).tolist() == [1.0, 0.0]
    assert (1.0 / Tensor([2.0, 4.0])).tolist() == [0.5, 0.25]
    assert (2 ** Tensor([1.0, 3.0])).tolist() == [2.0, 8.0]
    assert (np.array([1.0, 1.0]) + x).tolist() == [2.0, 3.0]
    assert isinstance(np.array([1.0, 1.0]) + x, Tensor)
    assert (x @ np.array([1.0, 1.0])).item() == 3.0


def test_comparisons_give_bool_tensors_without_grad():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = x > 1.5
    assert mask.dtype == tg.bool and not mask.requires_grad
    assert mask.tolist() == [False, True, True]
    assert (x == 2.0).tolist() == [False, True, False]
    assert (~mask).tolist() == [True, False, False]
    assert ((x > 1.5) & (x < 2.5)).tolist() == [False, True, False]


def test_tensors_are_hashable_by_identity():
    a, b = Tensor([1.0]), Tensor([1.0])
    assert len({a, b}) == 2


def test_inplace_operations_check_shapes_and_dtypes():
    x = Tensor([1.0, 2.0])
    x += 1.0
    x *= Tensor([2.0, 3.0])
    assert x.tolist() == [4.0, 9.0]
    with pytest.raises(ValueError, match=r"does not broadcast to the shape \(2,\)"):
        x += Tensor(np.ones((3, 2)))
    ints = Tensor([1, 2])
    with pytest.raises(TypeError, match="add_"):
        ints += 0.5
    assert ints.tolist() == [1, 2]
    x.zero_()
    assert x.tolist() == [0.0, 0.0]
    x.copy_(Tensor([5.0, 6.0]))
    assert x.tolist() == [5.0, 6.0]
    with pytest.raises(ValueError, match=r"copy_: the operand of shape \(3,\) does not broadcast"):
        x.copy_(Tensor([1.0, 2.0, 3.0]))


def test_unsupported_data_is_a_clear_error():
    with pytest.raises(TypeError, match="Tensor: unsupported dtype"):
        Tensor(["a", "b"])
    with pytest.raises((TypeError, ValueError), match="Tensor: cannot make a tensor"):
        Tensor([[1.0, 2.0], [3.0]])


def test_a_0d_tensor_adapts_to_a_tensor_with_dimensions_like_a_python_number():
    vector = Tensor([1.0, 2.0])                                # float32
    scalar = Tensor(np.array(2.0))                             # float64, 0-d
    assert (vector * scalar).dtype == tg.float32 and (scalar * vector).dtype == tg.float32
    assert (vector * Tensor(np.array([2.0]))).dtype == tg.float64   # 1-d: ordinary promotion
    assert (Tensor([1, 2]) * Tensor(np.array(0.5))).dtype == tg.float64  # a float still wins over ints


def test_where_accepts_two_plain_numbers():
    assert tg.where(Tensor([True, False]), 1.0, 2.0).tolist() == [1.0, 2.0]


def test_tensor_copies_numpy_data_and_from_numpy_shares_it():
    array = np.array([1.0, 2.0])
    copied, shared = Tensor(array), tg.from_numpy(array)
    array[0] = 5.0
    assert copied.tolist() == [1.0, 2.0] and shared.tolist() == [5.0, 2.0]
    source = Tensor([1.0, 2.0])
    again = Tensor(source)
    source.array[1] = 7.0
    assert again.tolist() == [1.0, 2.0]
    with pytest.raises(TypeError, match="from_numpy: expected a NumPy array, got list"):
        tg.from_numpy([1.0])


def test_as_tensor_shares_what_it_can_and_copies_what_it_must():
    a = np.arange(4.0, dtype=np.float32)
    shared = tg.as_tensor(a)
    a[0] = 9.0
    assert shared.tolist()[0] == 9.0                      # the NumPy array's own memory
    assert tg.as_tensor(shared) is shared                 # already a tensor of that dtype and device
    copied = tg.as_tensor(a, dtype=tg.float64)
    a[1] = 7.0
    assert copied.dtype == tg.float64 and copied.tolist()[1] == 1.0
    assert tg.as_tensor([1, 2]).dtype == tg.int64 and tg.as_tensor([1.5]).dtype == tg.float32
