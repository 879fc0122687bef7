"""nn.Module, Parameter, the layers and the loss modules: names, state dicts, modes, devices,
printing, and a whole ConvNet against PyTorch with the same weights."""
from __future__ import annotations

import copy
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tinygrad_edu as tg
from tests.oracle import check_against_torch
from tinygrad_edu import nn
import tinygrad_edu.nn.functional as F


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(3, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


def convnet_ours() -> nn.Module:
    class ConvNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, kernel_size=3, padding=1)
            self.pool1 = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(8, 16, kernel_size=3, padding=1)
            self.pool2 = nn.MaxPool2d(2)
            self.fc1 = nn.Linear(16 * 2 * 2, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = self.pool1(F.relu(self.conv1(x)))
            x = self.pool2(F.relu(self.conv2(x)))
            return self.fc2(F.relu(self.fc1(x.flatten(1))))

    return ConvNet()


def convnet_torch() -> torch.nn.Module:
    class ConvNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = torch.nn.Conv2d(1, 8, kernel_size=3, padding=1)
            self.pool1 = torch.nn.MaxPool2d(2)
            self.conv2 = torch.nn.Conv2d(8, 16, kernel_size=3, padding=1)
            self.pool2 = torch.nn.MaxPool2d(2)
            self.fc1 = torch.nn.Linear(16 * 2 * 2, 32)
            self.fc2 = torch.nn.Linear(32, 10)

        def forward(self, x):
            x = self.pool1(torch.relu(self.conv1(x)))
            x = self.pool2(torch.relu(self.conv2(x)))
            return self.fc2(torch.relu(self.fc1(x.flatten(1))))

    return ConvNet()


def params_as_numpy(model: nn.Module) -> dict[str, np.ndarray]:
    return {name: p.numpy().copy() for name, p in model.named_parameters()}


# ---- the whole ConvNet against PyTorch ------------------------------------------------------

def test_convnet_loads_torch_weights_and_matches_its_outputs_and_every_gradient(device):
    torch.manual_seed(0)
    theirs = convnet_torch()
    ours = convnet_ours()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    ours.to(device)
    rng = np.random.default_rng(0)
    images = rng.random((16, 1, 8, 8), dtype=np.float32)
    labels = rng.integers(0, 10, size=16)

    logits = ours(tg.Tensor(images, device=device))
    loss = F.cross_entropy(logits, tg.Tensor(labels, device=device))
    loss.backward()
    their_logits = theirs(torch.tensor(images))
    their_loss = torch.nn.functional.cross_entropy(their_logits, torch.tensor(labels))
    their_loss.backward()

    np.testing.assert_allclose(logits.numpy(), their_logits.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(loss.item(), their_loss.item(), rtol=1e-5)
    their_params = dict(theirs.named_parameters())
    assert [name for name, _ in ours.named_parameters()] == list(their_params)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), their_params[name].grad.numpy(), rtol=1e-4, atol=1e-6,
                                   err_msg=name)


