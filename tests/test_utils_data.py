"""tinygrad_edu.utils.data against torch.utils.data: datasets, samplers, collation, the loader
and its worker processes."""
from __future__ import annotations

import collections
import os

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import tinygrad_edu as tg
from tinygrad_edu.utils import data as tgd
from tinygrad_edu.utils.data import workers


def _plain(x):
    """Batches of either framework as plain Python values and dtypes, to compare them."""
    if isinstance(x, (tg.Tensor, torch.Tensor)):
        array = x.numpy()
        return ("tensor", str(array.dtype), array.tolist())
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, [_plain(v) for v in x])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    return x


Point = collections.namedtuple("Point", "x y")


def _samples(framework):
    """The same samples for both frameworks: tensors, arrays, numbers, strings, dicts, namedtuples."""
    tensor = tg.tensor if framework == "tg" else torch.tensor
    return [(tensor([float(i), i * 0.5]), np.full((2, 1), i, np.int32), i, i / 4, f"s{i}", i % 2 == 0,
             {"id": i, "pair": [i, -i]}, Point(np.float32(i), tensor(i)), b"raw")
            for i in range(7)]


@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (3, False), (3, True), (7, False), (10, False)])
def test_batches_equal_torchs_on_the_same_samples(batch_size, drop_last):
    ours = list(tgd.DataLoader(_samples("tg"), batch_size=batch_size, drop_last=drop_last))
    theirs = list(tud.DataLoader(_samples("torch"), batch_size=batch_size, drop_last=drop_last))
    assert [_plain(b) for b in ours] == [_plain(b) for b in theirs]


def test_tensor_dataset_batches_equal_torchs(device):
    x, y = np.arange(30, dtype=np.float32).reshape(10, 3), np.arange(10)
    ours = tgd.DataLoader(tgd.TensorDataset(tg.tensor(x, device=device), tg.tensor(y, device=device)), batch_size=4)
    theirs = tud.DataLoader(tud.TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=4)
    assert [_plain(b) for b in ours] == [_plain(b) for b in theirs] and len(ours) == len(theirs) == 3
    assert next(iter(ours))[0].device == device


def test_a_batch_never_shares_memory_with_the_dataset():
    x = tg.zeros(4, 2)
    batch, = next(iter(tgd.DataLoader(tgd.TensorDataset(x), batch_size=4)))
    batch += 1.0
    assert x.sum().item() == 0.0


@pytest.mark.parametrize("batch", [
    [1.5, 2.0], [1, 2], [True, False], [np.float32(1), np.float32(2)], [np.array([1, 2], np.int32)] * 2,
    [np.bool_(True)], [(1, "a"), (2, "b")], [[1, 2], [3, 4]], [{"x": 1}, {"x": 2}], ["a", "b"], [b"x", b"y"],
    [Point(1, 2.0), Point(3, 4.0)]], ids=lambda b: type(b[0]).__name__ + str(len(b)))
def test_default_collate_matches_torch(batch):
    assert _plain(tgd.default_collate(batch)) == _plain(tud.default_collate(batch))


@pytest.mark.parametrize("data", [np.array([1.0]), [np.array([1]), 1, "a"], {"k": np.float64(2)}, (1, 2), 3.5],
                         ids=["array", "list", "dict", "tuple", "float"])
def test_default_convert_matches_torch(data):
    assert _plain(tgd.default_convert(data)) == _plain(tud.default_convert(data))


