"""Devices, dtypes, creation functions, grad modes and formatting, against PyTorch's behaviour."""
from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch, finite_difference_check

OPS_TESTED_HERE = ("half", "short", "byte", "char", "type")


# ---- tg.device ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [("cpu",), ("cuda",), ("cuda:0",), ("cuda", 0), ("cpu", 0), ("cuda:1",)],
                         ids=str)
def test_device_objects_read_like_torch_devices(args):
    ours, theirs = tg.device(*args), torch.device(*args)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs) and f"{ours}" == f"{theirs}"


def test_a_bare_number_names_that_gpu_as_in_torch():
    assert repr(tg.device(0)) == "device(type='cuda', index=0)" and tg.device(0) == tg.device("cuda:0")


def test_devices_compare_like_torch_with_each_other_and_equal_the_strings_that_name_them():
    pairs = [("cuda", "cuda:0"), ("cuda:0", "cuda:0"), ("cpu", "cpu"), ("cpu", "cuda")]
    for a, b in pairs:
        assert (tg.device(a) == tg.device(b)) == (torch.device(a) == torch.device(b)), (a, b)
    assert tg.device("cuda:0") == "cuda" and tg.device("cuda:0") == "cuda:0" and tg.device("cpu") == "cpu"
    assert tg.device("cuda:0") != "cpu" and tg.device("cpu") != "cuda:0" and tg.device("cpu") != 3
    assert hash(tg.device("cpu")) == hash("cpu") and {tg.device("cuda:0"): 1}["cuda"] == 1
    assert pickle.loads(pickle.dumps(tg.device("cuda:0"))) == tg.device("cuda", 0)


@pytest.mark.parametrize("args, error, message", [
    (("gpu",), RuntimeError, "expected one of .*cpu.*cuda.* device type at start of device string: gpu"),
    (("cuda:x",), RuntimeError, "invalid device string"),
    (("cuda:0", 0), RuntimeError, "must not include an index"),
    (("cuda", -1), RuntimeError, "non-negative"),
    ((1.5,), TypeError, "expected a string"),
], ids=["unknown", "index-text", "two-indices", "negative", "float"])
def test_bad_device_names_are_clear_errors(args, error, message):
    with pytest.raises(error, match=message):
        tg.device(*args)


def test_a_tensor_device_is_a_device_equal_to_its_string(device):
    t = tg.ones(2, device=device)
    assert isinstance(t.device, tg.device) and t.device == device and str(t.device) in (device, "cuda:0")
    assert t.is_cuda == (device == "cuda") and t.get_device() == (0 if device == "cuda" else -1)
    assert tg.zeros(1, device=t.device).device == t.device   # a device object is accepted back
    assert t.to(t.device) is t


def test_device_objects_are_accepted_wherever_a_string_is(tmp_path):
    cpu = tg.device("cpu")
    assert tg.tensor([1.0], device=cpu).device == "cpu"
    assert tg.randn(2, device=cpu).device == "cpu" and tg.arange(3, device=cpu).device == "cpu"
    assert tg.ones(1).to(cpu).device == "cpu" and tg.ones(1).to(cpu, tg.float64).dtype == tg.float64
    model = tg.nn.Linear(2, 3).to(cpu)
    assert model.weight.device == "cpu"
    tg.save(model.state_dict(), tmp_path / "m.safetensors")
    assert tg.load(tmp_path / "m.safetensors", map_location=cpu)["weight"].device == "cpu"
    with tg.device("cpu"):
        assert tg.get_default_device() == "cpu"


def test_a_cuda_tensor_prints_its_device_like_torch():
    if not tg.cuda.is_available():
        pytest.skip("needs a GPU")
    t = tg.ones(1, device="cuda")
    assert repr(t.device) == "device(type='cuda', index=0)" and "device='cuda:0'" in repr(t)


# ---- tg.cuda, tg.accelerator, tg.backends, unsupported names ----------------------------------

def test_cuda_and_accelerator_answer_like_torch_on_this_machine():
    available = tg.backend.is_available("cuda")
    assert tg.cuda.is_available() == available == tg.accelerator.is_available()
    assert tg.cuda.device_count() == tg.accelerator.device_count() == int(available)
    assert tg.accelerator.current_accelerator() == (tg.device("cuda") if available else None)
    assert tg.cuda.manual_seed(0) is None and tg.cuda.manual_seed_all(1) is None and tg.cuda.empty_cache() is None
    if available:
        tg.cuda.synchronize()
        assert tg.cuda.current_device() == 0 and isinstance(tg.cuda.get_device_name(), str)
        assert tg.accelerator.current_device_index() == 0


