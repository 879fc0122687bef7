"""The op registry: one declaration per op, and everything made from it.

Every declared op shows up where its kind says (Tensor method, tg.*, nn.functional, nn module),
docs/ops.md is the registry's own table, and every op is tested: the simple ones right here,
against the PyTorch function of the same name, the others by name in their own test file.
"""
from __future__ import annotations

import inspect
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tests.oracle import check_against_torch, finite_difference_check
from tinygrad_edu import Tensor, nn
from tinygrad_edu.ops import registry
from tinygrad_edu.ops.registry import OPS

ROOT = Path(__file__).resolve().parent.parent

# ---- the op-test table ---------------------------------------------------------------------
# Ops that take one tensor are compared here with the PyTorch function of the same name
# (torch.nn.functional first, then torch), on inputs from this table (default: away from kinks).
AWAY_FROM_KINKS = np.array([[-7.3, -3.4, -2.1, -0.6], [0.4, 2.2, 3.7, 6.8]])
POSITIVE = np.array([[0.3, 0.9, 1.7], [2.5, 0.6, 4.1]])
UNIT_INTERVAL = np.array([[-0.9, -0.55, -0.2, 0.1], [0.35, 0.6, 0.85, 0.95]])   # inside (-1, 1)
ABOVE_ONE = POSITIVE + 1.05
INPUTS = {"log": POSITIVE, "sqrt": POSITIVE, "log2": POSITIVE, "log10": POSITIVE, "rsqrt": POSITIVE,
          "log1p": UNIT_INTERVAL, "asin": UNIT_INTERVAL, "acos": UNIT_INTERVAL, "atanh": UNIT_INTERVAL,
          "acosh": ABOVE_ONE}
# Ops that take more than a tensor, or have no PyTorch twin: each is tested by name in a file.
TESTED_IN = {
    "step": "test_ops_activations.py", "softmax": "test_ops_activations.py", "log_softmax": "test_ops_activations.py",
    "add": "test_ops_elementwise.py", "sub": "test_ops_elementwise.py", "rsub": "test_op_registry.py",
    "mul": "test_ops_elementwise.py", "div": "test_ops_elementwise.py", "rdiv": "test_op_registry.py",
    "pow": "test_ops_elementwise.py", "rpow": "test_op_registry.py", "maximum": "test_ops_elementwise.py",
    "minimum": "test_ops_elementwise.py", "clamp": "test_ops_elementwise.py", "where": "test_ops_elementwise.py",
    "clone": "test_op_registry.py", "dropout": "test_nn_functional.py", "linear": "test_nn_functional.py",
    "sum": "test_ops_reduce.py", "mean": "test_ops_reduce.py", "var": "test_ops_reduce.py", "std": "test_ops_reduce.py",
    "max": "test_ops_reduce.py", "min": "test_ops_reduce.py", "argmax": "test_ops_reduce.py",
    "argmin": "test_ops_reduce.py",
    "reshape": "test_ops_movement.py", "flatten": "test_ops_movement.py", "transpose": "test_ops_movement.py",
    "permute": "test_ops_movement.py", "T": "test_ops_movement.py", "mT": "test_ops_movement.py",
    "squeeze": "test_ops_movement.py", "unsqueeze": "test_ops_movement.py", "expand": "test_ops_movement.py",
    "expand_as": "test_ops_movement.py", "broadcast_to": "test_op_registry.py", "getitem": "test_op_registry.py",
    "pad": "test_ops_movement.py", "cat": "test_ops_movement.py", "stack": "test_ops_movement.py",
    "contiguous": "test_op_registry.py", "sum_to_size": "test_op_registry.py",
    "matmul": "test_ops_matmul.py", "rmatmul": "test_op_registry.py",
    "conv2d": "test_conv.py", "max_pool2d": "test_pooling.py", "avg_pool2d": "test_pooling.py",
    "mse_loss": "test_ops_losses.py", "cross_entropy": "test_ops_losses.py", "nll_loss": "test_ops_losses.py",
    "binary_cross_entropy": "test_ops_losses.py", "binary_cross_entropy_with_logits": "test_ops_losses.py",
    "to": "test_tensor.py", "cpu": "test_op_registry.py", "cuda": "test_backend.py", "float": "test_tensor.py",
    "double": "test_tensor.py", "long": "test_op_registry.py", "int": "test_op_registry.py", "bool": "test_tensor.py",
    "type_as": "test_op_registry.py",
    "add_": "test_inplace.py", "sub_": "test_inplace.py", "mul_": "test_inplace.py", "div_": "test_inplace.py",
    "zero_": "test_inplace.py", "fill_": "test_inplace.py", "copy_": "test_inplace.py", "clamp_": "test_inplace.py",
    "relu_": "test_inplace.py", "sigmoid_": "test_inplace.py", "setitem": "test_inplace.py"
}


