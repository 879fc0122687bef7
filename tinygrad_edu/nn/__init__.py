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

globals().update(_ACTIVATION_MODULES)   # nn.ReLU, nn.GELU, ...: one per activation in ops/

# every class above, the activation modules, and the submodules
__all__ = sorted([name for name, value in globals().items() if isinstance(value, type) and not name.startswith("_")]
                 + ["functional", "init", "utils"])
