"""Writing files safely, for everything that saves something (tensors, graph drawings).

The bytes go to a temporary file in the same directory, which is flushed to disk and then
renamed over the target, so a crash or an error midway leaves the old file as it was,
never half a file.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, payload: bytes) -> None:
    """Replace the file `path` with `payload` in one step; its directory must exist.

    A new file gets the ordinary permissions 0o644; an existing file keeps its own.
    """
    directory = path.parent
    mode = path.stat().st_mode & 0o777 if path.is_file() else 0o644   # mkstemp would leave 0o600
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())   # the bytes are on disk before the name points at them
        os.chmod(temp, mode)
        os.replace(temp, path)        # atomic: readers see the old file or the new one, never half
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):   # make the rename itself durable (POSIX; harmless elsewhere)
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)
