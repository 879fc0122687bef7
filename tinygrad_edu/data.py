"""Data: the bundled handwritten digits, an MNIST file reader, and a train/test split.

    images, labels = load_digits()                          # (1797, 1, 8, 8) float32, (1797,) int64
    x_train, x_test, y_train, y_test = train_test_split(images, labels, stratify=labels)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True, seed=0)
    for x, y in loader:
        ...

Batching lives in tinygrad_edu.utils.data (PyTorch's torch.utils.data); DataLoader and
TensorDataset are re-exported here so that `tg.data.DataLoader` keeps working.

NumPy is used here on the host, for reading files and shuffling indices; the tensors handed
out live on whichever device was asked for.
"""
from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor
from tinygrad_edu.utils.data import DataLoader, TensorDataset  # noqa: F401 — re-exported: tg.data.DataLoader

# The digits ship inside the package (assets/README.md says where they come from, and their
# licence): 1,797 images of 8x8 pixels that count 0..16, and their labels, both as uint8.
DIGITS_FILE = Path(__file__).resolve().parent / "assets" / "digits.npz"


def load_digits(device: str | None = None) -> tuple[Tensor, Tensor]:
    """The 1,797 handwritten digits (8x8 pixels) of the UCI test set, shipped with the package.

    These are the digits scikit-learn's `load_digits` gives, stored here so that only NumPy is
    needed and nothing is downloaded. Returns `(images, labels)`: images are float32 of shape
    (N, 1, 8, 8) scaled to [0, 1] (the original pixels count 0..16 and are divided by 16);
    labels are int64 of shape (N,), the digit 0..9. The shape (N, channels, height, width) is
    what `nn.Conv2d` takes, so the images go straight into a ConvNet; an MLP wants
    `images.flatten(1)`, shape (N, 64).
    """
    with np.load(DIGITS_FILE) as stored:
        pixels, labels = stored["pixels"], stored["labels"]
    images = (pixels.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)   # k/16 is exact: the same values as ever
    return Tensor(images, device=device), Tensor(labels.astype(np.int64), device=device)


# MNIST comes as IDX files: two zero bytes, a type code, the number of dimensions, then each
# dimension as a big-endian uint32, then the values, big-endian, in row-major order.
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


# IDX allows up to 255 dimensions, NumPy 1 arrays only 32; MNIST's files have 1 or 3.
IDX_MAX_DIMS = 32


def _read_bytes(path: Path, op: str) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(f"{op}: no such file: {str(path)!r}") from None
    except IsADirectoryError:
        raise ValueError(f"{op}: {str(path)!r} is a directory, not an IDX file") from None
    if raw[:2] == b"\x1f\x8b":   # the gzip magic number: decompress whatever the file is called
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise ValueError(f"{op}: {str(path)!r} is a damaged gzip file: {e}") from None
    return raw


def read_idx(path: str | os.PathLike, op: str = "read_idx") -> np.ndarray:
    """Read one IDX file (raw or gzip-compressed) into a NumPy array of its shape and dtype."""
    path = Path(path)
    raw = _read_bytes(path, op)
    where = f"{op}: {str(path)!r}"
    if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in IDX_DTYPES:
        raise ValueError(f"{where} is not an IDX file: bad magic number 0x{raw[:4].hex()}; expected two zero "
                         f"bytes, a type code (0x08 for unsigned bytes) and the number of dimensions")
    ndim = raw[3]
    if ndim > IDX_MAX_DIMS:
        raise ValueError(f"{where} is corrupt or not an IDX file: its header declares {ndim} dimensions, "
                         f"more than the {IDX_MAX_DIMS} an array can have")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"{where} is truncated: its header should list {ndim} dimensions but the file "
                         f"has only {len(raw)} bytes")
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    dtype = np.dtype(IDX_DTYPES[raw[2]])
    count = math.prod(shape)
    needed, found = count * dtype.itemsize, len(raw) - header_size
    if found < needed:
        raise ValueError(f"{where} is truncated: shape {shape} needs {needed} bytes of data but only "
                         f"{found} are there")
    if found > needed:
        raise ValueError(f"{where} is corrupt: it has {found - needed} bytes more than its shape {shape} describes")
    values = np.frombuffer(raw, dtype=dtype, count=count, offset=header_size)
    return values.reshape(shape).astype(dtype.newbyteorder("="))   # a native-order, writable copy


