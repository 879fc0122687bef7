"""The pictures `tinygrad-edu demo` leaves in its output folder after training a ConvNet.

    loss_curve.png        the training curves from `history`
    conv1_kernels.png     the first conv layer's learned kernels
    feature_maps.png      what that layer (and the activation after it) makes of one digit
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

import numpy as np   # host-side: joining the digit and its feature maps into one picture

from tinygrad_edu.autograd import no_grad
from tinygrad_edu.nn.layers import Sequential
from tinygrad_edu.ops.registry import activations
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.plots import _as_numpy, image_grid, plot_curves

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
    """The output of `conv` for `x`, after the activation that follows it when the model is a
    sequence of layers that contains `conv` directly; otherwise `conv(x)` alone.

    Only a Sequential says that its children run in the order they were registered; a model
    with its own forward() may register them in any order, so its children are walked only
    when `conv` is the first of them (nothing has to run before it).
    """
    layers = list(model.children()) if hasattr(model, "children") else []
    in_order = isinstance(model, Sequential) or (bool(layers) and layers[0] is conv)
    with no_grad():
        if not in_order or not any(layer is conv for layer in layers):
            return conv(x)
        reached = False
        for layer in layers:
            if reached and type(layer).__name__ not in ACTIVATIONS:
                break
            x = layer(x)
            reached = reached or layer is conv
    return x


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
                   title=f"first conv layer: {kernels.shape[0]} learned kernels {tuple(kernels.shape[2:])}")
        written.append(out / "conv1_kernels.png")
        maps = feature_maps(model, conv, x)[0].numpy()
        tiles, titles = maps, [f"map {i + 1}" for i in range(len(maps))]
        if x.shape[1] == 1 and x.shape[2:] == maps.shape[1:]:   # show the digit itself first
            tiles, titles = np.concatenate([x[0].numpy(), maps]), ["input"] + titles
        image_grid(tiles, out / "feature_maps.png", ncols=min(9, len(tiles)), titles=titles,
                   title=f"one digit through the first conv layer: {maps.shape[0]} feature maps {maps.shape[1:]}")
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
            written.append(e.dot_path)
            missing_dot = e
    if missing_dot is not None:
        warnings.warn(f"write_demo_pictures: wrote the model's graph as .dot files, not SVG: {missing_dot}",
                      stacklevel=2)
    return written
