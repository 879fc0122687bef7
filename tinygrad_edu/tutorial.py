"""What the tutorial's examples share, so that none of them needs a helper file beside it.

An example copied anywhere runs with the package installed. This module holds the plumbing
that is not the idea of any one example: the command line, the cat photo, a made-up data set of
cats and dogs, the digits, and one trained digits ConvNet that examples 11 to 15 look at.

    args = tutorial.arguments("03_xor", __doc__)   # --quick --seed --device --out; seeds, sets the device
    photo = tutorial.load_photo(gray=True)           # (1, 1, 100, 150) in [0, 1]
    trained = tutorial.trained_convnet(args)         # trained once, then read from a cache file

The trained ConvNet is cached on disk (in $TINYGRAD_EDU_CACHE, default ~/.cache/tinygrad_edu),
keyed by the seed, --quick, the device and a hash of the code that trains it, so a changed model
or training loop never reads stale weights. Example 10 is where the training itself is shown.
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.models import DigitsConvNet
from tinygrad_edu.training import accuracy, digits_split, train

ASSETS = Path(__file__).parent / "assets"
PHOTO = ASSETS / "chelsea.png"
NAMES = ASSETS / "names.txt"
CACHE_VARIABLE = "TINYGRAD_EDU_CACHE"


def arguments(name: str, description: str | None, argv: list[str] | None = None,
              **extra: dict) -> argparse.Namespace:
    """--device, --quick, --seed and --out for an example, plus example-specific options.

    Seeds tinygrad_edu's random generator, makes --device the default device (so the example
    never passes device= itself), and creates the output folder (default: out/<name>/).
    `extra` maps option names to argparse settings, e.g. steps={"type": int, "default": 100}.
    """
    summary = (description or "").strip().splitlines()[0] if description else None
    parser = argparse.ArgumentParser(prog=f"{name}.py", description=summary)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    parser.add_argument("--quick", action="store_true", help="a short run of a few seconds (the tests use it)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", type=Path, default=None, help=f"folder for pictures (default: out/{name}/)")
    for option, settings in extra.items():
        parser.add_argument(f"--{option.replace('_', '-')}", **settings)
    args = parser.parse_args(argv)
    _one_blas_thread()
    try:
        tg.set_default_device(args.device)
    except (ValueError, RuntimeError, ImportError) as e:
        parser.error(str(e))   # exits with a usage line, like any other bad argument
    args.device = tg.backend.get_default_device()
    args.out = args.out if args.out is not None else Path("out") / name
    args.out.mkdir(parents=True, exist_ok=True)
    tg.manual_seed(args.seed)
    return args


_blas_limit = None   # kept alive for the life of the process


def _one_blas_thread() -> None:
    """Let NumPy's BLAS use one thread. The examples multiply small matrices, where a second
    thread gains nothing and, on a busy machine, makes training several times slower (measured:
    the examples' ConvNet took 2.8 s of CPU with one thread, 16 s with two). Needs threadpoolctl
    (the examples extra brings it); without it nothing changes."""
    global _blas_limit
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    _blas_limit = threadpool_limits(limits=1, user_api="blas")


def load_photo(gray: bool = False) -> tg.Tensor:
    """Chelsea the cat (tinygrad_edu/assets/chelsea.png, CC0) as a batch of one image:
    (1, 3, H, W) floats in [0, 1], or (1, 1, H, W) with gray=True."""
    import matplotlib.image   # matplotlib reads PNGs; imported here because it is an optional extra

    pixels = matplotlib.image.imread(PHOTO)[..., :3]          # (H, W, 3); drop the alpha channel if any
    image = tg.tensor(pixels).permute(2, 0, 1).unsqueeze(0)
    if gray:   # the usual luminance weights: the eye is most sensitive to green
        weights = tg.tensor([0.299, 0.587, 0.114]).reshape(1, 3, 1, 1)
        image = (image * weights).sum(dim=1, keepdim=True)
    return image


def pets(n: int) -> tuple[tg.Tensor, tg.Tensor]:
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
    return features, labels


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
    """How long the examples' ConvNet trains: a few epochs for --quick, more for a real run."""
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


def digits(seed: int = 0) -> Digits:
    """The digits on the default device, split with `seed`, pixels in [0, 1]."""
    return Digits(*digits_split(seed, tg.backend.get_default_device(), standardize=False))


@dataclass
class TrainedConvNet:
    model: DigitsConvNet
    data: Digits
    losses: list[float]
    test_accuracy: float


def cache_folder() -> Path:
    """Where trained weights are cached: $TINYGRAD_EDU_CACHE, else ~/.cache/tinygrad_edu."""
    return Path(os.environ.get(CACHE_VARIABLE) or Path.home() / ".cache" / "tinygrad_edu")


def _code_version() -> str:
    """A hash of everything that decides the trained weights: the model, the training loop, the
    data and this module. Any edit to them makes a new cache key."""
    from tinygrad_edu import data, models, training
    source = "".join(inspect.getsource(module) for module in (models, training, data)) + inspect.getsource(convnet)
    source += inspect.getsource(convnet_epochs) + tg.__version__
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _cache_file(args: argparse.Namespace) -> Path:
    device = tg.backend.get_default_device()
    return cache_folder() / f"digits_convnet_seed{args.seed}_{'quick' if args.quick else 'full'}_{device}_{_code_version()}.safetensors"


def remember_convnet(args: argparse.Namespace, model: DigitsConvNet, losses: list[float]) -> Path:
    """Store a ConvNet trained as `trained_convnet` trains it, for the examples that follow.
    Example 10 trains with its own visible loop and hands the result here; a test checks that
    its loop gives exactly the weights `trained_convnet` would, so whoever trains first, every
    example sees the same network."""
    path = _cache_file(args)
    path.parent.mkdir(parents=True, exist_ok=True)
    # tg.save writes atomically, so an example reading the cache meanwhile never sees half a file
    tg.save({"state_dict": model.state_dict(), "losses": tg.tensor(losses, dtype=tg.float64)}, path)
    return path


def _read_cache(path: Path, model: DigitsConvNet) -> list[float] | None:
    """Load the cached weights into `model` and return the losses; None when there is no usable
    file (missing, or unreadable: then it is trained again and the file rewritten)."""
    if not path.exists():
        return None
    try:
        stored = tg.load(path, map_location=tg.backend.get_default_device())
        model.load_state_dict(stored["state_dict"])
        losses: list[float] = stored["losses"].tolist()
    except (OSError, ValueError, KeyError, RuntimeError, TypeError) as e:
        print(f"note: ignoring the unreadable cache file {path} ({e})", file=sys.stderr)
        return None
    return losses


def trained_convnet(args: argparse.Namespace) -> TrainedConvNet:
    """The examples' 4-layer ConvNet (`convnet()`), trained on the digits with
    `tinygrad_edu.training.train` for `convnet_epochs(args.quick)` epochs.

    The weights and losses are cached in a file keyed by seed, --quick, device and code
    version: the first example to ask trains (a few seconds), the others read the file. Every
    call returns a fresh model, so an example cannot change another's. Afterwards the random
    generator is seeded with seed + 1 either way, so what comes next draws the same numbers.
    """
    data = digits(args.seed)
    path = _cache_file(args)
    model = convnet()
    losses = _read_cache(path, model)
    if losses is None:
        print(f"training the 4-layer ConvNet on {len(data.y_train)} digits for {convnet_epochs(args.quick)} epochs "
              f"(cached in {path.parent} for the next example) ...", file=sys.stderr)   # not the example's output
        tg.manual_seed(args.seed)
        model = convnet()
        losses = train(model, data.x_train, data.y_train, convnet_epochs(args.quick), seed=args.seed)["loss"]
        remember_convnet(args, model, losses)
    model.eval()
    tg.manual_seed(args.seed + 1)
    return TrainedConvNet(model, data, losses, accuracy(model, data.x_test, data.y_test))
