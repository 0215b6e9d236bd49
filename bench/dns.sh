#!/bin/bash
# SPDX-License-Identifier: ISC
# The router's DNS server side by side with dnsmasq, in the same topology:
# two copies of the seed lab, one routed by hairpind answering DNS itself
# (dns: in the config), one by the kernel with dnsmasq running in the
# router's namespace on 192.168.1.1 (the classic Linux router). Both
# forward to the same kind of upstream (a dnsmasq at 2.2.2.53 in the ISP
# namespace that answers every name under bench.test).
#
#   bench/dns.sh [-t SECONDS] [-n NAMES]
#
# Measures, from the LAN client with dnsperf:
#   cached_qps      queries per second for names already in the cache
#   cached_lat_us   their average latency, one query at a time
#   miss_qps        queries per second for names never asked (forwarded)
#   rss_per_record  resident memory per cached record, bytes, after
#                   NAMES distinct names went through (RSS delta / NAMES);
#                   for hairpind also the cache's own accounting
# Prints one table; docs/DNS.md records a run. Needs root, dnsperf and
# dnsmasq (contrib/lab/deps.sh installs them).

set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

SECONDS_RUN=10
NAMES=10000
while getopts t:n:h o; do
	case $o in
	t) SECONDS_RUN=$OPTARG ;;
	n) NAMES=$OPTARG ;;
	*) sed -n 10,10p "$0"; exit 2 ;;
	esac
done

[ "$(id -u)" = 0 ] || bench_die "needs root"
for t in dnsperf dnsmasq; do
	command -v "$t" >/dev/null || bench_die "needs $t (apt-get install $t)"
done
[ -x "$HAIRPIND" ] || bench_die "no $HAIRPIND (build first)"

