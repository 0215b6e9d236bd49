#!/bin/bash
# SPDX-License-Identifier: ISC
# Soak: SOAK_SECONDS (30) of mixed traffic through the three seed paths
# (dst-nat, masquerade, hairpin): curl loops, pings and UDP exchanges at
# once. Nothing may fail, the daemon's memory must stay flat between the
# end of a warm-up and the end (SOAK_RSS_SLACK_KB, 2 MiB), and a daemon
# built with sanitizers must not have reported anything.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/hostile-lib.sh
. "$(dirname "$0")/hostile-lib.sh"

[ "$ROUTER" = hairpind ] || { echo "SKIP: hairpind only"; exit 77; }
t_setup
t_topology

SECONDS_TOTAL=${SOAK_SECONDS:-30}
WARMUP=8
SLACK_KB=${SOAK_RSS_SLACK_KB:-2048}
C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER
I=$LAB_NS_ISP

conf=$(t_config soak)
# Short closing timeouts: the table reaches its steady size during the
# warm-up instead of growing with TIME_WAIT entries for two minutes.
conf_set "$conf" conntrack.timeouts '{tcp-time-wait: 2s, tcp-close: 2s, tcp-fin-wait: 2s, tcp-last-ack: 2s, udp: 5s, udp-stream: 5s, icmp: 5s}'
router_start "$conf" || t_done
t_bg udp-isp "$I" "${NETTOOL[@]}" udp-echo --bind 2.2.2.2 --ports 9000
lab_wait 10 lab_listening "$I" 2.2.2.2 9000 udp ||
    t_fail "UDP echo server on 2.2.2.2:9000"

# loop NAME SECONDS EXPECT CMD...: run CMD until SECONDS pass; count the
# runs whose output matches EXPECT in STATE/NAME.ok, the others in .fail.
loop() {
	local name=$1 secs=$2 re=$3 end out rc
	shift 3
	# timeout(1) runs programs; give the exported helpers a shell.
	declare -F "$1" >/dev/null && set -- bash -c '"$@"' loop "$@"
	end=$(($(date +%s) + secs))
	: >"$T_TMP/$name.ok"
	: >"$T_TMP/$name.fail"
	while [ "$(date +%s)" -lt "$end" ]; do
		out=$(timeout -k 1 10 "$@" 2>&1)
		rc=$?
		if grep -Eq -- "$re" <<<"$out"; then
			echo >>"$T_TMP/$name.ok"
		else
			# Keep what a failed run printed, and when: the
			# summary shows the first few.
			printf '%s exit %s: %s\n' "$(date +%T.%N)" "$rc" \
			    "$(head -c 300 <<<"$out" | tr '\n' ' ')" \
			    >>"$T_TMP/$name.fail"
		fi
	done
}

t_note "$SECONDS_TOTAL s of traffic, RSS sampled after ${WARMUP} s"
pids=()
loop dstnat "$SECONDS_TOTAL" '^hello from 192\.168\.1\.2, you are 2\.2\.2\.2:' \
    t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/ &
pids+=($!)
loop masq "$SECONDS_TOTAL" '^hello from 2\.2\.2\.2, you are 1\.1\.1\.1:' \
    t_curl "$C" http://2.2.2.2:8080/ &
pids+=($!)
loop hairpin "$SECONDS_TOTAL" '^hello from 192\.168\.1\.2, you are 192\.168\.1\.1:' \
    t_curl "$C" http://1.1.1.1/ &
pids+=($!)
loop bulk "$SECONDS_TOTAL" '^1000000$' \
    t_curl "$S" -o /dev/null -w '%{size_download}\n' \
    http://2.2.2.2:8080/bytes/1000000 &
pids+=($!)
loop udp "$SECONDS_TOTAL" 'payload matches' \
    ip netns exec "$C" "${NETTOOL[@]}" udp-send --dst 2.2.2.2:9000 \
    --size 3000 &
pids+=($!)
loop ping "$SECONDS_TOTAL" ' 10 received' \
    ip netns exec "$S" ping -n -q -c 10 -i 0.05 -W 2 1.1.1.254 &
pids+=($!)

sleep "$WARMUP"
rss_warm=$(rss_kb)
rss_peak=$rss_warm
for ((s = WARMUP; s < SECONDS_TOTAL; s++)); do
	sleep 1
	r=$(rss_kb)
	[[ $r =~ ^[0-9]+$ ]] && [ "$r" -gt "$rss_peak" ] && rss_peak=$r
done
for p in "${pids[@]}"; do
	wait "$p"
done
rss_end=$(rss_kb)
t_note "VmRSS: ${rss_warm} KiB after warm-up, peak ${rss_peak} KiB, end ${rss_end} KiB"
t_note "conntrack: $(status_get conntrack-count) entries, $(status_get nat-mappings) mappings"

for name in dstnat masq hairpin bulk udp ping; do
	ok=$(wc -l <"$T_TMP/$name.ok")
	fail=$(wc -l <"$T_TMP/$name.fail")
	assert_ge "$name: runs succeeded" 5 "$ok"
	assert_eq "$name: no run failed (of $((ok + fail)))" 0 "$fail"
	head -n 5 "$T_TMP/$name.fail" | sed 's/^/#   /'
done
assert_rss_le "VmRSS flat: end within ${SLACK_KB} KiB of the warm-up" \
    $((rss_warm + SLACK_KB)) "$rss_end"
assert_rss_le "VmRSS flat: peak within ${SLACK_KB} KiB of the warm-up" \
    $((rss_warm + SLACK_KB)) "$rss_peak"
assert_alive "alive at the end"
sanitizer_clean "no sanitizer report in the daemon log"
router_stop
sanitizer_clean "no sanitizer report at exit (leaks)"
t_done
