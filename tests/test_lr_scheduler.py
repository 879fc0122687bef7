"""Learning-rate schedules: every one follows torch.optim.lr_scheduler exactly, epoch by epoch."""
from __future__ import annotations

import math

import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import optim
from tinygrad_edu.optim import lr_scheduler

EPOCHS = 14
# torch's own warning when a scheduler inside SequentialLR restarts before the optimizer stepped
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before:UserWarning")


def _optimizer(lib, kind: str = "SGD", lr: float = 0.1):
    """Two parameter groups with different learning rates (momentum/betas for OneCycleLR)."""
    module = torch if lib is torch.optim else tg
    groups = [{"params": [module.zeros(1, requires_grad=True)]},
              {"params": [module.zeros(1, requires_grad=True)], "lr": 0.3}]
    if kind == "Adam":
        return lib.Adam(groups, lr=lr)
    if kind == "Adagrad":
        return lib.Adagrad(groups, lr=lr)
    return lib.SGD(groups, lr=lr, momentum=0.9)


def _decay(epoch):
    return 0.95 ** epoch


def _tenth_off(epoch):
    return 0.9


SCHEDULES = {
    "StepLR": lambda L, o: L.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=5, eta_min=0.01),   # past T_max: climbs back
    "LambdaLR": lambda L, o: L.LambdaLR(o, lr_lambda=_decay),
    "LambdaLR-per-group": lambda L, o: L.LambdaLR(o, lr_lambda=[_decay, lambda e: 1 / (e + 1)]),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lr_lambda=_tenth_off),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=4),
    "LinearLR-down": lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=6),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=3),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=8, power=2.0),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=EPOCHS),
    "OneCycleLR-three-phase": lambda L, o: L.OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=7, pct_start=0.25,
                                                         three_phase=True, anneal_strategy="linear",
                                                         div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR-no-momentum": lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=EPOCHS, cycle_momentum=False,
                                                         base_momentum=0.8, max_momentum=0.9),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001),
    "SequentialLR": lambda L, o: L.SequentialLR(o, [L.LinearLR(o, 0.1, 1.0, 3), L.MultiplicativeLR(o, _tenth_off),
                                                    L.CosineAnnealingLR(o, T_max=5)], milestones=[3, 7]),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler([L.ConstantLR(o, 0.5, 4), L.ExponentialLR(o, 0.9)]),
    "Chained-in-Sequential": lambda L, o: L.SequentialLR(
        o, [L.ChainedScheduler([L.ConstantLR(o, 0.5, 2), L.ExponentialLR(o, 0.8)]), L.StepLR(o, 2, 0.5)],
        milestones=[5]),
}


def _momenta(opt):
    return [(group.get("momentum"), tuple(group["betas"]) if "betas" in group else None) for group in opt.param_groups]


def _assert_same_schedule(ours, theirs, our_opt, their_opt, when: str) -> None:
    # exactly, not approximately: the same arithmetic in the same order
    assert ours.get_last_lr() == theirs.get_last_lr(), when
    assert [g["lr"] for g in our_opt.param_groups] == [g["lr"] for g in their_opt.param_groups], when
    assert _momenta(our_opt) == _momenta(their_opt), when
    if hasattr(theirs, "last_epoch"):
        assert ours.last_epoch == theirs.last_epoch, when


@pytest.mark.parametrize("kind", ["SGD", "Adam"])
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_schedule_matches_torch_epoch_by_epoch(name, kind):
    our_opt, their_opt = _optimizer(optim, kind), _optimizer(torch.optim, kind)
    ours, theirs = SCHEDULES[name](lr_scheduler, our_opt), SCHEDULES[name](torch.optim.lr_scheduler, their_opt)
    _assert_same_schedule(ours, theirs, our_opt, their_opt, "after construction")
    for epoch in range(1, EPOCHS):
        our_opt.step()
        their_opt.step()
        ours.step()
        theirs.step()
        _assert_same_schedule(ours, theirs, our_opt, their_opt, f"epoch {epoch}")