def _find_mnist_file(directory: Path, split: str, kind: str, dims: int) -> Path:
    stems = [f"{split}-{kind}-idx{dims}-ubyte", f"{split}-{kind}.idx{dims}-ubyte"]
    candidates = [directory / (stem + suffix) for stem in stems for suffix in ("", ".gz")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"load_mnist: no MNIST {kind} file in {str(directory)!r}; looked for "
                            f"{', '.join(c.name for c in candidates)}")


def load_mnist(path: str | os.PathLike, train: bool = True, device: str | None = None) -> tuple[Tensor, Tensor]:
    """MNIST from the original IDX files in the directory `path` (raw or .gz, as downloaded).

    Reads train-images-idx3-ubyte and train-labels-idx1-ubyte (or the t10k-* files when
    train=False). Returns `(images, labels)`: float32 images of shape (N, 1, 28, 28) scaled to
    [0, 1], and int64 labels of shape (N,), like `load_digits`.
    """
    directory = Path(path)
    if not directory.is_dir():
        raise FileNotFoundError(f"load_mnist: {str(directory)!r} is not a directory; pass the folder that "
                                f"holds the MNIST IDX files")
    split = "train" if train else "t10k"
    images_path = _find_mnist_file(directory, split, "images", 3)
    labels_path = _find_mnist_file(directory, split, "labels", 1)
    images = read_idx(images_path, "load_mnist")
    labels = read_idx(labels_path, "load_mnist")
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(f"load_mnist: {str(images_path)!r} should hold unsigned bytes of shape (N, rows, columns), "
                         f"but holds {images.dtype} of shape {images.shape}")
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(f"load_mnist: {str(labels_path)!r} should hold unsigned bytes of shape (N,), "
                         f"but holds {labels.dtype} of shape {labels.shape}")
    if len(images) != len(labels):
        raise ValueError(f"load_mnist: {str(images_path)!r} holds {len(images)} images but {str(labels_path)!r} "
                         f"holds {len(labels)} labels")
    pixels = (images.astype(np.float32) / 255.0)[:, None]
    return Tensor(pixels, device=device), Tensor(labels.astype(np.int64), device=device)


def _take(data: Any, index: np.ndarray) -> Any:
    if isinstance(data, list):
        return [data[i] for i in index]
    return data[index]


def train_test_split(*arrays: Any, test_size: float | int = 0.25, seed: int = 0,
                     stratify: Any = None) -> list[Any]:
    """Split tensors, arrays or lists (one row per sample) into a random train and test part.

    Returns [a_train, a_test, b_train, b_test, ...] like scikit-learn's function of that name.
    `test_size` is a fraction in (0, 1) (rounded up to whole samples) or a number of samples.
    With `stratify=labels` each class keeps its share in both parts, as near as whole samples allow.
    """
    if not arrays:
        raise ValueError("train_test_split: needs at least one tensor or array to split")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"train_test_split: all inputs need the same number of rows, got {lengths}")
    n = lengths[0]
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"train_test_split: a fractional test_size must be in (0, 1), got {test_size}")
        n_test = math.ceil(test_size * n)
    else:
        n_test = int(test_size)
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: test_size={test_size} of {n} samples leaves {n_test} for testing "
                         f"and {n - n_test} for training; both must be at least 1")
    rng = np.random.default_rng(seed)
    if stratify is None:
        order = rng.permutation(n)
        test_index, train_index = order[:n_test], order[n_test:]
    else:
        test_index, train_index = _stratified_indices(stratify, n, n_test, rng)
    return [part for a in arrays for part in (_take(a, train_index), _take(a, test_index))]


def _stratified_indices(stratify: Any, n: int, n_test: int,
                        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    labels = stratify.numpy() if isinstance(stratify, Tensor) else np.asarray(stratify)
    if labels.shape[:1] != (n,):
        raise ValueError(f"train_test_split: stratify has shape {labels.shape}, expected {n} labels")
    _, label_ids = np.unique(labels, return_inverse=True, axis=0)
    counts = np.bincount(label_ids.reshape(-1))
    share = counts * n_test / n
    per_class = np.floor(share).astype(np.int64)
    # Hand out the test samples still missing to the classes whose share was rounded down most.
    missing = n_test - int(per_class.sum())
    per_class[np.argsort(-(share - per_class), kind="stable")[:missing]] += 1
    test_parts, train_parts = [], []
    for label, k in enumerate(per_class):
        members = rng.permutation(np.flatnonzero(label_ids.reshape(-1) == label))
        test_parts.append(members[:k])
        train_parts.append(members[k:])
    return rng.permutation(np.concatenate(test_parts)), rng.permutation(np.concatenate(train_parts))
