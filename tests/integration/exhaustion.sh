#!/bin/bash
# SPDX-License-Identifier: ISC
# Every bounded table under a flood (SPEC section 8): (a) new flows far
# past conntrack.max keep the table at its bound, by evicting unreplied
# entries, while an established stream flows on and new connections get
# through; (b) one host exhausting its masquerade port range fails only
# its own new connections, counted as nat-exhausted; (c) fragments that
# never complete stay within conntrack.frag-max-bytes; (d) packets for a
# neighbour that never answers stay within arp.queue-len.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/hostile-lib.sh
. "$(dirname "$0")/hostile-lib.sh"

[ "$ROUTER" = hairpind ] || { echo "SKIP: hairpind only"; exit 77; }
t_setup
t_topology

C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER
I=$LAB_NS_ISP
CT_MAX=2000
FRAG_MAX=65536
QLEN=8

conf=$(t_config exhaustion)
conf_set "$conf" conntrack.max "$CT_MAX"
conf_set "$conf" conntrack.frag-max-bytes "$FRAG_MAX"
conf_set "$conf" conntrack.frag-timeout 5s
conf_set "$conf" arp.queue-len "$QLEN"
# The client 192.168.1.10 gets ten ports; everyone else the usual range.
conf_nat_first "$conf" 'chain=srcnat src-address=192.168.1.10 out-interface=wan action=masquerade to-ports=20000-20009'
ip netns exec "$LAB_NS_LAN" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
    2>/dev/null || true
router_start "$conf" || t_done
t_bg udp-isp "$I" "${NETTOOL[@]}" udp-echo --bind 2.2.2.2 --ports 9000
lab_wait 10 lab_listening "$I" 2.2.2.2 9000 udp ||
    t_fail "UDP echo server on 2.2.2.2:9000"
lan_mac=$(iface_mac lan)
wan_mac=$(iface_mac wan)

# --- (a) conntrack flood ---------------------------------------------------
# An established stream from the server, rate-limited to last the flood.
SIZE=5000000
timeout 60 ip netns exec "$S" curl -sS --max-time 50 --limit-rate 500k \
    -o "$T_TMP/stream" "http://2.2.2.2:8080/bytes/$SIZE" \
    >"$T_TMP/stream.err" 2>&1 &
stream=$!
sleep 1
# 8000 new UDP flows from 100 spoofed LAN hosts to 50 silent outside
# addresses: none is ever answered.
timeout 60 ip netns exec "$C" "${HOSTILE[@]}" flood --iface eth0 \
    --dst-mac "$lan_mac" --src 192.168.1.100-192.168.1.199 \
    --dst 198.51.100.10-198.51.100.59 --dport 9 --count 8000 --pps 2000 \
    >"$T_TMP/flood.out" 2>&1 &
flood=$!
peak=0
new_ok=0
new_fail=0
while kill -0 "$flood" 2>/dev/null; do
	n=$(status_get conntrack-count)
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt "$peak" ] && peak=$n
	if CURL_MAX_TIME=3 t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/ |
	    grep -q '^hello from 192\.168\.1\.2'; then
		new_ok=$((new_ok + 1))
	else
		new_fail=$((new_fail + 1))
	fi
	sleep 0.3
done
wait "$flood"
assert_eq "flood of 8000 new flows sent" '{"flows": 8000}' \
    "$(tail -n 1 "$T_TMP/flood.out")"
assert_le "conntrack-count stayed within conntrack.max during the flood" \
    "$CT_MAX" "$peak"
assert_ge "conntrack was full during the flood" $((CT_MAX - 50)) "$peak"
assert_ge "new connections through dst-nat during the flood succeeded" 3 \
    "$new_ok"
assert_eq "... and none failed" 0 "$new_fail"
assert_ge "unreplied entries were evicted (conntrack-evicted)" 5000 \
    "$(status_get conntrack-evicted)"
assert_eq "no new connection was refused as ct-full" 0 \
    "$(drops lan ct-full)"
assert_le "conntrack-count within bound after the flood" "$CT_MAX" \
    "$(status_get conntrack-count)"
wait "$stream"
rc=$?
assert_exit0 "the established stream survived the flood: curl exit 0" "$rc" \
    "$T_TMP/stream.err"
assert_eq "... and delivered all $SIZE bytes" "$SIZE" \
    "$(stat -c %s "$T_TMP/stream" 2>/dev/null)"

# --- (b) one host exhausts its port range ------------------------------------
# A download of the client's, started before, holds one of its ports.
timeout 60 ip netns exec "$C" curl -sS --max-time 40 --limit-rate 300k \
    -o "$T_TMP/cstream" "http://2.2.2.2:8080/bytes/2000000" \
    >"$T_TMP/cstream.err" 2>&1 &
