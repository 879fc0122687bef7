"""Small training programs written for PyTorch, as a PyTorch user writes them.

Each file imports `torch` (and `torch.nn`, `torch.optim`, `torch.utils.data` ...) and nothing
of tinygrad_edu; tests/test_pytorch_programs.py runs it twice, once as written and once with
every `torch` import answered by `tinygrad_edu`, and compares what `run()` returns. Random
draws differ between the two libraries, so weights and data come from a seeded NumPy
generator; the programs still call PyTorch's own initialisers where real code does.
"""
