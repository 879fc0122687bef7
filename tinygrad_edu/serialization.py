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
it was, never half a file (`files.py` says more: permissions, temp file names, clean-up).

Loading reads each tensor straight from the file into its own array through safetensors'
`safe_open`, so it needs about one file's size of memory, never the whole file plus copies.
The nesting in the metadata is limited (MAX_DEPTH levels, MAX_ENTRIES entries) and checked
before it is parsed: a hostile file gets a ValueError, never a RecursionError or a huge
allocation.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import backend
from tinygrad_edu.files import write_atomically
from tinygrad_edu.tensor import Tensor

IO_INSTALL_HINT = 'install the io extra: pip install "tinygrad_edu[io]"'
STRUCTURE_KEY = "tinygrad_edu.structure"   # metadata entry holding the nesting of a non-flat dict
# Limits on the nesting kept in the metadata, the same for save and load, so that a hostile
# file cannot make the loader recurse without end or build a gigantic structure.
MAX_DEPTH = 64            # a value may sit inside at most this many dicts/lists/tuples (the top dict included)
MAX_ENTRIES = 1_000_000   # values of any kind, containers included, in one structure
# One level of the structure is at most three JSON brackets deep: {"dict": [[key, {...}]]}.
MAX_JSON_DEPTH = 3 * MAX_DEPTH + 2
HEADER_MAX_DEPTH = 8      # a safetensors header itself is three levels deep: {name: {"shape": [...]}}
HEADER_MAX_BYTES = 100_000_000    # safetensors' own readers refuse a larger header
MAX_STRUCTURE_BYTES = HEADER_MAX_BYTES // 2   # leaves room in the header for the tensors' entries

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
        array = backend.to_numpy(value, backend.device_of_array(value) or "cpu")
    array = np.asarray(array)
    return array if array.flags.c_contiguous else array.copy(order="C")


def _short(name: str) -> str:
    return repr(name) if len(name) <= 80 else repr(name[:77] + "...")


def _encode(value: Any, name: str, arrays: dict[str, np.ndarray], depth: int, count: list[int]) -> dict[str, Any]:
    """Describe `value` as JSON, moving its arrays into `arrays` under dotted names.

    `depth` is how many containers hold `value`, `count` how many entries were written so
    far: save refuses what load would refuse, so every file it writes can be read back.
    """
    count[0] += 1
    if count[0] > MAX_ENTRIES:
        raise ValueError(f"save: the structure has more than {MAX_ENTRIES} entries; store long lists of "
                         f"numbers as a Tensor instead")
    if depth > MAX_DEPTH:
        raise ValueError(f"save: the structure nests more than {MAX_DEPTH} dicts/lists deep at {_short(name)}; "
                         f"a file that deep could not be loaded back")
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
            items.append([key, _encode(item, f"{prefix}{key}", arrays, depth + 1, count)])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(item, f"{prefix}{i}", arrays, depth + 1, count) for i, item in enumerate(value)]}
    if value is None or isinstance(value, (bool, int, float, str)):
        return {"value": value}
    if isinstance(value, np.generic):   # a NumPy scalar, e.g. np.float32(0.5)
        return {"value": value.item()}
    raise TypeError(f"save: cannot store {name!r} of type {type(value).__name__}; values must be Tensors, "
                    f"arrays, numbers, strings, None, or dicts/lists/tuples of them")


def _decode(node: dict[str, Any], tensors: dict[str, Tensor]) -> Any:
    """The value `node` describes. Recursion is safe: `_read_structure` bounded the depth first."""
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


JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
NOT_A_BRACKET = re.compile(rb"[^\[\]{}]+")
INNERMOST_PAIRS = re.compile(rb"\[\]|\{\}")


def _brackets(text: bytes) -> bytes:
    """The brackets of a JSON text, in order; those inside strings do not count."""
    return NOT_A_BRACKET.sub(b"", JSON_STRING.sub(b"", text))


def _nest_at_most(brackets: bytes, depth: int) -> bool:
    """Whether `brackets` pair up and nest at most `depth` deep.

    Found without recursion (json.loads recurses, and a hostile file nesting 10,000 levels
    would make it raise RecursionError): each pass removes the innermost pairs, so brackets
    nested d deep are all gone after d passes.
    """
    for _ in range(depth):
        if not brackets:
            break
        brackets = INNERMOST_PAIRS.sub(b"", brackets)
    return not brackets


def _parse_json(text: bytes, where: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"{where} is not a safetensors file or is corrupt: its {what} is not valid JSON") from None


