"""F.scaled_dot_product_attention and nn.MultiheadAttention against PyTorch: values, gradients
(of inputs, masks and every parameter), second derivatives, finite differences, masks of both
kinds, dropout, state dicts, and the errors that name the op and the shapes."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import assert_close, check_against_torch, finite_difference_check
from tinygrad_edu import nn
from tinygrad_edu.errors import DTypeError, ShapeError

OPS_TESTED_HERE = ("scaled_dot_product_attention",)

RNG = np.random.default_rng(7)
KEEP = RNG.random((3, 5)) > 0.4          # a bool mask: True = this key takes part
KEEP[:, 0] = True                         # every query sees at least one key
DEAD_ROW = KEEP.copy()
DEAD_ROW[1] = False                       # query 1 may see no key at all


def sdpa_pair(**kw):
    """(ours, torch's) scaled_dot_product_attention with the same keyword arguments, the
    masks given as NumPy arrays (constants, on the test's device)."""
    def ours(device):
        extra = {k: tg.Tensor(v, device=device) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        return lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **extra)
    extra = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    return ours, lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, **extra)


SDPA_CASES = {
    "3d": ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {}),
    "4d_heads": ([(2, 3, 3, 4), (2, 3, 5, 4), (2, 3, 5, 2)], {}),
    "2d": ([(3, 4), (5, 4), (5, 2)], {}),
    "batch_broadcast": ([(2, 1, 3, 4), (3, 5, 4), (1, 5, 6)], {}),
    "bool_mask": ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"attn_mask": KEEP}),
    "bool_mask_per_batch": ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"attn_mask": RNG.random((2, 3, 5)) > 0.3}),
    "float_mask": ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"attn_mask": RNG.standard_normal((1, 3, 5))}),
    "causal_square": ([(2, 4, 4), (2, 4, 4), (2, 4, 3)], {"is_causal": True}),
    "causal_fewer_queries": ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"is_causal": True}),
    "causal_more_queries": ([(1, 6, 4), (1, 3, 4), (1, 3, 2)], {"is_causal": True}),
    "scale": ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"scale": 0.3}),
    "gqa": ([(1, 4, 3, 4), (1, 2, 5, 4), (1, 2, 5, 2)], {"enable_gqa": True}),
    "fully_masked_row": ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"attn_mask": DEAD_ROW}),
}


@pytest.mark.parametrize("case", sorted(SDPA_CASES))
def test_scaled_dot_product_attention_matches_torch_with_first_and_second_derivatives(case, device):
    shapes, kw = SDPA_CASES[case]
    ours, theirs = sdpa_pair(**kw)
    check_against_torch(ours(device), theirs, shapes, device=device, double=True)


def test_a_float_mask_gets_its_gradient_like_torch(device):
    check_against_torch(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
                        lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, attn_mask=m),
                        [(2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5)], device=device, double=True)


def test_a_query_that_may_see_no_key_gets_zeros_and_zero_gradients_as_in_torch():
    q, k, v = (tg.Tensor(a, requires_grad=True) for a in RNG.standard_normal((3, 2, 5, 4)))
    minus_inf = np.where(DEAD_ROW, 0.0, -np.inf)
    for mask in (tg.Tensor(DEAD_ROW), tg.Tensor(minus_inf)):
        out = F.scaled_dot_product_attention(q[:, :3], k, v, attn_mask=mask)
        expected = TF.scaled_dot_product_attention(torch.tensor(q.numpy()[:, :3]), torch.tensor(k.numpy()),
                                                   torch.tensor(v.numpy()), attn_mask=torch.tensor(mask.numpy()))
        assert_close(out, expected, "forward")
        assert np.all(out.numpy()[:, 1] == 0)
        out.sum().backward()
        assert np.isfinite(q.grad.numpy()).all() and np.all(q.grad.numpy()[:, 1] == 0)
        q.grad = None


def test_scaled_dot_product_attention_matches_finite_differences():
    finite_difference_check(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                            [(2, 3, 4), (2, 4, 4), (2, 4, 3)])
    finite_difference_check(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m, scale=0.7),
                            [(3, 2), (4, 2), (4, 3), (3, 4)])


