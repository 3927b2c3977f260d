#!/usr/bin/env bash
# Checks the static build: no dynamic dependencies, and `hsvc --version` and
# a resolve run inside an empty chroot holding only the binary and a pod's
# resolv.conf (what a distroless or scratch image offers). Needs root for
# chroot. The DNS server is hsvc's own demo server on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(scripts/build-static.sh --quiet | tail -n 1)

# A static(-pie) binary lists no shared objects ("statically linked" or
# "not a dynamic executable").
if ldd "$bin" 2>&1 | grep -q '=>'; then
  echo "check-static: $bin is dynamically linked:" >&2; ldd "$bin" >&2; exit 1
fi
echo "check-static: $bin has no dynamic dependencies ($(stat -c %s "$bin") bytes)"

root=$(mktemp -d)
state=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$root" "$state"; }
trap cleanup EXIT
mkdir -p "$root/etc"
cp "$bin" "$root/hsvc"
cat > "$root/etc/resolv.conf" <<CONF
search awx.svc.cluster.local svc.cluster.local cluster.local
nameserver 127.0.0.1
options ndots:5
CONF

chroot "$root" /hsvc --version

port=${CHECK_STATIC_PORT:-15399}
# Free ports for the demo's API, its files in a folder of this run: the DNS
# answer is all this checks.
"$bin" demo --serve --listen "127.0.0.1:$port" --api-port 0 --proxy-port 0 --dir "$state/demo" >/dev/null &
pid=$!
for _ in $(seq 50); do
  "$bin" --server "127.0.0.1:$port" --resolv-conf /dev/null --timeout 200ms resolve web-headless.awx -o plain >/dev/null 2>&1 && break
  sleep 0.1
done
# Inside the chroot the namespace comes from its resolv.conf (awx).
got=$(chroot "$root" /hsvc --server "127.0.0.1:$port" resolve web-headless -o plain)
# The demo's awx/web-headless: web-0 and web-1 ready (web-2 not ready, web-3 terminating).
want=$'127.244.194.67\n127.244.217.10'
if [ "$got" != "$want" ]; then
  echo "check-static: resolve in the chroot gave:" >&2; echo "$got" >&2; exit 1
fi
echo "check-static: resolve inside an empty chroot: ok"
