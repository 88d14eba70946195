#!/usr/bin/env bash
# The GPU check, in one command, on a machine with an NVIDIA GPU and no package registry (see tools/gpu_check.py):
#
#   here (with the registry):   make gpu-wheels         # fastcore and soundfile wheels into tools/gpu_wheels/
#   there:                      tools/gpu_check.sh      # about 5 minutes on one H200; the limit is 470 s
#
# It installs the carried wheels and emoact itself with --no-deps (torch, timm, transformers, torchaudio, pandas,
# scikit-learn, matplotlib and safetensors must be there already; torch is never upgraded), then runs the check.
# What it measured goes to $OUT/gpu_check.json (or gpu-check-out/gpu_check.json).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
DEST=${OUT:-gpu-check-out}
mkdir -p "$DEST"
if compgen -G "tools/gpu_wheels/*.whl" > /dev/null; then
    $PY -m pip install --quiet --no-deps --no-index tools/gpu_wheels/*.whl
fi
# emoact from this checkout, without touching its dependencies; PYTHONPATH as well, should pip lack setuptools
$PY -m pip install --quiet --no-deps --no-build-isolation -e . 2>/dev/null || echo "pip install -e . failed; using PYTHONPATH"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1 PATH="$(dirname "$(command -v $PY)"):$PATH"
exec timeout --kill-after=10 ${GPU_CHECK_LIMIT:-470} $PY tools/gpu_check.py --out "$DEST" "$@"