def test_cuda_manual_seed_leaves_the_cpu_random_numbers_alone():
    tg.manual_seed(5)
    expected = tg.rand(3).tolist()
    tg.manual_seed(5)
    tg.cuda.manual_seed_all(123)
    assert tg.rand(3).tolist() == expected
    with pytest.raises(TypeError, match="seed must be an int"):
        tg.cuda.manual_seed("0")


def test_functions_that_need_a_gpu_say_so_without_one():
    if tg.cuda.is_available():
        pytest.skip("this machine has a GPU")
    for call in (tg.cuda.synchronize, tg.cuda.current_device, tg.cuda.get_device_name,
                 tg.accelerator.current_device_index, tg.accelerator.synchronize):
        with pytest.raises(RuntimeError, match="no usable GPU|none is available"):
            call()
    with pytest.raises(ValueError, match="only the GPU cuda:0"):
        tg.cuda.set_device(1)


def test_backends_flags_are_harmless_attributes():
    assert tg.backends.mps.is_available() is False and tg.backends.mps.is_built() is False
    tg.backends.cudnn.benchmark = True
    assert tg.backends.cudnn.benchmark is True and tg.backends.cudnn.is_available() is False
    tg.backends.cudnn.benchmark = False


@pytest.mark.parametrize("use", [lambda: tg.compile(tg.nn.Linear(1, 1)), lambda: tg.jit.script,
                                 lambda: tg.jit.trace(None), lambda: tg.distributed.init_process_group("gloo"),
                                 lambda: tg.cuda.Stream(), lambda: tg.cuda.Event()],
                         ids=["compile", "jit.script", "jit.trace", "distributed", "Stream", "Event"])
def test_unsupported_pytorch_names_exist_and_refuse_clearly(use):
    with pytest.raises(NotImplementedError, match=r"^tg\.[a-z.A-Z_]+: tinygrad_edu does not support it; "):
        use()


def test_unsupported_names_pass_introspection_and_the_usual_checks():
    assert tg.distributed.is_available() is False and tg.distributed.is_initialized() is False
    assert not hasattr(tg.jit, "__wrapped__") and "unsupported tg.compile" in repr(tg.compile)


# ---- dtypes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["float", "double", "half", "long", "int", "short", "bool", "uint8", "int8",
                                  "float16", "float32", "float64", "int16", "int32", "int64"])
def test_dtype_names_are_torchs(name):
    ours = getattr(tg, name)
    assert tg.zeros(2, dtype=ours).numpy().dtype == torch.zeros(2, dtype=getattr(torch, name)).numpy().dtype


@pytest.mark.parametrize("method", ["float", "double", "half", "long", "int", "short", "bool", "byte", "char"])
def test_conversion_methods_match_torch(method):
    values = np.array([[-2.7, 0.0, 1.5], [3.9, -0.4, 200.0]], dtype=np.float32)
    ours, theirs = getattr(tg.tensor(values), method)(), getattr(torch.tensor(values), method)()
    assert ours.numpy().dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_casts_carry_gradients_and_their_derivatives_like_torch():
    check_against_torch(lambda x: x * x.half().double(), lambda x: x * x.half().double(), [(2, 3)], double=True)
    check_against_torch(lambda x: x.type(tg.float32).double() ** 2, lambda x: x.type(torch.float32).double() ** 2,
                        [(3,)], double=True, rtol=1e-6)
    check_against_torch(lambda x: x + x.short() + x.byte() + x.char(), lambda x: x + x.short() + x.byte() + x.char(),
                        [np.array([0.5, 1.5, 2.5])], double=True)
    finite_difference_check(lambda x: (x.type(tg.float64) * x).sum(), [(2, 2)])