def test_float32_attention_agrees_with_torch_to_float32_rounding():
    q, k, v = (RNG.standard_normal(s).astype(np.float32) for s in [(2, 2, 5, 8), (2, 2, 7, 8), (2, 2, 7, 8)])
    out = F.scaled_dot_product_attention(tg.Tensor(q), tg.Tensor(k), tg.Tensor(v), is_causal=True)
    expected = TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v), is_causal=True)
    assert out.dtype == tg.float32
    assert_close(out, expected, "float32", rtol=1e-5, atol=1e-6)


def test_empty_queries_or_keys_give_what_torch_gives():
    for lengths in ((0, 5, 4), (3, 0, 4), (3, 5, 0)):   # no queries, no keys, no features
        q, k, v = RNG.standard_normal((2, lengths[0], lengths[2])), RNG.standard_normal((2, lengths[1], lengths[2])), \
            RNG.standard_normal((2, lengths[1], 6))
        out = F.scaled_dot_product_attention(tg.Tensor(q), tg.Tensor(k), tg.Tensor(v))
        expected = TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v))
        assert_close(out, expected, f"lengths {lengths}")


def test_dropout_zeroes_weights_with_probability_p_and_scales_the_rest():
    # Equal scores give every one of the S keys weight 1/S; value = identity shows the weights.
    s, p = 50, 0.3
    q, k = tg.zeros(40, s, 4), tg.zeros(40, s, 4)
    tg.manual_seed(0)
    weights = F.scaled_dot_product_attention(q, k, tg.eye(s), dropout_p=p).numpy()
    kept = weights != 0
    np.testing.assert_allclose(weights[kept], 1 / (s * (1 - p)), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.02
    tg.manual_seed(0)
    again = F.scaled_dot_product_attention(q, k, tg.eye(s), dropout_p=p).numpy()
    np.testing.assert_array_equal(weights, again)
    assert np.all(F.scaled_dot_product_attention(q, k, tg.eye(s), dropout_p=1.0).numpy() == 0)


def test_the_graph_of_one_attention_head_shows_its_matmuls_and_softmax():
    q = tg.randn(3, 4, requires_grad=True)
    source = tg.viz.draw_graph(F.scaled_dot_product_attention(q, q, q, is_causal=True).sum()).source
    ops = [line.split("label=")[1].split()[0] for line in source.splitlines() if "shape=oval" in line]
    assert sorted(ops) == ["matmul", "matmul", "mul", "permute", "softmax", "sum", "where"]


@pytest.mark.parametrize("args, kw, error, words", [
    ([(2, 3, 4), (2, 5, 3), (2, 5, 6)], {}, ShapeError, ["scaled_dot_product_attention", "(2, 5, 3)", "feature"]),
    ([(2, 3, 4), (2, 5, 4), (2, 4, 6)], {}, ShapeError, ["scaled_dot_product_attention", "(2, 4, 6)", "length"]),
    ([(2, 3, 4), (3, 5, 4), (3, 5, 6)], {}, ShapeError, ["scaled_dot_product_attention", "(3, 5, 4)", "batch"]),
    ([(4,), (4,), (4,)], {}, ShapeError, ["scaled_dot_product_attention", "at least 2"]),
    ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"attn_mask": np.ones((4, 5), bool)}, ShapeError,
     ["scaled_dot_product_attention", "(4, 5)", "(2, 3, 5)"]),
    ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"attn_mask": np.ones((3, 5), np.int64)}, DTypeError,
     ["scaled_dot_product_attention", "int64"]),
    ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"attn_mask": np.ones((3, 5), np.float32)}, DTypeError,
     ["scaled_dot_product_attention", "float32", "float64"]),
    ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"attn_mask": np.ones((3, 5), bool), "is_causal": True}, ValueError,
     ["scaled_dot_product_attention", "not both"]),
    ([(2, 3, 4), (2, 5, 4), (2, 5, 6)], {"dropout_p": 1.5}, ValueError, ["scaled_dot_product_attention", "1.5"]),
    ([(1, 3, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4)], {"enable_gqa": True}, ShapeError,
     ["scaled_dot_product_attention", "3 query", "2 key"]),
])
def test_bad_attention_input_is_a_clear_error_naming_the_op_and_shapes(args, kw, error, words):
    q, k, v = (tg.Tensor(RNG.standard_normal(s)) for s in args)
    extra = {key: tg.Tensor(val) if isinstance(val, np.ndarray) else val for key, val in kw.items()}
    with pytest.raises(error) as info:
        F.scaled_dot_product_attention(q, k, v, **extra)
    for word in words:
        assert word in str(info.value)


