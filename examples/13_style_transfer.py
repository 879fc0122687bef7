"""Style transfer (Gatys et al., 2015): the content of one image in the style of another.

A ConvNet's feature maps say *what* is where in an image: that is the content. Style is what
is left when "where" is thrown away: which features tend to appear *together*, whatever the
position. The Gram matrix measures exactly that: for every pair of channels, how strongly
their feature maps overlap, summed over all positions.

We start from the content image and change its pixels (not any weights) by gradient descent on

    loss = content weight · (features of the image - features of the content image)²
         + style weight   · Σ over layers (Gram of the image - Gram of the style image)²

Gatys et al. used VGG, a large network trained on about a million photos. No pretrained weights
can be downloaded here, so this example uses **random features**: three convolutional layers
with random, untrained kernels (seeded, so the run is reproducible). Random kernels are enough
to capture colour and texture statistics (Ustyuzhaninov et al. 2016 showed they synthesise
textures surprisingly well), though not the higher-level "brush strokes" of a trained network.
The content is the cat photo; the style is a colourful wave pattern generated below.

    python examples/13_style_transfer.py           # pictures in out/13_style_transfer/
"""
from __future__ import annotations

import math
import sys

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.viz import plots
from common import load_photo, parse_args

STYLE_WEIGHT = 1.0
CONTENT_WEIGHT = 0.005


class RandomFeatures(nn.Module):
    """Three conv layers with random kernels that are never trained; returns every layer's
    feature maps (for style) and uses the last one for content."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.conv3 = nn.Conv2d(64, 64, 3, padding=1)
        self.requires_grad_(False)   # the features stay fixed; only the image is optimised

    def forward(self, x: tg.Tensor) -> list[tg.Tensor]:
        first = self.conv1(x).relu()
        second = self.conv2(F.avg_pool2d(first, 2)).relu()
        third = self.conv3(F.avg_pool2d(second, 2)).relu()
        return [first, second, third]


def gram(features: tg.Tensor) -> tg.Tensor:
    """(1, C, H, W) feature maps -> (C, C): how much channels i and j fire together, per position."""
    _, channels, height, width = features.shape
    flat = features.reshape(channels, height * width)
    return flat @ flat.T / (height * width)


def wave_pattern(height: int, width: int, device: str) -> tg.Tensor:
    """A made-up style image (1, 3, H, W): each colour channel is a wave running its own way."""
    def wave(fx: float, fy: float, phase: float) -> list[list[float]]:
        return [[0.5 + 0.5 * math.sin(fx * x + fy * y + phase) for x in range(width)] for y in range(height)]

    return tg.tensor([wave(0.45, 0.25, 0.0), wave(0.0, 0.35, 1.0), wave(0.3, -0.3, 2.0)], device=device).unsqueeze(0)


def style_transfer(content: tg.Tensor, style: tg.Tensor, features: RandomFeatures, steps: int) -> dict:
    """Optimise the pixels of a copy of `content`; returns the image and both losses per step."""
    with tg.no_grad():
        content_target = features(content)[-1]
        style_targets = [gram(f) for f in features(style)]
    image = content.clone().requires_grad_()
    optimizer = optim.Adam([image], lr=0.02)
    history = {"style loss": [], "content loss": []}
    for _ in range(steps):
        maps = features(image)
        style_loss = sum(((gram(f) - g) ** 2).mean() for f, g in zip(maps, style_targets))
        content_loss = ((maps[-1] - content_target) ** 2).mean()
        loss = STYLE_WEIGHT * style_loss + CONTENT_WEIGHT * content_loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with tg.no_grad():
            image.copy_(image.clamp(0.0, 1.0))
        history["style loss"].append(style_loss.item())
        history["content loss"].append(content_loss.item())
    return {"image": image.detach(), **history}


def main(argv: list[str] | None = None) -> dict:
    args = parse_args("13_style_transfer", "Gatys-style transfer with Gram matrices of random features.", argv)
    content = load_photo(args.device)
    if args.quick:
        content = F.avg_pool2d(content, 2)     # half the size: four times less work
    style = wave_pattern(*content.shape[2:], args.device)
    features = RandomFeatures().to(args.device)
    steps = 30 if args.quick else 200
    result = style_transfer(content, style, features, steps)
    print(f"style loss {result['style loss'][0]:.3g} -> {result['style loss'][-1]:.3g}, "
          f"content loss {result['content loss'][0]:.3g} -> {result['content loss'][-1]:.3g} after {steps} steps")
    fig = plots.new_figure(figsize=(10, 2.8), layout="constrained")
    for ax, (title, picture) in zip(fig.subplots(1, 3), [("content", content), ("style", style),
                                                       ("content in the style", result["image"])]):
        ax.imshow(picture[0].permute(1, 2, 0).numpy())
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    plots.save_figure(fig, args.out / "style_transfer.png")
    plots.plot_curves({k: result[k] for k in ("style loss", "content loss")}, args.out / "losses.png", xlabel="step")
    print(f"wrote {args.out / 'style_transfer.png'} and {args.out / 'losses.png'}")
    return {"style_loss_start": result["style loss"][0], "style_loss_end": result["style loss"][-1],
            "content_loss_end": result["content loss"][-1]}


if __name__ == "__main__":
    main(sys.argv[1:])
