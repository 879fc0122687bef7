"""ModuleDict, ParameterList and ParameterDict: what they hold is registered as in PyTorch (parameters(),
state_dict keys, .to(), the optimizer), and they behave like a dict or a list."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tinygrad_edu import Tensor, nn, optim


class Ours(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleDict({"cls": nn.Linear(3, 2), "reg": nn.Linear(3, 1)})
        self.scales = nn.ParameterList([nn.Parameter(tg.ones(3)), tg.zeros(2, 3)])
        self.extra = nn.ParameterDict({"alpha": tg.ones(1), "beta": nn.Parameter(tg.zeros(2))})


class Theirs(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = torch.nn.ModuleDict({"cls": torch.nn.Linear(3, 2), "reg": torch.nn.Linear(3, 1)})
        self.scales = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(3)), torch.zeros(2, 3)])
        self.extra = torch.nn.ParameterDict({"alpha": torch.ones(1), "beta": torch.nn.Parameter(torch.zeros(2))})


def test_state_dict_keys_and_parameter_names_match_torch():
    ours, theirs = Ours(), Theirs()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]


def test_torch_state_dict_loads_strictly_and_back():
    theirs = Theirs()
    with torch.no_grad():
        for p in theirs.parameters():
            p.normal_()
    ours = Ours()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()}, strict=True)
    back = Theirs()
    back.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}, strict=True)
    for key, value in theirs.state_dict().items():
        assert torch.equal(back.state_dict()[key], value), key


def test_tensors_become_parameters_that_the_optimizer_updates():
    model = Ours()
    assert all(isinstance(p, nn.Parameter) for p in model.scales)
    assert isinstance(model.extra["alpha"], nn.Parameter) and model.extra["alpha"].requires_grad
    assert len(list(model.parameters())) == 4 + 2 + 2
    loss = model.heads["cls"](tg.ones(1, 3)).sum() + (model.scales[1] * 2).sum() + model.extra["beta"].sum()
    sgd = optim.SGD(model.parameters(), lr=0.5)
    loss.backward()
    sgd.step()
    assert model.scales[1].tolist() == [[-1.0] * 3] * 2
    assert model.extra["beta"].tolist() == [-0.5, -0.5]


def test_to_converts_what_the_containers_hold():
    model = Ours().double()
    assert all(p.dtype == tg.float64 for p in model.parameters())


def test_module_dict_behaves_like_a_dict_and_prints_like_torch():
    ours = nn.ModuleDict([("a", nn.Linear(2, 3)), ("b", nn.ReLU())])
    theirs = torch.nn.ModuleDict([("a", torch.nn.Linear(2, 3)), ("b", torch.nn.ReLU())])
    assert repr(ours) == repr(theirs)
    assert list(ours) == list(ours.keys()) == ["a", "b"] and len(ours) == 2 and "a" in ours
    ours["c"] = nn.Tanh()
    ours.update({"a": nn.Identity()})   # replacing keeps the key's place
    assert list(ours) == ["a", "b", "c"] and isinstance(ours["a"], nn.Identity)
    assert isinstance(ours.pop("b"), nn.ReLU) and list(ours) == ["a", "c"]
    del ours["c"]
    assert [type(m).__name__ for m in ours.values()] == ["Identity"]
    assert [k for k, _ in ours.items()] == ["a"]
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == []


def test_parameter_list_behaves_like_a_list_and_prints_like_torch():
    ours = nn.ParameterList([tg.zeros(2, 3), nn.Parameter(tg.ones(3))])
    theirs = torch.nn.ParameterList([torch.zeros(2, 3), torch.nn.Parameter(torch.ones(3))])
    assert repr(ours) == repr(theirs).replace("torch.", "")
    ours.append(tg.ones(1))
    ours += [tg.ones(4)]
    ours.extend([tg.ones(5)])
    assert [p.shape for p in ours] == [(2, 3), (3,), (1,), (4,), (5,)]
    assert ours[-1].shape == (5,) and len(ours[1:3]) == 2 and ours[1:3][0] is ours[1]
    replacement = nn.Parameter(tg.full((3,), 7.0))
    ours[1] = replacement
    assert ours[1] is replacement and dict(ours.named_parameters())["1"] is replacement
    with pytest.raises(IndexError, match="ParameterList: index 5 is out of range for 5 parameters"):
        ours[5]


def test_parameter_dict_behaves_like_a_dict():
    ours = nn.ParameterDict({"w": tg.ones(2)})
    ours["b"] = tg.zeros(1)
    ours.update([("c", tg.ones(3))])
    assert list(ours) == ["w", "b", "c"] and "b" in ours and len(ours) == 3
    assert ours.get("missing") is None and ours.setdefault("d", tg.ones(1)).shape == (1,)
    assert ours.pop("w").shape == (2,) and list(ours.keys()) == ["b", "c", "d"]
    assert [p.shape for p in ours.values()] == [(1,), (3,), (1,)]
    ours["c"] = tg.zeros(2, 2)   # replaced in its place
    assert list(ours) == ["b", "c", "d"]
    # PyTorch writes the dtype as a tensor type name here (torch.FloatTensor); we write the dtype
    assert repr(nn.ParameterDict({"a": tg.zeros(2, dtype=tg.float64), "b": tg.ones(1, 3)})) == (
        "ParameterDict(\n    (a): Parameter containing: [float64 of size 2]\n"
        "    (b): Parameter containing: [float32 of size 1x3]\n)")


def test_bad_items_are_refused_and_a_failed_update_changes_nothing():
    heads = nn.ModuleDict({"a": nn.ReLU()})
    with pytest.raises(TypeError, match="ModuleDict: 'b' must be a Module, got int"):
        heads.update({"x": nn.Tanh(), "b": 3})
    assert list(heads) == ["a"]
    with pytest.raises(KeyError, match="'training' is already an attribute of ModuleDict"):
        heads["training"] = nn.ReLU()
    with pytest.raises(KeyError, match='cannot contain "."'):
        heads["a.b"] = nn.ReLU()
    with pytest.raises(TypeError, match="keys must be strings, got int"):
        heads[1] = nn.ReLU()
    with pytest.raises(KeyError, match=r"ModuleDict has no module 'z'; it holds \['a'\]"):
        heads["z"]
    with pytest.raises(ValueError, match="element 0 should be a \\(key, value\\) pair"):
        heads.update([nn.ReLU()])
    params = nn.ParameterList([tg.ones(1)])
    with pytest.raises(TypeError, match="ParameterList holds Parameters .* got a str"):
        params.extend([tg.ones(2), "oops"])
    assert len(params) == 1
    extra = nn.ParameterDict()
    with pytest.raises(TypeError, match="ParameterDict holds Parameters .* got a list"):
        extra.update({"ok": tg.ones(1), "bad": [1.0]})
    assert len(extra) == 0
    with pytest.raises(NotImplementedError, match="ModuleDict has no forward"):
        heads(Tensor([1.0]))


def test_containers_inside_a_model_are_walked_by_modules_and_state_dict_holds_copies():
    model = Ours()
    names = [n for n, _ in model.named_modules()]
    assert names == ["", "heads", "heads.cls", "heads.reg", "scales", "extra"]
    state = model.state_dict()
    assert np.array_equal(state["scales.0"].numpy(), np.ones(3)) and not state["scales.0"].requires_grad
