#!/usr/bin/env bash
# Soundness soak on unsettled targets (issue 11): every property on the C driver built without its
# /proc proof, under linux and posix, over several seeds; prints one line per run and the fails.
# A correct kernel must give 0 fail. Usage: bench/unsettled-soak.sh [SEEDS] [RUNS] [QUIET_MS]
#   SEEDS   how many seeds (default 10: seeds 1..10)      RUNS  scenarios per property (default 20)
#   QUIET_MS the driver's quiet moment (default 1: the harshest; unset it with "")
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-10} runs=${2:-20} quiet=${3-1}
out=$(mktemp -d "${TMPDIR:-/tmp}/ipcspec-soak-XXXXXX")
cc -O2 -pthread -DIPCSPEC_NO_PROC -o "$out/noproc" harness/drivers/c/*.c || exit 2
fails=0
for profile in linux posix; do
  for seed in $(seq 1 "$seeds"); do
    IPCSPEC_SETTLE_QUIET_MS=$quiet node bin/ipcspec.mjs run --target "exec:$out/noproc" --profile "$profile" --seed "$seed" --runs "$runs" --out "$out/$profile-$seed" >"$out/$profile-$seed.log" 2>&1
    rc=$?
    summary=$(grep -E '^[0-9]+ pass, ' "$out/$profile-$seed.log" | sed 's/ — .*//')
    echo "$profile seed $seed: exit $rc: ${summary:-no summary (see $out/$profile-$seed.log)}"
    grep -E '^\s+FAIL ' "$out/$profile-$seed.log" && fails=$((fails + 1))
  done
done
echo "runs with a fail: $fails; logs and counterexamples in $out"
[ "$fails" -eq 0 ]