def test_sequential_names_match_torch_so_its_state_dict_loads():
    torch.manual_seed(1)
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Flatten(), torch.nn.Linear(4 * 3 * 3, 5))
    ours = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 5))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(2).random((3, 1, 8, 8), dtype=np.float32)
    np.testing.assert_allclose(ours(tg.Tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


# ---- Parameter and registration ----------------------------------------------------------

def test_parameter_is_a_tensor_that_requires_grad_and_shares_its_source_data():
    t = tg.randn(2, 3)
    p = nn.Parameter(t)
    assert isinstance(p, tg.Tensor) and p.requires_grad and p.is_leaf
    assert p.array is t.array
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert repr(nn.Parameter(tg.tensor([1.0, 2.0]))).startswith("Parameter containing:\nTensor([1., 2.]")


def test_operations_on_a_parameter_give_plain_tensors():
    p = nn.Parameter(tg.ones(2))
    assert type(p * 2) is tg.Tensor


def test_module_registers_parameters_and_children_by_attribute_in_order():
    net = TinyNet()
    assert [name for name, _ in net.named_parameters()] == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [name for name, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert list(net.children()) == [net.fc1, net.act, net.fc2]
    assert [name for name, _ in net.named_modules()] == ["", "fc1", "act", "fc2"]
    assert list(net.modules())[0] is net
    assert len(list(net.parameters())) == 4
    assert [name for name, _ in net.named_parameters(recurse=False)] == []


def test_nested_modules_get_dotted_names():
    outer = nn.Sequential(TinyNet(), nn.Sequential(nn.Linear(2, 2)))
    assert [n for n, _ in outer.named_parameters()] == ["0.fc1.weight", "0.fc1.bias", "0.fc2.weight", "0.fc2.bias",
                                                        "1.0.weight", "1.0.bias"]
    assert "1.0" in dict(outer.named_modules())


def test_a_shared_parameter_is_listed_once():
    net = TinyNet()
    net.fc3 = net.fc1          # the same layer twice, as in weight tying
    assert len(list(net.parameters())) == 4
    assert "fc3.weight" in net.state_dict()


def test_reassigning_and_deleting_attributes_updates_the_registry():
    net = TinyNet()
    net.fc1 = nn.Linear(4, 3, bias=False)
    assert [n for n, _ in net.named_parameters()][:2] == ["fc1.weight", "fc2.weight"]
    del net.act
    assert "act" not in dict(net.named_children())
    net.scale = 2.0            # plain attributes are plain attributes
    assert net.scale == 2.0 and "scale" not in dict(net.named_parameters())


def test_assigning_a_plain_tensor_to_a_parameter_name_is_a_type_error():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match=r"cannot assign a Tensor as parameter 'weight' of Linear .*nn.Parameter"):
        layer.weight = tg.randn(2, 2)
    layer.bias = None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


def test_assigning_a_layer_before_super_init_is_a_clear_error():
    class Forgetful(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"before Module.__init__\(\) is called.*Forgetful"):
        Forgetful()


def test_missing_attribute_error_names_the_module_class():
    with pytest.raises(AttributeError, match="'TinyNet' object has no attribute 'fc9'"):
        TinyNet().fc9


def test_a_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="Empty has no forward"):
        type("Empty", (nn.Module,), {})()(tg.ones(1))


def test_register_buffer_is_in_the_state_dict_unless_not_persistent():
    m = nn.Module()
    m.register_buffer("running", tg.zeros(3))
    m.register_buffer("scratch", tg.zeros(1), persistent=False)
    assert list(m.state_dict()) == ["running"]
    assert [n for n, _ in m.named_buffers()] == ["running", "scratch"]
    assert list(m.parameters()) == []


def test_register_parameter_validates_name_and_type():
    m = nn.Module()
    with pytest.raises(KeyError, match='cannot contain "."'):
        m.register_parameter("a.b", nn.Parameter(tg.ones(1)))
    with pytest.raises(TypeError, match="register_parameter: 'w' must be a Parameter or None, got Tensor"):
        m.register_parameter("w", tg.ones(1))


# ---- state_dict and load_state_dict -----------------------------------------------------

def test_state_dict_shares_data_and_is_detached():
    net = TinyNet()
    sd = net.state_dict()
    assert list(sd) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert sd["fc1.weight"].array is net.fc1.weight.array
    assert not sd["fc1.weight"].requires_grad


def test_state_dict_round_trip_gives_identical_outputs():
    tg.manual_seed(0)
    a, b = TinyNet(), TinyNet()
    x = tg.randn(5, 4)
    assert not np.allclose(a(x).numpy(), b(x).numpy())
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    np.testing.assert_array_equal(a(x).numpy(), b(x).numpy())


def test_loaded_parameters_do_not_share_memory_with_the_source():
    a, b = TinyNet(), TinyNet()
    b.load_state_dict(a.state_dict())
    with tg.no_grad():
        a.fc1.weight += 1.0
    assert not np.allclose(a.fc1.weight.numpy(), b.fc1.weight.numpy())


def test_load_state_dict_keeps_parameter_identity_and_dtype():
    net = TinyNet()
    weight = net.fc1.weight
    net.load_state_dict({k: v.numpy().astype(np.float64) for k, v in TinyNet().state_dict().items()})
    assert net.fc1.weight is weight and weight.dtype == tg.float32


def test_strict_load_with_missing_and_unexpected_keys_names_them_all_and_changes_nothing():
    net = TinyNet()
    before = params_as_numpy(net)
    sd = {k: v.numpy() + 1 for k, v in net.state_dict().items()}
    del sd["fc2.bias"]
    sd["fc3.weight"] = np.zeros((2, 2), dtype=np.float32)
    with pytest.raises(RuntimeError, match=r"(?s)the model was not changed.*missing keys: 'fc2.bias'.*"
                                           r"unexpected keys: 'fc3.weight'"):
        net.load_state_dict(sd)
    for name, value in params_as_numpy(net).items():
        np.testing.assert_array_equal(value, before[name])


def test_shape_mismatch_is_an_error_naming_key_and_shapes_even_when_not_strict():
    net = TinyNet()
    before = params_as_numpy(net)
    sd = {k: v.numpy() + 1 for k, v in net.state_dict().items()}
    sd["fc2.weight"] = np.zeros((3, 3), dtype=np.float32)     # the last parameter is the bad one
    for strict in (True, False):
        with pytest.raises(RuntimeError, match=r"fc2.weight: shape \(3, 3\) in the state dict does not match "
                                               r"shape \(2, 3\) in the model"):
            net.load_state_dict(sd, strict=strict)
    for name, value in params_as_numpy(net).items():
        np.testing.assert_array_equal(value, before[name])


def test_non_strict_load_reports_missing_and_unexpected_keys_and_loads_the_rest():
    net = TinyNet()
    sd = {"fc1.weight": np.ones((3, 4), dtype=np.float32), "extra": np.zeros(1)}
    result = net.load_state_dict(sd, strict=False)
    assert result.missing_keys == ["fc1.bias", "fc2.weight", "fc2.bias"]
    assert result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(net.fc1.weight.numpy(), np.ones((3, 4)))


def test_load_state_dict_rejects_values_that_are_not_arrays():
    net = nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match="bias: cannot"):
        net.load_state_dict({"weight": np.ones((1, 2)), "bias": ["a"]})
    with pytest.raises(TypeError, match="load_state_dict: expected a dict"):
        net.load_state_dict([1, 2])


