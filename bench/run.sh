#!/bin/bash
# SPDX-License-Identifier: ISC
# hairpind against the kernel's nftables NAT, side by side: copies of the
# seed topology from the same config, every test run on each router in
# turn, medians and ratios printed as a table. Run as root.
#
#   bench/run.sh [--runs N] [--quick] [--secs S] [--flows N] [--out DIR]
#                [--tuned "DATAPLANE"] [--keep] [TEST...]
#
# Routers: "hairpind" runs with the dataplane settings of etc/hairpind.yaml
# exactly as shipped (what a user gets), "kernel" is the kernel's NAT.
# --tuned "nice: -10, busy-poll: 3ms" (the body of a YAML flow mapping;
# or BENCH_TUNED in the environment) adds a third router, "hairpind-tuned",
# whose config is the same but for `dataplane: {DATAPLANE}`. Every test runs
# on every router, the order rotated from run to run so none always goes
# first. The verdicts are always those of the defaults ("hairpind") column;
# the tuned one is shown beside it.
#
# TESTs: idle tcp_dnat tcp_dnat_rev tcp_hairpin udp_pps ping1 ping5 ping100
# connrate connrate1 scale scale_one ct_scale (default: all); idle is the
# daemon's CPU share for SECS with no traffic (target 0%); "ping" is
# ping1 ping5 ping100 (1, 5 and 100 ms between pings, about SECS each, at
# least 20 and at most 500 pings). connrate keeps 256 connects in flight,
# connrate1 one at a time. scale_one fills the table from one internal
# endpoint to FLOWS destinations (memory per entry, refusals).
# With every figure go the host's 1-minute load average at its end
# (load_TEST) and, for hairpind routers, the daemon's share of one CPU
# during it (cpu_TEST). Output: a table on stdout, results.tsv (raw: metric
# router run value) and results.md (the table in Markdown) in --out DIR.
# BUILDDIR (default: the source tree's build/) holds src/hairpind,
# src/hairpinctl and bench/ct_scale; the C load tools are compiled there
# too (bench/udpgen, udpsink, connrate).
# Environment: BENCH_UDP_RATE=PPS paces the udp_pps sender (default: as
# fast as it goes); BENCH_FILL_RATE (40000) and BENCH_EXPIRY_RATE (20000)
# pace the conntrack fill and the stream watched during the expiry;
# BENCH_TUNED as --tuned.

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

ALL_TESTS=(idle tcp_dnat tcp_dnat_rev tcp_hairpin udp_pps ping1 ping5
    ping100 connrate connrate1 scale scale_one ct_scale)
RUNS=5
SECS=5
FLOWS=1000000
UDP_TMO=90
QUICK=
KEEP=
OUT=
TESTS=()

usage() {
	sed -n '7,8s/^#  */usage: /p' "$0" | sed '2s/usage:/      /'
	echo "tests: ${ALL_TESTS[*]} (ping = ping1 ping5 ping100)"
}

add_test() {
	case " ${TESTS[*]} " in *" $1 "*) return ;; esac
	TESTS+=("$1")
}

while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=${2:?}; shift ;;
	--secs) SECS=${2:?}; shift ;;
	--flows) FLOWS=${2:?}; shift ;;
	--out) OUT=${2:?}; shift ;;
	--tuned) BENCH_TUNED=${2:?}; shift ;;
	--quick) QUICK=1 ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	ping) add_test ping1; add_test ping5; add_test ping100 ;;
	*)
		case " ${ALL_TESTS[*]} " in
		*" $1 "*) add_test "$1" ;;
		*) echo "unknown test '$1'" >&2; usage >&2; exit 2 ;;
		esac
		;;
	esac
	shift
done
if [ -n "$QUICK" ]; then
	RUNS=2 SECS=2 FLOWS=200000 UDP_TMO=25
