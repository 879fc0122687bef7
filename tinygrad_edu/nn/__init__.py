"""Neural-network building blocks, named as in PyTorch.

    from tinygrad_edu import nn
    import tinygrad_edu.nn.functional as F

    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
    loss = nn.CrossEntropyLoss()(model(images), labels)

module.py holds Module and Parameter, layers.py the layers, activations.py the activation
modules (made from the activations declared in ops/), losses.py the loss modules,
functional.py the same operations as functions, init.py the weight initialisers.
"""
from tinygrad_edu.nn import activations, functional, init
from tinygrad_edu.nn.activations import MODULES as _ACTIVATION_MODULES
from tinygrad_edu.nn.layers import (AvgPool2d, Conv2d, Dropout, Flatten, Identity, Linear, MaxPool2d, ModuleList,
                                    Sequential)
from tinygrad_edu.nn.losses import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss
from tinygrad_edu.nn.module import IncompatibleKeys, Module, Parameter

globals().update(_ACTIVATION_MODULES)   # nn.ReLU, nn.GELU, ...: one per activation in ops/

__all__ = ["Module", "Parameter", "IncompatibleKeys", "Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten",
           *sorted(_ACTIVATION_MODULES), "Dropout", "Identity", "Sequential", "ModuleList", "MSELoss",
           "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "functional", "init"]
