"""Rules vs learning: a hand-written straight line against a boundary learned from examples.

A conventional program tells the computer what to look for: "IF it weighs under 7 kg THEN it
is a cat". On a plot of height against weight that rule is a straight line. A neural network
is shown labelled examples instead and works out the boundary itself, and that boundary may
curve around the cats wherever the data needs it to.

The animals are made up (examples/common.py: pets): a cloud of cats, surrounded by toy dogs,
stocky dogs and tall dogs. The rule, a single neuron (which can only learn a straight line)
and a small network with two hidden layers are scored on animals none of them saw while
learning.

    python examples/01_rules_vs_learning.py            # pictures in out/01_rules_vs_learning/
"""
from __future__ import annotations

import sys
from pathlib import Path

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.training import train
from tinygrad_edu.viz import plots
from common import parse_args, pets, standardize

RULE_MAX_CAT_WEIGHT = 7.0   # kg


def rule(features: tg.Tensor) -> tg.Tensor:
    """The conventional program: 1 (dog) when the animal weighs 7 kg or more, else 0 (cat)."""
    return (features[:, 1] >= RULE_MAX_CAT_WEIGHT).long()


def accuracy(predicted: tg.Tensor, labels: tg.Tensor) -> float:
    return (predicted == labels).float().mean().item()


def plot_boundaries(x: tg.Tensor, y: tg.Tensor, models: dict[str, nn.Module], x_train: tg.Tensor, path: Path) -> None:
    """The animals, the rule's straight line, and each model's learned boundary: the line
    where it says 50/50 between cat and dog."""
    height = tg.linspace(8.0, 60.0, 200, device=x.device)
    weight = tg.linspace(0.0, 20.0, 200, device=x.device)
    grid = tg.stack([height.reshape(1, -1).expand(200, 200), weight.reshape(-1, 1).expand(200, 200)], dim=2)
    inputs = standardize(grid.reshape(-1, 2), like=x_train)

    fig = plots.new_figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    h, w, labels = x[:, 0].numpy(), x[:, 1].numpy(), y.numpy()
    ax.scatter(h[labels == 0], w[labels == 0], s=14, c="#d95f02", label="cat")
    ax.scatter(h[labels == 1], w[labels == 1], s=14, c="#1b9e77", label="dog")
    ax.axhline(RULE_MAX_CAT_WEIGHT, color="black", linestyle="--", label="rule: under 7 kg is a cat")
    for (name, model), colour, style in zip(models.items(), ["#7570b3", "#e7298a"], ["dotted", "solid"]):
        with tg.no_grad():
            p_dog = model(inputs).softmax(dim=1)[:, 1].reshape(200, 200)
        ax.contour(height.numpy(), weight.numpy(), p_dog.numpy(), levels=[0.5], colors=colour, linestyles=style,
                   linewidths=2)
        ax.plot([], [], color=colour, linestyle=style, linewidth=2, label=name)   # a legend entry for the contour
    ax.set_xlabel("height (cm)")
    ax.set_ylabel("weight (kg)")
    ax.set_ylim(0, 20)
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("a rule draws a straight line; a network learns a curve")
    plots.save_figure(fig, path)


def main(argv: list[str] | None = None) -> dict:
    args = parse_args("01_rules_vs_learning", "A hand-written rule vs a learned decision boundary.", argv)
    x_train, y_train = pets(300 if args.quick else 1000, args.device)
    x_test, y_test = pets(300, args.device)
    inputs_train, inputs_test = standardize(x_train), standardize(x_test, like=x_train)
    epochs = 60 if args.quick else 150

    single_neuron = nn.Linear(2, 2).to(args.device)     # the best straight line, found by learning
    train(single_neuron, inputs_train, y_train, epochs, lr=5e-2, batch_size=32, seed=args.seed)
    network = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2)).to(args.device)
    train(network, inputs_train, y_train, epochs, lr=1e-2, batch_size=32, seed=args.seed)

    with tg.no_grad():
        results = {
            "rule_accuracy": accuracy(rule(x_test), y_test),
            "straight_line_accuracy": accuracy(single_neuron(inputs_test).argmax(dim=1), y_test),
            "learned_accuracy": accuracy(network(inputs_test).argmax(dim=1), y_test),
        }
    print(f"on {len(y_test)} animals none of them saw while learning:")
    print(f"  the rule 'under {RULE_MAX_CAT_WEIGHT:.0f} kg is a cat'          {results['rule_accuracy']:.1%} right")
    print(f"  a straight line learned by one neuron   {results['straight_line_accuracy']:.1%} right")
    print(f"  a curve learned by two hidden layers    {results['learned_accuracy']:.1%} right")
    models = {"learned by one neuron: a straight line": single_neuron, "learned by a network: a curve": network}
    plot_boundaries(x_test, y_test, models, x_train, args.out / "boundaries.png")
    print(f"wrote {args.out / 'boundaries.png'}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
