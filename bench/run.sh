#!/bin/bash
# SPDX-License-Identifier: ISC
# hairpind against the kernel's nftables NAT, side by side: two copies of
# the seed topology from the same config, every test run alternately on
# both, medians and ratios printed as a table. Run as root.
#
#   bench/run.sh [--runs N] [--quick] [--secs S] [--flows N] [--out DIR]
#                [--keep] [TEST...]
#
# TESTs: tcp_dnat tcp_dnat_rev tcp_hairpin udp_pps ping connrate scale
# scale_one ct_scale (default: all). scale_one fills the table from one
# internal endpoint to FLOWS destinations (memory per entry, refusals). BUILDDIR (default: the source tree's build/)
# holds src/hairpind, src/hairpinctl and bench/ct_scale; the C load tools
# are compiled there too (bench/udpgen, udpsink, connrate).
# Environment: BENCH_UDP_RATE=PPS paces the udp_pps sender (default: as
# fast as it goes); BENCH_FILL_RATE (40000) and BENCH_EXPIRY_RATE (20000)
# pace the conntrack fill and the stream watched during the expiry;
# BENCH_NICE (-10) and BENCH_BUSY_POLL (3ms) set hairpind's dataplane.nice
# and dataplane.busy-poll; `BENCH_NICE= BENCH_BUSY_POLL=0` leaves both at
# their defaults (nice unchanged, no polling).

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

ALL_TESTS=(tcp_dnat tcp_dnat_rev tcp_hairpin udp_pps ping connrate scale
    scale_one ct_scale)
RUNS=5
SECS=5
PINGS=500
FLOWS=1000000
UDP_TMO=90
QUICK=
KEEP=
OUT=
TESTS=()

usage() {
	sed -n '6,7s/^#  */usage: /p' "$0" | sed '2s/usage:/      /'
	echo "tests: ${ALL_TESTS[*]}"
}

while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=${2:?}; shift ;;
	--secs) SECS=${2:?}; shift ;;
	--flows) FLOWS=${2:?}; shift ;;
	--out) OUT=${2:?}; shift ;;
	--quick) QUICK=1 ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*)
		case " ${ALL_TESTS[*]} " in
		*" $1 "*) TESTS+=("$1") ;;
		*) echo "unknown test '$1'" >&2; usage >&2; exit 2 ;;
		esac
		;;
	esac
	shift
done
if [ -n "$QUICK" ]; then
	RUNS=2 SECS=2 PINGS=200 FLOWS=200000 UDP_TMO=25
fi
[ ${#TESTS[@]} -gt 0 ] || TESTS=("${ALL_TESTS[@]}")
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bad --runs" >&2; exit 2; }
[[ $SECS =~ ^[1-9][0-9]*$ ]] || { echo "bad --secs" >&2; exit 2; }
if ! [[ $FLOWS =~ ^[1-9][0-9]*$ ]] || [ "$FLOWS" -gt 1000000 ]; then
	echo "--flows: 1..1000000" >&2
	exit 2
fi
[ "$(id -u)" = 0 ] || bench_die "must run as root (namespaces, TAPs)"
[ -c /dev/net/tun ] || bench_die "no /dev/net/tun"
for c in iperf3 nft ping curl; do
	command -v "$c" >/dev/null ||
	    bench_die "$c missing (apt-get install iperf3 nftables" \
	    "iputils-ping curl)"
done

wants() {
	case " ${TESTS[*]} " in *" $1 "*) return 0 ;; esac
	return 1
}

BENCH_ID=b$$
BENCH_ID=${BENCH_ID:0:9}
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hairpind-bench.XXXXXX") || exit 1
[ -n "$OUT" ] || OUT=$BENCH_TMP
mkdir -p "$OUT" || exit 1
RESULTS=$OUT/results.tsv
: >"$RESULTS"
CT_MAX_SAVED=
export LAB_QUIET=1 LAB_KEEP_STATE=1

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	bench_down h 2>/dev/null
	bench_down k 2>/dev/null
	if [ -n "$CT_MAX_SAVED" ]; then
		sysctl -qw net.netfilter.nf_conntrack_max="$CT_MAX_SAVED"
	fi
	# --keep keeps the raw files; --out keeps results.tsv/.md in OUT
	if [ -n "$KEEP" ]; then
		bench_say "raw files kept in $BENCH_TMP"
	elif [ "$OUT" != "$BENCH_TMP" ]; then
		rm -rf "$BENCH_TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# record TEST ROUTER RUN: "METRIC VALUE" lines on stdin into the results.
record() {
	local r
	r=$(bench_router_name "$2")
	while read -r metric value; do
		[ -n "$metric" ] || continue
		printf '%s %s %s %s\n' "$metric" "$r" "$3" "$value" >>"$RESULTS"
		printf '  %-24s %-9s run %s: %s\n' "$metric" "$r" "$3" "$value" >&2
	done
}

# hairpind's CPU time (user + system, clock ticks) so far.
hp_ticks() {
	awk '{ print $14 + $15 }' "/proc/$(bench_hairpind_pid)/stat"
}

# one TEST ROUTER: the measurement's "METRIC VALUE" lines; for hairpind
# also the share of one CPU the daemon used meanwhile ("cpu_TEST").
one() {
	local c0 t0 c1 t1
	if [ "$2" = h ]; then
		c0=$(hp_ticks)
		t0=$(bench_now)
	fi
	one_test "$@"
	if [ "$2" = h ]; then
		c1=$(hp_ticks)
		t1=$(bench_now)
		awk -v t="$1" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" \
		    -v d0="$t0" -v d1="$t1" 'BEGIN { printf "cpu_%s %.0f\n",
		    t, 100 * c / hz / (d1 - d0) }'
	fi
}

