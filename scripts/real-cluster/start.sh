#!/usr/bin/env bash
# Starts one real control plane on loopback: etcd, kube-apiserver (token auth; AlwaysAllow, or RBAC),
# kube-controller-manager and kube-scheduler, each on a free port. Nodes are not started here:
# cairn's node agent (src/sandbox/node/) registers simulated nodes against it.
#
#   start.sh NAME DIR [AUTHORIZATION]
#                         writes DIR/kubeconfig (cluster, user and context NAME), DIR/pids
#                         (one PID a line, for stop.sh) and DIR/*.log. AUTHORIZATION is the API
#                         server's --authorization-mode: AlwaysAllow (default) or RBAC. The
#                         kubeconfig's user is in system:masters, so it may do anything either way;
#                         service accounts get tokens through TokenRequest (the signing key is set).
# The binaries come from build.sh (built once per machine).
set -euo pipefail
name="$1"
dir="$2"
authorization="${3:-AlwaysAllow}"
case "$authorization" in AlwaysAllow | RBAC) ;; *) echo "authorization mode must be AlwaysAllow or RBAC, not $authorization" >&2; exit 2 ;; esac
here="$(cd "$(dirname "$0")" && pwd)"
bin="$("$here/build.sh")"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
: >"$dir/pids"

# Free ports outside the kernel's ephemeral range, so that no outgoing connection (etcd and the
# API server connect to themselves) takes one between the check and the listen.
free_ports() {
  node -e '
    const net = require("net");
    const [low] = require("fs").readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    const floor = 10000, ceiling = Math.max(floor + 1000, low);
    const found = new Set();
    const tryPort = () => {
      if (found.size === Number(process.argv[1])) return console.log([...found].join(" "));
      const port = floor + Math.floor(Math.random() * (ceiling - floor));
      if (found.has(port)) return tryPort();
      const s = net.createServer().once("error", tryPort).listen(port, "127.0.0.1", () => s.close(() => (found.add(port), tryPort())));
    };
    tryPort();
  ' "$1"
}
started() { echo "$1" >>"$dir/pids"; }
fail() {
  echo "real cluster $name: $*" >&2
  "$here/stop.sh" "$dir" || true
  exit 1
}

# Certificates: a CA, the API server's serving certificate, and the service-account key pair.
(
  cd "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj "/CN=cairn-$name-ca" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default\nextendedKeyUsage=serverAuth\n' >apiserver.ext
  openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out apiserver.crt -days 3650 -extfile apiserver.ext 2>/dev/null
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
)
token="$(openssl rand -hex 24)"
printf '%s,cairn-admin,cairn-admin,"system:masters"\n' "$token" >"$dir/tokens.csv"

read -r etcd_client etcd_peer apiserver_port < <(free_ports 3)

etcd --name "$name" --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_client" --advertise-client-urls "http://127.0.0.1:$etcd_client" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "$name=http://127.0.0.1:$etcd_peer" --unsafe-no-fsync \
  >"$dir/etcd.log" 2>&1 &
started $!

"$bin/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$etcd_client" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$apiserver_port" --insecure-port 0 \
  --tls-cert-file "$dir/apiserver.crt" --tls-private-key-file "$dir/apiserver.key" \
  --token-auth-file "$dir/tokens.csv" --authorization-mode "$authorization" --anonymous-auth=false \
  --service-account-key-file "$dir/sa.pub" --service-account-signing-key-file "$dir/sa.key" \
  --service-account-issuer "https://kubernetes.default.svc" --api-audiences "https://kubernetes.default.svc" \
  --service-cluster-ip-range 10.96.0.0/16 --endpoint-reconciler-type none \
  --kubelet-preferred-address-types InternalIP \
  --profiling=false --enable-priority-and-fairness=false \
  >"$dir/kube-apiserver.log" 2>&1 &
started $!

ca_data="$(base64 -w0 <"$dir/ca.crt")"
cat >"$dir/kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- name: $name
  cluster:
    server: https://127.0.0.1:$apiserver_port
    certificate-authority-data: $ca_data
users:
- name: $name
  user:
    token: $token
contexts:
- name: $name
  context:
    cluster: $name
    user: $name
    namespace: default
current-context: $name
KUBECONFIG

ready=""
for _ in $(seq 1 300); do
  if curl -sf --cacert "$dir/ca.crt" -H "Authorization: Bearer $token" "https://127.0.0.1:$apiserver_port/readyz" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$(sed -n 2p "$dir/pids")" 2>/dev/null || fail "kube-apiserver exited (see $dir/kube-apiserver.log)"
  sleep 0.2
done
[ -n "$ready" ] || fail "kube-apiserver not ready in 60 s (see $dir/kube-apiserver.log)"

"$bin/kube-controller-manager" \
  --kubeconfig "$dir/kubeconfig" --leader-elect=false --port 0 --secure-port 0 \
  --service-account-private-key-file "$dir/sa.key" --root-ca-file "$dir/ca.crt" \
  --use-service-account-credentials=false --profiling=false \
  >"$dir/kube-controller-manager.log" 2>&1 &
started $!

"$bin/kube-scheduler" \
  --kubeconfig "$dir/kubeconfig" --leader-elect=false --port 0 --secure-port 0 --profiling=false \
  >"$dir/kube-scheduler.log" 2>&1 &
started $!

echo "real cluster $name: https://127.0.0.1:$apiserver_port (kubeconfig $dir/kubeconfig)" >&2
