"""The nn a learner reaches for next (issue 13, part J) against PyTorch: normalize, softmin,
glu, prelu and their modules, Softmax2d, and the padding layers."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import nn
from tinygrad_edu.errors import ShapeError

OPS_TESTED_HERE = ("normalize", "softmin", "glu", "prelu")


def copy_weights(ours, theirs):
    """PyTorch's parameters into our module, so both compute with the same numbers."""
    for name, value in theirs.state_dict().items():
        getattr(ours, name).data.copy_(tg.Tensor(value.detach().numpy()))


# ---- normalize, softmin, glu, prelu ------------------------------------------------------------

ACTIVATIONS = [
    ("normalize", lambda x: F.normalize(x), lambda x: TF.normalize(x), [(3, 4)]),
    ("normalize_p1_dim_neg", lambda x: F.normalize(x, p=1.0, dim=-1), lambda x: TF.normalize(x, p=1.0, dim=-1),
     [(2, 3, 5)]),
    ("normalize_1d_dim0", lambda x: F.normalize(x, dim=0), lambda x: TF.normalize(x, dim=0), [(5,)]),
    ("normalize_p3", lambda x: F.normalize(x, 3.0, 2), lambda x: TF.normalize(x, 3.0, 2), [(2, 2, 4)]),
    ("softmin", lambda x: F.softmin(x, dim=1), lambda x: TF.softmin(x, dim=1), [(3, 4)]),
    ("softmin_neg_dim", lambda x: F.softmin(x, -1), lambda x: TF.softmin(x, -1), [(2, 3, 4)]),
    ("glu", lambda x: F.glu(x), lambda x: TF.glu(x), [(3, 4)]),
    ("glu_dim1", lambda x: F.glu(x, 1), lambda x: TF.glu(x, 1), [(2, 6, 3)]),
    ("prelu_one", lambda x, w: F.prelu(x, w), lambda x, w: TF.prelu(x, w), [(2, 3, 4), (1,)]),
    ("prelu_channels", lambda x, w: F.prelu(x, w), lambda x, w: TF.prelu(x, w), [(2, 3, 4, 2), (3,)]),
    ("prelu_1d", lambda x, w: F.prelu(x, w), lambda x, w: TF.prelu(x, w), [(5,), (1,)]),
    ("prelu_0d", lambda x, w: F.prelu(x, w), lambda x, w: TF.prelu(x, w), [(), (1,)]),
]


