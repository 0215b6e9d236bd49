# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Benchmark plumbing: copies of the seed topology side by side (one routed
# by hairpind with the shipped settings, one by the kernel's nftables NAT
# from the same config, and optionally one by hairpind with a tuned
# dataplane section), the benchmark's extra NAT rules and addresses, the C
# load tools, and one function per measurement. Sourced by bench/run.sh and
# bench/profile.sh; every name it creates carries this run's prefix.
#
# Routers are named by one letter: h (hairpind, the dataplane settings of
# etc/hairpind.yaml as shipped, nothing added), k (the kernel) and t
# (hairpind-tuned: the same config with `dataplane: {BENCH_TUNED}`).

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_TOP=$(cd "$BENCH_DIR/.." && pwd)
: "${BUILDDIR:=$BENCH_TOP/build}"
HAIRPIND=${HAIRPIND:-$BUILDDIR/src/hairpind}
HAIRPINCTL=${HAIRPINCTL:-$BUILDDIR/src/hairpinctl}
BENCH_BIN=$BUILDDIR/bench
BENCH_PY=/usr/bin/python3
BENCH_CC=${CC:-cc}
BENCH_CFLAGS="-O2 -g -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes
    -Wshadow -Wformat=2"

# shellcheck source=contrib/lab/topology.sh
. "$BENCH_TOP/contrib/lab/topology.sh"

# The NAT the benchmarks go through, on top of the seed rules: iperf3,
# the UDP sink and the accept-and-close server are all published on
# 1.1.1.1, and the hairpin masquerade covers iperf3 too.
BENCH_NAT=(
	"chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=5201 action=dst-nat to-addresses=192.168.1.2"
	"chain=dstnat dst-address=1.1.1.1 protocol=udp dst-port=9000 action=dst-nat to-addresses=192.168.1.2"
	"chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=7000 action=dst-nat to-addresses=192.168.1.2"
	"chain=srcnat src-address=192.168.1.0/24 dst-address=192.168.1.2 protocol=tcp dst-port=5201 out-interface=lan action=masquerade"
)
# Source addresses on the ISP's lo: connection-rate clients take a fresh
# /24 of 100.64.0.0/16 per run (no 4-tuple is ever reused, so neither
# router sees a SYN for a connection it still tracks); the conntrack fill
# walks 16 addresses of 100.65.0.0/24.
BENCH_CONN_NET=100.64.0.0/16
BENCH_FLOW_NET=100.65.0.0/24
BENCH_FLOW_BASE=100.65.0.1
BENCH_FLOW_NADDR=16
BENCH_CT_MAX=1200000
# The dataplane section (see hairpind.yaml(5)) of the tuned router t only,
# as the body of a YAML flow mapping, e.g. "nice: -10, busy-poll: 3ms". It
# replaces whatever dataplane section etc/hairpind.yaml has. Router h
# always runs with the shipped settings: this is never applied to it.
BENCH_TUNED=${BENCH_TUNED:-}

bench_say() {
	printf '%s\n' "bench: $*" >&2
}

bench_die() {
	printf '%s\n' "bench: $*" >&2
	exit 1
}

# bench_tools: build the C load generators next to the daemon when stale.
bench_tools() {
	local t
	mkdir -p "$BENCH_BIN" || return 1
	for t in udpgen udpsink connrate wakeup; do
		if [ ! -x "$BENCH_BIN/$t" ] ||
		    [ "$BENCH_DIR/$t.c" -nt "$BENCH_BIN/$t" ]; then
			# shellcheck disable=SC2086 # flags are words
			"$BENCH_CC" $BENCH_CFLAGS -pthread -o "$BENCH_BIN/$t" \
			    "$BENCH_DIR/$t.c" || return 1
		fi
	done
	if [ ! -x "$HAIRPIND" ] || [ ! -x "$HAIRPINCTL" ]; then
		bench_say "no daemon at $HAIRPIND (BUILDDIR=$BUILDDIR)"
		return 1
	fi
}

