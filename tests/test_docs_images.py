"""The pictures in docs/img are made by code, and are remade when that code changes.

docs/img/sources.json names, for each picture, the command that makes it and the file it
writes; `make docs-images` (tools/docs_images.py) reruns the commands, copies the pictures in
and records a hash of each command and its script. A picture whose script changed since is
stale: its test says to run `make docs-images`.
"""
from __future__ import annotations

import json
import pathlib
import shlex

import pytest

from tests.pictures import picture_problem
from tools import docs_images

ROOT = pathlib.Path(__file__).parent.parent
IMAGES = ROOT / "docs" / "img"
SOURCES = docs_images.load_sources()
PICTURES = sorted(p.name for p in IMAGES.iterdir() if p.suffix in (".png", ".svg"))


def test_every_picture_has_a_source_and_every_source_a_picture():
    assert sorted(SOURCES) == PICTURES, (
        f"pictures without an entry in docs/img/sources.json: {sorted(set(PICTURES) - set(SOURCES))}; "
        f"entries without a picture: {sorted(set(SOURCES) - set(PICTURES))}")


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_source_names_a_script_and_the_file_it_writes(name):
    entry = SOURCES[name]
    assert set(entry) == {"command", "file", "source_sha256"}, f"{name}: unexpected keys {sorted(entry)}"
    assert (ROOT / shlex.split(entry["command"])[0]).is_file(), f"{name}: no script '{entry['command']}'"
    assert pathlib.Path(entry["file"]).suffix == pathlib.Path(name).suffix, f"{name}: made from {entry['file']}"


@pytest.mark.parametrize("name", PICTURES)
def test_a_picture_is_a_real_png_or_svg(name):
    problem = picture_problem(IMAGES / name)
    assert problem is None, problem


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_a_picture_is_newer_than_its_script(name):
    command = SOURCES[name]["command"]
    assert SOURCES[name]["source_sha256"] == docs_images.source_sha256(command), (
        f"docs/img/{name} was not made by the current '{command}' (it or the command changed since): "
        f"run make docs-images")


def test_the_hash_follows_the_script_and_its_arguments(tmp_path, monkeypatch):
    monkeypatch.setattr(docs_images, "ROOT", tmp_path)
    script = tmp_path / "make_picture.py"
    script.write_text("print('one')\n")
    before = docs_images.source_sha256("make_picture.py")
    assert docs_images.source_sha256("make_picture.py --quick") != before
    script.write_text("print('two')\n")
    assert docs_images.source_sha256("make_picture.py") != before


def test_make_docs_images_runs_each_command_once_and_records_its_hash(tmp_path, monkeypatch):
    images = tmp_path / "docs" / "img"
    images.mkdir(parents=True)
    (tmp_path / "draw.py").write_text(
        "import pathlib, sys\n"
        "out = pathlib.Path(sys.argv[sys.argv.index('--out') + 1])\n"
        "runs = pathlib.Path('runs.txt')\n"
        "runs.write_text(runs.read_text() + 'run ' if runs.exists() else 'run ')\n"
        "(out / 'a.svg').write_text('<svg><g/></svg>')\n"
        "(out / 'b.svg').write_text('<svg><g/><g/></svg>')\n")
    sources = {"x-a.svg": {"command": "draw.py", "file": "a.svg", "source_sha256": None},
               "x-b.svg": {"command": "draw.py", "file": "b.svg", "source_sha256": None}}
    (images / "sources.json").write_text(json.dumps(sources))
    for name, value in {"ROOT": tmp_path, "IMAGES": images, "SOURCES": images / "sources.json"}.items():
        monkeypatch.setattr(docs_images, name, value)

    docs_images.regenerate([])
    assert (tmp_path / "runs.txt").read_text() == "run "
    assert (images / "x-b.svg").read_text() == "<svg><g/><g/></svg>"
    recorded = json.loads((images / "sources.json").read_text())
    assert {entry["source_sha256"] for entry in recorded.values()} == {docs_images.source_sha256("draw.py")}
