"""Moving on to PyTorch: a tinygrad_edu model's state_dict loads into the equivalent torch.nn
model with strict=True and gives the same outputs, and a PyTorch model's loads back. Both
ways, in memory (through DLPack) and through a safetensors file that both libraries read."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.models import DigitsConvNet, digits_mlp

TOLERANCE = 1e-5


class TorchDigitsConvNet(torch.nn.Module):
    """tinygrad_edu.models.DigitsConvNet written in PyTorch, layer for layer and name for name."""

    def __init__(self, channels=(32, 64), hidden=128, classes=10):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, channels[0], kernel_size=3, padding=1)
        self.pool1 = torch.nn.MaxPool2d(2)
        self.conv2 = torch.nn.Conv2d(channels[0], channels[1], kernel_size=3, padding=1)
        self.pool2 = torch.nn.MaxPool2d(2)
        self.fc1 = torch.nn.Linear(channels[1] * 2 * 2, hidden)
        self.fc2 = torch.nn.Linear(hidden, classes)

    def forward(self, x):
        x = self.pool1(torch.relu(self.conv1(x)))
        x = self.pool2(torch.relu(self.conv2(x)))
        return self.fc2(torch.relu(self.fc1(x.flatten(1))))


def torch_digits_mlp(hidden=(128, 64), classes=10):
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, hidden[0]), torch.nn.ReLU(),
                               torch.nn.Linear(hidden[0], hidden[1]), torch.nn.ReLU(),
                               torch.nn.Linear(hidden[1], classes))


PAIRS = {   # name: (tinygrad_edu model, the same in PyTorch, an input shape)
    "convnet": (DigitsConvNet, TorchDigitsConvNet, (4, 1, 8, 8)),
    "mlp": (digits_mlp, torch_digits_mlp, (4, 1, 8, 8)),
    "transformer layer": (lambda: nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0, batch_first=True),
                          lambda: torch.nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0,
                                                                   batch_first=True),
                          (3, 5, 16)),
}


def outputs(ours, theirs, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ours.eval(), theirs.eval()
    with tg.no_grad(), torch.no_grad():
        return ours(tg.tensor(x)).numpy(), theirs(torch.tensor(x)).numpy()


@pytest.mark.parametrize("name", PAIRS)
def test_a_tinygrad_edu_state_dict_loads_into_pytorch(name):
    make_ours, make_theirs, shape = PAIRS[name]
    tg.manual_seed(0)
    ours, theirs = make_ours(), make_theirs()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in ours.state_dict().items()}, strict=True)
    a, b = outputs(ours, theirs, shape)
    assert np.abs(a - b).max() < TOLERANCE


@pytest.mark.parametrize("name", PAIRS)
def test_a_pytorch_state_dict_loads_into_tinygrad_edu(name):
    make_ours, make_theirs, shape = PAIRS[name]
    torch.manual_seed(0)
    ours, theirs = make_ours(), make_theirs()
    ours.load_state_dict({k: tg.from_dlpack(v.detach()) for k, v in theirs.state_dict().items()}, strict=True)
    a, b = outputs(ours, theirs, shape)
    assert np.abs(a - b).max() < TOLERANCE


@pytest.mark.parametrize("name", PAIRS)
def test_a_safetensors_file_carries_the_weights_both_ways(name, tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    make_ours, make_theirs, shape = PAIRS[name]
    tg.manual_seed(1)
    ours, theirs = make_ours(), make_theirs()
    tg.save(ours.state_dict(), tmp_path / "ours.safetensors")
    theirs.load_state_dict(safetensors_torch.load_file(tmp_path / "ours.safetensors"), strict=True)
    a, b = outputs(ours, theirs, shape)
    assert np.abs(a - b).max() < TOLERANCE

    back = make_ours()
    safetensors_torch.save_file(theirs.state_dict(), tmp_path / "theirs.safetensors")
    back.load_state_dict(tg.load(tmp_path / "theirs.safetensors"), strict=True)
    c, _ = outputs(back, theirs, shape)
    np.testing.assert_array_equal(a, c)


def test_a_state_dict_of_another_model_is_refused_with_strict():
    theirs = TorchDigitsConvNet(hidden=64)   # fc1 has 64 neurons, DigitsConvNet 128
    with pytest.raises(RuntimeError, match="size mismatch"):
        theirs.load_state_dict({k: torch.tensor(v) for k, v in DigitsConvNet().state_dict().items()}, strict=True)
    mlp = digits_mlp()
    with pytest.raises(RuntimeError, match="unexpected keys: .conv1.weight"):
        mlp.load_state_dict({k: tg.from_dlpack(v.detach()) for k, v in TorchDigitsConvNet().state_dict().items()},
                            strict=True)
