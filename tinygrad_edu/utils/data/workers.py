"""Worker processes for DataLoader(num_workers > 0): batches are prepared in parallel and handed
out in the order the sampler gave, so they are identical to those of num_workers=0.

How it works: the main process draws every batch's indices itself (so the shuffle order
depends only on the generator, never on the number of workers) and sends each batch number
with its indices to one worker, round-robin, keeping `prefetch_factor` batches per worker in
flight. A worker loads the samples, collates them, and sends the batch back; the main process
puts the batches back in order. For an IterableDataset each worker iterates its own copy of the
dataset and answers "the next batch of yours", as in PyTorch (use get_worker_info() to split
the stream between workers).

Processes are started with "fork" where it exists (Linux, macOS): the dataset and collate_fn
reach the workers as a copy of memory and are never pickled, as with PyTorch on Linux. Only
the batches travel back, pickled, with each Tensor sent as its NumPy array. Where fork does not
exist (Windows), where spawn would have to pickle the dataset and the module defining it, a
pool of threads prepares the batches instead (NumPy releases the GIL in its heavy work);
threads share the default random generator, so they do not reseed it per worker.

Each worker process seeds tinygrad_edu's default generator and Python's `random` with
`base_seed + worker_id` (base_seed is drawn once per epoch in the main process), as PyTorch
does, so random augmentations differ between workers but repeat under tg.manual_seed.
Data on a GPU cannot be prepared in forked workers (CUDA does not survive a fork): keep the
dataset on the CPU and move each batch with .to("cuda").
"""
from __future__ import annotations

import multiprocessing
import queue
import random
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any, Callable

from tinygrad_edu import backend
from tinygrad_edu.tensor import Tensor

# How often a waiting main process checks that its workers are still alive.
POLL_SECONDS = 0.1
EXHAUSTED = "tinygrad_edu.utils.data: this worker's iterable dataset is exhausted"
# "fork", or None for the thread pool (tests set None to exercise the threads on Linux too)
START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else None


@dataclass(frozen=True)
class WorkerInfo:
    """What get_worker_info() tells the code running in a worker."""
    id: int
    num_workers: int
    seed: int
    dataset: Any


