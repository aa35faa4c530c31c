#!/usr/bin/env bash
# The GPU check CI cannot run: the device-path tests, then the full homework and corrected sweeps
# (12 models x 30 epochs, all 60,000 images) with --device cuda, with their timings and test errors.
#
#   benchmarks/device_check.sh            # from anywhere; PY=path/to/python to pick the interpreter
#
# Needs a CUDA GPU that torch sees and MNIST where hwsolve looks for it ($HWSOLVE_DATA, the user
# cache or ./data; ../shared/data/mnist beside the checkout is used when HWSOLVE_DATA is unset).
# Each sweep trains into a fresh temporary folder, so nothing finished is reused and nothing under
# build/ is touched. Budget: about 1 minute of tests and well under a minute of sweeps on one GPU
# (the goal for the corrected sweep is under 5 s); every step has a timeout, the whole under 5 minutes.
# Exit status: 0 all passed, 1 a test or a sweep failed, 2 no CUDA or no MNIST (nothing was run).
set -uo pipefail

# One bound on the whole script: under 5 minutes of device time, whatever hangs.
if [ -z "${DEVICE_CHECK_BOUNDED:-}" ]; then
  DEVICE_CHECK_BOUNDED=1 exec timeout 290 bash "$0" "$@"
fi

cd "$(dirname "$0")/.."
PY=${PY:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
if [ -z "${HWSOLVE_DATA:-}" ] && [ -d ../shared/data/mnist ]; then
  export HWSOLVE_DATA="$PWD/../shared/data/mnist"
fi

if ! "$PY" -c 'import hwsolve.cli, pytest' 2>/dev/null; then
  echo "device_check: $PY cannot import hwsolve and pytest (run \`make venv\` first, or set PY); nothing run" >&2
  exit 2
fi
if ! "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)'; then
  echo "device_check: CUDA is not available to $PY (torch $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo 'missing')); nothing run" >&2
  exit 2
fi
if ! "$PY" -c 'from hwsolve.data.mnist import locate_mnist; locate_mnist()' 2>/dev/null; then
  echo "device_check: MNIST not found (set HWSOLVE_DATA to the folder of the IDX files); nothing run" >&2
  exit 2
fi
"$PY" -c 'import torch; print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.get_device_name(0)}")'

seconds_since() {  # seconds since $1 (date +%s%N), with two decimals
  local ns=$(( $(date +%s%N) - $1 ))
  printf '%d.%02d' $(( ns / 1000000000 )) $(( ns % 1000000000 / 10000000 ))
}

status=0
echo "== tests of the device path"
started=$(date +%s%N)
timeout 120 "$PY" -m pytest -q -p no:cacheprovider \
  tests/test_q4_device.py tests/test_q4_trainer_equivalence.py tests/test_q4_split.py || status=1
echo "tests: $(seconds_since "$started") s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for mode in corrected homework; do
  echo "== full $mode sweep, --device cuda"
  started=$(date +%s%N)
  if timeout 75 "$PY" -m hwsolve q4 --mode "$mode" --device cuda --no-progress --out "$work/$mode" \
      --format json > "$work/$mode.json"; then
    echo "command: $(seconds_since "$started") s (with start-up and MNIST loading)"
    "$PY" - "$work/$mode.json" "$work/$mode/results.json" <<'PYTHON'
import json
import sys

shown, stored = (json.load(open(path, encoding="utf-8")) for path in sys.argv[1:])
model_epochs = sum(entry["epochs_trained"] for entry in stored["configs"])
wall = stored["last_run_wall_time_s"]
print(f"device {stored['device']}, sweep {wall:.2f} s, {model_epochs} model-epochs, {1000 * wall / model_epochs:.1f} ms each")
for entry in shown["configs"]:
    error = "NaN" if entry["test_error"] is None else f"{entry['test_error']:.4f}"
    print(f"  {entry['name']:<30} {entry['epochs_trained']:>2} epochs  test error {error}")
print(f"  below {shown['threshold']}: {', '.join(shown['agreement']['ours_below']) or 'none'}")
PYTHON
  else
    echo "the $mode sweep failed (exit status $?)"
    status=1
  fi
done
exit $status