def test_attention_refuses_mixed_or_integer_dtypes():
    with pytest.raises(DTypeError, match="scaled_dot_product_attention.*float32.*float64"):
        F.scaled_dot_product_attention(tg.randn(2, 3), tg.randn(2, 3).double(), tg.randn(2, 3))
    ones = tg.ones(2, 3, dtype=tg.int64)
    with pytest.raises(DTypeError, match="scaled_dot_product_attention.*floating"):
        F.scaled_dot_product_attention(ones, ones, ones)


# ---- nn.MultiheadAttention ------------------------------------------------------------------

MHA_CONFIGS = {
    "default": dict(embed_dim=4, num_heads=2),
    "batch_first": dict(embed_dim=6, num_heads=3, batch_first=True),
    "kdim_vdim": dict(embed_dim=6, num_heads=2, kdim=5, vdim=3),
    "no_bias": dict(embed_dim=4, num_heads=1, bias=False),
    "bias_kv_zero_attn": dict(embed_dim=4, num_heads=2, add_bias_kv=True, add_zero_attn=True),
}


def mha_pair(config: dict, device: str = "cpu"):
    theirs = torch.nn.MultiheadAttention(**config).double()
    ours = nn.MultiheadAttention(**config, dtype=tg.float64)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()}, strict=True)
    return ours.to(device), theirs


def mha_inputs(config: dict, batched: bool = True, lengths=(3, 4), batch: int = 2):
    e = config["embed_dim"]
    sizes = (e, config.get("kdim") or e, config.get("vdim") or e)
    shapes = []
    for length, size in zip((lengths[0], lengths[1], lengths[1]), sizes):
        if not batched:
            shapes.append((length, size))
        else:
            shapes.append((batch, length, size) if config.get("batch_first") else (length, batch, size))
    return [RNG.standard_normal(s) for s in shapes]


def compare_mha(config, forward_kw, device="cpu", batched=True, train=False):
    ours, theirs = mha_pair(config, device)
    ours.train(train), theirs.train(train)
    arrays = mha_inputs(config, batched)
    our_in = [tg.Tensor(a, device=device, requires_grad=True) for a in arrays]
    their_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    our_kw = {k: tg.Tensor(v, device=device) if isinstance(v, np.ndarray) else v for k, v in forward_kw.items()}
    their_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in forward_kw.items()}
    out, weights = ours(*our_in, **our_kw)
    expected, expected_weights = theirs(*their_in, **their_kw)
    assert_close(out, expected, "output")
    if expected_weights is None:
        assert weights is None
    else:
        assert_close(weights, expected_weights, "attention weights")
    upstream = RNG.standard_normal(expected.shape)
    loss = (out * tg.Tensor(upstream, device=device)).sum()
    their_loss = (expected * torch.tensor(upstream)).sum()
    if expected_weights is not None:
        loss = loss + (weights ** 2).sum()
        their_loss = their_loss + (expected_weights ** 2).sum()
    loss.backward()
    their_loss.backward()
    for name, a, b in zip(("query", "key", "value"), our_in, their_in):
        assert_close(a.grad, b.grad, f"gradient of {name}")
    our_params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        assert_close(our_params[name].grad, p.grad, f"gradient of {name}")


