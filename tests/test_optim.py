"""Optimizers: every update rule follows PyTorch's trajectory step by step, in float32."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim

STEPS = 6
SHAPES = [(3, 4), (3,)]


def _start_values(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for shape in SHAPES]


def _loss(w, b, x, c):
    """A small non-quadratic loss, written with operators both frameworks share."""
    return ((w @ x + b) ** 2).sum() + ((w * c).tanh() * 0.5).sum()


def _constants(module_tensor, device=None):
    rng = np.random.default_rng(42)
    x = rng.standard_normal(4).astype(np.float32)
    c = rng.standard_normal((3, 4)).astype(np.float32)
    if device is None:
        return module_tensor(x), module_tensor(c)
    return module_tensor(x, device=device), module_tensor(c, device=device)


def _torch_trajectory(make_optimizer, steps: int = STEPS) -> list[list[np.ndarray]]:
    params = [torch.tensor(v, requires_grad=True) for v in _start_values()]
    x, c = _constants(torch.tensor)
    opt = make_optimizer(torch.optim, params)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        _loss(*params, x, c).backward()
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history


def _our_trajectory(make_optimizer, device: str = "cpu", steps: int = STEPS) -> list[list[np.ndarray]]:
    params = [tg.Tensor(v, device=device, requires_grad=True) for v in _start_values()]
    x, c = _constants(tg.Tensor, device)
    opt = make_optimizer(optim, params)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        _loss(*params, x, c).backward()
        opt.step()
        history.append([p.numpy().copy() for p in params])
    return history


def _assert_same_trajectory(ours, theirs) -> None:
    for step, (our_params, their_params) in enumerate(zip(ours, theirs)):
        for i, (a, b) in enumerate(zip(our_params, their_params)):
            assert a.dtype == np.float32
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6, err_msg=f"step {step + 1}, parameter {i}")


SGD_OPTIONS = [
    dict(lr=0.05),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.02, momentum=0.5, dampening=0.1, weight_decay=0.05),
    dict(lr=0.02, momentum=0.7, weight_decay=0.05, nesterov=True),
]

ADAM_OPTIONS = [
    dict(),
    dict(lr=0.05),
    dict(lr=0.05, betas=(0.8, 0.99)),
    dict(lr=0.05, betas=(0.0, 0.5)),
    dict(lr=0.05, eps=1e-2),
    dict(lr=0.05, weight_decay=0.1),
    dict(lr=0.05, amsgrad=True),
    dict(lr=0.02, betas=(0.7, 0.9), eps=1e-4, weight_decay=0.2, amsgrad=True),
]


def _ids(options: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in options.items()) or "defaults"


@pytest.mark.parametrize("options", SGD_OPTIONS, ids=_ids)
def test_sgd_trajectory_matches_torch_for_every_option(options, device):
    theirs = _torch_trajectory(lambda lib, params: lib.SGD(params, **options))
    ours = _our_trajectory(lambda lib, params: lib.SGD(params, **options), device)
    _assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize("options", ADAM_OPTIONS, ids=_ids)
def test_adam_trajectory_matches_torch_for_every_option(options, device):
    theirs = _torch_trajectory(lambda lib, params: lib.Adam(params, **options))
    ours = _our_trajectory(lambda lib, params: lib.Adam(params, **options), device)
    _assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_param_groups_with_their_own_hyperparameters_match_torch(name):
    def make(lib, params):
        groups = [{"params": [params[0]]}, {"params": [params[1]], "lr": 0.2, "weight_decay": 0.1}]
        return getattr(lib, name)(groups, lr=0.03, **({"momentum": 0.8} if name == "SGD" else {}))
    _assert_same_trajectory(_our_trajectory(make), _torch_trajectory(make))


def test_step_updates_parameter_arrays_in_place_on_their_device(device):
    p = tg.Tensor(_start_values()[0], device=device, requires_grad=True)
    data = p.array
    opt = optim.Adam([p], lr=0.1)
    (p * p).sum().backward()
    opt.step()
    # The old array saw the update: it was changed in place, not replaced by a new one.
    np.testing.assert_array_equal(tg.backend.to_numpy(data, device), p.numpy())
    assert not np.allclose(p.numpy(), _start_values()[0])
    # State entries are Tensors on p's device, outside the graph, as PyTorch users read them.
    for name in ("exp_avg", "exp_avg_sq"):
        state = opt.state[p][name]
        assert isinstance(state, tg.Tensor) and state.device == device and not state.requires_grad
        assert type(state.array) is type(p.array) and state.dtype == p.dtype


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps, lr=0.1)])
def test_parameters_without_gradient_are_skipped_and_get_no_state(make):
    used = tg.Tensor([1.0, 2.0], requires_grad=True)
    unused = tg.Tensor([3.0, 4.0], requires_grad=True)
    opt = make([used, unused])
    (used * used).sum().backward()
    opt.step()
    np.testing.assert_array_equal(unused.numpy(), [3.0, 4.0])
    assert unused not in opt.state and used in opt.state


def test_zero_grad_sets_gradients_to_none_by_default():
    p = tg.Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    (p * 3).sum().backward()
    opt.zero_grad()
    assert p.grad is None


def test_zero_grad_without_set_to_none_gives_zero_gradients_and_leaves_shared_arrays_alone():
    a = tg.Tensor([1.0, 2.0], requires_grad=True)
    upstream = tg.Tensor([5.0, 6.0])
    (a + 0.0).backward(upstream)      # the gradient of a may be the very array of `upstream`
    optim.SGD([a], lr=0.1).zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(upstream.numpy(), [5.0, 6.0])


def test_step_with_closure_returns_the_loss():
    p = tg.Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.numpy(), [0.8, 1.6], rtol=1e-6)


def _run(opt, params, steps):
    x, c = _constants(tg.Tensor)
    for _ in range(steps):
        opt.zero_grad()
        _loss(*params, x, c).backward()
        opt.step()


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True),
    lambda ps: optim.Adam([{"params": ps[:1]}, {"params": ps[1:], "lr": 0.01, "betas": (0.5, 0.6)}]),
], ids=["sgd", "adam", "adam-groups"])
def test_state_dict_round_trip_continues_exactly_like_an_uninterrupted_run(make):
    params = [tg.Tensor(v, requires_grad=True) for v in _start_values()]
    opt = make(params)
    _run(opt, params, 3)
    saved_params = [p.numpy().copy() for p in params]
    saved_state = opt.state_dict()
    _run(opt, params, 3)
    uninterrupted = [p.numpy().copy() for p in params]

    resumed_params = [tg.Tensor(v, requires_grad=True) for v in saved_params]
    resumed = make(resumed_params)
    resumed.load_state_dict(saved_state)
    _run(resumed, resumed_params, 3)
    for a, b in zip(resumed_params, uninterrupted):
        np.testing.assert_array_equal(a.numpy(), b)


def test_state_dict_numbers_parameters_like_torch_and_is_a_copy():
    p, q = (tg.Tensor(v, requires_grad=True) for v in _start_values())
    opt = optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1, momentum=0.9)
    _run(opt, [p, q], 1)
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.5 and sd["param_groups"][0]["momentum"] == 0.9
    buffer = sd["state"][0]["momentum_buffer"].numpy().copy()
    _run(opt, [p, q], 1)
    np.testing.assert_array_equal(sd["state"][0]["momentum_buffer"].numpy(), buffer)


def test_state_dict_survives_save_and_load_to_a_file(tmp_path):
    params = [tg.Tensor(v, requires_grad=True) for v in _start_values()]
    opt = optim.Adam(params, lr=0.05, betas=(0.8, 0.9))
    _run(opt, params, 2)
    tg.save(opt.state_dict(), tmp_path / "opt.safetensors")
    fresh = optim.Adam(params, lr=1.0)
    fresh.load_state_dict(tg.load(tmp_path / "opt.safetensors"))
    assert fresh.param_groups[0]["betas"] == (0.8, 0.9) and fresh.param_groups[0]["lr"] == 0.05
    for p in params:
        assert fresh.state[p]["step"] == 2
        np.testing.assert_array_equal(fresh.state[p]["exp_avg"].numpy(), opt.state[p]["exp_avg"].numpy())


def test_load_state_dict_moves_state_to_the_parameter_device(device):
    cpu_params = [tg.Tensor(v, requires_grad=True) for v in _start_values()]
    opt = optim.SGD(cpu_params, lr=0.1, momentum=0.9)
    _run(opt, cpu_params, 1)
    params = [p.detach().to(device).requires_grad_() for p in cpu_params]
    moved = optim.SGD(params, lr=0.1, momentum=0.9)
    moved.load_state_dict(opt.state_dict())
    buffer = moved.state[params[0]]["momentum_buffer"]
    assert buffer.device == params[0].device and type(buffer.array) is type(params[0].array)


@pytest.mark.parametrize("change, message", [
    (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0])), "2 parameter groups"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), "1 parameters in the saved state but 2"),
    (lambda sd: sd["state"].update({1: {"momentum_buffer": tg.zeros(7)}}), r"shape \(7,\).*shape \(3,\)"),
    (lambda sd: sd["state"].update({5: {"momentum_buffer": tg.zeros(3)}}), "parameter 5"),
    (lambda sd: sd["param_groups"][0].update(lr=-1.0), "invalid lr -1.0"),
    (lambda sd: sd.pop("state"), "keys 'state' and 'param_groups'"),
])
def test_mismatched_state_dict_is_a_clear_error_that_changes_nothing(change, message):
    params = [tg.Tensor(v, requires_grad=True) for v in _start_values()]
    opt = optim.SGD(params, lr=0.1, momentum=0.9)
    _run(opt, params, 1)
    before = opt.state_dict()
    sd = opt.state_dict()
    change(sd)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(sd)
    assert opt.param_groups[0]["lr"] == 0.1 and len(opt.param_groups) == 1
    for i, p in enumerate(params):
        expected = before["state"][i]["momentum_buffer"].numpy()
        np.testing.assert_array_equal(opt.state[p]["momentum_buffer"].numpy(), expected)


@pytest.mark.parametrize("make, error, message", [
    (lambda p: optim.SGD([p], lr=-0.1), ValueError, "SGD: invalid lr -0.1"),
    (lambda p: optim.SGD([p], lr=0.1, momentum=-0.5), ValueError, "SGD: invalid momentum"),
    (lambda p: optim.SGD([p], lr=0.1, weight_decay=-1), ValueError, "SGD: invalid weight_decay"),
    (lambda p: optim.SGD([p], lr=0.1, nesterov=True), ValueError, "Nesterov momentum needs momentum > 0"),
    (lambda p: optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), ValueError, "dampening = 0"),
    (lambda p: optim.Adam([p], lr=-1e-3), ValueError, "Adam: invalid lr"),
    (lambda p: optim.Adam([p], lr=float("nan")), ValueError, "Adam: invalid lr nan"),
    (lambda p: optim.Adam([p], betas=(1.0, 0.999)), ValueError, r"invalid beta1 1.0"),
    (lambda p: optim.Adam([p], betas=(0.9, -0.1)), ValueError, r"invalid beta2 -0.1"),
    (lambda p: optim.Adam([p], betas=(0.9,)), ValueError, "betas must be a pair"),
    (lambda p: optim.Adam([p], eps=-1.0), ValueError, "Adam: invalid eps"),
    (lambda p: optim.SGD([], lr=0.1), ValueError, "SGD: got an empty parameter list"),
    (lambda p: optim.Adam(iter([])), ValueError, "Adam: got an empty parameter list"),
    (lambda p: optim.SGD(p, lr=0.1), TypeError, r"single Tensor of shape \(2,\).*\[t\]"),
    (lambda p: optim.SGD([p, [1.0]], lr=0.1), TypeError, "parameter 1 is a list, expected a Tensor"),
    (lambda p: optim.SGD([tg.Tensor([1, 2])], lr=0.1), TypeError, "dtype int64.*only floating-point"),
    (lambda p: optim.Adam([p * 2]), ValueError, "not a leaf tensor"),
    (lambda p: optim.SGD([p, p], lr=0.1), ValueError, "appear more than once"),
    (lambda p: optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1), ValueError, "appear more than once"),
    (lambda p: optim.SGD([{"weights": [p]}], lr=0.1), TypeError, "'params' key"),
])
def test_bad_optimizer_arguments_are_clear_errors(make, error, message):
    p = tg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(error, match=message):
        make(p)


def test_step_lr_matches_torch_schedule_for_every_group():
    ours = optim.SGD([{"params": [tg.zeros(1, requires_grad=True)]},
                      {"params": [tg.zeros(1, requires_grad=True)], "lr": 0.3}], lr=0.1)
    theirs = torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]},
                              {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.3}], lr=0.1)
    our_scheduler = optim.lr_scheduler.StepLR(ours, step_size=3, gamma=0.5)
    their_scheduler = torch.optim.lr_scheduler.StepLR(theirs, step_size=3, gamma=0.5)
    assert our_scheduler.get_last_lr() == their_scheduler.get_last_lr()
    for _ in range(10):
        ours.step()
        theirs.step()
        our_scheduler.step()
        their_scheduler.step()
        assert our_scheduler.get_last_lr() == their_scheduler.get_last_lr()   # exactly, not approximately
        assert [g["lr"] for g in ours.param_groups] == [g["lr"] for g in theirs.param_groups]


def test_step_lr_resumes_from_its_state_dict_with_the_optimizer():
    def make(lr):
        opt = optim.SGD([tg.zeros(1, requires_grad=True)], lr=lr)
        return opt, optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    opt, scheduler = make(1.0)
    for _ in range(3):
        scheduler.step()
    opt2, scheduler2 = make(1.0)
    opt2.load_state_dict(opt.state_dict())
    scheduler2.load_state_dict(scheduler.state_dict())
    for _ in range(3):
        scheduler.step()
        scheduler2.step()
    assert scheduler2.get_last_lr() == scheduler.get_last_lr() == pytest.approx([0.001])


@pytest.mark.parametrize("step_size", [0, -1, 1.5])
def test_step_lr_rejects_a_step_size_that_is_not_a_positive_int(step_size):
    opt = optim.SGD([tg.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="StepLR: step_size must be a positive int"):
        optim.lr_scheduler.StepLR(opt, step_size=step_size)


def test_optimizer_code_does_not_import_numpy():
    from pathlib import Path
    for path in (Path(optim.__file__).parent).glob("*.py"):
        assert "import numpy" not in path.read_text(), path


def test_checkpoint_of_model_and_optimizer_resumes_training_exactly(tmp_path):
    from tinygrad_edu import nn
    import tinygrad_edu.nn.functional as F

    def make():
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        opt = optim.Adam(model.parameters(), lr=0.01)
        return model, opt, optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)

    x = tg.randn(16, 4)
    y = tg.Tensor(np.arange(16) % 3)

    def epoch(model, opt, scheduler):
        for i in range(0, 16, 4):
            opt.zero_grad()
            F.cross_entropy(model(x[i:i + 4]), y[i:i + 4]).backward()
            opt.step()
        scheduler.step()

    model, opt, scheduler = make()
    for _ in range(3):
        epoch(model, opt, scheduler)
    tg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()},
            tmp_path / "checkpoint.safetensors")
    for _ in range(3):
        epoch(model, opt, scheduler)

    resumed, resumed_opt, resumed_scheduler = make()
    checkpoint = tg.load(tmp_path / "checkpoint.safetensors")
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    resumed_scheduler.load_state_dict(checkpoint["scheduler"])
    for _ in range(3):
        epoch(resumed, resumed_opt, resumed_scheduler)
    for (name, a), b in zip(resumed.state_dict().items(), model.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=name)
    assert resumed_scheduler.get_last_lr() == scheduler.get_last_lr()


def test_load_state_dict_accepts_a_step_count_stored_as_a_0d_tensor_like_torch():
    theirs = [torch.tensor(v, requires_grad=True) for v in _start_values()]
    torch_opt = torch.optim.Adam(theirs, lr=0.05)
    ours = [tg.Tensor(v, requires_grad=True) for v in _start_values()]
    opt = optim.Adam(ours, lr=0.05)
    x, c = _constants(torch.tensor)
    for _ in range(2):
        torch_opt.zero_grad()
        _loss(*theirs, x, c).backward()
        torch_opt.step()
    sd = torch_opt.state_dict()
    converted = {"state": {i: {k: tg.Tensor(v.numpy()) for k, v in s.items()} for i, s in sd["state"].items()},
                 "param_groups": sd["param_groups"]}
    opt.load_state_dict(converted)
    assert opt.state[ours[0]]["step"] == 2
    for p, q in zip(ours, theirs):
        p.array[...] = q.detach().numpy()
    _run(opt, ours, 1)
    torch_opt.zero_grad()
    _loss(*theirs, x, c).backward()
    torch_opt.step()
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=2e-5, atol=2e-6)


# ---- every optimizer, every option: parameters and state against PyTorch, step by step -------------------

TEN_STEPS = 10

OPTIMIZER_CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.02, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True, amsgrad=True)),
    ("Adam", dict(lr=0.05, betas=(0.3, 0.6))),   # beta1 < 0.5: lerp's other rounding branch
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-4, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-3, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, momentum=0.8, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.5, centered=True, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.5)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, eps=1e-4)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1, maximize=True)),
]


def _case_id(case) -> str:
    return case[0] + "(" + _ids(case[1]) + ")"


def _assert_same_state(ours: dict, theirs: dict, where: str) -> None:
    """Every state entry of one parameter: the same names as PyTorch's, the same values."""
    assert set(ours) == set(theirs), f"{where}: state {sorted(ours)} but torch has {sorted(theirs)}"
    for name, value in ours.items():
        expected = theirs[name]
        if name == "step":
            assert value == float(expected), f"{where}: step {value} != {float(expected)}"
        else:
            assert isinstance(value, tg.Tensor), f"{where}: state {name!r} is a {type(value).__name__}"
            np.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=2e-5, atol=2e-6,
                                       err_msg=f"{where}: state {name!r}")


