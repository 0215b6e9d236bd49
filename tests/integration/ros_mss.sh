#!/bin/bash
# SPDX-License-Identifier: ISC
# MSS clamping on a PPPoE-like WAN: the router's WAN link (ether1 and the
# ISP's end of it) has an MTU of 1492, the internet behind the ISP has
# 1500, and the ISP's ICMP "fragmentation needed" never gets out (an
# nftables drop in the ISP namespace: a PMTU black hole, as on many real
# PPPoE lines). A web server beyond the ISP (203.0.113.2, its own
# namespace on a 1500-byte link) sends a 2 MB answer to the LAN client.
#  0. Without a mangle rule the client's SYN says MSS 1460, the server's
#     full-size segments die at the ISP, and the download stalls (curl's
#     time limit ends it; the nftables counter shows the swallowed ICMP).
#  1. With the manual's `change-mss new-mss=clamp-to-pmtu passthrough=yes
#     protocol=tcp tcp-flags=syn` in mangle forward, the server sees an
#     MSS of at most 1452 and the download completes.
#  2. The same with the older fixed form `new-mss=1452 tcp-mss=1453-65535`.

# shellcheck source=tests/integration/ros-lib.sh
. "$(dirname "$0")/ros-lib.sh"

ros_need_hairpind
t_setup
t_topology

C=$LAB_NS_CLIENT
I=$LAB_NS_ISP
INET=$LAB_P-inet
# lab_down deletes it with the others.
LAB_NAMESPACES+=("$INET")
BIG=2000000

# --- the internet beyond the ISP: 1500 bytes, and a PMTU black hole -------
setup_inet() {
	lab_ns_add "$INET" &&
	    ip -n "$I" link add inet0 type veth peer name eth0 netns "$INET" &&
	    ip -n "$I" addr add 203.0.113.1/24 dev inet0 &&
	    ip -n "$I" link set inet0 up &&
	    ip -n "$INET" addr add 203.0.113.2/24 dev eth0 &&
	    ip -n "$INET" link set eth0 up &&
	    ip -n "$INET" route add default via 203.0.113.1 &&
	    lab_ns "$INET" sysctl -qw net.ipv4.tcp_mtu_probing=0 &&
	    ip -n "$I" link set "$LAB_TAP_WAN" mtu 1492 &&
	    lab_ns "$I" nft -f - <<'EOF'
table ip hpmss {
	chain hp_out {
		type filter hook output priority 0; policy accept;
		icmp type destination-unreachable icmp code frag-needed counter drop
	}
	chain hp_fwd {
		type filter hook forward priority 0; policy accept;
		icmp type destination-unreachable icmp code frag-needed counter drop
	}
}
EOF
}
if ! setup_inet; then
	t_fail "set up the 1500-byte internet beyond a 1492-byte WAN"
	t_done
fi
lab_web inet-web "$INET" 203.0.113.2 8000 ||
    t_fail "web server on 203.0.113.2:8000"

LISTS='/interface list
add name=WAN
add name=LAN
/interface list member
add interface=ether1 list=WAN
add interface=bridge list=LAN'
REST='/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=accept chain=input protocol=icmp
add action=drop chain=input in-interface-list=!LAN
add action=accept chain=forward connection-state=established,related,untracked
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN'
LEGACY='filter:
  - chain=input connection-state=established,related action=accept
  - chain=input in-interface=ether1 protocol=!icmp action=drop
  - chain=forward connection-state=established,related action=accept
  - chain=forward connection-nat-state=!dstnat connection-state=new in-interface=ether1 action=drop
nat:
  - chain=srcnat out-interface=ether1 action=masquerade'

# syn_mss FILE: the MSS option of the client's SYNs the server's sniffer saw.
sniff_syns() {
	timeout -s INT 30 ip netns exec "$INET" tcpdump -l -n -v -i eth0 \
	    'tcp dst port 8000 and tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0' \
	    >"$T_TMP/syn.$1" 2>"$T_TMP/syn.$1.err" &
	SNIFF=$!
	lab_wait 5 grep -q 'listening on' "$T_TMP/syn.$1.err" ||
	    t_note "tcpdump in $INET not listening after 5 s"
}
sniff_stop() {
	sleep 0.3
	kill -INT "$SNIFF" 2>/dev/null
	wait "$SNIFF" 2>/dev/null
}
syn_mss() {
	grep -o 'mss [0-9]*' "$T_TMP/syn.$1" | head -n 1 | cut -d' ' -f2
}
# fetch MAXTIME: the client's download; prints "rc size".
fetch() {
	local size
	size=$(ip netns exec "$C" curl -sS --max-time "$1" \
	    --connect-timeout 5 -o /dev/null -w '%{size_download}' \
	    "http://203.0.113.2:8000/bytes/$BIG" 2>/dev/null)
	echo "$? ${size:-0}"
}
fragneeded_drops() {
	lab_ns "$I" nft list table ip hpmss 2>/dev/null |
	    sed -n 's/.*counter packets \([0-9]*\).*/\1/p' |
	    awk '{n += $1} END {print n + 0}'
}

