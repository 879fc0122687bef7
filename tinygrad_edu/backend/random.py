"""Random numbers: the one generator every random draw of tinygrad_edu comes from, and
`manual_seed` to make those draws reproducible.

The generator lives only here; read it through `random_generator()`, never keep a copy,
because `manual_seed` replaces it.
"""
from __future__ import annotations

import numpy as np

_rng = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed every random draw of tinygrad_edu (both devices draw from this one generator)."""
    global _rng
    _rng = np.random.default_rng(seed)


def random_generator() -> np.random.Generator:
    # Numbers are drawn on the host and moved, so a seed gives the same values on every device.
    return _rng