# bench_lab h|k|t: make lab h (hairpind), k (kernel) or t (hairpind-tuned)
# the current one for the lab_* functions. BENCH_ID (the run's prefix) and
# BENCH_TMP (its scratch directory) are the sourcing script's.
# shellcheck disable=SC2153
bench_lab() {
	case $1 in
	h|k|t) lab_init "${BENCH_ID}$1" "$BENCH_TMP/lab-$1" ;;
	*) bench_die "bench_lab: unknown router $1" ;;
	esac
}

bench_router_name() {
	case $1 in
	h) echo hairpind ;;
	k) echo kernel ;;
	t) echo hairpind-tuned ;;
	esac
}

# bench_is_hairpind R: router R is run by hairpind (h or t).
bench_is_hairpind() {
	case $1 in h|t) return 0 ;; esac
	return 1
}

bench_sock() {
	echo "$BENCH_TMP/ctl-$1.sock"
}

# bench_conf R UDP_TIMEOUT: the lab config of router R with the bench
# rules, a 1.2M-entry table and the given UDP timeout (seconds). The
# dataplane section is etc/hairpind.yaml's, untouched, except for router t,
# which gets `dataplane: {BENCH_TUNED}` instead.
bench_conf() {
	local r=$1 udp=$2 out=$BENCH_TMP/router-$1.yaml rule args=() tuned=
	for rule in "${BENCH_NAT[@]}"; do
		args+=(--add-nat "$rule")
	done
	[ "$r" = t ] && tuned=$BENCH_TUNED
	lab_config_gen --socket "$(bench_sock "$r")" "${args[@]}" \
	    >"$out.tmp" || return 1
	"$BENCH_PY" - "$out.tmp" "$BENCH_CT_MAX" "$udp" "$r" "$tuned" \
	    <<'EOF' >"$out" ||
import sys
import yaml
conf = yaml.safe_load(open(sys.argv[1]))
ct = conf.setdefault("conntrack", {}) or {}
conf["conntrack"] = ct
ct["max"] = int(sys.argv[2])
ct.setdefault("timeouts", {})
ct["timeouts"]["udp"] = "%ss" % sys.argv[3]
conf["log"] = {"level": "info", "target": "stderr"}
if sys.argv[4] == "t":
    # run.sh checked it is KEY: VALUE pairs
    body = sys.argv[5].strip()
    conf["dataplane"] = yaml.safe_load(body if body.startswith("{")
                                       else "{" + body + "}")
sys.stdout.write(yaml.safe_dump(conf, sort_keys=False, width=200))
EOF
	    return 1
	rm -f "$out.tmp"
	echo "$out"
}

bench_hairpind_ready() {
	lab_tap_carrier "$LAB_NS_ISP" "$LAB_TAP_WAN" &&
	    lab_tap_carrier "$LAB_NS_LAN" "$LAB_TAP_LAN"
}

# bench_hairpind_pid [R]: the daemon's pid in lab R (default h).
bench_hairpind_pid() {
	cat "$BENCH_TMP/lab-${1:-h}/hairpind.pid"
}

# bench_hairpind_ticks R: the CPU time (user + system, clock ticks) router
# R's daemon has used so far.
bench_hairpind_ticks() {
	awk '{ print $14 + $15 }' "/proc/$(bench_hairpind_pid "$1")/stat" \
	    2>/dev/null
}

# bench_load1: the host's 1-minute load average now.
bench_load1() {
	cut -d' ' -f1 /proc/loadavg
}

# bench_sys_ticks: busy clock ticks of all CPUs so far (user, nice,
# system, irq, softirq; not idle, iowait or steal).
bench_sys_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

