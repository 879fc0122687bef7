"""The tg.* functions made from the op registry, for type checkers.

Made by `python -m tools.declared_names` from the op registry; do not edit.
"""

from __future__ import annotations

from tinygrad_edu.ops import activations as _activations
from tinygrad_edu.ops import clamping as _clamping
from tinygrad_edu.ops import conversion as _conversion
from tinygrad_edu.ops import cumulative as _cumulative
from tinygrad_edu.ops import diagonals as _diagonals
from tinygrad_edu.ops import differences as _differences
from tinygrad_edu.ops import elementwise as _elementwise
from tinygrad_edu.ops import flat as _flat
from tinygrad_edu.ops import gating as _gating
from tinygrad_edu.ops import logic as _logic
from tinygrad_edu.ops import matmul as _matmul
from tinygrad_edu.ops import median as _median
from tinygrad_edu.ops import movement as _movement
from tinygrad_edu.ops import norms as _norms
from tinygrad_edu.ops import products as _products
from tinygrad_edu.ops import reduce as _reduce
from tinygrad_edu.ops import rounding as _rounding
from tinygrad_edu.ops import sampling as _sampling
from tinygrad_edu.ops import selection as _selection
from tinygrad_edu.ops import shaping as _shaping
from tinygrad_edu.ops import sorting as _sorting
from tinygrad_edu.ops import stacking as _stacking
from tinygrad_edu.ops import trigonometry as _trigonometry
from tinygrad_edu.ops import unique as _unique

