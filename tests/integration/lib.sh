# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Shared helpers of the integration tests: a private seed topology, the
# router under test, and assertions that say what was expected and got.
#
# Environment (set by `make check`, defaults for running a test by hand):
#   top_srcdir top_builddir HAIRPIND HAIRPINCTL
#   ROUTER=hairpind (default) | kernel   kernel: the nftables stand-in
#   KEEP=1                               keep the temp dir and namespaces'
#                                        logs (the namespaces still go)

T_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$T_DIR/../.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
: "${HAIRPIND:=$top_builddir/src/hairpind}"
: "${HAIRPINCTL:=$top_builddir/src/hairpinctl}"
: "${ROUTER:=hairpind}"
PY=/usr/bin/python3
# shellcheck disable=SC2034 # used by the tests that source this
NETTOOL=("$PY" "$T_DIR/nettool.py")

# shellcheck source=contrib/lab/topology.sh
. "$top_srcdir/contrib/lab/topology.sh"

T_NAME=$(basename "$0" .sh)
T_PASS=0
T_FAIL=0
T_DONE=
T_TMP=
T_SOCK=

# need_root: the one reason to skip (exit 77): no root or no TUN device.
need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $T_NAME needs root (network namespaces, TAP devices)"
		exit 77
	fi
	if [ ! -c /dev/net/tun ]; then
		echo "SKIP: $T_NAME needs /dev/net/tun"
		exit 77
	fi
}

t_note() {
	echo "# $*"
}

t_pass() {
	T_PASS=$((T_PASS + 1))
	echo "ok $((T_PASS + T_FAIL)) - $1"
}

# t_fail DESC [DETAIL...]: count a failure; each DETAIL becomes a line.
t_fail() {
	local d
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $((T_PASS + T_FAIL)) - $1"
	shift
	for d in "$@"; do
		printf '%s\n' "$d" | sed 's/^/#   /'
	done
}

assert_eq() {
	if [ "$2" = "$3" ]; then
		t_pass "$1"
	else
		t_fail "$1" "expected: $2" "got:      $3"
	fi
}

# assert_match DESC ERE TEXT
assert_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		t_pass "$1"
	else
		t_fail "$1" "expected to match: $2" "got: ${3:-(nothing)}"
	fi
}

assert_no_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		t_fail "$1" "expected no match for: $2" "got: $3"
	else
		t_pass "$1"
	fi
}

# t_run CMD...: run with a time limit; output in $T_OUT, status in $T_RC,
# duration in milliseconds in $T_MS.
t_run() {
	local t0
	t0=$(date +%s%N)
	if declare -F "$1" >/dev/null; then
		# timeout(1) runs programs; give exported helpers a shell.
		set -- bash -c '"$@"' t_run "$@"
	fi
	T_OUT=$(timeout -k 2 "${T_TIMEOUT:-30}" "$@" 2>&1)
	T_RC=$?
	T_MS=$((($(date +%s%N) - t0) / 1000000))
}

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1
	shift
	t_run "$@"
	if [ "$T_RC" = 0 ]; then
		t_pass "$desc"
	else
		t_fail "$desc" "command: $*" "exit $T_RC after ${T_MS} ms" \
		    "${T_OUT:-(no output)}"
	fi
}

# check_out DESC ERE CMD...: passes when CMD's output matches ERE, whatever
# its exit status (ping exits 1 on an ICMP error, which is what we want).
check_out() {
	local desc=$1 re=$2
	shift 2
	t_run "$@"
	if printf '%s\n' "$T_OUT" | grep -Eq -- "$re"; then
		t_pass "$desc"
	else
		t_fail "$desc" "command: $*" "expected output matching: $re" \
		    "got (exit $T_RC, ${T_MS} ms):" "${T_OUT:-(no output)}"
	fi
}

# t_ns NS CMD...: shorthand used inside check/check_out.
t_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# t_curl NS CURL-ARGS...: a bounded curl; prints the body or curl's error.
t_curl() {
	local ns=$1
	shift
	ip netns exec "$ns" curl -sS --max-time "${CURL_MAX_TIME:-5}" \
	    --connect-timeout "${CURL_MAX_TIME:-5}" "$@"
}

export -f t_ns t_curl

# t_setup: temp dir, unique prefix, cleanup trap.
t_setup() {
	local suffix
	need_root
	suffix=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
	T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/hairpind-$T_NAME.XXXXXX") || exit 1
	T_SOCK=$T_TMP/ctl.sock
	lab_init "hp$suffix" "$T_TMP/lab" || exit 1
	mkdir -p "$LAB_STATE"
	export LAB_QUIET=1 LAB_KEEP_STATE=1
	trap t_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	# A reader that goes away (| head) must not skip the cleanup.
	trap 'exit 141' PIPE
	t_note "$T_NAME: prefix $LAB_P, router $ROUTER, files in $T_TMP"
	case $ROUTER in
	hairpind)
		if [ ! -x "$HAIRPIND" ]; then
			t_fail "hairpind binary" "not executable: $HAIRPIND"
			exit 1
		fi
		t_note "hairpind: $HAIRPIND"
		;;
	kernel) ;;
	*)
		echo "ROUTER must be hairpind or kernel, not '$ROUTER'" >&2
		exit 2
		;;
	esac
}

