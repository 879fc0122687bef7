"""tg.onnx.export writes standard ONNX that onnx.checker accepts and ONNX Runtime runs with
tinygrad_edu's outputs (within 1e-5), at another batch size than the one exported."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.models import DigitsConvNet, digits_mlp

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOLERANCE = 1e-5


def run_onnx(proto, feeds: dict) -> list[np.ndarray]:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1   # the test machine is shared
    session = ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def export_and_compare(model, example, other, tmp_path, dynamic=True, **options):
    """Export with `example`, run ONNX Runtime on `other` (another batch size when dynamic),
    return the largest absolute difference from the model's own outputs."""
    path = tmp_path / "model.onnx"
    axes = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic else None
    tg.onnx.export(model, example, path, dynamic_axes=axes, **options)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    model.eval()
    with tg.no_grad():
        want = model(other).numpy()
    got, = run_onnx(proto, {"input": other.numpy()})
    assert got.shape == want.shape
    return float(np.abs(got - want).max())


# ---- the models the demo and the examples use ---------------------------------------------------

@pytest.mark.parametrize("make", [DigitsConvNet, digits_mlp], ids=["convnet", "mlp"])
def test_digits_models_match_onnx_runtime_at_another_batch_size(make, tmp_path):
    tg.manual_seed(0)
    model = make()
    difference = export_and_compare(model, tg.randn(2, 1, 8, 8), tg.randn(5, 1, 8, 8), tmp_path)
    assert difference < TOLERANCE


def test_parameters_are_stored_under_their_names(tmp_path):
    model = DigitsConvNet(channels=(4, 8), hidden=16)
    proto = tg.onnx.export(model, tg.randn(1, 1, 8, 8), None)
    stored = {t.name: onnx.numpy_helper.to_array(t) for t in proto.graph.initializer}
    for name, p in model.named_parameters():
        np.testing.assert_array_equal(stored[name], p.numpy())
    assert [i.name for i in proto.graph.input] == ["input"] and [o.name for o in proto.graph.output] == ["output"]


class Config:
    vocab_size, context, width, heads, layers = 20, 8, 16, 2, 2


class CausalSelfAttention(nn.Module):
    """examples/17_tiny_gpt.py's attention: one product for q, k and v, heads side by side."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.heads = config.heads
        self.qkv = nn.Linear(config.width, 3 * config.width)
        self.proj = nn.Linear(config.width, config.width)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.heads, C // self.heads).transpose(1, 2) for t in self.qkv(x).split(C, dim=2))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))


class Block(nn.Module):
    def __init__(self, config: Config) -> None:
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(config.width), nn.LayerNorm(config.width)
        self.attn = CausalSelfAttention(config)
        self.mlp = nn.Sequential(nn.Linear(config.width, 4 * config.width), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * config.width, config.width))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class TinyGPT(nn.Module):
    """The small GPT of examples/17_tiny_gpt.py, block for block, at test size."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.tok = nn.Embedding(config.vocab_size, config.width)
        self.pos = nn.Embedding(config.context, config.width)
        self.blocks = nn.ModuleList([Block(config) for _ in range(config.layers)])
        self.ln_f = nn.LayerNorm(config.width)
        self.head = nn.Linear(config.width, config.vocab_size, bias=False)
        for module in self.modules():   # GPT-2's initialisation, as the example does
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, 0.0, 0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)
        self.head.weight = self.tok.weight   # weight tying, as the example does

    def forward(self, idx):
        x = self.tok(idx) + self.pos(tg.arange(idx.shape[1]))
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln_f(x))


def test_tiny_gpt_matches_onnx_runtime_at_another_batch_size(tmp_path):
    tg.manual_seed(0)
    model = TinyGPT(Config())
    example, other = tg.randint(0, 20, (2, 8)), tg.randint(0, 20, (3, 8))
    assert export_and_compare(model, example, other, tmp_path) < TOLERANCE
    proto = onnx.load(str(tmp_path / "model.onnx"))
    names = [t.name for t in proto.graph.initializer]
    assert "tok.weight" in names and "head.weight" not in names   # the tied matrix is stored once


# ---- every layer the modern-layers issue brought ------------------------------------------------

