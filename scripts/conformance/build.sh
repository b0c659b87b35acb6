#!/usr/bin/env bash
# Builds the Kubernetes v1.20.2 conformance suite (e2e.test) and ginkgo from Debian's
# kubernetes source package with Debian's Go, once per machine, next to the control-plane
# binaries of scripts/real-cluster/build.sh. Prints the directory holding the binaries.
#
#   CAIRN_K8S_CACHE  where the binaries are kept (default /var/cache/cairn-k8s, else ~/.cache)
set -euo pipefail

cache="${CAIRN_K8S_CACHE:-}"
if [ -z "$cache" ]; then
  if [ -w /var/cache ]; then cache=/var/cache/cairn-k8s; else cache="$HOME/.cache/cairn-k8s"; fi
fi
bin="$cache/bin"
components=(e2e.test ginkgo)

built() {
  for c in "${components[@]}"; do [ -x "$bin/$c" ] || return 1; done
}
if built; then echo "$bin"; exit 0; fi

log() { echo "[conformance build] $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The source tree: the one real-cluster/build.sh unpacks (it removes it after its build),
# else fetched again into a directory of our own.
work="$cache/e2e-src"
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' 2>/dev/null | head -n1 || true)
if [ -z "$tree" ] || [ ! -f "$tree/.cairn-prepared" ]; then
  log "installing Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -f /etc/apt/sources.list.d/cairn-deb-src.sources ] && [ ! -f /etc/apt/sources.list.d/cairn-deb-src.list ]; then
    log "deb-src entries are missing: run scripts/real-cluster/build.sh once first"; exit 1
  fi
  command -v go >/dev/null && command -v make >/dev/null && command -v dpkg-source >/dev/null \
    || { as_root apt-get update -qq; as_root apt-get install -y -qq golang-go golang-github-modern-go-reflect2-dev dpkg-dev make rsync >/dev/null; }
  [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] \
    || as_root apt-get install -y -qq golang-github-modern-go-reflect2-dev >/dev/null
  rm -rf "$work"; mkdir -p "$work" "$bin"; cd "$work"
  log "fetching the kubernetes source package"
  apt-get source -qq kubernetes >/dev/null 2>&1 || apt-get source kubernetes >&2
  tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
  [ -n "$tree" ] || { log "no kubernetes source tree"; exit 1; }
  cd "$tree"
  # reflect2 v1.0.1 reads runtime internals that changed in Go 1.18; Debian ships v1.0.2.
  log "replacing vendored modern-go/reflect2 with Debian's v1.0.2"
  reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
  rm -rf vendor/github.com/modern-go/reflect2
  mkdir -p vendor/github.com/modern-go/reflect2
  find "$reflect2" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) ! -name '*_test.go' -exec cp {} vendor/github.com/modern-go/reflect2/ \;
  for f in "$reflect2"/LICENSE "$reflect2"/go.mod; do [ -f "$f" ] && cp "$f" vendor/github.com/modern-go/reflect2/; done
  sed -i 's#github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 v1.0.2#g' vendor/modules.txt go.mod
  find staging -name go.mod -exec sed -i 's#github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 v1.0.2#g' {} +
  touch .cairn-prepared
fi
cd "$tree"
mkdir -p "$bin"

log "building e2e.test and ginkgo (several minutes)"
export KUBE_GIT_VERSION=v1.20.2 KUBE_GIT_TREE_STATE=clean KUBE_GIT_COMMIT=0000000000000000000000000000000000000000
export GOFLAGS=-mod=vendor GOPATH="$cache/gopath" GOCACHE="$cache/gocache"
CGO_ENABLED=0 make WHAT="test/e2e/e2e.test vendor/github.com/onsi/ginkgo/ginkgo" >&2

out="_output/local/bin/$(go env GOOS)/$(go env GOARCH)"
for c in "${components[@]}"; do install -m 0755 "$out/$c" "$bin/$c"; done
# The tree is kept (for reading the suite's sources); the Go caches are not.
rm -rf "$cache/gopath" "$cache/gocache"
log "built into $bin"
echo "$bin"
