"""Make a Jupyter notebook of every tutorial chapter (`make notebooks`): notebooks/NN-name.ipynb.

The chapters in docs/tutorial/ are the source; a notebook is made from one with jupytext and
never edited by hand (notebooks/ is git-ignored). On the way:

- the chapter's ```python blocks become code cells, everything else Markdown; a command
  block (```sh) stays text, so running a notebook never starts an example by itself;
- an ```output block after a python block is dropped: the notebook shows the real output;
- relative links and pictures are rewritten to work from notebooks/, and links to other
  chapters point at their notebooks;
- a block the docs test skips (`# doc-test: skip (why)`) is tagged skip-execution.

    python tools/notebooks.py              # every chapter, into notebooks/
    python tools/notebooks.py --out DIR    # somewhere else
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re

import jupytext
import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "docs" / "tutorial"
NOTEBOOKS = ROOT / "notebooks"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*\n?", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"(!?\[[^\]]*\]\()([^)\s]+)(\))")
SKIP = re.compile(r"\s*#\s*doc-test:\s*skip\b")
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


def chapters() -> list[pathlib.Path]:
    return sorted(CHAPTERS.glob("[0-9][0-9]*-*.md"))


def without_printed_output(markdown: str) -> str:
    """Drop each ```output block that directly follows a ```python block."""
    pieces, previous_info, previous_end = [], None, 0
    for m in FENCE.finditer(markdown):
        between = markdown[previous_end:m.start()]
        pieces.append(between)
        if not (m.group(1).strip() == "output" and previous_info == "python" and not between.strip()):
            pieces.append(m.group(0))
        previous_info, previous_end = m.group(1).strip(), m.end()
    return "".join(pieces) + markdown[previous_end:]


def relinked(markdown: str, chapter: pathlib.Path, out: pathlib.Path) -> str:
    """Relative links written from the chapter's folder, rewritten for a notebook in `out`."""
    def rewrite(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"[a-z]+:", target) or target.startswith("#"):   # web addresses, anchors
            return m.group(0)
        path, hash_, anchor = target.partition("#")
        resolved = (chapter.parent / path).resolve()
        if resolved.parent == CHAPTERS and resolved.suffix == ".md" and resolved.exists():
            new = resolved.with_suffix(".ipynb").name          # another chapter: its notebook
        else:
            new = pathlib.Path(os.path.relpath(resolved, out.resolve())).as_posix()
        return f"{m.group(1)}{new}{hash_}{anchor}{m.group(3)}"
    return LINK.sub(rewrite, markdown)


def notebook_of(chapter: pathlib.Path, out: pathlib.Path = NOTEBOOKS) -> nbformat.NotebookNode:
    notebook = jupytext.reads(without_printed_output(chapter.read_text(encoding="utf-8")), fmt="md")
    cells = [nbformat.v4.new_markdown_cell(
        f"*Made from [{chapter.relative_to(ROOT).as_posix()}]"
        f"({pathlib.Path(os.path.relpath(chapter, out.resolve())).as_posix()}) by `make notebooks`: "
        f"edit the chapter, not this notebook.*")]
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("%%"):
            # jupytext makes a ```sh block a %%sh cell; a chapter's commands are for a terminal
            magic, _, body = cell.source.partition("\n")
            cell = nbformat.v4.new_markdown_cell(f"```{magic[2:].strip()}\n{body}\n```")
        elif cell.cell_type == "code":
            cell = nbformat.v4.new_code_cell(cell.source)
            if SKIP.match(cell.source):
                cell.metadata["tags"] = ["skip-execution"]
        else:
            cell = nbformat.v4.new_markdown_cell(relinked(cell.source, chapter, out))
        if cell.cell_type == "markdown" and cells[-1].cell_type == "markdown" and len(cells) > 1:
            cells[-1].source += "\n\n" + cell.source   # one text cell between two code cells
        else:
            cells.append(cell)
    made = nbformat.v4.new_notebook(cells=cells)
    made.metadata = {"kernelspec": KERNEL, "language_info": {"name": "python"}}
    return made


def write_notebooks(out: pathlib.Path = NOTEBOOKS) -> list[pathlib.Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter in chapters():
        path = out / chapter.with_suffix(".ipynb").name
        nbformat.write(notebook_of(chapter, out), path)
        written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=NOTEBOOKS, help="folder for the notebooks")
    for written in write_notebooks(parser.parse_args().out):
        print(written.relative_to(ROOT) if written.is_relative_to(ROOT) else written)
