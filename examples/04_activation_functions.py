"""Activation functions, their derivatives, and why gradient descent needs smooth ones.

A neuron's weighted sum goes through an activation: read the sum off the x-axis, the output
off the y-axis. The step (0 below zero, 1 above) is the festival neuron's yes/no. The sigmoid
is a smoothed step with every value in between. ReLU passes positive sums through unchanged
and turns negative ones into 0. The example plots the three with the derivatives autograd
computes, and checks each against the slope measured from the function itself.

Gradient descent nudges every weight in the direction that lowers the loss, found from
derivatives. The step's derivative is 0 everywhere except at 0, where it has none, so no
gradient gets through it: gradient descent leaves a step neuron's weights exactly where they
started. That is a limit of gradient descent, not of the neuron. The perceptron rule (Rosenblatt,
1958) does not use derivatives: after each example it moves the weights by
(target - output) × input, and it trains the same step neuron on AND in a few passes. It only
works for one layer, though; gradient descent trains any number of layers, which is why
networks use smooth activations such as the sigmoid.

    python examples/04_activation_functions.py     # pictures in out/04_activation_functions/
"""
from pathlib import Path

import tinygrad_edu as tg
from tinygrad_edu import tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("04_activation_functions", __doc__)
ACTIVATIONS = {"step": tg.Tensor.step, "sigmoid": tg.Tensor.sigmoid, "ReLU": tg.Tensor.relu}


def autograd_derivative(f, x: tg.Tensor) -> tg.Tensor:
    """f'(x) at every point: the gradient of sum(f(x)) with respect to x is f' elementwise,
    because each output depends only on its own input."""
    x = x.detach().requires_grad_()
    f(x).sum().backward()
    return x.grad


def measured_slope(f, x: tg.Tensor, h: float = 1e-4) -> tg.Tensor:
    """(f(x + h) - f(x - h)) / 2h: the slope read off the function, knowing nothing of backward."""
    return (f(x + h) - f(x - h)) / (2 * h)


def plot_activations(x: tg.Tensor, path: Path) -> None:
    fig = plots.new_figure(figsize=(10, 3.4), layout="constrained")
    for ax, (name, f) in zip(fig.subplots(1, 3), ACTIVATIONS.items()):
        ax.plot(x.numpy(), f(x).numpy(), label=name, linewidth=2)
        ax.plot(x.numpy(), autograd_derivative(f, x).numpy(), "--", label="its derivative (autograd)")
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.set_ylim(-0.3, 2.3)   # room above the curves for the legend
        ax.set_title(name)
        ax.set_xlabel("weighted sum")
        ax.legend(fontsize=8, loc="upper left")
    plots.save_figure(fig, path)


# In float64, so that the measured slope is accurate to about 1e-8; away from the kinks at 0.
x = tg.linspace(-6.0, 6.0, 241, dtype=tg.float64)
away_from_zero = x.abs() > 1e-3
derivative_error = {}
for name, f in ACTIVATIONS.items():
    difference = (autograd_derivative(f, x) - measured_slope(f, x))[away_from_zero]
    derivative_error[name] = difference.abs().max().item()
    print(f"{name:>8}: autograd's derivative matches the measured slope to {derivative_error[name]:.1e}")
plot_activations(x, args.out / "activations.png")

# One neuron learning AND (fire only when both inputs are 1), three ways, from the same start.
inputs = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
target = tg.tensor([[0.0], [0.0], [0.0], [1.0]])
START_WEIGHTS, START_BIAS = [[0.3], [-0.2]], [0.1]
steps = 200 if args.quick else 1000


def gradient_descent(activation, lr: float) -> dict:
    """Plain gradient descent on the mean squared error of output = activation(inputs @ w + b)."""
    w = tg.tensor(START_WEIGHTS, requires_grad=True)
    b = tg.tensor(START_BIAS, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((activation(inputs @ w + b) - target) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        losses.append(loss.item())
        with tg.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
    return summary(w, b, losses, passes=steps)


def perceptron_rule(lr: float = 0.1) -> dict:
    """Rosenblatt's rule for a step neuron: after each example, w += lr·(target - output)·input
    and b += lr·(target - output). No derivative is needed; it stops after a pass with no mistake."""
    w, b = tg.tensor(START_WEIGHTS), tg.tensor(START_BIAS)
    losses = [share_wrong(w, b)]
    for _ in range(steps):
        for example, wanted in zip(inputs, target):
            error = wanted - (example @ w + b).step()          # 0 when right, +1 or -1 when wrong
            w += lr * error * example.reshape(2, 1)
            b += lr * error
        losses.append(share_wrong(w, b))
        if losses[-1] == 0.0:
            break
    return summary(w, b, losses, passes=len(losses) - 1)


def share_wrong(w: tg.Tensor, b: tg.Tensor) -> float:
    """The step neuron's mean squared error, which for outputs of 0 or 1 is the share it gets wrong."""
    return (((inputs @ w + b).step() - target) ** 2).mean().item()


def summary(w: tg.Tensor, b: tg.Tensor, losses: list[float], passes: int) -> dict:
    with tg.no_grad():
        right = ((inputs @ w + b > 0) == (target > 0.5)).sum().item()
        moved = max((w - tg.tensor(START_WEIGHTS)).abs().max().item(), (b - tg.tensor(START_BIAS)).abs().max().item())
    return {"loss_start": losses[0], "loss_end": losses[-1], "weights_moved": moved, "correct": right,
            "passes": passes, "losses": losses}


with tg.no_grad():
    correct_at_start = ((inputs @ tg.tensor(START_WEIGHTS) + tg.tensor(START_BIAS) > 0) == (target > 0.5)).sum().item()
runs = {"step, gradient descent": gradient_descent(tg.Tensor.step, lr=1.0),
        "sigmoid, gradient descent": gradient_descent(tg.Tensor.sigmoid, lr=2.0),
        "step, perceptron rule": perceptron_rule()}
print(f"one neuron learning AND, from weights that get {correct_at_start}/4 right:")
for name, run in runs.items():
    print(f"  {name:<26} loss {run['loss_start']:.3f} -> {run['loss_end']:.3f} in {run['passes']:>4} passes, "
          f"weights moved by {run['weights_moved']:.3f}, {run['correct']}/4 right")
step_descent, sigmoid_descent, perceptron = runs.values()
plots.plot_curves({f"loss: {name}": run["losses"] for name, run in runs.items()},
                  args.out / "training_step_vs_sigmoid.png", title="one neuron learning AND, three ways",
                  xlabel="pass over the four examples")
print(f"wrote {args.out / 'activations.png'} and {args.out / 'training_step_vs_sigmoid.png'}")