_local = threading.local()


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker, which worker this is (id, num_workers, seed, its dataset copy);
    None in the main process."""
    return getattr(_local, "info", None)


class _ShippedTensor:
    """A Tensor on its way from a worker: only its array, as NumPy, and its device."""

    def __init__(self, t: Tensor) -> None:
        self.array, self.device = t.numpy(), str(t.device)

    def unpack(self) -> Tensor:
        device = backend.normalize_device(self.device)
        return Tensor._make(backend.to_device(self.array, device), device, False, None)


def _convert(data: Any, leaf: Callable[[Any], Any]) -> Any:
    """`data` with `leaf` applied to every Tensor / shipped tensor inside lists, tuples and dicts."""
    if isinstance(data, (Tensor, _ShippedTensor)):
        return leaf(data)
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(_convert(d, leaf) for d in data))
    if isinstance(data, (list, tuple)):
        return type(data)(_convert(d, leaf) for d in data)
    if isinstance(data, dict):
        return type(data)((k, _convert(v, leaf)) for k, v in data.items())
    return data


def pack(batch: Any) -> Any:
    return _convert(batch, _ShippedTensor)


def unpack(batch: Any) -> Any:
    return _convert(batch, lambda shipped: shipped.unpack())


@dataclass
class WorkerError:
    """An exception raised in a worker, carried to the main process as text."""
    kind: type
    message: str
    worker_id: int

    def reraise(self) -> None:
        text = f"Caught {self.kind.__name__} in DataLoader worker process {self.worker_id}.\n{self.message}"
        try:
            error = self.kind(text)
        except Exception:   # an exception type that wants other arguments
            error = RuntimeError(text)
        raise error


def worker_loop(fetcher: Any, tasks: Any, results: Any, worker_id: int, num_workers: int, seed: int,
                init_fn: Callable[[int], None] | None, reseed: bool) -> None:
    """What one worker runs: answer (number, indices) tasks until it receives None."""
    _local.info = WorkerInfo(worker_id, num_workers, seed, fetcher.dataset)
    if reseed:   # only a process has a default generator of its own to seed
        backend.manual_seed(seed)
        random.seed(seed)
    iterator = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
    except Exception as e:
        results.put((None, None, WorkerError(type(e), traceback.format_exc(), worker_id)))
        return
    while True:
        task = tasks.get()
        if task is None:
            return
        number, indices = task
        try:
            if fetcher.is_iterable:
                iterator = iter(fetcher.dataset) if iterator is None else iterator
                batch = fetcher.next_batch(iterator, number)
            else:
                batch = fetcher.fetch(indices, number)
            results.put((number, pack(batch), None))
        except StopIteration:
            results.put((number, EXHAUSTED, None))
        except Exception as e:
            results.put((number, None, WorkerError(type(e), traceback.format_exc(), worker_id)))


class WorkerIterator:
    """Hands out the batches that `num_workers` workers prepare, in the order of `tasks`
    (an iterator of (number, indices)), and stops the workers when done or dropped."""

    def __init__(self, fetcher: Any, tasks: Any, num_workers: int, base_seed: int, init_fn: Any,
                 timeout: float, prefetch_factor: int, context: Any) -> None:
        self.fetcher, self.tasks, self.timeout = fetcher, tasks, timeout
        self.in_flight = prefetch_factor * num_workers
        method = context if context is not None else START_METHOD
        if method is None:
            self.results: Any = queue.Queue()
            self.queues: list = [queue.Queue() for _ in range(num_workers)]
            make = threading.Thread
        else:
            ctx = multiprocessing.get_context(method) if isinstance(method, str) else method
            self.results, self.queues = ctx.Queue(), [ctx.Queue() for _ in range(num_workers)]
            make = ctx.Process  # type: ignore[union-attr]  # a context or the multiprocessing module
        self.workers = [make(target=worker_loop, daemon=True,
                             args=(fetcher, self.queues[i], self.results, i, num_workers, base_seed + i, init_fn,
                                   method is not None))
                        for i in range(num_workers)]
        for w in self.workers:
            w.start()
        self.active = list(range(num_workers))   # workers still answering (an iterable may run dry)
        self.turn = 0
        self.sent: dict[int, int] = {}           # batch number -> worker
        self.received: dict[int, tuple] = {}
        self.next_number = 0
        self.tasks_left = True
        self._dispatch()

    def _dispatch(self) -> None:
        while self.tasks_left and len(self.sent) < self.in_flight and self.active:
            try:
                number, indices = next(self.tasks)
            except StopIteration:
                self.tasks_left = False
                return
            worker = self.active[self.turn % len(self.active)]
            self.turn += 1
            self.sent[number] = worker
            self.queues[worker].put((number, indices))

    def __iter__(self) -> WorkerIterator:
        return self

    def __next__(self) -> Any:
        while True:
            if self.next_number not in self.sent:
                self.close()
                raise StopIteration
            while self.next_number not in self.received:
                number, payload, error = self._receive()
                self.received[number] = (payload, error)
            payload, error = self.received.pop(self.next_number)
            worker = self.sent.pop(self.next_number)
            self.next_number += 1
            if error is not None:
                self.close()
                error.reraise()
            if isinstance(payload, str) and payload == EXHAUSTED:
                if worker in self.active:
                    self.active.remove(worker)
                self._dispatch()
                continue
            self._dispatch()
            return unpack(payload)

    def _receive(self) -> tuple:
        started = time.monotonic()
        while True:
            try:
                number, payload, error = self.results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                self._check_alive()
                if self.timeout > 0 and time.monotonic() - started > self.timeout:
                    self.close()
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds waiting for a batch") \
                        from None
                continue
            if number is None:   # worker_init_fn failed: there is no batch to attach it to
                self.close()
                error.reraise()
            return number, payload, error

    def _check_alive(self) -> None:
        for w in self.workers:
            if not w.is_alive():
                code = getattr(w, "exitcode", None)
                self.close()
                raise RuntimeError(f"DataLoader worker (pid {getattr(w, 'pid', '?')}) exited unexpectedly "
                                   f"with exit code {code}")

    def close(self) -> None:
        """Stop the workers (each finishes its current batch) and free their queues."""
        workers, self.workers = getattr(self, "workers", []), []
        for q in self.queues[:len(workers)]:
            q.put(None)
        for w in workers:
            w.join(timeout=5)
            if w.is_alive() and hasattr(w, "terminate"):
                w.terminate()
        for q in [*self.queues, self.results]:
            if hasattr(q, "cancel_join_thread"):
                q.cancel_join_thread()   # never wait at exit for batches nobody will read
                q.close()
        self.queues = []
        self.sent.clear()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:   # at interpreter exit the queues may already be gone
            pass
