"""nn.RNN, LSTM, GRU and their cells against PyTorch, with PyTorch's weights loaded: outputs,
final states, gradients of the input, the initial states and every parameter; state dict keys,
initialisation, dropout between layers, second derivatives of one step, finite differences,
the unrolled graph as the study tools see it, and the errors that name the layer and shapes."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import nn
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.nn.recurrent import gru_step, lstm_step, rnn_relu_step, rnn_tanh_step

RNG = np.random.default_rng(3)


def layer_pair(cls: str, config: dict, device: str = "cpu"):
    """(ours, torch's) with torch's initial weights copied in, in float64."""
    theirs = getattr(torch.nn, cls)(**config).double()
    ours = getattr(nn, cls)(**config, dtype=tg.float64)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()}, strict=True)
    return ours.to(device), theirs


def as_tuple(state):
    return state if isinstance(state, tuple) else (state,)


def state_shapes(cls: str, config: dict, batch: int | None):
    stacked = config.get("num_layers", 1) * (2 if config.get("bidirectional") else 1)
    hidden = config["hidden_size"]
    sizes = [config.get("proj_size") or hidden] + ([hidden] if cls == "LSTM" else [])
    return [(stacked, size) if batch is None else (stacked, batch, size) for size in sizes]


def compare_layer(cls, config, *, device="cpu", batched=True, give_state=True, length=4, batch=3):
    ours, theirs = layer_pair(cls, config, device)
    features = config["input_size"]
    shape = ((batch, length) if config.get("batch_first") else (length, batch)) if batched else (length,)
    x = RNG.standard_normal(shape + (features,))
    states = [RNG.standard_normal(s) for s in state_shapes(cls, config, batch if batched else None)]
    our_x, their_x = tg.Tensor(x, device=device, requires_grad=True), torch.tensor(x, requires_grad=True)
    our_states = [tg.Tensor(s, device=device, requires_grad=True) for s in states]
    their_states = [torch.tensor(s, requires_grad=True) for s in states]
    pack = (lambda s: tuple(s) if cls == "LSTM" else s[0]) if give_state else (lambda s: None)

    out, final = ours(our_x, pack(our_states))
    expected, expected_final = theirs(their_x, pack(their_states))
    assert_close(out, expected, "output")
    for i, (a, b) in enumerate(zip(as_tuple(final), as_tuple(expected_final))):
        assert_close(a, b, f"final state {i}")

    # one loss that reaches the output and every final state
    upstream = RNG.standard_normal(expected.shape)
    loss = (out * tg.Tensor(upstream, device=device)).sum() + sum((s ** 2).sum() for s in as_tuple(final))
    their_loss = (expected * torch.tensor(upstream)).sum() + sum((s ** 2).sum() for s in as_tuple(expected_final))
    loss.backward()
    their_loss.backward()
    assert_close(our_x.grad, their_x.grad, "gradient of the input")
    if give_state:
        for i, (a, b) in enumerate(zip(our_states, their_states)):
            assert_close(a.grad, b.grad, f"gradient of initial state {i}")
    our_params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        assert_close(our_params[name].grad, p.grad, f"gradient of {name}")


LAYER_CONFIGS = {
    "plain": dict(input_size=3, hidden_size=4),
    "two_layers_bidirectional_batch_first": dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True,
                                                 batch_first=True),
    "no_bias_three_layers": dict(input_size=2, hidden_size=3, num_layers=3, bias=False),
}


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("name", sorted(LAYER_CONFIGS))
def test_recurrent_layer_matches_torch_outputs_states_and_every_gradient(cls, name, device):
    compare_layer(cls, LAYER_CONFIGS[name], device=device)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_recurrent_layer_starts_from_zeros_without_initial_state(cls, batched):
    compare_layer(cls, dict(input_size=3, hidden_size=2, num_layers=2), batched=batched, give_state=False)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_recurrent_layer_takes_one_unbatched_sequence_like_torch(cls):
    compare_layer(cls, dict(input_size=3, hidden_size=4, bidirectional=True), batched=False)


def test_rnn_with_relu_matches_torch():
    compare_layer("RNN", dict(input_size=3, hidden_size=4, nonlinearity="relu", num_layers=2))


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_lstm_with_projections_matches_torch(batched):
    compare_layer("LSTM", dict(input_size=3, hidden_size=5, proj_size=2, num_layers=2, bidirectional=True),
                  batched=batched)


@pytest.mark.parametrize("cls, config", [
    ("RNN", dict(input_size=3, hidden_size=4)),
    ("RNN", dict(input_size=3, hidden_size=4, num_layers=2, bias=False, bidirectional=True)),
    ("LSTM", dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True)),
    ("LSTM", dict(input_size=3, hidden_size=4, proj_size=2)),
    ("GRU", dict(input_size=3, hidden_size=4, num_layers=3, bias=False)),
    ("RNNCell", dict(input_size=3, hidden_size=4)),
    ("LSTMCell", dict(input_size=3, hidden_size=4, bias=False)),
    ("GRUCell", dict(input_size=3, hidden_size=4)),
], ids=lambda v: v if isinstance(v, str) else "-".join(f"{k}={w}" for k, w in v.items()))
def test_state_dict_keys_and_shapes_are_torchs_and_load_both_ways(cls, config):
    ours, theirs = getattr(nn, cls)(**config), getattr(torch.nn, cls)(**config)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(v.shape) for v in ours.state_dict().values()] == \
        [tuple(v.shape) for v in theirs.state_dict().values()]
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}, strict=True)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_every_weight_starts_uniform_within_one_over_sqrt_hidden(cls):
    tg.manual_seed(0)
    layer = getattr(nn, cls)(8, 16)
    bound = 1 / math.sqrt(16)
    for name, p in layer.named_parameters():
        assert np.abs(p.numpy()).max() <= bound, name
    values = np.concatenate([p.numpy().ravel() for p in layer.parameters()])
    assert np.abs(values).max() > 0.99 * bound and abs(values.mean()) < 0.1 * bound
    assert abs(values.std() - bound / math.sqrt(3)) < 0.05 * bound   # the std of uniform(-b, b) is b/√3


def test_dropout_acts_between_layers_in_training_only():
    config = dict(input_size=3, hidden_size=8, num_layers=2, dropout=0.5)
    ours, theirs = layer_pair("GRU", config)
    x = tg.Tensor(RNG.standard_normal((5, 2, 3)))
    tg.manual_seed(0)
    train_out, _ = ours(x)
    ours.eval(), theirs.eval()
    eval_out, _ = ours(x)
    expected, _ = theirs(torch.tensor(x.numpy()))
    assert_close(eval_out, expected, "eval output")
    assert not np.allclose(train_out.numpy(), eval_out.numpy())
    with pytest.warns(UserWarning, match="num_layers=1"):
        single = nn.LSTM(3, 4, dropout=0.5)
    out, _ = single(x.float())
    single.eval()
    # no layer follows the last one, so there is nothing to drop
    np.testing.assert_array_equal(out.numpy(), single(x.float())[0].numpy())


# ---- the cells ------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("give_state", [True, False], ids=["given_state", "zero_state"])
def test_cells_match_torch_outputs_and_every_gradient(cls, batched, give_state, device):
    config = dict(input_size=3, hidden_size=4)
    ours, theirs = layer_pair(cls, config, device)
    x = RNG.standard_normal((2, 3) if batched else (3,))
    states = [RNG.standard_normal((2, 4) if batched else (4,)) for _ in range(2 if cls == "LSTMCell" else 1)]
    our_x, their_x = tg.Tensor(x, device=device, requires_grad=True), torch.tensor(x, requires_grad=True)
    our_states = [tg.Tensor(s, device=device, requires_grad=True) for s in states]
    their_states = [torch.tensor(s, requires_grad=True) for s in states]
    pack = (lambda s: tuple(s) if cls == "LSTMCell" else s[0]) if give_state else (lambda s: None)
    out, expected = as_tuple(ours(our_x, pack(our_states))), as_tuple(theirs(their_x, pack(their_states)))
    for i, (a, b) in enumerate(zip(out, expected)):
        assert_close(a, b, f"output {i}")
    weights = [RNG.standard_normal(b.shape) for b in expected]
    sum((a * tg.Tensor(w, device=device)).sum() for a, w in zip(out, weights)).backward()
    sum((b * torch.tensor(w)).sum() for b, w in zip(expected, weights)).backward()
    assert_close(our_x.grad, their_x.grad, "gradient of the input")
    if give_state:
        for i, (a, b) in enumerate(zip(our_states, their_states)):
            assert_close(a.grad, b.grad, f"gradient of state {i}")
    our_params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        assert_close(our_params[name].grad, p.grad, f"gradient of {name}")


def test_rnn_cell_with_relu_matches_torch():
    ours, theirs = layer_pair("RNNCell", dict(input_size=3, hidden_size=4, nonlinearity="relu", bias=False))
    x, h = RNG.standard_normal((2, 3)), RNG.standard_normal((2, 4))
    assert_close(ours(tg.Tensor(x), tg.Tensor(h)), theirs(torch.tensor(x), torch.tensor(h)), "relu cell")


# One step as a function of every tensor it reads, against torch's own cell functions:
# values, gradients and second derivatives of input, state and weights.
STEP_CASES = {
    "rnn_tanh": (lambda x, h, wi, wh, bi, bh: rnn_tanh_step(tg.nn.functional.linear(x, wi, bi), (h,), wh, bh)[0],
                 torch.rnn_tanh_cell, 1),
    "rnn_relu": (lambda x, h, wi, wh, bi, bh: rnn_relu_step(tg.nn.functional.linear(x, wi, bi), (h,), wh, bh)[0],
                 torch.rnn_relu_cell, 1),
    "gru": (lambda x, h, wi, wh, bi, bh: gru_step(tg.nn.functional.linear(x, wi, bi), (h,), wh, bh)[0],
            torch.gru_cell, 3),
}


@pytest.mark.parametrize("name", sorted(STEP_CASES))
def test_one_step_matches_torch_with_second_derivatives(name, device):
    ours, theirs, gates = STEP_CASES[name]
    shapes = [(2, 3), (2, 4), (gates * 4, 3), (gates * 4, 4), (gates * 4,), (gates * 4,)]
    check_against_torch(ours, theirs, shapes, device=device, double=True)


def test_one_lstm_step_matches_torch_with_second_derivatives(device):
    def ours(x, h, c, wi, wh, bi, bh):
        new_h, new_c = lstm_step(tg.nn.functional.linear(x, wi, bi), (h, c), wh, bh)
        return tg.cat([new_h, new_c], dim=1)

    def theirs(x, h, c, wi, wh, bi, bh):
        return torch.cat(torch.lstm_cell(x, (h, c), wi, wh, bi, bh), dim=1)

    check_against_torch(ours, theirs, [(2, 3), (2, 4), (2, 4), (16, 3), (16, 4), (16,), (16,)], device=device,
                        double=True)


def test_a_small_lstm_cell_matches_finite_differences():
    def step(x, h, c, wi, wh):
        new_h, new_c = lstm_step(tg.nn.functional.linear(x, wi), (h, c), wh, None)
        return new_h * new_c
    finite_difference_check(step, [(2, 2), (2, 2), (2, 2), (8, 2), (8, 2)])


def test_a_short_bidirectional_gru_sequence_matches_finite_differences():
    gru = nn.GRU(2, 2, bidirectional=True, dtype=tg.float64)
    finite_difference_check(lambda x, h0: gru(x, h0)[0], [(3, 1, 2), (2, 1, 2)])


# ---- the unrolled graph, as the study tools see it -------------------------------------------

def test_backward_through_time_is_the_ordinary_graph_that_trace_and_draw_show():
    rnn = nn.RNN(2, 3)
    out, h = rnn(tg.randn(4, 1, 2))
    ops = [line.split("label=")[1].split()[0]
           for line in tg.viz.draw_graph(h.sum(), module=rnn).source.splitlines() if "shape=oval" in line]
    assert ops.count("tanh") == 4            # one per time step
    names = tg.viz.draw_graph(h.sum(), module=rnn).source
    assert "weight_hh_l0" in names and "weight_ih_l0" in names
    trace = tg.study.trace_backward(h.sum(), module=rnn)
    assert [s.op for s in trace.steps].count("tanh") == 4
    assert rnn.weight_hh_l0.grad is not None


# ---- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize("make, call, error, words", [
    (lambda: nn.GRU(3, 4), lambda m: m(tg.randn(5, 2, 4)), ShapeError, ["GRU", "input_size=3", "(5, 2, 4)"]),
    (lambda: nn.GRU(3, 4), lambda m: m(tg.randn(5, 2, 3), tg.randn(2, 2, 4)), ShapeError,
     ["GRU", "h_0", "(1, 2, 4)", "(2, 2, 4)"]),
    (lambda: nn.LSTM(3, 4), lambda m: m(tg.randn(5, 3), (tg.randn(1, 2, 4), tg.randn(1, 2, 4))), ShapeError,
     ["LSTM", "unbatched", "2-D", "(1, 2, 4)"]),
    (lambda: nn.LSTM(3, 4), lambda m: m(tg.randn(5, 2, 3), tg.randn(1, 2, 4)), TypeError, ["LSTM", "(h_0, c_0)"]),
    (lambda: nn.RNN(3, 4), lambda m: m(tg.randn(5, 2, 3).double()), DTypeError, ["RNN", "float64", "float32"]),
    (lambda: nn.RNN(3, 4), lambda m: m(tg.randn(5, 2, 3), tg.randn(1, 2, 4).double()), DTypeError,
     ["RNN", "h_0", "float64"]),
    (lambda: nn.GRU(3, 4), lambda m: m(tg.randn(5, 2, 3), (tg.randn(1, 2, 4),)), TypeError, ["GRU", "h_0", "tuple"]),
    (lambda: nn.RNN(3, 4), lambda m: m(tg.randn(0, 2, 3)), ShapeError, ["RNN", "empty", "(0, 2, 3)"]),
    (lambda: nn.RNN(3, 4), lambda m: m(tg.randn(2, 5, 2, 3)), ShapeError, ["RNN", "(2, 5, 2, 3)"]),
    (lambda: nn.GRUCell(3, 4), lambda m: m(tg.randn(5, 4)), ShapeError, ["GRUCell", "(5, 4)", "3"]),
    (lambda: nn.GRUCell(3, 4), lambda m: m(tg.randn(5, 3), tg.randn(5, 5)), ShapeError,
     ["GRUCell", "(5, 4)", "(5, 5)"]),
    (lambda: nn.LSTMCell(3, 4), lambda m: m(tg.randn(5, 3), tg.randn(5, 4)), TypeError, ["LSTMCell", "(h, c)"]),
])
def test_bad_recurrent_input_is_a_clear_error_naming_the_layer_and_shapes(make, call, error, words):
    with pytest.raises(error) as info:
        call(make())
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("make, words", [
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), ["RNN", "sigmoid"]),
    (lambda: nn.RNNCell(3, 4, nonlinearity="gelu"), ["RNNCell", "gelu"]),
    (lambda: nn.LSTM(3, 4, proj_size=4), ["LSTM", "proj_size"]),
    (lambda: nn.GRU(3, 0), ["GRU", "hidden_size"]),
    (lambda: nn.LSTM(3, 4, num_layers=2, dropout=1.5), ["LSTM", "dropout", "1.5"]),
])
def test_bad_recurrent_settings_are_clear_errors(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value)
