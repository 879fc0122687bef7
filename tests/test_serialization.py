"""tg.save / tg.load: safetensors files that round-trip exactly, fail clearly, and never half-write."""
from __future__ import annotations

import sys

import numpy as np
import pytest
import safetensors.numpy
import torch

import tinygrad_edu as tg
from tinygrad_edu import serialization


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.uint8, np.float16, np.bool_])
def test_round_trip_keeps_values_dtype_and_shape(tmp_path, dtype, device):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 5)) * 10).astype(dtype)
    path = tmp_path / "t.safetensors"
    tg.save({"x": tg.Tensor(array, device=device), "scalar": tg.Tensor(np.array(7, dtype=dtype))}, path)
    loaded = tg.load(path, device=device)
    assert set(loaded) == {"x", "scalar"}
    assert loaded["x"].dtype == dtype and loaded["x"].device == device
    np.testing.assert_array_equal(loaded["x"].numpy(), array)
    assert loaded["scalar"].shape == () and loaded["scalar"].item() == np.array(7, dtype=dtype).item()


@pytest.mark.parametrize("make_view", [
    lambda a: a.T,
    lambda a: a[:, ::2],
    lambda a: a[::-1],
    lambda a: np.broadcast_to(a[:1], a.shape),
], ids=["transposed", "strided", "reversed", "broadcast"])
def test_non_contiguous_arrays_are_saved_in_logical_order(tmp_path, make_view):
    view = make_view(np.arange(24, dtype=np.float32).reshape(4, 6))
    assert not view.flags.c_contiguous
    tg.save({"tensor": tg.Tensor(view), "array": view}, tmp_path / "v.safetensors")
    loaded = tg.load(tmp_path / "v.safetensors")
    np.testing.assert_array_equal(loaded["tensor"].numpy(), view)
    np.testing.assert_array_equal(loaded["array"].numpy(), view)


def test_flat_state_dict_is_a_plain_safetensors_file_other_readers_understand(tmp_path):
    weights = {"fc.weight": tg.randn(3, 2), "fc.bias": tg.zeros(3)}
    tg.save(weights, tmp_path / "m.safetensors")
    theirs = safetensors.numpy.load_file(str(tmp_path / "m.safetensors"))
    assert set(theirs) == {"fc.weight", "fc.bias"}
    np.testing.assert_array_equal(theirs["fc.weight"], weights["fc.weight"].numpy())
    from safetensors.torch import load_file
    np.testing.assert_array_equal(load_file(str(tmp_path / "m.safetensors"))["fc.bias"].numpy(), np.zeros(3))


def test_nested_checkpoint_comes_back_with_the_same_structure(tmp_path):
    checkpoint = {"model": {"w": tg.ones(2, 2)}, "epoch": 3, "history": [0.5, 0.25],
                  "optimizer": {"state": {0: {"step": 2, "exp_avg": tg.arange(3.0)}},
                                "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0], "name": None}]}}
    tg.save(checkpoint, tmp_path / "ckpt.safetensors")
    loaded = tg.load(tmp_path / "ckpt.safetensors")
    assert loaded["epoch"] == 3 and loaded["history"] == [0.5, 0.25]
    assert loaded["optimizer"]["param_groups"] == [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0], "name": None}]
    assert list(loaded["optimizer"]["state"]) == [0]           # int keys stay ints
    assert loaded["optimizer"]["state"][0]["step"] == 2
    np.testing.assert_array_equal(loaded["optimizer"]["state"][0]["exp_avg"].numpy(), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(loaded["model"]["w"].numpy(), np.ones((2, 2)))


def test_loaded_tensors_are_writable_and_independent_of_the_file(tmp_path):
    tg.save({"w": tg.ones(3)}, tmp_path / "w.safetensors")
    w = tg.load(tmp_path / "w.safetensors")["w"]
    w.array[0] = 5.0
    assert tg.load(tmp_path / "w.safetensors")["w"].tolist() == [1.0, 1.0, 1.0]


def test_save_does_not_change_the_state_dict(tmp_path):
    w = tg.randn(2, 3, requires_grad=True)
    sd = {"w": w}
    before = w.numpy().copy()
    tg.save(sd, tmp_path / "w.safetensors")
    assert sd == {"w": w} and w.requires_grad
    np.testing.assert_array_equal(w.numpy(), before)


def _good_file(tmp_path):
    path = tmp_path / "good.safetensors"
    tg.save({"w": tg.arange(100.0), "b": tg.ones(3)}, path)
    return path


@pytest.mark.parametrize("keep", [0, 5, 8, 20, -1, -100])
def test_truncated_file_is_a_clear_error_naming_the_path(tmp_path, keep):
    data = _good_file(tmp_path).read_bytes()
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(data[:keep])
    with pytest.raises(ValueError, match=r"load: '.*broken\.safetensors' (is not a safetensors file|is truncated)"):
        tg.load(broken)


def test_file_that_is_not_safetensors_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a model" * 10)
    with pytest.raises(ValueError, match=r"load: '.*notes\.txt' is not a safetensors file"):
        tg.load(path)


def test_corrupt_header_is_a_clear_error(tmp_path):
    data = bytearray(_good_file(tmp_path).read_bytes())
    data[10:14] = b"\xff\xfe{{"
    path = tmp_path / "corrupt.safetensors"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"corrupt\.safetensors' is not a safetensors file or is corrupt"):
        tg.load(path)


