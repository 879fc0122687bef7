"""Data: bundled digits, the IDX reader on files the tests write, datasets, loaders and splits."""
from __future__ import annotations

import gzip
import struct
import sys

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.data import DataLoader, TensorDataset, load_digits, load_mnist, read_idx, train_test_split


def test_load_digits_gives_conv_ready_images_in_unit_range_and_int_labels():
    images, labels = load_digits()
    assert images.shape == (1797, 1, 8, 8) and images.dtype == tg.float32
    assert labels.shape == (1797,) and labels.dtype == tg.int64
    assert images.numpy().min() == 0.0 and images.numpy().max() == 1.0
    assert np.array_equal(np.unique(images.numpy() * 16), np.arange(17))   # the 17 counts 0..16 of the original
    assert np.bincount(labels.numpy()).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_load_digits_gives_exactly_what_it_gave_through_scikit_learn():
    """The shipped file must change no example's numbers: the arrays equal, bit for bit, what
    load_digits made of scikit-learn's digits before they were bundled."""
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    digits = sklearn_datasets.load_digits()
    images, labels = load_digits()
    before = (digits.images / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    assert images.numpy().dtype == before.dtype and images.numpy().tobytes() == before.tobytes()
    assert labels.numpy().dtype == np.int64 and np.array_equal(labels.numpy(), digits.target)


def test_load_digits_puts_tensors_on_the_requested_device(device):
    images, labels = load_digits(device=device)
    assert images.device == device and labels.device == device


def test_load_digits_needs_no_scikit_learn(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    images, labels = load_digits()
    assert images.shape == (1797, 1, 8, 8) and labels.shape == (1797,)


def _idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    big_endian = array.astype(array.dtype.newbyteorder(">"))
    return bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + big_endian.tobytes()


def _write_mnist(directory, images, labels, split="train", compress=False, dotted=False):
    suffix = ".gz" if compress else ""
    sep = "." if dotted else "-"
    for kind, dims, array in (("images", 3, images), ("labels", 1, labels)):
        raw = _idx_bytes(array)
        path = directory / f"{split}-{kind}{sep}idx{dims}-ubyte{suffix}"
        path.write_bytes(gzip.compress(raw, mtime=0) if compress else raw)


def _tiny_mnist(n=5, rows=4, cols=3):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(n, rows, cols), dtype=np.uint8), rng.integers(0, 10, size=n, dtype=np.uint8)


@pytest.mark.parametrize("compress", [False, True], ids=["raw", "gzip"])
@pytest.mark.parametrize("split", ["train", "t10k"])
def test_load_mnist_reads_idx_files(tmp_path, compress, split):
    images, labels = _tiny_mnist()
    _write_mnist(tmp_path, images, labels, split, compress)
    x, y = load_mnist(tmp_path, train=split == "train")
    assert x.shape == (5, 1, 4, 3) and x.dtype == tg.float32
    np.testing.assert_allclose(x.numpy()[:, 0], images / 255.0, rtol=1e-6)
    assert y.dtype == tg.int64 and y.tolist() == labels.tolist()


def test_load_mnist_accepts_the_dotted_file_names_and_a_device(tmp_path, device):
    images, labels = _tiny_mnist()
    _write_mnist(tmp_path, images, labels, dotted=True)
    x, y = load_mnist(str(tmp_path), device=device)
    assert x.device == device and y.tolist() == labels.tolist()


@pytest.mark.parametrize("array, code", [
    (np.arange(6, dtype=np.int8).reshape(2, 3) - 3, 0x09),
    (np.arange(6, dtype=np.int16) * 1000, 0x0B),
    (np.arange(6, dtype=np.int32) * 100000, 0x0C),
    (np.linspace(-1, 1, 6, dtype=np.float32), 0x0D),
    (np.linspace(-1, 1, 4, dtype=np.float64).reshape(2, 1, 2), 0x0E),
    (np.zeros((0, 5), dtype=np.uint8), 0x08),
])
def test_read_idx_reads_every_idx_type_in_native_byte_order(tmp_path, array, code):
    (tmp_path / "f.idx").write_bytes(_idx_bytes(array, code))
    loaded = read_idx(tmp_path / "f.idx")
    assert loaded.shape == array.shape and loaded.dtype == array.dtype and loaded.dtype.isnative
    np.testing.assert_array_equal(loaded, array)


# mtime=0: gzip writes the time into its header, and these bytes are part of the collected test.
@pytest.mark.parametrize("content, message", [
    pytest.param(b"\x00\x00\x08", "bad magic number 0x000008", id="short-header"),
    pytest.param(b"\x01\x00\x08\x01" + bytes(8), "bad magic number 0x01000801", id="nonzero-magic"),
    pytest.param(b"\x00\x00\x07\x01" + bytes(8), "bad magic number 0x00000701", id="unknown-type"),
    pytest.param(b"GIF89a" + bytes(20), "not an IDX file", id="gif"),
    pytest.param(b"\x00\x00\x08\x03\x00\x00\x00\x02", r"truncated: its header should list 3 dimensions",
                 id="truncated-header"),
    pytest.param(_idx_bytes(np.zeros((4, 3), np.uint8))[:-5],
                 r"truncated: shape \(4, 3\) needs 12 bytes of data but only 7", id="truncated-data"),
    pytest.param(_idx_bytes(np.zeros(3, np.uint8)) + b"xx", r"corrupt: it has 2 bytes more than its shape \(3,\)",
                 id="extra-bytes"),
    pytest.param(gzip.compress(_idx_bytes(np.zeros(50, np.uint8)), mtime=0)[:-10], "damaged gzip file",
                 id="damaged-gzip"),
])
def test_read_idx_rejects_bad_files_with_clear_errors_naming_the_path(tmp_path, content, message):
    (tmp_path / "bad-file").write_bytes(content)
    with pytest.raises(ValueError, match=r"read_idx: '.*bad-file' .*" + message):
        read_idx(tmp_path / "bad-file")


def test_read_idx_on_a_folder_is_a_value_error_naming_it(tmp_path):
    (tmp_path / "mnist").mkdir()
    with pytest.raises(ValueError, match=r"read_idx: '.*mnist' is a directory, not an IDX file"):
        read_idx(tmp_path / "mnist")


@pytest.mark.parametrize("dim_size", [0, 1, 2], ids=["zeros", "ones", "twos"])
def test_read_idx_with_a_header_declaring_255_dimensions_names_the_file(tmp_path, dim_size):
    # With sizes 0 or 1 the data is (almost) empty, so only the dimension count can be wrong.
    data_bytes = dim_size ** 255 if dim_size < 2 else 0
    (tmp_path / "wide-file").write_bytes(b"\x00\x00\x08\xff" + struct.pack(">I", dim_size) * 255 + bytes(data_bytes))
    with pytest.raises(ValueError, match=r"read_idx: '.*wide-file' is corrupt or not an IDX file: its header "
                                         r"declares 255 dimensions, more than the 32"):
        read_idx(tmp_path / "wide-file")


def test_load_mnist_with_mismatched_counts_is_a_clear_error(tmp_path):
    images, labels = _tiny_mnist(n=5)
    _write_mnist(tmp_path, images, labels[:4])
    with pytest.raises(ValueError, match=r"holds 5 images but '.*train-labels-idx1-ubyte' holds 4 labels"):
        load_mnist(tmp_path)


def test_load_mnist_with_a_truncated_image_file_names_it(tmp_path):
    images, labels = _tiny_mnist()
    _write_mnist(tmp_path, images, labels)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(ValueError, match=r"load_mnist: '.*train-images-idx3-ubyte' is truncated"):
        load_mnist(tmp_path)


def test_load_mnist_with_swapped_files_is_a_clear_error(tmp_path):
    images, labels = _tiny_mnist()
    _write_mnist(tmp_path, images, labels)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(images))
    with pytest.raises(ValueError, match=r"shape \(N,\), but holds uint8 of shape \(5, 4, 3\)"):
        load_mnist(tmp_path)