# bench_measure R TEST CMD...: run CMD (a measurement printing "METRIC
# VALUE" lines) and pass its lines on; then "cpu_TEST PERCENT", the share
# of one CPU router R's daemon used meanwhile (hairpind routers only; over
# the whole command, its setup included), "sys_TEST PERCENT", the busy
# time of all CPUs together (percent of one CPU: 200 is two CPUs busy),
# and "load_TEST L", the host's
# 1-minute load average when it ended.
bench_measure() {
	local r=$1 t=$2 c0 t0 c1 t1 s0 s1 w0 w1
	shift 2
	if bench_is_hairpind "$r"; then
		c0=$(bench_hairpind_ticks "$r")
		t0=$(bench_now)
	fi
	s0=$(bench_sys_ticks)
	w0=$(bench_now)
	"$@"
	s1=$(bench_sys_ticks)
	w1=$(bench_now)
	# every CPU's busy time: the router's and the endpoints' work together
	awk -v t="$t" -v s0="$s0" -v s1="$s1" -v d0="$w0" -v d1="$w1" \
	    -v hz="$(getconf CLK_TCK)" 'BEGIN {
	    printf "sys_%s %.0f\n", t, 100 * (s1 - s0) / hz / (d1 - d0) }'
	if bench_is_hairpind "$r"; then
		c1=$(bench_hairpind_ticks "$r")
		t1=$(bench_now)
		# no daemon at either end (it died): no figure
		awk -v t="$t" -v c0="$c0" -v c1="$c1" -v d0="$t0" -v d1="$t1" \
		    -v hz="$(getconf CLK_TCK)" 'BEGIN {
		    if (c0 == "" || c1 == "") { printf "cpu_%s nan\n", t; exit }
		    printf "cpu_%s %.0f\n", t, 100 * (c1 - c0) / hz / (d1 - d0) }'
	fi
	echo "load_$t $(bench_load1)"
}

# bench_metric NAME CMD...: "NAME VALUE", VALUE being what CMD prints.
bench_metric() {
	local name=$1
	shift
	echo "$name $("$@")"
}

# bench_up R UDP_TIMEOUT: the seed topology of router R, its router
# running, the servers listening, and a first packet through every path
# (ARP resolved, nothing measured cold).
bench_up() {
	local r=$1 udp=$2 conf
	bench_lab "$r"
	conf=$(bench_conf "$r" "$udp") || return 1
	case $r in
	h|t)
		"$HAIRPIND" -t -f "$conf" >/dev/null ||
		    { bench_say "hairpind -t rejects $conf"; return 1; }
		lab_up hairpind || return 1
		lab_spawn hairpind - "$HAIRPIND" -f "$conf"
		lab_wait 10 bench_hairpind_ready ||
		    { bench_say "hairpind did not come up:";
		      tail -n 20 "$LAB_STATE/hairpind.log" >&2; return 1; }
		lab_wait 5 test -S "$(bench_sock "$r")" || return 1
		;;
	k)
		lab_up kernel "$conf" || return 1
		lab_ns "$LAB_NS_RTR" sysctl -qw \
		    net.netfilter.nf_conntrack_udp_timeout="$udp" \
		    net.netfilter.nf_conntrack_udp_timeout_stream="$udp" ||
		    return 1
		;;
	esac
	ip -n "$LAB_NS_ISP" addr add "$BENCH_CONN_NET" dev lo || return 1
	ip -n "$LAB_NS_ISP" addr add "$BENCH_FLOW_NET" dev lo || return 1
	lab_ns "$LAB_NS_SERVER" sysctl -qw net.core.somaxconn=4096 \
	    net.ipv4.tcp_max_syn_backlog=8192 || return 1
	lab_spawn iperf3 "$LAB_NS_SERVER" iperf3 -s -B 192.168.1.2 -p 5201
	lab_spawn acceptsrv "$LAB_NS_SERVER" "$BENCH_BIN/connrate" \
	    -l 192.168.1.2:7000 -t 86400
	lab_wait 10 lab_listening "$LAB_NS_SERVER" 192.168.1.2 5201 ||
	    { bench_say "iperf3 server not listening"; return 1; }
	lab_wait 10 lab_listening "$LAB_NS_SERVER" 192.168.1.2 7000 ||
	    { bench_say "accept server not listening"; return 1; }
	# Through both NATs once, so the first measurement is not the one
	# that resolves ARP.
	timeout 10 ip netns exec "$LAB_NS_CLIENT" ping -c 3 -i 0.2 -W 2 \
	    2.2.2.2 >/dev/null ||
	    { bench_say "$(bench_router_name "$r"): no ping through masquerade"
	      return 1; }
	timeout 10 ip netns exec "$LAB_NS_ISP" curl -sS --max-time 5 \
	    --interface 2.2.2.2 -o /dev/null http://1.1.1.1/ ||
	    { bench_say "$(bench_router_name "$r"): no HTTP through dst-nat"
	      return 1; }
}