# A test file can also name the ops it tests itself: `OPS_TESTED_HERE = ("sin", "cos")` at the
# top level of tests/test_*.py adds them to TESTED_IN (so new op families need no edit here).
def _declared_in_test_files():
    import ast
    found = {}
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and getattr(node.targets[0], "id", None) == "OPS_TESTED_HERE"):
                found.update({name: path.name for name in ast.literal_eval(node.value)})
    return found


TESTED_IN.update(_declared_in_test_files())


def torch_twin(name):
    return getattr(TF, name, None) or getattr(torch, name, None)


def one_tensor_ops():
    """Registered ops compared with PyTorch here: every op not in TESTED_IN."""
    return sorted(name for name in OPS if name not in TESTED_IN)


@pytest.mark.parametrize("name", one_tensor_ops())
def test_one_tensor_ops_match_their_pytorch_twin_in_values_and_two_derivatives(name, device):
    assert torch_twin(name) is not None, f"{name} has no PyTorch twin: list it in TESTED_IN with its test file"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check_against_torch(OPS[name].function, torch_twin(name), [INPUTS.get(name, AWAY_FROM_KINKS)],
                            device=device, double=True)


@pytest.mark.parametrize("name", one_tensor_ops())
def test_one_tensor_ops_match_finite_differences(name):
    finite_difference_check(OPS[name].function, [INPUTS.get(name, AWAY_FROM_KINKS)])


@pytest.mark.parametrize("name", sorted(TESTED_IN))
def test_every_other_op_is_named_in_its_test_file(name):
    assert name in OPS, f"TESTED_IN lists {name!r}, which is not a registered op"
    text = (ROOT / "tests" / TESTED_IN[name]).read_text()
    spelled = (f".{name}(", f"F.{name}(", f"tg.{name}(", f".{name} ", f".{name})", f'"{name}"', f".{name}\n",
               f"{name}_")   # a test case named after the op
    assert any(s in text for s in spelled), f"tests/{TESTED_IN[name]} never calls {name}"


# Conversions, views and the reflected operators, each against PyTorch with its gradient.
SMALL_CASES = {
    "clone": (lambda x: x.clone() * 2.0, lambda x: x.clone() * 2.0),
    "contiguous": (lambda x: x.T.contiguous(), lambda x: x.T.contiguous()),
    "cpu": (lambda x: x.cpu() * x, lambda x: x.cpu() * x),
    "type_as": (lambda x: x.type_as(tg.zeros(1, dtype=tg.float32)).double(),
                lambda x: x.type_as(torch.zeros(1, dtype=torch.float32)).double()),
    "int": (lambda x: x * x.int(), lambda x: x * x.int()),
    "long": (lambda x: x + x.long(), lambda x: x + x.long()),
    "broadcast_to": (lambda x: x[0].broadcast_to((2, 3)), lambda x: x[0].broadcast_to((2, 3))),
    "sum_to_size": (lambda x: x.sum_to_size(1, 3), lambda x: x.sum_to_size(1, 3)),
    "getitem": (lambda x: x[1, [0, 2, 2]], lambda x: x[1, [0, 2, 2]]),
    "rsub": (lambda x: 2.5 - x, lambda x: 2.5 - x),
    "rdiv": (lambda x: 1.5 / x, lambda x: 1.5 / x),
    "rpow": (lambda x: 2.0 ** x, lambda x: 2.0 ** x),
    "rmatmul": (lambda x: np.ones((2, 2)) @ x, lambda x: torch.ones(2, 2, dtype=x.dtype) @ x),
}


