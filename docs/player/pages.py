"""Writes the backprop player pages that the tutorial links (docs/player/*.html).

    python docs/player/pages.py          # rewrites all three pages

Each page comes from a function of a few small inputs, so it gets sliders (see
tinygrad_edu/viz/player/sliders.py). tests/test_backprop_player.py checks that the committed
pages hold the numbers these functions give today.
"""
from pathlib import Path

import tinygrad_edu as tg

HERE = Path(__file__).parent


def festival_neuron(x, w, b):
    """Chapter 2: four answers times their weights, summed, plus the bias, through the step."""
    return ((x * w).sum() + b).step()


def xor_network(x):
    """Chapter 3: two hidden sigmoid neurons (an OR and a NAND) and an AND of them: XOR.
    The weights are set by hand, large enough that each neuron is nearly a step."""
    w1 = tg.tensor([[20.0, 20.0], [-20.0, -20.0]], requires_grad=True)
    b1 = tg.tensor([-10.0, 30.0], requires_grad=True)
    w2 = tg.tensor([20.0, 20.0], requires_grad=True)
    b2 = tg.tensor(-30.0, requires_grad=True)
    hidden = ((w1 * x).sum(dim=1) + b1).sigmoid()
    return ((w2 * hidden).sum() + b2).sigmoid()


def backprop_by_hand(x):
    """Chapter 7: the network of examples/07_backprop_by_hand.py, with its numbers, and its loss."""
    w1 = tg.tensor([[0.4, -0.6], [0.3, 0.8]], dtype=tg.float64, requires_grad=True)
    b1 = tg.tensor([0.1, -0.2], dtype=tg.float64, requires_grad=True)
    w2 = tg.tensor([0.7, -0.5], dtype=tg.float64, requires_grad=True)
    b2 = tg.tensor(0.05, dtype=tg.float64, requires_grad=True)
    h = ((w1 * x).sum(dim=1) + b1).sigmoid()
    out = ((w2 * h).sum() + b2).sigmoid()
    return (out - 1.0) ** 2


def pages() -> dict[str, tg.viz.player.PlayerPage]:
    return {
        "festival-neuron.html": tg.viz.backprop_page(
            festival_neuron, inputs={"x": tg.tensor([3.0, 2.0, 4.0, 2.0]), "w": tg.tensor([4.0, 2.0, 2.0, 1.0], requires_grad=True),
                                     "b": tg.tensor(-25.0, requires_grad=True)},
            ranges={"x": (0, 4), "w": (0, 4), "b": (-40, -10)}, grid_points=13,
            title="The festival neuron (chapter 2): step(x · w + b)"),
        "xor.html": tg.viz.backprop_page(
            xor_network, inputs={"x": tg.tensor([1.0, 0.0])}, ranges={"x": (0, 1)},
            title="XOR with two hidden neurons (chapter 3)"),
        "backprop-by-hand.html": tg.viz.backprop_page(
            backprop_by_hand, inputs={"x": tg.tensor([1.0, 0.5], dtype=tg.float64)}, ranges={"x": (-1, 2)},
            grid_points=7, title="Backpropagation by hand (chapter 7): the loss of a 2-2-1 network"),
    }


if __name__ == "__main__":
    for name, page in pages().items():
        page.save(HERE / name)
        print(f"wrote {HERE / name} ({len(page.html) // 1024} KiB)")