@pytest.mark.parametrize("name", sorted(MHA_CONFIGS))
def test_multihead_attention_has_torchs_state_dict_keys_and_shapes(name):
    ours, theirs = nn.MultiheadAttention(**MHA_CONFIGS[name]), torch.nn.MultiheadAttention(**MHA_CONFIGS[name])
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [tuple(v.shape) for v in ours.state_dict().values()] == \
        [tuple(v.shape) for v in theirs.state_dict().values()]
    back = torch.nn.MultiheadAttention(**MHA_CONFIGS[name])
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}, strict=True)


@pytest.mark.parametrize("name", sorted(MHA_CONFIGS))
@pytest.mark.parametrize("need_weights", [True, False], ids=["weights", "no_weights"])
def test_multihead_attention_matches_torch_outputs_weights_and_every_gradient(name, need_weights, device):
    compare_mha(MHA_CONFIGS[name], {"need_weights": need_weights}, device)


KEY_PADDING = np.array([[False, False, True, False], [False, True, True, False]])


@pytest.mark.parametrize("forward_kw", [
    {"key_padding_mask": KEY_PADDING},
    {"key_padding_mask": np.where(KEY_PADDING, -np.inf, 0.0), "need_weights": False},
    {"attn_mask": RNG.random((3, 4)) > 0.7},
    {"attn_mask": RNG.standard_normal((4, 3, 4)), "key_padding_mask": np.where(KEY_PADDING, -1e4, 0.0)},
    {"attn_mask": RNG.random((3, 4)) > 0.7, "key_padding_mask": KEY_PADDING, "need_weights": False},
    {"average_attn_weights": False, "key_padding_mask": KEY_PADDING},
], ids=["padding_bool", "padding_float", "attn_bool", "attn_3d_float_and_padding", "both_masks_sdpa",
        "per_head_weights"])
def test_multihead_attention_masks_match_torch(forward_kw):
    compare_mha(MHA_CONFIGS["default"], forward_kw)
    compare_mha(MHA_CONFIGS["bias_kv_zero_attn"], forward_kw)


@pytest.mark.parametrize("need_weights", [True, False], ids=["weights", "no_weights"])
def test_multihead_attention_is_causal_hint_matches_torch(need_weights):
    causal = np.triu(np.ones((3, 3), bool), 1)    # True = may not attend (MultiheadAttention's sense)
    ours, theirs = mha_pair(MHA_CONFIGS["default"])
    q = RNG.standard_normal((3, 2, 4))
    out, _ = ours(*(tg.Tensor(q),) * 3, attn_mask=tg.Tensor(causal), is_causal=True, need_weights=need_weights)
    expected, _ = theirs(*(torch.tensor(q),) * 3, attn_mask=torch.tensor(causal), is_causal=True,
                         need_weights=need_weights)
    assert_close(out, expected, "causal")


@pytest.mark.parametrize("forward_kw", [{}, {"key_padding_mask": np.array([False, True, False, False])},
                                        {"attn_mask": RNG.standard_normal((2, 3, 4)), "need_weights": False}],
                         ids=["plain", "padding", "per_head_mask"])
def test_multihead_attention_takes_one_unbatched_sequence_like_torch(forward_kw):
    compare_mha(MHA_CONFIGS["default"], forward_kw, batched=False)


def test_multihead_attention_fully_masked_query_gives_torchs_nan_or_zeros():
    ours, theirs = mha_pair(MHA_CONFIGS["default"])
    q = RNG.standard_normal((3, 2, 4))
    blocked = np.zeros((3, 3), bool)
    blocked[1] = True
    for need_weights in (True, False):
        out, _ = ours(*(tg.Tensor(q),) * 3, attn_mask=tg.Tensor(blocked), need_weights=need_weights)
        expected, _ = theirs(*(torch.tensor(q),) * 3, attn_mask=torch.tensor(blocked), need_weights=need_weights)
        np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-9, atol=1e-10, equal_nan=True)


def test_multihead_attention_initialises_like_torch():
    tg.manual_seed(0)
    mha = nn.MultiheadAttention(16, 4)
    bound = math.sqrt(6 / (16 + 48))     # Xavier-uniform on the (3·16, 16) stacked projection
    w = mha.in_proj_weight.numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.all(mha.in_proj_bias.numpy() == 0) and np.all(mha.out_proj.bias.numpy() == 0)
    out_bound = 1 / math.sqrt(16)
    assert np.abs(mha.out_proj.weight.numpy()).max() <= out_bound
    assert nn.MultiheadAttention(4, 2, kdim=3).in_proj_weight is None


