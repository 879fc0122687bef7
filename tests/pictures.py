"""Is a file a real picture? A PNG with a plausible size, or an SVG that parses.

Used for the examples' pictures (tests/test_examples.py) and the docs' (tests/test_docs_images.py):
a file's size says nothing (an error page or a blank canvas is big enough), its header does.
"""
from __future__ import annotations

import pathlib
import struct
import xml.etree.ElementTree as ElementTree

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_WIDTH, MIN_HEIGHT = 200, 100    # pixels: smaller is a thumbnail nobody can read
MIN_SVG_ELEMENTS = 10               # a drawing, not an empty canvas


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header (its first chunk is IHDR: width, height as 4-byte ints)."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG (no PNG signature and IHDR header)")
    return struct.unpack(">II", data[16:24])


def picture_problem(path: pathlib.Path) -> str | None:
    """What is wrong with the picture at `path`, or None if it is a plausible PNG or SVG."""
    data = path.read_bytes()
    if path.suffix == ".png":
        try:
            width, height = png_size(data)
        except ValueError as e:
            return f"{path.name}: {e}"
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            return f"{path.name}: {width}x{height} pixels, smaller than {MIN_WIDTH}x{MIN_HEIGHT}"
        if not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
            return f"{path.name}: the PNG is cut off (no IEND chunk at its end)"
        return None
    if path.suffix == ".svg":
        try:
            root = ElementTree.fromstring(data)
        except ElementTree.ParseError as e:
            return f"{path.name}: not XML ({e})"
        if root.tag.rpartition("}")[2] != "svg":
            return f"{path.name}: the root element is <{root.tag}>, not <svg>"
        if sum(1 for _ in root.iter()) < MIN_SVG_ELEMENTS:
            return f"{path.name}: an SVG with almost nothing drawn in it"
        return None
    return f"{path.name}: not a .png or .svg file"
