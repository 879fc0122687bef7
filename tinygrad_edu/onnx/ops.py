"""The op mapping table: each recorded tinygrad_edu op, written as standard ONNX operators.

`CONVERTERS` maps a Function class (the op that made a tensor, its `grad_fn`) to a converter:

    convert(b, fn, ins, out, name)

`b` is the Builder (builder.py), `fn` the recorded op (with what its forward kept on it: a
conv's geometry, a softmax's dim), `ins` the ONNX names of its inputs, `out` the tensor it
made (its shape and dtype) and `name` the ONNX name the converter's last node must write.

Shapes are written so that a batch axis can change size: a reshape copies the leading sizes
it keeps from its input (ONNX's 0) and lets one size be inferred (-1); an expand names only
the sizes that grow. A number that Python code computed from a shape (`x.shape[1]`,
`tg.arange(T)`) is recorded as a constant, as in any tracing exporter.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from tinygrad_edu.ops import activations, conv, conversion, elementwise, embedding, indexing, matmul
from tinygrad_edu.ops import movement, pooling, reduce, selection
from tinygrad_edu.tensor import Tensor

from tinygrad_edu.onnx.builder import Builder

Converter = Callable[[Builder, Any, list, Tensor, str], None]


class UnsupportedOp(ValueError):
    """An op of the recorded graph that has no ONNX mapping (or not with these settings)."""


def unsupported(fn: Any, why: str) -> UnsupportedOp:
    return UnsupportedOp(f"onnx.export: cannot export {fn.op_name()} ({fn.name()}): {why}")


# ---- one ONNX operator for one op -------------------------------------------------------------

def same(op_type: str, **attributes: Any) -> Converter:
    """An op that ONNX has under another name, with the same inputs (Add, Relu, Tanh, ...)."""
    def convert(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
        b.node(op_type, ins, name, **attributes)
    return convert


def with_scalar(op_type: str, attribute: str) -> Converter:
    """x + c, c·x, x^p: the Python number the op kept becomes a constant of x's dtype."""
    def convert(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
        b.node(op_type, [ins[0], b.scalar_like(getattr(fn, attribute), out.dtype)], name)
    return convert


def softmax_like(op_type: str) -> Converter:
    def convert(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
        b.node(op_type, ins, name, axis=fn.dim)
    return convert


def rsqrt(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    b.node("Reciprocal", [b.node("Sqrt", ins)], name)


def clamp(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """Clip with optional bounds: "" leaves a bound out."""
    bounds = ["" if v is None else b.scalar_like(v, out.dtype) for v in (fn.low, fn.high)]
    b.node("Clip", [ins[0]] + bounds, name)


def leaky_relu(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    b.node("LeakyRelu", ins, name, alpha=float(fn.slope))


def softplus(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """log(1 + e^(βx))/β; above the threshold both sides equal x to float precision."""
    if fn.beta == 1:
        b.node("Softplus", ins, name)
        return
    beta = b.scalar_like(fn.beta, out.dtype)
    b.node("Div", [b.node("Softplus", [b.node("Mul", [ins[0], beta])]), beta], name)


def elu(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """elu is ONNX's Elu, selu its Selu; celu's input scale has no ONNX counterpart here."""
    if fn.input_scale != 1.0:
        raise unsupported(fn, f"an input scale of {fn.input_scale} (celu) has no ONNX mapping")
    if fn.scale == 1.0:
        b.node("Elu", ins, name, alpha=float(fn.alpha))
    else:
        b.node("Selu", ins, name, alpha=float(fn.alpha), gamma=float(fn.scale))


def where(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """The condition is not an input of the op but an array it kept: a known array keeps its
    name, any other becomes a constant."""
    condition = b.name_for_array(fn.condition) or b.constant(fn.condition, hint="condition")
    b.node("Where", [condition, ins[0], ins[1]], name)


def cast(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    b.node("Cast", ins, name, to=b.helper.np_dtype_to_tensor_dtype(out.dtype))


# ---- shapes -------------------------------------------------------------------------------------

def reshape(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """Reshape to out's shape, written so that a changing batch size still fits: sizes kept
    from the input's front are 0 ("copy the input's"), the first other size is -1 ("infer")."""
    before, after = fn.inputs[0].shape, out.shape
    kept = 0
    while kept < min(len(before), len(after)) and before[kept] == after[kept]:
        kept += 1
    shape = [0] * kept + list(after[kept:])
    if kept < len(after) and 0 not in after:
        shape[kept] = -1
    b.node("Reshape", [ins[0], b.ints(shape)], name)


def permute(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    b.node("Transpose", ins, name, perm=[int(d) for d in fn.dims])


def expand(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """Expand broadcasts both ways, so 1 keeps the input's size (a batch axis stays free)."""
    lead = out.ndim - fn.inputs[0].ndim   # new leading axes are named in full
    shape = list(out.shape[:lead]) + [1 if old == new else new
                                      for old, new in zip(fn.inputs[0].shape, out.shape[lead:])]
    b.node("Expand", [ins[0], b.ints(shape)], name)


def cat(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    b.node("Concat", ins, name, axis=fn.dim % out.ndim)


def pad(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """A constant pad; the value was not kept, so it is read back from a padded place."""
    widths = [(int(lo), int(hi)) for lo, hi in fn.widths]
    corner = tuple(0 if lo > 0 else (n - 1 if hi > 0 else 0) for (lo, hi), n in zip(widths, out.shape))
    padded = any(lo or hi for lo, hi in widths)
    value = out.numpy()[corner] if padded and out.numel() else 0
    pads = [lo for lo, _ in widths] + [hi for _, hi in widths]
    b.node("Pad", [ins[0], b.ints(pads), b.scalar_like(value, out.dtype)], name, mode="constant")


def getitem(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """Basic indexing: one Slice for the slices and ints, then Squeeze for the ints and
    Unsqueeze for the Nones. Integer-array and mask indexing are not exported."""
    index = fn.index
    if index.select is not None:
        raise unsupported(fn, "indexing with integer arrays or masks (x[idx], x[mask]) has no mapping yet; "
                              "use gather, index_select or where")
    shape = fn.inputs[0].shape
    view = list(index.view)
    if Ellipsis in view:
        at = view.index(Ellipsis)
        used = sum(1 for v in view if v is not None and v is not Ellipsis)
        view[at:at + 1] = [slice(None)] * (len(shape) - used)
    view += [slice(None)] * (len(shape) - sum(1 for v in view if v is not None))
    starts, ends, axes, steps, dropped, added = [], [], [], [], [], []
    axis = position = 0
    for v in view:
        if v is None:
            added.append(position)
            position += 1
            continue
        n = shape[axis]
        if isinstance(v, slice):
            start, stop, step = v.indices(n)
            if (start, stop, step) != (0, n, 1):
                starts.append(start)
                ends.append(stop)
                steps.append(step)
                axes.append(axis)
            position += 1
        else:
            i = int(v) % n
            starts.append(i)
            ends.append(i + 1)
            steps.append(1)
            axes.append(axis)
            dropped.append(axis)
        axis += 1
    x = ins[0]
    if axes:
        x = b.node("Slice", [x, b.ints(starts), b.ints(ends), b.ints(axes), b.ints(steps)])
    if dropped:
        x = b.node("Squeeze", [x, b.ints(dropped)])
    if added:
        x = b.node("Unsqueeze", [x, b.ints(added)])
    b.node("Identity", [x], name)


# ---- reductions ---------------------------------------------------------------------------------

def reduction(b: Builder, op_type: str, x: str, axes: Any, keepdims: bool, name: str | None = None) -> str:
    """ReduceSum takes its axes as an input from opset 13, the other reductions from 18."""
    axes = None if axes is None else [int(a) for a in axes]
    if op_type == "ReduceSum" or b.opset >= 18:
        inputs = [x] if axes is None else [x, b.ints(axes)]
        return b.node(op_type, inputs, name, keepdims=int(keepdims))
    extra = {} if axes is None else {"axes": axes}
    return b.node(op_type, [x], name, keepdims=int(keepdims), **extra)


def reduce_over(op_type: str) -> Converter:
    """sum, max, min over fn.dim (None: all); keepdim is read off the output's rank."""
    def convert(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
        dims = fn.dim
        axes = None if dims is None else ((dims,) if isinstance(dims, int) else tuple(dims))
        keep = out.ndim == fn.inputs[0].ndim and fn.inputs[0].ndim > 0
        reduction(b, op_type, ins[0], axes, keep, name)
    return convert


def var(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """mean((x - mean(x))²)·n/(n - correction) over dims (ONNX has no variance operator)."""
    shape = fn.inputs[0].shape
    dims = tuple(range(len(shape))) if fn.dims is None else tuple(d % len(shape) for d in fn.dims)
    n = math.prod(shape[d] for d in dims)
    mean = reduction(b, "ReduceMean", ins[0], dims, True)
    centred = b.node("Sub", [ins[0], mean])
    summed = reduction(b, "ReduceSum", b.node("Mul", [centred, centred]), dims, out.ndim == len(shape))
    scale = 1.0 / (n - fn.correction) if n > fn.correction else math.inf   # 0·inf = nan, as in PyTorch
    b.node("Mul", [summed, b.scalar_like(scale, out.dtype)], name)


# ---- layers ----------------------------------------------------------------------------------------

def conv2d(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    g = fn.geometry
    b.node("Conv", ins, name, kernel_shape=list(g.kernel), strides=list(g.stride), dilations=list(g.dilation),
           pads=[g.padding[0], g.padding[1], g.padding[0] + g.extra[0], g.padding[1] + g.extra[1]], group=fn.groups)


def max_pool2d(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """ceil_mode's extra windows become extra padding at the end (padding never wins a max)."""
    g = fn.geometry
    b.node("MaxPool", ins, name, kernel_shape=list(g.kernel), strides=list(g.stride), dilations=list(g.dilation),
           pads=[g.padding[0], g.padding[1], g.padding[0] + g.extra[0], g.padding[1] + g.extra[1]])


def avg_pool2d(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    g = fn.geometry
    count_include_pad, divisor_override = fn.divisor
    if divisor_override is not None or g.extra != (0, 0) or g.dilation != (1, 1):
        raise unsupported(fn, "divisor_override, ceil_mode windows past the edge and dilation have no "
                              "ONNX AveragePool mapping")
    b.node("AveragePool", ins, name, kernel_shape=list(g.kernel), strides=list(g.stride),
           pads=[g.padding[0], g.padding[1], g.padding[0], g.padding[1]], count_include_pad=int(count_include_pad))


def embedding_lookup(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    """weight[indices]: the indices are the array the op kept, usually a graph input's."""
    indices = b.name_for_array(fn.indices) or b.constant(fn.indices, hint="indices")
    b.node("Gather", [ins[0], indices], name, axis=0)


def gather(b: Builder, fn: Any, ins: list, out: Tensor, name: str) -> None:
    b.node("GatherElements", ins, name, axis=fn.dim % out.ndim)


CONVERTERS: dict[type, Converter] = {
    # elementwise arithmetic
    elementwise.Add: same("Add"), elementwise.Sub: same("Sub"), elementwise.Mul: same("Mul"),
    elementwise.Div: same("Div"), elementwise.Pow: same("Pow"), elementwise.Neg: same("Neg"),
    elementwise.AddScalar: with_scalar("Add", "scalar"), elementwise.MulScalar: with_scalar("Mul", "scalar"),
    elementwise.PowScalar: with_scalar("Pow", "exponent"),
    elementwise.Exp: same("Exp"), elementwise.Log: same("Log"), elementwise.Sqrt: same("Sqrt"),
    elementwise.Rsqrt: rsqrt, elementwise.Abs: same("Abs"), elementwise.Erf: same("Erf"),
    elementwise.Maximum: same("Max"), elementwise.Minimum: same("Min"), elementwise.Clamp: clamp,
    elementwise.Where: where,
    # activations
    activations.ReLU: same("Relu"), activations.Sigmoid: same("Sigmoid"), activations.Tanh: same("Tanh"),
    activations.LeakyReLU: leaky_relu, activations.Softplus: softplus, activations.ELU: elu,
    activations.Hardtanh: clamp, activations.ReLU6: clamp, activations.Hardswish: same("HardSwish"),
    activations.Softmax: softmax_like("Softmax"), activations.LogSoftmax: softmax_like("LogSoftmax"),
    # shapes and dtypes
    movement.Reshape: reshape, movement.Permute: permute, movement.Expand: expand, movement.Cat: cat,
    movement.Pad: pad, indexing.Getitem: getitem, conversion.Cast: cast, conversion.Clone: same("Identity"),
    # reductions
    reduce.Sum: reduce_over("ReduceSum"), reduce.Max: reduce_over("ReduceMax"), reduce.Min: reduce_over("ReduceMin"),
    reduce.Var: var,
    # layers
    matmul.Matmul: same("MatMul"), conv.Conv2d: conv2d, pooling.MaxPool2d: max_pool2d,
    pooling.AvgPool2d: avg_pool2d, embedding.Embedding: embedding_lookup, selection.Gather: gather,
}