bench_down() {
	bench_lab "$1"
	lab_down
}

# --- measurements: each prints "METRIC VALUE" lines ----------------------

# bench_iperf R WHERE SECS [-R]: single-stream TCP through router R from the
# ISP's 2.2.2.2 (dnat) or the LAN client (hairpin); Gbit/s.
bench_iperf() {
	local r=$1 where=$2 secs=$3 rev=${4:-} ns bind=() json
	bench_lab "$r"
	case $where in
	dnat) ns=$LAB_NS_ISP; bind=(-B 2.2.2.2) ;;
	hairpin) ns=$LAB_NS_CLIENT ;;
	esac
	json=$(timeout -k 2 $((secs + 20)) ip netns exec "$ns" \
	    iperf3 -c 1.1.1.1 -p 5201 "${bind[@]}" -t "$secs" -O 1 \
	    --connect-timeout 3000 -J ${rev:+"$rev"} 2>&1)
	printf '%s' "$json" | "$BENCH_PY" -c '
import json, sys
try:
    d = json.load(sys.stdin)
    print("%.3f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("nan")
'
}

# bench_udp R SECS [SINK_ARGS...]: 64-byte UDP from 2.2.2.2 through the
# dst-nat to the sink; prints the sink's line.
bench_udp() {
	local r=$1 secs=$2 sinkpid out
	shift 2
	bench_lab "$r"
	out=$BENCH_TMP/udpsink.$r.out
	timeout -k 2 $((secs + 10)) ip netns exec "$LAB_NS_SERVER" \
	    "$BENCH_BIN/udpsink" -b 192.168.1.2 -p 9000 -t $((secs + 5)) \
	    -x 1 "$@" >"$out" 2>&1 &
	sinkpid=$!
	lab_wait 5 lab_listening "$LAB_NS_SERVER" 192.168.1.2 9000 udp
	timeout -k 2 $((secs + 10)) ip netns exec "$LAB_NS_ISP" \
	    "$BENCH_BIN/udpgen" -s 2.2.2.2 -d 1.1.1.1 -p 9000 -t "$secs" \
	    ${BENCH_UDP_RATE:+-r "$BENCH_UDP_RATE"} >"$out.gen" 2>&1
	wait "$sinkpid"
	cat "$out"
}

# bench_pps R SECS: Mpps received.
bench_pps() {
	bench_udp "$1" "$2" | awk '/^pkts/ { printf "%.4f\n", $6 / 1e6; f = 1 }
	    END { if (!f) print "nan" }'
}

# bench_ping R COUNT INTERVAL_MS: "avg min" RTT in microseconds, LAN client
# -> 2.2.2.2 through masquerade, COUNT pings INTERVAL_MS apart (below 2 ms
# ping needs root, which the benchmark is).
bench_ping() {
	local r=$1 n=$2 ms=$3 out
	bench_lab "$r"
	out=$(timeout -k 2 $((n * ms / 1000 + 15)) \
	    ip netns exec "$LAB_NS_CLIENT" ping -c "$n" \
	    -i "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')" \
	    -q -W 1 2.2.2.2 2>&1)
	printf '%s\n' "$out" | awk -F'[/ =]+' '/^rtt|^round-trip/ {
	    printf "%.1f %.1f\n", $7 * 1000, $6 * 1000; f = 1 }
	    END { if (!f) print "nan nan" }'
}

