"""From one kernel to a ConvNet: max pooling, kernels over several maps, flatten, fully connected layers.

Chapter 9's convolutional neuron slid one kernel over one grey image. The ConvNet of chapter 10
needs four more pieces, and each is small enough to work by hand:

* max pooling keeps the largest value of each window. Backward, the window's gradient goes to
  the pixel that won, and the other pixels of the window get nothing from it;
* a kernel over several input maps has one k×k slice per map, and adds up over all of them;
* flatten lays the last maps out in one row of numbers;
* fully connected layers (nn.Linear) turn that row into one score per class.

The example also works conv2d's backward by hand on a 4x4 input and a 2x2 kernel. Every hand
result is compared with what the library computes: the forward passes with conv2d and
max_pool2d, the backward passes with autograd and with the plain loops of
tinygrad_edu/study/conv_reference.py.
At the end a few digits go through chapter 10's DigitsConvNet one layer at a time, with the
shape printed after each.

    python examples/09b_from_kernels_to_a_convnet.py     # a picture in out/09b_from_kernels_to_a_convnet/

(--quick changes nothing here: nothing trains.)
"""
from __future__ import annotations

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, tutorial
from tinygrad_edu.study.conv_reference import conv2d_backward_reference, max_pool2d_backward_reference
from tinygrad_edu.viz import plots

args = tutorial.arguments("09b_from_kernels_to_a_convnet", __doc__)


def show(title: str, grid: tg.Tensor) -> None:
    """A 2-D tensor as rows of numbers under a title."""
    print(title)
    for row in grid.tolist():
        print("   " + " ".join(f"{value:4g}" for value in row))


