"""Walking a recorded graph, naming what is in it, and printing numbers briefly.

Shared by the graph drawing (`graph.py`), the terminal rendering (`text.py`) and the
backward trace (`study/trace.py`), so all three call the same tensor by the same name.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from tinygrad_edu.autograd import OUTLINE_MAX_OPS, Function
from tinygrad_edu.tensor import Tensor

FREED_GRAPH_HINT = ("the graph was freed by backward(): once backward has run, its saved values and the "
                    "links to the intermediate tensors are gone. Trace before calling backward(), or turn "
                    "on study mode first (tg.study.keep_graphs()), which keeps the whole graph")


NO_OUTLINE = (f"the graph was freed by backward() with no outline kept: it had more than {OUTLINE_MAX_OPS} "
              f"ops, too many to draw. Turn on study mode first (tg.study.keep_graphs()) to keep it whole")


class FreedTensor:
    """Stands in for an intermediate tensor that backward() let go of: its shape, dtype and
    the op that made it are known, its value and gradient are not (study mode keeps them)."""
    requires_grad = True
    _grad = None
    _version = 0

    def __init__(self, fn: Function) -> None:
        if "output_outline" not in fn.__dict__:
            raise RuntimeError(NO_OUTLINE)
        self.grad_fn = fn
        self.shape, self.dtype, self._device = fn.output_outline
        self.device = self._device

    def __repr__(self) -> str:
        return f"FreedTensor(shape={self.shape}, dtype={self.dtype}, made by {self.grad_fn.name()})"


def op_inputs(fn: Function) -> tuple[Any, ...]:
    """The tensors an op read: the real ones, or for an op that backward() freed, its leaves
    and a FreedTensor for each intermediate (one per producing op, shared by its readers)."""
    if not fn.freed:
        return fn.inputs
    leaves = fn.leaf_inputs or (None,) * len(fn.input_fns)
    return tuple(leaf if made_by is None else _stand_in(made_by) for leaf, made_by in zip(leaves, fn.input_fns))


def _stand_in(fn: Function) -> FreedTensor:
    """The one FreedTensor of a freed op, kept on the op, so every walk of it meets the same one."""
    stand_in = fn.__dict__.get("stand_in")
    if stand_in is None:
        stand_in = fn.__dict__["stand_in"] = FreedTensor(fn)
    return stand_in


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


def collect_graph(root: Tensor | Sequence[Tensor], op: str, after_backward: bool = False) -> Graph:
    """Find every tensor and op behind `root`, with an explicit stack (deep graphs are fine).

    `after_backward`: also walk a graph that backward() freed (drawing needs only its outline:
    intermediate tensors become `FreedTensor`s); else such a graph is an error."""
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
        if fn.freed and not after_backward:
            raise RuntimeError(f"{op}: cannot walk the graph behind a tensor of shape {tuple(t.shape)}: "
                               f"{FREED_GRAPH_HINT}")
        if fn.freed and "output_outline" not in fn.__dict__:
            raise RuntimeError(f"{op}: {NO_OUTLINE}")
        if id(fn) in output_of:   # a FreedTensor and the real tensor of one op: keep the first
            continue
        output_of[id(fn)] = t
        stack.extend(op_inputs(fn))
    made = [output_of[id(fn)] for fn in _forward_order({id(t.grad_fn): t.grad_fn for t in seen.values()
                                                        if t.grad_fn is not None and id(t.grad_fn) in output_of})]
    # leaves in the order the ops first used them, so `a` of `a * b` comes before `b`
    starts: dict[int, Tensor] = {id(r): r for r in roots if r.grad_fn is None}
    ops = [t.grad_fn for t in made if t.grad_fn is not None]   # all of them: each is an op's output
    for fn in ops:
        starts.update((id(i), i) for i in op_inputs(fn) if i.grad_fn is None and id(i) not in starts)
    return Graph(roots, list(starts.values()) + made, ops, output_of)


def _forward_order(ops: dict[int, Function]) -> list[Function]:
    """Ops in the order forward ran them. A freed op has lost its position, but every op comes
    after the ops that made its inputs, so a depth-first post-order from the roots is forward order."""
    if not any(fn.freed for fn in ops.values()):
        return sorted(ops.values(), key=lambda fn: fn.position)
    order: list[Function] = []
    done: set[int] = set()
    for start in sorted(ops.values(), key=lambda fn: -fn.position):   # unfreed first, then by position
        stack = [(start, False)]
        while stack:
            fn, expanded = stack.pop()
            if id(fn) in done:
                continue
            if expanded:
                done.add(id(fn))
                order.append(fn)
                continue
            stack.append((fn, True))
            stack.extend((i.grad_fn, False) for i in reversed(op_inputs(fn))
                         if i.grad_fn is not None and id(i.grad_fn) in ops and id(i.grad_fn) not in done)
    return order


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


def derivative_text(i: Any, numbers: Any) -> str:
    """A backward step's local derivative for one input (a trace's InputGradient), as the
    trace's table and the player write it."""
    if not i.requires_grad:
        return "-"
    if i.local_derivative is None:
        return "(too many numbers to list)"
    if i.derivative_kind == "elementwise":
        return f"{numbers(i.local_derivative)}\n(elementwise)"
    rows, cols = i.local_derivative.shape
    return f"{numbers(i.local_derivative, rows * cols)}\n(jacobian {rows}x{cols})"


def input_note(i: Any) -> str:
    """Why an input got no gradient, or how its gradient was summed back from a broadcast."""
    if not i.requires_grad:
        return "needs no gradient"
    if i.broadcast_from is not None:
        return f"broadcast: summed {shape_text(i.broadcast_from)} down to {shape_text(i.shape)}"
    return ""
