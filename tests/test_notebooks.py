"""Every tutorial chapter is also a Jupyter notebook, and the notebooks run.

tools/notebooks.py (`make notebooks`) makes notebooks/NN-name.ipynb from each chapter in
docs/tutorial/; here each one is made afresh and executed by nbclient in a new kernel of this
Python (ipykernel's own kernel spec), in a temporary folder and with no `%matplotlib` line and
no MPLBACKEND, as a reader's fresh kernel would be. A notebook must raise nothing, and a cell
whose last line makes a picture (a graph or a plot) must show it as an image, not as text.
"""
from __future__ import annotations

import ast
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tools import notebooks

CHAPTERS = notebooks.chapters()
PICTURE_MAKERS = {"draw_graph", "plot_curves", "image_grid", "decision_boundary", "loss_surface"}
PICTURE_AS_TEXT = re.compile(r"^<\S*(Figure|Graph|Digraph)\b")   # how IPython prints a picture it cannot show
IMAGES = ("image/png", "image/svg+xml")


def execute(notebook: nbformat.NotebookNode, folder) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel; a cell that raises stops the run with its traceback."""
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def makes_a_picture(source: str) -> bool:
    """The cell's last statement is a call of a picture-making function, which Jupyter displays."""
    body = ast.parse(source).body
    last = body[-1] if body else None
    if not (isinstance(last, ast.Expr) and isinstance(last.value, ast.Call)):
        return False
    function = last.value.func
    return (function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)) in PICTURE_MAKERS


def shown_as_images(cell: nbformat.NotebookNode) -> bool:
    return any(kind in output.get("data", {}) for output in cell.outputs for kind in IMAGES)


def picture_problems(notebook: nbformat.NotebookNode) -> list[str]:
    problems = []
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        as_text = [o.data["text/plain"] for o in cell.outputs if "data" in o
                   and PICTURE_AS_TEXT.match(o.data.get("text/plain", "")) and not any(k in o.data for k in IMAGES)]
        if errors:
            problems.append(f"cell {number} raised {errors}")
        if as_text:
            problems.append(f"cell {number} shows a picture as text only: {as_text}")
        elif makes_a_picture(cell.source) and not shown_as_images(cell):
            problems.append(f"cell {number} makes a picture but shows no image:\n{cell.source}")
    return problems


@pytest.fixture(scope="module")
def kernels_of_this_python(tmp_path_factory):
    """A folder with a python3 kernel spec that starts this Python: a python3 spec a user
    installed elsewhere (~/.local/share/jupyter) would otherwise win, with its own packages."""
    from ipykernel.kernelspec import write_kernel_spec
    jupyter = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(jupyter / "kernels" / "python3")
    return jupyter


@pytest.fixture(autouse=True)
def fresh_kernel_environment(monkeypatch, kernels_of_this_python):
    monkeypatch.setenv("JUPYTER_PATH", str(kernels_of_this_python))   # searched before any other folder
    monkeypatch.delenv("MPLBACKEND", raising=False)   # a reader's kernel picks its own backend


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.stem)
def test_a_chapter_notebook_runs_in_a_fresh_kernel_and_shows_its_pictures(chapter, tmp_path):
    notebook = execute(notebooks.notebook_of(chapter), tmp_path)
    problems = picture_problems(notebook)
    assert not problems, f"notebooks/{chapter.stem}.ipynb:\n" + "\n".join(problems)