def test_multihead_attention_dropout_acts_in_training_only():
    ours, theirs = mha_pair(dict(embed_dim=4, num_heads=2, dropout=0.5))
    q = tg.Tensor(RNG.standard_normal((6, 2, 4)))
    _, train_weights = ours(q, q, q)
    row_sums = train_weights.numpy().sum(-1)
    assert not np.allclose(row_sums, 1)           # dropped weights no longer sum to one
    ours.eval(), theirs.eval()
    out, weights = ours(q, q, q)
    np.testing.assert_allclose(weights.numpy().sum(-1), 1, rtol=1e-9)
    expected, _ = theirs(*(torch.tensor(q.numpy()),) * 3)
    assert_close(out, expected, "eval output")


@pytest.mark.parametrize("make, words", [
    (lambda: nn.MultiheadAttention(5, 2), ["MultiheadAttention", "embed_dim=5", "num_heads=2"]),
    (lambda: nn.MultiheadAttention(4, 0), ["MultiheadAttention", "num_heads"]),
    (lambda: nn.MultiheadAttention(4, 2, dropout=2.0), ["MultiheadAttention", "dropout"]),
])
def test_multihead_attention_refuses_bad_settings(make, words):
    with pytest.raises(ValueError) as info:
        make()
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("shapes, kw, words", [
    ([(3, 2, 5), (4, 2, 4), (4, 2, 4)], {}, ["(3, 2, 5)", "feature"]),
    ([(3, 2, 4), (4, 2, 4), (5, 2, 4)], {}, ["(4, 2, 4)", "(5, 2, 4)"]),
    ([(3, 2, 4), (4, 3, 4), (4, 3, 4)], {}, ["batch", "(4, 3, 4)"]),
    ([(2, 3, 2, 4), (4, 2, 4), (4, 2, 4)], {}, ["3-D", "(2, 3, 2, 4)"]),
    ([(3, 2, 4), (4, 2, 4), (4, 2, 4)], {"key_padding_mask": np.zeros((2, 3), bool)}, ["key_padding_mask", "(2, 4)"]),
    ([(3, 2, 4), (4, 2, 4), (4, 2, 4)], {"attn_mask": np.zeros((3, 3), bool)}, ["attn_mask", "(3, 4)", "(4, 3, 4)"]),
])
def test_multihead_attention_wrong_input_shapes_are_clear_errors(shapes, kw, words):
    mha = nn.MultiheadAttention(4, 2)
    extra = {k: tg.Tensor(v) for k, v in kw.items()}
    with pytest.raises(ShapeError) as info:
        mha(*(tg.randn(*s) for s in shapes), **extra)
    assert "MultiheadAttention" in str(info.value)
    for word in words:
        assert word in str(info.value)


def test_multihead_attention_needs_a_mask_with_the_causal_hint():
    x = tg.randn(3, 2, 4)
    with pytest.raises(ValueError, match="MultiheadAttention.*is_causal"):
        nn.MultiheadAttention(4, 2)(x, x, x, is_causal=True)


# ---- nn.TransformerEncoderLayer and nn.TransformerEncoder -----------------------------------

def encoder_layer_pair(config: dict, our_activation=None, their_activation=None):
    extra = {} if our_activation is None else {"activation": our_activation}
    their_extra = {} if their_activation is None else {"activation": their_activation}
    theirs = torch.nn.TransformerEncoderLayer(**config, **their_extra).double()
    ours = nn.TransformerEncoderLayer(**config, **extra, dtype=tg.float64)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()}, strict=True)
    return ours, theirs


