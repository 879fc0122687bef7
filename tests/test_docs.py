"""The docs cannot rot: every ```python block in docs/**/*.md and README.md runs, every
printed-output block equals what its code prints, and every relative link points at a file
that exists.

Python blocks of one page run in order in one namespace, so a later block can use names an
earlier one defined. They run inside a temporary folder, so files they write go nowhere. A
block opts out only with a first line that says why, e.g. `# doc-test: skip (needs a GPU)`.

Printed output is shown in fenced blocks whose info string starts with `output`:

- ```` ```output ```` directly after a ```` ```python ```` block (only blank lines between) holds
  what that python block prints;
- ```` ```output examples/10_convnet_on_digits.py --quick ```` holds what that example prints
  when run with those arguments (`--quick` is required: the tests run it, in a temporary folder).

The comparison is doctest's: `...` stands for any text, also across lines, so a number that
varies is written `test accuracy 9...%` and a long middle is elided by a line `...`. Trailing
whitespace and blank lines at either end do not count. Anything that is not program output
(diagrams, file trees, commands) goes in ```` ```text ```` or ```` ```sh ```` blocks.
"""
from __future__ import annotations

import contextlib
import dataclasses
import difflib
import io
import pathlib
import re
import shlex

import pytest

from tests.example_runner import EXAMPLES, run_example

