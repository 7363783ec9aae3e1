#!/usr/bin/env bash
# Flake hunt: runs the whole test suite RUNS times while BUSY CPU-burning loops oversubscribe the
# cores, then reports how many runs failed and how often each test failed.
#
#   tools/stress-tests.sh [RUNS=20] [BUSY=3] [extra `dotnet test` arguments...]
#
# Builds once, then runs `dotnet test --no-build` (the README's test command) RUNS times. Every run's
# log is kept under $STRESS_LOGS (default: a temp folder, printed at the end). Exit 0 when every run
# passed, 1 otherwise. Bounded: each run is cut off after $STRESS_RUN_TIMEOUT seconds (default 900),
# and the busy loops are killed on exit however the script ends.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-20}
busy=${2:-3}
shift $(( $# >= 2 ? 2 : $# ))
logs=${STRESS_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/stress-tests.XXXXXX")}
mkdir -p "$logs"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== build"
dotnet build GatewayClient.sln >"$logs/build.log" 2>&1 || { tail -20 "$logs/build.log"; exit 2; }

pids=()
stop_busy() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; }
trap stop_busy EXIT
for _ in $(seq 1 "$busy"); do
  ( while :; do :; done ) &
  pids+=($!)
done
echo "== ${runs} runs beside ${busy} busy loops on $(nproc) cores; logs in ${logs}"

failed_runs=0
for i in $(seq 1 "$runs"); do
  log="$logs/run-$i.log"
  start=$(date +%s)
  timeout "${STRESS_RUN_TIMEOUT:-900}" dotnet test GatewayClient.sln --no-build "$@" >"$log" 2>&1
  status=$?
  seconds=$(( $(date +%s) - start ))
  totals=$(grep -Eo 'Failed: +[0-9]+, Passed: +[0-9]+' "$log" | awk '{f+=$2; p+=$4} END {printf "%d passed, %d failed", p, f}')
  if [ "$status" -ne 0 ]; then
    failed_runs=$((failed_runs + 1))
    echo "run ${i}: FAILED (exit ${status}, ${seconds} s): ${totals}"
    grep -E '^\s+Failed [A-Za-z_.]' "$log" | sed -E 's/^\s+Failed ([^ ]+).*/    \1/' | sort -u
  else
    echo "run ${i}: ok (${seconds} s): ${totals}"
  fi
done

echo "== ${runs} runs, ${failed_runs} failed"
if [ "$failed_runs" -gt 0 ]; then
  echo "failures per test:"
  cat "$logs"/run-*.log | grep -E '^\s+Failed [A-Za-z_.]' | sed -E 's/^\s+Failed ([^ ]+).*/\1/' | sort | uniq -c | sort -rn
  exit 1
fi
