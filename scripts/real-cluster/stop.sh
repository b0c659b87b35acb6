#!/usr/bin/env bash
# Stops what start.sh started in DIR, by the PIDs it recorded (last started first).
set -uo pipefail
dir="$1"
[ -f "$dir/pids" ] || exit 0
pids=$(tac "$dir/pids")
for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
for pid in $pids; do
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
done
: >"$dir/pids"