# --- 0. no clamping: the black hole ----------------------------------------
router_start "$(ros_config noclamp "$LISTS
$REST" "$LEGACY" 1492)" || t_done
t_run ip -n "$I" link show "$LAB_TAP_WAN"
assert_match "the ISP's end of the WAN link has MTU 1492" ' mtu 1492 ' "$T_OUT"
t_run t_ns "$C" curl -sS --max-time 5 http://203.0.113.2:8000/
assert_match "small answers pass: LAN client -> 203.0.113.2:8000, seen as 1.1.1.1" \
    '^hello from 203\.0\.113\.2, you are 1\.1\.1\.1:' "$T_OUT"
f0=$(fragneeded_drops)
sniff_syns 0
read -r rc size < <(fetch 6)
sniff_stop
if [ "$size" -lt "$BIG" ]; then
	t_pass "no clamping: the 2 MB download stalls (curl exit $rc, $size bytes)"
else
	t_fail "no clamping: the 2 MB download stalls (the premise)" \
	    "it completed: $size bytes; is the MSS clamped without a rule?"
fi
assert_eq "no clamping: the server sees the client's own MSS 1460" 1460 \
    "$(syn_mss 0)"
f1=$(fragneeded_drops)
if [ "$f1" -gt "$f0" ]; then
	t_pass "the ISP's frag-needed errors were swallowed ($f0 -> $f1)"
else
	t_fail "the ISP's frag-needed errors were swallowed" "nft counters $f0 -> $f1"
fi
router_stop

# In the stand-in run (no mangle table) the client's own MTU plays the rule.
legacy_mtu() {
	[ -n "${ROS_LEGACY:-}" ] && ip -n "$C" link set eth0 mtu "$1"
	return 0
}

# --- 1. clamp-to-pmtu -------------------------------------------------------
CLAMP='/ip firewall mangle
add action=change-mss chain=forward comment="clamp MSS to PMTU" new-mss=\
    clamp-to-pmtu passthrough=yes protocol=tcp tcp-flags=syn'
router_start "$(ros_config clamp "# 2026-12-07 by RouterOS 7.15.3
$LISTS
$CLAMP
$REST" "$LEGACY" 1492)" || t_done
legacy_mtu 1492
sniff_syns 1
read -r rc size < <(fetch 20)
sniff_stop
assert_eq "clamp-to-pmtu: the 2 MB download completes" "0 $BIG" "$rc $size"
mss=$(syn_mss 1)
if [ -n "$mss" ] && [ "$mss" -le 1452 ]; then
	t_pass "clamp-to-pmtu: the server sees MSS $mss (<= 1452)"
else
	t_fail "clamp-to-pmtu: the server sees MSS <= 1452" "got: ${mss:-no SYN seen}"
fi
n=$(rule_counter mangle forward "change-mss")
if [ "$n" -ge 1 ] 2>/dev/null; then
	t_pass "the change-mss rule counted the SYNs ($n)"
else
	t_fail "the change-mss rule counted the SYNs" "packets: $n"
fi
legacy_mtu 1500
router_stop

# --- 2. the fixed value -----------------------------------------------------
FIXED='/ip firewall mangle
add action=change-mss chain=forward new-mss=1452 out-interface-list=WAN \
    passthrough=yes protocol=tcp tcp-flags=syn tcp-mss=1453-65535'
router_start "$(ros_config fixed "# dec/07/2026 by RouterOS 6.49.17
$LISTS
$FIXED
$REST" "$LEGACY" 1492)" || t_done
legacy_mtu 1492
sniff_syns 2
read -r rc size < <(fetch 20)
sniff_stop
assert_eq "new-mss=1452 tcp-mss=1453-65535: the download completes" \
    "0 $BIG" "$rc $size"
assert_eq "new-mss=1452: the server sees MSS 1452" 1452 "$(syn_mss 2)"
legacy_mtu 1500
router_stop

t_done
