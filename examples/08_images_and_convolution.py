"""Images are arrays of numbers, and convolution is arithmetic on them.

A grey image is a grid of brightness values between 0 (black) and 1 (white); a colour image
has three such grids, red, green and blue. Because it is all numbers we can compute with it.
Convolution slides a small grid of numbers, the kernel, over the image: at every position it
multiplies the kernel with the pixels under it and adds the products up, and that sum is one
pixel of the result. What the result looks like depends only on the kernel:

* blur: a kernel of positive weights that add up to 1 averages each pixel with its
  neighbours;
* sharpen: a big positive centre and negative neighbours exaggerates how each pixel differs
  from its surroundings;
* edges: a kernel that adds up to 0 gives 0 where the image is flat and large values where the
  brightness changes.

(Deep learning libraries, this one included, slide the kernel without flipping it, which
mathematicians call cross-correlation; for learned kernels the difference does not matter.)

The photo is Chelsea the cat, from scikit-image's sample data (CC0; see tinygrad_edu/assets/README.md).

    python examples/08_images_and_convolution.py     # pictures in out/08_images_and_convolution/

(--quick changes nothing here: nothing trains.)
"""
from __future__ import annotations

from pathlib import Path

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import tutorial
from tinygrad_edu.study.conv_reference import conv2d_reference
from tinygrad_edu.viz import plots

args = tutorial.arguments("08_images_and_convolution", __doc__)

BINOMIAL = [1.0, 4.0, 6.0, 4.0, 1.0]
KERNELS = {
    "blur": [[a * b / 256.0 for b in BINOMIAL] for a in BINOMIAL],   # a 5x5 bell-shaped average
    "sharpen": [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]],
    "edges": [[-1.0, -1.0, -1.0], [-1.0, 8.0, -1.0], [-1.0, -1.0, -1.0]],
}


def convolve(image: tg.Tensor, kernel: list[list[float]]) -> tg.Tensor:
    """The same kernel over every colour channel of `image` (N, C, H, W); padding keeps the size."""
    k = tg.tensor(kernel)
    channels = image.shape[1]
    weight = k.reshape(1, 1, *k.shape).expand(channels, 1, *k.shape)   # one copy per channel
    # groups=channels: each output channel sees only its own input channel
    return F.conv2d(image, weight, padding=k.shape[0] // 2, groups=channels)


def roughness(gray: tg.Tensor) -> float:
    """How much pixels differ from their neighbours: the mean absolute response of the edge kernel."""
    return convolve(gray, KERNELS["edges"])[:, :, 1:-1, 1:-1].abs().mean().item()


def plot_photos(pictures: dict[str, tg.Tensor], path: Path) -> None:
    fig = plots.new_figure(figsize=(8, 5.6), layout="constrained")
    for ax, (title, picture) in zip(fig.subplots(2, 2).ravel(), pictures.items()):
        ax.imshow(picture[0].permute(1, 2, 0).clamp(0, 1).numpy())   # (H, W, 3) in [0, 1] for imshow
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    plots.save_figure(fig, path)


def plot_patch(gray: tg.Tensor, top: int, left: int, path: Path) -> None:
    """A close-up of 8x8 pixels with the number each one holds."""
    patch = gray[0, 0, top:top + 8, left:left + 8].numpy()
    fig = plots.new_figure(figsize=(4.6, 4.6), layout="constrained")
    ax = fig.subplots()
    ax.imshow(patch, cmap="gray", vmin=0, vmax=1)
    for i in range(8):
        for j in range(8):
            ax.text(j, i, f"{patch[i, j]:.2f}", ha="center", va="center", fontsize=7,
                    color="black" if patch[i, j] > 0.5 else "white")
    ax.set_title(f"8x8 pixels of the cat's eye (rows {top}-{top + 7})", fontsize=9)
    ax.axis("off")
    plots.save_figure(fig, path)


image = tutorial.load_photo()
gray = tutorial.load_photo(gray=True)
print(f"the photo is a tensor of shape {image.shape}: (batch, colour channels, height, width)")
top, left = 36, 50     # around the cat's left eye
print(f"the grey values of 4x4 pixels at row {top}, column {left}:\n{gray[0, 0, top:top + 4, left:left + 4]}")

# What conv2d computes, checked against the slow, obvious loop over every output pixel.
corner, sharpen = gray[:, :, :12, :12], tg.tensor(KERNELS["sharpen"]).reshape(1, 1, 3, 3)
loop_difference = float(abs(F.conv2d(corner, sharpen).numpy() - conv2d_reference(corner, sharpen)).max())
print(f"conv2d matches the pixel-by-pixel loop (study/conv_reference.py) to {loop_difference:.1e}")

# Roughness before and after each kernel: blurring should lower it, sharpening raise it.
roughness_original = roughness(gray)
roughness_blur = roughness(convolve(gray, KERNELS["blur"]))
roughness_sharpen = roughness(convolve(gray, KERNELS["sharpen"]))
print(f"    blur: roughness {roughness_original:.4f} -> {roughness_blur:.4f}")
print(f" sharpen: roughness {roughness_original:.4f} -> {roughness_sharpen:.4f}")
print("blurring smooths the image out; sharpening makes neighbouring pixels differ more")

edges = convolve(gray, KERNELS["edges"])
pictures = {"original": image, "blur (5x5)": convolve(image, KERNELS["blur"]),
            "sharpen": convolve(image, KERNELS["sharpen"]),
            "edges (absolute value, brightened)": (edges.abs() * 2).expand(1, 3, *image.shape[2:])}
plot_photos(pictures, args.out / "kernels_on_the_cat.png")
plot_patch(gray, top, left, args.out / "pixels_as_numbers.png")
print(f"wrote {args.out / 'kernels_on_the_cat.png'} and {args.out / 'pixels_as_numbers.png'}")
