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
        from threadpoolctl import threadpool_limits   # the test extra brings it (through the examples extra)
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield

@pytest.fixture(scope="session", autouse=True)
def tutorial_cache(tmp_path_factory):
    """tinygrad_edu.tutorial caches the examples' trained ConvNet on disk: in a temporary folder
    here, so tests never read weights a user's earlier run left in ~/.cache."""
    from tinygrad_edu.tutorial import CACHE_VARIABLE
    mp = pytest.MonkeyPatch()
    mp.setenv(CACHE_VARIABLE, str(tmp_path_factory.mktemp("tutorial_cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def quick_runs(tmp_path_factory, tutorial_cache):
    """run(name, device="cpu", seed=0) -> (the example's globals, its output folder), each
    example run only once per session with --quick (tests/example_runner.py)."""
    from tests.example_runner import run_example
    cache: dict = {}

    def run(name: str, device: str = "cpu", seed: int = 0):
        key = (name, device, seed)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{name}_{device}_{seed}")
            cache[key] = (run_example(name, "--quick", "--device", device, "--seed", str(seed), "--out", str(out)), out)
        return cache[key]

    return run


DEVICES = ["cpu", "strict", "cuda"]


@pytest.fixture(params=DEVICES)
def device(request):
    """cpu (NumPy), strict (NumPy arrays that refuse to mix with host arrays, like CuPy's) and
    cuda (CuPy on a GPU, skipped cleanly where there is none)."""
    if request.param == "cuda" and not backend.is_available("cuda"):
        pytest.skip(f"cuda unavailable: {backend._unavailable_reason.get('cuda', '')}")
    return request.param


# ---- deterministic, readable test ids ------------------------------------------------------
# pytest-xdist makes every worker collect the suite on its own and stops the whole run when
# their test ids differ. An id built from a value made at collection time (gzip's timestamp, an
# object's address, unseeded randomness) can differ between workers, and raw bytes or arrays
# make ids unreadable. So every parametrised id must be short, printable text: give `ids=`
# wherever a parameter is bytes, an array or an object.

MAX_ID_LENGTH = 80


def unreadable_test_ids(items) -> list[str]:
    """The node ids whose parameter id is too long, not printable ASCII, or holds escaped bytes
    (a regex's escaped backslash, as in `\\(`, is fine: it is text and never changes)."""
    bad = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None:
            continue
        param_id = callspec.id
        escapes_left = "\\" in param_id.replace("\\\\", "")
        if (len(param_id) > MAX_ID_LENGTH or escapes_left or " at 0x" in param_id
                or not all(" " <= ch <= "~" for ch in param_id)):
            bad.append(item.nodeid)
    return bad


def pytest_collection_modifyitems(config, items):
    bad = unreadable_test_ids(items)
    if bad:
        raise pytest.UsageError(
            f"{len(bad)} parametrised test ids are not short printable text, so pytest-xdist workers may "
            f"collect different ids; give these parameters ids=:\n  " + "\n  ".join(bad[:20]))
