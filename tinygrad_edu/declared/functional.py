"""The nn.functional entries made from the op registry, for type checkers.

Made by `python -m tools.declared_names` from the op registry; do not edit.
"""

from __future__ import annotations

from tinygrad_edu.ops import activations as _activations
from tinygrad_edu.ops import adaptive_max as _adaptive_max
from tinygrad_edu.ops import attention as _attention
from tinygrad_edu.ops import bilinear as _bilinear
from tinygrad_edu.ops import channel_dropout as _channel_dropout
from tinygrad_edu.ops import conv as _conv
from tinygrad_edu.ops import distance as _distance
from tinygrad_edu.ops import dropout as _dropout
from tinygrad_edu.ops import embedding as _embedding
from tinygrad_edu.ops import gating as _gating
from tinygrad_edu.ops import likelihoods as _likelihoods
from tinygrad_edu.ops import losses as _losses
from tinygrad_edu.ops import margins as _margins
from tinygrad_edu.ops import matmul as _matmul
from tinygrad_edu.ops import movement as _movement
from tinygrad_edu.ops import normalization as _normalization
from tinygrad_edu.ops import pooling as _pooling
from tinygrad_edu.ops import reshuffle as _reshuffle
from tinygrad_edu.ops import resize as _resize
from tinygrad_edu.ops import selection as _selection

adaptive_avg_pool1d = _pooling.adaptive_avg_pool1d
adaptive_avg_pool2d = _pooling.adaptive_avg_pool2d
adaptive_max_pool1d = _adaptive_max.adaptive_max_pool1d
adaptive_max_pool2d = _adaptive_max.adaptive_max_pool2d
avg_pool1d = _pooling.avg_pool1d
avg_pool2d = _pooling.avg_pool2d
batch_norm = _normalization.batch_norm
bilinear = _bilinear.bilinear
binary_cross_entropy = _losses.binary_cross_entropy
binary_cross_entropy_with_logits = _losses.binary_cross_entropy_with_logits
celu = _activations.celu
conv1d = _conv.conv1d
conv2d = _conv.conv2d
conv_transpose1d = _conv.conv_transpose1d
conv_transpose2d = _conv.conv_transpose2d
cosine_embedding_loss = _losses.cosine_embedding_loss
cosine_similarity = _distance.cosine_similarity
cross_entropy = _losses.cross_entropy
dropout = _dropout.dropout
dropout1d = _channel_dropout.dropout1d
dropout2d = _channel_dropout.dropout2d
elu = _activations.elu
embedding = _embedding.embedding
flatten = _movement.flatten
gaussian_nll_loss = _likelihoods.gaussian_nll_loss
gelu = _activations.gelu
glu = _gating.glu
group_norm = _normalization.group_norm
hardshrink = _activations.hardshrink
hardsigmoid = _activations.hardsigmoid
hardswish = _activations.hardswish
hardtanh = _activations.hardtanh
hinge_embedding_loss = _margins.hinge_embedding_loss
huber_loss = _losses.huber_loss
instance_norm = _normalization.instance_norm
interpolate = _resize.interpolate
kl_div = _losses.kl_div
l1_loss = _losses.l1_loss
layer_norm = _normalization.layer_norm
leaky_relu = _activations.leaky_relu
linear = _matmul.linear
local_response_norm = _normalization.local_response_norm
log_softmax = _activations.log_softmax
logsigmoid = _activations.logsigmoid
margin_ranking_loss = _margins.margin_ranking_loss
max_pool1d = _pooling.max_pool1d
max_pool2d = _pooling.max_pool2d
mish = _activations.mish
mse_loss = _losses.mse_loss
multilabel_soft_margin_loss = _margins.multilabel_soft_margin_loss
nll_loss = _losses.nll_loss
normalize = _gating.normalize
one_hot = _selection.one_hot
pad = _movement.pad
pairwise_distance = _distance.pairwise_distance
pixel_shuffle = _reshuffle.pixel_shuffle
pixel_unshuffle = _reshuffle.pixel_unshuffle
poisson_nll_loss = _likelihoods.poisson_nll_loss
prelu = _gating.prelu
relu = _activations.relu
relu6 = _activations.relu6
rms_norm = _normalization.rms_norm
scaled_dot_product_attention = _attention.scaled_dot_product_attention
selu = _activations.selu
sigmoid = _activations.sigmoid
silu = _activations.silu
smooth_l1_loss = _losses.smooth_l1_loss
soft_margin_loss = _margins.soft_margin_loss
softmax = _activations.softmax
softmin = _gating.softmin
softplus = _activations.softplus
softshrink = _activations.softshrink
softsign = _activations.softsign
step = _activations.step
tanh = _activations.tanh
tanhshrink = _activations.tanhshrink
threshold = _activations.threshold
triplet_margin_loss = _margins.triplet_margin_loss

__all__: list[str] = [
    'adaptive_avg_pool1d',
    'adaptive_avg_pool2d',
    'adaptive_max_pool1d',
    'adaptive_max_pool2d',
    'avg_pool1d',
    'avg_pool2d',
    'batch_norm',
    'bilinear',
    'binary_cross_entropy',
    'binary_cross_entropy_with_logits',
    'celu',
    'conv1d',
    'conv2d',
    'conv_transpose1d',
    'conv_transpose2d',
    'cosine_embedding_loss',
    'cosine_similarity',
    'cross_entropy',
    'dropout',
    'dropout1d',
    'dropout2d',
    'elu',
    'embedding',
    'flatten',
    'gaussian_nll_loss',
    'gelu',
    'glu',
    'group_norm',
    'hardshrink',
    'hardsigmoid',
    'hardswish',
    'hardtanh',
    'hinge_embedding_loss',
    'huber_loss',
    'instance_norm',
    'interpolate',
    'kl_div',
    'l1_loss',
    'layer_norm',
    'leaky_relu',
    'linear',
    'local_response_norm',
    'log_softmax',
    'logsigmoid',
    'margin_ranking_loss',
    'max_pool1d',
    'max_pool2d',
    'mish',
    'mse_loss',
    'multilabel_soft_margin_loss',
    'nll_loss',
    'normalize',
    'one_hot',
    'pad',
    'pairwise_distance',
    'pixel_shuffle',
    'pixel_unshuffle',
    'poisson_nll_loss',
    'prelu',
    'relu',
    'relu6',
    'rms_norm',
    'scaled_dot_product_attention',
    'selu',
    'sigmoid',
    'silu',
    'smooth_l1_loss',
    'soft_margin_loss',
    'softmax',
    'softmin',
    'softplus',
    'softshrink',
    'softsign',
    'step',
    'tanh',
    'tanhshrink',
    'threshold',
    'triplet_margin_loss',
]
