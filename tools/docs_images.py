"""Regenerate the pictures in docs/img from the examples that make them (`make docs-images`).

docs/img/sources.json says, for each picture, which command makes it and which file of the
command's output folder it is:

    "01-boundaries.png": {"command": "examples/01_rules_vs_learning.py",
                          "file": "boundaries.png",
                          "source_sha256": "..."}

The command is a script of this repository with its arguments (add --quick for a short run);
it is run with this Python from the repository root, with `--out <a temporary folder>` added.
`source_sha256` is written here: a hash of the command and the script's source at the time the
picture was made, so tests/test_docs_images.py can tell when a script changed and its picture
did not.

    python tools/docs_images.py                      # every picture
    python tools/docs_images.py 16-names-losses.png  # only these (each command runs once)
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "img"
SOURCES = IMAGES / "sources.json"


def load_sources() -> dict[str, dict]:
    return json.loads(SOURCES.read_text(encoding="utf-8"))


def script_of(command: str) -> pathlib.Path:
    return ROOT / shlex.split(command)[0]


def source_sha256(command: str) -> str:
    """What a picture depends on that we can hash cheaply: its command and its script's source."""
    digest = hashlib.sha256(command.encode())
    digest.update(b"\0" + script_of(command).read_bytes())
    return digest.hexdigest()


def run(command: str, out: pathlib.Path) -> None:
    script, *arguments = shlex.split(command)
    environment = {**os.environ, "MPLBACKEND": "Agg"}
    print(f"$ python {command}", flush=True)
    subprocess.run([sys.executable, script, *arguments, "--out", str(out)], cwd=ROOT, env=environment,
                   check=True)


def regenerate(names: list[str]) -> None:
    sources = load_sources()
    unknown = sorted(set(names) - set(sources))
    if unknown:
        sys.exit(f"not in {SOURCES.relative_to(ROOT)}: {', '.join(unknown)}")
    commands: dict[str, list[str]] = {}
    for name in names or sorted(sources):
        commands.setdefault(sources[name]["command"], []).append(name)
    for command, images in commands.items():
        with tempfile.TemporaryDirectory() as folder:
            run(command, pathlib.Path(folder))
            for name in images:
                made = pathlib.Path(folder) / sources[name]["file"]
                if not made.exists():
                    sys.exit(f"'{command}' wrote no {sources[name]['file']} (needed for docs/img/{name})")
                shutil.copyfile(made, IMAGES / name)
                sources[name]["source_sha256"] = source_sha256(command)
                print(f"  docs/img/{name}", flush=True)
        # written after each command, so an interrupted run keeps what it finished
        SOURCES.write_text(json.dumps(sources, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    regenerate(sys.argv[1:])
