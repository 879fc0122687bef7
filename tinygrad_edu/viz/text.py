"""The graph as a plain-text tree, for terminals: nothing to install.

    >>> print(tg.viz.graph_text(loss))
    sum2 () float32  <- sum
    └── mul1 (2,) float32  <- mul
        ├── input0 (2,) float32  [leaf]
        └── input1 (2,) float32  [leaf]

The root is at the top and each op's inputs hang below it. A tensor used in several places
is written out once; later it appears as `(see above)`.
"""
from __future__ import annotations

from typing import Any, Sequence

from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.walk import (FreedTensor, collect_graph, format_numbers, op_inputs, parameter_names,
                                  shape_text, tensor_names)


def graph_text(root: Tensor | Sequence[Tensor], show_values: bool = False, show_grads: bool = False,
               module: Any = None, names: dict[str, Tensor] | None = None, max_values: int = 8) -> str:
    """Render the graph behind `root` as an indented tree (see the module docstring)."""
    graph = collect_graph(root, "graph_text", after_backward=True)
    labels = tensor_names(graph, module, names, "graph_text")
    params = parameter_names(module, "graph_text")

    def describe(t: Tensor) -> str:
        text = f"{labels[id(t)]} {shape_text(t.shape)} {t.dtype}"
        if t.grad_fn is not None:
            text += f"  <- {t.grad_fn.op_name()}"
        elif id(t) in params:
            text += "  [parameter]"
        else:
            text += "  [leaf]" if t.requires_grad else "  [constant]"
        if t._version and t.grad_fn is not None:   # changed in place inside the graph
            text += f"  version {t._version}"
        if isinstance(t, FreedTensor):
            text += "  (value freed by backward())" if show_values or show_grads else ""
        elif show_values:
            text += "  value " + format_numbers(t, max_values).replace("\n", "")
        if show_grads and t._grad is not None:   # _grad: no warning for a non-leaf that kept none
            text += "  grad " + format_numbers(t._grad, max_values).replace("\n", "")
        return text

    lines: list[str] = []
    written: set[int] = set()
    # (tensor, prefix for its own line, prefix for its children); a stack, so deep graphs are fine
    stack = [(r, "", "") for r in reversed(graph.roots)]
    while stack:
        t, own, below = stack.pop()
        if id(t) in written:
            lines.append(f"{own}{labels[id(t)]} (see above)")
            continue
        written.add(id(t))
        lines.append(own + describe(t))
        inputs = op_inputs(t.grad_fn) if t.grad_fn is not None else ()
        for i in reversed(range(len(inputs))):
            last = i == len(inputs) - 1
            branch, indent = ("└── ", "    ") if last else ("├── ", "│   ")
            stack.append((inputs[i], below + branch, below + indent))
    return "\n".join(lines)
