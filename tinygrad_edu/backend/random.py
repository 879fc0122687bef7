"""Random numbers: the generator every random draw of tinygrad_edu comes from, `manual_seed`
to make those draws reproducible, and `Generator` for a stream of its own (PyTorch's
`torch.Generator`, as `randperm(..., generator=g)` and `DataLoader(generator=g)` take it).

The default generator lives only here; read it through `random_generator()`, never keep a copy,
because `manual_seed` replaces it.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_rng = np.random.default_rng()
_initial_seed: int | None = None


def manual_seed(seed: int) -> Generator:
    """Seed every random draw of tinygrad_edu (both devices draw from this one generator)."""
    global _rng, _initial_seed
    _rng, _initial_seed = np.random.default_rng(_check_seed(seed, "manual_seed")), int(seed)
    return default_generator


def _check_seed(seed: Any, op: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{op}: seed must be an int, got {type(seed).__name__}")
    return int(seed) % 2 ** 64   # a negative seed is allowed, as in PyTorch


class Generator:
    """A random stream of its own: `g = tg.Generator().manual_seed(0)`, then `generator=g`.

    Draws from it do not touch the default generator, and the default one (what
    `tg.manual_seed` seeds) does not touch it. The stream is drawn on the host, so `device`
    is accepted for PyTorch's signature and changes nothing."""

    def __init__(self, device: Any = "cpu") -> None:
        self.device = str(device)
        self._seed = int(np.random.SeedSequence().entropy % 2 ** 63)  # type: ignore[operator]
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = _check_seed(seed, "Generator.manual_seed")
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from fresh entropy and return the new seed."""
        new = int(np.random.SeedSequence().entropy % 2 ** 63)  # type: ignore[operator]
        self.manual_seed(new)
        return new

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict:
        """The stream's state (a dict of plain values), for set_state to go back to."""
        return dict(self._rng.bit_generator.state)

    def set_state(self, state: dict) -> Generator:
        self._rng.bit_generator.state = state
        return self


class _DefaultGenerator(Generator):
    """`tg.default_generator`: the one behind every draw that names no generator."""

    def __init__(self) -> None:
        self.device = "cpu"

    @property
    def _rng(self) -> np.random.Generator:  # type: ignore[override]
        return _rng

    def manual_seed(self, seed: int) -> Generator:
        return manual_seed(seed)

    def initial_seed(self) -> int:
        return _initial_seed if _initial_seed is not None else 0


default_generator = _DefaultGenerator()


def random_generator(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator to draw from: `generator`'s own stream, else the default one.

    Numbers are drawn on the host and moved, so a seed gives the same values on every device."""
    if generator is None:
        return _rng
    if not isinstance(generator, Generator):
        raise TypeError(f"generator: expected a tinygrad_edu Generator, got {type(generator).__name__}")
    return generator._rng