@pytest.mark.parametrize("name, ours, theirs, shapes", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_values_gradients_and_second_derivatives_match_torch(name, ours, theirs, shapes, device):
    check_against_torch(ours, theirs, shapes, device=device, double=True)


@pytest.mark.parametrize("name, ours, theirs, shapes", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_gradients_match_finite_differences(name, ours, theirs, shapes):
    finite_difference_check(ours, shapes)


def test_normalize_of_a_zero_vector_is_zero_with_torchs_gradient():
    x, t = tg.zeros(2, 3, requires_grad=True), torch.zeros(2, 3, dtype=torch.float32, requires_grad=True)
    F.normalize(x).sum().backward()
    TF.normalize(t).sum().backward()
    assert_close(F.normalize(x), TF.normalize(t), "forward")
    assert_close(x.grad, t.grad, "gradient", rtol=1e-6)


def test_prelu_at_zero_takes_the_slope_like_torch():
    x, w = tg.zeros(3, requires_grad=True), tg.Tensor([0.3], requires_grad=True)
    F.prelu(x, w).sum().backward()
    tx, tw = torch.zeros(3, requires_grad=True), torch.tensor([0.3], requires_grad=True)
    TF.prelu(tx, tw).sum().backward()
    assert_close(x.grad, tx.grad, "input gradient")
    assert_close(w.grad, tw.grad, "weight gradient")


def test_bad_inputs_name_the_op_and_shapes():
    with pytest.raises(ShapeError, match=r"glu: .*dimension 1 is size 3"):
        F.glu(tg.randn(2, 3), 1)
    with pytest.raises(ShapeError, match="glu: a 0-d tensor"):
        F.glu(tg.randn())
    with pytest.raises(ShapeError, match=r"prelu: weight has 2 slopes .*\(2, 3\).* 3 channels"):
        F.prelu(tg.randn(2, 3), tg.randn(2))
    with pytest.raises(ShapeError, match=r"prelu: weight must be a scalar or 1-D .*\(3, 1\)"):
        F.prelu(tg.randn(2, 3), tg.randn(3, 1))
    with pytest.raises(TypeError, match="normalize: input must be a floating-point tensor"):
        F.normalize(tg.arange(3))
    with pytest.raises(IndexError, match="normalize: dim 2"):
        F.normalize(tg.randn(2, 3), dim=2)
    with pytest.raises(ShapeError, match=r"Softmax2d: .*\(2, 3\)"):
        nn.Softmax2d()(tg.randn(2, 3))


# ---- the modules: PReLU, GLU, Softmin, Softmax2d -------------------------------------------------

@pytest.mark.parametrize("args", [(), (3,), (3, 0.1)], ids=["default", "per_channel", "init"])
def test_prelu_module_matches_torch_repr_state_dict_init_and_gradients(args, device):
    ours, theirs = nn.PReLU(*args).to(device), torch.nn.PReLU(*args).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_close(ours.weight, theirs.weight.float(), "initial weight")
    theirs.weight.data.uniform_(-1, 1)
    ours.double()
    copy_weights(ours, theirs)
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    xo, xt = tg.Tensor(x, device=device, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(xo), theirs(xt)
    assert_close(out, expected, "forward")
    g = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(tg.Tensor(g, device=device))
    expected.backward(torch.tensor(g))
    assert_close(xo.grad, xt.grad, "input gradient")
    assert_close(ours.weight.grad, theirs.weight.grad, "weight gradient (summed over the broadcast dims)")


@pytest.mark.parametrize("make", [lambda m: m.GLU(), lambda m: m.GLU(1), lambda m: m.Softmin(dim=1),
                                  lambda m: m.Softmax2d()], ids=["glu", "glu_dim1", "softmin", "softmax2d"])
def test_activation_modules_match_torch(make, device):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    check_against_torch(ours, theirs, [(2, 4, 3, 2)], device=device, double=True)


def test_softmax2d_accepts_an_unbatched_image(device):
    check_against_torch(nn.Softmax2d(), torch.nn.Softmax2d(), [(3, 2, 2)], device=device)


# ---- padding layers ---------------------------------------------------------------------------

PADS = [("ZeroPad1d", (2,), (2, 3, 4)), ("ZeroPad1d", ((1, 3),), (3, 4)), ("ZeroPad2d", (1,), (1, 2, 3, 4)),
        ("ZeroPad2d", ((1, 0, 2, 3),), (2, 3, 4)), ("ConstantPad1d", (2, 3.5), (2, 3, 4)),
        ("ConstantPad2d", ((1, 2, 0, 1), -1.0), (1, 2, 3, 4)), ("ReflectionPad1d", (2,), (2, 3, 4)),
        ("ReflectionPad2d", ((1, 2, 2, 0),), (1, 2, 3, 4)), ("ReplicationPad1d", ((3, 1),), (2, 3, 4)),
        ("ReplicationPad2d", (2,), (2, 3, 3)), ("CircularPad1d", (2,), (2, 3, 4)),
        ("CircularPad2d", ((1, 2, 2, 1),), (1, 2, 3, 4))]


@pytest.mark.parametrize("name, args, shape", PADS, ids=[f"{p[0]}-{i}" for i, p in enumerate(PADS)])
def test_padding_layers_match_torch(name, args, shape, device):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert ours.padding == theirs.padding
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    check_against_torch(ours, theirs, [shape], device=device, double=True)


def test_padding_layers_reject_a_wrong_padding():
    with pytest.raises(TypeError, match=r"ZeroPad2d: padding must be an int or a tuple of 4 ints, got \(1, 2\)"):
        nn.ZeroPad2d((1, 2))
    with pytest.raises(TypeError, match="ReflectionPad1d: padding must be"):
        nn.ReflectionPad1d(1.5)
