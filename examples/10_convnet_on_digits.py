"""The 4-layer ConvNet on handwritten digits, and a look inside it.

The network (tinygrad_edu/models.py: DigitsConvNet, the class `make demo` trains, here at a
smaller size that trains in seconds; examples/common.py: convnet) has four layers with
weights: two convolutional layers, each followed by ReLU and 2x2 max-pooling, then two fully
connected layers that turn the features into one score per digit:

    8x8 digit -> conv 3x3, 16 kernels -> 16 maps 4x4 -> conv 3x3, 32 kernels -> 32 maps 2x2
              -> 64 neurons -> 10 scores

Kernels are just small arrays of numbers, so we can look at them as pictures, and so are the
feature maps they produce. On big photos the first layer's kernels famously turn into edge
and colour detectors and later layers into parts of objects. These digits are only 8x8 pixels,
so there is less to see: the first-layer kernels are 3x3 patterns of light and dark, mostly
stroke and edge detectors at various angles, and each feature map shows where one of them fires.

    python examples/10_convnet_on_digits.py        # pictures in out/10_convnet_on_digits/
"""
from __future__ import annotations

import sys

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.models import DigitsConvNet
from tinygrad_edu.training import accuracy
from tinygrad_edu.viz import plots
from common import convnet, count_parameters, parse_args, trained_convnet


def feature_maps(model: DigitsConvNet, image: tg.Tensor) -> tuple[tg.Tensor, tg.Tensor]:
    """What the two convolutional layers (after their ReLU) make of one image (1, 1, 8, 8)."""
    with tg.no_grad():
        first = F.relu(model.conv1(image))                       # (1, 16, 8, 8)
        second = F.relu(model.conv2(model.pool1(first)))         # (1, 32, 4, 4)
    return first, second


def main(argv: list[str] | None = None) -> dict:
    args = parse_args("10_convnet_on_digits", "A 4-layer ConvNet on the digits: kernels and feature maps.", argv)
    trained = trained_convnet(args)
    model, data = trained.model, trained.data
    untrained = convnet().to(args.device)
    untrained_accuracy = accuracy(untrained, data.x_test, data.y_test)
    print(f"{count_parameters(model):,} parameters; test accuracy {trained.test_accuracy:.1%} on "
          f"{len(data.y_test)} held-out digits (before training: {untrained_accuracy:.1%}, i.e. guessing)")

    plots.plot_curves({"training loss": trained.losses}, args.out / "training_loss.png", title="training")
    kernels = model.conv1.weight.detach()
    plots.image_grid(kernels, args.out / "conv1_kernels.png", ncols=8, cmap="coolwarm",
                     title="the 16 learned 3x3 kernels of the first layer (red: large weights, blue: small)")
    plots.image_grid(untrained.conv1.weight.detach(), args.out / "conv1_kernels_before_training.png", ncols=8,
                     cmap="coolwarm", title="the same kernels before training: random")

    image, label = data.x_test[:1], data.y_test[0].item()
    first, second = feature_maps(model, image)
    plots.image_grid(tg.cat([image, first], dim=1)[0], args.out / "feature_maps_conv1.png", ncols=9,
                     titles=["input"] + [f"map {i + 1}" for i in range(first.shape[1])],
                     title=f"a {label} through the first layer: 16 feature maps, 8x8")
    plots.image_grid(second[0], args.out / "feature_maps_conv2.png", ncols=8,
                     title=f"the same {label} after the second layer: 32 feature maps, 4x4")

    with tg.no_grad():
        predictions = model(data.x_test[:16]).argmax(dim=1).tolist()
    plots.image_grid(data.x_test[:16], args.out / "predictions.png", ncols=8,
                     titles=[f"says {p}" + ("" if p == y else f" (is {y})")
                             for p, y in zip(predictions, data.y_test[:16].tolist())],
                     title="test digits and the network's answers")
    print(f"wrote the training curve, kernels, feature maps and predictions into {args.out}")
    return {"test_accuracy": trained.test_accuracy, "untrained_accuracy": untrained_accuracy,
            "loss_start": trained.losses[0], "loss_end": trained.losses[-1], "parameters": count_parameters(model)}


if __name__ == "__main__":
    main(sys.argv[1:])
