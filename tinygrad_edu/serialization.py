"""Saving and loading tensors with safetensors: a file of plain numbers that runs no code.

    tg.save(model.state_dict(), "model.safetensors")
    model.load_state_dict(tg.load("model.safetensors"))

Why safetensors and not pickle: loading a pickle runs whatever code the file asks for, so
opening a model someone sent you could run their program. A safetensors file is a JSON
header (names, dtypes, shapes, byte offsets) followed by raw bytes; loading it only reads.

A flat dict of name -> Tensor (a model's state dict) is written as a plain safetensors file
that any safetensors reader understands. A nested dict (an optimizer's state dict, or a
checkpoint like {"model": ..., "optimizer": ..., "epoch": 3}) is written too: its arrays get
dotted names ("optimizer.state.0.exp_avg") and everything else (numbers, strings, the
nesting itself) goes into the header's metadata as JSON, so `load` gives the same structure
back, with Tensors where the arrays were.

Writes are atomic: the bytes go to a temporary file in the same directory, which is flushed
to disk and then renamed over the target. A crash or an error midway leaves the old file as
it was, never half a file.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import backend
from tinygrad_edu.files import write_atomically
from tinygrad_edu.tensor import Tensor

IO_INSTALL_HINT = 'install the io extra: pip install "tinygrad_edu[io]"'
STRUCTURE_KEY = "tinygrad_edu.structure"   # metadata entry holding the nesting of a non-flat dict

PathLike = str | os.PathLike


def require_safetensors():
    """The safetensors.numpy module, or an ImportError that says how to install it."""
    try:
        import safetensors.numpy   # imported lazily: an optional extra
    except ImportError:
        raise ImportError(f"saving and loading tensors needs the safetensors package; {IO_INSTALL_HINT}") from None
    return safetensors.numpy


def _is_array(value: Any) -> bool:
    return isinstance(value, Tensor) or backend.device_of_array(value) is not None


def _to_host(value: Any) -> np.ndarray:
    """A C-contiguous NumPy copy of a Tensor's or array's data, wherever it lives.

    Contiguous, because safetensors writes an array's memory as it lies: a transposed view
    would be saved with its elements in the wrong order.
    """
    if isinstance(value, Tensor):
        array = value.numpy()
    else:
        array = backend.to_numpy(value, backend.device_of_array(value))
    array = np.asarray(array)
    return array if array.flags.c_contiguous else array.copy(order="C")


def _encode(value: Any, name: str, arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """Describe `value` as JSON, moving its arrays into `arrays` under dotted names."""
    if _is_array(value):
        if name in arrays:
            raise ValueError(f"save: two entries would both be stored under the name {name!r}; "
                             f"rename keys that contain dots")
        arrays[name] = _to_host(value)
        return {"tensor": name}
    prefix = f"{name}." if name else ""
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save: keys must be strings or ints, got {key!r} ({type(key).__name__}) "
                                f"in {name or 'the top-level dict'}")
            items.append([key, _encode(item, f"{prefix}{key}", arrays)])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(item, f"{prefix}{i}", arrays) for i, item in enumerate(value)]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, np.generic):   # a NumPy scalar, e.g. np.float32(0.5)
        return {"value": value.item()}
    raise TypeError(f"save: cannot store {name!r} of type {type(value).__name__}; values must be Tensors, "
                    f"arrays, numbers, strings, None, or dicts/lists/tuples of them")


def _decode(node: dict[str, Any], tensors: dict[str, Tensor]) -> Any:
    kind, content = next(iter(node.items()))
    if kind == "tensor":
        return tensors[content]
    if kind == "dict":
        return {key: _decode(item, tensors) for key, item in content}
    if kind == "list":
        return [_decode(item, tensors) for item in content]
    if kind == "tuple":
        return tuple(_decode(item, tensors) for item in content)
    return content


def save(state_dict: dict[str, Any], path: PathLike) -> None:
    """Write `state_dict` (name -> Tensor or array, possibly nested) to `path` atomically.

    Tensors on a GPU are copied to the host first; nothing in `state_dict` is changed.
    """
    if not isinstance(state_dict, dict):
        raise TypeError(f"save: expected a dict such as model.state_dict(), got {type(state_dict).__name__}")
    safetensors_numpy = require_safetensors()
    flat = all(isinstance(k, str) and _is_array(v) for k, v in state_dict.items())
    arrays: dict[str, np.ndarray] = {}
    if flat:
        arrays = {key: _to_host(value) for key, value in state_dict.items()}
        metadata = None
    else:
        metadata = {STRUCTURE_KEY: json.dumps(_encode(state_dict, "", arrays))}
    try:
        payload = safetensors_numpy.save(arrays, metadata=metadata)
    except Exception as e:  # safetensors raises its own error type, e.g. for complex dtypes
        dtypes = sorted({str(a.dtype) for a in arrays.values()})
        raise TypeError(f"save: safetensors cannot store these arrays (dtypes {dtypes}): {e}") from None
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"save: the directory {str(path.parent)!r} for {str(path)!r} does not exist")
    write_atomically(path, payload)


def _read_header(data: bytes, path: Path) -> dict[str, Any]:
    """Check the file's framing ourselves, so that errors name the path and say what is wrong."""
    where = f"load: {str(path)!r}"
    if len(data) < 8:
        raise ValueError(f"{where} is not a safetensors file: it has only {len(data)} bytes")
    header_size = int.from_bytes(data[:8], "little")
    if 8 + header_size > len(data):
        raise ValueError(f"{where} is not a safetensors file or is truncated: its header should be "
                         f"{header_size} bytes but the file has only {len(data)} bytes")
    try:
        header = json.loads(data[8:8 + header_size])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{where} is not a safetensors file or is corrupt: its header is not valid JSON") from None
    if not isinstance(header, dict):
        raise ValueError(f"{where} is not a safetensors file: its header is not a JSON object")
    needed = 0
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int for o in offsets)):
            raise ValueError(f"{where} is corrupt: the header entry for {key!r} has no valid data_offsets "
                             f"(two byte positions), got {offsets!r}")
        needed = max(needed, offsets[1])
    found = len(data) - 8 - header_size
    if found < needed:
        raise ValueError(f"{where} is truncated: the header describes {needed} bytes of tensor data "
                         f"but only {found} are there")
    return header


def load(path: PathLike, device: str | None = None) -> dict[str, Any]:
    """Read a file written by `save`: a dict name -> Tensor on `device` (the default device if None).

    A file saved from a nested dict comes back nested, with Tensors where the arrays were.
    """
    safetensors_numpy = require_safetensors()
    path = Path(path)
    device = backend.normalize_device(device)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"load: no such file: {str(path)!r}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"load: {str(path)!r} is a directory, not a safetensors file") from None
    header = _read_header(data, path)
    try:
        arrays = safetensors_numpy.load(data)
    except Exception as e:  # safetensors' own error type for anything its checks reject
        raise ValueError(f"load: {str(path)!r} is corrupt or not a safetensors file: {e}") from None
    # np.array copies: the tensors own writable memory rather than a view of the file's bytes.
    tensors = {name: Tensor(np.array(array), device=device) for name, array in arrays.items()}
    structure = (header.get("__metadata__") or {}).get(STRUCTURE_KEY)
    if structure is None:
        return tensors
    try:
        return _decode(json.loads(structure), tensors)
    except (ValueError, KeyError, TypeError, StopIteration, AttributeError):
        raise ValueError(f"load: {str(path)!r} is corrupt: its {STRUCTURE_KEY!r} metadata does not "
                         f"describe the tensors in the file") from None