cstream=$!
sleep 1
ex0=$(drops lan nat-exhausted)
# 20 SYNs to a silent address: each holds a port for tcp-syn-sent.
t_run ip netns exec "$C" "${HOSTILE[@]}" flood --iface eth0 \
    --dst-mac "$lan_mac" --src 192.168.1.10 --dst 198.51.100.9 \
    --proto tcp --dport 80 --count 20 --sport-base 30000 --pps 200
ex1=$(drops lan nat-exhausted)
assert_ge "the client's SYNs past its 10 ports: nat-exhausted counted" 10 \
    $((${ex1:-0} - ${ex0:-0}))
CURL_MAX_TIME=3 t_run t_curl "$C" http://2.2.2.2:8080/
case $T_RC in
7|28) t_pass "the client's new connection fails cleanly (curl exit $T_RC)" ;;
*) t_fail "the client's new connection fails" "curl exit $T_RC: $T_OUT" ;;
esac
assert_ge "... counted as nat-exhausted" 1 \
    $(($(drops lan nat-exhausted) - ${ex1:-0}))
t_run t_curl "$S" http://2.2.2.2:8080/
assert_match "another host (the server) still connects out" \
    '^hello from 2\.2\.2\.2, you are 1\.1\.1\.1:' "$T_OUT"
check_out "the client's UDP (its own port pool) still works" \
    '^reply from 2\.2\.2\.2:9000, 64 bytes, payload matches$' \
    t_ns "$C" "${NETTOOL[@]}" udp-send --dst 2.2.2.2:9000
wait "$cstream"
rc=$?
assert_exit0 "the client's established download kept flowing: curl exit 0" \
    "$rc" "$T_TMP/cstream.err"
assert_eq "... all 2000000 bytes" 2000000 \
    "$(stat -c %s "$T_TMP/cstream" 2>/dev/null)"
assert_match "the exhaustion is logged" 'exhaust|no free port|port range' \
    "$(cat "$LAB_STATE/hairpind.log")"

# --- (c) reassembly memory ------------------------------------------------------
timeout 60 ip netns exec "$I" "${HOSTILE[@]}" frags --iface "$LAB_TAP_WAN" \
    --dst-mac "$wan_mac" --src 2.2.2.2 --dst 1.1.1.1 --count 3000 \
    --size 1400 --pps 3000 >"$T_TMP/frags.out" 2>&1 &
frags=$!
fpeak=0
while kill -0 "$frags" 2>/dev/null; do
	m=$(metric frag_memory_bytes)
	[[ $m =~ ^[0-9]+$ ]] && [ "$m" -gt "$fpeak" ] && fpeak=$m
	sleep 0.2
done
wait "$frags"
assert_match "3000 never-completed fragments sent" '"frags": 3000' \
    "$(cat "$T_TMP/frags.out")"
assert_le "reassembly memory stayed within frag-max-bytes" "$FRAG_MAX" \
    "$fpeak"
assert_ge "... and was in use" 1400 "$fpeak"
assert_le "reassembly memory within bound after the flood" "$FRAG_MAX" \
    "$(metric frag_memory_bytes)"
assert_ge "the oldest incomplete datagrams were evicted" 1 \
    $(($(metric frag_evicted_total) + $(drops wan frag-memory)))
check_out "reassembly still works: 6000-byte UDP through masquerade" \
    '^reply from 2\.2\.2\.2:9000, 6000 bytes, payload matches$' \
    t_ns "$S" "${NETTOOL[@]}" udp-send --dst 2.2.2.2:9000 --size 6000

# --- (d) a neighbour that never answers ----------------------------------------
t_run ip netns exec "$I" "${HOSTILE[@]}" flood --iface "$LAB_TAP_WAN" \
    --dst-mac "$wan_mac" --src 2.2.2.2 --dst 192.168.1.77 --dport 9 \
    --count 400 --pps 4000
assert_ge "packets for an unresolved neighbour past arp.queue-len dropped" \
    $((400 - QLEN)) "$(drops lan arp-queue-full)"
sleep 4
assert_ge "after the ARP timeout the queued ones were dropped as arp-failed" \
    1 "$(drops lan arp-failed)"
t_run ip netns exec "$I" "${HOSTILE[@]}" flood --iface "$LAB_TAP_WAN" \
    --dst-mac "$wan_mac" --src 2.2.2.2 --dst 192.168.1.100-192.168.1.250 \
    --dport 9 --count 3000 --pps 4000
assert_alive "alive after queueing for 151 silent neighbours"

assert_alive "alive at the end"
still_forwards after
sanitizer_clean "no sanitizer report in the daemon log"
router_stop
t_done
