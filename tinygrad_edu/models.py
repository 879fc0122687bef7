"""The networks the demo and the examples share: a 4-layer ConvNet and an MLP for the 8x8 digits.

`tinygrad-edu demo` trains `DigitsConvNet` at its default size; examples 10 to 15 train it
smaller (16 and 32 kernels, 64 hidden neurons) so that it learns in seconds, and example 15
sets `digits_mlp` against it. Both take images of shape (N, 1, 8, 8) and return one score
(logit) per digit, shape (N, 10). Train them with `tinygrad_edu.training.train`.
"""
from __future__ import annotations

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn


class DigitsConvNet(nn.Module):
    """The article's "basic 4-layer ConvNet", sized for 8x8 digits.

    conv-relu-pool, conv-relu-pool, linear-relu, linear. The 3x3 convolutions pad by 1 so
    they keep the image size; each 2x2 max-pool halves it: 8x8 -> 4x4 -> 2x2. It takes
    images of shape (N, 1, 8, 8), e.g. standardized as `training.digits_split` makes them.
    """

    def __init__(self, channels: tuple[int, int] = (32, 64), hidden: int = 128, classes: int = 10) -> None:
        super().__init__()
        # Each layer, and the shape it makes from a batch of N digits at the default sizes.
        # 32 kernels of 1x3x3, one per pattern, each slid over the digit: (N, 1, 8, 8) -> (N, 32, 8, 8).
        self.conv1 = nn.Conv2d(1, channels[0], kernel_size=3, padding=1)
        # The largest value of each 2x2 block: half the size, (N, 32, 8, 8) -> (N, 32, 4, 4).
        self.pool1 = nn.MaxPool2d(2)
        # 64 kernels of 32x3x3: each looks at all 32 maps of the layer before and adds up over
        # them, so it can combine simple patterns: (N, 32, 4, 4) -> (N, 64, 4, 4).
        self.conv2 = nn.Conv2d(channels[0], channels[1], kernel_size=3, padding=1)
        # Half the size again: (N, 64, 4, 4) -> (N, 64, 2, 2).
        self.pool2 = nn.MaxPool2d(2)
        # Fully connected: every one of the 64·2·2 = 256 numbers left, flattened into a row,
        # feeds each of 128 neurons: (N, 256) -> (N, 128).
        self.fc1 = nn.Linear(channels[1] * 2 * 2, hidden)
        # One score (logit) per digit: (N, 128) -> (N, 10).
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x: tg.Tensor) -> tg.Tensor:
        x = self.pool1(F.relu(self.conv1(x)))       # (N, 32, 4, 4) with the default sizes
        x = self.pool2(F.relu(self.conv2(x)))       # (N, 64, 2, 2)
        x = F.relu(self.fc1(x.flatten(1)))          # flatten: (N, 256); fc1: (N, 128)
        return self.fc2(x)                          # (N, 10): one score (logit) per digit


def digits_mlp(hidden: tuple[int, int] = (128, 64), classes: int = 10) -> nn.Sequential:
    """A multilayer perceptron for the digits: four layers of neurons too, but fully connected.

    It flattens each image into a list of 64 pixels: 64 -> 128 -> 64 -> 10 scores with the
    default sizes, 17,226 parameters (the examples' ConvNet has 13,706).
    """
    return nn.Sequential(
        nn.Flatten(),                           # (N, 1, 8, 8) -> (N, 64): the pixels in one row, their places forgotten
        nn.Linear(8 * 8, hidden[0]),            # (N, 64) -> (N, 128): every neuron sees every pixel
        nn.ReLU(),
        nn.Linear(hidden[0], hidden[1]),        # (N, 128) -> (N, 64)
        nn.ReLU(),
        nn.Linear(hidden[1], classes),          # (N, 64) -> (N, 10): one score (logit) per digit
    )
