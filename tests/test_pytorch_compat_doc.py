"""docs/pytorch-compat.md cannot claim a name the library lacks.

Every row of its tables names a PyTorch name and a status:
- `same` or `different`: the tinygrad_edu name (torch -> tinygrad_edu) must exist;
- `not supported`: the name may exist only as a stub that raises NotImplementedError.
Every `torch` name the PyTorch programs of tests/pytorch_programs/ use must have a row.
"""
from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

import tinygrad_edu as tg

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "pytorch-compat.md"
ROW = re.compile(r"^\| `([^`]+)` \| (same|different|not supported)\b")


def rows() -> list[tuple[str, str]]:
    found = [ROW.match(line) for line in PAGE.read_text().splitlines()]
    return [(m.group(1), m.group(2)) for m in found if m]


def resolve(torch_name: str):
    """The tinygrad_edu object for a PyTorch name (`torch.nn.Linear`, `Tensor.view`), or raise."""
    name = re.sub(r"\(.*\)$", "", torch_name)
    if name.startswith("Tensor."):
        name = "tinygrad_edu." + name
    elif name.startswith("nn.Module."):
        name = "tinygrad_edu." + name
    elif name == "torch" or name.startswith("torch."):
        name = "tinygrad_edu" + name[len("torch"):]
    else:
        raise AssertionError(f"{torch_name}: a row must name torch.*, Tensor.* or nn.Module.*")
    parts = name.split(".")
    for i in range(len(parts), 0, -1):   # the longest importable module, then attributes
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attribute in parts[i:]:
            obj = getattr(obj, attribute)
        return obj
    raise AttributeError(name)


ROWS = rows()


def test_the_page_has_a_table_of_many_names():
    assert len(ROWS) > 150 and len({name for name, _ in ROWS}) == len(ROWS), "each name once"


@pytest.mark.parametrize("name,status", ROWS, ids=[name for name, _ in ROWS])
def test_each_row_tells_the_truth(name, status):
    if status in ("same", "different"):
        try:
            resolve(name)
        except AttributeError as e:
            raise AssertionError(f"docs/pytorch-compat.md says {name} is {status!r}, but tinygrad_edu lacks it: {e}")
    else:
        try:
            obj = resolve(name)
        except AttributeError:
            return   # absent: the honest way to not support it
        except NotImplementedError as e:   # a namespace that refuses every name in it
            assert "tinygrad_edu" in str(e)
            return
        assert callable(obj), f"{name} exists but is not callable"
        with pytest.raises(NotImplementedError, match="tinygrad_edu"):
            obj()


def torch_names_used(path: Path) -> set[str]:
    """torch.x.y, nn.X, F.x, optim.X names used in a program (attribute chains on its imports)."""
    tree = ast.parse(path.read_text())
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("torch"):
                    aliases[a.asname or a.name] = a.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("torch"):
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain, inner = [node.attr], node.value
            while isinstance(inner, ast.Attribute):
                chain.insert(0, inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id in aliases:
                used.add(".".join([aliases[inner.id], *chain]))
        elif isinstance(node, ast.Name) and node.id in aliases and "." in aliases[node.id]:
            used.add(aliases[node.id])
    return used


def test_every_torch_name_the_pytorch_programs_use_has_a_row():
    listed = {re.sub(r"\(.*\)$", "", name) for name, _ in ROWS}
    used = set().union(*(torch_names_used(p) for p in (ROOT / "tests" / "pytorch_programs").glob("*.py")))
    # a submodule path used on the way to a name (torch.nn in torch.nn.Linear) needs no row
    missing = sorted(n for n in used if n not in listed and not any(l.startswith(n + ".") for l in listed))
    assert not missing, f"docs/pytorch-compat.md has no row for {missing}"


def test_the_api_reference_links_the_page():
    assert "pytorch-compat.md" in (ROOT / "docs" / "api.md").read_text()
    assert tg.Tensor is resolve("torch.Tensor")


# ---- the API reference lists every public name --------------------------------------------

def _documented(name: str, text: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(name) + r"(?![\w])", text) is not None


def _public(module) -> list[str]:
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    return [n for n in names if not isinstance(getattr(module, n), type(tg))]   # submodules are sections


def test_the_api_reference_or_the_op_list_names_every_public_name():
    from tinygrad_edu import nn, optim, utils
    from tinygrad_edu.nn import utils as nn_utils
    from tinygrad_edu.ops.registry import OPS
    from tinygrad_edu.optim import lr_scheduler
    text = (ROOT / "docs" / "api.md").read_text() + (ROOT / "docs" / "ops.md").read_text()
    op_names = {alias for spec in OPS.values() for alias in (spec.name, *spec.aliases)}
    missing = []
    for where, module in [("tg", tg), ("tg.nn", nn), ("tg.optim", optim), ("tg.optim.lr_scheduler", lr_scheduler),
                          ("tg.utils.data", utils.data), ("tg.nn.utils", nn_utils)]:
        for name in _public(module):
            if name not in op_names and not _documented(name, text):
                missing.append(f"{where}.{name}")
    assert not missing, f"docs/api.md names none of {missing}"
