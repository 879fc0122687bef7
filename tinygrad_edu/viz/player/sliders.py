"""Sliders without Python: every slider position is a forward and backward pass Python ran in advance.

A page is a file, with no Python behind it, and its numbers must be the ones tinygrad_edu
computes (never a JavaScript re-implementation of the ops). So for a graph built by a
function of a few small inputs, Python runs the function once for every point of a grid of
input values and stores each run's numbers; moving a slider looks the run up.

* Few sliders: the whole grid (every combination), e.g. 2 inputs x 11 positions = 121 runs.
* Many sliders: a full grid would be too big (9 sliders x 21 positions = 21^9 runs), so each
  slider gets its own line of runs with every other slider at its starting value
  (9 x 21 = 189 runs); moving one slider puts the others back to their start.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.tensor import Tensor

MAX_SLIDER_ELEMENTS = 8      # an input with more numbers than this gets no sliders


@dataclass
class SliderAxis:
    label: str                   # "w[2]", or the input's name for a one-number input
    input: str
    element: int
    values: list[float]
    base: int                    # the index of the input's own value in `values`
    scenarios: list[int] = field(default_factory=list)   # one-at-a-time mode: the run for each position


def as_inputs(inputs: dict[str, Any] | None, op: str) -> dict[str, Tensor]:
    """The function's arguments as tensors; numbers and lists become float tensors that need gradients."""
    if not isinstance(inputs, dict) or not inputs:
        raise TypeError(f"{op}: inputs= must be a dict of argument name -> Tensor (or number) for the function "
                        f"that builds the graph, got {type(inputs).__name__}")
    return {name: v if isinstance(v, Tensor) else tg.tensor(v, requires_grad=True) for name, v in inputs.items()}


def slider_axes(inputs: dict[str, Tensor], sliders: list[str] | None, ranges: dict[str, tuple[float, float]],
                points: int, op: str) -> list[SliderAxis]:
    """One axis per number of each slider input, over its range (default: value ± max(1, |value|)),
    with the input's own value on the grid so that the page starts exactly at the real run."""
    names = sliders if sliders is not None else [n for n, t in inputs.items() if t.numel() <= MAX_SLIDER_ELEMENTS]
    axes = []
    for name in names:
        if name not in inputs:
            raise ValueError(f"{op}: sliders= names {name!r}, which is not one of the inputs {list(inputs)}")
        t = inputs[name]
        if t.numel() > MAX_SLIDER_ELEMENTS or t.dtype.kind != "f":
            raise ValueError(f"{op}: input {name!r} of shape {tuple(t.shape)} and dtype {t.dtype} cannot have "
                             f"sliders: only float inputs of at most {MAX_SLIDER_ELEMENTS} numbers can")
        for k, v in enumerate(t.numpy().reshape(-1).tolist()):
            lo, hi = ranges.get(name, (v - max(1.0, abs(v)), v + max(1.0, abs(v))))
            if not lo <= v <= hi:
                raise ValueError(f"{op}: the range {(lo, hi)} of input {name!r} does not contain its value {v}")
            grid = sorted(set(np.linspace(lo, hi, points).tolist()) | {v})
            label = name if t.numel() == 1 else f"{name}[{k}]"
            axes.append(SliderAxis(label, name, k, grid, grid.index(v)))
    return axes


def grid_runs(axes: list[SliderAxis], max_runs: int) -> tuple[str, list[list[int]]]:
    """The slider positions to run: ("grid", every combination, row-major) when that is at most
    `max_runs` runs, else ("one at a time", the start, then each axis's line)."""
    sizes = [len(a.values) for a in axes]
    if math.prod(sizes) <= max_runs:
        return "grid", [list(ix) for ix in np.ndindex(*sizes)]
    base = [a.base for a in axes]
    runs = [base]
    for k, axis in enumerate(axes):
        for j in range(len(axis.values)):
            if j == axis.base:
                axis.scenarios.append(0)
            else:
                axis.scenarios.append(len(runs))
                runs.append(base[:k] + [j] + base[k + 1:])
    return "one at a time", runs


def moved_inputs(inputs: dict[str, Tensor], axes: list[SliderAxis], position: list[int]) -> dict[str, Tensor]:
    """Fresh leaf tensors for one slider position (the same dtype, device and requires_grad)."""
    arrays = {name: t.numpy().copy().reshape(-1) for name, t in inputs.items()}
    for axis, j in zip(axes, position):
        arrays[axis.input][axis.element] = axis.values[j]
    return {name: tg.tensor(arrays[name].reshape(t.shape), dtype=t.dtype, device=t.device,
                            requires_grad=t.requires_grad) for name, t in inputs.items()}


def precompute(build: Callable[[dict[str, Tensor]], Any], inputs: dict[str, Tensor], axes: list[SliderAxis],
               max_runs: int) -> tuple[str, list[Any]]:
    """Run `build(inputs at a slider position)` for every position of the grid; returns the mode
    and the runs' results in the order the page looks them up."""
    mode, runs = grid_runs(axes, max_runs)
    return mode, [build(moved_inputs(inputs, axes, position)) for position in runs]


def slider_data(axes: list[SliderAxis], mode: str) -> dict[str, Any]:
    sizes = [len(a.values) for a in axes]
    strides = [math.prod(sizes[k + 1:]) for k in range(len(axes))]
    return {"mode": mode, "strides": strides,
            "axes": [{"label": a.label, "values": [f"{v:.4g}" for v in a.values], "base": a.base,
                      "scenarios": a.scenarios} for a in axes]}
