"""Watch backpropagation one step at a time.

    x = tg.tensor([1., 2.], requires_grad=True)
    trace = tg.study.trace_backward((x * x + x).sum(), names={"x": x})
    print(trace)          # a table per step, then the leaves' gradients
    trace.steps[0]        # the same as data (dataclasses), for notebooks

`trace_backward` runs a real `backward()` (leaves get their `.grad` as usual) and records,
for every op, from the output back to the leaves:

* the upstream gradient: d(output of the whole graph) / d(this op's result);
* the op's local derivative: its rule in words, and for small tensors as numbers
  (d result / d input, elementwise when the op works element by element, else the Jacobian);
* the gradient it hands to each input = upstream × local derivative (the chain rule);
* where an input's gradient had to be summed back from a broadcast shape;
* where a tensor used in several places received gradients from several paths, which add up.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np   # host-side copies of the numbers, for printing and for notebooks

from tinygrad_edu import autograd
from tinygrad_edu.autograd import Function, no_grad
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.player.snapshot import GraphSnapshot
from tinygrad_edu.viz.walk import (collect_graph, derivative_rule, derivative_text, format_numbers, input_note,
                                  shape_text, tensor_names)

START = "the starting gradient"


@dataclass
class InputGradient:
    """What one backward step hands to one of its op's inputs."""
    index: int                            # which input of the op
    name: str
    shape: tuple[int, ...]
    requires_grad: bool
    gradient: np.ndarray | None           # the gradient handed on, already in the input's shape
    broadcast_from: tuple[int, ...] | None  # the shape it was summed down from, if the input was broadcast
    local_derivative: np.ndarray | None   # d result / d input as numbers (None when too big to list)
    derivative_kind: str = ""             # "elementwise" (result's shape) or "jacobian" (result.numel × input.numel)


@dataclass
class BackwardStep:
    """One op's backward: gradient in, chain rule, gradients out."""
    number: int                           # 1 = the first op backward visits (the last one forward ran)
    op: str
    position: int                         # the op's place in the graph's forward order (1 = first; mul1 is op 1)
    output: str                           # the name of the op's result, where the upstream gradient arrives
    output_shape: tuple[int, ...]
    upstream: np.ndarray
    paths: list[str]                      # where the upstream gradient came from; several = they were summed
    rule: str                             # the local derivative in words
    inputs: list[InputGradient] = field(default_factory=list)

    @property
    def summed(self) -> bool:
        return len(self.paths) > 1


@dataclass
class LeafGradient:
    """The total gradient a leaf received: what ends up in its `.grad`."""
    name: str
    shape: tuple[int, ...]
    gradient: np.ndarray
    paths: list[str]

    @property
    def summed(self) -> bool:
        return len(self.paths) > 1


class BackwardTrace:
    """The recorded steps of one backward pass; `print(trace)` shows them as tables."""

    def __init__(self, steps: list[BackwardStep], leaves: list[LeafGradient], max_values: int,
                 graph: Any = None) -> None:
        self.steps = steps
        self.leaves = leaves
        self.max_values = max_values
        self.graph = graph   # the graph as it was before backward (viz.player's GraphSnapshot), for to_html()

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[BackwardStep]:
        return iter(self.steps)

    def __getitem__(self, i: int) -> BackwardStep:
        return self.steps[i]

    def leaf(self, name: str) -> LeafGradient:
        for leaf in self.leaves:
            if leaf.name == name:
                return leaf
        raise KeyError(f"trace: no leaf named {name!r}; the leaves are {[leaf.name for leaf in self.leaves]}")

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<BackwardTrace: {len(self.steps)} steps, {len(self.leaves)} leaves; print() it to read it>"

    def to_html(self, path: Any = None, max_values: int = 16) -> str:
        """The trace as an interactive page (tg.viz.backprop_page's player), as HTML text;
        also written to `path` when given."""
        from tinygrad_edu.viz.player.render import page_from_trace
        page = page_from_trace(self, max_values)
        if path is not None:
            page.save(path)
        return page.html

    def _repr_html_(self) -> str:
        """Jupyter shows the trace as the player, inline."""
        from tinygrad_edu.viz.player.render import inline_frame
        return inline_frame(self.to_html())

    def table(self) -> str:
        """The whole trace as text: one small table per step, then the leaves."""
        def numbers(array: np.ndarray, limit: int = self.max_values) -> str:
            return format_numbers(array, limit)

        out = [f"backward trace: {len(self.steps)} steps, from the output back to the leaves", ""]
        for s in self.steps:
            out.append(f"step {s.number}: {s.op} (op #{s.position} in forward order)")
            out.append(f"  gradient arriving at {s.output} {shape_text(s.output_shape)}: "
                       f"{_one_line(numbers(s.upstream))}   from {_paths_text(s.paths)}")
            out.append(f"  rule: {s.rule}")
            rows = [[i.name, shape_text(i.shape), derivative_text(i, numbers),
                     numbers(i.gradient) if i.gradient is not None else "-", input_note(i)] for i in s.inputs]
            out.append(_columns(["input", "shape", "local derivative", "gradient handed on", "note"], rows, "  "))
            out.append("")
        out.append("leaves: the gradients accumulated into .grad")
        rows = [[leaf.name, shape_text(leaf.shape), numbers(leaf.gradient), _paths_text(leaf.paths)]
                for leaf in self.leaves]
        out.append(_columns(["leaf", "shape", "gradient", "from"], rows, "  "))
        return "\n".join(out)