def test_to_and_type_take_every_form_torch_takes():
    t = tg.tensor([1.7, -2.2])
    assert t.to(tg.long).dtype == tg.int64 and t.to(dtype=tg.half).dtype == tg.float16
    assert t.to("cpu", tg.float64).dtype == tg.float64 and t.to(tg.zeros(1, dtype=tg.int32)).dtype == tg.int32
    assert t.type() == torch.tensor([1.7]).type() == "torch.FloatTensor"
    assert t.long().type() == "torch.LongTensor" and t.type("torch.DoubleTensor").dtype == tg.float64
    assert t.type(tg.int16).tolist() == torch.tensor([1.7, -2.2]).type(torch.int16).tolist()
    with pytest.raises(TypeError, match="type: unknown type name 'torch.Nope'"):
        t.type("torch.Nope")


def test_default_dtype_can_be_changed_and_only_to_a_float():
    assert tg.get_default_dtype() == tg.float32
    try:
        tg.set_default_dtype(tg.float64)
        assert tg.get_default_dtype() == tg.float64
        assert tg.tensor([1.5]).dtype == tg.float64 and tg.zeros(2).dtype == tg.float64
        assert tg.rand(2).dtype == tg.float64 and tg.arange(0.0, 1.0, 0.5).dtype == tg.float64
        assert (tg.tensor([1, 2]) * 0.5).dtype == tg.float64 and tg.tensor([1, 2]).dtype == tg.int64
    finally:
        tg.set_default_dtype(tg.float32)
    assert tg.tensor([1.5]).dtype == tg.float32
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        tg.set_default_dtype(tg.int64)


@pytest.mark.parametrize("make", [
    lambda: tg.tensor([1, 2], requires_grad=True), lambda: tg.zeros(2, dtype=tg.long, requires_grad=True),
    lambda: tg.randint(0, 5, (2,), requires_grad=True), lambda: tg.arange(3, requires_grad=True),
    lambda: tg.ones(2, dtype=tg.bool).requires_grad_()], ids=["tensor", "zeros", "randint", "arange", "bool"])
def test_an_integer_or_bool_tensor_cannot_require_grad(make):
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        make()


# ---- creation functions ----------------------------------------------------------------------------

CREATIONS = [
    ("zeros", lambda m, dt: m.zeros(2, 3, dtype=dt)), ("ones", lambda m, dt: m.ones((2,), dtype=dt)),
    ("full", lambda m, dt: m.full((2, 2), 7, dtype=dt)), ("empty", lambda m, dt: m.empty(0, 3, dtype=dt).shape),
    ("arange", lambda m, dt: m.arange(1, 7, 2, dtype=dt)), ("linspace", lambda m, dt: m.linspace(0, 9, 4, dtype=dt)),
    ("eye", lambda m, dt: m.eye(2, 3, dtype=dt)), ("tensor", lambda m, dt: m.tensor([[1, 2]], dtype=dt)),
    ("zeros_like", lambda m, dt: m.zeros_like(m.ones(2), dtype=dt)),
    ("ones_like", lambda m, dt: m.ones_like(m.ones(2, dtype=m.int32))),
    ("full_like", lambda m, dt: m.full_like(m.ones(2), 3, dtype=dt)),
    ("empty_like", lambda m, dt: m.empty_like(m.ones(2, 1), dtype=dt).shape),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "float16", None])
@pytest.mark.parametrize("name, make", CREATIONS, ids=[c[0] for c in CREATIONS])
def test_creation_functions_take_dtype_like_torch(name, make, dtype):
    ours = make(tg, None if dtype is None else getattr(tg, dtype))
    theirs = make(torch, None if dtype is None else getattr(torch, dtype))
    if isinstance(theirs, torch.Size):
        assert tuple(ours) == tuple(theirs)
        return
    assert ours.numpy().dtype == theirs.numpy().dtype and ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("fill, name", [(1.5, "float"), (2, "int"), (True, "bool")])
def test_full_infers_its_dtype_from_the_value_like_torch(fill, name):
    assert tg.full((1,), fill).numpy().dtype == torch.full((1,), fill).numpy().dtype


@pytest.mark.parametrize("make", [lambda m: m.randint(5, (3, 2)), lambda m: m.randint(2, 5, (3,)),
                                  lambda m: m.randint(3, size=(2,)), lambda m: m.randint(low=1, high=4, size=(2,)),
                                  lambda m: m.randint(0, 9, (2,), dtype=m.int32), lambda m: m.randperm(6),
                                  lambda m: m.randperm(4, dtype=m.int32), lambda m: m.rand(2, dtype=m.float64),
                                  lambda m: m.randn((2, 1)), lambda m: m.normal(0.0, 2.0, (3,)),
                                  lambda m: m.normal(m.zeros(2, dtype=m.float64), 1.0),
                                  lambda m: m.normal(m.zeros(2), m.ones(2)),
                                  lambda m: m.randint_like(m.zeros(2, dtype=m.int32), 4),
                                  lambda m: m.rand_like(m.zeros(2, 2))])
