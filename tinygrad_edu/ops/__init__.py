"""Every operation, one family per file, each declared once with `@register` (registry.py).

Importing this package loads every family (every module in this folder), which declares its
ops: from then on Tensor has their methods and operators. A new family is a new file here;
nothing else needs to list it. `tinygrad_edu/__init__.py` imports this right after Tensor.
"""
import importlib
import pkgutil

for _family in sorted(info.name for info in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_family}")