abs = _elementwise.abs
acos = _trigonometry.acos
acosh = _trigonometry.acosh
add = _elementwise.add
addmm = _matmul.addmm
all = _logic.all
allclose = _logic.allclose
amax = _reduce.max
amin = _reduce.min
aminmax = _reduce.aminmax
any = _logic.any
arccos = _trigonometry.acos
arccosh = _trigonometry.acosh
arcsin = _trigonometry.asin
arcsinh = _trigonometry.asinh
arctan = _trigonometry.atan
arctan2 = _trigonometry.atan2
arctanh = _trigonometry.atanh
argmax = _reduce.argmax
argmin = _reduce.argmin
argsort = _sorting.argsort
argwhere = _selection.argwhere
asin = _trigonometry.asin
asinh = _trigonometry.asinh
atan = _trigonometry.atan
atan2 = _trigonometry.atan2
atanh = _trigonometry.atanh
bitwise_and = _logic.bitwise_and
bitwise_left_shift = _logic.bitwise_left_shift
bitwise_not = _logic.bitwise_not
bitwise_or = _logic.bitwise_or
bitwise_right_shift = _logic.bitwise_right_shift
bitwise_xor = _logic.bitwise_xor
bmm = _matmul.bmm
broadcast_to = _movement.broadcast_to
cat = _movement.cat
cdist = _norms.cdist
ceil = _rounding.ceil
celu = _activations.celu
chunk = _shaping.chunk
clamp = _elementwise.clamp
clamp_max = _clamping.clamp_max
clamp_min = _clamping.clamp_min
clip = _elementwise.clamp
clone = _conversion.clone
column_stack = _stacking.column_stack
concat = _movement.cat
concatenate = _movement.cat
cos = _trigonometry.cos
cosh = _trigonometry.cosh
cross = _products.cross
cummax = _cumulative.cummax
cummin = _cumulative.cummin
cumprod = _cumulative.cumprod
cumsum = _cumulative.cumsum
diag = _diagonals.diag
diag_embed = _diagonals.diag_embed
diagonal = _diagonals.diagonal
diff = _differences.diff
dist = _norms.dist
div = _elementwise.div
divide = _elementwise.div
dot = _matmul.dot
dstack = _stacking.dstack
einsum = _matmul.einsum
elu = _activations.elu
eq = _logic.eq
equal = _logic.equal
erf = _elementwise.erf
erfc = _elementwise.erfc
exp = _elementwise.exp
exp2 = _elementwise.exp2
expm1 = _elementwise.expm1
fix = _rounding.trunc
flatten = _movement.flatten
flip = _shaping.flip
fliplr = _shaping.fliplr
flipud = _shaping.flipud
floor = _rounding.floor
floor_divide = _rounding.floor_divide
fmod = _rounding.fmod
frac = _rounding.frac
gather = _selection.gather
ge = _logic.ge
gelu = _activations.gelu
ger = _matmul.outer
glu = _gating.glu
greater = _logic.gt
greater_equal = _logic.ge
gt = _logic.gt
hardshrink = _activations.hardshrink
hardsigmoid = _activations.hardsigmoid
hardswish = _activations.hardswish
hardtanh = _activations.hardtanh
hstack = _stacking.hstack
index_add = _selection.index_add
index_fill = _selection.index_fill
index_select = _selection.index_select
isclose = _logic.isclose
isfinite = _logic.isfinite
isinf = _logic.isinf
isnan = _logic.isnan
isneginf = _logic.isneginf
isposinf = _logic.isposinf
kron = _products.kron
kthvalue = _sorting.kthvalue
le = _logic.le
leaky_relu = _activations.leaky_relu
lerp = _elementwise.lerp
less = _logic.lt
less_equal = _logic.le
log = _elementwise.log
log10 = _elementwise.log10
log1p = _elementwise.log1p
log2 = _elementwise.log2
log_softmax = _activations.log_softmax
logcumsumexp = _cumulative.logcumsumexp
logical_and = _logic.logical_and
logical_not = _logic.logical_not
logical_or = _logic.logical_or
logical_xor = _logic.logical_xor
logsigmoid = _activations.logsigmoid
logsumexp = _reduce.logsumexp
lt = _logic.lt
masked_fill = _selection.masked_fill
masked_select = _selection.masked_select
matmul = _matmul.matmul
max = _reduce.max
maximum = _elementwise.maximum
mean = _reduce.mean
median = _median.median
meshgrid = _shaping.meshgrid
min = _reduce.min
minimum = _elementwise.minimum
mish = _activations.mish
mm = _matmul.mm
moveaxis = _shaping.movedim
movedim = _shaping.movedim
mul = _elementwise.mul
multinomial = _sampling.multinomial
multiply = _elementwise.mul
mv = _matmul.mv
nanmedian = _median.nanmedian
narrow = _shaping.narrow
ne = _logic.ne
neg = _elementwise.neg
negative = _elementwise.neg
nonzero = _selection.nonzero
norm = _reduce.norm
not_equal = _logic.ne
numel = _flat.numel
outer = _matmul.outer
permute = _movement.permute
pow = _elementwise.pow
prod = _reduce.prod
reciprocal = _elementwise.reciprocal
relu = _activations.relu
relu6 = _activations.relu6
remainder = _rounding.remainder
repeat_interleave = _shaping.repeat_interleave
reshape = _movement.reshape
roll = _shaping.roll
round = _rounding.round
row_stack = _stacking.vstack
rsqrt = _elementwise.rsqrt
rsub = _elementwise.rsub
scatter = _selection.scatter
scatter_add = _selection.scatter_add
scatter_reduce = _selection.scatter_reduce
selu = _activations.selu
sigmoid = _activations.sigmoid
sign = _elementwise.sign
silu = _activations.silu
sin = _trigonometry.sin
sinh = _trigonometry.sinh
softmax = _activations.softmax
softmin = _gating.softmin
softplus = _activations.softplus
softshrink = _activations.softshrink
softsign = _activations.softsign
sort = _sorting.sort
split = _shaping.split
sqrt = _elementwise.sqrt
square = _elementwise.square
squeeze = _movement.squeeze
stack = _movement.stack
std = _reduce.std
std_mean = _reduce.std_mean
step = _activations.step
sub = _elementwise.sub
subtract = _elementwise.sub
sum = _reduce.sum
swapaxes = _shaping.swapaxes
swapdims = _shaping.swapdims
t = _movement.t
take = _flat.take
take_along_dim = _selection.take_along_dim
tan = _trigonometry.tan
tanh = _activations.tanh
tanhshrink = _activations.tanhshrink
tensordot = _products.tensordot
threshold = _activations.threshold
tile = _shaping.tile
topk = _sorting.topk
trace = _diagonals.trace
transpose = _movement.transpose
tril = _selection.tril
triu = _selection.triu
true_divide = _elementwise.div
trunc = _rounding.trunc
unbind = _shaping.unbind
unflatten = _shaping.unflatten
unique = _unique.unique
unique_consecutive = _unique.unique_consecutive
unsqueeze = _movement.unsqueeze
var = _reduce.var
var_mean = _reduce.var_mean
view = _movement.reshape
vstack = _stacking.vstack
where = _elementwise.where

