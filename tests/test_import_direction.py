"""The library's modules import each other in one direction only, with no circles:

    backend <- autograd <- tensor <- ops <- nn <- optim/data/serialization <- viz/study
            <- models/training/tutorial <- cli

Every import counts, also the ones inside functions: a late import is still a dependency.
Only imports under `if TYPE_CHECKING:` are left out: they are for type checkers and never run.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "tinygrad_edu"

# (layer, module prefixes); a module may import only from its own layer and the ones before it.
LAYERS = [
    ("backend", ["backend", "files", "errors", "unsupported", "cuda", "accelerator", "backends"]),
    ("autograd", ["autograd"]),
    ("tensor", ["tensor"]),
    ("ops", ["ops", "creation", "allocator", "linalg", "interop"]),
    ("nn", ["nn", "declared"]),   # declared/: the registry's names for type checkers (imports ops and nn.module)
    ("optim/data/serialization", ["optim", "data", "serialization", "utils"]),
    ("viz/study", ["viz", "study", "onnx"]),
    ("models/training/tutorial", ["models", "training", "tutorial"]),
    ("cli", ["cli", "__main__", "__init__"]),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def layer_of(name: str) -> int:
    for i, (_, prefixes) in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return i
    raise AssertionError(f"tinygrad_edu.{name} is in no layer of tests/test_import_direction.py; add it")


def is_module(name: str) -> bool:
    path = PACKAGE.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports_of(path: Path) -> set[str]:
    """The tinygrad_edu modules `path` imports (relative to the package), anywhere in the file."""
    found = set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):   # drop `if TYPE_CHECKING:` blocks before looking
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" if is_module(f"{node.module}.{a.name}"[13:]) else node.module
                     for a in node.names]
        else:
            continue
        found |= {n[len("tinygrad_edu."):] for n in names if n.startswith("tinygrad_edu.")}
    return found


GRAPH = {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_a_module_imports_only_from_its_layer_and_the_layers_before(module):
    wrong = {m: LAYERS[layer_of(m)][0] for m in GRAPH[module] if layer_of(m) > layer_of(module)}
    assert not wrong, f"tinygrad_edu.{module} ({LAYERS[layer_of(module)][0]}) imports from later layers: {wrong}"


def test_the_core_imports_neither_tensor_nor_ops_from_the_engine():
    assert GRAPH["autograd"] <= {"backend"}
    assert GRAPH["tensor"] <= {"backend", "autograd", "errors"}   # errors: the backend layer's exception types


def test_there_are_no_import_circles():
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:   # depth first; the graph has a few dozen nodes
        state[module] = "open"
        for target in sorted(GRAPH.get(module, ())):
            if target == module:
                continue
            if state.get(target) == "open":
                raise AssertionError("import circle: " + " -> ".join(path + [module, target]))
            if target not in state:
                visit(target, path + [module])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [])


def test_the_checker_sees_a_late_import():
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tinygrad_edu import nn\n"
              "def f():\n    from tinygrad_edu.tensor import Tensor\n")
    path = PACKAGE.parent / "tests" / "_late_import_probe.py"
    try:
        path.write_text(source)
        assert imports_of(path) == {"tensor"}
    finally:
        path.unlink()
