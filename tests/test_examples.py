"""Every example runs in --quick mode, writes its pictures, and shows what it claims.

Each example is a plain script, run as `python examples/<name>.py --quick` would run it
(tests/example_runner.py); its global variables hold the numbers its claims rest on, which the
tests/test_example_claims_*.py files check. An example runs once per (name, device, seed) in a
test session (the `quick_runs` fixture in conftest.py). Examples 11 to 15 share one trained
digits ConvNet through tinygrad_edu.tutorial's cache file, which the tests keep in a temporary
folder.
"""
from __future__ import annotations


import pytest

from tests.example_runner import NAMES, numbers, run_example
from tests.pictures import picture_problem
from tinygrad_edu import backend


def test_fifteen_examples_in_the_articles_order_then_two_beyond_it():
    assert [name.split("_")[0] for name in NAMES if name[:2] != "09" or name[2] == "_"] == [f"{i:02d}" for i in range(1, 18)]


@pytest.mark.parametrize("name", NAMES)
def test_every_example_runs_quickly_and_saves_its_pictures(quick_runs, name):
    result, out = quick_runs(name)
    assert isinstance(result, dict) and result
    pictures = [p for p in out.iterdir() if p.suffix in (".png", ".svg")]
    if name == "07_backprop_by_hand" and not pictures:   # without Graphviz the graph is written as text
        assert (out / "graph.txt").read_text().strip()
        return
    assert pictures, f"{name} wrote no pictures into {out}: {list(out.iterdir())}"
    problems = [picture_problem(p) for p in pictures if picture_problem(p)]
    assert not problems, f"{name}: {problems}"


@pytest.mark.parametrize("name", NAMES)
def test_every_example_runs_on_other_devices(quick_runs, name, device):
    """strict: arrays that refuse to mix with plain NumPy, as CuPy's do; cuda: the real GPU."""
    if device == "cpu":
        pytest.skip("the cpu runs are the other tests")
    result, _ = quick_runs(name, device)
    assert isinstance(result, dict) and result


def test_an_example_with_the_same_seed_gives_the_same_numbers(tmp_path):
    first = run_example("05_cat_or_dog_probabilities", "--quick", "--seed", "3", "--out", str(tmp_path / "a"))
    second = run_example("05_cat_or_dog_probabilities", "--quick", "--seed", "3", "--out", str(tmp_path / "b"))
    assert numbers(first) and numbers(first) == numbers(second)


def test_an_unknown_device_is_a_usage_error_that_names_it(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_example("02_festival_neuron", "--device", "tpu", "--out", str(tmp_path))
    assert exit_info.value.code == 2
    assert "tpu" in capsys.readouterr().err


@pytest.mark.skipif(backend.is_available("cuda"), reason="this machine has a GPU")
def test_asking_for_cuda_without_a_gpu_says_so(tmp_path, capsys):
    with pytest.raises(SystemExit):
        run_example("02_festival_neuron", "--device", "cuda", "--out", str(tmp_path))
    assert "cuda" in capsys.readouterr().err.lower()
