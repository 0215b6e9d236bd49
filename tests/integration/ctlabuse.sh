#!/bin/bash
# SPDX-License-Identifier: ISC
# Hostile control clients (SPEC sections 7 and 8): oversized lines, binary
# junk, hundreds of connections, half-sent requests, and stream clients
# that never read while traffic flows. The daemon must bound its memory,
# keep forwarding, answer the well-behaved clients, and drop only the
# clients that do not read.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/hostile-lib.sh
. "$(dirname "$0")/hostile-lib.sh"

[ "$ROUTER" = hairpind ] || { echo "SKIP: hairpind only"; exit 77; }
t_setup
t_topology

C=$LAB_NS_CLIENT
I=$LAB_NS_ISP
MAX_CLIENTS=400
# Stream clients may queue CONTROL_OUT_MAX (1 MiB) each before they are
# dropped; everything else per client is a few KiB.
RSS_SLACK_KB=$((48 * 1024))

conf=$(t_config ctlabuse)
conf_set "$conf" control.max-clients "$MAX_CLIENTS"
ip netns exec "$LAB_NS_LAN" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
    2>/dev/null || true
router_start "$conf" || t_done
still_forwards warm-up
rss0=$(rss_kb)
rss_peak=$rss0
t_note "VmRSS after warm-up: ${rss0} KiB"
sample_rss() {
	local r
	r=$(rss_kb)
	[[ $r =~ ^[0-9]+$ ]] && [ "$r" -gt "$rss_peak" ] && rss_peak=$r
}

# --- one oversized line, then a good request on the same connection --------
T_TIMEOUT=60 t_run "${HOSTILE[@]}" ctl-long --socket "$T_SOCK" \
    --size $((16 << 20))
assert_match "a 16 MiB line is answered with one error" \
    '^\{"ok":false,"error":"request too long' "$(head -n 1 <<<"$T_OUT")"
assert_match "... and the next request on that connection is answered" \
    '^\{"ok":true,"result":\{"version"' "$(sed -n 2p <<<"$T_OUT")"
sample_rss

# --- binary junk ---------------------------------------------------------------
for seed in 1 2 3; do
	check_out "1 MiB of random bytes (seed $seed): every answer is JSON" \
	    'answers, 0 not JSON answers, last ok$' \
	    "${HOSTILE[@]}" ctl-junk --socket "$T_SOCK" --size $((1 << 20)) \
	    --seed "$seed"
done
sample_rss
assert_alive "alive after junk"

# --- stream clients that never read, while traffic flows ----------------------
for i in 1 2 3; do
	for req in trace events; do
		t_bg "noread-$req-$i" - "${HOSTILE[@]}" ctl-noread \
		    --socket "$T_SOCK" --request "$req" \
		    --ready "$T_TMP/ready-$req-$i" --go "$T_TMP/go"
	done
done
lab_wait 10 eval "[ \$(ls $T_TMP/ready-* 2>/dev/null | wc -l) = 6 ]" ||
    t_fail "six non-reading stream clients connected"
drops0=$(metric control_stream_drops_total)
t_bg reader-trace - "${HOSTILE[@]}" ctl-read --socket "$T_SOCK" \
    --request "trace proto=tcp" --seconds 12
t_bg reader-events - "${HOSTILE[@]}" ctl-read --socket "$T_SOCK" \
    --request "events proto=tcp" --seconds 12
lan_mac=$(iface_mac lan)
# 30000 new flows: 30000 trace lines and 30000 `new` events, ~15 MB of
# JSON that nobody (but the filtered readers) reads.
timeout 60 ip netns exec "$C" "${HOSTILE[@]}" flood --iface eth0 \
    --dst-mac "$lan_mac" --src 192.168.1.100-192.168.1.199 \
    --dst 198.51.100.10-198.51.100.59 --count 30000 --pps 5000 \
    >"$T_TMP/flood.out" 2>&1 &
flood=$!
fwd_ok=0
fwd_fail=0
while kill -0 "$flood" 2>/dev/null; do
	sample_rss
	if CURL_MAX_TIME=3 t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/ |
	    grep -q '^hello from 192\.168\.1\.2'; then
		fwd_ok=$((fwd_ok + 1))
	else
		fwd_fail=$((fwd_fail + 1))
	fi
	sleep 0.2
