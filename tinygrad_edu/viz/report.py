"""The pictures `tinygrad-edu demo` leaves in its output folder after training a ConvNet.

    loss_curve.png        the training curves from `history`
    conv1_kernels.png     the first conv layer's learned kernels
    feature_maps.png      what that layer makes of one digit, after its activation (ReLU)
    model_graph.svg       the model's graph, one box per layer
    model_graph_ops.svg   the same graph op by op, with clusters per layer

Without the Graphviz `dot` program the graphs are written as .dot files instead, and a
warning says how to install Graphviz.
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np   # host-side: finding the conv's output among the ops' results

from tinygrad_edu.autograd import enable_grad, hooks
from tinygrad_edu.ops.registry import activations
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.plots import _as_numpy, image_grid, image_grids, plot_curves

# What counts as an activation is declared with the op (ops/registry.py), not listed here.
ACTIVATIONS = {spec.module for spec in activations()}


def first_conv(model: Any) -> Any:
    """The first module (in `model.modules()` order) with a 4-D weight: the first Conv2d."""
    for m in model.modules():
        weight = getattr(m, "weight", None)
        if isinstance(weight, Tensor) and weight.ndim == 4:
            return m
    return None


def _as_batch(image: Any, device: str) -> Tensor:
    """One image as a batch of one: (H, W), (C, H, W) or (N, C, H, W) -> (1, C, H, W) float32."""
    array = _as_numpy(image).astype("float32")
    if array.ndim == 2:
        array = array[None, None]
    elif array.ndim == 3:
        array = array[None]
    elif array.ndim == 4:
        array = array[:1]
    else:
        raise ValueError(f"write_demo_pictures: sample_image must have shape (H, W), (C, H, W) or "
                         f"(N, C, H, W), got {array.shape}")
    return Tensor(array, device=device)


def feature_maps(model: Any, conv: Any, x: Tensor) -> Tensor:
    """What `conv` makes of `x` inside `model`, taken after the activation that follows it
    (e.g. ReLU), which is what the next layer sees; `conv`'s raw output when no activation
    follows it. Before the activation, part of each map is negative numbers that nothing
    downstream ever sees, and the maps look like noise.

    The model is run once on `x` while the study hooks watch every op, so any forward() works:
    layers as modules in any registration order, or F.relu written in the code. The conv's
    output is the first op result equal to `conv(x)`; the activation is the op that takes it,
    when that op is one (an activation that F computes as several ops, such as F.gelu, is not
    recognised, and the raw output is returned).
    """
    ops: list[tuple[Any, Any]] = []                   # (op, the array it computed), in the order they ran
    with enable_grad():                               # the ops keep their inputs only while recording
        raw = conv(x).detach()
        with hooks(forward=lambda fn, array: ops.append((fn, array))):
            model(x)
    expected = raw.numpy()
    found = next((array for _, array in ops if tuple(array.shape) == raw.shape
                  and np.array_equal(Tensor(array, device=raw.device).numpy(), expected)), None)
    if found is None:
        raise ValueError(f"feature_maps: the model's forward() never computed what its {type(conv).__name__} "
                         f"computes for this input")
    for fn, array in ops:   # the first op that takes the conv's output
        if any(t.array is found for t in getattr(fn, "inputs", ())):
            return Tensor(array, device=raw.device) if type(fn).__name__ in ACTIVATIONS else raw
    return raw


def write_demo_pictures(model: Any, history: dict[str, list], sample_image: Any,
                        out_dir: str | os.PathLike) -> list[Path]:
    """Write the demo's pictures (see the module docstring) into `out_dir`; return their paths."""
    from tinygrad_edu.viz.graph import GraphvizNotFoundError, draw_graph, save_graph

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    plot_curves(history, out / "loss_curve.png", title="training")
    written.append(out / "loss_curve.png")

    params = list(model.parameters())
    device = params[0].device if params else "cpu"
    x = _as_batch(sample_image, device)
    conv = first_conv(model)
    if conv is not None:
        kernels = conv.weight.detach()
        image_grid(kernels, out / "conv1_kernels.png", ncols=min(8, kernels.shape[0] * kernels.shape[1]),
                   label="weight",
                   title=f"first conv layer: {kernels.shape[0]} learned kernels {tuple(kernels.shape[2:])}, one scale")
        written.append(out / "conv1_kernels.png")
        maps = feature_maps(model, conv, x)[0].numpy()
        title = f"one digit through the first conv layer and its activation: {maps.shape[0]} feature maps {maps.shape[1:]}"
        if x.shape[1] == 1:   # a grey image: show it beside its maps, on its own scale
            image_grids({"input": x[0], "feature maps": maps}, out / "feature_maps.png", ncols=min(8, len(maps)),
                        own_scale=["input"], label="activation", title=title)
        else:
            image_grid(maps, out / "feature_maps.png", ncols=min(8, len(maps)), label="activation", title=title)
        written.append(out / "feature_maps.png")

    try:
        output = model(x)
        graphs = {"model_graph.svg": draw_graph(output, module=model, collapse_modules=True, names={"input": x}),
                  "model_graph_ops.svg": draw_graph(output, module=model, names={"input": x})}
    except ImportError as e:   # the graphviz Python package is an optional extra
        warnings.warn(f"write_demo_pictures: the model's graph was not drawn: {e}", stacklevel=2)
        return written
    missing_dot = None
    for name, graph in graphs.items():
        try:
            written.append(save_graph(graph, out / name))
        except GraphvizNotFoundError as e:
            written.append(e.dot_path)  # type: ignore[arg-type]  # save_graph's error names the file
            missing_dot = e
    if missing_dot is not None:
        warnings.warn(f"write_demo_pictures: wrote the model's graph as .dot files, not SVG: {missing_dot}",
                      stacklevel=2)
    return written
