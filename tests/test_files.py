"""files.write_atomically, through tg.save: permissions as open() gives them, and temp files that
never outlive a failed or interrupted save."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import tinygrad_edu as tg
from tinygrad_edu import files

posix_only = pytest.mark.skipif(os.name != "posix", reason="umask, signals and process ids as POSIX has them")


def _temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if files.TEMP_MARKER in p.name)


def _with_umask(umask: int, action):
    old = os.umask(umask)
    try:
        return action()
    finally:
        os.umask(old)


@posix_only
@pytest.mark.parametrize("umask, mode", [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)],
                         ids=["umask-077", "umask-022", "umask-002"])
def test_a_new_file_gets_the_permissions_open_would_give_under_the_umask(tmp_path, umask, mode):
    _with_umask(umask, lambda: tg.save({"w": tg.ones(1)}, tmp_path / "w.safetensors"))
    _with_umask(umask, lambda: open(tmp_path / "by-open.txt", "w").close())
    assert (tmp_path / "w.safetensors").stat().st_mode & 0o777 == mode
    assert (tmp_path / "by-open.txt").stat().st_mode & 0o777 == mode


@posix_only
def test_an_existing_file_keeps_its_permissions_whatever_the_umask(tmp_path):
    path = tmp_path / "w.safetensors"
    tg.save({"w": tg.ones(1)}, path)
    path.chmod(0o640)
    _with_umask(0o077, lambda: tg.save({"w": tg.zeros(1)}, path))
    assert path.stat().st_mode & 0o777 == 0o640 and tg.load(path)["w"].tolist() == [0.0]


def test_the_temp_file_has_the_library_name_pattern_and_is_gone_after_a_failed_save(tmp_path, monkeypatch):
    seen = []

    def fail_replace(source, target):
        seen.append(Path(source).name)
        raise OSError("simulated rename failure")
    monkeypatch.setattr(os, "replace", fail_replace)
    with pytest.raises(OSError, match="simulated"):
        tg.save({"w": tg.ones(3)}, tmp_path / "w.safetensors")
    monkeypatch.undo()
    assert len(seen) == 1 and files.temp_file_pattern(tmp_path / "w.safetensors").fullmatch(seen[0])
    assert seen[0].startswith(".w.safetensors.tinygrad_edu-tmp-")
    assert list(tmp_path.iterdir()) == []


def _dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


@posix_only
def test_a_save_removes_only_stale_temp_files_of_its_own_target(tmp_path):
    dead = _dead_pid()
    stale = f".w.safetensors.tinygrad_edu-tmp-{dead}-0123abcd"
    keep = [
        f".w.safetensors.tinygrad_edu-tmp-{os.getpid()}-0123abcd",      # a write in progress (this process)
        f".other.safetensors.tinygrad_edu-tmp-{dead}-0123abcd",         # another target
        f".w.safetensors.tinygrad_edu-tmp-{dead}-0123abcd.bak",         # not exactly the pattern
        f"w.safetensors.tinygrad_edu-tmp-{dead}-0123abcd",
        ".w.safetensors.tmp",                                           # someone else's temp file
        ".w.safetensors.a1b2c3.tmp",
        ".w.safetensors.tinygrad_edu-tmp-9999999999-0123abcd",          # no process can have that id
        ".w.safetensors.tinygrad_edu-tmp-99999999999999999999-0123abcd",
    ]
    for name in [stale, *keep]:
        (tmp_path / name).write_bytes(b"partial")
    tg.save({"w": tg.ones(2)}, tmp_path / "w.safetensors")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*keep, "w.safetensors"])


CHILD_SAVE = textwrap.dedent("""
    import os, sys, time
    import numpy as np
    import tinygrad_edu as tg

    def stuck_fsync(fd):   # the bytes are written, the rename not yet done: kill me here
        print("writing", flush=True)
        time.sleep(120)

    os.fsync = stuck_fsync
    tg.save({"big": np.ones(4_000_000, np.float32)}, sys.argv[1])
""")


@posix_only
def test_a_save_killed_midway_leaves_the_old_file_and_the_next_save_removes_its_temp_file(tmp_path):
    path = tmp_path / "model.safetensors"
    tg.save({"old": tg.arange(3.0)}, path)
    before = path.read_bytes()
    child = subprocess.Popen([sys.executable, "-c", CHILD_SAVE, str(path)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[1])
    try:
        assert child.stdout.readline().strip() == "writing"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    left = _temp_files(tmp_path)
    assert left == [name for name in left if name.startswith(f".model.safetensors.tinygrad_edu-tmp-{child.pid}-")]
    assert len(left) == 1 and (tmp_path / left[0]).stat().st_size >= 16_000_000
    assert path.read_bytes() == before

    tg.save({"new": tg.ones(2)}, path)
    assert _temp_files(tmp_path) == []
    assert list(tg.load(path)) == ["new"]
