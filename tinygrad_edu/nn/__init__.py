"""Neural-network building blocks, named as in PyTorch.

    from tinygrad_edu import nn
    import tinygrad_edu.nn.functional as F

    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
    loss = nn.CrossEntropyLoss()(model(images), labels)

module.py holds Module and Parameter; layers.py the linear, convolution, pooling and shape
layers; normalization.py, embedding.py, attention.py, recurrent.py, padding.py,
pixel_shuffle.py and channel_dropout.py the layers their names say; containers.py ModuleDict
and the parameter containers; activations.py the activation modules (made from the
activations declared in ops/), activation_layers.py those with parameters or no op of their
own (PReLU, Softmax2d); losses.py, margin_losses.py and distance.py the loss and similarity
modules; functional.py the same operations as functions; init.py the weight
initialisers; utils/ gradient clipping and parameter vectors.
"""
from typing import TYPE_CHECKING

from tinygrad_edu.nn import activations, functional, init, utils
from tinygrad_edu.nn.activations import MODULES as _ACTIVATION_MODULES
from tinygrad_edu.nn.activation_layers import PReLU, Softmax2d
from tinygrad_edu.nn.adaptive_pooling import AdaptiveMaxPool1d, AdaptiveMaxPool2d
from tinygrad_edu.nn.attention import (MultiheadAttention, Transformer, TransformerDecoder, TransformerDecoderLayer,
                                        TransformerEncoder, TransformerEncoderLayer)
from tinygrad_edu.nn.bilinear import Bilinear
from tinygrad_edu.nn.channel_dropout import Dropout1d, Dropout2d
from tinygrad_edu.nn.containers import ModuleDict, ParameterDict, ParameterList
from tinygrad_edu.nn.distance import CosineSimilarity, PairwiseDistance
from tinygrad_edu.nn.embedding import Embedding
from tinygrad_edu.nn.layers import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, Conv1d, Conv2d,
                                    ConvTranspose1d, ConvTranspose2d, Dropout, Flatten, Identity, Linear, MaxPool1d,
                                    MaxPool2d, ModuleList, Sequential, Unflatten, Upsample)
from tinygrad_edu.nn.likelihood_losses import GaussianNLLLoss, PoissonNLLLoss
from tinygrad_edu.nn.losses import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CrossEntropyLoss, HuberLoss,
                                    KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss)
from tinygrad_edu.nn.margin_losses import (HingeEmbeddingLoss, MarginRankingLoss, MultiLabelSoftMarginLoss,
                                           SoftMarginLoss, TripletMarginLoss)
from tinygrad_edu.nn.module import IncompatibleKeys, Module, Parameter
from tinygrad_edu.nn.normalization import (BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm1d, InstanceNorm2d,
                                           LayerNorm, LocalResponseNorm, RMSNorm)
from tinygrad_edu.nn.padding import (CircularPad1d, CircularPad2d, ConstantPad1d, ConstantPad2d, ReflectionPad1d,
                                     ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, ZeroPad1d, ZeroPad2d)
from tinygrad_edu.nn.pixel_shuffle import PixelShuffle, PixelUnshuffle
from tinygrad_edu.nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

# every class above and the submodules; then the activation modules
__all__ = [
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AvgPool1d",
    "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNorm2d", "Bilinear", "CircularPad1d",
    "CircularPad2d", "ConstantPad1d", "ConstantPad2d", "Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d",
    "CosineEmbeddingLoss", "CosineSimilarity", "CrossEntropyLoss", "Dropout", "Dropout1d", "Dropout2d",
    "Embedding", "Flatten", "GRU", "GRUCell", "GaussianNLLLoss", "GroupNorm", "HingeEmbeddingLoss", "HuberLoss",
    "Identity", "IncompatibleKeys", "InstanceNorm1d", "InstanceNorm2d", "KLDivLoss", "L1Loss", "LSTM",
    "LSTMCell", "LayerNorm", "Linear", "LocalResponseNorm", "MSELoss", "MarginRankingLoss", "MaxPool1d",
    "MaxPool2d", "Module", "ModuleDict", "ModuleList", "MultiLabelSoftMarginLoss", "MultiheadAttention",
    "NLLLoss", "PReLU", "PairwiseDistance", "Parameter", "ParameterDict", "ParameterList", "PixelShuffle",
    "PixelUnshuffle", "PoissonNLLLoss", "RMSNorm", "RNN", "RNNCell", "ReflectionPad1d", "ReflectionPad2d",
    "ReplicationPad1d", "ReplicationPad2d", "Sequential", "SmoothL1Loss", "SoftMarginLoss", "Softmax2d",
    "Transformer", "TransformerDecoder", "TransformerDecoderLayer", "TransformerEncoder",
    "TransformerEncoderLayer", "TripletMarginLoss", "Unflatten", "Upsample", "ZeroPad1d", "ZeroPad2d",
    "functional", "init", "utils",
]
if TYPE_CHECKING:   # the activation modules named for type checkers (tinygrad_edu/declared/)
    from tinygrad_edu.declared import activation_modules as _declared_activations
    from tinygrad_edu.declared.activation_modules import *  # noqa: F403
    __all__ += _declared_activations.__all__
else:
    globals().update(_ACTIVATION_MODULES)   # nn.ReLU, nn.GELU, ...: one per activation in ops/
    __all__ += sorted(_ACTIVATION_MODULES)