def _scheduled_run(name, epochs, opt=None, scheduler=None):
    opt = opt or _optimizer(optim, "Adam")
    scheduler = scheduler or SCHEDULES[name](lr_scheduler, opt)
    for _ in range(epochs):
        opt.step()
        scheduler.step()
    return opt, scheduler


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_every_schedule_resumes_from_its_state_dict_exactly(name, tmp_path):
    opt, scheduler = _scheduled_run(name, 5)
    checkpoint_path = tmp_path / "checkpoint.safetensors"
    tg.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, checkpoint_path)
    uninterrupted = []
    for _ in range(EPOCHS - 6):
        opt.step()
        scheduler.step()
        uninterrupted.append((scheduler.get_last_lr(), _momenta(opt), scheduler.state_dict()))

    fresh_opt = _optimizer(optim, "Adam", lr=1.0)
    fresh = SCHEDULES[name](lr_scheduler, fresh_opt)
    checkpoint = tg.load(checkpoint_path)
    fresh_opt.load_state_dict(checkpoint["optimizer"])
    fresh.load_state_dict(checkpoint["scheduler"])
    for epoch, expected in enumerate(uninterrupted):
        fresh_opt.step()
        fresh.step()
        assert (fresh.get_last_lr(), _momenta(fresh_opt), fresh.state_dict()) == expected, f"epoch {epoch}"


def test_state_dict_is_a_copy_and_holds_torchs_names():
    opt = _optimizer(optim)
    scheduler = lr_scheduler.MultiStepLR(opt, milestones=[2, 4])
    their_keys = set(torch.optim.lr_scheduler.MultiStepLR(_optimizer(torch.optim), milestones=[2, 4]).state_dict())
    state = scheduler.state_dict()
    assert set(state) <= their_keys and {"last_epoch", "base_lrs", "_last_lr", "milestones", "gamma"} <= set(state)
    for _ in range(3):
        scheduler.step()
    assert state["last_epoch"] == 0 and state["_last_lr"] == [0.1, 0.3]


def test_lambda_lr_saves_the_attributes_of_a_callable_object_but_not_a_function():
    class Warmup:
        def __init__(self, steps):
            self.steps = steps

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.steps)

    opt = _optimizer(optim)
    scheduler = lr_scheduler.LambdaLR(opt, [Warmup(4), _decay])
    assert scheduler.state_dict()["lr_lambdas"] == [{"steps": 4}, None]
    other = lr_scheduler.LambdaLR(_optimizer(optim), [Warmup(10), _decay])
    other.load_state_dict(scheduler.state_dict())
    assert other.lr_lambdas[0].steps == 4 and other.lr_lambdas[1] is _decay


@pytest.mark.parametrize("options", [
    dict(),
    dict(mode="max", patience=1),
    dict(threshold_mode="abs", threshold=0.05, patience=0, cooldown=2, factor=0.5),
    dict(mode="max", threshold_mode="abs", threshold=0.1, patience=1, min_lr=[0.05, 0.001]),
    dict(patience=0, factor=0.5, min_lr=0.01, eps=0.02),
], ids=lambda options: ",".join(f"{k}={v}" for k, v in options.items()) or "defaults")
def test_reduce_lr_on_plateau_matches_torch(options):
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.899, 0.9, 0.9, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.1, float("nan"), 0.1] * 2
    our_opt, their_opt = _optimizer(optim), _optimizer(torch.optim)
    ours = lr_scheduler.ReduceLROnPlateau(our_opt, **options)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(their_opt, **options)
    for i, metric in enumerate(metrics):
        ours.step(tg.tensor(metric) if i % 2 else metric)   # a number or a 0-d tensor, as in PyTorch
        theirs.step(metric)
        assert ours.get_last_lr() == theirs.get_last_lr(), f"epoch {i}"
        assert (ours.num_bad_epochs, ours.cooldown_counter, ours.last_epoch) == \
               (theirs.num_bad_epochs, theirs.cooldown_counter, theirs.last_epoch)


def test_reduce_lr_on_plateau_resumes_from_its_state_dict(tmp_path):
    def make():
        opt = _optimizer(optim)
        return opt, lr_scheduler.ReduceLROnPlateau(opt, patience=1, cooldown=1, factor=0.5)
    metrics = [1.0, 1.0, 1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    opt, scheduler = make()
    for metric in metrics[:3]:
        scheduler.step(metric)
    tg.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "plateau.safetensors")
    resumed_opt, resumed = make()
    checkpoint = tg.load(tmp_path / "plateau.safetensors")
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    for metric in metrics[3:]:
        scheduler.step(metric)
        resumed.step(metric)
        assert resumed.get_last_lr() == scheduler.get_last_lr()
        assert resumed.state_dict() == scheduler.state_dict()