# t_topology: the seed topology around the router under test (not started).
t_topology() {
	local up=$ROUTER
	if ! lab_up "$up"; then
		t_fail "seed topology up"
		exit 1
	fi
}

# t_config NAME [labconf gen options]: $T_TMP/NAME.yaml derived from
# etc/hairpind.yaml with this run's names and control socket; prints it.
t_config() {
	local name=$1
	shift
	lab_config_gen --socket "$T_SOCK" "$@" >"$T_TMP/$name.yaml" || {
		t_fail "generate config $name"
		exit 1
	}
	echo "$T_TMP/$name.yaml"
}

t_dump_log() {
	local f=$LAB_STATE/hairpind.log
	[ -s "$f" ] || return 0
	echo "# --- hairpind log (last 60 lines of $f) ---"
	tail -n 60 "$f" | sed 's/^/#   /'
	echo "# ---"
}

hairpind_ready() {
	lab_tap_carrier "$LAB_NS_ISP" "$LAB_TAP_WAN" &&
	    lab_tap_carrier "$LAB_NS_LAN" "$LAB_TAP_LAN"
}

# start_hairpind CONFIG: start the daemon and wait (10 s at most) until both
# TAPs have carrier, then a moment more for the control socket.
start_hairpind() {
	local conf=$1 pid rc
	rm -f "$T_SOCK"
	t_run "$HAIRPIND" -t -f "$conf"
	if [ "$T_RC" != 0 ]; then
		t_fail "hairpind -t accepts $(basename "$conf")" \
		    "exit $T_RC:" "$T_OUT" "config:" "$(cat "$conf")"
		return 1
	fi
	lab_spawn hairpind - "$HAIRPIND" -f "$conf"
	pid=$(cat "$LAB_STATE/hairpind.pid")
	if ! lab_wait 10 hairpind_ready; then
		if lab_pid_alive "$pid"; then
			t_fail "hairpind up with $(basename "$conf")" \
			    "the TAPs have no carrier after 10 s"
		else
			wait "$pid"
			rc=$?
			t_fail "hairpind up with $(basename "$conf")" \
			    "hairpind exited with status $rc"
		fi
		t_dump_log
		lab_kill hairpind KILL
		return 1
	fi
	lab_wait 3 test -S "$T_SOCK" ||
	    t_note "control socket $T_SOCK not there after 3 s"
	t_pass "hairpind up with $(basename "$conf")"
}

# stop_hairpind: SIGTERM must end it cleanly: exit 0, socket removed.
stop_hairpind() {
	local rc=0
	[ -f "$LAB_STATE/hairpind.pid" ] || return 0
	lab_kill hairpind TERM || rc=$?
	if [ "$rc" = 0 ]; then
		t_pass "hairpind exits 0 on SIGTERM"
	else
		t_fail "hairpind exits 0 on SIGTERM" "exit status $rc"
		t_dump_log
	fi
	if [ -S "$T_SOCK" ]; then
		t_fail "control socket removed on exit" "$T_SOCK still exists"
	fi
	return "$rc"
}

# router_start CONFIG / router_stop: whichever router is under test.
router_start() {
	case $ROUTER in
	hairpind)
		start_hairpind "$1"
		;;
	kernel)
		if lab_kernel_start "$1"; then
			t_pass "kernel router up with $(basename "$1")"
		else
			t_fail "kernel router up with $(basename "$1")"
			return 1
		fi
		;;
	esac
}

router_stop() {
	case $ROUTER in
	hairpind) stop_hairpind ;;
	kernel) lab_kernel_stop ;;
	esac
}

# t_bg NAME NS CMD...: a helper process (echo server...) in NS.
t_bg() {
	lab_spawn "$@"
}

# t_saw BODY: the client address websrv.py reported ("you are A:PORT").
t_saw() {
	printf '%s\n' "$1" | sed -n 's/.*you are \([0-9.]*\):[0-9]*$/\1/p'
}

t_summary() {
	echo "# $T_NAME: $T_PASS passed, $T_FAIL failed"
}

t_cleanup() {
	local rc=$?
	trap - EXIT
	trap '' PIPE INT TERM HUP
	if [ -z "$T_DONE" ]; then
		[ "$rc" = 0 ] && rc=1
		echo "# $T_NAME: aborted (exit status $rc)"
		t_dump_log
	fi
	if [ -f "$LAB_STATE/hairpind.pid" ]; then
		lab_kill hairpind TERM || true
	fi
	lab_down
	if [ -n "${KEEP:-}" ]; then
		echo "# kept $T_TMP"
	elif [ -n "$T_TMP" ]; then
		rm -rf "$T_TMP"
	fi
	[ -n "$T_DONE" ] || t_summary
	exit "$rc"
}

# t_done: the summary line; non-zero exit when anything failed.
t_done() {
	T_DONE=1
	t_summary
	if [ "$T_FAIL" -gt 0 ]; then
		t_dump_log
		exit 1
	fi
	exit 0
}