def draw_grid(ax, grid: tg.Tensor, title: str, marked: tg.Tensor | None = None) -> None:
    """A small grid of numbers, each written in its cell; cells where `marked` is true are filled."""
    values = grid.tolist()
    fill = marked.float().numpy() if marked is not None else 0 * grid.numpy()
    ax.imshow(fill, cmap="Oranges", vmin=0, vmax=1.6)
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            ax.text(j, i, f"{value:g}", ha="center", va="center", fontsize=12)
    ax.set_xticks([x - 0.5 for x in range(1, len(values[0]))], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, len(values))], minor=True)
    ax.grid(which="minor", color="gray", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    ax.set_title(title, fontsize=10)


# ---- 1. Max pooling, forward: the largest value of each 2x2 window --------------------------
image = tg.tensor([[1.0, 3.0, 2.0, 0.0],
                   [4.0, 2.0, 1.0, 5.0],
                   [0.0, 1.0, 3.0, 3.0],     # the bottom-right window holds its maximum, 3, twice
                   [2.0, 6.0, 1.0, 2.0]]).reshape(1, 1, 4, 4).requires_grad_()
pooled = F.max_pool2d(image, kernel_size=2)
windows = [[image[0, 0, 2 * p:2 * p + 2, 2 * q:2 * q + 2] for q in range(2)] for p in range(2)]
pooled_by_hand = tg.tensor([[window.max().item() for window in row] for row in windows])
show("max pooling, 2x2 windows, stride 2: the input", image[0, 0])
show("the largest value of each window", pooled[0, 0])
pooling_forward_difference = (pooled[0, 0] - pooled_by_hand).abs().max().item()

# ---- 2. Max pooling, backward: each window's gradient goes to the pixel that won -------------
upstream = tg.tensor([[10.0, 20.0], [30.0, 40.0]])
pooled.backward(upstream.reshape(1, 1, 2, 2))
pooling_grad_by_hand = tg.zeros(4, 4)
for p in range(2):
    for q in range(2):
        values = windows[p][q].flatten().tolist()
        k = values.index(max(values))          # the first maximum wins a tie, as in PyTorch
        pooling_grad_by_hand[2 * p + k // 2, 2 * q + k % 2] += upstream[p, q]
show("backward: the gradient arriving at each window", upstream)
show("goes to that window's maximum; every other pixel gets 0", image.grad[0, 0])
pooling_backward_difference = (image.grad[0, 0] - pooling_grad_by_hand).abs().max().item()
pooling_reference_difference = float(abs(
    max_pool2d_backward_reference(image.detach(), upstream.reshape(1, 1, 2, 2), kernel_size=2)[0, 0]
    - image.grad[0, 0].numpy()).max())
print(f"by hand, by autograd and by study/conv_reference.py: the same (largest difference "
      f"{max(pooling_backward_difference, pooling_reference_difference):g})")

# ---- 3. A kernel over several input maps: one 3x3 slice per map, all added up ----------------
first_map = image.detach()[0, 0]
maps = tg.stack([first_map, 5 - first_map]).reshape(1, 2, 4, 4)   # 2 maps of 4x4: any two will do
layer = nn.Conv2d(in_channels=2, out_channels=3, kernel_size=3)
print(f"\nnn.Conv2d(2, 3, kernel_size=3) has weight {layer.weight.shape}: 3 kernels, each 2x3x3, one 3x3 slice "
      f"per input map")
kernel, bias = layer.weight[0], layer.bias[0]                     # the first kernel: (2, 3, 3)
per_map = [(maps[0, c, 0:3, 0:3] * kernel[c]).sum().item() for c in range(2)]
multi_map_by_hand = sum(per_map) + bias.item()
multi_map_conv2d = layer(maps)[0, 0, 0, 0].item()
print(f"output pixel (0, 0) of map 0: map 0 gives {per_map[0]:.4f}, map 1 gives {per_map[1]:.4f}, "
      f"bias {bias.item():.4f}; sum {multi_map_by_hand:.4f}, conv2d {multi_map_conv2d:.4f}")

# ---- 4. conv2d backward by hand: a 4x4 input and a 2x2 kernel --------------------------------
x = tg.arange(16.0).reshape(1, 1, 4, 4).requires_grad_()
w = tg.tensor([[1.0, 2.0], [3.0, 4.0]]).reshape(1, 1, 2, 2).requires_grad_()
out = F.conv2d(x, w)                              # (1, 1, 3, 3): 9 windows
g = tg.ones(3, 3)                                 # the gradient arriving at each output pixel, as for loss = out.sum()
out.backward(g.reshape(1, 1, 3, 3))
# out[p, q] = Σ_ij w[i, j]·x[p + i, q + j]. So weight (i, j) gets Σ_pq g[p, q]·x[p + i, q + j]:
# g slid over x like a kernel; and each g[p, q] hands w, times g[p, q], back to the window of (p, q).
conv_grad_weight_by_hand = tg.tensor([[(g * x.detach()[0, 0, i:i + 3, j:j + 3]).sum().item() for j in range(2)]
                                      for i in range(2)])
conv_grad_input_by_hand = tg.zeros(4, 4)
for p in range(3):
    for q in range(3):
        conv_grad_input_by_hand[p:p + 2, q:q + 2] += g[p, q] * w.detach()[0, 0]
show("\nconv2d backward, 4x4 input x = 0..15 and 2x2 kernel w; loss = sum of the 3x3 output.\n"
     "d loss / d w: each weight's sum of the 9 pixels it met", conv_grad_weight_by_hand)
show("d loss / d x: each pixel's sum of the weights that met it", conv_grad_input_by_hand)
reference_input, reference_weight, _ = conv2d_backward_reference(x.detach(), w.detach(), g.reshape(1, 1, 3, 3))
conv_backward_difference = max((x.grad[0, 0] - conv_grad_input_by_hand).abs().max().item(),
                               (w.grad[0, 0] - conv_grad_weight_by_hand).abs().max().item(),
                               float(abs(reference_input - x.grad.numpy()).max()),
                               float(abs(reference_weight - w.grad.numpy()).max()))
print(f"by hand, by autograd and by study/conv_reference.py: the same (largest difference {conv_backward_difference:g})")

# ---- 5. Flatten, then fully connected layers --------------------------------------------------
small_maps = tg.arange(8.0).reshape(1, 2, 2, 2)   # 2 maps of 2x2
print(f"\nflatten: {small_maps.shape} -> {small_maps.flatten(1).shape}, map after map, row after row: "
      f"{small_maps.flatten(1)[0].tolist()}")
fully_connected = nn.Linear(8, 3)
print(f"nn.Linear(8, 3) has weight {fully_connected.weight.shape}: each of its 3 neurons has a weight for "
      f"every one of the 8 numbers, and the row becomes {fully_connected(small_maps.flatten(1)).shape}")

# ---- 6. The ConvNet of chapter 10, one layer at a time ----------------------------------------
model = tutorial.convnet()                        # tinygrad_edu/models.py: DigitsConvNet(channels=(16, 32), hidden=64)
digits = tg.data.load_digits()[0][:5]              # 5 digits of 8x8 pixels, in [0, 1]
steps = [("conv1", model.conv1), ("relu", F.relu), ("pool1", model.pool1),
         ("conv2", model.conv2), ("relu", F.relu), ("pool2", model.pool2),
         ("flatten", lambda t: t.flatten(1)), ("fc1", model.fc1), ("relu", F.relu), ("fc2", model.fc2)]
print(f"\n5 digits through chapter 10's ConvNet, one layer at a time:\n{'input':>8}  {digits.shape}")
layer_shapes = {"input": digits.shape}
with tg.no_grad():
    activations = digits
    for name, step in steps:
        activations = step(activations)
        parameters = sum(p.numel() for p in step.parameters()) if isinstance(step, nn.Module) else 0
        print(f"{name:>8}  {str(activations.shape):<15}  {parameters:,} parameters" if parameters
              else f"{name:>8}  {activations.shape}")
        layer_shapes.setdefault(name, activations.shape)
    layer_by_layer_difference = (activations - model(digits)).abs().max().item()
parameter_count = tutorial.count_parameters(model)
print(f"{parameter_count:,} parameters in all; the layers one by one give what model(digits) gives "
      f"(largest difference {layer_by_layer_difference:g})")

# ---- the picture: max pooling forward and backward --------------------------------------------
winners = image.grad[0, 0] != 0
fig = plots.new_figure(figsize=(10, 3), layout="constrained")
for ax, (grid, title, marked) in zip(fig.subplots(1, 4), [
        (image.detach()[0, 0], "input (winners filled)", winners),
        (pooled.detach()[0, 0], "max of each 2x2 window", None),
        (upstream, "gradient arriving (backward)", None),
        (image.grad[0, 0], "gradient of the input", winners)]):
    draw_grid(ax, grid, title, marked)
plots.save_figure(fig, args.out / "pooling_by_hand.png")
print(f"wrote {args.out / 'pooling_by_hand.png'}")
