"""Writing files safely, for everything that saves something (tensors, graph drawings).

The bytes go to a temporary file in the same directory, which is flushed to disk and then
renamed over the target, so a crash or an error midway leaves the old file as it was,
never half a file.

Three promises about the files themselves:

- A new file gets the permissions `open(path, "w")` would give it: 0o666 less the user's
  umask (0o644 under the usual umask 022, 0o600 under 077). An existing file keeps its own.
- The temporary file is named `.{name}.tinygrad_edu-tmp-{pid}-{random}` beside the target,
  and is removed when the write fails.
- A write killed outright (SIGKILL, power loss) cannot clean up after itself, so the next
  write to the same target removes the temporary files that a finished process of this
  library left for it. Nothing else is ever deleted: only names of that pattern, for that
  target, whose process id is no longer running on this machine.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

TEMP_MARKER = ".tinygrad_edu-tmp-"


def temp_file_pattern(target: Path) -> re.Pattern:
    """The names of our temporary files for `target`; group 1 is the id of the writing process."""
    return re.compile(re.escape(f".{target.name}{TEMP_MARKER}") + r"(\d{1,10})-[0-9a-f]{8}")


def _process_is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)   # signal 0 delivers nothing: it only asks whether the process exists
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):   # PermissionError: it exists, another user's; or no valid pid
        return True
    return True


def remove_stale_temp_files(target: Path) -> list[Path]:
    """Delete the temporary files an interrupted write to `target` left behind; return them.

    Only on POSIX, where signal 0 can ask whether the writer is still running (on Windows
    os.kill would end the process instead). A temp file of a running process, this one
    included, is someone's write in progress and is left alone.
    """
    if os.name != "posix":
        return []
    pattern = temp_file_pattern(target)
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            match = pattern.fullmatch(entry.name)
            if match and not _process_is_running(int(match.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _create_temp_file(target: Path) -> tuple[int, Path]:
    """Open a new, empty temporary file beside `target`.

    Created with mode 0o666 exactly as open(path, "w") does, so the kernel applies the
    umask (tempfile.mkstemp would always give 0o600). O_EXCL refuses a name that already
    exists, a symlink included.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = target.parent / f".{target.name}{TEMP_MARKER}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            return os.open(temp, flags, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {str(target)!r}")


def write_atomically(path: Path, payload: bytes) -> None:
    """Replace the file `path` with `payload` in one step; its directory must exist.

    A new file gets the permissions open(path, "w") would give (0o666 less the umask); an
    existing file keeps its own.
    """
    path = Path(path)
    directory = path.parent
    existing_mode = path.stat().st_mode & 0o777 if path.is_file() else None
    remove_stale_temp_files(path)
    fd, temp = _create_temp_file(path)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())   # the bytes are on disk before the name points at them
        if existing_mode is not None:
            os.chmod(temp, existing_mode)
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