def _check_path(path: Any, op: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{op}: expected a file name (str or path), got {type(path).__name__}; tinygrad_edu reads "
                        f"and writes safetensors files, not file objects")
    return Path(path)


def save(obj: Any, path: PathLike) -> None:
    """Write `obj` to `path` atomically: a Tensor, a state_dict (name -> Tensor), an optimizer's
    state_dict, or a checkpoint of them such as {"model": ..., "optimizer": ..., "epoch": 3}
    (dicts, lists and tuples of tensors, arrays, numbers, strings and None, nested).

    Tensors on a GPU are copied to the host first; nothing in `obj` is changed.
    """
    path = _check_path(path, "save")
    safetensors_numpy = require_safetensors()
    flat = isinstance(obj, dict) and all(isinstance(k, str) and _is_array(v) for k, v in obj.items())
    arrays: dict[str, np.ndarray] = {}
    if flat:   # a state_dict: a plain safetensors file, for any safetensors reader
        arrays = {key: _to_host(value) for key, value in obj.items()}
        metadata = None
    else:
        structure = json.dumps(_encode(obj, "", arrays, 0, [0]))
        if len(structure) > MAX_STRUCTURE_BYTES:
            raise ValueError(f"save: the structure takes {len(structure)} bytes of metadata, more than the "
                             f"{MAX_STRUCTURE_BYTES} allowed; store long lists of numbers as a Tensor instead")
        metadata = {STRUCTURE_KEY: structure}
    try:
        payload = safetensors_numpy.save(arrays, metadata=metadata)
    except Exception as e:  # safetensors raises its own error type, e.g. for complex dtypes
        dtypes = sorted({str(a.dtype) for a in arrays.values()})
        raise TypeError(f"save: safetensors cannot store these arrays (dtypes {dtypes}): {e}") from None
    if not path.parent.is_dir():
        raise FileNotFoundError(f"save: the directory {str(path.parent)!r} for {str(path)!r} does not exist")
    write_atomically(path, payload)


def _read_header(path: Path) -> dict[str, Any]:
    """Read and check the file's framing ourselves, so that errors name the path and say what is wrong.

    Only the header is read here (the tensors are read one by one later), and its size is
    checked against the file's before a byte of it is read.
    """
    where = f"load: {str(path)!r}"
    try:
        file = open(path, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(f"load: no such file: {str(path)!r}") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"load: {str(path)!r} is a directory, not a safetensors file") from None
    with file:
        file_size = os.fstat(file.fileno()).st_size
        if file_size < 8:
            raise ValueError(f"{where} is not a safetensors file: it has only {file_size} bytes")
        header_size = int.from_bytes(file.read(8), "little")
        if 8 + header_size > file_size:
            raise ValueError(f"{where} is not a safetensors file or is truncated: its header should be "
                             f"{header_size} bytes but the file has only {file_size} bytes")
        if header_size > HEADER_MAX_BYTES:
            raise ValueError(f"{where} is not a safetensors file: its header would be {header_size} bytes, "
                             f"more than the {HEADER_MAX_BYTES} safetensors allows")
        text = file.read(header_size)
    if not _nest_at_most(_brackets(text), HEADER_MAX_DEPTH):
        raise ValueError(f"{where} is not a safetensors file or is corrupt: its header is not valid JSON or "
                         f"nests more than {HEADER_MAX_DEPTH} levels deep")
    header = _parse_json(text, where, "header")
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
    found = file_size - 8 - header_size
    if found < needed:
        raise ValueError(f"{where} is truncated: the header describes {needed} bytes of tensor data "
                         f"but only {found} are there")
    return header


def _read_structure(header: dict[str, Any], where: str) -> Any:
    """The parsed nesting kept in the metadata (None for a flat file), checked before it is parsed."""
    metadata = header.get("__metadata__")
    structure = metadata.get(STRUCTURE_KEY) if isinstance(metadata, dict) else None
    if structure is None:
        return None
    if not isinstance(structure, str):
        raise ValueError(f"{where} is corrupt: its {STRUCTURE_KEY!r} metadata is not a string")
    structure = structure.encode()
    if len(structure) > MAX_STRUCTURE_BYTES:
        raise ValueError(f"{where} is corrupt or hostile: its {STRUCTURE_KEY!r} metadata takes "
                         f"{len(structure)} bytes, more than the {MAX_STRUCTURE_BYTES} allowed")
    # Each value is one {object} in it, so the objects count the entries and their nesting
    # is the depth save limits; the [lists] around them only need to keep json.loads safe.
    brackets = _brackets(structure)
    objects = brackets.count(b"{")
    if not (_nest_at_most(brackets, MAX_JSON_DEPTH)
            and _nest_at_most(brackets.replace(b"[", b"").replace(b"]", b""), MAX_DEPTH + 1)):
        raise ValueError(f"{where} is corrupt or hostile: its {STRUCTURE_KEY!r} metadata nests more than "
                         f"{MAX_DEPTH} levels deep or is not valid JSON")
    if objects > MAX_ENTRIES:
        raise ValueError(f"{where} is corrupt or hostile: its {STRUCTURE_KEY!r} metadata has {objects} "
                         f"entries, more than the {MAX_ENTRIES} allowed")
    return _parse_json(structure, where, f"{STRUCTURE_KEY!r} metadata")


