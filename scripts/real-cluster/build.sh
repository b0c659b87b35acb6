#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler v1.20.2 from Debian's
# kubernetes source package with Debian's Go, once per machine. Prints the directory holding
# the binaries. Only Debian's packages are used. Also installs etcd (etcd-server) for start.sh.
# The deb-src setup, the toolchain and the source tree: scripts/lib/debian-kubernetes.sh.
#
#   CAIRN_K8S_CACHE  where the binaries are kept (default /var/cache/cairn-k8s, else ~/.cache)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../lib/debian-kubernetes.sh"

components=(kube-apiserver kube-controller-manager kube-scheduler)
cache=$(k8s_cache_dir)
bin="$cache/bin"

built() {
  for c in "${components[@]}"; do [ -x "$bin/$c" ] || return 1; done
}
if built && command -v etcd >/dev/null; then echo "$bin"; exit 0; fi

log() { echo "[real-cluster build] $*" >&2; }

log "installing Debian packages"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq etcd-server openssl curl >/dev/null
if built; then echo "$bin"; exit 0; fi
install_build_tools
enable_deb_src

work="$cache/src"
mkdir -p "$bin"
tree=$(fetch_kubernetes_source "$work")
cd "$tree"

log "building ${components[*]} (several minutes)"
k8s_build_env "$cache"
CGO_ENABLED=0 make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" >&2

for c in "${components[@]}"; do
  install -m 0755 "_output/local/bin/$(go env GOOS)/$(go env GOARCH)/$c" "$bin/$c"
done
cd "$cache" && rm -rf "$work" "$cache/gopath" "$cache/gocache"
log "built into $bin"
echo "$bin"
