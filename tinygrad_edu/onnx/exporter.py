"""`tg.onnx.export`: one forward pass, recorded as tinygrad_edu records every pass, written as ONNX.

Exporting needs no tracer of its own. A forward pass with gradients on already leaves a graph
behind the outputs: each tensor's `grad_fn` is the op that made it, with its inputs. The
exporter walks that graph in forward order (`viz.walk.collect_graph`, which the drawings use
too), names every tensor (the model's own names for parameters and buffers), and writes each
op with the converter of the op table (`ops.py`).
"""
from __future__ import annotations

import os
from typing import IO, Any, Sequence

from tinygrad_edu import backend
from tinygrad_edu.autograd import enable_grad
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.walk import collect_graph

from tinygrad_edu.onnx.builder import Builder
from tinygrad_edu.onnx.ops import CONVERTERS, unsupported

DEFAULT_OPSET = 17
OLDEST_OPSET = 13   # where Squeeze, Unsqueeze, Slice and ReduceSum take their axes as inputs


def require_onnx() -> Any:
    """The onnx package, or an ImportError that says how to install it."""
    try:
        import onnx
    except ImportError:
        raise ImportError('onnx.export needs the onnx package: pip install "tinygrad_edu[onnx]" '
                          '(brings onnx and onnxruntime)') from None
    return onnx


def export(model: Module, args: Tensor | Sequence[Tensor], f: str | os.PathLike | IO[bytes] | None, *,
           input_names: Sequence[str] | None = None, output_names: Sequence[str] | None = None,
           dynamic_axes: dict[str, Any] | None = None, opset_version: int = DEFAULT_OPSET) -> Any:
    """Write `model`, run once on `args`, as an ONNX file at `f`; return the onnx.ModelProto.

    As in `torch.onnx.export`: the model runs in eval mode (dropout off, BatchNorm on its
    running statistics) and is put back as it was; `input_names`/`output_names` name the
    graph's inputs and outputs ("input", "output" by default, "input_0", ... for several);
    `dynamic_axes` marks axes that may change size, as {"input": {0: "batch"}} or
    {"input": [0]}. Parameters and buffers are stored under their `named_parameters()` names.
    `f=None` writes no file.
    """
    onnx = require_onnx()
    if not isinstance(model, Module):
        raise TypeError(f"onnx.export: model must be an nn.Module, got {type(model).__name__}")
    inputs = [args] if isinstance(args, Tensor) else list(args) if isinstance(args, (tuple, list)) else None
    if not inputs or not all(isinstance(x, Tensor) for x in inputs):
        raise TypeError(f"onnx.export: args must be a Tensor or a tuple of Tensors (the model's example inputs), "
                        f"got {type(args).__name__}")
    newest = onnx.defs.onnx_opset_version()
    if not OLDEST_OPSET <= opset_version <= newest:
        raise ValueError(f"onnx.export: opset_version must be between {OLDEST_OPSET} and {newest} (this onnx "
                         f"package's newest), got {opset_version}")
    input_names = _names(input_names, len(inputs), "input", "input_names")
    outputs = _record_forward(model, inputs)
    output_names = _names(output_names, len(outputs), "output", "output_names")
    dynamic = _dynamic_axes(dynamic_axes, dict(zip(input_names, inputs)) | dict(zip(output_names, outputs)))

    b = Builder(onnx.helper, onnx.numpy_helper, opset_version)
    for x, name in zip(inputs, input_names):
        b.known(x.array, name)
    _write_graph(b, model, outputs, output_names)
    graph = onnx.helper.make_graph(
        b.nodes, "tinygrad_edu_" + type(model).__name__,
        [_value_info(onnx, name, x, dynamic.get(name, {})) for name, x in zip(input_names, inputs)],
        [_value_info(onnx, name, y, dynamic.get(name, {})) for name, y in zip(output_names, outputs)],
        b.initializers)
    opsets = [onnx.helper.make_opsetid("", opset_version)]
    proto = onnx.helper.make_model(graph, opset_imports=opsets, producer_name="tinygrad_edu",
                                   ir_version=onnx.helper.find_min_ir_version_for(opsets))
    onnx.checker.check_model(proto, full_check=True)
    if f is not None:
        onnx.save_model(proto, f)
    return proto


