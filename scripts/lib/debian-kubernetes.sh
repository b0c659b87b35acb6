# Sourced (not run) by scripts/real-cluster/build.sh and scripts/conformance/build.sh: what both need to build
# Kubernetes v1.20.2 from Debian's kubernetes source package with Debian's Go. The caller sets `set -euo
# pipefail` and defines `log` (its own prefix on stderr).

# A failure inside `$(…)` (fetch_kubernetes_source) stops the script too.
shopt -s inherit_errexit

# Where the binaries (and the source tree) are kept: CAIRN_K8S_CACHE, else /var/cache/cairn-k8s, else ~/.cache.
k8s_cache_dir() {
  if [ -n "${CAIRN_K8S_CACHE:-}" ]; then echo "$CAIRN_K8S_CACHE"
  elif [ -w /var/cache ]; then echo /var/cache/cairn-k8s
  else echo "$HOME/.cache/cairn-k8s"; fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# deb-src entries for the Debian archive this machine already installs from (its stanzas signed by Debian's
# key, in deb822 .sources files, and the `deb` lines of a one-line sources.list that name deb.debian.org or
# security.debian.org — never a third-party repository's), written once to <dir>/cairn-deb-src.sources (and
# .list); then the package lists are updated. Does nothing when one of them exists and is not empty (the
# caller still runs `apt-get update` before `apt-get source`: the lists may be stale by then).
# The arguments are for checking it elsewhere: the folder to write to, the .sources folder and the
# sources.list to read (default: /etc/apt/sources.list.d, the same, /etc/apt/sources.list).
enable_deb_src() {
  local dir="${1:-/etc/apt/sources.list.d}" sources="${2:-/etc/apt/sources.list.d}" list="${3:-/etc/apt/sources.list}"
  local out="$dir/cairn-deb-src.sources" out_list="$dir/cairn-deb-src.list"
  if [ -s "$out" ] || [ -s "$out_list" ]; then return 0; fi
  local tmp tmp_list f
  tmp=$(mktemp); tmp_list=$(mktemp)
  for f in "$sources"/*.sources; do
    [ -f "$f" ] || continue
    [ "$(basename "$f")" = cairn-deb-src.sources ] && continue
    # A stanza of Debian's own archive whose Types name `deb`, as deb-src.
    awk -v RS= -v ORS='\n\n' '/debian-archive-keyring/ && /(^|\n)Types:([^\n]*[ \t])?deb([ \t]|\n|$)/' "$f" \
      | sed -E 's/^Types:.*/Types: deb-src/' >>"$tmp"
  done
  if [ -f "$list" ]; then
    grep -E '^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?https?://(deb|security)\.debian\.org/' "$list" | sed -E 's/^deb[[:space:]]/deb-src /' >"$tmp_list" || true
  fi
  if [ -s "$tmp" ]; then as_root install -m 0644 "$tmp" "$out"; fi
  if [ -s "$tmp_list" ]; then as_root install -m 0644 "$tmp_list" "$out_list"; fi
  rm -f "$tmp" "$tmp_list"
  if [ ! -s "$out" ] && [ ! -s "$out_list" ]; then log "no Debian archive found to add deb-src entries for"; return 1; fi
  if [ "$dir" = /etc/apt/sources.list.d ]; then as_root apt-get update -qq; fi
}

# Go, the reflect2 sources the tree needs, and the tools to unpack and build it.
install_build_tools() {
  command -v go >/dev/null && command -v make >/dev/null && command -v dpkg-source >/dev/null \
    && [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] && return 0
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq golang-go golang-github-modern-go-reflect2-dev dpkg-dev make rsync >/dev/null
}

# Unpacks the kubernetes source package into <work> (emptied first), makes it build with Debian's Go, and
# prints the tree's path. reflect2 v1.0.1 reads runtime internals that changed in Go 1.18: the vendored copy
# is replaced with Debian's v1.0.2.
fetch_kubernetes_source() {
  local work="$1" tree reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2 f
  rm -rf "$work"; mkdir -p "$work"
  log "fetching the kubernetes source package"
  (cd "$work" && { apt-get source -qq kubernetes >/dev/null 2>&1 || apt-get source kubernetes >&2; })
  tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)
  [ -n "$tree" ] || { log "no kubernetes source tree"; return 1; }
  log "replacing vendored modern-go/reflect2 with Debian's v1.0.2"
  rm -rf "$tree/vendor/github.com/modern-go/reflect2"
  mkdir -p "$tree/vendor/github.com/modern-go/reflect2"
  find "$reflect2" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) ! -name '*_test.go' -exec cp {} "$tree/vendor/github.com/modern-go/reflect2/" \;
  for f in "$reflect2"/LICENSE "$reflect2"/go.mod; do if [ -f "$f" ]; then cp "$f" "$tree/vendor/github.com/modern-go/reflect2/"; fi; done
  sed -i 's#github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 v1.0.2#g' "$tree/vendor/modules.txt" "$tree/go.mod"
  find "$tree/staging" -name go.mod -exec sed -i 's#github.com/modern-go/reflect2 v1.0.1#github.com/modern-go/reflect2 v1.0.2#g' {} +
  echo "$tree"
}

# The environment `make WHAT=…` builds v1.20.2 in, with Go's caches under <cache> (removed after the build).
k8s_build_env() {
  local cache="$1"
  export KUBE_GIT_VERSION=v1.20.2 KUBE_GIT_TREE_STATE=clean KUBE_GIT_COMMIT=0000000000000000000000000000000000000000
  export GOFLAGS=-mod=vendor GOPATH="$cache/gopath" GOCACHE="$cache/gocache"
}
