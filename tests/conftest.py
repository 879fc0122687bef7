"""Shared fixtures: the devices every device-aware test runs on."""
from __future__ import annotations

import pytest
import torch

from tests import strict_backend
from tinygrad_edu import backend

strict_backend.register()
# pytest-xdist runs one worker per core; more threads per worker would only fight over them.
torch.set_num_threads(1)


@pytest.fixture(scope="session", autouse=True)
def one_blas_thread():
    """One BLAS thread per worker (also when pytest is run by hand, without the Makefile's
    environment): the tests multiply small matrices, where extra threads gain nothing and, on
    a machine shared with other workers, wait for each other and make training many times slower."""
    try:
        from threadpoolctl import threadpool_limits   # installed with scikit-learn
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield

DEVICES = ["cpu", "strict", "cuda"]


@pytest.fixture(params=DEVICES)
def device(request):
    """cpu (NumPy), strict (NumPy arrays that refuse to mix with host arrays, like CuPy's) and
    cuda (CuPy on a GPU, skipped cleanly where there is none)."""
    if request.param == "cuda" and not backend.is_available("cuda"):
        pytest.skip(f"cuda unavailable: {backend._unavailable_reason.get('cuda', '')}")
    return request.param
