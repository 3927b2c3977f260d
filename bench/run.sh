#!/usr/bin/env bash
# End-to-end benchmark: hsvc against kdig and dig, whole-process wall time,
# against BIND 9 on loopback serving the interop zones.
#
#   bench/run.sh            # needs: bind9 knot-dnsutils bind9-dnsutils hyperfine
#
# Prints a markdown table of medians and ratios (hsvc / kdig) and peak RSS,
# all measured in the same run. Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in named kdig dig hyperfine; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not installed (apt-get install -y bind9 knot-dnsutils bind9-dnsutils hyperfine)" >&2; exit 2; }
done

ADDR=127.0.0.1
PORT=${BENCH_PORT:-25353}
RUNS=${BENCH_RUNS:-50}
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cargo build --release --quiet
cargo run --release --quiet --example gen_zones -- "$work" 2>/dev/null
HSVC=$PWD/target/release/hsvc

cat > "$work/named.conf" <<CONF
options {
  directory "$work";
  pid-file "$work/named.pid";
  listen-on port $PORT { $ADDR; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  check-names primary ignore;
  minimal-responses no-auth;
  max-records-per-type 0;
  notify no;
};
controls { };
zone "cluster.local" { type primary; file "db.cluster.local"; };
zone "in-addr.arpa"  { type primary; file "db.in-addr.arpa"; };
zone "ip6.arpa"      { type primary; file "db.ip6.arpa"; };
CONF
named -g -u root -c "$work/named.conf" >"$work/named.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  dig +short +time=1 +tries=1 -p "$PORT" @"$ADDR" web.s3.svc.cluster.local A 2>/dev/null | grep -q . && break
  sleep 0.2
done
dig +short -p "$PORT" @"$ADDR" web.s3.svc.cluster.local A | grep -q . || { cat "$work/named.log"; echo "bench: named did not start" >&2; exit 1; }

bench_table() { # $1 = server address, $2 = kdig/dig port
  local srv=$1 port=$2
  echo "| endpoints | hsvc resolve (A+AAAA+SRV) | kdig (A) | dig (A) | hsvc / kdig | hsvc -o plain | dig +short | plain / dig +short | hsvc peak RSS |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for n in 3 100 1000 3000; do
    name="web.s$n.svc.cluster.local"
    json="$work/h$n.json"
    # kdig and dig, like hsvc, retry over TCP when the UDP answer is truncated.
    hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-json "$json" \
      -n hsvc "$HSVC --server $srv --resolv-conf /dev/null resolve $name" \
      -n kdig "kdig -p $port @$ADDR $name A" \
      -n dig "dig -p $port @$ADDR $name A" \
      -n plain "$HSVC --server $srv --resolv-conf /dev/null resolve $name -o plain" \
      -n short "dig +short -p $port @$ADDR $name A" >/dev/null
    rss=$( { /usr/bin/time -f '%M' "$HSVC" --server "$srv" --resolv-conf /dev/null resolve "$name" >/dev/null; } 2>&1 | tail -1)
    python3 - "$json" "$n" "$rss" <<'PY'
import json, sys
d = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
m = {k: v["median"] * 1000 for k, v in d.items()}
print(f"| {sys.argv[2]} | {m['hsvc']:.2f} ms | {m['kdig']:.2f} ms | {m['dig']:.2f} ms | "
      f"{m['hsvc']/m['kdig']:.2f} | {m['plain']:.2f} ms | {m['short']:.2f} ms | "
      f"{m['plain']/m['short']:.2f} | {int(sys.argv[3])/1024:.1f} MiB |")
PY
  done
}

echo "BIND 9 (no SRV glue above 13 records):"
echo
bench_table "$ADDR:$PORT" "$PORT"

# The same zones from hsvc's in-process server, which answers as CoreDNS
# does (SRV glue always in the additional section).
PORT2=$((PORT + 1))
cat "$work"/db.cluster.local "$work"/db.in-addr.arpa "$work"/db.ip6.arpa > "$work/all.zone"
"$HSVC" demo --zone "$work/all.zone" --listen "$ADDR:$PORT2" >/dev/null 2>&1 &
pid2=$!
trap 'kill $pid2 2>/dev/null; cleanup' EXIT
for _ in $(seq 100); do
  dig +short +time=1 +tries=1 -p "$PORT2" @"$ADDR" web.s3.svc.cluster.local A 2>/dev/null | grep -q . && break
  sleep 0.1
done
echo
echo "CoreDNS-style server (hsvc demo --zone: SRV glue always sent):"
echo
bench_table "$ADDR:$PORT2" "$PORT2"