def test_state_dict_of_a_model_on_another_device_loads_across_devices():
    a = TinyNet().to("strict")
    b = TinyNet()
    b.load_state_dict(a.state_dict())
    assert b.fc1.weight.device == "cpu"
    np.testing.assert_array_equal(b.fc1.weight.numpy(), a.fc1.weight.numpy())


# ---- modes, devices, gradients -----------------------------------------------------------

def test_train_and_eval_set_the_flag_on_every_module_and_return_the_module():
    net = nn.Sequential(TinyNet(), nn.Dropout())
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    with pytest.raises(ValueError, match="train: mode must be True or False"):
        net.train("no")


def test_dropout_drops_in_training_and_is_identity_in_eval():
    tg.manual_seed(0)
    layer = nn.Dropout(p=0.25)
    x = tg.ones(200, 500)
    out = layer(x).numpy()
    dropped = (out == 0).mean()
    # 100,000 Bernoulli(0.25) draws: the share is 0.25 ± 0.0014 (one standard deviation).
    assert abs(dropped - 0.25) < 0.01
    np.testing.assert_allclose(out[out != 0], 1 / 0.75, rtol=1e-6)   # inverted dropout keeps the mean
    layer.eval()
    assert layer(x) is x


def test_dropout_gradient_is_the_same_mask_and_scale():
    tg.manual_seed(3)
    x = tg.randn(50, 40, requires_grad=True)
    out = nn.Dropout(0.5)(x)
    out.sum().backward()
    kept = out.numpy() != 0
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, 2.0, 0.0))