class Shapes(nn.Module):
    """Movement ops: slicing with steps, negative starts, ints and None, cat, transpose, expand, pad, chunk."""

    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(6, 6)

    def forward(self, x):                            # (N, 4, 6)
        y = self.fc(x)
        a, b = y.chunk(2, dim=-1)                     # (N, 4, 3) each
        z = tg.cat([b, a[:, -3:], y[:, 1:3, ::2]], dim=1)    # (N, 9, 3)
        z = F.pad(z, (1, 2), value=0.5).transpose(1, 2)       # (N, 6, 9)
        w = z[:, None, 2] + z[:, :1].expand(-1, 3, -1)        # (N, 3, 9)
        return (w.unsqueeze(1).squeeze(1) * y[:, None, 0, :1]).clamp(-1, 1) ** 2 - w.abs().sqrt()


def layers_cases():
    """(name, model, input shape): each a small model of layers of one family."""
    def seq(*layers):
        return nn.Sequential(*layers)
    conv = seq(nn.Conv2d(2, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.LeakyReLU(0.1),
               nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(4, 4, 3, padding=2, dilation=2, groups=2),
               nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.5), nn.Linear(4, 3))
    activations = seq(nn.Linear(5, 8), nn.Sigmoid(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 8), nn.GELU(),
                      nn.Linear(8, 8), nn.SiLU(), nn.Linear(8, 8), nn.Softplus(beta=2.0), nn.Linear(8, 8), nn.ELU(),
                      nn.Linear(8, 8), nn.Hardswish(), nn.Linear(8, 8), nn.ReLU6(), nn.Linear(8, 8), nn.Mish(),
                      nn.Linear(8, 8), nn.SELU(), nn.Linear(8, 8), nn.Softmax(dim=-1), nn.Linear(8, 4),
                      nn.LogSoftmax(dim=-1))
    norms = seq(nn.Linear(6, 6), nn.LayerNorm(6), nn.BatchNorm1d(6), nn.ReLU())
    attention = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1, batch_first=True)
    return [("conv_pool_batchnorm", conv, (2, 2, 9, 9)), ("activations", activations, (2, 5)),
            ("norms", norms, (2, 6)), ("transformer_layer", attention, (2, 5, 8)), ("shapes", Shapes(), (2, 4, 6))]


@pytest.mark.parametrize("name, model, shape", layers_cases(), ids=[c[0] for c in layers_cases()])
def test_layers_match_onnx_runtime(name, model, shape, tmp_path):
    tg.manual_seed(1)
    for m in model.modules():   # running statistics that are not the initial 0 and 1
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.data = tg.randn(*m.running_mean.shape)
            m.running_var.data = tg.rand(*m.running_var.shape) + 0.5
    example, other = tg.randn(*shape), tg.randn(shape[0] + 1, *shape[1:])
    model.train()
    tg.onnx.export(model, example, None)   # exported in eval mode, then put back in training mode
    assert all(m.training for m in model.modules())
    assert export_and_compare(model, example, other, tmp_path) < TOLERANCE


def test_multihead_attention_with_two_inputs_and_two_outputs(tmp_path):
    tg.manual_seed(2)
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    query, memory = tg.randn(2, 3, 8), tg.randn(2, 5, 8)
    proto = tg.onnx.export(mha, (query, memory, memory), tmp_path / "mha.onnx",
                           input_names=["query", "key", "value"], output_names=["out", "weights"])
    got = run_onnx(proto, {"query": query.numpy(), "key": memory.numpy(), "value": memory.numpy()})
    with tg.no_grad():
        want = mha(query, memory, memory)
    for g, w in zip(got, want):
        assert np.abs(g - w.numpy()).max() < TOLERANCE