one_test() {
	local v
	case $1 in
	tcp_dnat) echo "tcp_dnat $(bench_iperf "$2" dnat "$SECS")" ;;
	tcp_dnat_rev) echo "tcp_dnat_rev $(bench_iperf "$2" dnat "$SECS" -R)" ;;
	tcp_hairpin) echo "tcp_hairpin $(bench_iperf "$2" hairpin "$SECS")" ;;
	udp_pps) echo "udp_pps $(bench_pps "$2" "$SECS")" ;;
	ping)
		v=$(bench_ping "$2" "$PINGS")
		echo "ping_avg_us ${v% *}"
		echo "ping_min_us ${v#* }"
		;;
	connrate) echo "connrate $(bench_connrate "$2" "$SECS")" ;;
	esac
}

bench_tools || bench_die "cannot build the load tools"
bench_say "machine: $(uname -r), $(nproc) CPUs," \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
bench_say "runs $RUNS, $SECS s per run; raw results in $RESULTS"
bench_say "hairpind dataplane: nice ${BENCH_NICE:-unchanged}," \
    "busy-poll ${BENCH_BUSY_POLL:-0}"
if wants scale || wants scale_one; then
	# The kernel's table limit is the host's (a namespace may only lower
	# it); raised for the run, put back by cleanup.
	CT_MAX_SAVED=$(sysctl -n net.netfilter.nf_conntrack_max 2>/dev/null)
	if [ -n "$CT_MAX_SAVED" ] && [ "$CT_MAX_SAVED" -lt "$BENCH_CT_MAX" ]
	then
		sysctl -qw net.netfilter.nf_conntrack_max="$BENCH_CT_MAX" ||
		    bench_die "cannot raise nf_conntrack_max"
	else
		CT_MAX_SAVED=
	fi
fi

need_labs=
ran_other=
for t in "${TESTS[@]}"; do
	[ "$t" = ct_scale ] || need_labs=1
done
if [ -n "$need_labs" ]; then
	bench_say "building the two seed topologies (prefixes ${BENCH_ID}h," \
	    "${BENCH_ID}k)"
	bench_up h "$UDP_TMO" || bench_die "hairpind lab failed"
	bench_up k "$UDP_TMO" || bench_die "kernel lab failed"
fi

for t in "${TESTS[@]}"; do
	case $t in
	scale|scale_one|ct_scale) continue ;;
	esac
	bench_say "$t"
	ran_other=1
	for ((i = 1; i <= RUNS; i++)); do
		# alternate who goes first, so neither always gets the warm cache
		if [ $((i % 2)) = 1 ]; then order=(h k); else order=(k h); fi
		for r in "${order[@]}"; do
			one "$t" "$r" | record "$t" "$r" "$i"
		done
	done
done

if wants scale; then
	bench_say "scale: $FLOWS UDP flows, udp timeout ${UDP_TMO}s"
	for r in h k; do
		if [ -n "$ran_other" ]; then
			# A fresh router: the slots the earlier tests' entries
			# left (connrate makes ~100k a run) would hide the
			# fill's memory in the baseline.
			bench_down "$r"
			bench_up "$r" "$UDP_TMO" ||
			    bench_die "$(bench_router_name "$r") lab failed"
		fi
		bench_scale "$r" "$FLOWS" "$UDP_TMO" "$SECS" |
		    record scale "$r" 1
	done
fi

if wants scale_one; then
	bench_say "scale_one: $FLOWS UDP flows from one internal endpoint"
	for r in h k; do
		# a fresh router: an empty table and no mappings
		bench_down "$r"
		bench_up "$r" "$UDP_TMO" ||
		    bench_die "$(bench_router_name "$r") lab failed"
		bench_scale_one "$r" "$FLOWS" | record scale_one "$r" 1
	done
fi

bench_say "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
"$BENCH_PY" "$BENCH_DIR/report.py" table "$RESULTS"
"$BENCH_PY" "$BENCH_DIR/report.py" table "$RESULTS" --markdown \
    >"$OUT/results.md"

if wants ct_scale; then
	echo
	if [ ! -x "$BUILDDIR/bench/ct_scale" ]; then
		make -C "$BUILDDIR" bench/ct_scale >/dev/null 2>&1
	fi
	if [ -x "$BUILDDIR/bench/ct_scale" ]; then
		echo "bench/ct_scale $FLOWS (the conntrack table alone):"
		timeout -k 2 120 "$BUILDDIR/bench/ct_scale" "$FLOWS" |
		    tee "$OUT/ct_scale.txt" | sed 's/^/  /'
	else
		bench_say "bench/ct_scale not built (make bench/ct_scale)"
	fi
fi
