"""Walking a recorded graph, naming what is in it, and printing numbers briefly.

Shared by the graph drawing (`graph.py`), the terminal rendering (`text.py`) and the
backward trace (`study/trace.py`), so all three call the same tensor by the same name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from tinygrad_edu.autograd import Function
from tinygrad_edu.tensor import Tensor

FREED_GRAPH_HINT = ("the graph was freed by backward(): once backward has run, its saved values and the "
                    "links to the inputs are gone. Draw or trace before calling backward(), or call "
                    "backward(retain_graph=True) to keep the graph alive")


@dataclass
class Graph:
    """Everything a root tensor depends on through recorded operations.

    `ops` are in forward order (each op's `position`), which is also a valid order for
    drawing: every op comes after the ops that made its inputs.
    """
    roots: list[Tensor]
    tensors: list[Tensor]                  # leaves and constants first, then op results in forward order
    ops: list[Function]
    output_of: dict[int, Tensor] = field(default_factory=dict)   # id(op) -> the tensor it produced

    def is_root(self, t: Tensor) -> bool:
        return any(t is r for r in self.roots)


def as_roots(root: Tensor | Sequence[Tensor], op: str) -> list[Tensor]:
    roots = [root] if isinstance(root, Tensor) else list(root) if isinstance(root, (list, tuple)) else None
    if not roots or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError(f"{op}: expected a Tensor (or a list of Tensors), got {type(root).__name__}")
    return roots


def collect_graph(root: Tensor | Sequence[Tensor], op: str) -> Graph:
    """Find every tensor and op behind `root`, with an explicit stack (deep graphs are fine)."""
    roots = as_roots(root, op)
    seen: dict[int, Tensor] = {}
    output_of: dict[int, Tensor] = {}
    stack = list(roots)
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen[id(t)] = t
        fn = t.grad_fn
        if fn is None:
            continue
        if fn.freed:
            raise RuntimeError(f"{op}: cannot walk the graph behind a tensor of shape {tuple(t.shape)}: "
                               f"{FREED_GRAPH_HINT}")
        output_of[id(fn)] = t
        stack.extend(fn.inputs)
    made = sorted((t for t in seen.values() if t.grad_fn is not None), key=lambda t: t.grad_fn.position)
    # leaves in the order the ops first used them, so `a` of `a * b` comes before `b`
    starts: dict[int, Tensor] = {id(r): r for r in roots if r.grad_fn is None}
    for t in made:
        starts.update((id(i), i) for i in t.grad_fn.inputs if i.grad_fn is None and id(i) not in starts)
    return Graph(roots, list(starts.values()) + made, [t.grad_fn for t in made], output_of)


def parameter_names(module: Any, op: str) -> dict[int, str]:
    """id(parameter) -> its dotted name (`conv1.weight`), from `module.named_parameters()`."""
    if module is None:
        return {}
    if not hasattr(module, "named_parameters"):
        raise TypeError(f"{op}: module= must be an nn.Module (something with named_parameters()), "
                        f"got {type(module).__name__}")
    return {id(p): name for name, p in module.named_parameters()}


def tensor_names(graph: Graph, module: Any = None, names: dict[str, Tensor] | None = None,
                 op: str = "draw_graph") -> dict[int, str]:
    """A short, stable name for every tensor in the graph.

    Names the user gave win, then parameter names from `module`; other leaves are
    `input0, input1, ...`, constants `const0, ...`, and an op's result is named after the op
    and its place in forward order (`mul2` is the result of the graph's second op).
    """
    labels: dict[int, str] = {}
    given = {id(t): name for name, t in (names or {}).items()}
    params = parameter_names(module, op)
    op_number = {id(fn): i + 1 for i, fn in enumerate(graph.ops)}
    inputs = consts = 0
    for t in graph.tensors:
        if id(t) in given:
            labels[id(t)] = given[id(t)]
        elif id(t) in params:
            labels[id(t)] = params[id(t)]
        elif t.grad_fn is not None:
            labels[id(t)] = f"{t.grad_fn.op_name()}{op_number[id(t.grad_fn)]}"
        elif t.requires_grad:
            labels[id(t)] = f"input{inputs}"
            inputs += 1
        else:
            labels[id(t)] = f"const{consts}"
            consts += 1
    return labels


def derivative_rule(fn: Function) -> str:
    """The op's local derivative in words: the first paragraph of its docstring, on one line.

    A long rule is wrapped over several source lines (conv2d's says df/dw on its second
    line), so the whole paragraph is joined, not just its first line.
    """
    doc = (type(fn).__doc__ or "").strip()
    if not doc:
        return f"{fn.op_name()}: no derivative rule documented"
    return " ".join(line.strip() for line in doc.split("\n\n")[0].splitlines())


def shape_text(shape: Iterable[int]) -> str:
    shape = tuple(shape)
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def summary(array: np.ndarray) -> str:
    """mean, std, min, max and norm of a big array, in one line."""
    a = np.asarray(array, dtype=np.float64)
    if a.size == 0:
        return "empty"
    return (f"mean {a.mean():.4g}  std {a.std():.4g}  min {a.min():.4g}  max {a.max():.4g}  "
            f"norm {np.linalg.norm(a.ravel()):.4g}")


def format_numbers(array: Any, max_values: int = 16) -> str:
    """The numbers themselves when there are at most `max_values`, else a summary."""
    a = array.numpy() if isinstance(array, Tensor) else np.asarray(array)
    if a.size > max_values:
        return summary(a)
    if a.dtype.kind == "b":
        return np.array2string(a, separator=", ")
    return np.array2string(a, separator=", ", precision=4, suppress_small=True, floatmode="maxprec")
