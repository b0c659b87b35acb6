#!/usr/bin/env bash
# Builds the Kubernetes v1.20.2 conformance suite (e2e.test) and ginkgo from Debian's
# kubernetes source package with Debian's Go, once per machine, next to the control-plane
# binaries of scripts/real-cluster/build.sh. Prints the directory holding the binaries.
# The deb-src setup, the toolchain and the source tree: scripts/lib/debian-kubernetes.sh.
#
#   CAIRN_K8S_CACHE  where the binaries are kept (default /var/cache/cairn-k8s, else ~/.cache)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/debian-kubernetes.sh"

cache=$(k8s_cache_dir)
bin="$cache/bin"
components=(e2e.test ginkgo)

built() {
  for c in "${components[@]}"; do [ -x "$bin/$c" ] || return 1; done
}
if built; then echo "$bin"; exit 0; fi

log() { echo "[conformance build] $*" >&2; }

# The source tree is kept after the build (for reading the suite's sources), in a directory of its
# own: real-cluster/build.sh removes its tree after its build.
work="$cache/e2e-src"
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' 2>/dev/null | head -n1 || true)
if [ -z "$tree" ] || [ ! -f "$tree/.cairn-prepared" ]; then
  log "installing Debian packages"
  install_build_tools
  enable_deb_src
  # enable_deb_src does not update the lists when its entries were written earlier: they may be stale.
  as_root apt-get update -qq
  tree=$(fetch_kubernetes_source "$work")
  touch "$tree/.cairn-prepared"
fi
cd "$tree"
mkdir -p "$bin"

log "building e2e.test and ginkgo (several minutes)"
k8s_build_env "$cache"
CGO_ENABLED=0 make WHAT="test/e2e/e2e.test vendor/github.com/onsi/ginkgo/ginkgo" >&2

out="_output/local/bin/$(go env GOOS)/$(go env GOARCH)"
for c in "${components[@]}"; do install -m 0755 "$out/$c" "$bin/$c"; done
# The tree is kept (for reading the suite's sources); the Go caches are not.
rm -rf "$cache/gopath" "$cache/gocache"
log "built into $bin"
echo "$bin"