def compare_encoder(ours, theirs, batch_first: bool, train: bool, forward_kw: dict, seq: int = 4):
    ours.train(train), theirs.train(train)
    x = RNG.standard_normal((2, seq, 6) if batch_first else (seq, 2, 6))
    our_x, their_x = tg.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    our_kw = {k: tg.Tensor(v) if isinstance(v, np.ndarray) else v for k, v in forward_kw.items()}
    their_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in forward_kw.items()}
    out, expected = ours(our_x, **our_kw), theirs(their_x, **their_kw)
    assert_close(out, expected, "output", rtol=1e-8, atol=1e-9)
    upstream = RNG.standard_normal(expected.shape)
    (out * tg.Tensor(upstream)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    assert_close(our_x.grad, their_x.grad, "gradient of the input", rtol=1e-8, atol=1e-9)
    our_params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        assert_close(our_params[name].grad, p.grad, f"gradient of {name}", rtol=1e-8, atol=1e-9)


CAUSAL_4 = np.triu(np.ones((4, 4), bool), 1)
PADDING_2x4 = np.array([[False, False, False, True], [False, True, False, False]])
ENCODER_CASES = {
    "post_norm_relu": (dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0), {}),
    "pre_norm_gelu_batch_first": (dict(d_model=6, nhead=3, dim_feedforward=5, dropout=0.0, activation="gelu",
                                       norm_first=True, batch_first=True), {}),
    "causal_mask": (dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0),
                    {"src_mask": CAUSAL_4, "is_causal": True}),
    "padding_mask_no_bias": (dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0, bias=False,
                                  layer_norm_eps=1e-3), {"src_key_padding_mask": PADDING_2x4}),
}


@pytest.mark.parametrize("name", sorted(ENCODER_CASES))
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_transformer_encoder_layer_matches_torch_outputs_and_every_gradient(name, train):
    config, forward_kw = ENCODER_CASES[name]
    ours, theirs = encoder_layer_pair(config)
    compare_encoder(ours, theirs, config.get("batch_first", False), train, forward_kw)


def test_transformer_encoder_layer_takes_an_activation_module_like_torch():
    config = dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0)
    ours, theirs = encoder_layer_pair(config, nn.SiLU(), torch.nn.SiLU())
    assert list(ours.state_dict()) == list(theirs.state_dict())
    compare_encoder(ours, theirs, False, True, {})


def test_transformer_encoder_layer_state_dict_loads_strictly_both_ways():
    config = dict(d_model=8, nhead=2, norm_first=True)
    ours, theirs = nn.TransformerEncoderLayer(**config), torch.nn.TransformerEncoderLayer(**config)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}, strict=True)
    names = [name for name, _ in ours.named_children()]
    assert names == ["self_attn", "linear1", "dropout", "linear2", "norm1", "norm2", "dropout1", "dropout2"]


def test_transformer_encoder_stacks_copies_and_matches_torch():
    config = dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0)
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**config), 2,
                                         norm=torch.nn.LayerNorm(6), enable_nested_tensor=False).double()
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(**config, dtype=tg.float64), 2,
                                 norm=nn.LayerNorm(6, dtype=tg.float64))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()}, strict=True)
    assert ours.layers[0].linear1.weight is not ours.layers[1].linear1.weight
    compare_encoder(ours, theirs, False, True, {"mask": CAUSAL_4, "src_key_padding_mask": PADDING_2x4})


def test_transformer_encoder_layer_dropout_acts_in_training_only():
    ours, theirs = encoder_layer_pair(dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.5))
    x = tg.Tensor(RNG.standard_normal((4, 2, 6)))
    train_out = ours(x)
    ours.eval(), theirs.eval()
    eval_out = ours(x)
    assert not np.allclose(train_out.numpy(), eval_out.numpy())
    with torch.no_grad():
        expected = theirs(torch.tensor(x.numpy()))
    assert_close(eval_out, expected, "eval output", rtol=1e-8, atol=1e-9)


