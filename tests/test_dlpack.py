"""DLPack and array interop: tensors share memory with NumPy, PyTorch and CuPy without a copy,
and torch.tensor / torch.as_tensor / np.asarray / cupy.asarray accept 0-d and n-d tensors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg

CASES = {
    "0-d float": lambda: tg.tensor(3.5),
    "n-d float": lambda: tg.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "0-d int": lambda: tg.tensor(7),
    "bool": lambda: tg.tensor([True, False, True]),
    "float64": lambda: tg.tensor([1.5, 2.5], dtype=tg.float64),
    "requires grad": lambda: tg.tensor([1.0, 2.0], requires_grad=True),
    "transposed view": lambda: tg.arange(6.0).reshape(2, 3).T,
}


def changes_show(make_other, t: tg.Tensor) -> bool:
    """Whether a value written through the other library's array shows in t."""
    other = make_other(t)
    first = (0,) * t.ndim
    new = 0 if t.numpy()[first] != 0 else 1   # a value the first element does not have (bool too)
    other[first] = new
    return t.numpy()[first] == new


@pytest.mark.parametrize("case", CASES)
def test_torch_and_numpy_share_memory_through_dlpack(case):
    for share in (torch.from_dlpack, torch.as_tensor, np.from_dlpack, np.asarray):
        t = CASES[case]()
        shared = share(t)
        assert tuple(shared.shape) == t.shape
        assert str(shared.dtype).removeprefix("torch.") == str(t.dtype)
        np.testing.assert_array_equal(np.asarray(shared), t.numpy())
        assert changes_show(share, t), f"{share.__name__} copied a {case} tensor"


@pytest.mark.parametrize("case", CASES)
def test_torch_tensor_and_np_array_copy(case):
    t = CASES[case]()
    for copy in (torch.tensor, np.array):
        copied = copy(t)
        np.testing.assert_array_equal(np.asarray(copied), t.numpy())
        assert not changes_show(copy, t), f"{copy.__name__} shared memory with a {case} tensor"


def test_torch_tensor_of_a_0d_tensor_was_the_reported_failure():
    assert torch.tensor(tg.tensor(2.5)).item() == 2.5   # was: TypeError "len() of a 0-d tensor"
    assert torch.tensor(tg.tensor(3)).dtype == torch.int64


def test_len_of_a_0d_tensor_is_a_type_error_as_in_pytorch():
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(tg.tensor(1.0))
    assert len(tg.zeros(4, 2)) == 4


@pytest.mark.parametrize("make", [lambda: torch.arange(6.0).reshape(2, 3), lambda: np.arange(6.0).reshape(2, 3),
                                  lambda: torch.tensor(1.5), lambda: torch.tensor([True, False]),
                                  lambda: torch.arange(12).reshape(3, 4).T],
                         ids=["torch", "numpy", "torch 0-d", "torch bool", "torch transposed"])
def test_from_dlpack_shares_memory_with_the_producer(make):
    source = make()
    t = tg.from_dlpack(source)
    assert isinstance(t, tg.Tensor) and t.is_leaf and not t.requires_grad and t.device == "cpu"
    assert t.shape == tuple(source.shape) and str(t.dtype) == str(source.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(t.numpy(), np.asarray(source))
    t.numpy()[(0,) * t.ndim] = 1   # written through tinygrad_edu, seen by the producer
    assert np.asarray(source)[(0,) * t.ndim] == 1


def test_a_round_trip_through_torch_is_the_same_memory():
    t = tg.randn(3, 4)
    back = tg.from_dlpack(torch.from_dlpack(t))
    back.add_(1.0)
    np.testing.assert_array_equal(t.numpy(), back.numpy())
    assert np.shares_memory(t.numpy(), back.numpy())


def test_from_dlpack_errors_name_what_is_wrong():
    with pytest.raises(TypeError, match="from_dlpack: expected an array with __dlpack__.*got list"):
        tg.from_dlpack([1, 2, 3])
    with pytest.raises(TypeError, match="bare DLPack capsule"):
        tg.from_dlpack(torch.arange(3).__dlpack__())
    with pytest.raises((RuntimeError, BufferError), match="from_dlpack: Tensor could not be shared.*gradient"):
        tg.from_dlpack(torch.ones(2, requires_grad=True))
    with pytest.raises(TypeError, match="from_dlpack: unsupported dtype complex64"):
        tg.from_dlpack(torch.ones(2, dtype=torch.complex64))


def test_dlpack_device_and_no_cuda_array_interface_on_the_cpu():
    t = tg.ones(2)
    assert t.__dlpack_device__() == (1, 0)   # kDLCPU, device 0
    assert not hasattr(t, "__cuda_array_interface__")


def test_np_array_to_another_dtype():
    t = tg.tensor([1.5, 2.5])
    np.testing.assert_array_equal(np.asarray(t, dtype=np.float64), [1.5, 2.5])
    with pytest.raises(ValueError, match="cannot become float64 without a copy"):
        np.asarray(t, dtype=np.float64, copy=False)


def test_cupy_shares_gpu_memory():
    cupy = pytest.importorskip("cupy")
    if not tg.backend.is_available("cuda"):
        pytest.skip("no usable GPU")
    for t in (tg.tensor(2.0, device="cuda"), tg.arange(6.0, device="cuda").reshape(2, 3)):
        for share in (cupy.asarray, cupy.from_dlpack, torch.from_dlpack):
            shared = share(t)
            assert tuple(shared.shape) == t.shape
            shared[(0,) * t.ndim] = 42
            assert t.numpy()[(0,) * t.ndim] == 42, f"{share} copied"
    back = tg.from_dlpack(cupy.arange(4.0))
    assert back.device == "cuda" and back.tolist() == [0.0, 1.0, 2.0, 3.0]
