"""Shared fixtures: the devices every device-aware test runs on."""
from __future__ import annotations

import pytest
import torch

from tests import strict_backend
from tinygrad_edu import backend

strict_backend.register()
# pytest-xdist runs one worker per core; more threads per worker would only fight over them.
torch.set_num_threads(1)

DEVICES = ["cpu", "strict", "cuda"]


@pytest.fixture(params=DEVICES)
def device(request):
    """cpu (NumPy), strict (NumPy arrays that refuse to mix with host arrays, like CuPy's) and
    cuda (CuPy on a GPU, skipped cleanly where there is none)."""
    if request.param == "cuda" and not backend.is_available("cuda"):
        pytest.skip(f"cuda unavailable: {backend._unavailable_reason.get('cuda', '')}")
    return request.param
