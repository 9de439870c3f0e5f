#!/usr/bin/env bash
# The GPU checks of one session on a machine with CuPy and a CUDA GPU, in at most eight minutes:
# the CuPy tests (every one, no stop at the first failure), where a GPU step goes, and the GPU
# rows of bench_engine.py and bench_reproduce.py. Each writes a file under $OUT (default
# ./gpu-check); run from the project root, with array-api-compat and array-api-strict importable
# (../shared/tools/prepare-device.sh fetches them as wheels).
set -u
out=$(realpath -m "${OUT:-gpu-check}")
mkdir -p "$out"
export GSMOOTH_XP=cupy PYTHONUNBUFFERED=1
{ nvidia-smi -L; python3 -c "import cupy, numpy; print('cupy', cupy.__version__, 'numpy', numpy.__version__)"; } \
    > "$out/device.txt" 2>&1
timeout 200 python3 -m pytest -q -n 8 -k cupy -p no:cacheprovider tests gsmooth > "$out/tests.txt" 2>&1
cd analysis || exit 1
timeout 60 python3 profile_gpu_step.py > "$out/profile.txt" 2>&1
timeout 150 python3 bench_engine.py --device cupy --parts 1,2,3 > "$out/engine.txt" 2>&1
timeout 80 python3 bench_reproduce.py --device cupy > "$out/reproduce.txt" 2>&1
tail -n 3 "$out"/*.txt
