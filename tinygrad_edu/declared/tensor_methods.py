"""Tensor's methods, properties and operators from ops/, for type checkers.

tensor.py lets Tensor inherit `TensorMethods` only under `if TYPE_CHECKING:`; at run time
the registry puts the same functions on Tensor itself.

Made by `python -m tools.declared_names` from the op registry; do not edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from tinygrad_edu.ops import activations as _activations
from tinygrad_edu.ops import clamping as _clamping
from tinygrad_edu.ops import conversion as _conversion
from tinygrad_edu.ops import cumulative as _cumulative
from tinygrad_edu.ops import diagonals as _diagonals
from tinygrad_edu.ops import differences as _differences
from tinygrad_edu.ops import elementwise as _elementwise
from tinygrad_edu.ops import flat as _flat
from tinygrad_edu.ops import gating as _gating
from tinygrad_edu.ops import indexing as _indexing
from tinygrad_edu.ops import inplace as _inplace
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
from tinygrad_edu.ops import trigonometry as _trigonometry
from tinygrad_edu.ops import unique as _unique

if TYPE_CHECKING:
    from tinygrad_edu.tensor import Tensor


class TensorMethods:
    __abs__ = _elementwise.abs
    __add__ = _elementwise.add
    __and__ = _logic.bitwise_and
    __eq__ = _logic.eq  # type: ignore[assignment]
    __floordiv__ = _rounding.floor_divide
    __ge__ = _logic.ge
    __getitem__ = _indexing.getitem
    __gt__ = _logic.gt
    __iadd__ = _inplace.add_
    __imul__ = _inplace.mul_
    __invert__ = _logic.bitwise_not
    __isub__ = _inplace.sub_
    __itruediv__ = _inplace.div_
    __le__ = _logic.le
    __lshift__ = _logic.bitwise_left_shift
    __lt__ = _logic.lt
    __matmul__ = _matmul.matmul
    __mod__ = _rounding.remainder
    __mul__ = _elementwise.mul
    __ne__ = _logic.ne  # type: ignore[assignment]
    __neg__ = _elementwise.neg
    __or__ = _logic.bitwise_or
    __pow__ = _elementwise.pow
    __radd__ = _elementwise.add
    __rand__ = _logic.bitwise_and
    __rfloordiv__ = _rounding.rfloordiv
    __rlshift__ = _logic.rlshift
    __rmatmul__ = _matmul.rmatmul
    __rmod__ = _rounding.rmod
    __rmul__ = _elementwise.mul
    __ror__ = _logic.bitwise_or
    __rpow__ = _elementwise.rpow
    __rrshift__ = _logic.rrshift
    __rshift__ = _logic.bitwise_right_shift
    __rsub__ = _elementwise.rsub
    __rtruediv__ = _elementwise.rdiv
    __rxor__ = _logic.bitwise_xor
    __setitem__ = _inplace.setitem
    __sub__ = _elementwise.sub
    __truediv__ = _elementwise.div
    __xor__ = _logic.bitwise_xor
    abs = _elementwise.abs
    acos = _trigonometry.acos
    acosh = _trigonometry.acosh
    add = _elementwise.add
    add_ = _inplace.add_
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
    bool = _conversion.bool
    broadcast_to = _movement.broadcast_to
    byte = _conversion.byte
    ceil = _rounding.ceil
    celu = _activations.celu
    char = _conversion.char
    chunk = _shaping.chunk
    clamp = _elementwise.clamp
    clamp_ = _inplace.clamp_
    clamp_max = _clamping.clamp_max
    clamp_min = _clamping.clamp_min
    clip = _elementwise.clamp
    clip_ = _inplace.clamp_
    clone = _conversion.clone
    contiguous = _movement.contiguous
    copy_ = _inplace.copy_
    cos = _trigonometry.cos
    cosh = _trigonometry.cosh
    cpu = _conversion.cpu
    cross = _products.cross
    cuda = _conversion.cuda
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
    div_ = _inplace.div_
    divide = _elementwise.div
    dot = _matmul.dot
    double = _conversion.double
    elu = _activations.elu
    eq = _logic.eq
    equal = _logic.equal
    erf = _elementwise.erf
    erfc = _elementwise.erfc
    exp = _elementwise.exp
    exp2 = _elementwise.exp2
    expand = _movement.expand
    expand_as = _movement.expand_as
    expm1 = _elementwise.expm1
    fill_ = _inplace.fill_
    fix = _rounding.trunc
    flatten = _movement.flatten
    flip = _shaping.flip
    fliplr = _shaping.fliplr
    flipud = _shaping.flipud
    float = _conversion.float
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
    half = _conversion.half
    hardshrink = _activations.hardshrink
    hardsigmoid = _activations.hardsigmoid
    hardswish = _activations.hardswish
    hardtanh = _activations.hardtanh
    index_add = _selection.index_add
    index_fill = _selection.index_fill
    index_fill_ = _inplace.index_fill_
    index_select = _selection.index_select
    int = _conversion.int
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
    long = _conversion.long
    lt = _logic.lt
    masked_fill = _selection.masked_fill
    masked_fill_ = _inplace.masked_fill_
    masked_select = _selection.masked_select
    matmul = _matmul.matmul
    max = _reduce.max
    maximum = _elementwise.maximum
    mean = _reduce.mean
    median = _median.median
    min = _reduce.min
    minimum = _elementwise.minimum
    mish = _activations.mish
    mm = _matmul.mm
    moveaxis = _shaping.movedim
    movedim = _shaping.movedim
    mul = _elementwise.mul
    mul_ = _inplace.mul_
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
    normal_ = _inplace.normal_
    not_equal = _logic.ne
    outer = _matmul.outer
    permute = _movement.permute
    pow = _elementwise.pow
    prod = _reduce.prod
    reciprocal = _elementwise.reciprocal
    relu = _activations.relu
    relu6 = _activations.relu6
    relu_ = _inplace.relu_
    remainder = _rounding.remainder
    repeat = _shaping.repeat
    repeat_interleave = _shaping.repeat_interleave
    reshape = _movement.reshape
    reshape_as = _shaping.reshape_as
    roll = _shaping.roll
    round = _rounding.round
    rsqrt = _elementwise.rsqrt
    scatter = _selection.scatter
    scatter_ = _inplace.scatter_
    scatter_add = _selection.scatter_add
    scatter_add_ = _inplace.scatter_add_
    scatter_reduce = _selection.scatter_reduce
    selu = _activations.selu
    short = _conversion.short
    sigmoid = _activations.sigmoid
    sigmoid_ = _inplace.sigmoid_
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
    std = _reduce.std
    step = _activations.step
    sub = _elementwise.sub
    sub_ = _inplace.sub_
    subtract = _elementwise.sub
    sum = _reduce.sum
    sum_to_size = _movement.sum_to_size
    swapaxes = _shaping.swapaxes
    swapdims = _shaping.swapdims
    t = _movement.t
    take = _flat.take
    take_along_dim = _selection.take_along_dim
    tan = _trigonometry.tan
    tanh = _activations.tanh
    tanhshrink = _activations.tanhshrink
    threshold = _activations.threshold
    tile = _shaping.tile
    to = _conversion.to
    topk = _sorting.topk
    trace = _diagonals.trace
    transpose = _movement.transpose
    tril = _selection.tril
    triu = _selection.triu
    true_divide = _elementwise.div
    trunc = _rounding.trunc
    type = _conversion.type_
    type_as = _conversion.type_as
    unbind = _shaping.unbind
    unflatten = _shaping.unflatten
    uniform_ = _inplace.uniform_
    unique = _unique.unique
    unique_consecutive = _unique.unique_consecutive
    unsqueeze = _movement.unsqueeze
    var = _reduce.var
    view = _movement.reshape
    view_as = _shaping.view_as
    where = _elementwise._where_method
    zero_ = _inplace.zero_

    @property
    def T(self) -> Tensor:
        return _movement.T(cast("Tensor", self))

    @property
    def mT(self) -> Tensor:
        return _movement.mT(cast("Tensor", self))
