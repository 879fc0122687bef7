"""Every example runs in --quick mode and shows what it claims."""
from __future__ import annotations

import importlib.util
import pathlib
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples"


def run_example(name: str, *args: str) -> dict:
    """Import examples/<name>.py as a module and call its main() with command-line arguments."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.main(list(args))
    finally:
        sys.path.remove(str(EXAMPLES))


def test_festival_neuron_sums_to_26_and_fires(tmp_path):
    result = run_example("02_festival_neuron", "--quick", "--out", str(tmp_path))
    assert result == {"weighted_sum": 26.0, "decision": 1.0}


@pytest.mark.parametrize("seed", ["0", "1"])
def test_xor_needs_a_hidden_layer(tmp_path, seed):
    result = run_example("03_xor", "--quick", "--seed", seed, "--out", str(tmp_path))
    assert result["one hidden layer"] == 4
    assert result["single layer"] < 4