def test_dropout_mask_is_reproducible_with_manual_seed():
    tg.manual_seed(7)
    first = nn.Dropout(0.5)(tg.ones(100)).numpy()
    tg.manual_seed(7)
    np.testing.assert_array_equal(first, nn.Dropout(0.5)(tg.ones(100)).numpy())


def test_dropout_rejects_probabilities_outside_0_to_1():
    with pytest.raises(ValueError, match="Dropout: probability p must be between 0 and 1, got 1.5"):
        nn.Dropout(1.5)


def test_to_moves_parameters_in_place_so_an_existing_optimizer_keeps_working():
    tg.manual_seed(0)
    net = TinyNet()
    params = list(net.parameters())
    optimizer = tg.optim.SGD(net.parameters(), lr=0.1)
    assert net.to("strict") is net
    assert [p for p in net.parameters()] == params and all(a is b for a, b in zip(net.parameters(), params))
    assert all(p.device == "strict" for p in net.parameters())
    before = net.fc1.weight.numpy().copy()
    loss = net(tg.randn(8, 4, device="strict")).sum()
    loss.backward()
    optimizer.step()
    assert net.fc1.weight.device == "strict"
    assert not np.allclose(net.fc1.weight.numpy(), before)
    net.cpu()
    assert all(p.device == "cpu" and p.grad.device == "cpu" for p in net.parameters())


def test_to_an_unknown_device_is_an_error_that_changes_nothing():
    net = TinyNet()
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        net.to("tpu")
    assert all(p.device == "cpu" for p in net.parameters())


def test_to_a_dtype_converts_floating_parameters():
    net = TinyNet().double()
    assert all(p.dtype == tg.float64 for p in net.parameters())
    assert net(tg.randn(2, 4, dtype=tg.float64)).dtype == tg.float64
    assert net.float().fc1.weight.dtype == tg.float32
    with pytest.raises(TypeError, match="only floating-point dtypes"):
        net.to(tg.int64)


def test_zero_grad_clears_every_gradient():
    net = TinyNet()
    net(tg.randn(3, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_false_freezes_the_parameters():
    net = TinyNet().requires_grad_(False)
    assert not net(tg.randn(2, 4)).requires_grad


def test_apply_visits_every_module_children_first():
    seen = []
    TinyNet().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "ReLU", "Linear", "TinyNet"]


def test_forward_hook_sees_inputs_and_output_and_can_be_removed():
    net = TinyNet()
    calls = []
    handle = net.act.register_forward_hook(lambda module, inputs, output: calls.append(output.shape))
    net(tg.randn(5, 4))
    handle.remove()
    net(tg.randn(5, 4))
    assert calls == [(5, 3)]


def test_deepcopy_gives_an_independent_model():
    net = TinyNet()
    clone = copy.deepcopy(net)
    with tg.no_grad():
        clone.fc1.weight += 1.0
    assert not np.allclose(clone.fc1.weight.numpy(), net.fc1.weight.numpy())
    assert isinstance(clone.fc1.weight, nn.Parameter)


# ---- printing ----------------------------------------------------------------------------

def test_repr_reads_like_torch_for_the_same_layers():
    ours = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, (3, 2), stride=2, groups=2,
                                                                              bias=False),
                         nn.Flatten(), nn.Linear(8, 4), nn.LeakyReLU(0.2), nn.Sigmoid(), nn.Tanh(),
                         nn.Softmax(dim=1), nn.Identity())
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
                                 torch.nn.Conv2d(8, 8, (3, 2), stride=2, groups=2, bias=False),
                                 torch.nn.Flatten(), torch.nn.Linear(8, 4), torch.nn.LeakyReLU(0.2),
                                 torch.nn.Sigmoid(), torch.nn.Tanh(), torch.nn.Softmax(dim=1), torch.nn.Identity())
    assert repr(ours) == repr(theirs)


