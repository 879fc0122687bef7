"""Checkpoints: tg.save/tg.load of tensors, state dicts, optimizer states and nested checkpoints,
with PyTorch's load signature, and training that continues exactly where it stopped."""
from __future__ import annotations

import json

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def _same(a, b) -> bool:
    """Structures equal in kind and value, Tensors compared by dtype, shape and values."""
    if isinstance(a, tg.Tensor):
        return isinstance(b, tg.Tensor) and a.dtype == b.dtype and a.shape == b.shape and (a.numpy() == b.numpy()).all()
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _model():
    tg.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def _steps(model, optimizer, n, seed):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        x = tg.tensor(rng.standard_normal((5, 4)).astype(np.float32))
        y = tg.tensor(rng.integers(0, 3, 5))
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()


@pytest.mark.parametrize("obj", [
    tg.arange(6.0).reshape(2, 3), tg.tensor(3, dtype=tg.int16), [tg.ones(2), (1, "a", None), 2.5],
    (tg.zeros(1, dtype=tg.bool), {"k": tg.eye(2, dtype=tg.float64)}), {"flat": tg.ones(3), "other": tg.zeros(2)},
    {"epoch": 3, "loss": 0.5, "history": [0.9, 0.7], "note": "warm-up", 7: tg.ones(1)}],
    ids=["tensor", "int16-0d", "list", "tuple", "flat-dict", "mixed-dict"])
def test_save_and_load_give_back_the_same_structure(obj, tmp_path):
    tg.save(obj, tmp_path / "obj.safetensors")
    assert _same(obj, tg.load(tmp_path / "obj.safetensors"))


@pytest.mark.parametrize("Optimizer, kwargs", [(optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
                                               (optim.Adam, {"lr": 0.01, "weight_decay": 1e-3})],
                         ids=["sgd", "adam"])
def test_a_restored_model_and_optimizer_continue_training_exactly_like_the_originals(Optimizer, kwargs, tmp_path):
    model = _model()
    optimizer = Optimizer(model.parameters(), **kwargs)
    _steps(model, optimizer, 3, seed=1)
    tg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3, "loss": 0.5},
            tmp_path / "checkpoint.safetensors")
    _steps(model, optimizer, 3, seed=2)

    restored = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))   # other initial weights
    restored_optimizer = Optimizer(restored.parameters(), **kwargs)
    checkpoint = tg.load(tmp_path / "checkpoint.safetensors", map_location="cpu", weights_only=True)
    restored.load_state_dict(checkpoint["model"])
    restored_optimizer.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 3 and checkpoint["loss"] == 0.5
    _steps(restored, restored_optimizer, 3, seed=2)
    for (name, p), q in zip(model.named_parameters(), restored.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.numpy(), err_msg=name)


def test_an_optimizer_state_dict_alone_round_trips(tmp_path):
    model = _model()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    _steps(model, optimizer, 2, seed=0)
    tg.save(optimizer.state_dict(), tmp_path / "adam.safetensors")
    assert _same(optimizer.state_dict(), tg.load(tmp_path / "adam.safetensors"))


def test_map_location_in_every_form_torch_takes(tmp_path, device):
    tg.save({"w": tg.ones(2), "n": 1}, tmp_path / "c.safetensors")
    for where in (device, tg.device(device), {"cpu": device}):
        assert tg.load(tmp_path / "c.safetensors", map_location=where)["w"].device == device
    doubled = tg.load(tmp_path / "c.safetensors", map_location=lambda t, location: t * 2)
    assert doubled["w"].tolist() == [2.0, 2.0] and doubled["n"] == 1
    assert tg.load(tmp_path / "c.safetensors", weights_only=False)["w"].tolist() == [1.0, 1.0]


def test_a_checkpoint_file_holds_only_safetensors_and_json(tmp_path):
    tg.save({"model": {"w": tg.ones(2)}, "epoch": 4}, tmp_path / "c.safetensors")
    raw = (tmp_path / "c.safetensors").read_bytes()
    header = json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])
    structure = json.loads(header["__metadata__"]["tinygrad_edu.structure"])
    assert structure["dict"][1] == ["epoch", {"value": 4}] and "model.w" in header
    from safetensors.numpy import load_file   # any safetensors reader opens it
    assert load_file(str(tmp_path / "c.safetensors"))["model.w"].tolist() == [1.0, 1.0]


@pytest.mark.parametrize("call, error, message", [
    (lambda p: tg.load(p, map_location=3.5), TypeError, "map_location must be None, a device"),
    (lambda p: tg.load(p, pickle_module=object()), TypeError, "pickle_module is not supported"),
    (lambda p: tg.load(p, map_location="gpu"), ValueError, "unknown device 'gpu'"),
    (lambda p: tg.save(tg.ones(1), object()), TypeError, "save: expected a file name"),
    (lambda p: tg.load(object()), TypeError, "load: expected a file name"),
], ids=["map-location", "pickle", "device", "save-file-object", "load-file-object"])
def test_bad_load_and_save_arguments_are_clear_errors(call, error, message, tmp_path):
    tg.save({"w": tg.ones(1)}, tmp_path / "w.safetensors")
    with pytest.raises(error, match=message):
        call(tmp_path / "w.safetensors")


def test_a_failed_save_keeps_the_old_checkpoint(tmp_path):
    path = tmp_path / "c.safetensors"
    tg.save({"epoch": 1, "w": tg.ones(2)}, path)
    with pytest.raises(TypeError, match="cannot store 'bad' of type object"):
        tg.save({"epoch": 2, "w": tg.zeros(2), "bad": object()}, path)
    assert tg.load(path)["epoch"] == 1 and [p.name for p in tmp_path.iterdir()] == ["c.safetensors"]
