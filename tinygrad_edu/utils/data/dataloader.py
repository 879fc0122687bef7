"""DataLoader: a dataset in batches, with PyTorch's signature and behaviour.

    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    for xb, yb in loader:
        ...

A sampler chooses the indices (SequentialSampler, or RandomSampler when shuffle=True), a
BatchSampler groups them, `collate_fn` (default_collate) turns each group of samples into a
batch; with num_workers > 0 worker processes do the loading and collating (workers.py).
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Iterator

from tinygrad_edu import backend
from tinygrad_edu.utils.data.collate import CollateError, default_collate, default_convert
from tinygrad_edu.utils.data.dataset import IterableDataset, TensorDataset
from tinygrad_edu.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler
from tinygrad_edu.utils.data.workers import WorkerIterator


class _Fetcher:
    """Turns indices (or the next items of an iterator) into one batch; the same object runs in
    the main process and, copied, in every worker."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable, batch_size: int | None,
                 drop_last: bool) -> None:
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        self.batch_size, self.drop_last = batch_size, drop_last
        self.is_iterable = isinstance(dataset, IterableDataset)
        # Rows of a TensorDataset are gathered with one indexing per tensor instead of stacking
        # them one by one: the same batch (a copy, like stacking), many times faster.
        self.gathers_rows = type(dataset) is TensorDataset and collate_fn is default_collate

    def fetch(self, indices: Any, number: int) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[indices])
        if self.gathers_rows:
            rows = backend.to_device(indices, "cpu", backend.int64)
            return [t[rows] for t in self.dataset.tensors]
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(indices) if getitems is not None else [self.dataset[i] for i in indices]
        return self._collate(samples, number, indices)

    def next_batch(self, iterator: Iterator, number: int) -> Any:
        """The next batch of an iterable dataset; StopIteration when it has run dry."""
        if not self.auto_collation:
            return self.collate_fn(next(iterator))
        samples = list(itertools.islice(iterator, self.batch_size))
        if not samples or (self.drop_last and len(samples) < self.batch_size):  # type: ignore[operator]  # batched
            raise StopIteration
        return self._collate(samples, number, None)

    def _collate(self, samples: list, number: int, indices: Any) -> Any:
        try:
            return self.collate_fn(samples)
        except CollateError as e:
            shown = "" if indices is None else f" (dataset indices {_shorten(list(indices))})"
            raise CollateError(f"DataLoader: cannot make batch {number}{shown}: {e}") from None


def _shorten(indices: list) -> str:
    return str(indices) if len(indices) <= 10 else f"[{', '.join(map(str, indices[:10]))}, ...]"


def _exclusive(condition: bool, message: str) -> None:
    if condition:
        raise ValueError(f"DataLoader: {message}")