@pytest.mark.parametrize("batch, error, message", [
    ([object()], TypeError, "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                            "found <class 'object'>"),
    ([[1, 2], [3]], RuntimeError, "each element in list of batch should be of equal size"),
    ([tg.zeros(3), tg.zeros(2)], RuntimeError, r"stack expects each tensor to be equal size, but got \[3\] at "
                                               r"entry 0 and \[2\] at entry 1"),
    ([np.array(["a"])], TypeError, "found an array of dtype <U1"),
], ids=["object", "ragged-list", "shapes", "strings-array"])
def test_default_collate_errors_read_like_torchs(batch, error, message):
    with pytest.raises(error, match=message):
        tgd.default_collate(batch)


def test_a_ragged_batch_names_the_batch_the_indices_and_the_shapes():
    loader = tgd.DataLoader([tg.zeros(3), tg.zeros(3), tg.zeros(3), tg.zeros(2)], batch_size=2)
    batches = iter(loader)
    next(batches)
    with pytest.raises(RuntimeError, match=r"DataLoader: cannot make batch 1 \(dataset indices \[2, 3\]\): stack "
                                           r"expects each tensor to be equal size, but got \[3\] at entry 0 and \[2\] "
                                           r"at entry 1$"):
        next(batches)


# ---- datasets ---------------------------------------------------------------------------------------

def test_subset_concat_and_add_index_like_torch():
    base_ours, base_theirs = list(range(10)), list(range(10))
    ours = tgd.ConcatDataset([tgd.Subset(base_ours, [4, 2, 9]), base_ours[:3]])
    theirs = tud.ConcatDataset([tud.Subset(base_theirs, [4, 2, 9]), base_theirs[:3]])
    assert len(ours) == len(theirs) == 6
    assert [ours[i] for i in range(-6, 6)] == [theirs[i] for i in range(-6, 6)]
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert tgd.Subset(base_ours, [5, 1])[[0, 1]] == [5, 1]
    assert len(tgd.TensorDataset(tg.zeros(2)) + tgd.TensorDataset(tg.ones(3))) == 5
    with pytest.raises(IndexError, match="ConcatDataset: index 6 is out of range for 6 samples"):
        ours[6]
    with pytest.raises(ValueError, match="ConcatDataset: datasets should not be an empty iterable"):
        tgd.ConcatDataset([])


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.33, 0.33, 0.34], [0.5, 0.5], [1], [10, 0]],
                         ids=str)
def test_random_split_sizes_match_torch_and_parts_cover_the_dataset(lengths):
    ours = tgd.random_split(range(10), lengths, generator=tg.Generator().manual_seed(0))
    theirs = tud.random_split(range(10), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(p) for p in ours] == [len(p) for p in theirs]
    assert sorted(i for part in ours for i in part) == list(range(10))


def test_random_split_follows_its_generator_or_manual_seed():
    def split(**kw):
        return [list(part) for part in tgd.random_split(range(20), [0.5, 0.5], **kw)]
    assert split(generator=tg.Generator().manual_seed(3)) == split(generator=tg.Generator().manual_seed(3))
    tg.manual_seed(4)
    first = split()
    tg.manual_seed(4)
    assert split() == first and first != [list(range(10)), list(range(10, 20))]


@pytest.mark.parametrize("lengths, message", [([3, 3], r"sum of input lengths \(6\) does not equal the length of "
                                                         r"the input dataset \(10\)"),
                                              ([-1, 11], "non-negative ints or fractions"),
                                              ([0.5, 1.5, -1.0], "fractions must be between 0 and 1")],
                         ids=["sum", "negative", "bad-fractions"])
def test_random_split_rejects_lengths_that_do_not_fit(lengths, message):
    with pytest.raises(ValueError, match=message):
        tgd.random_split(range(10), lengths)


def test_tensor_dataset_rejects_tensors_of_different_lengths():
    with pytest.raises(ValueError, match=r"TensorDataset: size mismatch.*\(3,\), \(2,\)"):
        tgd.TensorDataset(tg.zeros(3), tg.zeros(2))


# ---- samplers ------------------------------------------------------------------------------------

def test_sequential_and_batch_samplers_match_torch():
    for size, drop_last in ((10, False), (10, True), (3, False)):
        ours = tgd.BatchSampler(tgd.SequentialSampler(range(10)), size, drop_last)
        theirs = tud.BatchSampler(tud.SequentialSampler(range(10)), size, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize("kwargs", [{}, {"replacement": True}, {"num_samples": 25}, {"num_samples": 4},
                                    {"replacement": True, "num_samples": 3}], ids=str)
def test_random_sampler_draws_what_torch_draws_in_kind_and_number(kwargs):
    ours = list(tgd.RandomSampler(range(10), generator=tg.Generator().manual_seed(0), **kwargs))
    theirs = list(tud.RandomSampler(range(10), generator=torch.Generator().manual_seed(0), **kwargs))
    assert len(ours) == len(theirs) and all(0 <= i < 10 for i in ours)
    if not kwargs.get("replacement"):   # without replacement, every run of 10 is a permutation
        for start in range(0, len(ours) - len(ours) % 10, 10):
            assert sorted(ours[start:start + 10]) == list(range(10))
        assert len(set(ours[len(ours) - len(ours) % 10:])) == len(ours) % 10


def test_subset_and_weighted_samplers():
    picked = list(tgd.SubsetRandomSampler([3, 5, 7], generator=tg.Generator().manual_seed(0)))
    assert sorted(picked) == [3, 5, 7]
    drawn = list(tgd.WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=tg.Generator().manual_seed(0)))
    counts = np.bincount(drawn, minlength=3)
    assert counts[0] == 0 and 0.7 < counts[2] / 4000 < 0.8
    assert sorted(tgd.WeightedRandomSampler(tg.tensor([1.0, 1.0, 0.0]), 2, replacement=False)) == [0, 1]