def _step_both(name, make_groups, options, device="cpu", steps=TEN_STEPS, between=None):
    """Run our optimizer and torch's side by side on the same loss; after every step compare
    every parameter and every state entry. `between(step, ours, theirs, our_params, their_params)`
    may change both optimizers at a given step (e.g. add a group)."""
    theirs_p = [torch.tensor(v, requires_grad=True) for v in _start_values()]
    ours_p = [tg.Tensor(v, device=device, requires_grad=True) for v in _start_values()]
    theirs = getattr(torch.optim, name)(make_groups(theirs_p), **options)
    ours = getattr(optim, name)(make_groups(ours_p), **options)
    tx, tc = _constants(torch.tensor)
    ox, oc = _constants(tg.Tensor, device)
    for step in range(steps):
        if between is not None:
            between(step, ours, theirs)
        for opt, params, x, c in ((theirs, theirs_p, tx, tc), (ours, ours_p, ox, oc)):
            opt.zero_grad()
            _loss(*params, x, c).backward()
            opt.step()
        for i, (p, q) in enumerate(zip(ours_p, theirs_p)):
            where = f"{name} step {step + 1}, parameter {i}"
            np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=2e-5, atol=2e-6, err_msg=where)
            _assert_same_state(ours.state.get(p, {}), theirs.state.get(q, {}), where)
    return ours, theirs