def test_graphs_and_plots_show_inline_in_a_fresh_kernel_and_still_save_to_files(tmp_path):
    if shutil.which("dot") is None:
        pytest.skip("the graph's picture needs Graphviz's dot program")
    cells = [
        "import tinygrad_edu as tg\nfrom tinygrad_edu.viz import plots\nx = tg.randn(3, requires_grad=True)",
        "tg.viz.draw_graph((x * x).sum())",
        "plots.plot_curves({'loss': [3, 2, 1]}, path='curves.png')",
        "plots.image_grid(tg.rand(4, 1, 8, 8))",
        "plots.decision_boundary(lambda grid: grid.sum(dim=1), tg.randn(20, 2), tg.randint(0, 2, (20,)), resolution=20)",
        "plots.loss_surface(lambda a, b: a * a + b * b, (-1, 1), resolution=5)",
        "import os\nassert os.path.getsize('curves.png') > 0",
    ]
    notebook = execute(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells],
                                                metadata={"kernelspec": notebooks.KERNEL}), tmp_path)
    assert [shown_as_images(cell) for cell in notebook.cells] == [False, True, True, True, True, True, False]
    assert (tmp_path / "curves.png").read_bytes().startswith(b"\x89PNG")
    assert not picture_problems(notebook)


def test_the_picture_check_notices_a_figure_shown_as_text():
    cell = nbformat.v4.new_code_cell("plots.plot_curves(history)")
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "<Figure size 500x360 with 1 Axes>"})]
    assert picture_problems(nbformat.v4.new_notebook(cells=[cell]))
    cell.outputs[0].data["image/png"] = "iVBORw0KGgo="
    assert not picture_problems(nbformat.v4.new_notebook(cells=[cell]))
    cell.outputs = []
    assert picture_problems(nbformat.v4.new_notebook(cells=[cell])), "a picture-making last line showed nothing"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda chapter: chapter.stem)
def test_a_notebook_holds_its_chapters_code_and_links_that_work_from_notebooks(chapter):
    notebook = notebooks.notebook_of(chapter)
    nbformat.validate(notebook)
    text = chapter.read_text(encoding="utf-8")
    python = [m.group(2).rstrip("\n") for m in notebooks.FENCE.finditer(text) if m.group(1).strip() == "python"]
    assert [c.source.rstrip("\n") for c in notebook.cells if c.cell_type == "code"] == python
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    broken = [target for _, target, _ in notebooks.LINK.findall(markdown)
              if not re.match(r"[a-z]+:|#", target) and not works_from_notebooks(target.split("#")[0])]
    assert not broken, f"links that do not work from notebooks/: {broken}"


def works_from_notebooks(target: str) -> bool:
    if target.endswith(".ipynb"):   # another chapter's notebook, made beside this one
        return (notebooks.CHAPTERS / target).with_suffix(".md").exists()
    return (notebooks.NOTEBOOKS / target).resolve().exists()


def test_making_a_notebook_drops_printed_output_keeps_commands_as_text_and_marks_skipped_code(tmp_path, monkeypatch):
    chapters = tmp_path / "docs" / "tutorial"
    chapters.mkdir(parents=True)
    (tmp_path / "docs" / "img").mkdir()
    (tmp_path / "docs" / "img" / "a.png").write_bytes(b"")
    (chapters / "02-second.md").write_text("# Two\n")
    chapter = chapters / "01-first.md"
    chapter.write_text("# One\n\n```sh\npython examples/01_x.py\n```\n\n```output examples/01_x.py --quick\nhi\n```\n\n"
                       "![a picture](../img/a.png) and [two](02-second.md)\n\n```python\nprint(1)\n```\n\n```output\n1\n```\n\n"
                       "```python\n# doc-test: skip (needs a GPU)\nx = 1\n```\n")
    monkeypatch.setattr(notebooks, "ROOT", tmp_path)
    monkeypatch.setattr(notebooks, "CHAPTERS", chapters)
    notebook = notebooks.notebook_of(chapter, tmp_path / "notebooks")
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds == ["markdown", "markdown", "code", "code"], kinds
    text = notebook.cells[1].source
    assert "```sh\npython examples/01_x.py\n```" in text and "```output examples/01_x.py --quick\nhi" in text
    assert "](../docs/img/a.png)" in text and "](02-second.ipynb)" in text
    assert "```output\n1" not in "".join(cell.source for cell in notebook.cells)
    assert notebook.cells[3].metadata.get("tags") == ["skip-execution"]
