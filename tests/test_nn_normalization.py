"""LayerNorm, GroupNorm and BatchNorm against PyTorch: values, gradients through the statistics,
second derivatives, running statistics over several steps, state dicts both ways, errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import Tensor, nn
from tinygrad_edu.errors import DTypeError, ShapeError

OPS_TESTED_HERE = ("layer_norm", "group_norm", "batch_norm", "rms_norm", "instance_norm", "local_response_norm")

# (name, ours, theirs, input shapes): every input differentiable, float64
FUNCTIONAL_CASES = [
    ("layer_norm_last_dim", lambda x, w, b: F.layer_norm(x, [4], w, b), lambda x, w, b: TF.layer_norm(x, [4], w, b),
     [(2, 3, 4), (4,), (4,)]),
    ("layer_norm_two_dims", lambda x, w, b: F.layer_norm(x, (3, 4), w, b, eps=1e-3),
     lambda x, w, b: TF.layer_norm(x, (3, 4), w, b, eps=1e-3), [(2, 3, 4), (3, 4), (3, 4)]),
    ("layer_norm_int_shape_no_affine", lambda x: F.layer_norm(x, 5), lambda x: TF.layer_norm(x, [5]), [(5,)]),
    ("group_norm_3_groups", lambda x, w, b: F.group_norm(x, 3, w, b), lambda x, w, b: TF.group_norm(x, 3, w, b),
     [(2, 6, 3, 2), (6,), (6,)]),
    ("group_norm_one_group_2d", lambda x, w, b: F.group_norm(x, 1, w, b), lambda x, w, b: TF.group_norm(x, 1, w, b),
     [(3, 4), (4,), (4,)]),
    ("group_norm_group_per_channel_no_affine", lambda x: F.group_norm(x, 4), lambda x: TF.group_norm(x, 4),
     [(2, 4, 5)]),
    ("batch_norm_training_2d", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
     lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True), [(5, 3), (3,), (3,)]),
    ("batch_norm_training_3d", lambda x, w, b: F.batch_norm(x, None, None, w, b, True, 0.1, 1e-3),
     lambda x, w, b: TF.batch_norm(x, None, None, w, b, True, 0.1, 1e-3), [(2, 3, 4), (3,), (3,)]),
    ("batch_norm_training_4d_no_affine", lambda x: F.batch_norm(x, None, None, training=True),
     lambda x: TF.batch_norm(x, None, None, training=True), [(2, 3, 2, 2)]),
    ("rms_norm_last_dim", lambda x, w: F.rms_norm(x, [4], w), lambda x, w: TF.rms_norm(x, [4], w), [(2, 3, 4), (4,)]),
    ("rms_norm_two_dims_eps", lambda x, w: F.rms_norm(x, (3, 4), w, eps=1e-3),
     lambda x, w: TF.rms_norm(x, (3, 4), w, eps=1e-3), [(2, 3, 4), (3, 4)]),
    ("rms_norm_int_shape_no_weight", lambda x: F.rms_norm(x, 5), lambda x: TF.rms_norm(x, [5]), [(5,)]),
    ("instance_norm_affine_1d", lambda x, w, b: F.instance_norm(x, weight=w, bias=b),
     lambda x, w, b: TF.instance_norm(x, weight=w, bias=b), [(2, 3, 4), (3,), (3,)]),
    ("instance_norm_2d_eps", lambda x: F.instance_norm(x, eps=1e-3), lambda x: TF.instance_norm(x, eps=1e-3),
     [(2, 3, 2, 3)]),
    ("local_response_norm_3d_odd_size", lambda x: F.local_response_norm(x, 3, alpha=0.5, beta=0.6, k=2.0),
     lambda x: TF.local_response_norm(x, 3, alpha=0.5, beta=0.6, k=2.0), [(2, 5, 3)]),
    ("local_response_norm_4d_even_size", lambda x: F.local_response_norm(x, 4, alpha=0.3),
     lambda x: TF.local_response_norm(x, 4, alpha=0.3), [(2, 6, 2, 2)]),
    ("local_response_norm_window_wider_than_channels", lambda x: F.local_response_norm(x, 7, alpha=1.0),
     lambda x: TF.local_response_norm(x, 7, alpha=1.0), [(1, 3, 2)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", FUNCTIONAL_CASES, ids=[c[0] for c in FUNCTIONAL_CASES])
def test_normalisation_functions_match_torch_with_second_derivatives(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", FUNCTIONAL_CASES, ids=[c[0] for c in FUNCTIONAL_CASES])
def test_normalisation_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


def test_batch_norm_in_evaluation_uses_the_running_statistics(device):
    rng = np.random.default_rng(1)
    mean, var = rng.standard_normal(3), rng.uniform(0.5, 2.0, 3)
    check_against_torch(
        lambda x, w, b: F.batch_norm(x, Tensor(mean, device=device), Tensor(var, device=device), w, b),
        lambda x, w, b: TF.batch_norm(x, torch.tensor(mean), torch.tensor(var), w, b), [(4, 3, 2), (3,), (3,)],
        device=device, double=True)


@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_functional_batch_norm_updates_the_running_statistics_in_place_like_torch(momentum, device):
    x = np.random.default_rng(2).standard_normal((6, 3, 2))
    ours_mean, ours_var = tg.zeros(3, dtype=tg.float64, device=device), tg.ones(3, dtype=tg.float64, device=device)
    theirs_mean, theirs_var = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    for _ in range(3):
        F.batch_norm(Tensor(x, device=device), ours_mean, ours_var, training=True, momentum=momentum)
        TF.batch_norm(torch.tensor(x), theirs_mean, theirs_var, training=True, momentum=momentum)
    assert_close(ours_mean, theirs_mean, "running_mean")
    assert_close(ours_var, theirs_var, "running_var (unbiased)")


def test_rms_norm_default_eps_is_the_dtype_epsilon_like_torch():
    # numbers so small that mean(x²) ≈ 1e-8 is below float32's epsilon (1.2e-7): eps decides the result
    x = np.random.default_rng(4).standard_normal((3, 4)) * 1e-4
    for dtype, torch_dtype in ((tg.float32, torch.float32), (tg.float64, torch.float64)):
        out = F.rms_norm(Tensor(x, dtype=dtype), [4])
        assert out.dtype == dtype
        assert_close(out, TF.rms_norm(torch.tensor(x, dtype=torch_dtype), [4]), f"rms_norm in {dtype}", rtol=1e-5)


def test_instance_norm_with_running_statistics_like_torch(device):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3, 5)) * 2 + 1
    ours = [tg.zeros(3, dtype=tg.float64, device=device), tg.ones(3, dtype=tg.float64, device=device)]
    theirs = [torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)]
    for _ in range(2):   # updated in place: the per-sample statistics averaged over the batch
        out = F.instance_norm(Tensor(x, device=device), *ours, momentum=0.3)
        assert_close(out, TF.instance_norm(torch.tensor(x), *theirs, momentum=0.3), "output with input statistics")
    assert_close(ours[0], theirs[0], "running_mean")
    assert_close(ours[1], theirs[1], "running_var (unbiased, per sample)")
    check_against_torch(  # and with use_input_stats=False they stand in for the sample's own
        lambda x, w, b: F.instance_norm(x, *ours, w, b, use_input_stats=False),
        lambda x, w, b: TF.instance_norm(x, *theirs, w, b, use_input_stats=False), [(2, 3, 4), (3,), (3,)],
        device=device, double=True)


# ---- the modules -------------------------------------------------------------------------------

def torch_state(module: torch.nn.Module) -> dict:
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def randomised(module: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Random weights and biases (the default 1 and 0 would hide a swapped scale and shift)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype))
    return module


MODULE_PAIRS = [
    ("layer_norm", lambda: nn.LayerNorm(4), lambda: torch.nn.LayerNorm(4), (2, 3, 4)),
    ("layer_norm_tuple_no_bias", lambda: nn.LayerNorm((3, 4), bias=False), lambda: torch.nn.LayerNorm((3, 4), bias=False),
     (2, 3, 4)),
    ("layer_norm_no_affine", lambda: nn.LayerNorm(4, elementwise_affine=False),
     lambda: torch.nn.LayerNorm(4, elementwise_affine=False), (3, 4)),
    ("group_norm", lambda: nn.GroupNorm(2, 4), lambda: torch.nn.GroupNorm(2, 4), (3, 4, 5)),
    ("group_norm_no_affine", lambda: nn.GroupNorm(2, 4, affine=False), lambda: torch.nn.GroupNorm(2, 4, affine=False),
     (3, 4, 2, 2)),
    ("batch_norm_1d", lambda: nn.BatchNorm1d(3), lambda: torch.nn.BatchNorm1d(3), (5, 3)),
    ("batch_norm_1d_3d_input", lambda: nn.BatchNorm1d(3, momentum=0.3), lambda: torch.nn.BatchNorm1d(3, momentum=0.3),
     (4, 3, 6)),
    ("batch_norm_1d_cumulative", lambda: nn.BatchNorm1d(3, momentum=None),
     lambda: torch.nn.BatchNorm1d(3, momentum=None), (5, 3)),
    ("batch_norm_2d", lambda: nn.BatchNorm2d(2), lambda: torch.nn.BatchNorm2d(2), (3, 2, 4, 4)),
    ("batch_norm_2d_no_affine", lambda: nn.BatchNorm2d(2, affine=False), lambda: torch.nn.BatchNorm2d(2, affine=False),
     (3, 2, 2, 3)),
    ("batch_norm_2d_no_running_stats", lambda: nn.BatchNorm2d(2, track_running_stats=False),
     lambda: torch.nn.BatchNorm2d(2, track_running_stats=False), (3, 2, 2, 2)),
    ("rms_norm", lambda: nn.RMSNorm(4), lambda: torch.nn.RMSNorm(4), (2, 3, 4)),
    ("rms_norm_tuple_eps_no_affine", lambda: nn.RMSNorm([3, 4], eps=1e-3, elementwise_affine=False),
     lambda: torch.nn.RMSNorm([3, 4], eps=1e-3, elementwise_affine=False), (2, 3, 4)),
    ("instance_norm_1d", lambda: nn.InstanceNorm1d(3), lambda: torch.nn.InstanceNorm1d(3), (2, 3, 5)),
    ("instance_norm_1d_unbatched_affine", lambda: nn.InstanceNorm1d(3, affine=True),
     lambda: torch.nn.InstanceNorm1d(3, affine=True), (3, 5)),
    ("instance_norm_2d_running_stats", lambda: nn.InstanceNorm2d(2, affine=True, track_running_stats=True),
     lambda: torch.nn.InstanceNorm2d(2, affine=True, track_running_stats=True), (3, 2, 2, 3)),
    ("instance_norm_2d_unbatched_cumulative", lambda: nn.InstanceNorm2d(2, momentum=None, track_running_stats=True),
     lambda: torch.nn.InstanceNorm2d(2, momentum=None, track_running_stats=True), (2, 3, 3)),
    ("instance_norm_2d_no_bias", lambda: nn.InstanceNorm2d(2, affine=True, bias=False),
     lambda: torch.nn.InstanceNorm2d(2, affine=True, bias=False), (2, 2, 3, 2)),
    ("local_response_norm", lambda: nn.LocalResponseNorm(3, alpha=0.5, k=2.0),
     lambda: torch.nn.LocalResponseNorm(3, alpha=0.5, k=2.0), (2, 4, 3, 2)),
]


@pytest.mark.parametrize("name, make_ours, make_theirs, shape", MODULE_PAIRS, ids=[c[0] for c in MODULE_PAIRS])
def test_modules_print_and_save_like_torch(name, make_ours, make_theirs, shape):
    ours, theirs = make_ours(), make_theirs()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():   # PyTorch's initial values: weight 1, bias 0, stats 0 and 1
        assert ours.state_dict()[key].dtype == value.numpy().dtype, key
        np.testing.assert_array_equal(ours.state_dict()[key].numpy(), value.numpy(), err_msg=key)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


@pytest.mark.parametrize("name, make_ours, make_theirs, shape", MODULE_PAIRS, ids=[c[0] for c in MODULE_PAIRS])
def test_modules_train_then_evaluate_like_torch(name, make_ours, make_theirs, shape, device):
    theirs = randomised(make_theirs().double())
    ours = make_ours().to(device).double()
    ours.load_state_dict(torch_state(theirs), strict=True)
    rng = np.random.default_rng(3)
    for step in range(3):   # training: batch statistics, running statistics updated each step
        x = rng.standard_normal(shape) * 2 + 1
        upstream = rng.standard_normal(shape)
        ours.zero_grad()
        theirs.zero_grad()
        ours_x = Tensor(x, device=device, requires_grad=True)
        theirs_x = torch.tensor(x, requires_grad=True)
        out, expected = ours(ours_x), theirs(theirs_x)
        assert_close(out, expected, f"training output, step {step}")
        out.backward(Tensor(upstream, device=device))
        expected.backward(torch.tensor(upstream))
        assert_close(ours_x.grad, theirs_x.grad, f"input gradient, step {step}")
        for (key, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert_close(p.grad, q.grad, f"gradient of {key}, step {step}")
    for key, value in theirs.state_dict().items():
        assert_close(ours.state_dict()[key], value, f"{key} after 3 training steps")
    ours.eval()
    theirs.eval()
    x = rng.standard_normal(shape)
    assert_close(ours(Tensor(x, device=device)), theirs(torch.tensor(x)), "evaluation output")
    assert_close(ours.state_dict().get("num_batches_tracked", Tensor(0)),
                 theirs.state_dict().get("num_batches_tracked", torch.tensor(0)), "evaluation counts no batch")


@pytest.mark.parametrize("name, make_ours, make_theirs, shape", MODULE_PAIRS, ids=[c[0] for c in MODULE_PAIRS])
def test_state_dicts_load_both_ways_strictly(name, make_ours, make_theirs, shape):
    theirs = randomised(make_theirs(), seed=7)
    theirs.train()(torch.randn(shape))   # move the running statistics away from their start
    ours = make_ours()
    ours.load_state_dict(torch_state(theirs), strict=True)
    back = make_theirs()
    back.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}, strict=True)
    for key, value in theirs.state_dict().items():
        assert torch.equal(back.state_dict()[key], value), key
    if "num_batches_tracked" in theirs.state_dict():
        # batch norm counted the batch; instance norm, as PyTorch's, counts none
        assert ours.num_batches_tracked.dtype == tg.int64
        assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item()


def test_batch_norm_second_derivatives_through_the_batch_statistics(device):
    theirs = randomised(torch.nn.BatchNorm2d(2).double())
    ours = nn.BatchNorm2d(2).to(device).double()
    ours.load_state_dict(torch_state(theirs))
    check_against_torch(lambda x: ours(x).tanh(), lambda x: theirs(x).tanh(), [(3, 2, 2, 2)], device=device,
                        double=True)


def test_module_dtype_and_device_arguments_and_to_keep_the_counter_an_integer():
    bn = nn.BatchNorm1d(3, dtype=tg.float64)
    assert bn.weight.dtype == tg.float64 and bn.running_mean.dtype == tg.float64
    bn.float()
    assert bn.running_var.dtype == tg.float32 and bn.num_batches_tracked.dtype == tg.int64
    assert nn.LayerNorm(2, dtype=tg.float64).bias.dtype == tg.float64


def test_reset_running_stats_and_momentum_none_is_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None, affine=False)
    batches = [np.random.default_rng(i).standard_normal((4, 2)) for i in range(3)]
    for b in batches:
        bn(Tensor(b))
    np.testing.assert_allclose(bn.running_mean.numpy(), np.mean([b.mean(0) for b in batches], axis=0), rtol=1e-5)
    # batch k weighs 1/k, so the first batch replaces the starting values and the result is the plain mean
    np.testing.assert_allclose(bn.running_var.numpy(), np.mean([b.var(0, ddof=1) for b in batches], axis=0),
                               rtol=1e-5)
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0, 0] and bn.running_var.tolist() == [1, 1]
    assert bn.num_batches_tracked.item() == 0


# ---- bad input ------------------------------------------------------------------------------

def test_batch_norm_refuses_wrong_inputs_and_changes_nothing():
    bn = nn.BatchNorm2d(3)
    with pytest.raises(ValueError, match=r"BatchNorm2d: expected 4-D input, got 2-D input of shape \(4, 3\)"):
        bn(tg.randn(4, 3))
    with pytest.raises(ShapeError, match=r"BatchNorm2d: expected 3 channels .* shape \(2, 4, 2, 2\)"):
        bn(tg.randn(2, 4, 2, 2))
    with pytest.raises(ValueError, match=r"more than 1 value per channel when training.*\(1, 3, 1, 1\)"):
        bn(tg.randn(1, 3, 1, 1))
    assert bn.num_batches_tracked.item() == 0 and bn.running_mean.tolist() == [0, 0, 0]
    with pytest.raises(ValueError, match="BatchNorm1d: expected 2-D or 3-D input, got 4-D"):
        nn.BatchNorm1d(3)(tg.randn(2, 3, 1, 1))
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(3, momentum="fast")


def test_functional_errors_name_the_op_and_the_shapes():
    with pytest.raises(ShapeError, match=r"layer_norm: normalized_shape=\(4,\) needs an input of shape \(\*, 4\), "
                                         r"got an input of shape \(2, 3\)"):
        F.layer_norm(tg.randn(2, 3), [4])
    with pytest.raises(ShapeError, match=r"layer_norm: expected weight of shape \(3,\).*got weight of shape \(4,\)"):
        F.layer_norm(tg.randn(2, 3), [3], tg.ones(4))
    with pytest.raises(ValueError, match="layer_norm: normalized_shape must hold at least one size"):
        F.layer_norm(tg.randn(2, 3), [])
    with pytest.raises(ShapeError, match=r"group_norm: num_groups=2 must be a positive int that divides the 5 "
                                         r"channels of the input of shape \(2, 5, 3\)"):
        F.group_norm(tg.randn(2, 5, 3), 2)
    with pytest.raises(ShapeError, match=r"batch_norm: expected running_mean of shape \(3,\)"):
        F.batch_norm(tg.randn(2, 3), tg.zeros(4), tg.ones(4))
    with pytest.raises(ValueError, match="batch_norm: running_mean and running_var must be given in evaluation"):
        F.batch_norm(tg.randn(2, 3), None, None)
    with pytest.raises(DTypeError, match="layer_norm: input must be floating point.*int64"):
        F.layer_norm(Tensor([[1, 2, 3]]), [3])
    with pytest.raises(ValueError, match="GroupNorm: num_channels=5 must be divisible by num_groups=2"):
        nn.GroupNorm(2, 5)
    with pytest.raises(ShapeError, match=r"GroupNorm: expected an input of shape \(N, 4, \*\), got \(2, 6\)"):
        nn.GroupNorm(2, 4)(tg.randn(2, 6))
    with pytest.raises(ValueError, match="LayerNorm: normalized_shape must be an int or a non-empty tuple"):
        nn.LayerNorm(())


def test_an_empty_batch_passes_through_and_leaves_the_statistics_alone():
    bn = nn.BatchNorm1d(3)
    out = bn(tg.randn(0, 3))
    assert out.shape == (0, 3)
    assert bn.running_mean.tolist() == [0, 0, 0] and bn.running_var.tolist() == [1, 1, 1]


def test_rms_instance_and_local_response_norm_refuse_bad_input_naming_layer_and_shapes():
    with pytest.raises(ShapeError, match=r"rms_norm: normalized_shape=\(4,\) needs an input of shape \(\*, 4\), "
                                         r"got an input of shape \(2, 3\)"):
        F.rms_norm(tg.randn(2, 3), [4])
    with pytest.raises(ShapeError, match=r"rms_norm: expected weight of shape \(3,\).*got weight of shape \(4,\)"):
        F.rms_norm(tg.randn(2, 3), [3], tg.ones(4))
    with pytest.raises(DTypeError, match="rms_norm: input must be floating point.*int64"):
        F.rms_norm(Tensor([[1, 2, 3]]), [3])
    with pytest.raises(ValueError, match="RMSNorm: normalized_shape must be an int or a non-empty tuple"):
        nn.RMSNorm(())
    with pytest.raises(ValueError, match="RMSNorm: eps must be a non-negative number"):
        nn.RMSNorm(3, eps=-1.0)
    with pytest.raises(ShapeError, match=r"instance_norm: expected an input of shape \(N, C, \*\).*\(2, 3\)"):
        F.instance_norm(tg.randn(2, 3))
    with pytest.raises(ValueError, match=r"instance_norm: expected more than 1 spatial element.*\(2, 3, 1\)"):
        F.instance_norm(tg.randn(2, 3, 1))
    with pytest.raises(ShapeError, match=r"instance_norm: expected running_var of shape \(3,\)"):
        F.instance_norm(tg.randn(2, 3, 4), tg.zeros(3), tg.ones(2))
    with pytest.raises(ValueError, match="instance_norm: running_mean and running_var must be given"):
        F.instance_norm(tg.randn(2, 3, 4), use_input_stats=False)
    with pytest.raises(ValueError, match=r"InstanceNorm1d: expected 2-D \(unbatched\) or 3-D input, got 4-D"):
        nn.InstanceNorm1d(3)(tg.randn(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"local_response_norm: size must be a positive int, got 0"):
        F.local_response_norm(tg.randn(2, 3, 4), 0)
    with pytest.raises(ShapeError, match=r"local_response_norm: expected .* at least 3 dims, got \(2, 3\)"):
        F.local_response_norm(tg.randn(2, 3), 2)
    with pytest.raises(ValueError, match="LocalResponseNorm: size must be a positive int"):
        nn.LocalResponseNorm(-1)


def test_instance_norm_channel_mismatch_is_an_error_with_weights_or_buffers_and_a_warning_without():
    norm = nn.InstanceNorm2d(3, affine=True, track_running_stats=True)
    with pytest.raises(ShapeError, match=r"InstanceNorm2d: expected 3 channels .*\(2, 4, 2, 2\)"):
        norm(tg.randn(2, 4, 2, 2))
    assert norm.running_mean.tolist() == [0, 0, 0] and norm.running_var.tolist() == [1, 1, 1]
    x = np.random.default_rng(6).standard_normal((2, 4, 3))
    with pytest.warns(UserWarning, match="InstanceNorm1d.*num_features=3"):
        out = nn.InstanceNorm1d(3)(Tensor(x))
    assert_close(out, TF.instance_norm(torch.tensor(x)), "normalised all the same, as PyTorch")
