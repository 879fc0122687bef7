"""Training a classifier: the one training loop of the package, and the digits it is shown.

`train` is the whole training loop of the article: forward, how wrong (the loss), backward,
nudge the weights, repeat. `tinygrad-edu demo` (cli.py) trains with it, and so does every
example that trains a classifier, so they all learn the same way.

    x_train, y_train, x_test, y_test = digits_split(seed=0)
    tg.manual_seed(0)
    model = DigitsConvNet()                               # tinygrad_edu/models.py
    history = train(model, x_train, y_train, epochs=3, lr=3e-3, batch_size=32, test=(x_test, y_test))
    accuracy(model, x_test, y_test)                       # about 0.96
"""
from __future__ import annotations

import math
import sys
from typing import Any, Callable

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits, train_test_split


class NonFiniteLossError(RuntimeError):
    """Training diverged: the loss became inf or NaN (or, at the very last step, the weights did).

    The weights are then no longer usable, so `train` stops instead of going on with them;
    a lower learning rate is the usual cure. `epoch` and `step` count from 1.
    """

    def __init__(self, epoch: int, step: int, steps: int, value: float, lr: float, what: str = "loss"):
        self.epoch, self.step, self.steps, self.value, self.lr, self.what = epoch, step, steps, value, lr, what
        super().__init__(f"the {what} became {value} at epoch {epoch}, step {step} of {steps}; the weights are "
                         f"no longer usable: try a learning rate lower than {lr:g}")


def digits_split(seed: int = 0, device: str = "cpu",
                 standardize: bool = True) -> tuple[tg.Tensor, tg.Tensor, tg.Tensor, tg.Tensor]:
    """The bundled digits as (x_train, y_train, x_test, y_test), a stratified 80/20 split.

    With `standardize` (the demo's choice) the pixels are shifted and scaled to mean 0 and
    standard deviation 1 with statistics of the training part only, so nothing about the
    held-out digits leaks into training. Centred inputs make the first steps of gradient
    descent better conditioned: here it is worth about a point of test accuracy. Without it
    the pixels stay between 0 (black) and 1 (white), which the examples use to change images
    and still show them as pictures.
    """
    images, labels = load_digits(device=device)
    x_train, x_test, y_train, y_test = train_test_split(images, labels, test_size=0.2, seed=seed,
                                                        stratify=labels)
    if not standardize:
        return x_train, y_train, x_test, y_test
    mean, std = x_train.mean().item(), x_train.std().item()
    return (x_train - mean) / std, y_train, (x_test - mean) / std, y_test


def accuracy(model: nn.Module, x: tg.Tensor, y: tg.Tensor) -> float:
    """The fraction of `x` that `model` classifies as `y`, computed without a graph, in eval mode."""
    was_training = model.training
    model.eval()
    with tg.no_grad():
        predictions = model(x).argmax(dim=1)
    model.train(was_training)
    return float((predictions == y).float().mean().item())


def _progress(total: int) -> Any:
    """A tqdm progress bar, or None when tqdm is not installed."""
    try:
        from tqdm.auto import tqdm   # imported lazily: an optional extra
    except ImportError:
        return None
    return tqdm(total=total, unit="batch", desc="training", file=sys.stderr, dynamic_ncols=True)


def train(model: nn.Module, x: tg.Tensor, y: tg.Tensor, epochs: int, *, lr: float = 1e-2, batch_size: int = 64,
          seed: int = 0, test: tuple[tg.Tensor, tg.Tensor] | None = None, progress: bool = False,
          log: Callable[[str], None] | None = None) -> dict[str, list[float]]:
    """Train a classifier with Adam and cross-entropy in shuffled mini-batches of (x, y).

    Returns the history, one entry per epoch: {"loss": mean training loss, "train_accuracy":
    on the batches seen while training}, and "test_accuracy" on `test` = (x_test, y_test)
    when it is given. `seed` fixes the order of the batches (the weights are the model's).

    `log` receives a one-line summary after each epoch (None: train quietly). With `progress`,
    a tqdm bar on stderr counts the batches when tqdm is installed, and the summaries are
    written above it instead, so that the bar stays on the last line. The model is left in
    eval mode, ready to be used.

    A loss that becomes inf or NaN stops the run with NonFiniteLossError, which says where.
    """
    loader = DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=True, seed=seed)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"loss": [], "train_accuracy": []}
    if test is not None:
        history["test_accuracy"] = []
    bar = _progress(epochs * len(loader)) if progress else None
    try:
        for epoch in range(1, epochs + 1):
            model.train()
            total_loss, correct, seen = 0.0, 0, 0
            for step, (xb, yb) in enumerate(loader, start=1):
                logits = model(xb)                      # forward
                loss = F.cross_entropy(logits, yb)      # how wrong
                loss_value = loss.item()
                if not math.isfinite(loss_value):       # its gradients would turn every weight into NaN
                    raise NonFiniteLossError(epoch, step, len(loader), loss_value, lr)
                optimizer.zero_grad()
                loss.backward()                         # backward: a gradient for every weight
                optimizer.step()                        # nudge the weights
                total_loss += loss_value * len(yb)
                correct += int((logits.argmax(dim=1) == yb).sum().item())
                seen += len(yb)
                if bar is not None:
                    bar.update(1)
            history["loss"].append(total_loss / seen)
            history["train_accuracy"].append(correct / seen)
            summary = (f"epoch {epoch}/{epochs}: loss {history['loss'][-1]:.4f}, "
                       f"train accuracy {history['train_accuracy'][-1]:.1%}")
            if test is not None:
                history["test_accuracy"].append(accuracy(model, *test))
                summary += f", test accuracy {history['test_accuracy'][-1]:.1%}"
            if bar is not None and log is not None:
                bar.write(summary)   # above the bar, so the bar stays on the last line
            elif log is not None:
                log(summary)
    finally:
        if bar is not None:
            bar.close()   # also when training stops early, so that an error is not drawn over the bar
    with tg.no_grad():   # a finite loss can still leave NaN weights behind (a NaN gradient at the last step)
        weights = sum(p.abs().sum().item() for p in model.parameters())
    if not math.isfinite(weights):
        raise NonFiniteLossError(epochs, len(loader), len(loader), weights, lr, what="weights")
    model.eval()
    return history