BENCH_ID=hd$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hairpind-bench-dns.XXXXXX")
export LAB_QUIET=1 LAB_KEEP_STATE=1
cleanup() {
	bench_lab h
	lab_down
	bench_lab k
	lab_down
	rm -rf "$BENCH_TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# names: a file of queries for dnsperf
names() {
	local prefix=$1 n=$2 i
	for ((i = 0; i < n; i++)); do
		echo "$prefix$i.bench.test A"
	done
}
names hot 100 >"$BENCH_TMP/hot.txt"
names cold "$NAMES" >"$BENCH_TMP/cold.txt"
names fill "$NAMES" >"$BENCH_TMP/fill.txt"

upstream() {
	ip -n "$LAB_NS_ISP" addr add 2.2.2.53/32 dev lo || return 1
	lab_spawn upstream "$LAB_NS_ISP" dnsmasq --keep-in-foreground \
	    --no-resolv --no-hosts --listen-address=2.2.2.53 \
	    --bind-interfaces --pid-file= --user=root --local-ttl=3600 \
	    --cache-size=0 --dns-forward-max=10000 \
	    --address=/bench.test/10.1.2.3
	lab_wait 10 lab_listening "$LAB_NS_ISP" 2.2.2.53 53 udp
}

# dnsperf FILE [ARGS...]: prints "qps LATENCY_US"
perf() {
	local file=$1 out
	shift
	out=$(timeout $((SECONDS_RUN + 30)) ip netns exec "$LAB_NS_CLIENT" \
	    dnsperf -s 192.168.1.1 -d "$file" -c 8 -q 200 -t 2 "$@" 2>&1)
	printf '%s\n' "$out" >>"$BENCH_TMP/dnsperf.log"
	printf '%s\n' "$out" | awk '
	    /Queries per second:/ { q = $4 }
	    /Average Latency/ { l = $4 * 1000000 }
	    END { printf "%.0f %.0f\n", q, l }'
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# measure PID [BASE_RSS_KB]: the rss delta is from BASE_RSS_KB when given
# (dnsmasq allocates its whole cache at start: its base is a dnsmasq with
# --cache-size=0), else from just before the fill.
measure() {
	local pid=$1 r0=${2:-} r1 qps lat mq
	perf "$BENCH_TMP/hot.txt" -n 1 >/dev/null	# warm the 100 names
	read -r qps _ < <(perf "$BENCH_TMP/hot.txt" -l "$SECONDS_RUN")
	echo "cached_qps $qps"
	# latency unloaded: one query at a time
	read -r _ lat < <(perf "$BENCH_TMP/hot.txt" -l 3 -c 1 -q 1)
	echo "cached_lat_us $lat"
	read -r mq _ < <(perf "$BENCH_TMP/cold.txt" -n 1)
	echo "miss_qps $mq"
	[ -n "$r0" ] || r0=$(rss_kb "$pid")
	perf "$BENCH_TMP/fill.txt" -n 1 >/dev/null
	sleep 1
	r1=$(rss_kb "$pid")
	echo "rss_per_record $(((r1 - r0) * 1024 / NAMES))"
}

declare -A H K

# --- hairpind ------------------------------------------------------------
bench_lab h
conf=$BENCH_TMP/router-h.yaml
lab_config_gen --socket "$BENCH_TMP/ctl-h.sock" >"$conf.tmp" || exit 1
"$BENCH_PY" - "$conf.tmp" "$NAMES" <<'EOF' >"$conf" || exit 1
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
n = int(sys.argv[2])
c["dns"] = {"servers": ["2.2.2.53"], "allow-remote-requests": True,
            "cache-size": "%dKiB" % max(2048, (3 * n * 512) // 1024 + 1024),
            "max-concurrent-queries": 1000}
c["log"] = {"level": "info", "target": "stderr"}
sys.stdout.write(yaml.safe_dump(c, sort_keys=False, width=200))
EOF
"$HAIRPIND" -t -f "$conf" >/dev/null || bench_die "hairpind -t rejects $conf"
lab_up hairpind || bench_die "hairpind lab"
upstream || bench_die "upstream dnsmasq"
lab_spawn hairpind - "$HAIRPIND" -f "$conf"
lab_wait 10 bench_hairpind_ready || bench_die "hairpind did not come up"
lab_wait 5 test -S "$BENCH_TMP/ctl-h.sock" || bench_die "no control socket"
hpid=$(cat "$LAB_STATE/hairpind.pid")
bench_say "hairpind: measuring (${SECONDS_RUN}s runs, $NAMES names)"
while read -r k v; do H[$k]=$v; done < <(measure "$hpid")
m=$("$HAIRPINCTL" -s "$BENCH_TMP/ctl-h.sock" metrics)
entries=$(printf '%s\n' "$m" | awk '$1 == "hairpind_dns_cache_entries" {print $2}')
bytes=$(printf '%s\n' "$m" | awk '$1 == "hairpind_dns_cache_bytes" {print $2}')
H[cache_bytes_per_record]=$((bytes / (entries > 0 ? entries : 1)))
H[cache_entries]=$entries
lab_down

# --- the kernel router with dnsmasq on 192.168.1.1 ---------------------------
bench_lab k
kconf=$BENCH_TMP/router-k.yaml
lab_config_gen --socket "$BENCH_TMP/ctl-k.sock" >"$kconf" || exit 1
lab_up kernel "$kconf" || bench_die "kernel lab"
upstream || bench_die "upstream dnsmasq"
lab_spawn dnsmasq "$LAB_NS_RTR" dnsmasq --keep-in-foreground --no-resolv \
    --no-hosts --listen-address=192.168.1.1 --bind-interfaces --pid-file= \
    --user=root --server=2.2.2.53 --cache-size=$((NAMES + 200)) \
    --dns-forward-max=1000
lab_wait 10 lab_listening "$LAB_NS_RTR" 192.168.1.1 53 udp ||
    bench_die "dnsmasq on the kernel router"
kpid=$(cat "$LAB_STATE/dnsmasq.pid")
lab_spawn dnsmasq0 "$LAB_NS_RTR" dnsmasq --keep-in-foreground --no-resolv \
    --no-hosts --listen-address=192.168.1.1 --port=5353 --bind-interfaces \
    --pid-file= --user=root --server=2.2.2.53 --cache-size=0
lab_wait 10 lab_listening "$LAB_NS_RTR" 192.168.1.1 5353 udp ||
    bench_die "dnsmasq --cache-size=0"
base=$(rss_kb "$(cat "$LAB_STATE/dnsmasq0.pid")")
bench_say "kernel+dnsmasq: measuring"
while read -r k v; do K[$k]=$v; done < <(measure "$kpid" "$base")
K[cache_bytes_per_record]=-
K[cache_entries]=-
lab_down

printf '%-24s %14s %14s\n' metric hairpind kernel+dnsmasq
for k in cached_qps cached_lat_us miss_qps rss_per_record \
    cache_bytes_per_record cache_entries; do
	printf '%-24s %14s %14s\n' "$k" "${H[$k]:-?}" "${K[$k]:-?}"
done
