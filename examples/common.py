"""What the examples share: the command line, the cat photo, a toy cats-and-dogs data set, and
one trained 4-layer ConvNet on the digits, so that examples 10 to 15 all look at the same
network instead of each training its own a little differently.

The network itself is in tinygrad_edu/models.py and every example trains with the package's
one training loop, tinygrad_edu/training.py: train.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.models import DigitsConvNet
from tinygrad_edu.training import accuracy, digits_split, train

from tinygrad_edu.tutorial import PHOTO  # noqa: E402  (transition: the examples move to tinygrad_edu.tutorial)


def parse_args(name: str, description: str, argv: list[str] | None = None, **extra: dict) -> argparse.Namespace:
    """--device, --quick, --seed and --out for every example, plus example-specific options.

    Seeds tinygrad_edu's random generator, checks the device, and creates the output folder
    (default: out/<name>/).
    """
    parser = argparse.ArgumentParser(prog=f"{name}.py", description=description)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    parser.add_argument("--quick", action="store_true", help="a run of a few seconds (the tests use it)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", type=Path, default=None, help=f"folder for pictures (default: out/{name}/)")
    for option, settings in extra.items():
        parser.add_argument(f"--{option.replace('_', '-')}", **settings)
    args = parser.parse_args(argv)
    try:
        args.device = tg.backend.normalize_device(args.device)
    except (ValueError, RuntimeError, ImportError) as e:
        parser.error(str(e))   # exits with a usage line, like any other bad argument
    args.out = args.out if args.out is not None else Path("out") / name
    args.out.mkdir(parents=True, exist_ok=True)
    tg.manual_seed(args.seed)
    return args


def load_photo(device: str = "cpu", gray: bool = False) -> tg.Tensor:
    """Chelsea the cat (tinygrad_edu/assets/chelsea.png, CC0) as a batch of one image:
    (1, 3, H, W) floats in [0, 1], or (1, 1, H, W) with gray=True."""
    import matplotlib.image   # matplotlib reads PNGs; imported here because it is an optional extra

    pixels = matplotlib.image.imread(PHOTO)[..., :3]          # (H, W, 3); drop the alpha channel if any
    image = tg.tensor(pixels, device=device).permute(2, 0, 1).unsqueeze(0)
    if gray:   # the usual luminance weights: the eye is most sensitive to green
        weights = tg.tensor([0.299, 0.587, 0.114], device=device).reshape(1, 3, 1, 1)
        image = (image * weights).sum(dim=1, keepdim=True)
    return image


def pets(n: int, device: str = "cpu") -> tuple[tg.Tensor, tg.Tensor]:
    """A made-up data set of n animals: (features, labels) with features (n, 2) = height in cm
    and weight in kg, labels 0 = cat, 1 = dog. Draws from tinygrad_edu's seeded generator.

    Cats are one compact cloud. Dogs come in three kinds that surround it: toy dogs (shorter
    and lighter than cats), stocky dogs (as tall as cats but heavier) and tall, lean dogs. No
    straight line keeps every cat on one side and every dog on the other.
    """
    n_cats = n // 2
    n_dogs = n - n_cats
    cats = tg.tensor([27.0, 4.5]) + tg.tensor([2.0, 0.6]) * tg.randn(n_cats, 2)
    #                       toy          stocky        tall and lean
    centres = tg.tensor([[19.0, 2.4], [28.0, 10.0], [45.0, 13.0]])
    spreads = tg.tensor([[1.5, 0.4], [2.5, 1.2], [4.0, 2.0]])
    kind = tg.randint(0, 3, (n_dogs,))
    dogs = centres[kind] + spreads[kind] * tg.randn(n_dogs, 2)
    features = tg.cat([cats, dogs])
    labels = tg.cat([tg.zeros(n_cats, dtype=tg.int64), tg.ones(n_dogs, dtype=tg.int64)])
    return features.to(device), labels.to(device)


def standardize(features: tg.Tensor, like: tg.Tensor | None = None) -> tg.Tensor:
    """Shift and scale each column to mean 0 and standard deviation 1 (using the statistics of
    `like`, e.g. the training set): networks learn faster when inputs have similar scales."""
    like = features if like is None else like
    return (features - like.mean(dim=0)) / like.std(dim=0)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def convnet() -> DigitsConvNet:
    """The demo's 4-layer ConvNet class (tinygrad_edu/models.py), at a size that trains in seconds:
    16 and 32 kernels in the conv layers, 64 hidden neurons, 13,706 parameters in all."""
    return DigitsConvNet(channels=(16, 32), hidden=64)


def convnet_epochs(quick: bool) -> int:
    """How long the digits ConvNet trains: a few epochs for --quick, more for a real run."""
    return 6 if quick else 15


@dataclass
class Digits:
    """The digits split into training and test parts (a stratified 80/20 split). The pixels
    stay between 0 (black) and 1 (white), so that examples can change images and still show
    them as pictures."""
    x_train: tg.Tensor
    y_train: tg.Tensor
    x_test: tg.Tensor
    y_test: tg.Tensor


@dataclass
class TrainedConvNet:
    model: DigitsConvNet
    data: Digits
    losses: list[float]
    test_accuracy: float


_trained: dict[tuple, tuple[dict, list[float]]] = {}


def digits(args: argparse.Namespace) -> Digits:
    return Digits(*digits_split(args.seed, args.device, standardize=False))


def trained_convnet(args: argparse.Namespace) -> TrainedConvNet:
    """The 4-layer ConvNet of `tinygrad-edu demo` (tinygrad_edu/models.py: DigitsConvNet), trained
    on the digits with `tinygrad_edu.training.train`.

    Training runs once per (device, seed, quick) in a process and its weights are cached, so
    several examples run in one session (as in the tests) share one network. Every call
    returns a fresh model loaded with those weights: an example cannot change another's model.
    """
    data = digits(args)
    key = (args.device, args.seed, args.quick)
    if key not in _trained:
        print(f"training the 4-layer ConvNet on {len(data.y_train)} digits for {convnet_epochs(args.quick)} epochs ...")
        tg.manual_seed(args.seed)
        model = convnet().to(args.device)
        losses = train(model, data.x_train, data.y_train, convnet_epochs(args.quick), seed=args.seed)["loss"]
        _trained[key] = ({k: v.detach().clone() for k, v in model.state_dict().items()}, losses)
    state, losses = _trained[key]
    model = convnet().to(args.device)
    model.load_state_dict(state)
    model.eval()
    tg.manual_seed(args.seed + 1)   # what comes next draws the same numbers, trained just now or cached
    return TrainedConvNet(model, data, losses, accuracy(model, data.x_test, data.y_test))