# bench_connrate R SECS [INFLIGHT]: completed handshakes per second through
# dst-nat, from a fresh /24 of source addresses (one sequence for every
# router and both forms, so no 4-tuple is reused in a run), INFLIGHT
# connects at a time (default 256; 1 is the latency-bound form: connect,
# wait for the handshake, reset, next).
bench_connrate() {
	local r=$1 secs=$2 c=${3:-256} base out seq=0
	local seqf=$BENCH_TMP/connrate.seq
	bench_lab "$r"
	# a file, not a variable: callers run this in pipelines (subshells)
	[ -f "$seqf" ] && seq=$(cat "$seqf")
	seq=$(((seq + 1) % 250))
	echo "$seq" >"$seqf"
	base=100.64.$seq.1
	out=$(timeout -k 2 $((secs + 10)) ip netns exec "$LAB_NS_ISP" \
	    "$BENCH_BIN/connrate" -d 1.1.1.1:7000 -S "$base" -n 200 \
	    -c "$c" -t "$secs" 2>&1)
	printf '%s\n' "$out" >>"$BENCH_TMP/connrate.$r.log"
	printf '%s\n' "$out" | awk '/^connects/ { print $10; f = 1 }
	    END { if (!f) print "nan" }'
}

# bench_ct_count R: entries in router R's table.
bench_ct_count() {
	bench_lab "$1"
	case $1 in
	h|t) "$HAIRPINCTL" -s "$(bench_sock "$1")" -j status 2>/dev/null |
	    "$BENCH_PY" -c '
import json, sys
print(json.loads(sys.stdin.readline())["result"]["conntrack-count"])' ;;
	k) lab_ns "$LAB_NS_RTR" cat /proc/sys/net/netfilter/nf_conntrack_count ;;
	esac
}

# bench_rss_kb R: router R's daemon's VmRSS in KiB.
bench_rss_kb() {
	awk '/^VmRSS/ { print $2 }' "/proc/$(bench_hairpind_pid "$1")/status"
}

# Kernel conntrack memory: the nf_conntrack slab (objects * size), and all
# slab memory (which also holds the NAT/extension areas), in bytes.
bench_ct_slab() {
	awk '$1 == "nf_conntrack" { print $2 * $4 }' /proc/slabinfo
}

bench_slab_total() {
	awk '/^Slab:/ { print $2 * 1024 }' /proc/meminfo
}

# bench_fill R FLOWS RATE: FLOWS distinct UDP flows from the ISP side into
# the dst-nat (each a new unreplied connection), at RATE packets/s. What a
# router drops under that load is sent again, slower, up to three times.
bench_fill() {
	local r=$1 flows=$2 rate=$3 secs sinkpid pass c0 c
	bench_lab "$r"
	c0=$(bench_ct_count "$r")
	for pass in 1 2 3; do
		secs=$((flows / rate + 5))
		timeout -k 2 $((secs + 10)) ip netns exec "$LAB_NS_SERVER" \
		    "$BENCH_BIN/udpsink" -b 192.168.1.2 -p 9000 -t "$secs" \
		    -x 2 >>"$BENCH_TMP/fill.$r.sink" 2>&1 &
		sinkpid=$!
		lab_wait 5 lab_listening "$LAB_NS_SERVER" 192.168.1.2 9000 udp
		timeout -k 2 "$secs" ip netns exec "$LAB_NS_ISP" \
		    "$BENCH_BIN/udpgen" -d 1.1.1.1 -p 9000 -F "$flows" \
		    -S "$BENCH_FLOW_BASE" -n "$BENCH_FLOW_NADDR" -P 1024 \
		    -c "$flows" -r "$rate" -t "$secs" \
		    >>"$BENCH_TMP/fill.$r.gen" 2>&1
		wait "$sinkpid"
		sleep 0.5
		c=$(bench_ct_count "$r")
		echo "pass $pass rate $rate: $((c - c0)) new entries" \
		    >>"$BENCH_TMP/fill.$r.gen"
		[ $((c - c0)) -lt $((flows - flows / 1000)) ] || break
		rate=$((rate * 6 / 10))
	done
}

