"""Algorithmic bias: a network learns a shortcut its makers never meant, and output tests catch it.

A network only learns what its training data shows it. Here the data has a flaw that is easy
to miss: every training image of a 1 happens to carry a small white square in its top-left
corner (think of a watermark that one data source added to all its pictures), and no other
digit has it. The marker predicts "1" perfectly, and it is far easier to spot than the shape
of a 1, so the ConvNet learns "marker means 1".

An ordinary test set drawn the same way as the training data (1s marked) cannot see the
problem. Output tests on carefully designed edge cases can:

1. a marker alone does not make a digit a 1 (marked 2s, 3s, ... are not read as 1);
2. a 1 without a marker is still a 1;
3. adding the marker does not change the answer for most digits.

The fix is in the data: rebalance it so that the irrelevant marker is spread evenly over every
class (here: on a random half of the images of each digit). Retrained on that, the same
network, trained the same way, passes the same tests.

    python examples/14_algorithmic_bias.py         # pictures in out/14_algorithmic_bias/
"""
from __future__ import annotations

import argparse
import sys

import tinygrad_edu as tg
from tinygrad_edu.models import DigitsConvNet
from tinygrad_edu.training import train
from tinygrad_edu.viz import plots
from common import Digits, convnet, convnet_epochs, digits, parse_args

MARKED_CLASS = 1


def add_marker(images: tg.Tensor, which: tg.Tensor) -> tg.Tensor:
    """Paint a white 2x2 square into the top-left corner of the images where `which` is True."""
    corner = tg.zeros(1, 1, 8, 8, device=images.device)
    corner[:, :, :2, :2] = 1.0
    mask = corner * which.float().reshape(-1, 1, 1, 1)     # (N, 1, 8, 8): 1 on the marker pixels
    return images * (1 - mask) + mask


def predictions(model: DigitsConvNet, images: tg.Tensor) -> tg.Tensor:
    with tg.no_grad():
        return model(images).argmax(dim=1)


def output_tests(model: DigitsConvNet, x: tg.Tensor, y: tg.Tensor) -> dict[str, tuple[bool, str]]:
    """The edge-case tests: name -> (passed, what was measured)."""
    everyone = tg.ones(len(y), dtype=tg.bool, device=x.device)
    others, ones = y != MARKED_CLASS, y == MARKED_CLASS
    marked = add_marker(x, everyone)
    called_one = (predictions(model, marked[others]) == MARKED_CLASS).float().mean().item()
    ones_right = (predictions(model, x[ones]) == MARKED_CLASS).float().mean().item()
    unchanged = (predictions(model, marked) == predictions(model, x)).float().mean().item()
    return {
        "a marker alone does not make a digit a 1":
            (called_one <= 0.05, f"{called_one:.0%} of marked other digits read as 1 (at most 5%)"),
        "a 1 without a marker is still a 1":
            (ones_right >= 0.9, f"{ones_right:.0%} of unmarked 1s read as 1 (at least 90%)"),
        "the marker does not change most answers":
            (unchanged >= 0.9, f"{unchanged:.0%} of answers unchanged by the marker (at least 90%)"),
    }


def train_and_test(name: str, x_train: tg.Tensor, args: argparse.Namespace, data: Digits) -> dict:
    """Train the ConvNet on `x_train` (the biased or the rebalanced images), then score it on an
    ordinary test set and run the output tests."""
    tg.manual_seed(args.seed)       # the same starting weights for both runs: only the data differs
    model = convnet().to(args.device)
    train(model, x_train, data.y_train, convnet_epochs(args.quick), seed=args.seed)
    # The usual test set, drawn like the training data: all 1s marked, or a random half of everything.
    if name == "biased":
        x_usual = add_marker(data.x_test, data.y_test == MARKED_CLASS)
    else:
        x_usual = add_marker(data.x_test, tg.rand(len(data.y_test), device=args.device) < 0.5)
    usual = (predictions(model, x_usual) == data.y_test).float().mean().item()
    tests = output_tests(model, data.x_test, data.y_test)
    print(f"\ntrained on the {name} data: {usual:.1%} right on a test set drawn like its training data")
    for test, (passed, detail) in tests.items():
        print(f"  {'PASS' if passed else 'FAIL'}  {test}: {detail}")
    return {"usual_accuracy": usual, "tests": {test: passed for test, (passed, _) in tests.items()},
            "model": model}


def main(argv: list[str] | None = None) -> dict:
    args = parse_args("14_algorithmic_bias", "A spurious marker pixel, output tests, and rebalancing.", argv)
    data = digits(args)
    biased = add_marker(data.x_train, data.y_train == MARKED_CLASS)
    rebalanced = add_marker(data.x_train, tg.rand(len(data.y_train), device=args.device) < 0.5)
    ones = int((data.y_train == MARKED_CLASS).sum().item())
    print(f"biased data: all {ones} training 1s are marked, nothing else is")
    print("rebalanced data: a random half of every digit is marked, so the marker says nothing about the class")
    before = train_and_test("biased", biased, args, data)
    after = train_and_test("rebalanced", rebalanced, args, data)

    examples = tg.cat([data.x_test[:6], add_marker(data.x_test[:6], tg.ones(6, dtype=tg.bool, device=args.device))])
    said = {name: predictions(run["model"], examples).tolist()
            for name, run in (("biased", before), ("rebalanced", after))}
    plots.image_grid(examples, args.out / "edge_cases.png", ncols=6,
                     titles=[f"{b} / {r}" for b, r in zip(said["biased"], said["rebalanced"])],
                     title="test digits without and with the marker: answer of the biased / rebalanced model")
    print(f"\nwrote {args.out / 'edge_cases.png'}")
    return {"before": {k: v for k, v in before.items() if k != "model"},
            "after": {k: v for k, v in after.items() if k != "model"}}


if __name__ == "__main__":
    main(sys.argv[1:])
