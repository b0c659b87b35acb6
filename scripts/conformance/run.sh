#!/usr/bin/env bash
# npm run test:conformance: the upstream Kubernetes v1.20.2 conformance specs (e2e.test) that cover
# what cairn uses, against a sandbox cluster (`npm run sandbox`). Builds e2e.test and ginkgo once per
# machine (build.sh), runs the focus in focus.txt unmodified with parallel workers, skipping
# `Serial|Disruptive|Slow|Flaky|Feature` and the specs of skip-list.txt, then prints
# passed / failed / skipped with the failing spec names (report.ts, from the JUnit reports and the
# progress lines of e2e.log; the specs that never finished named from a dry run).
#
#   CONFORMANCE_NODES    parallel ginkgo workers (default 4)
#   CONFORMANCE_TIMEOUT  suite timeout for ginkgo (default 30m)
#   CONFORMANCE_OUT      directory for the kubeconfig, logs and JUnit reports (default a temporary one)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

bin=$("$here/build.sh")
out="${CONFORMANCE_OUT:-$(mktemp -d -t cairn-conformance.XXXXXX)}"
mkdir -p "$out/reports"
rm -f "$out"/reports/junit_*.xml "$out/kubeconfig.yaml"

focus=$(grep -v '^#' "$here/focus.txt" | head -n1)
skip='Serial|Disruptive|Slow|Flaky|Feature'
# The focused specs, named by a dry run (a worker stopped by the suite timeout writes no JUnit
# report: report.ts names the specs that never finished from this list).
"$bin/e2e.test" --ginkgo.dryRun --ginkgo.noColor --ginkgo.focus="$focus" --ginkgo.skip="$skip" >"$out/dry-run.log" 2>&1 || true
# The skip list: "spec name<TAB>reason"; each name escaped for the regex.
while IFS=$'\t' read -r name reason; do
  [ -z "$name" ] && continue
  case "$name" in \#*) continue ;; esac
  escaped=$(printf '%s' "$name" | sed -e 's/[][\.*^$(){}?+|/]/\\&/g')
  skip="$skip|$escaped"
done <"$here/skip-list.txt"

echo "[conformance] starting the sandbox (log: $out/sandbox.log)"
cd "$root"
CAIRN_SANDBOX_KUBECONFIG="$out/kubeconfig.yaml" node --import tsx src/sandbox/cli.ts >"$out/sandbox.log" 2>&1 &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null || true; wait "$sandbox" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [ -s "$out/kubeconfig.yaml" ] && break
  kill -0 "$sandbox" 2>/dev/null || { cat "$out/sandbox.log" >&2; echo "[conformance] the sandbox did not start" >&2; exit 1; }
  sleep 0.2
done
[ -s "$out/kubeconfig.yaml" ] || { echo "[conformance] no kubeconfig from the sandbox" >&2; exit 1; }

nodes="${CONFORMANCE_NODES:-4}"
echo "[conformance] running e2e.test with $nodes workers (log: $out/e2e.log)"
start=$(date +%s)
set +e
"$bin/ginkgo" -nodes="$nodes" -timeout="${CONFORMANCE_TIMEOUT:-30m}" -noColor \
  -focus="$focus" -skip="$skip" \
  "$bin/e2e.test" -- \
  --kubeconfig="$out/kubeconfig.yaml" --provider=local --report-dir="$out/reports" >"$out/e2e.log" 2>&1
code=$?
set -e
echo "[conformance] e2e.test ended with code $code after $(( $(date +%s) - start )) s"

node --import tsx "$here/report.ts" "$out/reports" "$here/focus.txt" "$here/skip-list.txt" "$out/dry-run.log" "$out/e2e.log"
