"""Writes the backprop player pages that the tutorial links (docs/player/*.html), and the
screenshot in docs/tutorial/backprop-player.md (player.png, when playwright and Chromium are there).

    python docs/player/pages.py          # rewrites all three pages and the screenshot

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


def xor_network(x, W1, b1, W2, b2):
    """Chapter 3: two hidden sigmoid neurons (an OR and a NAND) and an AND of them: XOR."""
    hidden = ((W1 * x).sum(dim=1) + b1).sigmoid()
    return ((W2 * hidden).sum() + b2).sigmoid()


def backprop_by_hand(x, W1, b1, W2, b2):
    """Chapter 7: the network of examples/07_backprop_by_hand.py and its loss for the target 1."""
    h = ((W1 * x).sum(dim=1) + b1).sigmoid()
    out = ((W2 * h).sum() + b2).sigmoid()
    return (out - 1.0) ** 2


def weights(dtype, **values):
    return {name: tg.tensor(v, dtype=dtype, requires_grad=True) for name, v in values.items()}


def pages() -> dict[str, tg.viz.player.PlayerPage]:
    return {
        "festival-neuron.html": tg.viz.backprop_page(
            festival_neuron, inputs={"x": tg.tensor([3.0, 2.0, 4.0, 2.0]), "w": tg.tensor([4.0, 2.0, 2.0, 1.0], requires_grad=True),
                                     "b": tg.tensor(-25.0, requires_grad=True)},
            ranges={"x": (0, 4), "w": (0, 4), "b": (-40, -10)}, grid_points=13,
            title="The festival neuron (chapter 2): step(x · w + b)"),
        "xor.html": tg.viz.backprop_page(
            # weights set by hand, large enough that each neuron is nearly a step
            xor_network, inputs={"x": tg.tensor([1.0, 0.0])} | weights(
                tg.float32, W1=[[20.0, 20.0], [-20.0, -20.0]], b1=[-10.0, 30.0], W2=[20.0, 20.0], b2=-30.0),
            sliders=["x"], ranges={"x": (0, 1)},
            title="XOR with two hidden neurons (chapter 3)"),
        "backprop-by-hand.html": tg.viz.backprop_page(
            backprop_by_hand, inputs={"x": tg.tensor([1.0, 0.5], dtype=tg.float64)} | weights(
                tg.float64, W1=[[0.4, -0.6], [0.3, 0.8]], b1=[0.1, -0.2], W2=[0.7, -0.5], b2=0.05),
            sliders=["x"], ranges={"x": (-1, 2)},
            grid_points=7, title="Backpropagation by hand (chapter 7): the loss of a 2-2-1 network"),
    }


def screenshot(page_path: Path, picture: Path, steps: int) -> None:
    """The page after `steps` presses of the right arrow, in headless Chromium."""
    import shutil
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"))
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        page.goto(page_path.resolve().as_uri())
        for _ in range(steps):
            page.keyboard.press("ArrowRight")
        page.click("#pl-graph g.node:has(> title:text-is('t0'))")   # W1's panel
        page.screenshot(path=picture)
        browser.close()


if __name__ == "__main__":
    for name, page in pages().items():
        page.save(HERE / name)
        print(f"wrote {HERE / name} ({len(page.html) // 1024} KiB)")
    try:
        forward = len(page.data["graph"]["ops"])
        screenshot(HERE / "backprop-by-hand.html", HERE / "player.png", forward + 4)   # the 4th backward step
        print(f"wrote {HERE / 'player.png'}")
    except (ImportError, TypeError) as e:
        print(f"no screenshot ({e})")
