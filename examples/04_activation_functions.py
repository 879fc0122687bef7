"""Activation functions, their derivatives, and why training needs smooth ones.

A neuron's weighted sum goes through an activation: read the sum off the x-axis, the output
off the y-axis. The step (0 below zero, 1 above) is the festival neuron's yes/no. The sigmoid
is a smoothed step with every value in between. ReLU passes positive sums through unchanged
and turns negative ones into 0.

Training nudges every weight in the direction that lowers the loss, and that direction comes
from derivatives. The step's derivative is 0 everywhere (and undefined at 0), so no gradient
gets through it: a neuron with a step activation never learns. The sigmoid's derivative is
never 0, so the same neuron with a sigmoid learns at once. This example plots the three
functions with the derivatives autograd computes, then trains one neuron both ways.

    python examples/04_activation_functions.py     # pictures in out/04_activation_functions/
"""
from __future__ import annotations

import sys
from pathlib import Path

import tinygrad_edu as tg
from tinygrad_edu.viz import plots
from common import parse_args

ACTIVATIONS = {
    "step": (lambda x: x.step(), lambda x: x * 0.0),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: x.sigmoid() * (1 - x.sigmoid())),
    "ReLU": (lambda x: x.relu(), lambda x: (x > 0).float()),
}


def autograd_derivative(f, x: tg.Tensor) -> tg.Tensor:
    """f'(x) at every point: the gradient of sum(f(x)) with respect to x is f' elementwise,
    because each output depends only on its own input."""
    x = x.detach().requires_grad_()
    f(x).sum().backward()
    return x.grad


def plot_activations(x: tg.Tensor, path: Path) -> None:
    fig = plots.new_figure(figsize=(10, 3.2), layout="constrained")
    for ax, (name, (f, _)) in zip(fig.subplots(1, 3), ACTIVATIONS.items()):
        with tg.no_grad():
            y = f(x)
        ax.plot(x.numpy(), y.numpy(), label=name, linewidth=2)
        ax.plot(x.numpy(), autograd_derivative(f, x).numpy(), "--", label="derivative (autograd)")
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.set_title(name)
        ax.set_xlabel("weighted sum")
        ax.legend(fontsize=8, loc="upper left")
    plots.save_figure(fig, path)


def train_neuron(activation, x: tg.Tensor, y: tg.Tensor, steps: int, lr: float = 1.0) -> dict:
    """Gradient descent on one neuron, output = activation(x @ w + b), with mean squared error.
    Returns the loss before and after, and how far the weights moved."""
    w = tg.tensor([[0.3], [-0.2]], device=x.device, requires_grad=True)
    b = tg.tensor([0.1], device=x.device, requires_grad=True)
    start = w.detach().clone()
    losses = []
    for _ in range(steps):
        loss = ((activation(x @ w + b) - y) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        losses.append(loss.item())
        with tg.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
    return {"loss_start": losses[0], "loss_end": losses[-1], "weights_moved": (w - start).abs().max().item(),
            "losses": losses}


def main(argv: list[str] | None = None) -> dict:
    args = parse_args("04_activation_functions", "Activation functions and their derivatives.", argv)
    x = tg.linspace(-6.0, 6.0, 241, device=args.device)
    results = {}
    for name, (f, derivative) in ACTIVATIONS.items():
        error = (autograd_derivative(f, x) - derivative(x)).abs().max().item()
        results[f"{name}_derivative_error"] = error
        print(f"{name:>8}: autograd's derivative matches the formula to {error:.1e}")
    plot_activations(x, args.out / "activations.png")

    # One neuron learning AND (fire only when both inputs are 1), with each activation.
    inputs = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], device=args.device)
    target = tg.tensor([[0.0], [0.0], [0.0], [1.0]], device=args.device)
    steps = 200 if args.quick else 1000
    runs = {"step": train_neuron(tg.Tensor.step, inputs, target, steps),
            "sigmoid": train_neuron(tg.Tensor.sigmoid, inputs, target, steps, lr=2.0)}
    for name, run in runs.items():
        print(f"training with {name:>7}: loss {run['loss_start']:.3f} -> {run['loss_end']:.3f}, "
              f"the weights moved by {run['weights_moved']:.3f}")
        results[f"{name}_training"] = {k: v for k, v in run.items() if k != "losses"}
    print("the step's gradient is zero everywhere, so gradient descent cannot move its weights")
    plots.plot_curves({f"loss with {name}": run["losses"] for name, run in runs.items()},
                      args.out / "training_step_vs_sigmoid.png", title="one neuron learning AND", xlabel="step")
    print(f"wrote {args.out / 'activations.png'} and {args.out / 'training_step_vs_sigmoid.png'}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
