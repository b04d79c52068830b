#!/usr/bin/env bash
# The GPU machine's one check: the real-device tests, then the GPU benchmarks, in under
# 8 minutes, with no installs and no network.  Run from the repository root:
#
#     bash bench/gpu_check.sh            # on a GPU machine (python3 with CuPy, NumPy, llvmlite)
#     bash bench/gpu_check.sh --dry-run  # anywhere: the fake CuPy, tiny sizes (checks the script)
#
# lazynp runs from the checkout (PYTHONPATH=.).  The tests need pytest and hypothesis: when
# python3 lacks them, pure-Python copies in shared/pylib (or $LAZYNP_PYLIB) are put on the
# path; without them the tests are reported NOT RUN and the benchmarks still run.  Each step
# runs under its own timeout, cut so the whole stays within BUDGET seconds; a failed or
# timed-out step does not stop the others.  Results: bench/results/gpu.jsonl and the table
# printed at the end (copy it into docs/bench.md).  Exit status: 0 when every step passed.
set -u
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
BUDGET=${BUDGET:-470}
START=$(date +%s)
DRY=""
if [ "${1:-}" = "--dry-run" ] || [ "${LAZYNP_GPU_CHECK_FAKE:-}" = "1" ]; then
  DRY="--dry-run"
  export LAZYNP_GPU_CHECK_FAKE=1
fi
export PYTHONPATH=".${LAZYNP_PYLIB:+:$LAZYNP_PYLIB}"
[ -d shared/pylib ] && PYTHONPATH="$PYTHONPATH:shared/pylib"
export PYTHONDONTWRITEBYTECODE=1
mkdir -p bench/results
OUT=bench/results/gpu.jsonl
rm -f "$OUT"
FAILED=()

left() { echo $(( BUDGET - ($(date +%s) - START) )); }

# step NAME CAP RESERVE CMD...: run CMD with a timeout of min(CAP, time left - RESERVE)
step() {
  local name=$1 cap=$2 reserve=$3
  shift 3
  local t
  t=$(( $(left) - reserve ))
  [ "$t" -gt "$cap" ] && t=$cap
  if [ "$t" -lt 5 ]; then
    echo "== $name: SKIPPED (out of time)"
    FAILED+=("$name (no time)")
    return
  fi
  echo "== $name (timeout ${t}s, $(( $(date +%s) - START ))s elapsed)"
  timeout --kill-after=5 "$t" "$@"
  local rc=$?
  if [ $rc -ne 0 ]; then
    [ $rc -eq 124 ] && echo "== $name: TIMED OUT after ${t}s" || echo "== $name: FAILED ($rc)"
    FAILED+=("$name")
  fi
}

echo "== device"
command -v nvidia-smi >/dev/null && nvidia-smi -L
$PY -c "import sys, numpy; print('python', sys.version.split()[0], 'numpy', numpy.__version__)"
[ -z "$DRY" ] && $PY -c "import cupy; print('cupy', cupy.__version__)"

if $PY -c "import pytest, hypothesis" 2>/dev/null; then
  step "GPU tests" 200 250 $PY -m pytest -q -p no:cacheprovider tests/gpu
else
  echo "== GPU tests: NOT RUN (pytest / hypothesis not importable by $PY; put pure-Python"
  echo "   copies in shared/pylib or \$LAZYNP_PYLIB)"
  FAILED+=("GPU tests (not run)")
fi

# benchmarks: one process per case (a crash or a hang costs that case only)
step "bench copy" 40 220 $PY bench/gpu.py $DRY --case copy --jsonl "$OUT"
step "bench pi" 90 180 $PY bench/gpu.py $DRY --case pi --jsonl "$OUT"
step "bench bs" 90 130 $PY bench/gpu.py $DRY --case bs --jsonl "$OUT"
step "bench softmax" 60 100 $PY bench/gpu.py $DRY --case softmax --jsonl "$OUT"
step "bench rng" 60 70 $PY bench/gpu.py $DRY --case rng --jsonl "$OUT"
step "bench mandelbrot" 120 0 $PY bench/gpu.py $DRY --case mandelbrot --jsonl "$OUT"

echo
echo "== results ($(( $(date +%s) - START ))s)"
[ -s "$OUT" ] && $PY bench/gpu.py --report "$OUT"
if [ ${#FAILED[@]} -ne 0 ]; then
  echo "== not passed: ${FAILED[*]}"
  exit 1
fi
echo "== all steps passed"
