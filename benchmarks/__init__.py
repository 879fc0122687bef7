"""Side-by-side timings of tinygrad_edu, PyTorch on the CPU and hand-written NumPy.

Run everything with `make bench` (or `python -m benchmarks.run`); docs/benchmarks.md explains
the workloads, how they are measured, and what the numbers mean.

Layout:
    workloads.py          the workloads (W1-W7 and W3t), their sizes and data, and the targets
    system_tinygrad_edu.py  each workload written with tinygrad_edu's public API
    system_torch.py       the same with PyTorch (the reference)
    system_numpy.py       the same with forward and backward written by hand (the floor)
    child.py              one measurement in a fresh process, printed as JSON
    report.py             the Markdown tables and the description of the machine
    run.py                the entry point: starts the children and writes the report
    profile.py            where one system's time goes on one workload (pyinstrument)
    instructions.py       machine instructions per step (callgrind): the count noise cannot move
    gpu_check.sh          the prepared script for a machine with an NVIDIA GPU

This package imports nothing heavy itself: a child process must be able to set its thread
count before NumPy or PyTorch is first imported.
"""
