#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager and kube-scheduler v1.20.2 from Debian's
# kubernetes source package with Debian's Go, once per machine. Prints the directory holding
# the binaries. Only Debian's packages are used. Also installs etcd (etcd-server) for start.sh.
#
#   CAIRN_K8S_CACHE  where the binaries are kept (default /var/cache/cairn-k8s, else ~/.cache)
set -euo pipefail

components=(kube-apiserver kube-controller-manager kube-scheduler)
cache="${CAIRN_K8S_CACHE:-}"
if [ -z "$cache" ]; then
  if [ -w /var/cache ]; then cache=/var/cache/cairn-k8s; else cache="$HOME/.cache/cairn-k8s"; fi
fi
bin="$cache/bin"

built() {
  for c in "${components[@]}"; do [ -x "$bin/$c" ] || return 1; done
}
if built && command -v etcd >/dev/null; then echo "$bin"; exit 0; fi

log() { echo "[real-cluster build] $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# deb-src entries for the Debian archive this machine already installs from.
enable_deb_src() {
  local out=/etc/apt/sources.list.d/cairn-deb-src.sources
  [ -f "$out" ] && return 0
  local tmp; tmp=$(mktemp)
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # Keep the stanzas of Debian's own archive (signed by Debian's key), as deb-src.
    awk -v RS= -v ORS='\n\n' '/debian-archive-keyring/ && /(^|\n)Types:[^\n]*deb/' "$f" \
      | sed -E 's/^Types:.*/Types: deb-src/' >>"$tmp"
  done
  if [ -f /etc/apt/sources.list ]; then
    grep -E '^deb [^#]*' /etc/apt/sources.list | sed -E 's/^deb /deb-src /' \
      >/etc/apt/sources.list.d/cairn-deb-src.list || true
  fi
  if [ -s "$tmp" ]; then as_root install -m 0644 "$tmp" "$out"; fi
  rm -f "$tmp"
}

log "installing Debian packages"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq etcd-server openssl curl >/dev/null
if built; then echo "$bin"; exit 0; fi
as_root apt-get install -y -qq golang-go golang-github-modern-go-reflect2-dev dpkg-dev make rsync >/dev/null
enable_deb_src
as_root apt-get update -qq

work="$cache/src"
rm -rf "$work"
mkdir -p "$work" "$bin"
cd "$work"
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
find "$reflect2" -maxdepth 1 -type f -name '*.go' ! -name '*_test.go' -exec cp {} vendor/github.com/modern-go/reflect2/ \;
for f in "$reflect2"/LICENSE "$reflect2"/go.mod; do [ -f "$f" ] && cp "$f" vendor/github.com/modern-go/reflect2/; done
find "$reflect2" -maxdepth 1 -type f -name '*.s' -exec cp {} vendor/github.com/modern-go/reflect2/ \;
sed -i 's#github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 v1.0.2#g' vendor/modules.txt go.mod
find staging -name go.mod -exec sed -i 's#github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 v1.0.2#g' {} +

log "building ${components[*]} (several minutes)"
export KUBE_GIT_VERSION=v1.20.2 KUBE_GIT_TREE_STATE=clean KUBE_GIT_COMMIT=0000000000000000000000000000000000000000
export GOFLAGS=-mod=vendor GOPATH="$cache/gopath" GOCACHE="$cache/gocache"
CGO_ENABLED=0 make WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler" >&2

for c in "${components[@]}"; do
  install -m 0755 "_output/local/bin/$(go env GOOS)/$(go env GOARCH)/$c" "$bin/$c"
done
cd "$cache" && rm -rf "$work" "$cache/gopath" "$cache/gocache"
log "built into $bin"
echo "$bin"