@pytest.mark.parametrize("case", OPTIMIZER_CASES, ids=_case_id)
def test_every_optimizer_matches_torch_parameters_and_state_for_ten_steps(case, device):
    name, options = case
    _step_both(name, lambda params: params, options, device)


GROUP_CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9), dict(lr=0.01, momentum=0.5, dampening=0.2, weight_decay=0.1)),
    ("Adam", dict(lr=0.05), dict(lr=0.01, betas=(0.5, 0.7), amsgrad=True, weight_decay=0.2)),
    # GPT's two groups: weight decay for matrices, none for biases
    ("AdamW", dict(lr=0.05, weight_decay=0.1), dict(weight_decay=0.0)),
    ("RMSprop", dict(lr=0.01), dict(lr=0.02, momentum=0.9, centered=True)),
    # (not initial_accumulator_value: torch fills every group's sum with the constructor's value)
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.2), dict(lr=0.3, lr_decay=0.1, weight_decay=0.1)),
    ("Adadelta", dict(), dict(lr=0.3, rho=0.5, weight_decay=0.05)),
]


@pytest.mark.parametrize("case", GROUP_CASES, ids=lambda case: case[0])
def test_parameter_groups_with_their_own_options_match_torch(case, device):
    name, defaults, second_group = case
    ours, theirs = _step_both(name, lambda ps: [{"params": [ps[0]]}, {"params": [ps[1]], **second_group}],
                              defaults, device)
    for our_group, their_group in zip(ours.param_groups, theirs.param_groups):
        for key, value in our_group.items():
            if key != "params":
                assert value == their_group[key], f"group option {key}: {value} != torch's {their_group[key]}"


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adadelta"])
def test_add_param_group_in_the_middle_of_training_matches_torch(name):
    extra = {"SGD": dict(momentum=0.9)}.get(name, {})
    added = {}

    def between(step, ours, theirs):
        if step == 4:   # from step 5 on, the bias trains too, with its own lr
            for opt, params in ((ours, added["ours"]), (theirs, added["theirs"])):
                opt.add_param_group({"params": params[1:], "lr": 0.02})

    def first_group_only(params):
        added["ours" if isinstance(params[0], tg.Tensor) else "theirs"] = params
        return params[:1]
    _step_both(name, first_group_only, dict(lr=0.01, **extra), between=between)


