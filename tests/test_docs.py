"""The docs cannot rot: every ```python block in docs/**/*.md and README.md runs, and every
relative link points at a file that exists.

Blocks of one file run in order in one namespace, so a later block can use names an earlier
one defined. They run inside a temporary folder, so files they write go nowhere. A block
opts out only with a first line that says why, e.g. `# doc-test: skip (needs a GPU)`.
"""
from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).parent.parent
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SKIP = re.compile(r"#\s*doc-test:\s*skip\b(.*)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def python_blocks(page: pathlib.Path) -> list[tuple[int, str]]:
    """(line number, source) of every ```python block in a Markdown file."""
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in BLOCK.finditer(text)]


def page_id(page: pathlib.Path) -> str:
    return str(page.relative_to(ROOT))


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=page_id)
def test_every_python_block_in_the_docs_runs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")   # no windows, even if a block uses pyplot
    namespace: dict = {"__name__": "__doc_test__"}
    for line, source in python_blocks(page):
        first = source.lstrip().splitlines()[0] if source.strip() else ""
        skip = SKIP.match(first)
        if skip:
            assert re.match(r"\s*\(.+\)", skip.group(1)), \
                f"{page_id(page)}:{line}: a skipped block must say why, e.g. '# doc-test: skip (needs a GPU)'"
            continue
        code = compile(source, f"{page_id(page)}:{line}", "exec")
        exec(code, namespace)   # noqa: S102 — running the docs' own examples is the point


def test_docs_opt_out_of_running_sparingly():
    skipped = [(page_id(p), line) for p in PAGES for line, source in python_blocks(p)
               if SKIP.match(source.lstrip().splitlines()[0] if source.strip() else "")]
    total = sum(len(python_blocks(p)) for p in PAGES)
    assert len(skipped) <= max(2, total // 10), f"too many skipped blocks: {skipped}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_relative_link_in_the_docs_points_at_a_file_that_exists(page):
    text = BLOCK.sub("", page.read_text(encoding="utf-8"))
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):   # web addresses, anchors in the page
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        if not path.exists():
            broken.append(target)
    assert not broken, f"{page_id(page)} links to missing files: {broken}"


def test_the_tutorial_has_a_chapter_per_example_and_each_links_its_example():
    chapters = sorted((ROOT / "docs" / "tutorial").glob("[0-9][0-9]-*.md"))
    examples = sorted((ROOT / "examples").glob("[0-9][0-9]_*.py"))
    assert [c.name[:2] for c in chapters] == [e.name[:2] for e in examples] == [f"{i:02d}" for i in range(1, 18)]
    for chapter, example in zip(chapters, examples):
        text = chapter.read_text(encoding="utf-8")
        assert f"../../examples/{example.name}" in text, f"{chapter.name} does not link {example.name}"
        assert "../../tinygrad_edu/" in text, f"{chapter.name} does not link the library code behind it"