def test_cosine_warm_restarts_accepts_fractional_epochs_like_torch():
    our_opt, their_opt = _optimizer(optim), _optimizer(torch.optim)
    ours = lr_scheduler.CosineAnnealingWarmRestarts(our_opt, T_0=2, T_mult=3, eta_min=0.01)
    theirs = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(their_opt, T_0=2, T_mult=3, eta_min=0.01)
    for epoch in range(12):
        for i in range(4):
            ours.step(epoch + i / 4)
            theirs.step(epoch + i / 4)
            assert ours.get_last_lr() == theirs.get_last_lr() and ours.T_i == theirs.T_i
            assert ours.last_epoch == theirs.last_epoch


def test_resuming_with_last_epoch_matches_torch_and_needs_initial_lr():
    our_opt, their_opt = _optimizer(optim), _optimizer(torch.optim)
    with pytest.raises(KeyError, match=r"StepLR: resuming at last_epoch=4 needs 'initial_lr' in param group"):
        lr_scheduler.StepLR(our_opt, step_size=3, last_epoch=4)
    assert all("initial_lr" not in group for group in our_opt.param_groups)   # nothing half-done
    for opt in (our_opt, their_opt):
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"]
    ours = lr_scheduler.CosineAnnealingLR(our_opt, T_max=6, last_epoch=2)
    theirs = torch.optim.lr_scheduler.CosineAnnealingLR(their_opt, T_max=6, last_epoch=2)
    for _ in range(5):
        assert ours.get_last_lr() == theirs.get_last_lr() and ours.last_epoch == theirs.last_epoch
        our_opt.step()
        their_opt.step()
        ours.step()
        theirs.step()


def test_one_cycle_refuses_to_step_past_total_steps_and_changes_nothing():
    opt = _optimizer(optim)
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(3):
        scheduler.step()
    before = (scheduler.last_epoch, scheduler.get_last_lr(), [dict(g, params=None) for g in opt.param_groups])
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 4 times, but total_steps is 3"):
        scheduler.step()
    assert (scheduler.last_epoch, scheduler.get_last_lr(), [dict(g, params=None) for g in opt.param_groups]) == before


NOT_AN_OPTIMIZER = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)   # torch's, not ours


@pytest.mark.parametrize("make", [
    lambda o: lr_scheduler.StepLR(o, 2),
    lambda o: lr_scheduler.MultiStepLR(o, [2]),
    lambda o: lr_scheduler.ExponentialLR(o, 0.9),
    lambda o: lr_scheduler.CosineAnnealingLR(o, 5),
    lambda o: lr_scheduler.LambdaLR(o, _decay),
    lambda o: lr_scheduler.MultiplicativeLR(o, _decay),
    lambda o: lr_scheduler.LinearLR(o),
    lambda o: lr_scheduler.ConstantLR(o),
    lambda o: lr_scheduler.PolynomialLR(o),
    lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=5),
    lambda o: lr_scheduler.ReduceLROnPlateau(o),
    lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, 2),
    lambda o: lr_scheduler.SequentialLR(o, [], []),
    lambda o: lr_scheduler.ChainedScheduler([], optimizer=o),
], ids=["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR", "MultiplicativeLR", "LinearLR",
        "ConstantLR", "PolynomialLR", "OneCycleLR", "ReduceLROnPlateau", "CosineAnnealingWarmRestarts",
        "SequentialLR", "ChainedScheduler"])
def test_every_scheduler_refuses_something_that_is_not_an_optimizer(make):
    with pytest.raises(TypeError, match=r"expected an Optimizer, got SGD"):
        make(NOT_AN_OPTIMIZER)


def _other_schedulers(o):
    return [lr_scheduler.StepLR(o, 2), lr_scheduler.ExponentialLR(o, 0.9)]