def _paths_text(paths: list[str]) -> str:
    return paths[0] if len(paths) == 1 else f"the sum of {len(paths)} paths: " + ", ".join(paths)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _columns(headers: list[str], rows: list[list[str]], indent: str) -> str:
    """A plain-text table whose cells may span several lines."""
    cells = [[cell.split("\n") for cell in row] for row in [headers] + rows]
    widths = [max(len(line) for row in cells for line in row[c]) for c in range(len(headers))]
    lines = []
    for r, row in enumerate(cells):
        for k in range(max(len(cell) for cell in row)):
            parts = [(cell[k] if k < len(cell) else "").ljust(w) for cell, w in zip(row, widths)]
            lines.append(indent + "  ".join(parts).rstrip())
        if r == 0:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _summed_to(g: Tensor, shape: tuple[int, ...]) -> np.ndarray:
    """A broadcast gradient summed down to `shape` as the engine does it (`sum_to_size`), on the host."""
    with no_grad():
        return g.sum_to_size(shape).numpy().copy()


def _local_derivatives(fn: Function, out: Tensor, max_values: int) -> list[np.ndarray | None]:
    """d result / d input for each input, as a (result.numel, input.numel) matrix, when small.

    Row k is what backward hands on for an upstream gradient that is 1 at element k and 0
    elsewhere, so these numbers come from the op's own backward, exactly as autograd uses it.
    """
    out_size = out.numel()
    wanted = [fn.needs_input_grad[i] and out_size <= max_values and t.numel() <= max_values
              for i, t in enumerate(fn.inputs)]
    if not any(wanted):
        return [None] * len(fn.inputs)
    matrices = [np.zeros((out_size, t.numel())) if w else None for t, w in zip(fn.inputs, wanted)]
    xp = out.xp
    with no_grad():
        for k in range(out_size):
            one_hot = xp.zeros(out_size, dtype=out.dtype)
            one_hot[k] = 1
            try:
                grads = fn.backward(Tensor._make(one_hot.reshape(out.shape), out._device, False, None))
            except Exception:   # an op whose backward cannot be probed twice: its numbers stay unlisted
                return [None] * len(fn.inputs)
            grads = grads if isinstance(grads, tuple) else (grads,)
            for matrix, g, t in zip(matrices, grads, fn.inputs):
                if matrix is not None and g is not None:
                    matrix[k] = _summed_to(g, t.shape).reshape(-1)
    return matrices


def _as_elementwise(matrix: np.ndarray, in_shape: tuple, out_shape: tuple) -> tuple[np.ndarray, str]:
    """A diagonal Jacobian of an op that keeps the shape is shown as one number per element."""
    if in_shape == out_shape and np.count_nonzero(matrix - np.diag(np.diag(matrix))) == 0:
        return np.diag(matrix).reshape(out_shape), "elementwise"
    return matrix, "jacobian"


def trace_backward(root: Tensor, gradient: Any = None, retain_graph: bool = False,
                   names: dict[str, Tensor] | None = None, module: Any = None, max_values: int = 8) -> BackwardTrace:
    """Run `root.backward(gradient)` and record every step (see the module docstring).

    names: labels for tensors, e.g. {"x": x, "w": w}; module: an nn.Module whose parameter
    names label its parameters. Tensors with more than `max_values` elements are summarised
    and their local derivatives are not listed. The graph must not have been freed by an
    earlier backward (use retain_graph=True there, or study mode: `tg.study.keep_graphs()`).
    """
    graph = collect_graph(root, "trace_backward")
    labels = tensor_names(graph, module, names, "trace_backward")
    snapshot = GraphSnapshot.capture(graph, labels, module, names)   # backward frees the graph; to_html needs it
    arrived: dict[int, np.ndarray] = {}
    paths: dict[int, list[str]] = {id(r): [START] for r in graph.roots}
    steps: list[BackwardStep] = []
    leaves: dict[int, LeafGradient] = {}

    def on_gradient(t: Tensor) -> Any:
        def hook(grad: Tensor) -> None:
            if t.grad_fn is None:
                leaves[id(t)] = LeafGradient(labels[id(t)], t.shape, grad.numpy().copy(), paths.get(id(t), []))
            else:
                arrived[id(t)] = grad.numpy().copy()
        return hook

    op_number = {id(fn): k + 1 for k, fn in enumerate(graph.ops)}   # as in the names: add7 is op 7

    def on_step(fn: Function, input_grads: tuple) -> None:
        out = graph.output_of.get(id(fn))
        if out is None:   # an op outside the traced graph (e.g. inside a hook's own computation)
            return
        number = len(steps) + 1
        step = BackwardStep(number, fn.op_name(), op_number[id(fn)], labels[id(out)], out.shape, arrived.pop(id(out)),
                            paths.get(id(out), []), derivative_rule(fn))
        locals_ = _local_derivatives(fn, out, max_values)
        for i, (t, g) in enumerate(zip(fn.inputs, input_grads)):
            handed = broadcast_from = None
            if g is not None and t.requires_grad:
                handed = _summed_to(g, t.shape)
                broadcast_from = g.shape if g.shape != t.shape else None
                paths.setdefault(id(t), []).append(f"step {number} ({fn.op_name()}, input {i})")
            local_i = locals_[i]
            local, kind = (None, "") if local_i is None else _as_elementwise(local_i, t.shape, out.shape)
            step.inputs.append(InputGradient(i, labels[id(t)], t.shape, t.requires_grad, handed, broadcast_from,
                                             local, kind))
        steps.append(step)

    handles = [t.register_hook(on_gradient(t)) for t in graph.tensors if t.requires_grad]
    try:
        with autograd.hooks(backward=on_step):
            root.backward(gradient, retain_graph=retain_graph)
    finally:
        for handle in handles:
            handle.remove()
    ordered_leaves = [leaves[id(t)] for t in graph.tensors if id(t) in leaves]
    return BackwardTrace(steps, ordered_leaves, max_values, snapshot)
