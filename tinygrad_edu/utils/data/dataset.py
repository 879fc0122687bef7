"""Datasets: what a DataLoader reads samples from, as in torch.utils.data.

A map-style `Dataset` answers `len(ds)` and `ds[i]`; an `IterableDataset` is a stream that
the loader iterates. `TensorDataset` makes samples from the rows of tensors, `Subset` and
`random_split` pick some samples, `ConcatDataset` (also `a + b`) puts datasets one after another.
"""
from __future__ import annotations

import bisect
import math
from typing import Any, Iterator, Sequence

from tinygrad_edu import backend
from tinygrad_edu.tensor import Tensor


class Dataset:
    """A map-style dataset: subclasses define `__getitem__(index)` and usually `__len__()`."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream: subclasses define `__iter__()`. With num_workers > 0 every
    worker iterates its own copy, so split the work with `get_worker_info()`, as in PyTorch."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index: int) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate it, it cannot be indexed")

    def __add__(self, other: Dataset) -> ConcatDataset:
        raise TypeError("an IterableDataset cannot be added to a dataset; use itertools.chain on iterators")


class TensorDataset(Dataset):
    """Samples are rows: item i is (t[i] for each tensor), so all tensors share their first size."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        shapes = [t.shape for t in self.tensors]
        if any(len(s) == 0 for s in shapes) or len({s[0] for s in shapes}) != 1:
            raise ValueError(f"TensorDataset: size mismatch between tensors: all need the same size in dim 0 "
                             f"(one row per sample), got shapes {', '.join(str(s) for s in shapes)}")

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return [self.dataset[self.indices[i]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several map-style datasets, one after the other."""

    def __init__(self, datasets: Sequence[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset: does not support IterableDataset; chain their iterators instead")
        self.cumulative_sizes = list(_running_total(len(d) for d in self.datasets))

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise IndexError(f"ConcatDataset: index {index} is out of range for {len(self)} samples")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        if which == len(self.datasets):
            raise IndexError(f"ConcatDataset: index {index} is out of range for {len(self)} samples")
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][index - start]


def _running_total(sizes: Any) -> Iterator[int]:
    total = 0
    for n in sizes:
        total += n
        yield total


def _split_lengths(lengths: Sequence[float], n: int) -> list[int]:
    """Fractions that sum to 1 become whole lengths as PyTorch makes them: each floor(f * n),
    and the samples left over go one each to the first parts, in turn."""
    if not all(0 <= f <= 1 for f in lengths):
        raise ValueError(f"random_split: fractions must be between 0 and 1, got {list(lengths)}")
    counts = [math.floor(n * f) for f in lengths]
    for i in range(n - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def random_split(dataset: Any, lengths: Sequence[float], generator: Any = None) -> list[Subset]:
    """Split `dataset` into non-overlapping random Subsets of the given lengths (or fractions
    that sum to 1), drawing the order from `generator` (default: the one tg.manual_seed seeds)."""
    lengths = list(lengths)
    if not lengths:
        raise ValueError("random_split: lengths must name at least one part")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:   # fractions (also [1], as in PyTorch)
        lengths = _split_lengths(lengths, len(dataset))
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints or fractions summing to 1, got {lengths}")
    if sum(lengths) != len(dataset):
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal the length of the "
                         f"input dataset ({len(dataset)})")
    order = backend.random_generator(generator).permutation(sum(lengths)).tolist()
    ends = list(_running_total(lengths))
    return [Subset(dataset, order[end - n:end]) for n, end in zip(lengths, ends)]
