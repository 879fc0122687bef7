"""Style transfer (Gatys et al., 2015), and what a Gram-matrix loss can carry at this size.

A ConvNet's feature maps say *what* is where in an image: that is the content. The Gram matrix
throws the "where" away and keeps which features fire *together*: for every pair of channels,
how strongly their maps overlap, summed over all positions. Gatys et al. call that the style.

We start from the content image and change its pixels (not any weights) by gradient descent on

    loss = content weight * mean (features of the image - features of the content image)^2
         + style weight   * sum over layers of mean (Gram of the image - Gram of the style image)^2

Gatys et al. used VGG, a large network trained on about a million photos. No pretrained weights
can be downloaded here, so this example uses three convolutional layers with random, untrained
kernels. Their Gram matrices describe colours and small textures (a few pixels across) and
nothing larger, so at this size what moves from the style image to the cat is mostly colour:
the result is the cat recoloured, with none of the style's waves and nothing like brush
strokes. The example measures both sides: how far the colours moved, and how close the
features stay to the cat's (the content loss).

    python examples/13_style_transfer.py           # pictures in out/13_style_transfer/
"""
import math

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim, tutorial
from tinygrad_edu.viz import plots

args = tutorial.arguments("13_style_transfer", __doc__)
style_weight, content_weight = 1.0, 0.005
steps = 30 if args.quick else 200

content = tutorial.load_photo()               # the cat, (1, 3, H, W)
if args.quick:
    content = F.avg_pool2d(content, 2)        # half the size: four times less work
height, width = content.shape[2:]


def wave(fx, fy, phase):
    return [[0.5 + 0.5 * math.sin(fx * x + fy * y + phase) for x in range(width)] for y in range(height)]


# The style image: each colour channel is a wave running its own way.
style = tg.tensor([wave(0.45, 0.25, 0.0), wave(0.0, 0.35, 1.0), wave(0.3, -0.3, 2.0)]).unsqueeze(0)


class RandomFeatures(nn.Module):
    """Three conv layers with random kernels that are never trained; returns every layer's maps."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv3 = nn.Conv2d(64, 64, 3, padding=1)
        self.requires_grad_(False)            # the features stay fixed; only the image is optimised

    def forward(self, x):
        first = self.conv1(x).relu()
        second = self.conv2(F.avg_pool2d(first, 2)).relu()
        third = self.conv3(F.avg_pool2d(second, 2)).relu()
        return [first, second, third]


def gram(maps):
    """(1, C, H, W) feature maps -> (C, C): how much channels i and j fire together, per position."""
    _, channels, h, w = maps.shape
    flat = maps.reshape(channels, h * w)
    return flat @ flat.T / (h * w)


def style_loss(maps, targets):
    return sum(((gram(m) - g) ** 2).mean() for m, g in zip(maps, targets))


def content_loss(maps, target):
    return ((maps[-1] - target) ** 2).mean()


features = RandomFeatures()
with tg.no_grad():
    content_target = features(content)[-1]
    style_targets = [gram(m) for m in features(style)]
    style_as_content = content_loss(features(style), content_target).item()   # the yardstick for "far from the cat"

image = content.clone().requires_grad_()
optimizer = optim.Adam([image], lr=0.02)
history = {"style loss": [], "content loss": []}
for _ in range(steps):
    maps = features(image)
    style_part, content_part = style_loss(maps, style_targets), content_loss(maps, content_target)
    loss = style_weight * style_part + content_weight * content_part
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    with tg.no_grad():
        image.copy_(image.clamp(0.0, 1.0))
    history["style loss"].append(style_part.item())
    history["content loss"].append(content_part.item())
result = image.detach()
with tg.no_grad():
    final_maps = features(result)
    style_loss_end = style_loss(final_maps, style_targets).item()
    content_loss_end = content_loss(final_maps, content_target).item()
style_loss_start = history["style loss"][0]
print(f"style loss {style_loss_start:.3g} -> {style_loss_end:.3g} after {steps} steps; "
      f"content loss 0 -> {content_loss_end:.3g} (the style image itself scores {style_as_content:.3g})")


def colour_statistics(picture):
    """Mean and spread of each colour channel: six numbers that a palette comes down to."""
    flat = picture.reshape(3, -1)
    return tg.cat([flat.mean(dim=1), flat.std(dim=1)])


palette_before = (colour_statistics(content) - colour_statistics(style)).norm().item()
palette_after = (colour_statistics(result) - colour_statistics(style)).norm().item()
print(f"colour statistics (mean and spread per channel): distance to the style's {palette_before:.3f} "
      f"for the photo, {palette_after:.3f} for the result")

fig = plots.new_figure(figsize=(10, 2.8), layout="constrained")
for ax, (title, picture) in zip(fig.subplots(1, 3), [("content", content), ("style", style),
                                                   ("result: the cat recoloured, no waves", result)]):
    ax.imshow(picture[0].permute(1, 2, 0).numpy())
    ax.set_title(title, fontsize=9)
    ax.axis("off")
plots.save_figure(fig, args.out / "style_transfer.png")
plots.plot_curves(history, args.out / "losses.png", xlabel="step")
print(f"wrote {args.out / 'style_transfer.png'} and {args.out / 'losses.png'}")
