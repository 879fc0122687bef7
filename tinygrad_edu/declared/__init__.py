"""What the op registry makes at import time, spelled out for type checkers (mypy, pyright).

The registry (ops/registry.py) puts every op on Tensor as a method, into `tg.*` and
`nn.functional`, and makes the activation modules, all while tinygrad_edu loads. A type checker
reads source and never runs it, so these files name the same things statically, each pointing
at the op's own function, whose annotations are the signature users see. Nothing imports them
at run time (only under `if TYPE_CHECKING:`); `python -m tools.declared_names` writes them and
tests/test_typing.py checks that they match the registry.
"""