def test_load_mnist_names_the_files_it_looked_for(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no MNIST images file in .*train-images-idx3-ubyte"):
        load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="is not a directory"):
        load_mnist(tmp_path / "missing")


def test_tensor_dataset_items_are_rows_of_every_tensor():
    x, y = tg.arange(12.0).reshape(4, 3), tg.Tensor([0, 1, 0, 1])
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    row, label = ds[2]
    assert row.tolist() == [6.0, 7.0, 8.0] and label.item() == 0


@pytest.mark.parametrize("tensors, message", [
    ((tg.zeros(4, 2), tg.zeros(3)), r"same size in dim 0.*\(4, 2\), \(3,\)"),
    ((tg.zeros(4), tg.Tensor(1.0)), r"same size in dim 0.*\(4,\), \(\)"),
    ((), "needs at least one tensor"),
])
def test_tensor_dataset_with_mismatched_sizes_is_a_clear_error(tensors, message):
    with pytest.raises(ValueError, match=message):
        TensorDataset(*tensors)


def test_data_loader_yields_stacked_batches_in_order_with_a_short_last_batch(device):
    x = tg.arange(10.0, device=device).reshape(5, 2)
    y = tg.arange(5, device=device)
    batches = list(DataLoader(TensorDataset(x, y), batch_size=2))
    assert [b[1].tolist() for b in batches] == [[0, 1], [2, 3], [4]]
    assert batches[0][0].shape == (2, 2) and batches[0][0].device == device
    assert len(DataLoader(TensorDataset(x, y), batch_size=2)) == 3