def test_repr_of_a_custom_module_shows_the_tree():
    assert repr(TinyNet()) == ("TinyNet(\n"
                               "  (fc1): Linear(in_features=4, out_features=3, bias=True)\n"
                               "  (act): ReLU()\n"
                               "  (fc2): Linear(in_features=3, out_features=2, bias=True)\n"
                               ")")
    assert repr(nn.MaxPool2d(2)) == repr(torch.nn.MaxPool2d(2))
    assert repr(nn.Dropout(0.3)) == repr(torch.nn.Dropout(0.3))


@pytest.mark.parametrize("dim,sizes", [(1, (2, 3)), (-1, (3, -1)), (0, (1, 4))])
def test_unflatten_splits_a_dim_as_pytorch_and_passes_the_gradient_back(dim, sizes):
    x = np.arange(24.0).reshape(4, 6)
    ours, theirs = nn.Unflatten(dim, sizes), torch.nn.Unflatten(dim, sizes)
    assert repr(ours) == repr(theirs)
    check_against_torch(ours, theirs, [x])


# ---- layers ------------------------------------------------------------------------------

def test_linear_default_init_matches_torch_bounds():
    tg.manual_seed(0)
    layer = nn.Linear(100, 400)
    bound = 1 / math.sqrt(100)
    for p in (layer.weight, layer.bias):
        values = p.numpy()
        assert values.min() >= -bound and values.max() <= bound
        assert values.max() > 0.95 * bound and values.min() < -0.95 * bound    # it fills the whole range
    # Uniform(-b, b) has standard deviation b/√3, as PyTorch's layer has.
    np.testing.assert_allclose(layer.weight.numpy().std(), bound / math.sqrt(3), rtol=0.02)
    torch_layer = torch.nn.Linear(100, 400)
    np.testing.assert_allclose(torch_layer.weight.detach().numpy().std(), layer.weight.numpy().std(), rtol=0.03)


def test_conv2d_default_init_matches_torch_bounds():
    tg.manual_seed(0)
    layer = nn.Conv2d(6, 64, kernel_size=(3, 2), groups=2)
    fan_in = 3 * 3 * 2        # in_channels/groups · kh · kw
    bound = 1 / math.sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.numpy()).max() <= bound
    assert np.abs(layer.weight.numpy()).max() > 0.95 * bound
    np.testing.assert_allclose(layer.weight.numpy().std(), bound / math.sqrt(3), rtol=0.05)
    assert layer.weight.shape == tuple(torch.nn.Conv2d(6, 64, (3, 2), groups=2).weight.shape)


def test_default_init_is_reproducible_with_manual_seed():
    tg.manual_seed(5)
    a = nn.Linear(3, 2)
    tg.manual_seed(5)
    b = nn.Linear(3, 2)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())


def test_layers_validate_their_settings():
    with pytest.raises(ValueError, match="Linear: in_features must be a positive int, got 0"):
        nn.Linear(0, 2)
    with pytest.raises(ValueError, match="Conv2d: groups=2 must divide in_channels=3 and out_channels=4"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="Conv2d: only padding_mode='zeros' is supported"):
        nn.Conv2d(3, 4, 3, padding_mode="reflect")
    with pytest.raises(TypeError, match="parameters must have a floating-point dtype, got int64"):
        nn.Linear(2, 2, dtype=tg.int64)


def test_linear_and_conv2d_layers_accept_device_and_dtype(device):
    layer = nn.Conv2d(2, 3, 3, device=device, dtype=tg.float64)
    assert layer.weight.device == device and layer.weight.dtype == tg.float64
    assert layer(tg.randn(1, 2, 5, 5, device=device, dtype=tg.float64)).shape == (1, 3, 3, 3)


