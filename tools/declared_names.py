"""Write tinygrad_edu/declared/: what the op registry makes at import time, spelled out for type checkers.

The registry adds each op to Tensor with `setattr`, to `tg` and `nn.functional` with
`globals().update`, and makes the activation modules (`nn.ReLU`) with `type(...)`. That keeps
one declaration per op, but mypy and pyright read source, not a running program, so they would
see none of it. The files written here name every one of those things as plain Python that
points back at the op's own function, so a type checker sees the real signatures; they are
imported only under `if TYPE_CHECKING:` and never run. tests/test_typing.py checks they are
current.

    python -m tools.declared_names          # rewrite them after adding or renaming an op
"""
from __future__ import annotations

import inspect
import pathlib
from typing import Callable

import tinygrad_edu
from tinygrad_edu.ops.registry import OPS, activations, functional_functions, toplevel_functions

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tinygrad_edu" / "declared"
HEADER = '"""{doc}\n\nMade by `python -m tools.declared_names` from the op registry; do not edit.\n"""\n'
# object's own __eq__/__ne__ return bool; a Tensor's compare elementwise, as in PyTorch's stubs
OVERRIDES_OBJECT = {"__eq__", "__ne__"}


def _module_alias(function: Callable) -> tuple[str, str]:
    """(import line, how to name `function` after it) for a function of tinygrad_edu."""
    module = function.__module__
    alias = "_" + module.rsplit(".", 1)[-1]
    return f"from {module.rsplit('.', 1)[0]} import {module.rsplit('.', 1)[-1]} as {alias}", f"{alias}.{function.__qualname__}"


def _imports_and_names(functions: dict[str, Callable]) -> tuple[list[str], dict[str, str]]:
    imports, named = set(), {}
    for name, function in functions.items():
        line, reference = _module_alias(function)
        imports.add(line)
        named[name] = reference
    return sorted(imports), named


def tensor_methods() -> str:
    """declared/tensor_methods.py: the class Tensor inherits in the eyes of a type checker."""
    methods: dict[str, Callable] = {}
    properties: dict[str, Callable] = {}
    for spec in sorted(OPS.values(), key=lambda s: s.name):
        installed = [*((spec.name, *spec.aliases) if spec.method else ()), *spec.operators]
        for attribute in installed:
            value = inspect.getattr_static(tinygrad_edu.Tensor, attribute)
            if isinstance(value, property):
                properties[attribute] = value.fget   # type: ignore[assignment]
            elif value.__qualname__.startswith("Tensor."):
                continue   # defined in tensor.py itself (numel): the type checker sees it there
            else:
                methods[attribute] = value
    imports, named = _imports_and_names({**methods, **properties})
    lines = [HEADER.format(doc="Tensor's methods, properties and operators from ops/, for type checkers.\n\n"
                                "tensor.py lets Tensor inherit `TensorMethods` only under `if TYPE_CHECKING:`; "
                                "at run time\nthe registry puts the same functions on Tensor itself."),
             "from __future__ import annotations", "", "from typing import TYPE_CHECKING, cast", "",
             *imports, "", "if TYPE_CHECKING:", "    from tinygrad_edu.tensor import Tensor", "", "",
             "class TensorMethods:"]
    for attribute in sorted(methods):
        ignore = "  # type: ignore[assignment]" if attribute in OVERRIDES_OBJECT else ""
        lines.append(f"    {attribute} = {named[attribute]}{ignore}")
    for attribute in sorted(properties):
        lines += ["", "    @property", f"    def {attribute}(self) -> Tensor:",
                  f"        return {named[attribute]}(cast(\"Tensor\", self))"]
    return "\n".join(lines) + "\n"


def _namespace(doc: str, functions: dict[str, Callable]) -> str:
    imports, named = _imports_and_names(functions)
    lines = [HEADER.format(doc=doc), "from __future__ import annotations", "", *imports, ""]
    lines += [f"{name} = {named[name]}" for name in sorted(functions)]
    lines += ["", "__all__: list[str] = ["] + [f"    {name!r}," for name in sorted(functions)] + ["]"]
    return "\n".join(lines) + "\n"


def functions() -> str:
    """declared/functions.py: the tg.* functions (tinygrad_edu/__init__.py star-imports it for type checkers)."""
    # a name tinygrad_edu defines otherwise (tg.bool, a dtype) is left to it, as at run time
    wanted = {name: f for name, f in toplevel_functions().items() if getattr(tinygrad_edu, name, None) is f}
    return _namespace("The tg.* functions made from the op registry, for type checkers.", wanted)


def functional() -> str:
    """declared/functional.py: the nn.functional entries."""
    return _namespace("The nn.functional entries made from the op registry, for type checkers.",
                      functional_functions())


def activation_modules() -> str:
    """declared/activation_modules.py: one class per activation module, with its __init__'s arguments."""
    imports, named = _imports_and_names({spec.module or "": spec.function for spec in activations()})
    lines = [HEADER.format(doc="The activation modules (nn.ReLU, nn.GELU, ...) made from the op registry, "
                                "for type checkers."),
             "from __future__ import annotations", "", "from tinygrad_edu.nn.module import Module",
             *imports, "from tinygrad_edu.tensor import Tensor"]
    for spec in sorted(activations(), key=lambda s: s.module or ""):
        options = list(inspect.signature(spec.function).parameters.values())[1:]
        arguments = "".join(", " + _parameter(p) for p in options)
        settings = "".join(f", {p.name}=self.{p.name}" for p in options)
        lines += ["", "", f"class {spec.module}(Module):"]
        lines += [f"    {p.name}: {p.annotation}" for p in options] + ([""] if options else [])
        lines += [f"    def __init__(self{arguments}) -> None: ...", "",
                  "    def forward(self, input: Tensor) -> Tensor:",
                  f"        return {named[spec.module or '']}(input{settings})"]
    lines += ["", "", "__all__: list[str] = ["] + [f"    {spec.module!r}," for spec in sorted(activations(), key=lambda s: s.module or "")] + ["]"]
    return "\n".join(lines) + "\n"


def _parameter(p: inspect.Parameter) -> str:
    text = f"{p.name}: {p.annotation}"
    return text if p.default is p.empty else f"{text} = {p.default!r}"


def files() -> dict[pathlib.Path, str]:
    return {FOLDER / "tensor_methods.py": tensor_methods(),
            FOLDER / "functions.py": functions(),
            FOLDER / "functional.py": functional(),
            FOLDER / "activation_modules.py": activation_modules()}


if __name__ == "__main__":
    for path, text in files().items():
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