def _make(name, params, **options):
    return getattr(optim, name)(params, **options)


ROUND_TRIP_CASES = [
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1)),
    ("Adam", dict(lr=0.05, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("Adadelta", dict(lr=0.5)),
]


@pytest.mark.parametrize("case", ROUND_TRIP_CASES, ids=lambda case: case[0])
def test_every_optimizer_resumes_from_its_state_dict_exactly(case, tmp_path):
    name, options = case
    params = [tg.Tensor(v, requires_grad=True) for v in _start_values()]
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": 0.02}]
    opt = _make(name, groups, **options)
    _run(opt, params, 4)
    saved_params = [p.numpy().copy() for p in params]
    tg.save(opt.state_dict(), tmp_path / "opt.safetensors")
    _run(opt, params, 4)

    resumed_params = [tg.Tensor(v, requires_grad=True) for v in saved_params]
    resumed = _make(name, [{"params": resumed_params[:1]}, {"params": resumed_params[1:]}], lr=1.0)
    resumed.load_state_dict(tg.load(tmp_path / "opt.safetensors"))
    assert resumed.param_groups[1]["lr"] == 0.02
    _run(resumed, resumed_params, 4)
    for p, q in zip(resumed_params, params):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
        assert set(resumed.state[p]) == set(opt.state[q])
        for key, value in opt.state[q].items():
            if isinstance(value, tg.Tensor):
                np.testing.assert_array_equal(resumed.state[p][key].numpy(), value.numpy(), err_msg=key)
            else:
                assert resumed.state[p][key] == value


@pytest.mark.parametrize("case", ROUND_TRIP_CASES, ids=lambda case: case[0])
def test_state_dict_has_torch_structure_and_crosses_over_both_ways(case):
    """Our state dict loads into torch's optimizer and torch's into ours; both continue as one."""
    name, options = case
    ours, theirs = _step_both(name, lambda ps: [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.02}],
                              options, steps=3)
    our_sd, their_sd = ours.state_dict(), theirs.state_dict()
    assert set(our_sd["state"]) == set(their_sd["state"]) == {0, 1}
    for i in (0, 1):
        assert set(our_sd["state"][i]) == set(their_sd["state"][i])
    for our_group, their_group in zip(our_sd["param_groups"], their_sd["param_groups"]):
        assert our_group["params"] == their_group["params"]
        assert {k: v for k, v in our_group.items()} == {k: their_group[k] for k in our_group}

    def to_torch(sd):
        state = {i: {k: torch.tensor(v.numpy()) if isinstance(v, tg.Tensor) else torch.tensor(float(v))
                     for k, v in s.items()} for i, s in sd["state"].items()}
        return {"state": state, "param_groups": sd["param_groups"]}

    def to_ours(sd):
        state = {i: {k: tg.Tensor(v.numpy()) for k, v in s.items()} for i, s in sd["state"].items()}
        return {"state": state, "param_groups": sd["param_groups"]}

    values = [p.numpy().copy() for g in ours.param_groups for p in g["params"]]
    crossed_ours = [tg.Tensor(v, requires_grad=True) for v in values]
    crossed_theirs = [torch.tensor(v, requires_grad=True) for v in values]
    ours_from_torch = _make(name, [{"params": [crossed_ours[0]]}, {"params": [crossed_ours[1]]}])
    torch_from_ours = getattr(torch.optim, name)([{"params": [crossed_theirs[0]]}, {"params": [crossed_theirs[1]]}])
    ours_from_torch.load_state_dict(to_ours(their_sd))
    torch_from_ours.load_state_dict(to_torch(our_sd))
    _run(ours_from_torch, crossed_ours, 2)
    x, c = _constants(torch.tensor)
    for _ in range(2):
        torch_from_ours.zero_grad()
        _loss(*crossed_theirs, x, c).backward()
        torch_from_ours.step()
    for p, q in zip(crossed_ours, crossed_theirs):
        np.testing.assert_allclose(p.numpy(), q.detach().numpy(), rtol=2e-5, atol=2e-6)


