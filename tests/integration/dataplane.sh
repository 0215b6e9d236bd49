#!/bin/bash
# SPDX-License-Identifier: ISC
# The dataplane section on a live router: dataplane.nice sets the daemon's
# priority at start and on reload (a reload can raise it but, with no
# capability left, not lower it, and says so); dataplane.busy-poll keeps
# the loop polling while traffic flows (a ping every 2 ms holds it busy)
# and costs nothing on an idle link; SIGTERM ends a polling daemon cleanly.
# CPU shares are read from /proc/PID/stat over a second or two; the bounds
# are far apart (>= 50% polling, <= 10% idle) so that load does not decide.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/hostile-lib.sh
. "$(dirname "$0")/hostile-lib.sh"

[ "$ROUTER" = hairpind ] || { echo "SKIP: hairpind only"; exit 77; }
t_setup
t_topology
C=$LAB_NS_CLIENT
HZ=$(getconf CLK_TCK)

# stat_field N: field N of the daemon's /proc/PID/stat (after the name).
stat_field() {
	sed 's/.*) //' "/proc/$(hairpind_pid)/stat" 2>/dev/null |
	    cut -d' ' -f$(($1 - 2))
}

cpu_ticks() {
	echo $(($(stat_field 14) + $(stat_field 15)))
}

# cpu_share CMD...: percent of one CPU the daemon used while CMD ran.
cpu_share() {
	local t0 t1 c0 c1
	c0=$(cpu_ticks)
	t0=$(date +%s%N)
	"$@"
	c1=$(cpu_ticks)
	t1=$(date +%s%N)
	echo $(((c1 - c0) * 100 * 1000000000 / HZ / (t1 - t0 + 1)))
}

# pinger SECS: a ping every 2 ms through masquerade for about SECS, into
# ping.out. A count, not a deadline (-w), so that ping waits for the last
# replies instead of counting the ones in flight at the deadline as lost.
pinger() {
	timeout -k 1 $(($1 * 2 + 5)) ip netns exec "$C" ping -n -q -i 0.002 \
	    -c $(($1 * 500)) -W 1 2.2.2.2 >"$T_TMP/ping.out" 2>&1
}

ping_loss() {
	sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$T_TMP/ping.out"
}

# The shipped defaults: TAP I/O through io_uring (Linux 6.7 and later;
# before, read() and write() with the reason in the log), busy-poll auto.
conf=$(t_config dataplane)
router_start "$conf" || t_done
log=$(cat "$LAB_STATE/hairpind.log")
# multishot_read: the kernel has io_uring's multishot read (Linux 6.7).
multishot_read() {
	local kmaj kmin
	IFS=. read -r kmaj kmin _ <<<"$(uname -r)"
	[ "$kmaj" -gt 6 ] || { [ "$kmaj" = 6 ] && [ "${kmin%%[!0-9]*}" -ge 7 ]; }
}
if multishot_read; then
	assert_match "defaults: TAP I/O through io_uring" \
	    'TAP I/O through io_uring' "$log"
else
	assert_match "defaults: read() and write(), and why" \
	    'TAP I/O with read\(\) and write\(\): .+' "$log"
fi
still_forwards "defaults"
st=$("$HAIRPINCTL" -s "$T_SOCK" -j status)
if multishot_read; then
	assert_match "status: dataplane-io io_uring" '"dataplane-io": *"io_uring"' \
	    "$st"
	rx=$(printf '%s' "$st" | sed -n 's/.*"io-uring-rx-frames": *\([0-9]*\).*/\1/p')
	assert_ge "status: frames came through the ring" 10 "${rx:-0}"
fi
share=$(cpu_share pinger 2)
assert_eq "defaults: no ping lost" 0 "$(ping_loss)"
assert_le "busy-poll auto: pings 2 ms apart do not make it poll (% CPU)" \
    30 "$share"
sleep 0.3
share=$(cpu_share sleep 2)
assert_le "busy-poll auto: idle, it sleeps (% CPU)" 5 "$share"
router_stop

conf_set "$conf" dataplane '{io: read-write, busy-poll: 0}'
router_start "$conf" || t_done
assert_match "io: read-write: the log says so" \
    'TAP I/O with read\(\) and write\(\): dataplane.io is read-write' \
    "$(cat "$LAB_STATE/hairpind.log")"
still_forwards "io: read-write"
assert_match "status: dataplane-io read-write" \
    '"dataplane-io": *"read-write"' "$("$HAIRPINCTL" -s "$T_SOCK" -j status)"
router_stop

conf_set "$conf" dataplane '{nice: -5, busy-poll: 5ms}'
router_start "$conf" || t_done
assert_eq "nice -5: the daemon runs at nice -5" -5 "$(stat_field 19)"
assert_match "nice -5: the log says so" 'running at nice -5' \
    "$(cat "$LAB_STATE/hairpind.log")"
still_forwards "busy-poll 5ms"

share=$(cpu_share pinger 2)
assert_eq "busy-poll 5ms: no ping lost" 0 "$(ping_loss)"
assert_ge "busy-poll 5ms: a ping every 2 ms keeps the loop polling (% CPU)" \
    50 "$share"
sleep 0.3
share=$(cpu_share sleep 2)
assert_le "busy-poll 5ms: idle, it sleeps (% CPU)" 10 "$share"

# Reload: busy-poll off, and a higher nice (which needs no privilege);
# the I/O stays what the TAPs were started with, and the log says so.
conf_set "$conf" dataplane '{nice: 5, busy-poll: 0, io: read-write}'
t_run timeout -k 1 10 "$HAIRPINCTL" -s "$T_SOCK" reload
assert_eq "reload to nice 5, busy-poll 0: exit 0" 0 "$T_RC"
assert_eq "reload: the daemon runs at nice 5" 5 "$(stat_field 19)"
assert_match "reload: dataplane.io waits for a restart, and the log says so" \
    'dataplane.io: the TAPs keep the I/O they were started with' \
    "$(cat "$LAB_STATE/hairpind.log")"
share=$(cpu_share pinger 2)
assert_eq "busy-poll 0: no ping lost" 0 "$(ping_loss)"
assert_le "busy-poll 0: the same pings wake it, it does not poll (% CPU)" \
    30 "$share"

# Lowering it again needs CAP_SYS_NICE, gone since start-up: the reload
# succeeds, the priority stays, and the log says why.
conf_set "$conf" dataplane '{nice: -5, busy-poll: 5ms}'
t_run timeout -k 1 10 "$HAIRPINCTL" -s "$T_SOCK" reload
assert_eq "reload to nice -5 without the capability: exit 0" 0 "$T_RC"
assert_eq "... the daemon stays at nice 5" 5 "$(stat_field 19)"
assert_match "... the log says why" 'dataplane\.nice -5: Permission denied' \
    "$(cat "$LAB_STATE/hairpind.log")"

# SIGTERM while the loop polls.
pinger 3 &
ppid=$!
sleep 1
router_stop
wait "$ppid"
sanitizer_clean "no sanitizer report"
t_done