class DataLoader:
    """Iterate over `dataset` in batches, as torch.utils.data.DataLoader.

    - shuffle=True draws a new order every epoch from `generator` (a tg.Generator), else from
      the default generator that tg.manual_seed seeds; the order never depends on num_workers.
    - num_workers > 0 prepares batches in worker processes (see workers.py: fork where it
      exists, else threads); the batches and their order are exactly those of num_workers=0.
      persistent_workers=True is accepted, but workers are started anew for every epoch.
    - pin_memory is accepted and does nothing: pinned host memory only speeds up copies to a
      GPU, and CuPy copies from ordinary memory here.
    - batch_size=None hands out single samples (converted by default_convert).
    - `seed=` (tinygrad_edu only) is short for generator=tg.Generator().manual_seed(seed).
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None, sampler: Any = None,
                 batch_sampler: Any = None, num_workers: int = 0, collate_fn: Callable | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context: Any = None, generator: Any = None,
                 *, prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True, seed: int | None = None) -> None:
        self._check_workers(num_workers, timeout, prefetch_factor, persistent_workers)
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int)
                                       or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size should be a positive integer value or None, "
                             f"but got batch_size={batch_size!r}")
        if seed is not None:
            _exclusive(generator is not None, "give either seed= or generator=, not both")
            generator = backend.Generator().manual_seed(seed)
        if isinstance(dataset, IterableDataset):
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                _exclusive(bool(value), f"DataLoader with IterableDataset: expected unspecified {name} option, "
                                        f"but got {name}={value!r}")
        elif not (hasattr(dataset, "__getitem__") and hasattr(dataset, "__len__")):
            raise TypeError(f"DataLoader: the dataset must have __len__ and __getitem__ (or be an IterableDataset), "
                            f"got {type(dataset).__name__}")
        _exclusive(sampler is not None and bool(shuffle), "sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            _exclusive(batch_size != 1 or bool(shuffle) or sampler is not None or drop_last,
                       "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None:
            _exclusive(drop_last, "batch_size=None option disables auto-batching and is mutually exclusive "
                                  "with drop_last")
        if sampler is None and not isinstance(dataset, IterableDataset):
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and sampler is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.timeout, self.worker_init_fn = num_workers, timeout, worker_init_fn
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None else prefetch_factor
        self.persistent_workers, self.pin_memory, self.pin_memory_device = persistent_workers, pin_memory, \
            pin_memory_device
        self.multiprocessing_context, self.in_order = multiprocessing_context, in_order
        self._auto_collation = batch_sampler is not None or (isinstance(dataset, IterableDataset)
                                                             and batch_size is not None)
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if self._auto_collation else default_convert)

    @staticmethod
    def _check_workers(num_workers: Any, timeout: Any, prefetch_factor: Any, persistent_workers: bool) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers option should be non-negative; use num_workers=0 to disable "
                             f"multiprocessing, got num_workers={num_workers!r}")
        if not isinstance(timeout, (int, float)) or timeout < 0:
            raise ValueError(f"DataLoader: timeout option should be non-negative, got timeout={timeout!r}")
        if num_workers == 0:
            _exclusive(prefetch_factor is not None, "prefetch_factor option could only be specified in "
                                                    "multiprocessing; let num_workers > 0 to enable multiprocessing, "
                                                    "otherwise set prefetch_factor to None")
            _exclusive(persistent_workers, "persistent_workers option needs num_workers > 0")
        elif prefetch_factor is not None and (isinstance(prefetch_factor, bool) or not isinstance(prefetch_factor, int)
                                              or prefetch_factor < 1):
            raise ValueError(f"DataLoader: prefetch_factor should be a positive int, got {prefetch_factor!r}")

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # type: ignore[arg-type]  # a TypeError where the stream has no length, as in PyTorch
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def __iter__(self) -> Iterator[Any]:
        # One seed per epoch, drawn whether or not there are workers, so that the draws that
        # follow (the shuffle order) are the same for any num_workers.
        base_seed = int(backend.random_generator(self.generator).integers(0, 2 ** 62))
        fetcher = _Fetcher(self.dataset, self._auto_collation, self.collate_fn, self.batch_size, self.drop_last)
        if isinstance(self.dataset, IterableDataset):
            tasks: Iterator = ((number, None) for number in itertools.count())
        else:
            tasks = enumerate(self.batch_sampler if self._auto_collation else self.sampler)
        if self.num_workers == 0:
            return self._in_this_process(fetcher, tasks)
        return WorkerIterator(fetcher, tasks, self.num_workers, base_seed, self.worker_init_fn, self.timeout,
                              self.prefetch_factor, self.multiprocessing_context)  # type: ignore[arg-type]

    @staticmethod
    def _in_this_process(fetcher: _Fetcher, tasks: Iterator) -> Iterator[Any]:
        if fetcher.is_iterable:
            stream = iter(fetcher.dataset)
            for number, _ in tasks:
                try:
                    batch = fetcher.next_batch(stream, number)
                except StopIteration:
                    return
                yield batch
        else:
            for number, indices in tasks:
                yield fetcher.fetch(indices, number)
