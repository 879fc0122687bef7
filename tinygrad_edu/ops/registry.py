"""One declaration per op, and everything made from it.

An op is a public function in one of the files of `ops/`, declared with `@register`:

    @register("relu", kind="activation", module="ReLU")
    def relu(x: Tensor) -> Tensor:
        '''max(x, 0), elementwise (see ReLU for the derivative)'''
        return ReLU.apply(x)

From that one declaration come the Tensor method (`x.relu()`), the `tg.relu` function, the
`nn.functional.relu` entry and, for activations, the `nn.ReLU` module; the API reference
(`docs/ops.md`) and the op tests read the same table. The Function that computes the op
(forward and backward side by side) sits right above the declaration.

`kind` says where an op appears:

| kind        | Tensor method | tg.* | nn.functional | nn module |
|-------------|---------------|------|---------------|-----------|
| math        | yes           | yes  | no            | no        |
| activation  | yes           | yes  | yes           | `module=` |
| functional  | no            | no   | yes           | no        |
| method      | yes           | no   | no            | no        |
| operator    | no            | no   | no            | no        |

Any of them can be switched with `method=`, `toplevel=`, `functional=` (`method=` may also be
the method itself, where its arguments differ from the function's, as for `where`);
`operators=` installs the function as Python operators too (`__add__`), and `aliases=` adds
other names (`clip`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, TypeVar, Union

from tinygrad_edu.tensor import Tensor

# kind -> (Tensor method, tg.* function, nn.functional entry)
KINDS = {
    "math": (True, True, False),
    "activation": (True, True, True),
    "functional": (False, False, True),
    "method": (True, False, False),
    "operator": (False, False, False),
}


@dataclass(frozen=True)
class OpSpec:
    """What `@register` knows about one op."""
    name: str                     # PyTorch's name
    function: Callable
    kind: str
    family: str                   # the file of ops/ it lives in
    method: bool
    toplevel: bool
    functional: bool
    module: str | None            # the nn module class made for an activation
    operators: tuple[str, ...]
    aliases: tuple[str, ...]
    is_property: bool

    @property
    def summary(self) -> str:
        """The first line of the op's docstring."""
        return (self.function.__doc__ or "").strip().splitlines()[0] if self.function.__doc__ else ""


OPS: dict[str, OpSpec] = {}

# the declared function itself, so that type checkers keep its signature
Op = TypeVar("Op", bound=Callable[..., Any])


def register(name: str | None = None, *, kind: str = "math", method: Union[bool, Callable, None] = None,
             toplevel: bool | None = None, functional: bool | None = None, module: str | None = None,
             operators: tuple[str, ...] = (), aliases: tuple[str, ...] = (),
             is_property: bool = False) -> Callable[[Op], Op]:
    """Declare `function` as the op `name` (default: the function's own name)."""
    default_method, default_toplevel, default_functional = KINDS[kind]

    def declare(function: Op) -> Op:
        spec = OpSpec(name or function.__name__, function, kind, function.__module__.rsplit(".", 1)[-1],
                      default_method if method is None else bool(method),
                      default_toplevel if toplevel is None else toplevel,
                      default_functional if functional is None else functional,
                      module, tuple(operators), tuple(aliases), is_property)
        if spec.name in OPS:
            raise ValueError(f"register: an op named {spec.name!r} is already declared in "
                             f"ops/{OPS[spec.name].family}.py")
        if kind == "activation" and module is None:
            raise ValueError(f"register: activation {spec.name!r} needs module= (its nn class name)")
        OPS[spec.name] = spec
        as_method = method if callable(method) else function
        installed = property(as_method) if is_property else as_method
        for attribute in ((spec.name, *spec.aliases) if spec.method else ()) + spec.operators:
            setattr(Tensor, attribute, installed)
        return function
    return declare


def _names(wanted: Callable[[OpSpec], bool]) -> dict[str, Callable]:
    return {alias: spec.function for spec in OPS.values() if wanted(spec) for alias in (spec.name, *spec.aliases)}


def toplevel_functions() -> dict[str, Callable]:
    """The `tg.*` functions, by name."""
    return _names(lambda spec: spec.toplevel)


def functional_functions() -> dict[str, Callable]:
    """The `nn.functional` entries, by name."""
    return _names(lambda spec: spec.functional)


def activations() -> list[OpSpec]:
    """The activations, each with the name of its nn module."""
    return [spec for spec in OPS.values() if spec.kind == "activation"]


def ops_page() -> str:
    """docs/ops.md: made by `make docs`, and a test checks it is current."""
    return ("# Every op\n\nThis page is made from the op registry (`tinygrad_edu/ops/registry.py`) by "
            "`make docs`; do not edit it by hand.\nEach op is declared once, in the file named below, "
            "with its forward, backward and derivative side by side.\nThe columns say where it appears: "
            "as a Tensor method (and operators), as `tg.*`, in `nn.functional` (`F`), and as an nn module.\n\n"
            + markdown_reference())


def markdown_reference() -> str:
    """The table of every op for docs/ops.md: where it appears, and its first docstring line."""
    lines = ["| op | file | Tensor method | `tg.*` | `F.*` | nn module | what it computes |",
             "|---|---|---|---|---|---|---|"]
    for spec in sorted(OPS.values(), key=lambda s: (s.family, s.name)):
        also = f" (also {', '.join(spec.aliases)})" if spec.aliases else ""
        operators = f" `{' '.join(spec.operators)}`" if spec.operators else ""
        mark = "✓" if spec.method else ""
        lines.append(f"| `{spec.name}`{also} | ops/{spec.family}.py | {mark}{operators} | "
                     f"{'✓' if spec.toplevel else ''} | {'✓' if spec.functional else ''} | "
                     f"{spec.module or ''} | {spec.summary.replace('|', '∣')} |")
    return "\n".join(lines) + "\n"
