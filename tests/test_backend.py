"""The backend: devices, moving data, and the rule that only the backend package imports an array library."""
from __future__ import annotations

import ast
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, backend

PACKAGE = pathlib.Path(tg.__file__).parent
BACKEND_DIR = "backend"   # tinygrad_edu/backend/: the door to NumPy and CuPy, so its modules import them
# Host-side modules that read files, draw pictures or benchmark may use NumPy directly;
# everything that computes on tensors must go through the backend.
HOST_SIDE = {"data.py", "serialization.py", "cli.py", "allocator.py"}
HOST_SIDE_DIRS = {"viz", "study", "onnx"}


def _array_library_imports(path: pathlib.Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in ("numpy", "cupy", "cupyx")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("numpy", "cupy", "cupyx"):
            found.append(node.module)
    return found


def _may_import_array_library(relative: pathlib.Path) -> bool:
    if len(relative.parts) == 1:
        return relative.name in HOST_SIDE
    return relative.parts[0] == BACKEND_DIR or relative.parts[0] in HOST_SIDE_DIRS


def test_only_backend_imports_numpy_or_cupy_for_computation():
    offenders = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if _may_import_array_library(relative):
            continue
        if imports := _array_library_imports(path):
            offenders[str(relative)] = imports
    assert offenders == {}, f"these modules must use tinygrad_edu.backend instead: {offenders}"
    assert (PACKAGE / BACKEND_DIR / "__init__.py").is_file() and not (PACKAGE / "backend.py").exists()


def test_backend_package_re_exports_its_modules_names_without_copying_state():
    from tinygrad_edu.backend import arrays, devices, dtypes, random, special
    for module in (arrays, devices, dtypes, random, special):
        for name in [n for n in backend.__all__ if hasattr(module, n)]:
            assert getattr(backend, name) is getattr(module, name), name
    assert backend.array_modules is devices.array_modules and backend._unavailable_reason is devices._unavailable_reason
    # state that is rebound, not updated in place, is read through functions, never re-exported
    assert not hasattr(backend, "_default_device") and not hasattr(backend, "_rng")


def test_cpu_is_always_available_and_unknown_devices_are_errors():
    assert backend.is_available("cpu")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        Tensor([1.0], device="tpu")


@pytest.mark.skipif(backend.is_available("cuda"), reason="this machine has a GPU")
def test_asking_for_cuda_without_a_gpu_explains_and_hints_the_extra():
    # without CuPy the hint installs the extra; with CuPy but no GPU it points at the driver (tests/test_cli.py)
    with pytest.raises(RuntimeError, match=r"device 'cuda' is not available.*(pip install \"tinygrad_edu\[cuda\]\"|nvidia-smi)"):
        Tensor([1.0], device="cuda")
    with pytest.raises(RuntimeError, match="not available"):
        Tensor([1.0]).to("cuda")


def test_is_available_without_cupy_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "cupy", None)     # makes `import cupy` fail
    monkeypatch.setattr(backend.devices, "_availability", {"cpu": True})   # the module whose functions read it
    monkeypatch.setattr(backend.devices, "_unavailable_reason", {})
    assert backend.is_available("cuda") is False
    assert "CuPy is not installed" in backend.devices._unavailable_reason["cuda"]


def test_mixing_devices_in_one_op_names_the_op_and_both_devices():
    a = Tensor([1.0, 2.0], device="cpu")
    b = Tensor([1.0, 2.0], device="strict")
    with pytest.raises(RuntimeError, match=r"mul: expected all tensors on one device.*cpu.*strict"):
        a * b


def test_moving_between_devices_keeps_values_and_gradients_flow_back():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.to("strict")
    assert y.device == "strict" and y.grad_fn is not None
    (y * 3.0).sum().backward()
    assert x.grad.device == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_default_device_can_be_set():
    try:
        tg.set_default_device("strict")
        assert tg.zeros(2).device == "strict"
        assert Tensor([1.0]).device == "strict"
    finally:
        tg.set_default_device("cpu")
    assert tg.zeros(2).device == "cpu"


def test_default_device_comes_from_the_environment_variable():
    code = "import tinygrad_edu as tg; print(tg.get_default_device(), tg.zeros(1).device)"
    env = dict(os.environ, TINYGRAD_EDU_DEVICE="cpu")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["cpu", "cpu"]


def test_a_bad_device_variable_breaks_the_first_use_of_the_default_device_not_the_import():
    code = "import tinygrad_edu as tg; print('imported', flush=True); tg.zeros(1)"
    env = dict(os.environ, TINYGRAD_EDU_DEVICE="tpu")
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.stdout == "imported\n" and bad.returncode != 0
    assert "ValueError: the environment variable TINYGRAD_EDU_DEVICE='tpu' names no device" in bad.stderr
    assert "choices: cpu, cuda" in bad.stderr