# bench_scale_one R FLOWS: fill router R's table from ONE internal endpoint,
# 192.168.1.10:41000, to FLOWS destinations (11.0.0.0 + i, out through the
# masquerade): every entry holds the same NAT mapping, which a 16-bit
# reference count used to stop at 65,535 (issue 15). Prints the entries
# made, the memory they took and the datagrams refused.
bench_scale_one() {
	local r=$1 flows=$2 rate=${BENCH_FILL_RATE:-40000} c0 c1 m0 m1 s0 s1
	local secs pass
	bench_lab "$r"
	c0=$(bench_ct_count "$r")
	case $r in
	h|t) m0=$(bench_rss_kb "$r") ;;
	k) m0=$(bench_ct_slab); s0=$(bench_slab_total) ;;
	esac
	for pass in 1 2 3; do
		secs=$((flows / rate + 5))
		timeout -k 2 "$secs" ip netns exec "$LAB_NS_CLIENT" \
		    "$BENCH_BIN/udpgen" -d 11.0.0.0 -p 53 -F "$flows" -D \
		    -S 192.168.1.10 -P 41000 -c "$flows" -r "$rate" -t "$secs" \
		    >>"$BENCH_TMP/fill-one.$r.gen" 2>&1
		sleep 1
		c1=$(bench_ct_count "$r")
		[ $((c1 - c0)) -lt $((flows - flows / 1000)) ] || break
		rate=$((rate * 6 / 10))
	done
	echo "ct_one_endpoint_entries $((c1 - c0))"
	case $r in
	h|t) m1=$(bench_rss_kb "$r")
	   echo "ct_one_endpoint_bytes_per_entry $(per_entry "$m0" "$m1" \
	       $((c1 - c0)) 1024)"
	   echo "ct_one_endpoint_nat_exhausted $("$HAIRPINCTL" \
	       -s "$(bench_sock "$r")" -j interfaces 2>/dev/null |
	       "$BENCH_PY" -c '
import json, sys
n = 0
for line in sys.stdin:
    for i in json.loads(line).get("result", []):
        n += i.get("drops", {}).get("nat-exhausted", 0)
print(n)')"
	   ;;
	k) m1=$(bench_ct_slab); s1=$(bench_slab_total)
	   echo "ct_one_endpoint_slab_bytes_per_entry $(per_entry "$m0" "$m1" \
	       $((c1 - c0)))"
	   echo "ct_one_endpoint_bytes_per_entry $(per_entry "$s0" "$s1" \
	       $((c1 - c0)))"
	   ;;
	esac
}

# per_entry BEFORE AFTER ENTRIES [SCALE]: (AFTER - BEFORE) * SCALE / ENTRIES
per_entry() {
	awk -v a="$1" -v b="$2" -v n="$3" -v s="${4:-1}" \
	    'BEGIN { if (n > 0) printf "%.1f\n", (b - a) * s / n;
	    else print "nan" }'
}

bench_now() {
	date +%s.%N
}