@pytest.mark.parametrize("make, error, message", [
    (lambda: tgd.RandomSampler(range(0)), ValueError, "num_samples should be a positive integer value, but got "
                                                      "num_samples=0"),
    (lambda: tgd.RandomSampler(range(3), replacement=1), TypeError, "replacement should be a boolean"),
    (lambda: tgd.BatchSampler(range(3), 0, False), ValueError, "batch_size should be a positive integer value"),
    (lambda: tgd.WeightedRandomSampler([-1.0, 2.0], 2), ValueError, "finite, non-negative"),
    (lambda: tgd.WeightedRandomSampler([1.0, float("nan")], 2), ValueError, "finite, non-negative"),
    (lambda: tgd.WeightedRandomSampler([1.0, 0.0], 2, replacement=False), RuntimeError, "without replacement"),
], ids=["empty", "replacement", "batch-size", "negative-weight", "nan-weight", "too-many"])
def test_samplers_reject_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ---- the loader: options, shuffling, errors ----------------------------------------------------------

def test_shuffle_draws_a_new_order_each_epoch_from_the_generator_or_manual_seed():
    ds = tgd.TensorDataset(tg.arange(20))

    def epochs(loader, n=2):
        return [[i for (b,) in loader for i in b.tolist()] for _ in range(n)]
    first = epochs(tgd.DataLoader(ds, batch_size=6, shuffle=True, generator=tg.Generator().manual_seed(1)))
    assert first == epochs(tgd.DataLoader(ds, batch_size=6, shuffle=True, generator=tg.Generator().manual_seed(1)))
    assert first[0] != first[1] and sorted(first[0]) == list(range(20)) and first[0] != list(range(20))
    assert first == epochs(tgd.DataLoader(ds, batch_size=6, shuffle=True, seed=1))
    tg.manual_seed(2)
    a = epochs(tgd.DataLoader(ds, batch_size=6, shuffle=True))
    tg.manual_seed(2)
    assert epochs(tgd.DataLoader(ds, batch_size=6, shuffle=True)) == a


def test_samplers_batch_samplers_and_no_auto_batching_match_torch():
    data = list(range(10))
    cases = [({"sampler": [9, 1, 4]}, {"sampler": [9, 1, 4]}),
             ({"batch_sampler": [[3, 1], [0]]}, {"batch_sampler": [[3, 1], [0]]}),
             ({"batch_size": None}, {"batch_size": None}),
             ({"batch_size": 4, "collate_fn": lambda b: sum(b)}, {"batch_size": 4, "collate_fn": lambda b: sum(b)})]
    for ours, theirs in cases:
        assert [_plain(b) for b in tgd.DataLoader(data, **ours)] == [_plain(b) for b in tud.DataLoader(data, **theirs)]
        assert len(tgd.DataLoader(data, **ours)) == len(tud.DataLoader(data, **theirs))


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "batch_size should be a positive integer value or None"),
    ({"shuffle": True, "sampler": [0]}, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive with batch_size"),
    ({"batch_size": None, "drop_last": True}, "batch_size=None option disables auto-batching"),
    ({"num_workers": -1}, "num_workers option should be non-negative"),
    ({"timeout": -1}, "timeout option should be non-negative"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in multiprocessing"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ({"seed": 1, "generator": tg.Generator()}, "either seed= or generator="),
], ids=["batch-size", "sampler-shuffle", "batch-sampler", "none-drop-last", "workers", "timeout", "prefetch",
        "persistent", "seed-generator"])