@pytest.mark.parametrize("make, error, message", [
    (lambda o: lr_scheduler.MultiStepLR(o, [2, -1]), ValueError, "MultiStepLR: each milestone must be an int >= 0"),
    (lambda o: lr_scheduler.ExponentialLR(o, gamma=-0.5), ValueError, "ExponentialLR: gamma must be a number >= 0"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), ValueError, "CosineAnnealingLR: T_max must be an int"),
    (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=float("nan")), ValueError, "eta_min must be"),
    (lambda o: lr_scheduler.LambdaLR(o, [_decay]), ValueError, "lr_lambda has 1 values, but the optimizer has 2"),
    (lambda o: lr_scheduler.MultiplicativeLR(o, 0.9), TypeError, "lr_lambda must be a function, got float"),
    (lambda o: lr_scheduler.LinearLR(o, start_factor=0.0), ValueError, "start_factor must be a number > 0.0 and <= 1"),
    (lambda o: lr_scheduler.LinearLR(o, end_factor=1.5), ValueError, "end_factor must be"),
    (lambda o: lr_scheduler.ConstantLR(o, factor=2.0), ValueError, "ConstantLR: factor must be"),
    (lambda o: lr_scheduler.StepLR(o, step_size=2, last_epoch=-3), ValueError, "last_epoch must be an int >= -1"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0), ValueError, "give either total_steps or both epochs"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0, total_steps=0), ValueError, "total_steps must be an int >= 1"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError, "pct_start must be"),
    (lambda o: lr_scheduler.OneCycleLR(o, 1.0, 10, anneal_strategy="cosine"), ValueError, "'cos' or 'linear'"),
    (lambda o: lr_scheduler.OneCycleLR(o, [1.0, 2.0, 3.0], 10), ValueError, "max_lr has 3 values"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), ValueError, "factor must be < 1.0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="lowest"), ValueError, "mode must be 'min' or 'max'"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold_mode must be"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=-1), ValueError, "patience must be an int >= 0"),
    (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "min_lr has 1 values"),
    (lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult must be"),
    (lambda o: lr_scheduler.SequentialLR(o, _other_schedulers(o), []), ValueError, "2 schedulers need 1 milestones"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2), "x"], [3]), TypeError,
     "scheduler 1 is a str, not an LRScheduler"),
    (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.ReduceLROnPlateau(o)], []), ValueError,
     "needs the metric"),
    (lambda o: lr_scheduler.ChainedScheduler(
        [lr_scheduler.StepLR(o, 2), lr_scheduler.StepLR(_optimizer(optim), 2)]), ValueError,
     "scheduler 1 \\(StepLR\\) belongs to another optimizer"),
    (lambda o: lr_scheduler.ChainedScheduler([]), TypeError, "expected an Optimizer, got NoneType"),
], ids=lambda value: "" if callable(value) or isinstance(value, type) else value[:60])
def test_bad_scheduler_arguments_are_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make(_optimizer(optim))


def test_one_cycle_without_momentum_in_the_optimizer_is_an_error_that_changes_no_group():
    opt = _optimizer(optim, "Adagrad")
    before = [dict(group) for group in opt.param_groups]
    with pytest.raises(ValueError, match="cycle_momentum=True needs an optimizer with momentum or betas; Adagrad"):
        lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    assert opt.param_groups == before
    lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, cycle_momentum=False)   # this is fine


def test_load_state_dict_of_another_kind_of_scheduler_is_refused_and_changes_nothing():
    opt = _optimizer(optim)
    cosine = lr_scheduler.CosineAnnealingLR(opt, T_max=4)
    cosine.step()
    before = cosine.state_dict()
    step_state = lr_scheduler.StepLR(_optimizer(optim), step_size=2).state_dict()
    with pytest.raises(ValueError, match=r"CosineAnnealingLR.load_state_dict: the saved state lacks \['T_max'"):
        cosine.load_state_dict(step_state)
    with pytest.raises(TypeError, match="expected a dict"):
        cosine.load_state_dict([1, 2])
    assert cosine.state_dict() == before


def test_cosine_annealing_follows_the_closed_form_within_one_period():
    opt = _optimizer(optim)
    scheduler = lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
    for epoch in range(1, 11):
        opt.step()
        scheduler.step()
        expected = [0.001 + (base - 0.001) * (1 + math.cos(math.pi * epoch / 10)) / 2 for base in (0.1, 0.3)]
        assert scheduler.get_last_lr() == pytest.approx(expected, rel=1e-12)