@pytest.mark.parametrize("name", sorted(SMALL_CASES))
def test_conversions_views_and_reflected_operators_match_torch(name):
    ours, theirs = SMALL_CASES[name]
    check_against_torch(ours, theirs, [POSITIVE], double=True)


# ---- where each declaration shows up -------------------------------------------------------

@pytest.mark.parametrize("name", sorted(OPS))
def test_each_op_appears_where_its_kind_says(name):
    spec = OPS[name]
    for alias in (name, *spec.aliases):
        assert (alias in vars(Tensor)) == spec.method or alias in spec.operators, f"Tensor.{alias}"
        assert (getattr(tg, alias, None) is spec.function) == spec.toplevel, f"tg.{alias}"
        assert (getattr(F, alias, None) is spec.function) == spec.functional, f"F.{alias}"
    for operator in spec.operators:
        assert vars(Tensor)[operator] is spec.function
    assert spec.summary, f"{name} has no docstring"


SETTINGS_NEEDED = {"Threshold": (0.1, 20.0)}   # modules whose settings have no default


@pytest.mark.parametrize("spec", registry.activations(), ids=lambda spec: spec.module)
def test_each_activation_has_an_nn_module_that_calls_it_and_prints_like_pytorch(spec):
    module_class = getattr(nn, spec.module)
    assert issubclass(module_class, nn.Module) and spec.module in nn.__all__
    x = tg.tensor(AWAY_FROM_KINKS)
    settings = SETTINGS_NEEDED.get(spec.module, ())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        np.testing.assert_array_equal(module_class(*settings)(x).numpy(), spec.function(x, *settings).numpy())
    theirs = getattr(torch.nn, spec.module, None)
    if theirs is not None:   # Step is the article's, and has no PyTorch module
        assert repr(module_class(*settings)) == repr(theirs(*settings))
        if "inplace" in inspect.signature(theirs).parameters:   # ours takes it too, and shows it alike
            assert repr(module_class(*settings, inplace=True)) == repr(theirs(*settings, inplace=True))


def test_activation_modules_take_the_functions_settings_by_position_and_name():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert nn.Softplus(beta=2.0).beta == 2.0 and nn.Softmax(1).dim == 1
    with pytest.raises(TypeError, match=r"LeakyReLU\(negative_slope=0.01, inplace=False\): too many positional "):
        nn.LeakyReLU(0.1, True, 0.2)


def test_the_viz_report_asks_the_registry_what_an_activation_is():
    from tinygrad_edu.viz import report
    assert report.ACTIVATIONS == {spec.module for spec in registry.activations()} >= {"ReLU", "GELU", "Mish"}


def test_docs_ops_md_is_the_registrys_table():
    text = (ROOT / "docs" / "ops.md").read_text()
    assert text == registry.ops_page(), "docs/ops.md is out of date: run `make docs`"


def test_declaring_an_op_twice_is_refused_and_names_the_file():
    with pytest.raises(ValueError, match=r"'relu' is already declared in ops/activations.py"):
        registry.register("relu")(lambda x: x)
    with pytest.raises(ValueError, match="needs module="):
        registry.register("new_activation", kind="activation")(lambda x: x)
    assert "new_activation" not in OPS


def test_a_new_activation_needs_only_its_declaration():
    def cube(input: Tensor, scale: float = 1.0) -> Tensor:
        """scale·input³"""
        return input * input * input * scale

    registry.register("cube_for_test", kind="activation", module="CubeForTest")(cube)
    try:
        from tinygrad_edu.nn.activations import activation_module
        x = tg.tensor([1.0, 2.0])
        assert x.cube_for_test(2.0).tolist() == [2.0, 16.0]
        module = activation_module(OPS["cube_for_test"])(scale=3.0)
        assert repr(module) == "CubeForTest(scale=3.0)" and module(x).tolist() == [3.0, 24.0]
        assert inspect.signature(Tensor.cube_for_test) == inspect.signature(cube)
    finally:
        del OPS["cube_for_test"]
        delattr(Tensor, "cube_for_test")