def test_transformer_encoder_layer_refuses_an_unknown_activation_and_bad_shapes():
    with pytest.raises(ValueError, match="TransformerEncoderLayer.*activation.*'tanh'"):
        nn.TransformerEncoderLayer(4, 2, activation="tanh")
    with pytest.raises(ValueError, match="MultiheadAttention.*embed_dim=6.*num_heads=4"):
        nn.TransformerEncoderLayer(6, 4)
    with pytest.raises(ShapeError, match="MultiheadAttention.*(3, 2, 5)"):
        nn.TransformerEncoderLayer(4, 2)(tg.randn(3, 2, 5))


def test_multihead_attention_masks_must_be_tensors():
    x = tg.randn(3, 2, 4)
    with pytest.raises(TypeError, match="MultiheadAttention.*attn_mask.*ndarray"):
        nn.MultiheadAttention(4, 2)(x, x, x, attn_mask=np.zeros((3, 3), bool))


# ---- nn.TransformerDecoderLayer, nn.TransformerDecoder and nn.Transformer --------------------

def load_from_torch(ours, theirs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()}, strict=True)
    return ours, theirs


def compare_two_inputs(ours, theirs, shapes, train: bool, forward_kw: dict):
    """Run both on the same two inputs (tgt and memory, or src and tgt): outputs, input and parameter gradients."""
    ours.train(train), theirs.train(train)
    xs = [RNG.standard_normal(s) for s in shapes]
    our_xs = [tg.Tensor(x, requires_grad=True) for x in xs]
    their_xs = [torch.tensor(x, requires_grad=True) for x in xs]
    our_kw = {k: tg.Tensor(v) if isinstance(v, np.ndarray) else v for k, v in forward_kw.items()}
    their_kw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in forward_kw.items()}
    out, expected = ours(*our_xs, **our_kw), theirs(*their_xs, **their_kw)
    assert_close(out, expected, "output", rtol=1e-8, atol=1e-9)
    upstream = RNG.standard_normal(expected.shape)
    (out * tg.Tensor(upstream)).sum().backward()
    (expected * torch.tensor(upstream)).sum().backward()
    for i, (a, b) in enumerate(zip(our_xs, their_xs)):
        assert_close(a.grad, b.grad, f"gradient of input {i}", rtol=1e-8, atol=1e-9)
    our_params = dict(ours.named_parameters())
    for name, p in theirs.named_parameters():
        assert_close(our_params[name].grad, p.grad, f"gradient of {name}", rtol=1e-8, atol=1e-9)


CAUSAL_3 = np.triu(np.ones((3, 3), bool), 1)
MEMORY_PADDING_2x4 = PADDING_2x4
DECODER_CASES = {
    "post_norm_relu": (dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0), False, {}),
    "pre_norm_gelu_batch_first": (dict(d_model=6, nhead=3, dim_feedforward=5, dropout=0.0, activation="gelu",
                                       norm_first=True, batch_first=True), True, {}),
    "causal_and_memory_padding": (dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0), False,
                                  {"tgt_mask": CAUSAL_3, "tgt_is_causal": True,
                                   "memory_key_padding_mask": MEMORY_PADDING_2x4}),
    "float_masks_no_bias": (dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0, bias=False, layer_norm_eps=1e-3),
                            False, {"tgt_mask": RNG.standard_normal((3, 3)), "memory_mask": RNG.standard_normal((3, 4)),
                                    "tgt_key_padding_mask": np.array([[False, False, True], [False, False, False]])}),
}


@pytest.mark.parametrize("name", sorted(DECODER_CASES))
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_transformer_decoder_layer_matches_torch_outputs_and_every_gradient(name, train):
    config, batch_first, forward_kw = DECODER_CASES[name]
    ours, theirs = load_from_torch(nn.TransformerDecoderLayer(**config, dtype=tg.float64),
                                   torch.nn.TransformerDecoderLayer(**config).double())
    shapes = [(2, 3, 6), (2, 4, 6)] if batch_first else [(3, 2, 6), (4, 2, 6)]
    compare_two_inputs(ours, theirs, shapes, train, forward_kw)


def test_transformer_decoder_layer_names_its_parts_like_torch_and_takes_one_sequence():
    config = dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0, activation=nn.SiLU())
    ours, theirs = load_from_torch(nn.TransformerDecoderLayer(**config, dtype=tg.float64),
                                   torch.nn.TransformerDecoderLayer(**{**config, "activation": torch.nn.SiLU()}).double())
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    compare_two_inputs(ours, theirs, [(3, 6), (4, 6)], True, {})


