"""Exercises: write the forward and backward of five operations yourself, checked against PyTorch.

Run them with `make exercises` or `python -m exercises`; exercises/README.md says how.
"""
