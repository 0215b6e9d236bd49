#!/bin/bash
# SPDX-License-Identifier: ISC
# Where hairpind's time goes: the seed topology with hairpind, then
#  1. perf record (cpu-clock samples of the daemon, kernel and user) while
#     single-stream TCP and then 64-byte UDP go through the dst-nat;
#  2. the daemon under valgrind --tool=callgrind for a short paced UDP and
#     TCP run: instruction counts of its own code.
# Run as root. Reports go to OUT (default: a temp dir, printed).
#
#   bench/profile.sh [--secs S] [--out DIR] [--no-callgrind]

set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

SECS=5
OUT=
CALLGRIND=1
while [ $# -gt 0 ]; do
	case $1 in
	--secs) SECS=${2:?}; shift ;;
	--out) OUT=${2:?}; shift ;;
	--no-callgrind) CALLGRIND= ;;
	*) sed -n '10p' "$0" >&2; exit 2 ;;
	esac
	shift
done
[[ $SECS =~ ^[1-9][0-9]*$ ]] || { echo "bad --secs" >&2; exit 2; }
[ "$(id -u)" = 0 ] || bench_die "must run as root"
command -v perf >/dev/null || bench_die "perf missing (apt-get install" \
    "linux-perf)"

BENCH_ID=p$$
BENCH_ID=${BENCH_ID:0:9}
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hairpind-prof.XXXXXX") || exit 1
[ -n "$OUT" ] || OUT=$BENCH_TMP/out
mkdir -p "$OUT" || exit 1
export LAB_QUIET=1 LAB_KEEP_STATE=1

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	bench_down h 2>/dev/null
	case $OUT in
	"$BENCH_TMP"/*) bench_say "reports kept in $OUT" ;;
	*) rm -rf "$BENCH_TMP" ;;
	esac
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

bench_tools || bench_die "cannot build the load tools"
bench_up h 60 || bench_die "hairpind lab failed"
pid=$(bench_hairpind_pid)

# perf_during NAME CMD...: sample the daemon while CMD runs.
perf_during() {
	local name=$1 ppid
	shift
	timeout -k 2 $((SECS + 20)) perf record -q -e cpu-clock -F 1999 -g \
	    -p "$pid" -o "$OUT/perf.$name.data" -- sleep "$((SECS + 1))" \
	    >/dev/null 2>&1 &
	ppid=$!
	sleep 0.5
	"$@" >"$OUT/$name.result" 2>&1
	wait "$ppid"
	perf report -i "$OUT/perf.$name.data" --stdio --no-children \
	    -g none --sort dso 2>/dev/null | grep -v '^$' >"$OUT/perf.$name.dso.txt"
	perf report -i "$OUT/perf.$name.data" --stdio --no-children \
	    -g none --percent-limit 0.7 --sort dso,symbol 2>/dev/null |
	    grep -v '^$' >"$OUT/perf.$name.txt"
	# who calls the top kernel symbols: the syscall each belongs to
	perf report -i "$OUT/perf.$name.data" --stdio --children \
	    -g none --percent-limit 3 --sort symbol 2>/dev/null |
	    grep -v '^$' >"$OUT/perf.$name.children.txt"
	bench_say "$name: $(tail -n 1 "$OUT/$name.result")"
}

bench_say "perf: TCP through dst-nat"
perf_during tcp_dnat bench_iperf h dnat "$SECS"
bench_say "perf: TCP over the hairpin path"
perf_during tcp_hairpin bench_iperf h hairpin "$SECS"
bench_say "perf: UDP 64-byte through dst-nat"
perf_during udp_pps bench_pps h "$SECS"

if [ -n "$CALLGRIND" ] && command -v valgrind >/dev/null; then
	bench_say "callgrind: paced UDP and a short TCP run"
	bench_lab h
	lab_kill hairpind TERM
	lab_spawn hairpind - valgrind --tool=callgrind \
	    --callgrind-out-file="$OUT/callgrind.out" "$HAIRPIND" \
	    -f "$BENCH_TMP/router-h.yaml"
	lab_wait 60 bench_hairpind_ready ||
	    bench_die "hairpind under valgrind did not come up"
	lab_wait 30 test -S "$(bench_sock h)" || true
	BENCH_UDP_RATE=20000 bench_pps h "$SECS" >"$OUT/callgrind.udp.result"
	bench_iperf h dnat 2 >"$OUT/callgrind.tcp.result"
	bench_lab h
	lab_kill hairpind TERM
	callgrind_annotate --inclusive=no "$OUT/callgrind.out" 2>/dev/null |
	    head -n 60 >"$OUT/callgrind.txt"
	callgrind_annotate --inclusive=yes "$OUT/callgrind.out" 2>/dev/null |
	    head -n 60 >"$OUT/callgrind.inclusive.txt"
fi

for f in "$OUT"/perf.*.dso.txt "$OUT"/perf.tcp_dnat.txt \
    "$OUT"/perf.tcp_hairpin.txt "$OUT"/perf.udp_pps.txt \
    "$OUT"/callgrind.txt; do
	[ -f "$f" ] || continue
	echo "=== $(basename "$f")"
	grep -v '^#' "$f" | head -n 30
done
