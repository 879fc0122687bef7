"""A convolutional neuron: a shared kernel, a bias and an activation, giving a feature map.

An ordinary neuron multiplies each input by its own weight. A convolutional neuron takes a
whole image as input and uses one small kernel everywhere: at every position it does exactly
what an ordinary neuron does with the 3x3 pixels there (multiply by the kernel's 9 weights,
add up, add the bias, apply the activation). Its output is therefore an image too, a feature
map, which is bright wherever the pattern the kernel describes appears.

Part 1 sets the kernel by hand to a vertical-edge detector and checks one output pixel against
the plain neuron formula. Part 2 starts from a random kernel and lets gradient descent find
the weights that reproduce the hand-set neuron's output: the kernel is learned, like any weight.

    python examples/09_convolutional_neuron.py           # pictures in out/09_convolutional_neuron/
    python examples/09_convolutional_neuron.py --quick   # fewer learning steps
"""
from __future__ import annotations

from pathlib import Path

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim, tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("09_convolutional_neuron", __doc__)
steps = 150 if args.quick else 300

VERTICAL_EDGES = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]   # dark on the left, bright on the right
BIAS = -0.1   # ignore faint edges


def conv_neuron(image: tg.Tensor, kernel: tg.Tensor, bias: tg.Tensor) -> tg.Tensor:
    """relu(kernel ⋆ image + bias): one kernel (1, 1, 3, 3) slid over a (N, 1, H, W) image."""
    return F.conv2d(image, kernel, bias).relu()


def plot_maps(image: tg.Tensor, target: tg.Tensor, learned: tg.Tensor, kernels: dict, path: Path) -> None:
    fig = plots.new_figure(figsize=(11, 5), layout="constrained")
    top, bottom = fig.subfigures(2, 1)
    for ax, (title, picture) in zip(top.subplots(1, 3), [("input", image), ("feature map, hand-set kernel", target),
                                                       ("feature map, learned kernel", learned)]):
        ax.imshow(picture[0, 0].numpy(), cmap="gray")
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    for ax, (title, kernel) in zip(bottom.subplots(1, 3), kernels.items()):
        values = kernel.reshape(3, 3).numpy()
        ax.imshow(values, cmap="coolwarm", vmin=-2.2, vmax=2.2)
        for i in range(3):
            for j in range(3):
                ax.text(j, i, f"{values[i, j]:.2f}", ha="center", va="center", fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    plots.save_figure(fig, path)


# Part 1: a hand-set kernel, and one output pixel checked against the plain neuron formula.
image = tutorial.load_photo(gray=True)
kernel = tg.tensor(VERTICAL_EDGES).reshape(1, 1, 3, 3)
bias = tg.tensor([BIAS])

feature_map = conv_neuron(image, kernel, bias)
map_height, map_width = feature_map.shape[2], feature_map.shape[3]
print(f"input image {image.shape} -> feature map {feature_map.shape} "
      f"(no padding: 3x3 windows fit {map_height}x{map_width} times)")
row, col = 40, 60
patch = image[0, 0, row:row + 3, col:col + 3]
neuron_by_hand = max((patch * kernel[0, 0]).sum().item() + BIAS, 0.0)   # one ordinary neuron, on one window
feature_map_pixel = feature_map[0, 0, row, col].item()
print(f"output pixel ({row}, {col}): relu(Σ patch × kernel + bias) = {neuron_by_hand:.5f}; "
      f"the feature map holds {feature_map_pixel:.5f}")
parameters = kernel.numel() + bias.numel()
fully_connected_weights = image.shape[2] * image.shape[3] * map_height * map_width
print(f"the neuron has {parameters} parameters, shared by all {feature_map.numel()} positions; a fully connected "
      f"layer with the same output would need {fully_connected_weights:,} weights")

# Part 2: learn the kernel from the feature map it should produce.
learner = nn.Conv2d(1, 1, kernel_size=3)
initial_kernel = learner.weight.detach().clone()
optimizer = optim.Adam(learner.parameters(), lr=0.2)
losses = []
# Two choices that make this learn quickly. The loss compares the weighted sums before the
# ReLU: where a ReLU outputs 0 its gradient is 0 too, and a neuron whose sums start out
# negative everywhere would never learn. And the input is centred on 0 (as data usually is
# before training), which changes nothing for this kernel, whose weights add up to 0.
centred = image - image.mean()
target = F.conv2d(centred, kernel, bias)
for _ in range(steps):
    loss = F.mse_loss(learner(centred), target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
loss_start, loss_end = losses[0], losses[-1]
kernel_error = (learner.weight - kernel).abs().max().item()
learned_bias = learner.bias.item()
print(f"learning the kernel: loss {loss_start:.5f} -> {loss_end:.2e} in {steps} steps; the learned kernel is "
      f"within {kernel_error:.3f} of the hand-set one, bias {learned_bias:.3f} (hand-set {BIAS})")

with tg.no_grad():
    learned_map = learner(centred).relu()
plot_maps(image, feature_map, learned_map, {"hand-set kernel": kernel, "random start": initial_kernel,
                                            "learned kernel": learner.weight.detach()},
          args.out / "convolutional_neuron.png")
plots.plot_curves({"loss": losses}, args.out / "learning_the_kernel.png", xlabel="step",
                  title="learning a kernel by gradient descent")
print(f"wrote {args.out / 'convolutional_neuron.png'} and {args.out / 'learning_the_kernel.png'}")
