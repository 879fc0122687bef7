"""Recurrent layers: RNN, LSTM and GRU, and their one-step cells.

A recurrent layer reads a sequence one time step at a time, carrying a hidden state h from
step to step. Each step is a handful of recorded ops (linear, sigmoid, tanh, *, +), and the
layer is a Python loop over the time steps: "backpropagation through time" is nothing but the
ordinary backward pass through that unrolled graph, which `viz.draw_graph` and
`study.trace_backward` show like any other.

Parameter names, shapes, gate order (LSTM: i, f, g, o; GRU: r, z, n), initialisation and
argument names are PyTorch's, so a PyTorch state_dict loads with strict=True.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable

from tinygrad_edu.creation import zeros
from tinygrad_edu.errors import DTypeError, ShapeError
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.layers import _empty_parameter, _positive_int
from tinygrad_edu.nn.module import Module
from tinygrad_edu.ops.movement import cat, stack
from tinygrad_edu.tensor import Tensor

State = tuple  # (h,) for RNN and GRU, (h, c) for LSTM


# ---- one time step -------------------------------------------------------------------------
# `gx` is the input's share of the gates, x @ W_ihᵀ + b_ih: a layer computes it for every time
# step at once before its loop, so only the hidden state's share is left inside the loop.

def rnn_tanh_step(gx: Tensor, state: State, w_hh: Tensor, b_hh: Tensor | None) -> State:
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh)"""
    return (F.tanh(gx + F.linear(state[0], w_hh, b_hh)),)


def rnn_relu_step(gx: Tensor, state: State, w_hh: Tensor, b_hh: Tensor | None) -> State:
    """h' = relu(W_ih x + b_ih + W_hh h + b_hh)"""
    return (F.relu(gx + F.linear(state[0], w_hh, b_hh)),)


def lstm_step(gx: Tensor, state: State, w_hh: Tensor, b_hh: Tensor | None, w_hr: Tensor | None = None) -> State:
    """gates i, f, g, o from x and h; c' = f·c + i·g (forget some memory, write some new);
    h' = o·tanh(c'), projected by W_hr when the LSTM has proj_size."""
    h, c = state
    gates = gx + F.linear(h, w_hh, b_hh)
    size = c.shape[-1]
    i, f = F.sigmoid(gates[..., :size]), F.sigmoid(gates[..., size:2 * size])
    g, o = F.tanh(gates[..., 2 * size:3 * size]), F.sigmoid(gates[..., 3 * size:])
    c = f * c + i * g
    h = o * F.tanh(c)
    return (h if w_hr is None else F.linear(h, w_hr)), c


def gru_step(gx: Tensor, state: State, w_hh: Tensor, b_hh: Tensor | None) -> State:
    """r, z gates from x and h; n = tanh(W_in x + b_in + r·(W_hn h + b_hn)) the candidate;
    h' = (1 - z)·n + z·h (z chooses between keeping h and taking n)."""
    h = state[0]
    gh = F.linear(h, w_hh, b_hh)
    size = h.shape[-1]
    r = F.sigmoid(gx[..., :size] + gh[..., :size])
    z = F.sigmoid(gx[..., size:2 * size] + gh[..., size:2 * size])
    n = F.tanh(gx[..., 2 * size:] + r * gh[..., 2 * size:])
    return ((1 - z) * n + z * h,)


STEPS: dict[str, tuple[Callable, int]] = {   # mode -> (step, gates per hidden unit)
    "RNN_TANH": (rnn_tanh_step, 1), "RNN_RELU": (rnn_relu_step, 1), "LSTM": (lstm_step, 4), "GRU": (gru_step, 3),
}


def _rnn_mode(nonlinearity: str, layer: str) -> str:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{layer}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return f"RNN_{nonlinearity.upper()}"


def _check_dtype(t: Any, weight: Tensor, layer: str, name: str = "input") -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{layer}: {name} must be a Tensor, got {type(t).__name__}")
    if t.dtype != weight.dtype:
        raise DTypeError(f"{layer}: {name} dtype {t.dtype} does not match the weights' dtype {weight.dtype}; "
                         f"convert the {name} ({name}.to({str(weight.dtype)!r})) or the model (model.to(...))")


# ---- the layers ----------------------------------------------------------------------------

class RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters of every layer and direction, and the loop."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        layer = type(self).__name__
        self.mode = mode
        self.input_size = _positive_int(input_size, "input_size", layer)
        self.hidden_size = _positive_int(hidden_size, "hidden_size", layer)
        self.num_layers = _positive_int(num_layers, "num_layers", layer)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{layer}: dropout must be a number between 0 and 1, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{layer}: dropout={dropout} acts between layers, so with num_layers=1 it does nothing",
                          UserWarning, stacklevel=3)
        if isinstance(proj_size, bool) or not isinstance(proj_size, int) or not 0 <= proj_size < hidden_size:
            raise ValueError(f"{layer}: proj_size must be an int in [0, hidden_size={hidden_size}), got {proj_size!r}")
        if proj_size and mode != "LSTM":
            raise ValueError(f"{layer}: proj_size is only supported by LSTM")
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bool(bidirectional), proj_size
        directions = 2 if bidirectional else 1
        out_size = proj_size or hidden_size
        gate_size = STEPS[mode][1] * hidden_size
        for k in range(num_layers):
            in_size = input_size if k == 0 else out_size * directions
            for suffix in ("", "_reverse")[:directions]:
                self.register_parameter(f"weight_ih_l{k}{suffix}",
                                        _empty_parameter((gate_size, in_size), device, dtype))
                self.register_parameter(f"weight_hh_l{k}{suffix}",
                                        _empty_parameter((gate_size, out_size), device, dtype))
                if bias:
                    self.register_parameter(f"bias_ih_l{k}{suffix}", _empty_parameter((gate_size,), device, dtype))
                    self.register_parameter(f"bias_hh_l{k}{suffix}", _empty_parameter((gate_size,), device, dtype))
                if proj_size:
                    self.register_parameter(f"weight_hr_l{k}{suffix}",
                                            _empty_parameter((proj_size, hidden_size), device, dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: every weight and bias uniform in ±1/√hidden_size."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def flatten_parameters(self) -> None:
        """Nothing to do here (PyTorch packs the weights for cuDNN); kept so PyTorch code runs."""

    def _weights(self, k: int, suffix: str) -> tuple[Tensor | None, ...]:
        """(W_ih, b_ih, W_hh, b_hh, W_hr) of layer k in one direction (None where absent)."""
        get = self._parameters.get
        return (get(f"weight_ih_l{k}{suffix}"), get(f"bias_ih_l{k}{suffix}"), get(f"weight_hh_l{k}{suffix}"),
                get(f"bias_hh_l{k}{suffix}"), get(f"weight_hr_l{k}{suffix}"))

    def _state_shapes(self, batch: int) -> list[tuple[int, ...]]:
        stacked = self.num_layers * (2 if self.bidirectional else 1)
        shapes: list[tuple[int, ...]] = [(stacked, batch, self.proj_size or self.hidden_size)]
        return shapes + [(stacked, batch, self.hidden_size)] if self.mode == "LSTM" else shapes

    def _initial_state(self, hx: Any, batch: int, batched: bool, input: Tensor) -> list[Tensor]:
        """h0 (and c0), given or zeros, as (layers·directions, N, size), checked against PyTorch's rules."""
        layer, shapes = type(self).__name__, self._state_shapes(batch)
        if hx is None:
            return [zeros(shape, dtype=input.dtype, device=input.device) for shape in shapes]
        given = list(hx) if self.mode == "LSTM" else [hx]
        if self.mode == "LSTM" and (not isinstance(hx, (tuple, list)) or len(given) != 2):
            raise TypeError(f"{layer}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        states = []
        for name, t, shape in zip(("h_0", "c_0"), given, shapes):
            _check_dtype(t, input, layer, name)
            if t.ndim != (3 if batched else 2):
                raise ShapeError(f"{layer}: for {'batched 3-D' if batched else 'unbatched 2-D'} input, {name} "
                                 f"must be {3 if batched else 2}-D, got shape {t.shape}")
            t = t if batched else t.unsqueeze(1)
            if t.shape != shape:
                raise ShapeError(f"{layer}: expected {name} of shape {shape if batched else (shape[0], shape[2])}, "
                                 f"got {t.shape if batched else t.squeeze(1).shape}")
            states.append(t)
        return states

    def _run_direction(self, steps: list[Tensor], state: State, weights: tuple,
                       reverse: bool) -> tuple[list[Tensor], State]:
        """One layer in one direction over the sequence, given as one (N, features) tensor per
        time step: the loop over time. Returns the output at every step and the last state."""
        w_ih, b_ih, w_hh, b_hh, w_hr = weights
        step = STEPS[self.mode][0]
        extra = (w_hr,) if w_hr is not None else ()
        outputs = []
        for x_t in (reversed(steps) if reverse else steps):
            # The input's share of the gates, step by step: slicing one precomputed (T, N, gates)
            # product instead would send every step a zero-filled gradient of the whole product.
            state = step(F.linear(x_t, w_ih, b_ih), state, w_hh, b_hh, *extra)
            outputs.append(state[0])
        return (outputs[::-1] if reverse else outputs), state

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, Any]:
        """input (T, N, input_size), (N, T, input_size) with batch_first, or (T, input_size);
        returns (output, h_n), LSTM (output, (h_n, c_n)): output holds the last layer's h at every
        step (both directions side by side), h_n and c_n every layer's state after the last step."""
        layer = type(self).__name__
        first = self._parameters["weight_ih_l0"]
        _check_dtype(input, first, layer)
        if input.ndim not in (2, 3):
            raise ShapeError(f"{layer}: expected 3-D (batched) or 2-D (unbatched) input, got shape {input.shape}")
        if input.shape[-1] != self.input_size:
            raise ShapeError(f"{layer}: input.size(-1) must be equal to input_size={self.input_size}, got input of "
                             f"shape {input.shape}")
        batched = input.ndim == 3
        x = input.transpose(0, 1) if batched and self.batch_first else input if batched else input.unsqueeze(1)
        if x.shape[0] == 0:
            raise ShapeError(f"{layer}: the sequence is empty (input of shape {input.shape}); it needs at least one "
                             f"time step")
        states = self._initial_state(hx, x.shape[1], batched, input)
        directions = ("", "_reverse")[:2 if self.bidirectional else 1]
        finals = []
        steps = list(x.unbind(0))   # layers hand each other one tensor per time step
        for k in range(self.num_layers):
            outputs = []
            for d, suffix in enumerate(directions):
                index = k * len(directions) + d
                out, final = self._run_direction(steps, tuple(s[index] for s in states), self._weights(k, suffix),
                                                 d == 1)
                outputs.append(out)
                finals.append(final)
            steps = outputs[0] if len(outputs) == 1 else [cat(pair, dim=1) for pair in zip(*outputs)]
            if k < self.num_layers - 1 and self.dropout and self.training:
                steps = list(F.dropout(stack(steps), self.dropout, self.training).unbind(0))
        x = stack(steps)
        last = [stack([f[i] for f in finals]) for i in range(len(states))]
        if not batched:
            x, last = x.squeeze(1), [s.squeeze(1) for s in last]
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, (tuple(last) if self.mode == "LSTM" else last[0])

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first:
            text += f", batch_first={self.batch_first}"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += f", bidirectional={self.bidirectional}"
        return text


class RNN(RNNBase):
    """The Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu), layer after layer."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        self.nonlinearity = nonlinearity
        super().__init__(_rnn_mode(nonlinearity, "RNN"), input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    """Long short-term memory: a cell state c that gates add to and forget from, so gradients
    survive many steps; weights hold the gates i, f, g, o stacked (4·hidden_size rows)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit: gates r (reset) and z (update) mix the old state with a candidate;
    weights hold r, z, n stacked (3·hidden_size rows)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype)


# ---- the cells: one time step, for loops a user writes --------------------------------------

class RNNCellBase(Module):
    """weight_ih (gates·hidden, input_size), weight_hh (gates·hidden, hidden), bias_ih, bias_hh."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool, device: Any, dtype: Any) -> None:
        super().__init__()
        layer = type(self).__name__
        self.mode = mode
        self.input_size = _positive_int(input_size, "input_size", layer)
        self.hidden_size = _positive_int(hidden_size, "hidden_size", layer)
        self.bias = bias
        gate_size = STEPS[mode][1] * hidden_size
        self.weight_ih = _empty_parameter((gate_size, input_size), device, dtype)
        self.weight_hh = _empty_parameter((gate_size, hidden_size), device, dtype)
        if bias:
            self.bias_ih = _empty_parameter((gate_size,), device, dtype)
            self.bias_hh = _empty_parameter((gate_size,), device, dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()  # type: ignore[misc]  # RNNBase's, which reads only what both have

    reset_parameters = RNNBase.reset_parameters

    def _step(self, input: Tensor, hx: Any) -> State:
        layer = type(self).__name__
        _check_dtype(input, self.weight_ih, layer)
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ShapeError(f"{layer}: expected input of shape (N, {self.input_size}) or ({self.input_size},), "
                             f"got {input.shape}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            state = tuple(zeros((x.shape[0], self.hidden_size), dtype=x.dtype, device=x.device)
                          for _ in range(2 if self.mode == "LSTM" else 1))
        else:
            if self.mode == "LSTM" and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
                raise TypeError(f"{layer}: hx must be a tuple (h, c), got {type(hx).__name__}")
            state = tuple(hx) if self.mode == "LSTM" else (hx,)
            expected = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
            for t in state:
                _check_dtype(t, self.weight_ih, layer, "hx")
                if t.shape != expected:
                    raise ShapeError(f"{layer}: expected a hidden state of shape {expected} for input of shape "
                                     f"{input.shape}, got {t.shape}")
            state = state if batched else tuple(t.unsqueeze(0) for t in state)
        state = STEPS[self.mode][0](F.linear(x, self.weight_ih, self.bias_ih), state, self.weight_hh, self.bias_hh)
        return state if batched else tuple(t.squeeze(0) for t in state)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity=relu"
        return text


class RNNCell(RNNCellBase):
    """One step of RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu); h defaults to zeros."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device: Any = None, dtype: Any = None) -> None:
        self.nonlinearity = nonlinearity
        super().__init__(_rnn_mode(nonlinearity, "RNNCell"), input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)[0]


class LSTMCell(RNNCellBase):
    """One step of LSTM: returns (h', c'); (h, c) default to zeros."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        return self._step(input, hx)


class GRUCell(RNNCellBase):
    """One step of GRU: returns h'; h defaults to zeros."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)[0]