def test_conv2d_layer_with_same_padding_keeps_the_size():
    assert nn.Conv2d(1, 2, 4, padding="same")(tg.randn(1, 1, 7, 7)).shape == (1, 2, 7, 7)


@pytest.mark.parametrize("ours,theirs", [
    (nn.ReLU(), torch.nn.ReLU()), (nn.Sigmoid(), torch.nn.Sigmoid()), (nn.Tanh(), torch.nn.Tanh()),
    (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)), (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)), (nn.GELU(), torch.nn.GELU()), (nn.SiLU(), torch.nn.SiLU()),
    (nn.Softplus(beta=2.0), torch.nn.Softplus(beta=2.0)), (nn.Flatten(), torch.nn.Flatten()),
    (nn.Identity(), torch.nn.Identity()), (nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)),
    (nn.AvgPool2d(2, 1), torch.nn.AvgPool2d(2, 1)),
], ids=lambda m: type(m).__name__)
def test_parameter_free_layers_match_torch(ours, theirs):
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    np.testing.assert_allclose(ours(tg.Tensor(x)).numpy(), theirs(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)


def test_step_layer_fires_only_above_zero():
    np.testing.assert_array_equal(nn.Step()(tg.tensor([-1.0, 0.0, 2.0])).numpy(), [0.0, 0.0, 1.0])


def test_sequential_indexes_slices_iterates_and_measures():
    layers = [nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and list(seq) == layers
    assert seq[0] is layers[0] and seq[-1] is layers[2]
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == layers[:2]
    assert head(tg.randn(5, 4)).shape == (5, 3)
    with pytest.raises(IndexError, match="Sequential: index 3 is out of range for 3 layers"):
        seq[3]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and [n for n, _ in seq.named_children()] == ["0", "1", "2", "3"]
    with pytest.raises(TypeError, match="Sequential: argument 1 is a int, not a Module"):
        nn.Sequential(nn.ReLU(), 3)


def test_sequential_from_an_ordered_dict_uses_its_names():
    seq = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(seq.state_dict()) == ["hidden.weight", "hidden.bias"]
    assert seq.hidden is seq[0]


def test_module_list_registers_its_modules():
    blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(blocks) == 3 and len(list(blocks.parameters())) == 6
    assert [n for n, _ in blocks.named_parameters()][:2] == ["0.weight", "0.bias"]


# ---- loss modules ------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_loss_modules_match_torch(reduction):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 4)).astype(np.float32)
    classes = rng.integers(0, 4, size=6)
    probs = rng.random((6, 4)).astype(np.float32)
    targets = (rng.random((6, 4)) > 0.5).astype(np.float32)
    cases = [
        (nn.MSELoss, torch.nn.MSELoss, logits, probs),
        (nn.CrossEntropyLoss, torch.nn.CrossEntropyLoss, logits, classes),
        (nn.NLLLoss, torch.nn.NLLLoss, logits, classes),
        (nn.BCELoss, torch.nn.BCELoss, probs, targets),
        (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, logits, targets),
    ]
    for ours, theirs, inputs, target in cases:
        value = ours(reduction=reduction)(tg.Tensor(inputs), tg.Tensor(target))
        expected = theirs(reduction=reduction)(torch.tensor(inputs), torch.tensor(target))
        np.testing.assert_allclose(value.numpy(), expected.numpy(), rtol=1e-5, atol=1e-6, err_msg=ours.__name__)


def test_loss_module_rejects_an_unknown_reduction():
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of .* got 'avg'"):
        nn.MSELoss(reduction="avg")


@pytest.mark.parametrize("padding", ["same", "valid", 0, 1, (1, 2)], ids=str)
def test_conv2d_prints_every_padding_as_pytorch_does(padding):
    assert repr(nn.Conv2d(1, 2, 3, padding=padding)) == repr(torch.nn.Conv2d(1, 2, 3, padding=padding))