def test_random_creation_signatures_shapes_and_dtypes_match_torch(make):
    ours, theirs = make(tg), make(torch)
    assert ours.shape == tuple(theirs.shape) and ours.numpy().dtype == theirs.numpy().dtype


def test_randint_and_randperm_give_values_in_range():
    values = tg.randint(-3, 4, (1000,)).numpy()
    assert values.min() == -3 and values.max() == 3
    assert sorted(tg.randperm(50).tolist()) == list(range(50))


@pytest.mark.parametrize("draw", [lambda g: tg.rand(4, generator=g), lambda g: tg.randn(4, generator=g),
                                  lambda g: tg.randint(0, 100, (4,), generator=g),
                                  lambda g: tg.randperm(9, generator=g),
                                  lambda g: tg.normal(0.0, 1.0, (4,), generator=g)],
                         ids=["rand", "randn", "randint", "randperm", "normal"])
def test_a_generator_gives_a_stream_of_its_own(draw):
    first = draw(tg.Generator().manual_seed(11)).tolist()
    tg.manual_seed(0)
    tg.rand(5)   # draws from the default generator change nothing for the generator's stream
    assert draw(tg.Generator().manual_seed(11)).tolist() == first
    assert draw(tg.Generator().manual_seed(12)).tolist() != first


def test_normal_follows_its_mean_and_std():
    x = tg.normal(tg.full((20000,), 3.0), 0.5, generator=tg.Generator().manual_seed(0)).numpy()
    assert abs(x.mean() - 3.0) < 0.02 and abs(x.std() - 0.5) < 0.02


@pytest.mark.parametrize("make, error, message", [
    (lambda: tg.zeros(-1, 2), RuntimeError, "zeros: .*negative dimension"),
    (lambda: tg.ones(2.5), TypeError, "ones: size must be whole numbers"),
    (lambda: tg.rand(2, dtype=tg.int64), TypeError, "rand: .*floating-point dtype, got int64"),
    (lambda: tg.randint(5, 2, (2,)), RuntimeError, "randint: expects low < high, got low=5, high=2"),
    (lambda: tg.randint(5), TypeError, "randint: missing high or size"),
    (lambda: tg.randperm(-1), RuntimeError, "randperm: n must be a non-negative int"),
    (lambda: tg.normal(0.0, 1.0), TypeError, "normal: .*give size="),
    (lambda: tg.normal(tg.zeros(2), -1.0), RuntimeError, r"normal: expects std >= 0.0"),
    (lambda: tg.arange(0, 5, -1), RuntimeError, "arange: upper bound and larger bound inconsistent"),
    (lambda: tg.arange(0, 5, 0), RuntimeError, "arange: step must be nonzero"),
    (lambda: tg.linspace(0, 1, -2), RuntimeError, "linspace: number of steps"),
    (lambda: tg.eye(-2), RuntimeError, "eye: n must be a non-negative int"),
], ids=["zeros", "ones", "rand", "randint-order", "randint-missing", "randperm", "normal-size", "normal-std",
        "arange-sign", "arange-zero", "linspace", "eye"])
def test_bad_creation_arguments_are_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_random_tensors_can_require_grad_and_land_on_the_device(device):
    t = tg.randn(2, 3, device=device, dtype=tg.float64, requires_grad=True)
    assert t.requires_grad and t.device == device and t.dtype == tg.float64


# ---- grad modes ----------------------------------------------------------------------------------

def _records() -> bool:
    return (tg.ones(1, requires_grad=True) * 2).requires_grad


# Made when the test runs: set_grad_enabled(False) switches grad off as soon as it is made, as in PyTorch.
@pytest.mark.parametrize("decorator", [lambda: tg.no_grad, tg.no_grad, lambda: tg.inference_mode, tg.inference_mode,
                                       lambda: tg.set_grad_enabled(False)],
                         ids=["no_grad", "no_grad()", "inference_mode", "inference_mode()", "set_grad_enabled"])
