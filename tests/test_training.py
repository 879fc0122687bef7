"""The shared models and the one training loop: what `train` returns, says and leaves behind,
and that the layers below them never import them."""
from __future__ import annotations

import ast
import pathlib

import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.models import DigitsConvNet, digits_mlp
from tinygrad_edu.training import NonFiniteLossError, accuracy, digits_split, train

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "tinygrad_edu"
BELOW = ["nn", "optim", "utils", "data.py", "serialization.py", "viz", "study", "backend", "backend.py",
         "autograd.py", "tensor.py", "creation.py", "ops", "allocator.py"]


def _small_digits(n: int = 200) -> tuple[tg.Tensor, ...]:
    x_train, y_train, x_test, y_test = digits_split(seed=0)
    return x_train[:n], y_train[:n], x_test[:n], y_test[:n]


def test_the_models_have_the_sizes_the_docs_state():
    count = lambda model: sum(p.numel() for p in model.parameters())
    assert count(DigitsConvNet(channels=(16, 32), hidden=64)) == 13_706
    assert count(digits_mlp()) == 17_226
    x = tg.zeros(3, 1, 8, 8)
    assert DigitsConvNet()(x).shape == digits_mlp()(x).shape == (3, 10)


def test_digits_split_standardizes_with_the_training_statistics_or_keeps_the_pixels():
    x_train, y_train, x_test, y_test = digits_split(seed=0)
    assert (len(y_train), len(y_test)) == (1437, 360)
    assert abs(x_train.mean().item()) < 1e-4 and abs(x_train.std().item() - 1) < 1e-4
    raw = digits_split(seed=0, standardize=False)
    assert raw[0].min().item() == 0.0 and raw[0].max().item() == 1.0
    assert (raw[1] == y_train).all().item() and (raw[3] == y_test).all().item()


def test_train_returns_one_entry_per_epoch_and_leaves_the_model_in_eval_mode():
    x_train, y_train, x_test, y_test = _small_digits()
    tg.manual_seed(0)
    model = digits_mlp()
    history = train(model, x_train, y_train, 3, test=(x_test, y_test))
    assert list(history) == ["loss", "train_accuracy", "test_accuracy"]
    assert all(len(values) == 3 for values in history.values())
    assert history["loss"][-1] < history["loss"][0]
    assert history["test_accuracy"][-1] == accuracy(model, x_test, y_test)
    assert not model.training
    assert list(train(model, x_train, y_train, 1)) == ["loss", "train_accuracy"]   # no test data, no test key


def test_train_with_the_same_seeds_gives_the_same_losses():
    x_train, y_train, _, _ = _small_digits()
    runs = []
    for _ in range(2):
        tg.manual_seed(1)
        runs.append(train(DigitsConvNet(channels=(4, 8), hidden=16), x_train, y_train, 2, seed=3)["loss"])
    assert runs[0] == runs[1]


def test_train_logs_one_line_per_epoch_only_when_asked(capsys):
    x_train, y_train, x_test, y_test = _small_digits(64)
    lines: list[str] = []
    train(nn.Sequential(nn.Flatten(), nn.Linear(64, 10)), x_train, y_train, 2, test=(x_test, y_test), log=lines.append)
    assert [line.split(":")[0] for line in lines] == ["epoch 1/2", "epoch 2/2"]
    assert "test accuracy" in lines[0]
    train(nn.Sequential(nn.Flatten(), nn.Linear(64, 10)), x_train, y_train, 2)
    assert capsys.readouterr().out == ""


def test_a_loss_that_becomes_nan_stops_training_and_says_where():
    x_train, y_train, _, _ = _small_digits(128)
    x_train = tg.cat([x_train[:127], tg.full((1, 1, 8, 8), float("nan"))])   # one broken digit
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    lines: list[str] = []
    with pytest.raises(NonFiniteLossError) as error:
        train(model, x_train, y_train, 2, lr=0.5, batch_size=32, log=lines.append)
    e = error.value
    assert isinstance(e, RuntimeError) and e.what == "loss" and e.value != e.value and e.lr == 0.5
    assert (e.epoch, e.steps) == (1, 4) and 1 <= e.step <= 4 and lines == []   # stopped inside the first epoch
    assert f"the loss became nan at epoch 1, step {e.step} of 4" in str(e)
    assert "try a learning rate lower than 0.5" in str(e)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # NumPy's overflow warnings on the way to NaN
def test_a_diverging_run_stops_at_the_first_non_finite_loss():
    x_train, y_train, _, _ = _small_digits(128)
    tg.manual_seed(0)
    with pytest.raises(NonFiniteLossError) as error:
        train(DigitsConvNet(), x_train, y_train, 3, lr=1e10, batch_size=32)
    e = error.value
    assert e.value != e.value or abs(e.value) == float("inf")
    assert e.epoch == 1 and e.step > 1   # the first step is taken with finite weights


def test_a_finite_loss_that_leaves_nan_weights_behind_is_caught_too():
    x_train, y_train, _, _ = _small_digits(64)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    model.broken = nn.Parameter(tg.tensor([float("nan")]))   # no loss sees it, so only the last check can
    with pytest.raises(NonFiniteLossError, match="the weights became nan at epoch 1, step 2 of 2") as error:
        train(model, x_train, y_train, 1, batch_size=32)
    assert error.value.what == "weights"


def _imported_names(path: pathlib.Path) -> set[str]:
    """Every module or name a file imports, as dotted names ("tinygrad_edu.models.DigitsConvNet");
    relative imports count as the last parts only ("models", "models.DigitsConvNet")."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            names |= {base} | {f"{base}.{a.name}".lstrip(".") for a in node.names}
    return names


@pytest.mark.parametrize("module", ["models", "training"])
def test_nothing_below_the_command_line_imports_the_models_or_the_training_loop(module):
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] not in BELOW:
            continue
        for name in _imported_names(path):
            parts = name.split(".")
            if module in parts and (parts[0] == "tinygrad_edu" or parts[0] == module):
                offenders.append(f"{relative}: {name}")
    assert offenders == []