def test_header_with_inconsistent_offsets_is_a_clear_error(tmp_path):
    header = b'{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}'
    path = tmp_path / "lying.safetensors"
    path.write_bytes(len(header).to_bytes(8, "little") + header + bytes(8))
    with pytest.raises(ValueError, match=r"lying\.safetensors' is corrupt or not a safetensors file"):
        tg.load(path)


@pytest.mark.parametrize("offsets", ['"0-8"', "[8]", "null", '[0, "8"]', "[0, 8.5]"])
def test_header_with_malformed_offsets_is_a_clear_error(tmp_path, offsets):
    header = ('{"w":{"dtype":"F32","shape":[2],"data_offsets":%s}}' % offsets).encode()
    path = tmp_path / "mangled.safetensors"
    path.write_bytes(len(header).to_bytes(8, "little") + header + bytes(8))
    with pytest.raises(ValueError, match=r"mangled\.safetensors' is corrupt: the header entry for 'w' has no valid "
                                         r"data_offsets"):
        tg.load(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"load: no such file: '.*nothing\.safetensors'"):
        tg.load(tmp_path / "nothing.safetensors")


def test_saving_into_a_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"save: the directory '.*nowhere' .* does not exist"):
        tg.save({"w": tg.ones(1)}, tmp_path / "nowhere" / "w.safetensors")


