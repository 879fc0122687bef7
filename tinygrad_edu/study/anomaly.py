"""Find the op that first produced NaN or inf, in the forward or in the backward pass.

    with tg.detect_anomaly():
        loss = model(x).log().sum()     # AnomalyError: the forward of log (op #123) produced -inf ...
        loss.backward()

A NaN spreads: once one appears, everything computed from it is NaN too, and the loss just
says "nan". detect_anomaly checks the result of every op as it is made, and every gradient
as backward makes it, and stops at the first bad one, naming the op, its position in forward
order, and the line of your code that called it.

It costs nothing when not in use: the engine calls hooks only while the list of hooks is
non-empty. While active it checks every result, which is slow; use it to debug, not to train.
"""
from __future__ import annotations

import contextlib
import os
import sys
from types import FrameType
from typing import Any

from tinygrad_edu import autograd
from tinygrad_edu.autograd import Function
from tinygrad_edu.viz.walk import derivative_rule, shape_text

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class AnomalyError(RuntimeError):
    """Raised by detect_anomaly at the first NaN or inf. `op` is the Function that made it."""

    def __init__(self, message: str, op: Function | None = None) -> None:
        super().__init__(message)
        self.op = op


def _caller() -> str:
    """`file:line in function` of the innermost frame outside tinygrad_edu (the user's code)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR + os.sep):
        frame = frame.f_back
    if frame is None:
        return "an unknown place"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}"


def _bad_values(array: Any, xp: Any) -> str | None:
    """A description like '2 nan among 6 elements' when `array` holds NaN or inf, else None."""
    if array.dtype.kind not in "fc" or bool(xp.isfinite(array).all()):
        return None
    counts = ((int(xp.isnan(array).sum()), "nan"), (int((array == float("inf")).sum()), "inf"),
              (int((array == float("-inf")).sum()), "-inf"))
    return ", ".join(f"{n} {name}" for n, name in counts if n) + f" among {array.size} elements"


def _running_backward() -> Function | None:
    """The Function whose backward is running further up the stack, if any."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_name == "backward" and isinstance(frame.f_locals.get("self"), Function):
            return frame.f_locals["self"]
        frame = frame.f_back
    return None


def _origin_text(fn: Function) -> str:
    origin = getattr(fn, "anomaly_origin", None)
    if origin is None:
        return " (its forward ran before detect_anomaly was switched on, so where it was called is unknown)"
    return f"; its forward was called from {origin}"


class detect_anomaly(contextlib.ContextDecorator):  # noqa: N801 — named like torch.autograd.detect_anomaly
    """Raise AnomalyError at the first op whose forward result or backward gradient holds NaN/inf.

    Works as a `with` block and as a decorator. `check_nan=False` turns the checks off (as in
    PyTorch), which keeps the code in place while it is not needed.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._installed: list[autograd.RemovableHandle | None] = []

    def __enter__(self) -> detect_anomaly:
        self._installed.append(autograd.add_hooks(self._check_forward, self._check_backward)
                               if self.check_nan else None)
        return self

    def __exit__(self, *exc: Any) -> None:
        handle = self._installed.pop()
        if handle is not None:
            handle.remove()

    @staticmethod
    def _check_forward(fn: Function, output: Any) -> None:
        # Remember where the op was called, so a NaN found later in backward can point there.
        fn.anomaly_origin = _caller()  # type: ignore[attr-defined]
        bad = _bad_values(output, fn.xp)
        if bad is None:
            return
        owner = _running_backward()
        if owner is not None:   # an op that a backward is made of: blame that backward
            raise AnomalyError(f"detect_anomaly: the backward of {owner.op_name()} (op #{owner.position} in "
                               f"forward order) produced {bad} in the {fn.op_name()} it computes, of shape "
                               f"{shape_text(output.shape)}{_origin_text(owner)}. Its rule: "
                               f"{derivative_rule(owner)}", owner)
        raise AnomalyError(f"detect_anomaly: the forward of {fn.op_name()} (op #{fn.position} in forward "
                               f"order) produced {bad} in its {shape_text(output.shape)} result; it was called "
                               f"from {fn.anomaly_origin}. Its rule: {derivative_rule(fn)}", fn)  # type: ignore[attr-defined]

    @staticmethod
    def _check_backward(fn: Function, input_grads: tuple) -> None:
        for i, g in enumerate(input_grads):
            bad = None if g is None else _bad_values(g.array, g.xp)
            if bad is not None:
                raise AnomalyError(f"detect_anomaly: the backward of {fn.op_name()} (op #{fn.position} in forward "
                                   f"order) produced {bad} in the gradient for its input {i} of shape "
                                   f"{shape_text(fn.inputs[i].shape)}{_origin_text(fn)}. "
                                   f"Its rule: {derivative_rule(fn)}", fn)

