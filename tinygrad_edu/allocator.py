"""Opt-in tuning of the C allocator for training loops (glibc on Linux).

A NumPy training step allocates the same large temporaries (activations, im2col matrices,
gradients) every step and frees them again. By default glibc serves each block of 128 KiB or
more with its own `mmap` and hands it back to the operating system with `munmap` when freed
(it raises that threshold adaptively, but only after it has seen a block freed), and it
trims free memory at the top of the heap back to the system as well. The next step then
asks for the same memory again, and the kernel must zero and map every page of it anew:
on a small model those page faults cost more than the arithmetic.

`tune_allocator()` tells glibc, through `mallopt`, to serve blocks up to 32 MiB from its
heap and to keep up to 1 GiB of free heap instead of trimming it, so the second step reuses
the pages of the first. The price is memory: freed blocks stay in the process (its resident
size stays near its peak) instead of going back to the system.

It changes the whole process, so it is never done on `import tinygrad_edu`: call it once,
at the start of a training script, the CLI or a benchmark. Elsewhere (macOS, Windows, musl)
it does nothing and returns False. The same effect without code, for any program:
`GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824`.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import platform
import sys

# mallopt's parameter numbers, from glibc's <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# glibc refuses an mmap threshold above half its heap size: 32 MiB with 64-bit longs.
MMAP_THRESHOLD_MAX = 4 * 1024 * 1024 * ctypes.sizeof(ctypes.c_long)
TRIM_THRESHOLD_MAX = 2**31 - 1      # mallopt takes a C int

_applied: dict[str, int] | None = None   # what the last successful call set, for reports


def _glibc():
    """glibc's handle, or None where the C library is another one (or there is none)."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "mallopt") else None
    except OSError:
        return None


def tune_allocator(mmap_threshold: int = MMAP_THRESHOLD_MAX, trim_threshold: int = 2**30) -> bool:
    """Keep freed memory in the process instead of returning it to the OS after every step.

    mmap_threshold: blocks smaller than this many bytes come from the heap, not from their own
        mmap (at most 32 MiB on 64-bit Linux);
    trim_threshold: free heap memory up to this many bytes is kept rather than given back.

    Returns True when glibc accepted both settings, False where there is no glibc (nothing is
    changed then). Not called by `import tinygrad_edu`: it is an explicit, process-wide choice.
    """
    global _applied
    for name, value, high in (("mmap_threshold", mmap_threshold, MMAP_THRESHOLD_MAX),
                              ("trim_threshold", trim_threshold, TRIM_THRESHOLD_MAX)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"tune_allocator: {name} must be an int number of bytes, got {type(value).__name__}")
        if not 0 <= value <= high:
            raise ValueError(f"tune_allocator: {name} must be between 0 and {high} bytes, got {value}")
    libc = _glibc()
    if libc is None:
        return False
    # The mmap threshold first: if glibc refused it, the trim threshold is left untouched too.
    if libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold) != 1:
        return False
    if libc.mallopt(M_TRIM_THRESHOLD, trim_threshold) != 1:
        return False
    _applied = {"mmap_threshold": mmap_threshold, "trim_threshold": trim_threshold}
    return True


def applied_settings() -> dict[str, int] | None:
    """The settings the last successful `tune_allocator()` made in this process, or None."""
    return None if _applied is None else dict(_applied)