def _names(names: Sequence[str] | None, count: int, stem: str, argument: str) -> list[str]:
    if names is None:
        return [stem] if count == 1 else [f"{stem}_{i}" for i in range(count)]
    names = list(names)
    if len(names) != count or len(set(names)) != count:
        raise ValueError(f"onnx.export: {argument} must be {count} different names, one per {stem}, got {names}")
    return names


def _record_forward(model: Module, inputs: list[Tensor]) -> list[Tensor]:
    """Run the model once in eval mode with every op recorded, then put it back as it was.

    Floating inputs and all parameters require grad for this one pass, so that every op on
    them is recorded (an op on tensors that need no gradient leaves no node behind)."""
    modes = [(m, m.training) for m in model.modules()]
    flags = [(p, p.requires_grad) for p in model.parameters()]
    traced = [x.detach().requires_grad_() if backend.is_floating(x.dtype) else x for x in inputs]
    try:
        model.eval()
        for p, _ in flags:
            p.requires_grad_(True)
        with enable_grad():
            result = model(*traced)
    finally:
        for m, training in modes:
            m.training = training
        for p, flag in flags:
            p.requires_grad = flag
    outputs = [result] if isinstance(result, Tensor) else list(result) if isinstance(result, (tuple, list)) else None
    if not outputs or not all(isinstance(y, Tensor) for y in outputs):
        raise TypeError(f"onnx.export: the model must return a Tensor or a tuple of Tensors, "
                        f"got {type(result).__name__}")
    return outputs


def _write_graph(b: Builder, model: Module, outputs: list[Tensor], output_names: list[str]) -> None:
    """Name every tensor behind the outputs, store the leaves, and convert every op."""
    graph = collect_graph(outputs, "onnx.export")
    model_names = {id(t): name for name, t in list(model.named_parameters()) + list(model.named_buffers())}
    root_names = {id(y): name for y, name in zip(outputs, output_names)}
    names: dict[int, str] = {}
    for t in graph.tensors:
        if t.grad_fn is None:   # an input, a parameter or buffer, or a constant the forward made
            known = b.name_for_array(t.array)
            names[id(t)] = known or (b.initializer(model_names[id(t)], t.array) if id(t) in model_names
                                     else b.constant(t.array, hint="constant"))
    for fn in graph.ops:
        convert = CONVERTERS.get(type(fn))
        out = graph.output_of[id(fn)]
        if convert is None:
            raise unsupported(fn, f"it made a tensor of shape {tuple(out.shape)} and has no entry in the op "
                                  f"table of tinygrad_edu/onnx/ops.py")
        names[id(out)] = root_names.get(id(out)) or b.fresh(fn.op_name())
        convert(b, fn, [names[id(t)] for t in fn.inputs], out, names[id(out)])
    for y, name in zip(outputs, output_names):
        if names[id(y)] != name:   # an output that no op made here (an input handed back, say)
            b.node("Identity", [names[id(y)]], name)


def _dynamic_axes(dynamic_axes: dict[str, Any] | None, tensors: dict[str, Tensor]) -> dict[str, dict[int, str]]:
    """{name: {axis: size name}}, from torch.onnx's two spellings: a dict or a list of axes."""
    result: dict[str, dict[int, str]] = {}
    for name, axes in (dynamic_axes or {}).items():
        if name not in tensors:
            raise ValueError(f"onnx.export: dynamic_axes names {name!r}, which is neither an input nor an output "
                             f"name; the names are {sorted(tensors)}")
        axes = axes if isinstance(axes, dict) else {a: f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}
        ndim = tensors[name].ndim
        for axis in axes:
            if not isinstance(axis, int) or not -ndim <= axis < ndim:
                raise ValueError(f"onnx.export: dynamic_axes gives axis {axis!r} for {name!r}, which has "
                                 f"{ndim} dimensions (shape {tuple(tensors[name].shape)})")
        result[name] = {a % ndim: str(size) for a, size in axes.items()}
    return result


def _value_info(onnx: Any, name: str, t: Tensor, dynamic: dict[int, str]) -> Any:
    """A graph input's or output's type: its dtype and shape, a name in place of a dynamic size."""
    shape = [dynamic.get(i, size) for i, size in enumerate(t.shape)]
    return onnx.helper.make_tensor_value_info(name, onnx.helper.np_dtype_to_tensor_dtype(t.dtype), shape)
