"""What every example shares: the same command-line options and a seeded start."""
from __future__ import annotations

import argparse
from pathlib import Path

import tinygrad_edu as tg


def parse_args(description: str, argv: list[str] | None = None, **extra: dict) -> argparse.Namespace:
    """--device, --quick, --seed and --out for every example, plus example-specific options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default: cpu)")
    parser.add_argument("--quick", action="store_true", help="a few seconds' run, for tests")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for pictures (default: out/)")
    for name, options in extra.items():
        parser.add_argument(f"--{name.replace('_', '-')}", **options)
    args = parser.parse_args(argv)
    tg.manual_seed(args.seed)
    return args
