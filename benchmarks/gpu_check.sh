#!/usr/bin/env bash
# The prepared check for a machine with an NVIDIA GPU, CuPy and a CUDA build of PyTorch.
#
#   bash benchmarks/gpu_check.sh            # on the GPU machine: tests on cuda, then W1, W2, W4
#   bash benchmarks/gpu_check.sh --dry-run  # anywhere: the same steps on the CPU at tiny sizes,
#                                           # printing the test command instead of running it
#
# It installs nothing (the machine may have no network): it runs from this checkout through
# PYTHONPATH with whatever Python has NumPy, CuPy, PyTorch and pytest ($PYTHON picks one).
# Each step has its own time limit, so the whole check ends within about five minutes.
# Everything printed also goes to $OUT/gpu_check.txt and the table to $OUT/gpu_latest.md
# ($OUT defaults to benchmarks/results).
set -u -o pipefail
cd "$(dirname "$0")/.."

DRY_RUN=0
if [ "${1:-}" = "--dry-run" ]; then DRY_RUN=1; fi
OUT_DIR="${OUT:-benchmarks/results}"
mkdir -p "$OUT_DIR"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

# The first Python that has what this run needs: CuPy and PyTorch on the GPU machine,
# NumPy and PyTorch for a dry run.
NEEDS="import numpy, torch, cupy"
if [ "$DRY_RUN" = 1 ]; then NEEDS="import numpy, torch"; fi
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
    for candidate in .venv/bin/python python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c "$NEEDS" >/dev/null 2>&1; then
            PY="$candidate"; break
        fi
    done
fi
if [ -z "$PY" ]; then echo "gpu_check: no Python can run '$NEEDS'; set PYTHON=/path/to/python" >&2; exit 1; fi

check() {
    local failed=0
    echo "== machine"
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "nvidia-smi: not found"
    "$PY" - <<'EOF'
import importlib
for name in ("numpy", "cupy", "torch", "pytest"):
    try:
        module = importlib.import_module(name)
        extra = ""
        if name == "torch":
            extra = f", CUDA {module.version.cuda}, available: {module.cuda.is_available()}"
        print(f"{name} {module.__version__}{extra}")
    except Exception as e:  # report and go on: the steps below say what they could not do
        print(f"{name}: cannot import ({type(e).__name__}: {e})")
import tinygrad_edu as tg
print("tinygrad_edu sees cuda:", tg.is_available("cuda"), tg.backend._unavailable_reason.get("cuda", ""))
EOF

    echo "== tests on cuda"
    if [ "$DRY_RUN" = 1 ]; then
        echo "(dry run) would run: $PY -m pytest -q -k cuda -p no:cacheprovider tests"
    else
        timeout 150 "$PY" -m pytest -q -k cuda -p no:cacheprovider tests || failed=1
        if [ $failed = 1 ]; then echo "gpu_check: the cuda tests failed or ran past 150 s (then they were stopped)"; fi
    fi

    echo "== W1, W2, W4: tinygrad_edu (CuPy) against PyTorch CUDA"
    if [ "$DRY_RUN" = 1 ]; then
        timeout 150 "$PY" -m benchmarks.run --preset gpu-dry --device cpu --systems torch,tinygrad_edu \
            --threads 1 --allocators default --rounds 1 --budget 0 --warmup 0 --min-repeats 1 \
            --out "$OUT_DIR/gpu_latest.md" || failed=1
    else
        timeout 150 "$PY" -m benchmarks.run --preset gpu --device cuda --systems torch,tinygrad_edu \
            --threads default --rounds 1 --budget 1.5 --warmup 1 --timeout 60 --out "$OUT_DIR/gpu_latest.md" || failed=1
    fi
    return $failed
}

check 2>&1 | tee "$OUT_DIR/gpu_check.txt"
