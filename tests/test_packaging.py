"""The package as a user gets it: the sdist and the wheel that `python -m build` makes, the wheel
installed into a clean virtual environment, and `tinygrad-edu demo --quick` run from a folder
that is not the repository.

The sdist holds the package and what builds it, and leaves the tests out (MANIFEST.in says
why); `python -m build` makes the wheel from that sdist, so a wheel that runs the demo also
shows that the sdist is complete. Measured on a busy 2-core machine: building both 22 s, the
clean venv with the wheel and NumPy from the local index 15 s, safetensors 3 s, the demo 6 s.
The archives are built once per test run, also when pytest-xdist spreads these tests over
several workers.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging
REPO = Path(__file__).resolve().parents[1]
# what `python -m build` reads: the package, its metadata, and the tests that the sdist must leave out
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "tinygrad_edu", "tests")


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def _build(out: Path) -> None:
    """The sdist and the wheel built from it, from a copy of the sources (the build writes
    egg-info and build/ folders, which do not belong in the working tree of a test run)."""
    pytest.importorskip("build", reason="the test extra installs `build`")
    source = out / "source"
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
        else:
            source.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    _run([sys.executable, "-m", "build", "--outdir", out / "dist", source])


@pytest.fixture(scope="session")
def dist(tmp_path_factory) -> tuple[Path, Path]:
    """(sdist, wheel), built once for all pytest-xdist workers (the first one builds, under a lock)."""
    from filelock import FileLock   # comes with torch, in the test extra
    run_folder = tmp_path_factory.getbasetemp()   # under xdist, each worker's folder sits in the run's
    shared = (run_folder.parent if "PYTEST_XDIST_WORKER" in os.environ else run_folder) / "packaging"
    with FileLock(str(shared) + ".lock"):
        if not (shared / "dist").is_dir():
            shutil.rmtree(shared, ignore_errors=True)
            _build(shared)
    sdist, = (shared / "dist").glob("*.tar.gz")
    wheel, = (shared / "dist").glob("*.whl")
    return sdist, wheel


def _package_files() -> set[str]:
    """The package's own files in the repository, as paths relative to its parent."""
    return {path.relative_to(REPO).as_posix() for path in (REPO / "tinygrad_edu").rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}


def test_the_sdist_holds_the_package_license_and_metadata_and_no_tests(dist):
    sdist, _ = dist
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        names = {name.removeprefix(top + "/") for name in archive.getnames()}
    assert {"pyproject.toml", "README.md", "LICENSE", "PKG-INFO"} <= names
    assert _package_files() <= names   # every module and asset, digits.npz and py.typed included
    assert "tinygrad_edu/assets/digits.npz" in names
    assert not [name for name in names if name.startswith("tests/") or name == "tests"]
    assert not [name for name in names if name.endswith(".pyc")]


def test_the_wheel_ships_the_package_with_its_data_and_an_spdx_licence(dist):
    _, wheel = dist
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata_name, = [name for name in names if name.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata_name).decode()
    assert _package_files() <= names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert "License-Expression: MIT" in metadata and "Classifier: " in metadata
    requirements = [line for line in metadata.splitlines() if line.startswith("Requires-Dist: ")]
    assert "Requires-Dist: numpy>=1.24" in requirements
    # scikit-learn only for the tests, which compare the bundled digits with its copy
    assert [line for line in requirements if "scikit-learn" in line] == ['Requires-Dist: scikit-learn>=1.2; extra == "test"']
    assert not [name for name in names if name.startswith("tests/")]


def _clean_environment() -> dict[str, str]:
    """This process's environment without what would point Python at the repository or another device."""
    return {key: value for key, value in os.environ.items()
            if key not in ("PYTHONPATH", "PYTHONHOME", "TINYGRAD_EDU_DEVICE", "VIRTUAL_ENV")}


def test_the_wheel_installs_into_a_clean_venv_and_the_demo_runs_from_another_folder(dist, tmp_path):
    _, wheel = dist
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])   # this pip installs into it: no ensurepip
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    install = [sys.executable, "-m", "pip", "--python", bin_dir / "python", "install", "--quiet",
               "--disable-pip-version-check"]
    env = _clean_environment()
    _run(install + [wheel], env=env)   # the core: NumPy only
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([bin_dir / "python", "-c", "import tinygrad_edu; print(tinygrad_edu.__file__)"], cwd=elsewhere, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv)   # the installed copy, not the repository's

    # A bare install: one line names every extra the demo uses, with one command, before any training.
    bare = subprocess.run([bin_dir / "tinygrad-edu", "demo", "--quick"], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=120)
    assert bare.returncode == 1 and bare.stdout == "" and bare.stderr.count("\n") == 1
    assert 'pip install "tinygrad_edu[io,plot,viz]"' in bare.stderr
    for module in ("safetensors", "matplotlib", "tqdm", "graphviz"):
        assert module in bare.stderr

    # With the one extra it needs, the quick demo trains, saves, and notes the rest on stderr.
    _run(install + [f"tinygrad_edu[io] @ {wheel.as_uri()}"], env=env)
    demo = _run([bin_dir / "tinygrad-edu", "demo", "--quick"], cwd=elsewhere, env=env)
    assert "test accuracy: " in demo.stdout and "note:" not in demo.stdout
    assert 'note: running without matplotlib' in demo.stderr and 'pip install "tinygrad_edu[plot,viz]"' in demo.stderr
    assert (elsewhere / "runs" / "demo" / "model.safetensors").is_file()