def test_loader_options_that_contradict_each_other_are_refused_like_torch(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tgd.DataLoader(list(range(4)), **kwargs)
    torch_kwargs = {k: v for k, v in kwargs.items() if k not in ("seed", "generator")}
    if torch_kwargs:
        with pytest.raises(ValueError):
            tud.DataLoader(list(range(4)), **torch_kwargs)


def test_pin_memory_is_accepted_and_changes_nothing():
    batches = list(tgd.DataLoader(tgd.TensorDataset(tg.arange(4)), batch_size=2, pin_memory=True))
    assert [b[0].tolist() for b in batches] == [[0, 1], [2, 3]]


class _Stream(tgd.IterableDataset):
    """0..n-1, split between workers by get_worker_info() (the pattern PyTorch's docs teach)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = tgd.get_worker_info()
        start, step = (0, 1) if info is None else (info.id, info.num_workers)
        return iter(range(start, self.n, step))

    def __len__(self):
        return self.n


class _TorchStream(tud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))


def test_an_iterable_dataset_is_batched_like_torchs():
    for kwargs in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}):
        ours = [_plain(b) for b in tgd.DataLoader(_Stream(8), **kwargs)]
        theirs = [_plain(b) for b in tud.DataLoader(_TorchStream(8), **kwargs)]
        assert ours == theirs
    assert len(tgd.DataLoader(_Stream(8), batch_size=3)) == 3
    with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified shuffle option"):
        tgd.DataLoader(_Stream(3), shuffle=True)
    with pytest.raises(TypeError, match="is an IterableDataset: iterate it"):
        _Stream(3)[0]


# ---- worker processes ------------------------------------------------------------------------------

class _WhereLoaded(tgd.Dataset):
    """Each sample says which process loaded it, and draws one random number there."""

    def __len__(self):
        return 12

    def __getitem__(self, i):
        info = tgd.get_worker_info()
        return tg.tensor([float(i)]), os.getpid(), -1 if info is None else info.id


@pytest.mark.parametrize("num_workers", [1, 3])
def test_workers_are_other_processes_and_give_the_batches_of_zero_workers_in_order(num_workers):
    ds = tgd.TensorDataset(tg.arange(23.0).reshape(23, 1), tg.arange(23))
    tg.manual_seed(5)
    expected = [_plain(b) for b in tgd.DataLoader(ds, batch_size=4, shuffle=True)]
    tg.manual_seed(5)
    got = [_plain(b) for b in tgd.DataLoader(ds, batch_size=4, shuffle=True, num_workers=num_workers,
                                             prefetch_factor=1)]
    assert got == expected
    batches = list(tgd.DataLoader(_WhereLoaded(), batch_size=3, num_workers=num_workers))
    expected_rows = [[float(i) for i in range(start, start + 3)] for start in range(0, 12, 3)]
    assert [b[0].reshape(-1).tolist() for b in batches] == expected_rows
    assert all(pid != os.getpid() for b in batches for pid in b[1].tolist())
    assert sorted({w for b in batches for w in b[2].tolist()}) == list(range(num_workers))


def test_a_thread_pool_gives_the_same_batches_where_processes_cannot_fork(monkeypatch):
    monkeypatch.setattr(workers, "START_METHOD", None)
    batches = list(tgd.DataLoader(_WhereLoaded(), batch_size=5, num_workers=2))
    assert [b[0].reshape(-1).tolist() for b in batches] == [[float(i) for i in range(s, min(s + 5, 12))]
                                                            for s in range(0, 12, 5)]
    assert {pid for b in batches for pid in b[1].tolist()} == {os.getpid()}


def test_iterable_datasets_with_workers_follow_torchs_round_robin():
    ours = [b.tolist() for b in tgd.DataLoader(_Stream(10), batch_size=2, num_workers=2)]
    # worker 0 streams 0 2 4 6 8, worker 1 streams 1 3 5 7 9; batches alternate between them
    assert ours == [[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]


class _Failing(tgd.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 4:
            raise KeyError(f"sample {i} is missing")
        return i


def test_an_error_in_a_worker_is_raised_in_the_main_process_with_its_traceback():
    loader = iter(tgd.DataLoader(_Failing(), batch_size=2, num_workers=2))
    assert next(loader).tolist() == [0, 1] and next(loader).tolist() == [2, 3]
    with pytest.raises(KeyError, match=r"Caught KeyError in DataLoader worker process 0(.|\n)*sample 4 is missing"):
        next(loader)


def test_worker_init_fn_runs_in_each_worker_and_workers_get_their_own_seeds():
    def remember(worker_id):
        info = tgd.get_worker_info()
        assert info.id == worker_id and info.num_workers == 2

    class Seeds(tgd.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return tgd.get_worker_info().seed

    seeds = [b.tolist() for b in tgd.DataLoader(Seeds(), batch_size=2, num_workers=2, worker_init_fn=remember)]
    assert seeds[1][0] == seeds[0][0] + 1   # base_seed + worker_id, as in PyTorch
    assert tgd.get_worker_info() is None


def test_a_worker_that_dies_is_a_clear_error_not_a_hang():
    class Dies(tgd.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            os._exit(3)

    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid \d+\) exited unexpectedly with exit code 3"):
        list(tgd.DataLoader(Dies(), batch_size=2, num_workers=1))


def test_the_bundled_digits_still_train_through_the_new_loader():
    images, labels = tg.data.load_digits()
    loader = tg.data.DataLoader(tg.data.TensorDataset(images[:64], labels[:64]), batch_size=32, shuffle=True, seed=0)
    assert [tuple(x.shape) for x, _ in loader] == [(32, 1, 8, 8), (32, 1, 8, 8)]