@pytest.mark.parametrize("state_dict, error, message", [
    ([object()], TypeError, "cannot store '0' of type object"),
    ({"w": object()}, TypeError, "cannot store 'w' of type object"),
    ({(1, 2): tg.ones(1)}, TypeError, "keys must be strings or ints"),
    ({"a.b": tg.ones(1), "a": {"b": tg.ones(1)}}, ValueError, "both be stored under the name 'a.b'"),
    ({"z": np.array([1 + 2j]), "n": 1}, TypeError, r"dtypes \['complex128'\]"),
])
def test_unsavable_values_are_clear_errors_and_write_nothing(tmp_path, state_dict, error, message):
    with pytest.raises(error, match=message):
        tg.save(state_dict, tmp_path / "x.safetensors")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failing_write_leaves_the_old_file_intact_and_no_temp_file(tmp_path, monkeypatch, failing):
    path = _good_file(tmp_path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(f"simulated {failing} failure (disk full)")
    monkeypatch.setattr(serialization.os, failing, fail)
    with pytest.raises(OSError, match="simulated"):
        tg.save({"w": tg.zeros(100)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["good.safetensors"]


def test_overwriting_replaces_the_whole_file(tmp_path):
    path = _good_file(tmp_path)
    tg.save({"only": tg.zeros(2)}, path)
    assert list(tg.load(path)) == ["only"]


def test_missing_safetensors_gives_an_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad_edu\[io\]"'):
        tg.save({"w": tg.ones(1)}, tmp_path / "w.safetensors")
    with pytest.raises(ImportError, match=r'pip install "tinygrad_edu\[io\]"'):
        tg.load(tmp_path / "w.safetensors")


def test_serialization_never_uses_pickle():
    source = open(serialization.__file__).read()
    for unsafe in ("import pickle", "np.load(", "allow_pickle", "torch.load"):
        assert unsafe not in source


def _small_convnet(classes: int = 3):
    from tinygrad_edu import nn
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 4 * 4, classes))


def _outputs(model, x):
    with tg.no_grad():
        return model(x).numpy()


def test_model_state_dict_through_a_file_gives_identical_outputs(tmp_path, device):
    tg.manual_seed(0)
    model = _small_convnet().to(device)
    x = tg.randn(2, 1, 8, 8, device=device)
    tg.save(model.state_dict(), tmp_path / "model.safetensors")
    tg.manual_seed(1)
    fresh = _small_convnet().to(device)
    assert not np.array_equal(_outputs(fresh, x), _outputs(model, x))
    fresh.load_state_dict(tg.load(tmp_path / "model.safetensors", device=device))
    np.testing.assert_array_equal(_outputs(fresh, x), _outputs(model, x))


def test_model_saved_on_one_device_loads_on_another(tmp_path, device):
    tg.manual_seed(0)
    model = _small_convnet()
    tg.save(model.state_dict(), tmp_path / "model.safetensors")
    moved = _small_convnet().to(device)
    moved.load_state_dict(tg.load(tmp_path / "model.safetensors", device=device))
    x = tg.randn(2, 1, 8, 8)
    np.testing.assert_array_equal(_outputs(moved, x.to(device)), _outputs(model, x))


def test_a_file_for_another_architecture_leaves_the_model_unchanged(tmp_path):
    tg.manual_seed(0)
    tg.save(_small_convnet(classes=5).state_dict(), tmp_path / "other.safetensors")
    model = _small_convnet(classes=3)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match=r"shape \(5, 64\) in the state dict does not match shape \(3, 64\)"):
        model.load_state_dict(tg.load(tmp_path / "other.safetensors"))
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_a_truncated_model_file_fails_before_touching_the_model(tmp_path):
    model = _small_convnet()
    tg.save(model.state_dict(), tmp_path / "model.safetensors")
    data = (tmp_path / "model.safetensors").read_bytes()
    (tmp_path / "model.safetensors").write_bytes(data[: len(data) // 2])
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with pytest.raises(ValueError, match="is truncated"):
        model.load_state_dict(tg.load(tmp_path / "model.safetensors"))
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_a_torch_model_saved_with_safetensors_loads_into_the_same_architecture(tmp_path):
    from safetensors.torch import save_file
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
                                 torch.nn.Flatten(), torch.nn.Linear(64, 3))
    save_file(theirs.state_dict(), str(tmp_path / "torch.safetensors"))
    ours = _small_convnet()
    ours.load_state_dict(tg.load(tmp_path / "torch.safetensors"))
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        expected = theirs(torch.tensor(x)).numpy()
    np.testing.assert_allclose(_outputs(ours, tg.Tensor(x)), expected, rtol=1e-5, atol=1e-6)


# ---- nesting limits: a hostile file is a ValueError naming it, never a RecursionError ----------

def _file_with_structure(path, structure: str):
    safetensors.numpy.save_file({"w": np.ones(2, np.float32)}, str(path), metadata={serialization.STRUCTURE_KEY: structure})
    return path


def _nested(levels: int, leaf):
    value = leaf
    for _ in range(levels):
        value = {"a": value}
    return value


@pytest.mark.parametrize("kind", ["list", "dict", "brackets"])
def test_metadata_nesting_10000_levels_is_a_value_error_naming_the_file(tmp_path, kind):
    opening, closing = {"list": ('{"list": [', "]}"), "dict": ('{"dict": [["k", ', "]]}"),
                        "brackets": ("[", "]")}[kind]
    structure = opening * 10_000 + '{"tensor": "w"}' + closing * 10_000
    path = _file_with_structure(tmp_path / "deep.safetensors", structure)
    with pytest.raises(ValueError, match=r"load: '.*deep\.safetensors' is corrupt or hostile: its "
                                         r"'tinygrad_edu.structure' metadata nests more than 64 levels deep"):
        tg.load(path)


def test_a_header_nesting_10000_levels_is_a_value_error_naming_the_file(tmp_path):
    header = ('{"w":{"dtype":"F32","shape":' + "[" * 10_000 + "]" * 10_000 + ',"data_offsets":[0,4]}}').encode()
    path = tmp_path / "deep-header.safetensors"
    path.write_bytes(len(header).to_bytes(8, "little") + header + bytes(4))
    with pytest.raises(ValueError, match=r"load: '.*deep-header\.safetensors' is not a safetensors file or is "
                                         r"corrupt: its header is not valid JSON or nests more than 8 levels deep"):
        tg.load(path)


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path):
    checkpoint = {"note": "[[[[{{{{" * 1000, "w": tg.ones(2)}
    tg.save(checkpoint, tmp_path / "brackets.safetensors")
    assert tg.load(tmp_path / "brackets.safetensors")["note"] == checkpoint["note"]