def test_adaptive_max_pool_and_embedding_with_fixed_batch(tmp_path):
    class Lookup(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(10, 16, padding_idx=0)
            self.pool = nn.AdaptiveMaxPool2d((2, 2))

        def forward(self, idx):
            return self.pool(self.emb(idx).reshape(-1, 1, 4, 4))

    tg.manual_seed(3)
    model, idx = Lookup(), tg.tensor([[1, 2, 0], [9, 9, 4]])
    assert export_and_compare(model, idx, idx, tmp_path, dynamic=False) < TOLERANCE


# ---- errors that name what is wrong -------------------------------------------------------------

class Cube(tg.Function):
    """f(x) = x³: a user's own op, which the op table cannot know"""

    def forward(self, x):
        return x ** 3

    def backward(self, grad):
        return grad * 3.0 * self.inputs[0] ** 2


class CubeModel(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(2, 2)

    def forward(self, x):
        return Cube.apply(self.fc(x))


def test_an_op_without_a_mapping_is_named():
    with pytest.raises(tg.onnx.UnsupportedOp, match=r"cube \(CubeBackward\).*shape \(1, 2\)"):
        tg.onnx.export(CubeModel(), tg.randn(1, 2), None)


def test_integer_array_indexing_is_refused_by_name():
    class Pick(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(3, 3)

        def forward(self, x):
            return self.fc(x)[:, tg.tensor([0, 2])]

    with pytest.raises(tg.onnx.UnsupportedOp, match="getitem.*integer arrays"):
        tg.onnx.export(Pick(), tg.randn(2, 3), None)


def test_bad_arguments_are_clear_errors():
    model = digits_mlp()
    x = tg.randn(1, 1, 8, 8)
    with pytest.raises(ValueError, match="dynamic_axes names 'images'.*'input', 'output'"):
        tg.onnx.export(model, x, None, dynamic_axes={"images": {0: "batch"}})
    with pytest.raises(ValueError, match="axis 4 for 'input', which has 4 dimensions"):
        tg.onnx.export(model, x, None, dynamic_axes={"input": [4]})
    with pytest.raises(ValueError, match="opset_version must be between 13"):
        tg.onnx.export(model, x, None, opset_version=9)
    with pytest.raises(ValueError, match="input_names must be 1 different names"):
        tg.onnx.export(model, x, None, input_names=["a", "b"])
    with pytest.raises(TypeError, match="args must be a Tensor or a tuple of Tensors"):
        tg.onnx.export(model, x.numpy(), None)


def test_parameters_keep_their_requires_grad_flags():
    model = digits_mlp()
    model[1].weight.requires_grad_(False)
    tg.onnx.export(model, tg.randn(1, 1, 8, 8), None)
    assert [p.requires_grad for p in model.parameters()] == [False] + [True] * 5


@pytest.mark.parametrize("opset", [13, 18])
def test_older_and_newer_opsets_give_the_same_numbers(opset, tmp_path):
    tg.manual_seed(4)
    model = nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6))
    x = tg.randn(3, 4)
    assert export_and_compare(model, x, x, tmp_path, opset_version=opset) < TOLERANCE
    assert onnx.load(str(tmp_path / "model.onnx")).opset_import[0].version == opset


def test_attention_by_hand_with_a_math_sqrt_scale(tmp_path):
    class ByHand(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.qkv = nn.Linear(4, 12)

        def forward(self, x):
            q, k, v = self.qkv(x).split(4, dim=-1)
            T = x.shape[1]
            scores = q @ k.transpose(-2, -1) / math.sqrt(4)
            future = tg.triu(tg.ones(T, T, dtype=tg.bool), diagonal=1)
            return scores.masked_fill(future, float("-inf")).softmax(dim=-1) @ v

    tg.manual_seed(5)
    model = ByHand()
    assert export_and_compare(model, tg.randn(2, 5, 4), tg.randn(4, 5, 4), tmp_path) < TOLERANCE


# ---- the command line ------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [lambda: DigitsConvNet(channels=(4, 8), hidden=16), lambda: digits_mlp((32, 16))],
                         ids=["convnet", "mlp"])
def test_cli_exports_a_saved_model_that_onnx_runtime_runs(make, tmp_path, capsys):
    from tinygrad_edu.cli import main
    tg.manual_seed(6)
    model = make()
    tg.save(model.state_dict(), tmp_path / "model.safetensors")
    assert main(["export", str(tmp_path / "model.safetensors"), "--onnx", str(tmp_path / "model.onnx")]) == 0
    assert "wrote" in capsys.readouterr().out
    images = tg.randn(7, 1, 8, 8)
    got, = run_onnx(onnx.load(str(tmp_path / "model.onnx")), {"image": images.numpy()})
    with tg.no_grad():
        assert np.abs(got - model(images).numpy()).max() < TOLERANCE


def test_cli_export_errors(tmp_path, capsys):
    from tinygrad_edu.cli import main
    assert main(["export", str(tmp_path / "missing.safetensors"), "--onnx", str(tmp_path / "m.onnx")]) == 2
    assert "no such model file" in capsys.readouterr().err
    tg.save({"w": tg.ones(2)}, tmp_path / "other.safetensors")
    assert main(["export", str(tmp_path / "other.safetensors"), "--onnx", str(tmp_path / "m.onnx")]) == 1
    assert "neither a DigitsConvNet nor a digits MLP" in capsys.readouterr().err
    assert not (tmp_path / "m.onnx").exists()
