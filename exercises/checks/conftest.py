import zlib

import numpy as np
import pytest

from exercises.checks import under_test


@pytest.fixture(scope="module")
def exercise(request):
    """The module under test for this check file: it names its exercise in EXERCISE."""
    return under_test.load(request.module.EXERCISE)


@pytest.fixture
def rng(request):
    """A random generator seeded by the check's name, so every run draws the same inputs."""
    return np.random.default_rng(zlib.crc32(request.node.name.encode()))
