"""The ONNX graph under construction: node names, constants (initializers) and nodes.

The op table (`ops.py`) writes into a `Builder` through three calls: `node` adds an ONNX
operator, `constant` and `ints` add the numbers an operator reads (a weight, a shape, a list
of axes), and `opset` says which version of the operators' definitions is being written.
"""
from __future__ import annotations

from typing import Any

import numpy as np   # host-side: initializers are NumPy arrays on their way into a file

from tinygrad_edu import backend


class Builder:
    def __init__(self, helper: Any, numpy_helper: Any, opset: int) -> None:
        self.helper, self.numpy_helper, self.opset = helper, numpy_helper, opset
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self._counts: dict[str, int] = {}
        # id(array) -> (the array, its name); the array is held so that its id stays its own
        self._arrays: dict[int, tuple[Any, str]] = {}

    def fresh(self, hint: str) -> str:
        """A new name: relu_1, relu_2, ... (ONNX names must be unique in a graph)."""
        self._counts[hint] = self._counts.get(hint, 0) + 1
        return f"{hint}_{self._counts[hint]}"

    def node(self, op_type: str, inputs: list[str], out: str | None = None, **attributes: Any) -> str:
        """Add one ONNX operator reading `inputs` (names; "" for a left-out optional input);
        return the name of its output."""
        out = out or self.fresh(op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, inputs, [out], name=self.fresh(f"{op_type}_node"),
                                                **attributes))
        return out

    def known(self, array: Any, name: str) -> None:
        """Call `array` `name` wherever an op reads it (a graph input's array)."""
        self._arrays[id(array)] = (array, name)

    def initializer(self, name: str, array: Any) -> str:
        """Store an array (a parameter, a buffer) in the file under `name`."""
        host = np.ascontiguousarray(backend.to_numpy(array, backend.device_of_array(array) or "cpu"))
        self.initializers.append(self.numpy_helper.from_array(host, name))
        self._arrays[id(array)] = (array, name)
        return name

    def constant(self, value: Any, dtype: Any = None, hint: str = "const") -> str:
        """A constant the graph reads: a number, a list or an array (each array stored once)."""
        if id(value) in self._arrays:
            return self._arrays[id(value)][1]
        if backend.device_of_array(value) is None:
            value = np.asarray(value, dtype=dtype)
        return self.initializer(self.fresh(hint), value)

    def ints(self, values: Any) -> str:
        """A 1-D int64 constant: the axes, shapes, pads and slice bounds operators read."""
        return self.constant(np.asarray(list(values), dtype=np.int64), hint="ints")

    def scalar_like(self, value: float, dtype: Any) -> str:
        """A 0-d constant in the dtype of the tensor it meets (ONNX never promotes dtypes)."""
        return self.constant(np.asarray(value, dtype=dtype), hint="scalar")

    def name_for_array(self, array: Any) -> str | None:
        """The name already given to this very array (an input, a parameter), or None."""
        known = self._arrays.get(id(array))
        return None if known is None else known[1]