fi
[ ${#TESTS[@]} -gt 0 ] || TESTS=("${ALL_TESTS[@]}")
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bad --runs" >&2; exit 2; }
[[ $SECS =~ ^[1-9][0-9]*$ ]] || { echo "bad --secs" >&2; exit 2; }
if ! [[ $FLOWS =~ ^[1-9][0-9]*$ ]] || [ "$FLOWS" -gt 1000000 ]; then
	echo "--flows: 1..1000000" >&2
	exit 2
fi
# The old knobs tuned the one hairpind router; it now always runs the
# shipped settings, and tuning is a router of its own.
if [ "${BENCH_NICE:-0}" != 0 ] || [ "${BENCH_BUSY_POLL:-0}" != 0 ]; then
	echo "BENCH_NICE and BENCH_BUSY_POLL are gone: the hairpind router" \
	    "runs etc/hairpind.yaml's settings; use --tuned" \
	    "\"nice: -10, busy-poll: 3ms\" for a tuned one beside it" >&2
	exit 2
fi
if [ -n "$BENCH_TUNED" ]; then
	"$BENCH_PY" - "$BENCH_TUNED" <<'EOF' || exit 2
import sys
import yaml
body = sys.argv[1].strip()
if not body.startswith("{"):
    body = "{" + body + "}"
try:
    dp = yaml.safe_load(body)
except yaml.YAMLError as e:
    sys.exit("--tuned: not a YAML flow mapping: %s" % e)
if not isinstance(dp, dict) or not dp or None in dp.values():
    sys.exit("--tuned: not KEY: VALUE pairs of a YAML flow mapping: %r"
             % body)
EOF
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

# The routers of this run (see lib.sh): the defaults, the kernel, and the
# tuned hairpind when asked for.
ROUTERS=(h k)
[ -z "$BENCH_TUNED" ] || ROUTERS+=(t)

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
	bench_down t 2>/dev/null
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
		printf '  %-24s %-14s run %s: %s\n' "$metric" "$r" "$3" \
		    "$value" >&2
	done
}

# ping_count MS: pings MS apart for about SECS, at least 20, at most 500.
ping_count() {
	local n=$((SECS * 1000 / $1))
	[ "$n" -ge 20 ] || n=20
	[ "$n" -le 500 ] || n=500
	echo "$n"
}

# one TEST ROUTER: the measurement's "METRIC VALUE" lines, then the load
# average at its end ("load_TEST") and, for a hairpind router, the share
# of one CPU the daemon used meanwhile ("cpu_TEST").
one() {
	bench_measure "$2" "$1" one_test "$1" "$2"
}

one_test() {
	local v ms
	case $1 in
	idle) sleep "$SECS" ;;	# only the CPU shares bench_measure adds
	tcp_dnat) echo "tcp_dnat $(bench_iperf "$2" dnat "$SECS")" ;;
	tcp_dnat_rev) echo "tcp_dnat_rev $(bench_iperf "$2" dnat "$SECS" -R)" ;;
	tcp_hairpin) echo "tcp_hairpin $(bench_iperf "$2" hairpin "$SECS")" ;;
	udp_pps) echo "udp_pps $(bench_pps "$2" "$SECS")" ;;
	ping1|ping5|ping100)
		ms=${1#ping}
		v=$(bench_ping "$2" "$(ping_count "$ms")" "$ms")
		echo "${1}_avg_us ${v% *}"
		echo "${1}_min_us ${v#* }"
		;;
	connrate) echo "connrate $(bench_connrate "$2" "$SECS")" ;;
	connrate1) echo "connrate1 $(bench_connrate "$2" "$SECS" 1)" ;;
	scale) bench_scale "$2" "$FLOWS" "$UDP_TMO" "$SECS" ;;
	scale_one) bench_scale_one "$2" "$FLOWS" ;;
	esac
}

# dataplane_of R: router R's dataplane section, as its config has it.
dataplane_of() {
	"$BENCH_PY" - "$BENCH_TMP/router-$1.yaml" <<'EOF'
import sys
import yaml
dp = (yaml.safe_load(open(sys.argv[1])) or {}).get("dataplane")
print("dataplane: " + yaml.safe_dump(dp, default_flow_style=True).strip()
      if dp else "no dataplane section (the built-in defaults)")
EOF
}

bench_tools || bench_die "cannot build the load tools"
bench_say "machine: $(uname -r), $(nproc) CPUs," \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
bench_say "runs $RUNS, $SECS s per run; raw results in $RESULTS"
if wants ping1 || wants ping5 || wants ping100 || wants connrate1; then
	# What a wake-up of a sleeping task costs here: the floor under the
	# latency a userspace router adds (bench/wakeup.c says why).
	bench_say "one wake-up on this machine (bench/wakeup), us:"
	timeout -k 2 120 "$BENCH_BIN/wakeup" -n 100 | tee "$OUT/wakeup.txt" |
	    sed 's/^/  /' >&2
fi
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
NOTES=()
if [ -n "$need_labs" ]; then
	bench_say "building the seed topologies (prefixes" \
	    "$(printf "${BENCH_ID}%s\n" "${ROUTERS[@]}" | paste -sd' '))"
	for r in "${ROUTERS[@]}"; do
		bench_up "$r" "$UDP_TMO" ||
		    bench_die "$(bench_router_name "$r") lab failed"
	done
	for r in "${ROUTERS[@]}"; do
		bench_is_hairpind "$r" || continue
		NOTES+=("$(bench_router_name "$r"): $(dataplane_of "$r")")
		bench_say "${NOTES[-1]}"
	done
fi

for t in "${TESTS[@]}"; do
	case $t in
	scale|scale_one|ct_scale) continue ;;
	esac
	bench_say "$t"
	ran_other=1
	for ((i = 1; i <= RUNS; i++)); do
		# rotate who goes first, so none always gets the warm cache
		s=$(((i - 1) % ${#ROUTERS[@]}))
		order=("${ROUTERS[@]:s}" "${ROUTERS[@]:0:s}")
		for r in "${order[@]}"; do
			one "$t" "$r" | record "$t" "$r" "$i"
		done
	done
done

if wants scale; then
	bench_say "scale: $FLOWS UDP flows, udp timeout ${UDP_TMO}s"
	for r in "${ROUTERS[@]}"; do
		if [ -n "$ran_other" ]; then
			# A fresh router: the slots the earlier tests' entries
			# left (connrate makes ~100k a run) would hide the
			# fill's memory in the baseline.
			bench_down "$r"
			bench_up "$r" "$UDP_TMO" ||
			    bench_die "$(bench_router_name "$r") lab failed"
		fi
		one scale "$r" | record scale "$r" 1
	done
fi

if wants scale_one; then
	bench_say "scale_one: $FLOWS UDP flows from one internal endpoint"
	for r in "${ROUTERS[@]}"; do
		# a fresh router: an empty table and no mappings
		bench_down "$r"
		bench_up "$r" "$UDP_TMO" ||
		    bench_die "$(bench_router_name "$r") lab failed"
		one scale_one "$r" | record scale_one "$r" 1
	done
fi

bench_say "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
NOTE_ARGS=()
for n in "${NOTES[@]}"; do
	NOTE_ARGS+=(--note "$n")
done
echo
"$BENCH_PY" "$BENCH_DIR/report.py" table "$RESULTS" "${NOTE_ARGS[@]}"
"$BENCH_PY" "$BENCH_DIR/report.py" table "$RESULTS" --markdown \
    "${NOTE_ARGS[@]}" >"$OUT/results.md"

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