def _open_for_reading(path: Path) -> Any:
    """safetensors' own reader for `path`. It checks the whole header (dtypes, shapes, offsets)
    when it opens the file, then reads one tensor at a time: with the "pread" backend straight
    into that tensor's memory, so loading needs about one file's size of memory in all."""
    from safetensors import safe_open
    try:
        return safe_open(str(path), framework="np", backend="pread")
    except TypeError:   # a safetensors without backends: it maps the file into memory instead
        return safe_open(str(path), framework="np")


def _target_device(map_location: Any) -> tuple[str | None, Any]:
    """(device for every tensor, or None; a function to apply to each tensor, or None).

    The file holds host data and no device, so for a dict map_location every tensor counts as
    saved from "cpu" (PyTorch's {"cuda:0": "cpu"} then leaves them on the default device)."""
    if map_location is None or isinstance(map_location, str):
        return backend.normalize_device(map_location), None
    if isinstance(map_location, dict):
        source = next((v for k, v in map_location.items() if str(k).partition(":")[0] == "cpu"), None)
        return backend.normalize_device(source), None
    if callable(map_location):
        return backend.normalize_device(None), map_location
    raise TypeError(f"load: map_location must be None, a device (string or tg.device), a dict or a function, "
                    f"got {type(map_location).__name__}")


def load(path: PathLike, map_location: Any = None, pickle_module: Any = None, *, weights_only: bool | None = None,
         mmap: bool | None = None, device: Any = None) -> Any:
    """Read a file written by `save` and give back what was saved: a Tensor, a dict name ->
    Tensor, or the nested checkpoint, with Tensors where the arrays were.

    `map_location` says where the tensors go: a device (string or tg.device), a dict such as
    {"cuda:0": "cpu"}, or a function f(tensor, "cpu") returning the tensor to keep; None (or
    `device=`) means the default device. `weights_only` is accepted for PyTorch's signature and
    changes nothing: a safetensors file holds only data, never code to run, whatever it says.
    The file's framing, header and metadata are checked before any tensor is read; a damaged
    file is a ValueError that names it.
    """
    if pickle_module is not None:
        raise TypeError("load: pickle_module is not supported; tinygrad_edu files are safetensors, never pickle")
    path = _check_path(path, "load")
    require_safetensors()
    device, relocate = _target_device(map_location if device is None else device)
    where = f"load: {str(path)!r}"
    header = _read_header(path)
    structure = _read_structure(header, where)
    tensors = {}
    try:
        reader = _open_for_reading(path)
    except Exception as e:  # safetensors' own error type for anything its checks reject
        raise ValueError(f"{where} is corrupt or not a safetensors file: {e}") from None
    with reader:
        for name in reader.keys():
            try:
                array = reader.get_tensor(name)
            except Exception as e:
                raise ValueError(f"{where} is corrupt or not a safetensors file: tensor {name!r}: {e}") from None
            if array.dtype.kind not in "biuf":
                raise TypeError(f"{where}: tensor {name!r} has dtype {array.dtype}, which tinygrad_edu does not "
                                f"support; use numbers or booleans")
            # The tensors must own writable memory, never a read-only view of the file.
            if not array.flags.writeable:
                array = array.copy()
            # Tensor(array) would copy it once more; the array is fresh memory of our own, so wrap it.
            tensors[name] = Tensor._make(backend.to_device(array, device), device, False, None)
            if relocate is not None:
                moved = relocate(tensors[name], "cpu")
                tensors[name] = moved if isinstance(moved, Tensor) else tensors[name]
    if structure is None:
        return tensors
    try:
        return _decode(structure, tensors)
    except (ValueError, KeyError, TypeError, StopIteration, AttributeError):
        raise ValueError(f"{where} is corrupt: its {STRUCTURE_KEY!r} metadata does not "
                         f"describe the tensors in the file") from None
