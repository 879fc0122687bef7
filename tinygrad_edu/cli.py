"""The command line: `tinygrad-edu demo` (or `python -m tinygrad_edu demo`).

The demo trains a small ConvNet on the 8x8 handwritten digits that scikit-learn ships, so it
runs offline in seconds: the whole of deep learning in one command, built from the pieces of
this package (Tensor, nn, optim, data, save).

    tinygrad-edu demo                   # ~98% held-out accuracy, saves runs/demo/model.safetensors
    tinygrad-edu demo --quick           # a few seconds, fewer epochs
    tinygrad-edu demo --device cuda     # the same on an NVIDIA GPU (needs CuPy)

Exit codes: 0 on success, 1 for a problem the user can fix (no GPU, a missing extra, an
unwritable folder), 2 for bad arguments.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Sequence

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import backend, nn, optim, serialization
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits, train_test_split

DEFAULT_EPOCHS = 15
QUICK_EPOCHS = 3
MODEL_FILE = "model.safetensors"
HISTORY_FILE = "history.json"


class UserError(Exception):
    """A problem the user can fix; printed as one line, without a traceback."""


class DigitsConvNet(nn.Module):
    """The article's "basic 4-layer ConvNet", sized for 8x8 digits.

    conv-relu-pool, conv-relu-pool, linear-relu, linear. The 3x3 convolutions pad by 1 so
    they keep the image size; each 2x2 max-pool halves it: 8x8 -> 4x4 -> 2x2. It takes
    standardized images of shape (N, 1, 8, 8), as `digits_split` makes them.
    """

    def __init__(self, channels: tuple[int, int] = (32, 64), hidden: int = 128, classes: int = 10) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, channels[0], kernel_size=3, padding=1)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(channels[0], channels[1], kernel_size=3, padding=1)
        self.pool2 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(channels[1] * 2 * 2, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        x = self.pool1(F.relu(self.conv1(x)))       # (N, 32, 4, 4) with the default sizes
        x = self.pool2(F.relu(self.conv2(x)))       # (N, 64, 2, 2)
        x = F.relu(self.fc1(x.flatten(1)))          # (N, 128)
        return self.fc2(x)                          # (N, 10): one score (logit) per digit


def digits_split(seed: int, device: str) -> tuple[tg.Tensor, tg.Tensor, tg.Tensor, tg.Tensor]:
    """The demo's data: (x_train, y_train, x_test, y_test), a stratified 80/20 split of the digits.

    The pixels are standardized (mean 0, standard deviation 1) with statistics of the training
    part only, so nothing about the held-out digits leaks into training. Centred inputs make
    the first steps of gradient descent better conditioned: here it is worth about a point
    of test accuracy.
    """
    images, labels = load_digits(device=device)
    x_train, x_test, y_train, y_test = train_test_split(images, labels, test_size=0.2, seed=seed,
                                                        stratify=labels)
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
    """A tqdm progress bar, or None when tqdm is not installed (then epochs are printed)."""
    try:
        from tqdm.auto import tqdm   # imported lazily: an optional extra
    except ImportError:
        return None
    return tqdm(total=total, unit="batch", desc="training", file=sys.stderr, dynamic_ncols=True)


def train(model: nn.Module, x_train: tg.Tensor, y_train: tg.Tensor, x_test: tg.Tensor, y_test: tg.Tensor,
          epochs: int, batch_size: int, lr: float, seed: int,
          report: Callable[[str], None] = print) -> dict[str, list[float]]:
    """Train with Adam and cross-entropy; return the history, one entry per epoch:
    {"loss": mean training loss, "train_accuracy": on the batches seen, "test_accuracy": held out}."""
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True, seed=seed)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    bar = _progress(epochs * len(loader))
    for epoch in range(1, epochs + 1):
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        for x, y in loader:
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(y)
            correct += int((logits.argmax(dim=1) == y).sum().item())
            seen += len(y)
            if bar is not None:
                bar.update(1)
        history["loss"].append(total_loss / seen)
        history["train_accuracy"].append(correct / seen)
        history["test_accuracy"].append(accuracy(model, x_test, y_test))
        summary = (f"epoch {epoch}/{epochs}: loss {history['loss'][-1]:.4f}, train accuracy "
                   f"{history['train_accuracy'][-1]:.1%}, test accuracy {history['test_accuracy'][-1]:.1%}")
        if bar is not None:
            bar.write(summary)   # above the bar, so the bar stays on the last line
        else:
            report(summary)
    if bar is not None:
        bar.close()
    return history


def _check_device(name: str) -> str:
    try:
        return backend.normalize_device(name)
    except (RuntimeError, ValueError) as e:
        raise UserError(str(e)) from None


def _prepare_out_dir(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create the output folder {str(out)!r}: {e.strerror or e}") from None
    return out


def _write_pictures(model: nn.Module, history: dict, sample_image: tg.Tensor, out: Path) -> list[Path]:
    """Pictures of the run, when the viz part of the package (and matplotlib) is there."""
    try:
        from tinygrad_edu.viz.report import write_demo_pictures
    except ImportError:
        return []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", UserWarning)
            written = list(write_demo_pictures(model, history, sample_image, out))
    except ImportError as e:   # e.g. matplotlib missing: the pictures are a bonus, not the point
        print(f"note: no pictures written: {e}")
        return []
    for warning in caught:   # e.g. no Graphviz `dot`: one line with the hint, not a Python warning
        print(f"note: {warning.message}")
    return written


def run_demo(args: argparse.Namespace) -> int:
    device = _check_device(args.device)
    epochs = args.epochs if args.epochs is not None else (QUICK_EPOCHS if args.quick else DEFAULT_EPOCHS)
    out = Path(args.out)
    try:
        serialization.require_safetensors()   # fail now, not after training
        x_train, y_train, x_test, y_test = digits_split(args.seed, device)
    except ImportError as e:
        raise UserError(str(e)) from None
    _prepare_out_dir(out)

    if not args.no_tune_allocator:
        tg.tune_allocator()   # keep freed memory between steps; see tinygrad_edu/allocator.py
    tg.manual_seed(args.seed)
    model = DigitsConvNet().to(device)
    print(f"training a 4-layer ConvNet on {len(y_train)} digits ({len(y_test)} held out) on {device} "
          f"for {epochs} epochs")
    start = time.perf_counter()
    history = train(model, x_train, y_train, x_test, y_test, epochs, args.batch_size, args.lr, args.seed)
    seconds = time.perf_counter() - start
    test_accuracy = accuracy(model, x_test, y_test)
    print(f"test accuracy: {test_accuracy:.2%} ({round(test_accuracy * len(y_test))}/{len(y_test)} held-out digits)")
    print(f"time: {seconds:.1f} s")

    tg.save(model.state_dict(), out / MODEL_FILE)
    record = {"model": "DigitsConvNet", "model_file": MODEL_FILE, "device": device, "epochs": epochs,
              "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed, "quick": args.quick,
              "test_accuracy": test_accuracy, "seconds": seconds, "history": history}
    (out / HISTORY_FILE).write_text(json.dumps(record, indent=2) + "\n")
    print(f"saved {out / MODEL_FILE} and {out / HISTORY_FILE}")
    for path in _write_pictures(model, history, x_test[:1], out):
        print(f"wrote {path}")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {value}")
    return value


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu", help="where to compute (default: cpu)")
    parser.add_argument("--epochs", type=_positive_int, default=None,
                        help=f"passes over the training data (default: {DEFAULT_EPOCHS}, "
                             f"or {QUICK_EPOCHS} with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="seed for the split, the weights and the shuffling")
    parser.add_argument("--out", default="runs/demo", metavar="DIR",
                        help="folder for the model and its history (default: runs/demo)")
    parser.add_argument("--quick", action="store_true", help="a run of a few seconds with fewer epochs")
    parser.add_argument("--batch-size", type=_positive_int, default=32, help="samples per step (default: 32)")
    parser.add_argument("--lr", type=_positive_float, default=3e-3, help="Adam's learning rate (default: 0.003)")
    parser.add_argument("--no-tune-allocator", action="store_true",
                        help="leave the C allocator as it is (by default the demo calls tg.tune_allocator())")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tinygrad-edu", description="tinygrad_edu: see deep learning work.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {tg.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, text in (("demo", "train a 4-layer ConvNet on handwritten digits and save it"),
                       ("train", "the same as demo")):
        sub = commands.add_parser(name, help=text, description=text)
        _add_training_options(sub)
        sub.set_defaults(run=run_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)   # exits with code 2 and a usage line for bad arguments
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return args.run(args)
    except UserError as e:
        print(f"tinygrad-edu: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tinygrad-edu: interrupted", file=sys.stderr)
        return 130