done
wait "$flood"
sample_rss
assert_match "30000 flows sent while the streams were not read" \
    '"flows": 30000' "$(cat "$T_TMP/flood.out")"
assert_ge "dst-nat kept working meanwhile" 3 "$fwd_ok"
assert_eq "... with no failure" 0 "$fwd_fail"
assert_ge "the six non-reading stream clients were dropped" 6 \
    $(($(metric control_stream_drops_total) - ${drops0:-0}))
touch "$T_TMP/go"
for i in 1 2 3; do
	for req in trace events; do
		lab_wait 15 eval "! lab_pid_alive \$(cat $LAB_STATE/noread-$req-$i.pid)"
		lab_kill "noread-$req-$i" >/dev/null 2>&1
		assert_match "non-reading $req client $i found its socket closed" \
		    '"closed": true' "$(cat "$LAB_STATE/noread-$req-$i.log")"
	done
done
lab_wait 15 eval "! lab_pid_alive \$(cat $LAB_STATE/reader-trace.pid)"
for req in trace events; do
	lab_kill "reader-$req" >/dev/null 2>&1
	out=$(cat "$LAB_STATE/reader-$req.log")
	assert_match "the reading $req client stayed connected" \
	    '"closed": false' "$out"
	assert_match "... and received lines" '"lines": [1-9]' "$out"
done

# --- hundreds of connections, half a request each ------------------------------
t_bg hold1 - "${HOSTILE[@]}" ctl-hold --socket "$T_SOCK" --count 300 \
    --partial --ready "$T_TMP/hold1" --go "$T_TMP/release"
lab_wait 20 test -s "$T_TMP/hold1" || t_fail "300 connections opened"
assert_eq "300 half-open clients connected, none refused" "300 0 0" \
    "$(cat "$T_TMP/hold1")"
check_out "a well-behaved client is answered meanwhile" \
    '"conntrack-count"' "$HAIRPINCTL" -s "$T_SOCK" -j status
t_bg hold2 - "${HOSTILE[@]}" ctl-hold --socket "$T_SOCK" --count 200 \
    --ready "$T_TMP/hold2" --go "$T_TMP/release"
lab_wait 20 test -s "$T_TMP/hold2" || t_fail "200 more connections opened"
read -r held refused _ <"$T_TMP/hold2"
assert_ge "connections past control.max-clients are refused" \
    $((held - (MAX_CLIENTS - 300))) "$refused"
check_out "at the limit, hairpinctl gets a clean error" \
    'too many clients' "$HAIRPINCTL" -s "$T_SOCK" status
assert_eq "... and exits 1 (the daemon answered an error)" 1 "$T_RC"
sample_rss
assert_alive "alive with $MAX_CLIENTS clients"
still_forwards "with $MAX_CLIENTS clients"
touch "$T_TMP/release"
lab_wait 10 eval "! lab_pid_alive \$(cat $LAB_STATE/hold1.pid)"
lab_wait 10 eval "! lab_pid_alive \$(cat $LAB_STATE/hold2.pid)"
lab_kill hold1 >/dev/null 2>&1
lab_kill hold2 >/dev/null 2>&1
# The client asking is one.
lab_wait 5 eval "[ \"\$(status_get control-clients)\" = 1 ]"
check_out "after they leave, clients are answered again" \
    '"conntrack-count"' "$HAIRPINCTL" -s "$T_SOCK" -j status
assert_eq "no client left behind (control-clients: the one asking)" 1 \
    "$(status_get control-clients)"

sample_rss
t_note "VmRSS: ${rss0} KiB after warm-up, peak ${rss_peak} KiB, now $(rss_kb) KiB"
assert_rss_le "VmRSS stayed within warm-up + $((RSS_SLACK_KB / 1024)) MiB" \
    $((rss0 + RSS_SLACK_KB)) "$rss_peak"
assert_alive "alive at the end"
still_forwards after
sanitizer_clean "no sanitizer report in the daemon log"
router_stop
t_done