# bench_scale R FLOWS UDP_TIMEOUT SECS: fill router R's table with FLOWS
# UDP connections and measure the memory that took; forwarding and new
# connections with the table full; then the mass expiry of all of them
# (UDP_TIMEOUT after the fill) while a ping and a paced UDP stream run
# through the router. Raw data lands in BENCH_TMP/scale.R.*.
bench_scale() {
	local r=$1 flows=$2 tmo=$3 secs=$4 f=$BENCH_TMP/scale.$1
	local c0 c1 m0 m1 s0 s1 tf0 tf1 deadline pingpid udppid c end
	bench_lab "$r"
	# Let the earlier tests' connections (reset TCP, 10 s) time out
	# first: entries leaving during the fill would make it look short.
	end=$(($(date +%s) + 45))
	while [ "$(bench_ct_count "$r")" -gt 1000 ] &&
	    [ "$(date +%s)" -lt "$end" ]; do
		sleep 1
	done
	c0=$(bench_ct_count "$r")
	case $r in
	h|t) m0=$(bench_rss_kb "$r") ;;
	k) m0=$(bench_ct_slab); s0=$(bench_slab_total) ;;
	esac
	tf0=$(bench_now)
	bench_fill "$r" "$flows" "${BENCH_FILL_RATE:-40000}"
	tf1=$(bench_now)
	sleep 1
	c1=$(bench_ct_count "$r")
	case $r in
	h|t) m1=$(bench_rss_kb "$r")
	   echo "ct_rss_kb_before $m0"
	   echo "ct_rss_kb_after $m1"
	   echo "ct_bytes_per_entry $(per_entry "$m0" "$m1" $((c1 - c0)) 1024)"
	   ;;
	k) m1=$(bench_ct_slab); s1=$(bench_slab_total)
	   echo "ct_slab_bytes_per_entry $(per_entry "$m0" "$m1" $((c1 - c0)))"
	   echo "ct_bytes_per_entry $(per_entry "$s0" "$s1" $((c1 - c0)))"
	   ;;
	esac
	echo "ct_entries $c1"
	echo "ct_fill_secs $(awk -v a="$tf0" -v b="$tf1" \
	    'BEGIN { printf "%.2f", b - a }')"
	bench_measure "$r" udp_pps_full \
	    bench_metric udp_pps_full bench_pps "$r" "$secs"
	bench_measure "$r" connrate_full \
	    bench_metric connrate_full bench_connrate "$r" "$secs"
	echo "ct_entries_after_load $(bench_ct_count "$r")"

	# The expiry: entries die UDP_TIMEOUT after their packet, i.e. from
	# tf0 + UDP_TIMEOUT to tf1 + UDP_TIMEOUT. Watch until the table is
	# nearly empty (the kernel reaps lazily) or a bounded while after.
	deadline=$(awk -v t="$tf1" -v o="$tmo" 'BEGIN { printf "%d",
	    t + o + 60 }')
	local mon=$((deadline - $(date +%s) + 5))
	timeout -k 2 "$mon" ip netns exec "$LAB_NS_CLIENT" \
	    ping -D -i 0.005 -W 1 2.2.2.2 >"$f.ping" 2>&1 &
	pingpid=$!
	BENCH_UDP_RATE=${BENCH_EXPIRY_RATE:-20000} bench_udp "$r" "$mon" \
	    -i 100 -o "$f.udp" >"$f.udpsum" 2>&1 &
	udppid=$!
	: >"$f.count"
	while [ "$(date +%s)" -lt "$deadline" ]; do
		c=$(bench_ct_count "$r") || break
		echo "$(bench_now) $c" >>"$f.count"
		# done: below 1% of the fill, once the expiry window passed
		if [ "$c" -lt $((flows / 100)) ] &&
		    [ "$(date +%s)" -gt "${tf1%.*}" ]; then
			sleep 2
			break
		fi
		sleep 0.2
	done
	kill -TERM "$pingpid" 2>/dev/null
	wait "$pingpid" 2>/dev/null
	# the sender stops on its own timer; end it now with its sink
	bench_lab "$r"
	local p
	for p in $(ip netns pids "$LAB_NS_ISP"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = udpgen ] &&
		    kill -TERM "$p" 2>/dev/null
	done
	wait "$udppid" 2>/dev/null
	"$BENCH_PY" "$BENCH_DIR/report.py" expiry --flows "$flows" \
	    --count "$f.count" --ping "$f.ping" --udp "$f.udp" \
	    --rate "${BENCH_EXPIRY_RATE:-20000}"
	case $r in
	h|t) echo "ct_rss_kb_after_expiry $(bench_rss_kb "$r")" ;;
	esac
}