def test_grad_modes_decorate_with_and_without_parentheses(decorator):
    @decorator()
    def evaluate(x):
        """Keeps its name and docstring."""
        return (x * 2).requires_grad, tg.is_grad_enabled()

    assert evaluate(tg.ones(1, requires_grad=True)) == (False, False)
    assert evaluate.__name__ == "evaluate" and evaluate.__doc__ == "Keeps its name and docstring."
    assert tg.is_grad_enabled() and _records()   # decorating changed nothing outside the function


def test_enable_grad_records_inside_no_grad_as_block_and_decorator():
    @tg.enable_grad
    def inner():
        return _records()

    with tg.no_grad():
        assert not _records() and inner()
        with tg.enable_grad():
            assert _records()
        assert not _records()


def test_set_grad_enabled_works_as_a_plain_call_like_torch():
    tg.set_grad_enabled(False)
    try:
        assert not tg.is_grad_enabled() and not _records()
    finally:
        tg.set_grad_enabled(True)
    assert _records()
    with tg.set_grad_enabled(False):
        assert not _records()
    assert _records()


def test_inference_mode_matches_torchs_flags():
    for ours, theirs in ((tg.inference_mode(), torch.inference_mode()),
                         (tg.inference_mode(False), torch.inference_mode(False))):
        with tg.no_grad(), torch.no_grad(), ours, theirs:
            assert tg.is_grad_enabled() == torch.is_grad_enabled()
            assert tg.is_inference_mode_enabled() == torch.is_inference_mode_enabled()
    with tg.inference_mode(), torch.inference_mode(), tg.enable_grad(), torch.enable_grad():
        assert (tg.is_grad_enabled(), tg.is_inference_mode_enabled()) == (True, True) == \
            (torch.is_grad_enabled(), torch.is_inference_mode_enabled())
    assert tg.is_grad_enabled() and not tg.is_inference_mode_enabled()


def test_grad_mode_is_per_thread():
    seen = []
    with tg.no_grad():
        worker = threading.Thread(target=lambda: seen.append(_records()))
        worker.start()
        worker.join()
    assert seen == [True]


# ---- format ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, spec", [(1.23456, ".2f"), (1.23456, ""), (3, "d"), (2.5, ">8.3f"), (7, "")])
def test_format_of_a_0d_tensor_formats_its_number_like_torch(value, spec):
    assert format(tg.tensor(value), spec) == format(torch.tensor(value), spec)
    assert f"{tg.tensor(value):{spec}}" == f"{torch.tensor(value):{spec}}"


def test_format_of_other_tensors():
    assert f"{tg.tensor([[1.5]]):.1f}" == "1.5"   # one element: its number (PyTorch allows only 0-d)
    assert format(tg.ones(2)) == str(tg.ones(2))
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        format(tg.ones(2), ".2f")
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        format(torch.ones(2), ".2f")


def test_tensors_keep_the_plain_computing_name_inside_so_ops_never_compare_device_objects():
    """t.device is a device object, but every op compares and looks up t._device once or more:
    a device object there would run Python-level __eq__ on every op (a measured slowdown)."""
    model = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.ReLU(), tg.nn.Linear(4, 2)).to(tg.device("cpu"))
    opt = tg.optim.Adam(model.parameters(), lr=0.1)
    x = tg.randn(5, 3, device=tg.device("cpu"))
    out = model(x)
    loss = (out * out).mean()
    loss.backward()
    opt.step()
    seen = [x, out, loss, *model.parameters(), *(p.grad for p in model.parameters()),
            *(v for s in opt.state.values() for v in s.values() if isinstance(v, tg.Tensor))]
    assert all(type(t._device) is str for t in seen)
    assert out.device == "cpu" and isinstance(out.device, tg.device)


def test_set_default_dtype_reaches_layers_parameters_and_integer_promotion_as_in_pytorch():
    import torch
    before = tg.get_default_dtype()
    try:
        tg.set_default_dtype(tg.float64)
        torch.set_default_dtype(torch.float64)
        assert tg.nn.Linear(2, 3).weight.dtype == tg.float64
        assert tg.nn.LayerNorm(3).weight.dtype == tg.float64
        assert tg.nn.Parameter().dtype == tg.float64
        assert tg.arange(3).exp().dtype == tg.float64 == torch.arange(3).exp().numpy().dtype
    finally:
        tg.set_default_dtype(before)
        torch.set_default_dtype(torch.float32)
    assert tg.nn.Linear(2, 3).weight.dtype == tg.float32