@pytest.fixture
def default_device_not_looked_up(monkeypatch):
    """As right after `import tinygrad_edu`: TINYGRAD_EDU_DEVICE not yet read (restored after)."""
    monkeypatch.setattr(backend.devices, "_default_device", None)


@pytest.mark.parametrize("value, error", [("tpu", ValueError), ("cuda:1", ValueError), ("cuda", RuntimeError)])
@pytest.mark.usefixtures("default_device_not_looked_up")
def test_a_device_variable_naming_no_usable_device_says_which_variable_value_and_choices(monkeypatch, value, error):
    monkeypatch.setenv("TINYGRAD_EDU_DEVICE", value)
    monkeypatch.setitem(backend._availability, "cuda", False)   # as without CuPy, also on a GPU machine
    monkeypatch.setitem(backend._unavailable_reason, "cuda", "CuPy is not installed")
    monkeypatch.delitem(backend._devices, "cuda", raising=False)
    for use in (tg.get_default_device, lambda: tg.zeros(2), lambda: Tensor([1.0])):
        with pytest.raises(error) as info:
            use()
        message = str(info.value)
        assert f"TINYGRAD_EDU_DEVICE={value!r}" in message and "choices: cpu, " in message
        if value == "cuda":
            assert "CuPy is not installed" in message   # and why that device cannot be used


@pytest.mark.usefixtures("default_device_not_looked_up")
def test_set_default_device_wins_over_the_environment_variable(monkeypatch):
    monkeypatch.setenv("TINYGRAD_EDU_DEVICE", "tpu")
    tg.set_default_device("cpu")
    assert tg.zeros(1).device == tg.get_default_device() == "cpu"


@pytest.mark.usefixtures("default_device_not_looked_up")
def test_an_empty_device_variable_means_cpu(monkeypatch):
    monkeypatch.setenv("TINYGRAD_EDU_DEVICE", "")
    assert tg.get_default_device() == "cpu"


def test_strict_device_refuses_silent_host_conversion():
    x = Tensor([1.0, 2.0], device="strict")
    with pytest.raises(TypeError, match="plain numpy.ndarray"):
        x.array + np.ones(2)
    with pytest.raises(TypeError, match="cannot convert a tensor on strict"):
        np.asarray(x)


def test_an_op_that_leaves_its_device_is_caught():
    class Leaky(tg.Function):
        """f(x) = x (but computed on the host by mistake);  df/dx = 1"""

        def forward(self, x):
            return np.asarray(x.view(np.ndarray))   # what a careless op might do

        def backward(self, grad):
            return grad

    with pytest.raises(TypeError, match="leaky: produced a numpy.ndarray on device 'strict'"):
        Leaky.apply(Tensor([1.0], device="strict"))


def test_manual_seed_makes_random_tensors_reproducible_on_every_device():
    tg.manual_seed(123)
    a = tg.randn(3, 4)
    tg.manual_seed(123)
    b = tg.randn(3, 4, device="strict")
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_sigmoid_and_erf_work_without_scipy(monkeypatch):
    x = np.array([-1000.0, -30.0, -1.5, 0.0, 2.0, 1000.0], dtype=np.float32)
    with_scipy = backend.sigmoid(x), backend.erf(x)
    monkeypatch.setattr(backend.special, "_special_modules", {np.ndarray: None})   # as if SciPy were missing
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        without = backend.sigmoid(x), backend.erf(x)
    for a, b in zip(with_scipy, without):
        assert a.dtype == b.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=0)


@pytest.mark.parametrize("shape,dtype", [((3, 5), "float32"), ((2, 1, 7), "float64"), ((0,), "float32"), ((), "uint8")])
def test_empty_aligned_starts_on_a_cache_line_with_the_shape_and_dtype_asked_for(shape, dtype, device):
    xp = backend.array_module(device)
    for _ in range(8):   # malloc hands out many different addresses; each must come out aligned
        a = backend.empty_aligned(xp, shape, dtype)
        assert a.shape == shape and a.dtype == np.dtype(dtype)
        assert backend.device_of_array(a) == device
        address = a.ctypes.data if hasattr(a, "ctypes") else a.data.ptr
        assert address % 64 == 0 or a.size == 0   # an empty array points nowhere in particular
        a[...] = 1   # writable, and its own memory
        assert float(a.sum()) == a.size
