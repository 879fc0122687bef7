"""The loss landscape over two weights, and gradient descent walking down it.

A model with only two weights, prediction = w1·x1 + w2·x2, has a loss for every pair
(w1, w2): a landscape we can draw as a contour map, low loss in the valley. The network never
sees the map. Like a walker on a mountain in the fog, it only feels the slope where it stands
(the gradient, from backward()) and steps downhill. The learning rate is the step size:

* too small: every step is safe, but after all of them it is still far from the bottom;
* about right: it walks into the valley and settles at the bottom;
* too big: it overshoots, lands higher on the opposite slope, and climbs out of the valley.

The inputs have different scales (x1 varies twice as much as x2), so the valley is long and
narrow, as real loss landscapes often are.

    python examples/06_loss_landscape.py       # pictures in out/06_loss_landscape/
"""
from pathlib import Path

import tinygrad_edu as tg
from tinygrad_edu import tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("06_loss_landscape", __doc__)
steps = 15 if args.quick else 30

TRUE_WEIGHTS = [2.0, -1.0]
START = [-1.5, 3.0]
W1_RANGE, W2_RANGE = (-6.0, 10.0), (-5.0, 4.0)   # the part of the landscape drawn
LEARNING_RATES = {"too small": 0.02, "about right": 0.4, "too big": 1.05}


def make_data(n: int) -> tuple[tg.Tensor, tg.Tensor]:
    """n random inputs whose columns are scaled to standard deviations of exactly 1 and 0.5, and
    their targets. Exact scales give the valley the same steepness for every seed, so each
    learning rate below is too small, about right or too big whatever the random numbers."""
    x = tg.randn(n, 2)
    x = (x - x.mean(dim=0)) / x.std(dim=0) * tg.tensor([1.0, 0.5])
    y = x @ tg.tensor(TRUE_WEIGHTS) + 0.1 * tg.randn(n)
    return x, y


def loss_of(w: tg.Tensor, x: tg.Tensor, y: tg.Tensor) -> tg.Tensor:
    """Mean squared error of the predictions x @ w. With w of shape (G, 2), G losses at once."""
    predictions = x @ w.T if w.ndim == 2 else x @ w
    return ((predictions - (y.reshape(-1, 1) if w.ndim == 2 else y)) ** 2).mean(dim=0)


def descend(x: tg.Tensor, y: tg.Tensor, lr: float, steps: int) -> tuple[list[list[float]], list[float]]:
    """Plain gradient descent from START; returns the weights visited and their losses."""
    w = tg.tensor(START, requires_grad=True)
    path, losses = [], []
    for _ in range(steps):
        loss = loss_of(w, x, y)
        path.append(w.tolist())
        losses.append(loss.item())
        w.grad = None
        loss.backward()
        with tg.no_grad():
            w -= lr * w.grad          # one step against the slope
    path.append(w.tolist())
    losses.append(loss_of(w.detach(), x, y).item())
    return path, losses


def plot_paths(x: tg.Tensor, y: tg.Tensor, runs: dict, path: Path) -> None:
    size = 121
    w1 = tg.linspace(*W1_RANGE, size)
    w2 = tg.linspace(*W2_RANGE, size)
    grid = tg.stack([w1.reshape(1, -1).expand(size, size), w2.reshape(-1, 1).expand(size, size)], dim=2)
    with tg.no_grad():
        landscape = loss_of(grid.reshape(-1, 2), x, y).reshape(size, size).numpy()

    fig = plots.new_figure(figsize=(13, 4.8), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, (name, run) in zip(axes, runs.items()):
        height = ax.contourf(w1.numpy(), w2.numpy(), landscape, levels=30, cmap="viridis")   # same levels in every panel
        ax.contour(w1.numpy(), w2.numpy(), landscape, levels=15, colors="white", linewidths=0.4)
        ax.plot([p[0] for p in run["path"]], [p[1] for p in run["path"]], "o-", color="#ff5a36", markersize=3,
                label="gradient-descent steps")
        ax.plot(*START, "s", color="white", markeredgecolor="black", label=f"start {tuple(START)}")
        ax.plot(*TRUE_WEIGHTS, "*", color="yellow", markeredgecolor="black", markersize=12,
                label=f"bottom of the valley {tuple(TRUE_WEIGHTS)}")
        ax.set_xlim(*W1_RANGE)   # a path that leaves the valley runs off the picture
        ax.set_ylim(*W2_RANGE)
        ax.set_xlabel("w1")
        ax.set_ylabel("w2")
        ax.set_title(f"learning rate {run['lr']} ({name}): loss {run['losses'][0]:.2f} -> {run['losses'][-1]:.3g}",
                     fontsize=9)
    fig.colorbar(height, ax=axes, label="loss (mean squared error)", shrink=0.9)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=3, fontsize=9)
    plots.save_figure(fig, path)


x, y = make_data(200)
runs = {}
for name, lr in LEARNING_RATES.items():
    path, losses = descend(x, y, lr, steps)
    runs[name] = {"lr": lr, "path": path, "losses": losses}
    w = path[-1]
    print(f"learning rate {lr:<5} ({name:>11}): loss {losses[0]:.3f} -> {losses[-1]:.4g} after {steps} steps, "
          f"ending at w = ({w[0]:.2f}, {w[1]:.2f})")
lowest_loss = loss_of(tg.tensor(TRUE_WEIGHTS), x, y).item()
print(f"the bottom of the valley is near w = {tuple(TRUE_WEIGHTS)}, where the loss is {lowest_loss:.4f}")
start_loss = runs["about right"]["losses"][0]
final_loss = {name: run["losses"][-1] for name, run in runs.items()}
plot_paths(x, y, runs, args.out / "gradient_descent_paths.png")
print(f"wrote {args.out / 'gradient_descent_paths.png'}")