def test_data_loader_drop_last_drops_the_short_batch():
    loader = DataLoader(TensorDataset(tg.arange(5)), batch_size=2, drop_last=True)
    assert len(loader) == 2 and [b[0].tolist() for b in loader] == [[0, 1], [2, 3]]


def _epoch(loader):
    return [i for (batch,) in loader for i in batch.tolist()]


def test_data_loader_with_a_seed_shuffles_the_same_way_on_every_run(device):
    ds = TensorDataset(tg.arange(20, device=device))
    first = DataLoader(ds, batch_size=3, shuffle=True, seed=7)
    second = DataLoader(ds, batch_size=3, shuffle=True, seed=7)
    epochs_a = [_epoch(first) for _ in range(3)]
    epochs_b = [_epoch(second) for _ in range(3)]
    assert epochs_a == epochs_b
    assert sorted(epochs_a[0]) == list(range(20)) and epochs_a[0] != list(range(20))
    assert epochs_a[0] != epochs_a[1]               # a new order each epoch
    assert _epoch(DataLoader(ds, batch_size=3, shuffle=True, seed=8)) != epochs_a[0]


def test_data_loader_without_a_seed_follows_manual_seed():
    ds = TensorDataset(tg.arange(20))
    tg.manual_seed(3)
    a = _epoch(DataLoader(ds, batch_size=4, shuffle=True))
    tg.manual_seed(3)
    assert _epoch(DataLoader(ds, batch_size=4, shuffle=True)) == a


class _Squares:
    """A dataset written by hand: items are (tensor, int, dict) tuples."""

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return tg.Tensor([float(i), float(i * i)]), i, {"even": i % 2 == 0}


def test_data_loader_collates_any_dataset_like_the_tensor_dataset_fast_path():
    batches = list(DataLoader(_Squares(), batch_size=2, shuffle=True, seed=0))
    xs = [x for x, _, _ in batches]
    assert xs[0].shape == (2, 2) and batches[-1][1].dtype == tg.int64
    values = [row for x in xs for row in x.tolist()]
    assert sorted(values) == [[float(i), float(i * i)] for i in range(5)]
    fast = DataLoader(TensorDataset(tg.Tensor([[float(i), float(i * i)] for i in range(5)])), batch_size=2,
                      shuffle=True, seed=0)
    assert [row for (x,) in fast for row in x.tolist()] == values
    assert batches[0][2]["even"].dtype == tg.bool


@pytest.mark.parametrize("batch_size", [0, -2, 2.5, True])
def test_data_loader_rejects_a_batch_size_that_is_not_a_positive_int(batch_size):
    with pytest.raises(ValueError, match="DataLoader: batch_size should be a positive integer value"):
        DataLoader(TensorDataset(tg.zeros(3)), batch_size=batch_size)


def test_data_loader_rejects_samples_it_cannot_batch():
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, numbers, "
                                        "dicts or lists; found <class 'object'>"):
        next(iter(DataLoader([object(), object()], batch_size=2)))


