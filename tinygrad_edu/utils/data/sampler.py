"""Samplers: the order in which a DataLoader visits a dataset's indices, as in torch.utils.data.

Random samplers draw from their `generator` (a tg.Generator), else from the default generator
that `tg.manual_seed` seeds: RandomSampler takes one seed from it per epoch, as PyTorch does,
so a seed fixes every epoch's order and each epoch still gets a new one.
"""
from __future__ import annotations

import math
from typing import Any, Iterator, Sequence

from tinygrad_edu import backend


class Sampler:
    """Yields dataset indices (or, for a batch sampler, lists of them); subclasses define __iter__."""

    def __init__(self, data_source: Any = None) -> None:
        pass

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


def _stream(generator: Any) -> Any:
    """The NumPy generator for one epoch: the given generator's own stream, or a fresh one
    seeded by one draw from the default generator."""
    if generator is not None:
        return backend.random_generator(generator)
    seed = int(backend.random_generator().integers(0, 2 ** 63))
    return backend.random_generator(backend.Generator().manual_seed(seed))


def _positive_int(value: Any, name: str, op: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{op}: {name} should be a positive integer value, but got {name}={value!r}")
    return value


class SequentialSampler(Sampler):
    """0, 1, 2, ... len(data_source) - 1."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of all indices (without replacement), or `num_samples` indices drawn with
    replacement. Without replacement and num_samples > len, whole permutations follow each other."""

    def __init__(self, data_source: Any, replacement: bool = False, num_samples: int | None = None,
                 generator: Any = None) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(f"RandomSampler: replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        self.data_source, self.replacement, self._num_samples, self.generator = \
            data_source, replacement, num_samples, generator
        _positive_int(self.num_samples, "num_samples", "RandomSampler")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, rng = len(self.data_source), _stream(self.generator)
        if self.replacement:
            yield from rng.integers(0, n, size=self.num_samples).tolist()
            return
        for _ in range(self.num_samples // n):
            yield from rng.permutation(n).tolist()
        yield from rng.permutation(n)[:self.num_samples % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given indices, in a random order."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices, self.generator = indices, generator

    def __iter__(self) -> Iterator[int]:
        for i in backend.random_generator(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """`num_samples` indices drawn with probabilities proportional to `weights`."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        _positive_int(num_samples, "num_samples", "WeightedRandomSampler")
        if not isinstance(replacement, bool):
            raise TypeError(f"WeightedRandomSampler: replacement should be a boolean value, but got "
                            f"replacement={replacement!r}")
        host = weights.numpy() if hasattr(weights, "numpy") else weights
        array = backend.to_device(host, "cpu", backend.float64)
        # non-negative weights: a finite, positive sum means every weight is finite and one is nonzero
        if array.ndim != 1 or not (array >= 0).all() or not 0 < float(array.sum()) < math.inf:
            raise ValueError(f"WeightedRandomSampler: weights must be a 1-D sequence of finite, non-negative "
                             f"numbers with a positive sum, got shape {array.shape}")
        if not replacement and num_samples > int((array > 0).sum()):
            raise RuntimeError(f"WeightedRandomSampler: cannot draw {num_samples} samples without replacement "
                               f"from {int((array > 0).sum())} with a nonzero weight")
        self.weights, self.num_samples, self.replacement, self.generator = array, num_samples, replacement, generator

    def __iter__(self) -> Iterator[int]:
        p = self.weights / self.weights.sum()
        rng = backend.random_generator(self.generator)
        yield from rng.choice(len(p), size=self.num_samples, replace=self.replacement, p=p).tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Groups another sampler's indices into lists of `batch_size` (the last one shorter unless drop_last)."""

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        _positive_int(batch_size, "batch_size", "BatchSampler")
        if not isinstance(drop_last, bool):
            raise ValueError(f"BatchSampler: drop_last should be a boolean value, but got drop_last={drop_last!r}")
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