__all__: list[str] = [
    'abs',
    'acos',
    'acosh',
    'add',
    'addmm',
    'all',
    'allclose',
    'amax',
    'amin',
    'aminmax',
    'any',
    'arccos',
    'arccosh',
    'arcsin',
    'arcsinh',
    'arctan',
    'arctan2',
    'arctanh',
    'argmax',
    'argmin',
    'argsort',
    'argwhere',
    'asin',
    'asinh',
    'atan',
    'atan2',
    'atanh',
    'bitwise_and',
    'bitwise_left_shift',
    'bitwise_not',
    'bitwise_or',
    'bitwise_right_shift',
    'bitwise_xor',
    'bmm',
    'broadcast_to',
    'cat',
    'cdist',
    'ceil',
    'celu',
    'chunk',
    'clamp',
    'clamp_max',
    'clamp_min',
    'clip',
    'clone',
    'column_stack',
    'concat',
    'concatenate',
    'cos',
    'cosh',
    'cross',
    'cummax',
    'cummin',
    'cumprod',
    'cumsum',
    'diag',
    'diag_embed',
    'diagonal',
    'diff',
    'dist',
    'div',
    'divide',
    'dot',
    'dstack',
    'einsum',
    'elu',
    'eq',
    'equal',
    'erf',
    'erfc',
    'exp',
    'exp2',
    'expm1',
    'fix',
    'flatten',
    'flip',
    'fliplr',
    'flipud',
    'floor',
    'floor_divide',
    'fmod',
    'frac',
    'gather',
    'ge',
    'gelu',
    'ger',
    'glu',
    'greater',
    'greater_equal',
    'gt',
    'hardshrink',
    'hardsigmoid',
    'hardswish',
    'hardtanh',
    'hstack',
    'index_add',
    'index_fill',
    'index_select',
    'isclose',
    'isfinite',
    'isinf',
    'isnan',
    'isneginf',
    'isposinf',
    'kron',
    'kthvalue',
    'le',
    'leaky_relu',
    'lerp',
    'less',
    'less_equal',
    'log',
    'log10',
    'log1p',
    'log2',
    'log_softmax',
    'logcumsumexp',
    'logical_and',
    'logical_not',
    'logical_or',
    'logical_xor',
    'logsigmoid',
    'logsumexp',
    'lt',
    'masked_fill',
    'masked_select',
    'matmul',
    'max',
    'maximum',
    'mean',
    'median',
    'meshgrid',
    'min',
    'minimum',
    'mish',
    'mm',
    'moveaxis',
    'movedim',
    'mul',
    'multinomial',
    'multiply',
    'mv',
    'nanmedian',
    'narrow',
    'ne',
    'neg',
    'negative',
    'nonzero',
    'norm',
    'not_equal',
    'numel',
    'outer',
    'permute',
    'pow',
    'prod',
    'reciprocal',
    'relu',
    'relu6',
    'remainder',
    'repeat_interleave',
    'reshape',
    'roll',
    'round',
    'row_stack',
    'rsqrt',
    'rsub',
    'scatter',
    'scatter_add',
    'scatter_reduce',
    'selu',
    'sigmoid',
    'sign',
    'silu',
    'sin',
    'sinh',
    'softmax',
    'softmin',
    'softplus',
    'softshrink',
    'softsign',
    'sort',
    'split',
    'sqrt',
    'square',
    'squeeze',
    'stack',
    'std',
    'std_mean',
    'step',
    'sub',
    'subtract',
    'sum',
    'swapaxes',
    'swapdims',
    't',
    'take',
    'take_along_dim',
    'tan',
    'tanh',
    'tanhshrink',
    'tensordot',
    'threshold',
    'tile',
    'topk',
    'trace',
    'transpose',
    'tril',
    'triu',
    'true_divide',
    'trunc',
    'unbind',
    'unflatten',
    'unique',
    'unique_consecutive',
    'unsqueeze',
    'var',
    'var_mean',
    'view',
    'vstack',
    'where',
]
