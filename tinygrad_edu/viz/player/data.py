"""The page's data: the graph, the forward steps and the backward steps, as JSON-ready dicts.

Every number on the page is text that Python formatted here, from the arrays the forward
pass and `trace_backward` produced; the page's JavaScript only shows it. Two parts:

* `structure(snapshot)`: what does not change when a slider moves (names, shapes, ops, rules);
* `scenario(snapshot, trace)`: the numbers of one run (values, gradients, backward steps).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.viz.player.snapshot import GraphSnapshot
from tinygrad_edu.viz.walk import derivative_text, format_numbers, input_note, shape_text, summary


def short_text(array: np.ndarray, max_values: int) -> str:
    """As trace_backward's table and draw_graph print it: 4 digits, or shape statistics when big."""
    return format_numbers(array, max_values)


def full_text(array: np.ndarray, max_values: int) -> str:
    """Every digit of a small array (the shortest text that reads back to the same number in
    its dtype), else the summary statistics."""
    a = np.asarray(array)
    if a.size > max_values:
        return summary(a)
    if a.dtype.kind == "b":
        return np.array2string(a, separator=", ")
    return np.array2string(a, separator=", ", floatmode="unique", threshold=max_values + 1)


def structure(snapshot: GraphSnapshot) -> dict[str, Any]:
    tensors = [{"node": t.node, "name": t.name, "shape": shape_text(t.shape), "dtype": t.dtype, "kind": t.kind,
                "made_by": t.made_by} for t in snapshot.tensors]
    ops = [{"node": o.node, "op": o.op, "rule": o.rule, "inputs": o.inputs,
            "output": o.output} for o in snapshot.ops]
    return {"tensors": tensors, "ops": ops}


def node_gradients(snapshot: GraphSnapshot, trace: Any) -> list[np.ndarray | None]:
    """Each tensor's gradient in this backward pass: what arrived at an op's result
    (the upstream of the step that handles it), and what accumulated into a leaf's .grad."""
    grads: list[np.ndarray | None] = [None] * len(snapshot.tensors)
    op_at = {o.position: o for o in snapshot.ops}
    for step in trace.steps:
        grads[op_at[step.position].output] = step.upstream
    leaves = {leaf.name: leaf.gradient for leaf in trace.leaves}
    for i, t in enumerate(snapshot.tensors):
        if t.made_by is None and t.name in leaves:
            grads[i] = leaves[t.name]
    return grads


def backward_steps(snapshot: GraphSnapshot, trace: Any, max_values: int) -> list[dict[str, Any]]:
    """trace_backward's steps, with the tensor each one touches, and running sums where a
    tensor collects gradients from several paths ("path 1 + path 2 = ...")."""
    op_index = {o.position: k for k, o in enumerate(snapshot.ops)}
    received: dict[int, list[tuple[str, np.ndarray]]] = {}
    steps = []
    for step in trace.steps:
        op = snapshot.ops[op_index[step.position]]
        inputs, touched = [], []
        for given in step.inputs:
            tensor = op.inputs[given.index]
            inputs.append({"tensor": tensor, "name": given.name, "needs_grad": given.requires_grad,
                           "local": _local_text(given, trace.max_values),
                           "grad": None if given.gradient is None else short_text(given.gradient, max_values),
                           "note": _note(given)})
            if given.gradient is not None:
                received.setdefault(tensor, []).append((f"step {step.number}, input {given.index}", given.gradient))
                touched.append(tensor)
        sums = [running_sum(tensor, snapshot.tensors[tensor].name, received[tensor], max_values)
                for tensor in dict.fromkeys(touched) if len(received[tensor]) > 1]
        steps.append({"number": step.number, "op": op_index[step.position], "output": op.output,
                      "upstream": short_text(step.upstream, max_values), "from": step.paths,
                      "rule": step.rule, "inputs": inputs, "sums": sums})
    return steps


def running_sum(tensor: int, name: str, terms: list[tuple[str, np.ndarray]], max_values: int) -> dict[str, Any]:
    """A tensor reached by several paths: the engine adds what arrives, in this order."""
    total = terms[0][1]
    for _, g in terms[1:]:
        total = total + g
    return {"tensor": tensor, "name": name, "total": short_text(total, max_values),
            "terms": [f"path {n + 1} ({where}): {short_text(g, max_values)}" for n, (where, g) in enumerate(terms)]}


def _local_text(given: Any, trace_max_values: int) -> str:
    """The local derivative as trace_backward's table writes it, on one line."""
    text = derivative_text(given, lambda a, limit=trace_max_values: format_numbers(a, limit))
    numbers, _, kind = text.rpartition("\n")   # "(elementwise)" or "(jacobian 2x3)" after the numbers
    return f"{numbers} {kind}" if numbers else text


def _note(given: Any) -> str:
    return input_note(given)


def _if_longer(full: str, short: str) -> str | None:
    return None if full == short else full


def scenario(snapshot: GraphSnapshot, trace: Any, max_values: int) -> dict[str, Any]:
    """The numbers of one forward and backward pass."""
    grads = node_gradients(snapshot, trace)
    values = [short_text(t.value, max_values) for t in snapshot.tensors]
    grad_texts = [None if g is None else short_text(g, max_values) for g in grads]
    return {"values": values, "grads": grad_texts,
            # every digit, where that says more than the short text (null: the same), for the node panel
            "full_values": [_if_longer(full_text(t.value, max_values), v) for t, v in zip(snapshot.tensors, values)],
            "full_grads": [None if g is None else _if_longer(full_text(g, max_values), text)  # type: ignore[arg-type]
                           for g, text in zip(grads, grad_texts)],
            "steps": backward_steps(snapshot, trace, max_values)}