ROOT = pathlib.Path(__file__).parent.parent
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
OPENING_FENCE = re.compile(r"^(`{3,})([^`]*)$")
SKIP = re.compile(r"#\s*doc-test:\s*skip\b(.*)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
WILDCARD = "..."
EXAMPLE_COMMAND = re.compile(r"^\s*(?:\$\s*)?python3?\s+(examples/\S+\.py)", re.MULTILINE)


@dataclasses.dataclass
class Block:
    line: int          # of the block's first line of content, counted from 1
    info: str          # what follows the opening ```: "python", "output", "output examples/x.py --quick"
    source: str
    follows: "Block | None"   # the fenced block just before it, when only blank lines are between
    opening: int = 0   # line indices (from 0) of the two fences
    closing: int = 0

    @property
    def kind(self) -> str:
        return self.info.split()[0] if self.info.split() else ""


def fenced_blocks(page: pathlib.Path) -> list[Block]:
    """The fenced blocks that start at the left margin, as CommonMark reads them: a fence of
    ```` or more backticks is closed only by as many, so a page can show a block inside one."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i, previous_end = 0, None
    while i < len(lines):
        opening = OPENING_FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening.group(1)
        end = next((j for j in range(i + 1, len(lines))
                    if lines[j].strip().startswith(fence) and not lines[j].strip().strip("`")), len(lines))
        adjacent = previous_end is not None and not "".join(lines[previous_end + 1:i]).strip()
        blocks.append(Block(i + 2, opening.group(2).strip(), "".join(line + "\n" for line in lines[i + 1:end]),
                            blocks[-1] if adjacent else None, i, end))
        i = previous_end = end
        i += 1
    return blocks


def prose(page: pathlib.Path) -> str:
    """The page without its fenced blocks."""
    lines = page.read_text(encoding="utf-8").splitlines()
    for block in reversed(fenced_blocks(page)):
        del lines[block.opening:block.closing + 1]
    return "\n".join(lines)


def python_blocks(page: pathlib.Path) -> list[Block]:
    return [b for b in fenced_blocks(page) if b.info == "python"]


def skipped(block: Block) -> bool:
    first = block.source.lstrip().splitlines()[0] if block.source.strip() else ""
    return SKIP.match(first) is not None


def page_id(page: pathlib.Path) -> str:
    return str(page.relative_to(ROOT))


# ---- matching printed output -----------------------------------------------------------------

def normalized(text: str) -> str:
    """Trailing whitespace on a line, and blank lines at either end, do not count."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


def output_matches(expected: str, printed: str) -> bool:
    """doctest-style: `...` in `expected` matches any text, newlines included."""
    expected, printed = normalized(expected), normalized(printed)
    if WILDCARD not in expected:
        return expected == printed
    first, *middle, last = expected.split(WILDCARD)
    if len(first) + len(last) > len(printed) or not printed.startswith(first) or not printed.endswith(last):
        return False
    # Leftmost placement of each literal piece is never worse than a later one for what follows.
    position, end = len(first), len(printed) - len(last)
    for piece in middle:
        found = printed.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def difference(where: str, expected: str, printed: str) -> str:
    diff = difflib.unified_diff(normalized(expected).splitlines(), normalized(printed).splitlines(),
                                "the docs' output block", "what the code printed", lineterm="")
    return (f"{where}: the output block does not match what the code printed "
            f"('...' in the block matches any text):\n" + "\n".join(diff))


def check_output(where: str, expected: str, printed: str) -> None:
    assert output_matches(expected, printed), difference(where, expected, printed)


# ---- the tests ---------------------------------------------------------------------------------

@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=page_id)
def test_every_python_block_runs_and_prints_its_output_block(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")   # no windows, even if a block uses pyplot
    namespace: dict = {"__name__": "__doc_test__"}
    printed: dict[int, str] = {}
    for block in python_blocks(page):
        if skipped(block):
            reason = SKIP.match(block.source.lstrip().splitlines()[0]).group(1)
            assert re.match(r"\s*\(.+\)", reason), \
                f"{page_id(page)}:{block.line}: a skipped block must say why, e.g. '# doc-test: skip (needs a GPU)'"
            continue
        code = compile(block.source, f"{page_id(page)}:{block.line}", "exec")
        with contextlib.redirect_stdout(io.StringIO()) as stdout:
            exec(code, namespace)   # noqa: S102 — running the docs' own examples is the point
        printed[block.line] = stdout.getvalue()
    mismatches = [difference(f"{page_id(page)}:{b.line}", b.source, printed[b.follows.line])
                  for b in fenced_blocks(page)
                  if b.info == "output" and b.follows is not None and b.follows.line in printed
                  and not output_matches(b.source, printed[b.follows.line])]
    assert not mismatches, "\n\n".join(mismatches)


def test_every_output_block_follows_a_python_block_or_names_an_example():
    misplaced = [f"{page_id(p)}:{b.line}" for p in PAGES for b in fenced_blocks(p)
                 if b.info == "output" and (b.follows is None or b.follows.info != "python")]
    assert not misplaced, ("an ```output block must come directly after the ```python block that prints "
                           f"it, or name the example it shows ('```output examples/NN_x.py --quick'): {misplaced}")


def example_output_blocks() -> list:
    return [pytest.param(p, b, id=f"{page_id(p)}:{b.line}")
            for p in PAGES for b in fenced_blocks(p) if b.kind == "output" and b.info != "output"]


@pytest.mark.parametrize("page, block", example_output_blocks())
def test_every_example_output_block_is_what_the_example_prints(page, block, tmp_path, monkeypatch):
    where = f"{page_id(page)}:{block.line}"
    script, *arguments = shlex.split(block.info)[1:] or [""]
    path = ROOT / script
    assert re.fullmatch(r"examples/[0-9][0-9]\w*\.py", script) and path.exists(), \
        f"{where}: '{block.info}' must name an example, e.g. 'output examples/03_xor.py --quick'"
    assert path.parent == EXAMPLES and "--quick" in arguments, \
        f"{where}: '{block.info}' must run the example with --quick, so that the tests can check it in time"
    monkeypatch.chdir(tmp_path)   # the example's pictures go to out/ in here
    monkeypatch.setenv("MPLBACKEND", "Agg")
    with contextlib.redirect_stdout(io.StringIO()) as stdout:
        run_example(path.stem, *arguments)
    check_output(where, block.source, stdout.getvalue())


def test_an_example_run_in_the_docs_shows_its_output_as_a_checked_block():
    """A command block that runs an example, followed by a ```text block, is output nobody
    checks: that is how a chapter's sample output went stale before."""
    unchecked = [f"{page_id(p)}:{b.line}" for p in PAGES for b in fenced_blocks(p)
                 if b.kind == "text" and b.follows is not None and b.follows.kind in ("sh", "bash", "console")
                 and EXAMPLE_COMMAND.search(b.follows.source)]
    assert not unchecked, f"show an example's output as '```output examples/NN_x.py --quick': {unchecked}"


def test_docs_opt_out_of_running_sparingly():
    opted_out = [f"{page_id(p)}:{b.line}" for p in PAGES for b in python_blocks(p) if skipped(b)]
    total = sum(len(python_blocks(p)) for p in PAGES)
    assert len(opted_out) <= max(2, total // 10), f"too many skipped blocks: {opted_out}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_relative_link_in_the_docs_points_at_a_file_that_exists(page):
    text = prose(page)
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):   # web addresses, anchors in the page
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        if not path.exists():
            broken.append(target)
    assert not broken, f"{page_id(page)} links to missing files: {broken}"


def test_the_tutorial_has_a_chapter_per_example_and_each_links_its_example():
    """Chapters 01-17 follow the examples; 09b (pooling, channels, flatten) sits between 09 and 10."""
    chapters = sorted((ROOT / "docs" / "tutorial").glob("[0-9][0-9]*-*.md"))
    examples = {e.name.split("_")[0]: e for e in EXAMPLES.glob("[0-9][0-9]*_*.py")}
    numbers = [c.name.split("-")[0] for c in chapters]
    assert [n for n in numbers if n != "09b"] == [f"{i:02d}" for i in range(1, 18)], numbers
    assert set(examples) - {"09b"} == set(numbers) - {"09b"}, sorted(examples)
    for number, chapter in zip(numbers, chapters):
        text = chapter.read_text(encoding="utf-8")
        if number in examples:
            assert f"../../examples/{examples[number].name}" in text, \
                f"{chapter.name} does not link {examples[number].name}"
        assert "../../tinygrad_edu/" in text, f"{chapter.name} does not link the library code behind it"


# ---- the matcher itself ------------------------------------------------------------------------

@pytest.mark.parametrize("expected, printed", [
    ("accuracy 97.5%", "accuracy 97.5%"),
    ("accuracy 9...%", "accuracy 97.5%"),
    ("loss ... after ... steps", "loss 0.031 after 300 steps"),
    ("first\n...\nlast", "first\nsecond\nthird\nlast"),
    ("...\nlast", "first\nlast"),
    ("a   \n\n", "\na"),                                   # trailing whitespace, blank ends
    ("tensor([...])", "tensor([...])"),                    # a literal ... in the output is fine
], ids=["equal", "digits", "two-wildcards", "elided-lines", "leading-wildcard", "whitespace", "literal-dots"])
def test_an_output_block_matches(expected, printed):
    assert output_matches(expected, printed)


@pytest.mark.parametrize("expected, printed", [
    ("accuracy 97.5%", "accuracy 97.6%"),                  # a wrong number
    ("accuracy 9...%", "accuracy 87.5%"),
    ("accuracy 9...%", "accuracy 97.5% (after 3 epochs)"),   # the block must cover the end
    ("loss ... after 300 steps", "loss 0.031 after 30 steps"),
    ("a ... a", "a"),                                       # the two ends may not overlap
    ("first\n...\nlast", "first\nlast but one"),
    ("b\n...", "a\nb"),                                     # nor skip the start
], ids=["wrong-number", "wrong-leading-digit", "extra-tail", "wrong-count", "overlap", "last-line", "start"])
def test_an_output_block_does_not_match(expected, printed):
    assert not output_matches(expected, printed)


def test_a_mismatch_shows_a_readable_diff():
    with pytest.raises(AssertionError) as failure:
        check_output("page.md:3", "loss 0.5\naccuracy 9...%\n", "loss 0.5\naccuracy 87.5%\n")
    message = str(failure.value)
    assert "page.md:3" in message and "-accuracy 9...%" in message and "+accuracy 87.5%" in message


def test_a_block_shown_inside_a_longer_fence_is_not_run(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("````markdown\n```python\nprint(1)\n```\n````\n\n```python\nx = 1\n```\n")
    assert [(b.info, b.source) for b in fenced_blocks(page)] == [("markdown", "```python\nprint(1)\n```\n"),
                                                                   ("python", "x = 1\n")]
    assert prose(page).strip() == ""


def test_output_blocks_are_found_after_their_python_block(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("text\n\n```python\nprint(1)\n```\n\n```output\n1\n```\n\nprose\n\n```output\n2\n```\n")
    python, first, second = fenced_blocks(page)
    assert (python.info, python.line, first.follows, second.follows) == ("python", 4, python, None)