def test_transformer_decoder_stacks_copies_and_matches_torch():
    config = dict(d_model=6, nhead=2, dim_feedforward=8, dropout=0.0)
    ours, theirs = load_from_torch(
        nn.TransformerDecoder(nn.TransformerDecoderLayer(**config, dtype=tg.float64), 2,
                              norm=nn.LayerNorm(6, dtype=tg.float64)),
        torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(**config), 2, norm=torch.nn.LayerNorm(6)).double())
    assert ours.layers[0].linear1.weight is not ours.layers[1].linear1.weight
    compare_two_inputs(ours, theirs, [(3, 2, 6), (4, 2, 6)], True,
                       {"tgt_mask": CAUSAL_3, "memory_key_padding_mask": MEMORY_PADDING_2x4})


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
def test_transformer_matches_torch_outputs_and_every_gradient(batch_first, train):
    config = dict(d_model=6, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=8, dropout=0.0,
                  batch_first=batch_first, norm_first=batch_first)
    ours, theirs = load_from_torch(nn.Transformer(**config, dtype=tg.float64), torch.nn.Transformer(**config).double())
    shapes = [(2, 4, 6), (2, 3, 6)] if batch_first else [(4, 2, 6), (3, 2, 6)]
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=tg.float64).numpy()
    compare_two_inputs(ours, theirs, shapes, train,
                       {"tgt_mask": mask, "src_key_padding_mask": PADDING_2x4,
                        "memory_key_padding_mask": PADDING_2x4})


def test_transformer_defaults_state_dict_and_initialisation_follow_torch():
    torch.manual_seed(0)
    theirs = torch.nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                                  dim_feedforward=32)
    ours = nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_children()] == ["encoder", "decoder"]
    assert ours.encoder.layers[0].dropout.p == 0.1 and ours.decoder.norm is not None
    # every matrix is Xavier-uniform, linear1 too: bounded by √(6/(fan_in + fan_out)), and spread like it
    w = ours.decoder.layers[0].linear1.weight.numpy()
    bound = math.sqrt(6 / (16 + 32))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()}, strict=True)
    expected = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert torch.equal(torch.tensor(nn.Transformer.generate_square_subsequent_mask(4).numpy()), expected)


def test_transformer_takes_a_custom_encoder_and_decoder():
    encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(6, 2, 8, 0.0), 1)
    decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(6, 2, 8, 0.0), 1)
    model = nn.Transformer(6, 2, custom_encoder=encoder, custom_decoder=decoder)
    assert model.encoder is encoder and model.decoder is decoder
    assert model(tg.randn(4, 2, 6), tg.randn(3, 2, 6)).shape == (3, 2, 6)


def test_transformer_and_decoder_refuse_bad_input_naming_the_layer_and_shapes():
    model = nn.Transformer(6, 2, 1, 1, 8)
    with pytest.raises(ShapeError, match=r"Transformer: src and tgt must both be batched with one batch size.*"
                                         r"src \(4, 2, 6\) and tgt \(3, 5, 6\)"):
        model(tg.randn(4, 2, 6), tg.randn(3, 5, 6))
    with pytest.raises(ShapeError, match=r"Transformer: src and tgt must have d_model=6 .*tgt \(3, 2, 5\)"):
        model(tg.randn(4, 2, 6), tg.randn(3, 2, 5))
    with pytest.raises(ValueError, match="TransformerDecoderLayer.*activation.*'tanh'"):
        nn.TransformerDecoderLayer(4, 2, activation="tanh")
    with pytest.raises(ValueError, match="TransformerDecoder: num_layers must be a positive int"):
        nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2), 0)
    with pytest.raises(ShapeError, match=r"MultiheadAttention.*key \(4, 2, 5\)"):
        nn.TransformerDecoderLayer(4, 2)(tg.randn(3, 2, 4), tg.randn(4, 2, 5))