def test_the_deepest_checkpoint_save_allows_loads_back(tmp_path):
    deepest = _nested(serialization.MAX_DEPTH - 1, [tg.arange(3.0), 7])   # the list's items sit at depth 64
    tg.save(deepest, tmp_path / "deepest.safetensors")
    loaded = tg.load(tmp_path / "deepest.safetensors")
    for _ in range(serialization.MAX_DEPTH - 1):
        loaded = loaded["a"]
    assert loaded[1] == 7 and loaded[0].tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("levels", [64, 10_000], ids=["one-too-deep", "ten-thousand"])
def test_save_refuses_a_structure_deeper_than_load_accepts_and_writes_nothing(tmp_path, levels):
    with pytest.raises(ValueError, match=r"save: the structure nests more than 64 dicts/lists deep at 'a\.a\.a"):
        tg.save(_nested(levels, [1]), tmp_path / "deep.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_save_of_a_dict_that_contains_itself_is_a_value_error(tmp_path):
    loop = {"w": tg.ones(1)}
    loop["self"] = loop
    with pytest.raises(ValueError, match="nests more than 64"):
        tg.save(loop, tmp_path / "loop.safetensors")


def test_too_many_entries_are_refused_by_save_and_by_load(tmp_path, monkeypatch):
    tg.save({"history": list(range(20)), "w": tg.ones(1)}, tmp_path / "long.safetensors")
    monkeypatch.setattr(serialization, "MAX_ENTRIES", 10)
    with pytest.raises(ValueError, match=r"save: the structure has more than 10 entries"):
        tg.save({"history": list(range(20))}, tmp_path / "refused.safetensors")
    with pytest.raises(ValueError, match=r"load: '.*long\.safetensors' is corrupt or hostile: its "
                                         r"'tinygrad_edu.structure' metadata has 23 entries, more than the 10"):
        tg.load(tmp_path / "long.safetensors")


def test_too_large_a_structure_is_refused_by_save_and_by_load(tmp_path, monkeypatch):
    tg.save({"note": "x" * 1000}, tmp_path / "large.safetensors")
    monkeypatch.setattr(serialization, "MAX_STRUCTURE_BYTES", 500)
    with pytest.raises(ValueError, match=r"save: the structure takes \d+ bytes of metadata, more than the 500"):
        tg.save({"note": "x" * 1000}, tmp_path / "refused.safetensors")
    with pytest.raises(ValueError, match=r"load: '.*large\.safetensors' .* takes \d+ bytes, more than the 500"):
        tg.load(tmp_path / "large.safetensors")


def test_a_header_larger_than_safetensors_allows_is_refused_before_reading_it(tmp_path):
    path = tmp_path / "huge-header.safetensors"
    size = serialization.HEADER_MAX_BYTES + 1
    with open(path, "wb") as file:   # a sparse file: the header is never written, only promised
        file.write(size.to_bytes(8, "little"))
        file.truncate(8 + size)
    with pytest.raises(ValueError, match=r"huge-header\.safetensors' is not a safetensors file: its header would "
                                         r"be 100000001 bytes"):
        tg.load(path)


# ---- load_state_dict with values that are not numbers -----------------------------------------

@pytest.mark.parametrize("value", ["hello", None, {"w": 1}], ids=["str", "None", "dict"])
def test_load_state_dict_with_a_non_array_value_is_a_type_error_naming_the_key(value):
    from tinygrad_edu import nn
    tg.manual_seed(0)
    model = nn.Linear(2, 3)
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    with pytest.raises(TypeError, match=r"load_state_dict: cannot load into Linear; the model was not changed:\n  "
                                        r"'weight' should be a Tensor or array of shape \(3, 2\) and dtype float32, "
                                        rf"got a {type(value).__name__}"):
        model.load_state_dict({"weight": value, "bias": tg.ones(3)})
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), before[k])


def test_load_state_dict_still_takes_nested_lists_and_numpy_scalars():
    from tinygrad_edu import nn
    model = nn.Linear(1, 2)
    model.load_state_dict({"weight": [[1.0], [2.0]], "bias": np.zeros(2)})
    assert model.weight.tolist() == [[1.0], [2.0]]
    scale = nn.Linear(1, 1, bias=False)
    scale.load_state_dict({"weight": np.array([[np.float32(3.0)]])})
    assert scale.weight.item() == 3.0