class _Ragged:
    """Samples whose first field changes length at sample 5: 3 values, then 4."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return tg.zeros(3 if i < 5 else 4), i


@pytest.mark.parametrize("as_array", [False, True], ids=["tensors", "arrays"])
def test_data_loader_over_samples_of_different_shapes_names_batch_samples_and_shapes(as_array):
    samples = [np.zeros(3, np.float32), np.zeros(4, np.float32)]
    dataset = samples if as_array else [tg.Tensor(a) for a in samples]
    with pytest.raises(RuntimeError, match=r"DataLoader: cannot make batch 0 \(dataset indices \[0, 1\]\): stack "
                                           r"expects each tensor to be equal size, but got \[3\] at entry 0 and "
                                           r"\[4\] at entry 1$"):
        next(iter(DataLoader(dataset, batch_size=2)))


def test_data_loader_shape_error_names_the_field_and_the_dataset_indices():
    loader = iter(DataLoader(_Ragged(), batch_size=3))
    next(loader)   # samples 0, 1, 2: all of length 3
    with pytest.raises(RuntimeError, match=r"cannot make batch 1 \(dataset indices \[3, 4, 5\]\): .* but got \[3\] "
                                           r"at entry 0 and \[4\] at entry 2 \(in field \[0\]\)"):
        next(loader)


def test_train_test_split_partitions_rows_consistently_across_inputs(device):
    x = tg.arange(40, device=device).reshape(20, 2)
    y = tg.arange(20, device=device)
    arr = np.arange(20) * 10
    x_train, x_test, y_train, y_test, a_train, a_test = train_test_split(x, y, arr, test_size=0.25, seed=1)
    assert x_test.shape == (5, 2) and x_train.shape == (15, 2) and x_test.device == device
    assert isinstance(a_train, np.ndarray)
    assert sorted(y_train.tolist() + y_test.tolist()) == list(range(20))
    assert (x_test.numpy()[:, 0] == y_test.numpy() * 2).all() and (a_test == y_test.numpy() * 10).all()
    again = train_test_split(x, y, arr, test_size=0.25, seed=1)
    assert again[3].tolist() == y_test.tolist()
    assert train_test_split(x, y, test_size=0.25, seed=2)[3].tolist() != y_test.tolist()


def test_train_test_split_with_an_integer_test_size_and_lists():
    train, test = train_test_split(list("abcdefg"), test_size=2)
    assert len(test) == 2 and sorted(train + test) == list("abcdefg")


def test_stratified_split_keeps_each_class_share():
    labels = np.array([0] * 50 + [1] * 30 + [2] * 20)
    y_train, y_test = train_test_split(tg.Tensor(labels), test_size=0.2, stratify=tg.Tensor(labels))
    assert np.bincount(y_test.numpy()).tolist() == [10, 6, 4]
    assert np.bincount(y_train.numpy()).tolist() == [40, 24, 16]


def test_stratified_split_rounds_to_exactly_the_asked_test_size():
    images, labels = load_digits()
    _, test_labels = train_test_split(labels, test_size=0.2, stratify=labels)
    counts = np.bincount(test_labels.numpy(), minlength=10)
    share = np.bincount(labels.numpy()) * 360 / 1797
    assert counts.sum() == 360 and (np.abs(counts - share) < 1).all()


@pytest.mark.parametrize("kwargs, arrays, message", [
    ({}, (), "needs at least one"),
    ({}, (np.zeros(4), np.zeros(5)), r"same number of rows, got \[4, 5\]"),
    ({"test_size": 1.5}, (np.zeros(4),), r"must be in \(0, 1\)"),
    ({"test_size": 4}, (np.zeros(4),), "leaves 4 for testing and 0 for training"),
    ({"test_size": 0.01}, (np.zeros(4),), None),
    ({"stratify": np.zeros(3)}, (np.zeros(4),), r"stratify has shape \(3,\), expected 4 labels"),
])
def test_train_test_split_rejects_impossible_splits(kwargs, arrays, message):
    if message is None:   # a small fraction still leaves one test sample (rounded up)
        assert len(train_test_split(*arrays, **kwargs)[1]) == 1
        return
    with pytest.raises(ValueError, match=message):
        train_test_split(*arrays, **kwargs)


def test_the_loader_here_is_the_one_of_utils_data():
    assert DataLoader is tg.utils.data.DataLoader and TensorDataset is tg.utils.data.TensorDataset


def test_data_and_optim_are_reachable_from_the_package_alone():
    import subprocess
    code = "import tinygrad_edu as tg; tg.data.load_digits; tg.data.DataLoader; tg.optim.SGD; tg.save; tg.load"
    subprocess.run([sys.executable, "-c", code], check=True)
