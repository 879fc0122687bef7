"""What the player needs from a live graph, copied before backward() frees it.

backward() clears each op's links to its inputs, so a page made later (`trace.to_html()`)
cannot walk the graph any more. `GraphSnapshot.capture` keeps the graph's shape (which op
read which tensor), every tensor's value as a host copy, each op's derivative rule, and
the DOT source that `draw_graph` writes for the same graph.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np   # host-side copies of the values, so later in-place changes cannot alter the page

from tinygrad_edu.viz.walk import Graph, derivative_rule


@dataclass
class TensorSnapshot:
    node: str                    # the node's name in draw_graph's DOT source ("t3")
    name: str
    shape: tuple[int, ...]
    dtype: str
    kind: str                    # root, parameter, input (a leaf that needs a gradient), const, tensor
    value: np.ndarray
    made_by: int | None          # index of the op that produced it (None for a leaf)


@dataclass
class OpSnapshot:
    node: str                    # "op2"
    op: str
    position: int                # the op's place in forward order, as BackwardStep.position
    rule: str
    inputs: list[int]            # indices into GraphSnapshot.tensors
    output: int


@dataclass
class GraphSnapshot:
    tensors: list[TensorSnapshot]
    ops: list[OpSnapshot]
    dot: str | None              # None when the graphviz Python package is missing

    @classmethod
    def capture(cls, graph: Graph, labels: dict[int, str], module: Any = None,
                names: dict | None = None) -> GraphSnapshot:
        """Copy `graph` (from walk.collect_graph) with the tensor names in `labels`."""
        params = {id(p) for _, p in module.named_parameters()} if module is not None else set()
        index = {id(t): i for i, t in enumerate(graph.tensors)}
        op_index = {id(fn): k for k, fn in enumerate(graph.ops)}
        tensors = [TensorSnapshot(f"t{i}", labels[id(t)], tuple(t.shape), str(t.dtype), _kind(t, graph, params),
                                  t.numpy().copy(), op_index.get(id(t.grad_fn)))
                   for i, t in enumerate(graph.tensors)]
        ops = [OpSnapshot(f"op{k}", fn.op_name(), k + 1, derivative_rule(fn),
                          [index[id(t)] for t in fn.inputs], index[id(graph.output_of[id(fn)])])
               for k, fn in enumerate(graph.ops)]
        return cls(tensors, ops, _dot_source(graph, module, names))

    def structure(self) -> list[tuple]:
        """The graph without its numbers: two snapshots with equal structures differ only in values."""
        return ([(t.name, t.shape, t.dtype, t.kind, t.made_by) for t in self.tensors]
                + [(o.op, tuple(o.inputs), o.output) for o in self.ops])


def _kind(t: Any, graph: Graph, params: set[int]) -> str:
    """The same kinds draw_graph colours its boxes by."""
    if graph.is_root(t):
        return "root"
    if id(t) in params:
        return "parameter"
    if t.grad_fn is not None:
        return "tensor"
    return "input" if t.requires_grad else "const"


def _dot_source(graph: Graph, module: Any, names: dict | None) -> str | None:
    """draw_graph's DOT text for the graph, without values: the page shows the numbers itself,
    and they change when a slider moves. Node names are draw_graph's (t0.., op0..)."""
    from tinygrad_edu.viz.drawing import draw_graph
    try:
        return draw_graph(graph.roots, module=module, names=names).source
    except ImportError:   # the graphviz Python package is an optional extra
        return None
