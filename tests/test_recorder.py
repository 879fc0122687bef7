"""tg.study.Recorder: loss, gradient norms, update-to-weight ratios and dead ReLUs per step."""
from __future__ import annotations

import matplotlib.image
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import autograd

LR = 0.01


def make_params(device: str = "cpu") -> dict[str, tg.Tensor]:
    """Two layers; hidden unit 0 has a bias of -100, so it is dead for inputs in [-1, 1]."""
    return {"fc1.weight": tg.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], device=device, requires_grad=True),
            "fc1.bias": tg.tensor([-100.0, 5.0, 5.0], device=device, requires_grad=True),
            "fc2.weight": tg.tensor([[0.5, -0.5, 0.25]], device=device, requires_grad=True),
            "fc2.bias": tg.tensor([0.1], device=device, requires_grad=True)}


def forward(p: dict[str, tg.Tensor], x: tg.Tensor) -> tg.Tensor:
    hidden = (x @ p["fc1.weight"].T + p["fc1.bias"]).relu()
    return hidden @ p["fc2.weight"].T + p["fc2.bias"]


def train_step(p: dict[str, tg.Tensor], x: tg.Tensor, y: tg.Tensor) -> tg.Tensor:
    for t in p.values():
        t.grad = None
    loss = ((forward(p, x) - y) ** 2).mean()
    loss.backward()
    with tg.no_grad():
        for t in p.values():
            t -= LR * t.grad
    return loss


def data(device: str = "cpu") -> tuple[tg.Tensor, tg.Tensor]:
    rng = np.random.default_rng(0)
    return (tg.tensor(rng.uniform(-1, 1, (8, 2)).astype(np.float32), device=device),
            tg.tensor(rng.uniform(-1, 1, (8, 1)).astype(np.float32), device=device))


def test_each_step_logs_loss_gradient_norms_and_update_ratios(device):
    p, (x, y) = make_params(device), data(device)
    with tg.study.Recorder(p) as rec:
        before = {k: t.numpy().copy() for k, t in p.items()}
        loss = train_step(p, x, y)
        record = rec.step(loss)
    assert record.step == 1 and record.loss == pytest.approx(loss.item())
    for name, t in p.items():
        grad_norm = np.linalg.norm(t.grad.numpy())
        assert record.grad_norms[name] == pytest.approx(grad_norm, rel=1e-5)
        expected_ratio = np.linalg.norm(t.numpy() - before[name]) / np.linalg.norm(before[name])
        assert record.update_ratios[name] == pytest.approx(expected_ratio, rel=1e-5)
        assert record.update_ratios[name] == pytest.approx(LR * grad_norm / np.linalg.norm(before[name]), rel=1e-4)


def test_the_share_of_dead_relus_counts_units_silent_for_the_whole_batch():
    p, (x, y) = make_params(), data()
    with tg.study.Recorder(p) as rec:
        record = rec.step(train_step(p, x, y))
    assert record.dead_relus == {"relu1": pytest.approx(1 / 3)}


def test_evaluation_forwards_without_gradients_are_not_counted():
    p, (x, y) = make_params(), data()
    with tg.study.Recorder(p) as rec:
        loss = train_step(p, x, y)
        with tg.no_grad():
            forward(p, x)
        record = rec.step(loss)
    assert list(record.dead_relus) == ["relu1"]


def test_update_ratios_compare_with_the_weights_of_the_previous_step():
    p, (x, y) = make_params(), data()
    with tg.study.Recorder(p) as rec:
        rec.step(train_step(p, x, y))
        before = p["fc2.weight"].numpy().copy()
        second = rec.step(train_step(p, x, y))
    expected = np.linalg.norm(p["fc2.weight"].numpy() - before) / np.linalg.norm(before)
    assert second.update_ratios["fc2.weight"] == pytest.approx(expected, rel=1e-5)


def test_history_has_one_list_per_quantity():
    p, (x, y) = make_params(), data()
    with tg.study.Recorder(p) as rec:
        for _ in range(3):
            rec.step(train_step(p, x, y))
    history = rec.history
    assert set(history) == {"loss", "dead_relu/relu1"} | {f"{kind}/{name}" for kind in ("grad_norm", "update_ratio")
                                                          for name in p}
    assert all(len(values) == 3 for values in history.values())
    assert history["loss"][2] < history["loss"][0]


def test_plot_writes_a_real_png(tmp_path):
    p, (x, y) = make_params(), data()
    with tg.study.Recorder(p) as rec:
        for _ in range(5):
            rec.step(train_step(p, x, y))
    rec.plot(tmp_path / "training.png")
    image = matplotlib.image.imread(tmp_path / "training.png")
    assert image.shape[0] >= 500 and image.shape[1] >= 800
    assert image[..., :3].std() > 0.05       # not a blank canvas


def test_close_stops_watching_relus():
    rec = tg.study.Recorder(make_params())
    assert len(autograd.active_hooks()[0]) == 1
    rec.close()
    rec.close()
    assert not autograd.active_hooks()[0]


def test_a_model_without_parameters_is_a_clear_error():
    with pytest.raises(ValueError, match="Recorder: the model has no parameters"):
        tg.study.Recorder({})
    with pytest.raises(TypeError, match="Recorder: expected a model with named_parameters"):
        tg.study.Recorder([1.0, 2.0])


def test_plotting_before_recording_is_a_clear_error():
    with tg.study.Recorder(make_params()) as rec:
        with pytest.raises(ValueError, match=r"Recorder.plot: nothing recorded yet"):
            rec.plot()


def test_recorder_follows_a_real_nn_model_and_optimizer():
    from tinygrad_edu import nn

    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    opt = tg.optim.SGD(model.parameters(), lr=0.05)
    x, y = data()
    with tg.study.Recorder(model) as rec:
        loss = ((model(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        record = rec.step(loss)
    assert set(record.grad_norms) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert list(record.dead_relus) == ["relu1"]


def test_jupyter_shows_a_recorder_as_a_table_of_its_last_steps_and_its_panels():
    p, (x, y) = make_params(), data()
    with tg.study.Recorder(p) as rec:
        assert "nothing recorded yet" in rec._repr_html_()
        for _ in range(7):
            rec.step(train_step(p, x, y))
    page = rec._repr_html_()
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert [row.split("</td>")[0] for row in rows] == [f"<td>{n}" for n in range(3, 8)]   # the last five steps
    assert f"<td>{rec.records[-1].loss:.4g}</td>" in rows[-1]
    assert "<td>33%</td>" in rows[-1]                     # one of three hidden units is dead
    assert page.count('src="data:image/png;base64,') == 1
    assert repr(rec) == f"<Recorder: 7 steps, last loss {rec.records[-1].loss:.4g}>"
