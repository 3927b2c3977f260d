#!/usr/bin/env bash
# End-to-end benchmark: hsvc against the floor (bench/floor.c: the same
# questions, replies only counted), kdig and dig; whole-process wall time,
# against BIND 9 and against hsvc's CoreDNS-style server, both on loopback
# serving the interop zones (examples/gen_zones.rs). See bench/README.md.
#
#   bench/run.sh   # needs: bind9 knot-dnsutils bind9-dnsutils hyperfine valgrind time, cc, python3
#
# Per server and size: a query-count check (hsvc, floor through a counting
# proxy), one hyperfine run with every command, callgrind's instruction count
# of one hsvc run (stable on a noisy machine) and hsvc's peak RSS; then a
# markdown table of medians and ratios. BENCH_RUNS (default 40) runs each.
# Traffic stays on 127.0.0.1; every step is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in named kdig dig hyperfine valgrind cc python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not installed (apt-get install -y bind9 knot-dnsutils bind9-dnsutils hyperfine valgrind time gcc python3)" >&2; exit 2; }
done

ADDR=127.0.0.1
PORT=${BENCH_PORT:-25353}
PORT2=$((PORT + 1))
PROXY=$((PORT + 2))
RUNS=${BENCH_RUNS:-40}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

cargo build --release --quiet
cargo run --release --quiet --example gen_zones -- "$work" 2>/dev/null
HSVC=${CARGO_TARGET_DIR:-$PWD/target}/release/hsvc
FLOOR=$work/floor
cc -O2 -o "$FLOOR" bench/floor.c

wait_for() { # $1 = port
  for _ in $(seq 100); do
    dig +short +time=1 +tries=1 -p "$1" @"$ADDR" web.s3.svc.cluster.local A 2>/dev/null | grep -q . && return 0
    sleep 0.2
  done
  return 1
}

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
pids+=($!)
wait_for "$PORT" || { cat "$work/named.log"; echo "bench: named did not start" >&2; exit 1; }

# The same zones from hsvc's in-process server, which answers as CoreDNS
# does (SRV glue always in the additional section).
cat "$work"/db.cluster.local "$work"/db.in-addr.arpa "$work"/db.ip6.arpa > "$work/all.zone"
"$HSVC" demo --zone "$work/all.zone" --listen "$ADDR:$PORT2" >/dev/null 2>&1 &
pids+=($!)
wait_for "$PORT2" || { echo "bench: hsvc demo did not start" >&2; exit 1; }

# Sizes: label and Service (namespace). Deployment targets are dashed IPs
# (no lookups needed); StatefulSet targets are hostnames (lookups where the
# SRV reply has no glue: BIND sends none above 13 records). web.s3000 has no
# port, hence no SRV records.
SIZES=("3 (StatefulSet)|s3" "100 (Deployment)|d100" "1000 (Deployment)|d1000" "1000 (StatefulSet)|s1000" "3000 (no port)|s3000")

bench_table() { # $1 = port
  local port=$1 srv="$ADDR:$1" rows=() checks=()
  for entry in "${SIZES[@]}"; do
    local label=${entry%|*} ns=${entry#*|}
    local name="web.$ns.svc.cluster.local"
    local json="$work/$port-$ns.json"
    local hsvc_cmd="$HSVC --server $srv --resolv-conf /dev/null resolve $name"
    # Queries sent, counted by a proxy on loopback: the floor must ask what hsvc asks.
    local qh qf qt
    qh=$(python3 bench/count_queries.py "$port" "$PROXY" -- $HSVC --server "$ADDR:$PROXY" --resolv-conf /dev/null resolve "$name")
    qf=$(python3 bench/count_queries.py "$port" "$PROXY" -- "$FLOOR" "$ADDR" "$PROXY" "$name")
    qt=$(python3 bench/count_queries.py "$port" "$PROXY" -- "$FLOOR" -t tcp "$ADDR" "$PROXY" "$name")
    local total_h=$(( $(sed 's/udp=\([0-9]*\) tcp=\([0-9]*\).*/\1+\2/' <<<"$qh") ))
    local total_f=$(( $(sed 's/udp=\([0-9]*\) tcp=\([0-9]*\).*/\1+\2/' <<<"$qf") ))
    local total_t=$(( $(sed 's/udp=\([0-9]*\) tcp=\([0-9]*\).*/\1+\2/' <<<"$qt") ))
    local same=yes
    [ "$total_h" = "$total_f" ] && [ "$total_h" = "$total_t" ] || same=NO
    checks+=("- $label: hsvc $qh; floor $qf; floor -t tcp $qt: same number: $same")
    # Target lookups can go over UDP or be pipelined on TCP; the floor is
    # the faster of the two, so both are timed where there are any.
    local tcp_floor=()
    if [ "$total_h" -gt 5 ]; then tcp_floor=(-n floor-tcp "$FLOOR -t tcp $ADDR $port $name"); fi
    # kdig and dig, like hsvc, retry over TCP when the UDP answer is truncated.
    timeout 600 hyperfine -N --style none --warmup 3 --runs "$RUNS" --export-json "$json" \
      -n hsvc "$hsvc_cmd" \
      -n floor "$FLOOR $ADDR $port $name" \
      "${tcp_floor[@]}" \
      -n kdig "kdig -p $port @$ADDR $name A" \
      -n dig "dig -p $port @$ADDR $name A" \
      -n plain "$hsvc_cmd -o plain" >/dev/null
    local rss ir
    /usr/bin/time -o "$work/rss" -f '%M' $hsvc_cmd >/dev/null 2>&1
    rss=$(tail -1 "$work/rss")
    ir=$(timeout 120 valgrind --tool=callgrind --callgrind-out-file=/dev/null $hsvc_cmd 2>&1 >/dev/null |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p')
    rows+=("$(python3 - "$json" "$label" "$rss" "$ir" "$total_h" <<'PY'
import json, sys
d = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
m = {k: v["median"] * 1000 for k, v in d.items()}
floor = min(m["floor"], m.get("floor-tcp", float("inf")))
how = "tcp" if m.get("floor-tcp", float("inf")) < m["floor"] else "udp"
print(f"| {sys.argv[2]} | {sys.argv[5]} | {m['hsvc']:.2f} ms | {floor:.2f} ms ({how}) | {m['kdig']:.2f} ms | "
      f"{m['dig']:.2f} ms | {m['plain']:.2f} ms | **{m['hsvc']/floor:.2f}** | **{m['hsvc']/m['kdig']:.2f}** | "
      f"{int(sys.argv[4]) / 1e6:.2f} M | {int(sys.argv[3])/1024:.1f} MiB |")
PY
)")
  done
  echo "| endpoints | queries | hsvc resolve | floor | kdig (A) | dig (A) | hsvc -o plain | hsvc / floor | hsvc / kdig | hsvc instructions | hsvc peak RSS |"
  echo "| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Queries sent (counted by bench/count_queries.py, a forwarding proxy on loopback):"
  echo
  printf '%s\n' "${checks[@]}"
}

echo "Medians of $RUNS runs; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
echo
echo "BIND $(named -v | sed 's/^BIND //; s/ .*//') (no SRV glue above 13 records):"
echo
bench_table "$PORT"
echo
echo "CoreDNS-style server (hsvc demo --zone: SRV glue always sent):"
echo
bench_table "$PORT2"
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
