"""Collation: turning a list of samples into one batch, as torch.utils.data does it.

    default_collate([(x0, 0), (x1, 1)])   # [stack([x0, x1]), tensor([0, 1])]

Tensors are stacked along a new first dim, NumPy arrays and NumPy scalars become tensors of
their dtype, Python floats become float64 and ints int64 (PyTorch's choices for a batch),
strings and bytes stay a list, and dicts, namedtuples, tuples and lists are collated field by
field (a tuple gives a list, as in PyTorch).
"""
from __future__ import annotations

import collections.abc
from typing import Any, Sequence

from tinygrad_edu import backend
from tinygrad_edu.ops.movement import stack
from tinygrad_edu.tensor import Tensor


class CollateError(RuntimeError):
    """Samples that cannot form one batch; the DataLoader adds which batch it was."""


def _field(where: str, key: Any) -> str:
    return f"{where}[{key!r}]" if where else f"field [{key!r}]"


def _check_same_shape(items: Sequence[Any], where: str) -> None:
    """Stacking needs one shape; say which entries differ, in PyTorch's words."""
    first = tuple(items[0].shape)
    for entry, item in enumerate(items):
        if tuple(item.shape) != first:
            place = f" (in {where})" if where else ""
            raise CollateError(f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                               f"and {list(item.shape)} at entry {entry}{place}")


def _collate(batch: Sequence[Any], where: str) -> Any:
    elem, numpy = batch[0], backend.numpy_kind(batch[0])
    if isinstance(elem, Tensor):
        _check_same_shape(batch, where)
        return stack(batch)
    if numpy is not None and elem.dtype.kind not in "biuf":
        raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                        f"found an array of dtype {elem.dtype}")
    if numpy == "array":
        _check_same_shape(batch, where)
        return Tensor(backend.array_module("cpu").stack(batch))
    if numpy == "scalar":
        return Tensor(backend.to_device(batch, "cpu"))
    if isinstance(elem, float):
        return Tensor(batch, dtype=backend.float64)
    if isinstance(elem, int):   # bool is an int: a batch of bools is a bool tensor
        return Tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: _collate([sample[key] for sample in batch], _field(where, key)) for key in elem}
        try:
            return type(elem)(fields)  # type: ignore[call-arg]  # the sample's own mapping or sequence type
        except TypeError:   # a mapping type that cannot be built from a dict
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):   # a namedtuple keeps its type
        return type(elem)(*(_collate(f, _field(where, i)) for i, f in enumerate(zip(*batch))))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(sample) != len(elem) for sample in batch):
            raise CollateError(f"each element in list of batch should be of equal size, got lengths "
                               f"{[len(sample) for sample in batch]}" + (f" (in {where})" if where else ""))
        # each field stays the tuple zip makes: strings come back as that tuple, as in PyTorch
        items = [_collate(f, _field(where, i)) for i, f in enumerate(zip(*batch))]
        if isinstance(elem, tuple):
            return items   # a tuple gives a list, as in PyTorch
        try:
            return type(elem)(items)  # type: ignore[call-arg]  # the sample's own mapping or sequence type
        except TypeError:
            return items
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                    f"found {type(elem)}")


def default_collate(batch: list) -> Any:
    """Merge a list of samples into a batch, as torch.utils.data.default_collate."""
    if len(batch) == 0:
        raise CollateError("default_collate: the batch is empty; there is nothing to collate")
    return _collate(batch, "")


def default_convert(data: Any) -> Any:
    """One sample as the DataLoader hands it out with batch_size=None: NumPy arrays and scalars
    become tensors, containers are converted inside, and everything else stays as it is."""
    if backend.numpy_kind(data) is not None and data.dtype.kind in "biuf":
        return Tensor(backend.to_device(data, "cpu"))   # keeps the dtype, a scalar's too
    if isinstance(data, (str, bytes, Tensor)):
        return data
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(value) for key, value in data.items()}
        try:
            return type(data)(converted)  # type: ignore[call-arg]  # the sample's own mapping or sequence type
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence):
        try:
            return type(data)([default_convert(d) for d in data])  # type: ignore[call-arg]  # the sample's own mapping or sequence type
        except TypeError:
            return [default_convert(d) for d in data]
    return data