def test_adamw_decays_weights_apart_from_the_gradient_unlike_adams_l2_penalty():
    p = tg.Tensor([10.0], requires_grad=True)
    opt = optim.AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = tg.zeros(1)   # no gradient at all: only the decay moves p
    opt.step()
    np.testing.assert_allclose(p.numpy(), [10.0 * (1 - 0.1 * 0.5)], rtol=1e-6)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    sd = opt.state_dict()
    sd["param_groups"][0]["decoupled_weight_decay"] = False   # AdamW stays AdamW, as in PyTorch
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True


def test_adagrad_fills_each_groups_sum_with_that_groups_initial_accumulator_value():
    """PyTorch takes the constructor's value for every group; a group's own value is honoured here."""
    p, q = tg.Tensor([1.0], requires_grad=True), tg.Tensor([2.0], requires_grad=True)
    opt = optim.Adagrad([{"params": [p]}, {"params": [q], "initial_accumulator_value": 0.7}])
    assert opt.state[p]["sum"].tolist() == [0.0] and opt.state[q]["sum"].item() == pytest.approx(0.7)


def test_adagrad_state_exists_from_the_start_like_torch():
    p = tg.Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adagrad([p], initial_accumulator_value=0.3)
    theirs = torch.optim.Adagrad([torch.tensor([1.0, 2.0], requires_grad=True)], initial_accumulator_value=0.3)
    assert opt.state[p]["step"] == 0
    np.testing.assert_array_equal(opt.state[p]["sum"].numpy(), theirs.state_dict()["state"][0]["sum"].numpy())


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adadelta"])
def test_zero_eps_with_zero_gradient_gives_the_same_silent_nan_as_torch(name):
    import warnings
    p, q = tg.Tensor([1.0, 2.0], requires_grad=True), torch.tensor([1.0, 2.0], requires_grad=True)
    ours, theirs = getattr(optim, name)([p], eps=0.0), getattr(torch.optim, name)([q], eps=0.0)
    p.grad, q.grad = tg.zeros(2), torch.zeros(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours.step()
    theirs.step()
    np.testing.assert_array_equal(p.numpy(), q.detach().numpy())   # nan where torch has nan


@pytest.mark.parametrize("make, error, message", [
    (lambda p: optim.AdamW([p], betas=(0.9, 1.0)), ValueError, r"AdamW: invalid beta2 1.0; it must be in \[0.0, 1.0\)"),
    (lambda p: optim.AdamW([p], weight_decay=-0.1), ValueError, "AdamW: invalid weight_decay -0.1"),
    (lambda p: optim.Adam([p], lr="0.1"), TypeError, r"Adam: lr must be a number, got '0.1'"),
    (lambda p: optim.RMSprop([p], alpha=1.5), ValueError, r"RMSprop: invalid alpha 1.5; it must be in \[0.0, 1.0\]"),
    (lambda p: optim.RMSprop([p], momentum=-0.1), ValueError, "RMSprop: invalid momentum -0.1"),
    (lambda p: optim.RMSprop([p], eps=float("nan")), ValueError, "RMSprop: invalid eps nan"),
    (lambda p: optim.Adagrad([p], lr_decay=-1.0), ValueError, "Adagrad: invalid lr_decay -1.0"),
    (lambda p: optim.Adagrad([p], initial_accumulator_value=-1), ValueError, "invalid initial_accumulator_value -1"),
    (lambda p: optim.Adadelta([p], rho=1.1), ValueError, r"Adadelta: invalid rho 1.1; it must be in \[0.0, 1.0\]"),
    (lambda p: optim.Adadelta([p], lr=-1.0), ValueError, "Adadelta: invalid lr -1.0"),
    (lambda p: optim.SGD([p], lr=0.1, dampening="x"), TypeError, "SGD: dampening must be a number"),
])
def test_bad_arguments_of_the_new_optimizers_are_clear_errors(make, error, message):
    p = tg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(error, match=message):
        make(p)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_a_refused_param_group_leaves_the_optimizer_as_it_was(name):
    p, q = tg.Tensor([1.0], requires_grad=True), tg.Tensor([2.0], requires_grad=True)
    opt = _make(name, [p], lr=0.1)
    before_groups, before_state = opt.state_dict()["param_groups"], set(opt.state)
    with pytest.raises(ValueError, match=f"{name}: invalid lr -1"):
        opt.add_param_group({"params": [q], "lr": -1.0})
    with pytest.raises(ValueError, match="appear more than once"):
        opt.add_param_group({"params": [p]})
    assert opt.state_dict()["param_groups"] == before_groups and set(opt.state) == before_state


def test_a_graph_that_saved_a_state_tensor_refuses_backward_after_a_step():
    """State tensors are changed in place by step(), so their versions move, as in PyTorch."""
    p = tg.Tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    (p * p).sum().backward()
    opt.step()
    w = tg.Tensor([3.0, 4.0], requires_grad=True)
    y = (w * opt.state[p]["exp_avg"]).sum()   # the product saves exp_avg for w's gradient
    version = p._version
    opt.step()
    assert p._version > version
    with pytest.raises(RuntimeError, match="modified by an inplace operation|changed in place|version"):
        y.backward()
