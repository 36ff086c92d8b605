#!/usr/bin/env bash
# Detection power where a call cannot be proven asleep (issue 11, part 3): every mutant on two
# unsettled targets, the C driver built without its /proc proof and the host driver with its proof
# switched off, under one profile; then one table: per clause, killed or survived on each, and after
# how many runs. Usage: bench/mutants-unsettled.sh [PROFILE] [SEED] [RUNS]
#   PROFILE linux (default) or posix    SEED default 1    RUNS default: each property's own
# Each target's full output goes to OUT/noproc.txt and OUT/host-unproven.txt; exit 1 if either run
# had a survivor that should have been killed, 2 on a harness error.
set -uo pipefail
cd "$(dirname "$0")/.."
profile=${1:-linux} seed=${2:-1} runs=${3:-}
out=$(mktemp -d "${TMPDIR:-/tmp}/ipcspec-mutants-XXXXXX")
cc -O2 -pthread -DIPCSPEC_NO_PROC -o "$out/noproc" harness/drivers/c/*.c || exit 2
args=(--profile "$profile" --seed "$seed" ${runs:+--runs "$runs"})
node bin/ipcspec.mjs mutants --target "exec:$out/noproc" "${args[@]}" >"$out/noproc.txt" 2>&1 &
a=$!
IPCSPEC_HOST_UNPROVEN=1 node bin/ipcspec.mjs mutants --target host-process "${args[@]}" >"$out/host-unproven.txt" 2>&1 &
b=$!
wait $a; rc_a=$?
wait $b; rc_b=$?
# "STATUS CLAUSE PROFILE after N run(s)..." -> "CLAUSE STATUS N"
cells() { awk '$1 ~ /^(killed|SURVIVED|survived|unsupported|error)$/ { n = "-"; for (i = 4; i <= NF; i++) if ($i == "after") { n = $(i + 1); break } print $2, $1, n }' "$1"; }
echo "profile $profile, seed $seed; outputs in $out"
printf '%-46s %-24s %-24s\n' clause 'C driver, no /proc' 'host, IPCSPEC_HOST_UNPROVEN=1'
join -a1 -a2 -e '?' -o 0,1.2,1.3,2.2,2.3 <(cells "$out/noproc.txt" | sort) <(cells "$out/host-unproven.txt" | sort) |
  awk '{ printf "%-46s %-24s %-24s\n", $1, $2 " " $3, $4 " " $5 }'
tail -n1 "$out/noproc.txt"; tail -n1 "$out/host-unproven.txt"
echo "exit: C driver $rc_a, host-process $rc_b"
[ "$rc_a" -eq 2 ] || [ "$rc_b" -eq 2 ] && exit 2
[ "$rc_a" -eq 0 ] && [ "$rc_b" -eq 0 ]
