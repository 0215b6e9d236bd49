#!/bin/bash
# SPDX-License-Identifier: ISC
# RouterOS v7's default configuration firewall and NAT, pasted as export
# prints it (interface lists WAN/LAN, the defconf filter with fasttrack
# hw-offload=yes and ipsec-policy, the masquerade with ipsec-policy=
# out,none), run by hairpind with ether1 the WAN and bridge the LAN of the
# seed topology. Added to the verbatim defconf: one port forward, one
# address-list entry and a counting mangle rule. Checked with traffic:
# the LAN reaches the internet; the WAN reaches neither the LAN nor the
# router's services (ICMP to the router is accepted, as defconf says),
# only the port forward; a LAN->WAN TCP connection is fasttracked (the
# conntrack entry says so, the fasttrack rule counts each connection, and
# the connection's later packets skip the mangle table); a bare ACK from
# outside is counted and dropped by "drop invalid"; interface-lists,
# address-lists and rules per SPEC 9.

# shellcheck source=tests/integration/ros-lib.sh
. "$(dirname "$0")/ros-lib.sh"

ros_need_hairpind
t_setup
t_topology
# The ISP routes the LAN at the router: without a firewall the outside
# would reach the LAN hosts directly.
lab_isp_route 192.168.1.0/24

C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER
I=$LAB_NS_ISP

EXPORT='# 2026-12-07 08:14:02 by RouterOS 7.16.2
# software id = 7KQD-ZW3P
#
# model = RBD52G-5HacD2HnD
/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
/ip firewall address-list
add address=192.168.1.0/24 comment="the LAN" list=LAN-NET
/ip firewall filter
add action=accept chain=input comment=\
    "defconf: accept established,related,untracked" connection-state=\
    established,related,untracked
add action=drop chain=input comment="defconf: drop invalid" connection-state=\
    invalid
add action=accept chain=input comment="defconf: accept ICMP" protocol=icmp
add action=accept chain=input comment=\
    "defconf: accept to local loopback (for CAPsMAN)" dst-address=127.0.0.1
add action=drop chain=input comment="defconf: drop all not coming from LAN" \
    in-interface-list=!LAN
add action=accept chain=forward comment="defconf: accept in ipsec policy" \
    ipsec-policy=in,ipsec
add action=accept chain=forward comment="defconf: accept out ipsec policy" \
    ipsec-policy=out,ipsec
add action=fasttrack-connection chain=forward comment="defconf: fasttrack" \
    connection-state=established,related hw-offload=yes
add action=accept chain=forward comment=\
    "defconf: accept established,related, untracked" connection-state=\
    established,related,untracked
add action=drop chain=forward comment="defconf: drop invalid" \
    connection-state=invalid
add action=drop chain=forward comment=\
    "defconf: drop all from WAN not DSTNATed" connection-nat-state=!dstnat \
    connection-state=new in-interface-list=WAN
/ip firewall mangle
add action=passthrough chain=forward comment="count forwarded packets"
/ip firewall nat
add action=masquerade chain=srcnat comment="defconf: masquerade" \
    ipsec-policy=out,none out-interface-list=WAN
add action=dst-nat chain=dstnat comment="web server" dst-address=1.1.1.1 \
    dst-port=80 in-interface-list=WAN protocol=tcp to-addresses=192.168.1.2'

# The same firewall in the older YAML rule language (ROS_LEGACY=1 only):
# no lists, no fasttrack, no ipsec-policy, no mangle.
LEGACY='filter:
  - chain=input connection-state=established,related action=accept
  - chain=input connection-state=invalid action=drop
  - chain=input protocol=icmp action=accept
  - chain=input in-interface=!bridge action=drop
  - chain=forward connection-state=established,related action=accept
  - chain=forward connection-state=invalid action=drop
  - chain=forward connection-nat-state=!dstnat connection-state=new in-interface=ether1 action=drop
nat:
  - chain=srcnat out-interface=ether1 action=masquerade
  - chain=dstnat dst-address=1.1.1.1 dst-port=80 in-interface=ether1 protocol=tcp action=dst-nat to-addresses=192.168.1.2'

# --- the premise: the lists and the masquerade alone keep nobody out ------
OPEN='/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
/ip firewall nat
add action=masquerade chain=srcnat comment="defconf: masquerade" \
    ipsec-policy=out,none out-interface-list=WAN'
router_start "$(ros_config open "$OPEN" 'nat:
  - chain=srcnat out-interface=ether1 action=masquerade')" || t_done
check "no filter: 1.1.1.254 pings 192.168.1.10 directly" \
    t_ns "$I" ping -n -c 2 -i 0.2 -W 2 192.168.1.10
# hairpind holds an unsolicited SYN from outside for 6 s before its RST
# (RFC 5382 REQ-4), so the TCP probes of the router wait 8 s.
t_run t_ns "$I" "${ROSTOOL[@]}" connect --src 2.2.2.2 --dst 1.1.1.1:8291 \
    --timeout 8
assert_eq "no filter: 2.2.2.2 -> router 1.1.1.1:8291 is refused (RST after the 6 s hold)" \
    refused "$T_OUT"
check_out "no filter: UDP from the WAN to the router is refused (ICMP port unreachable)" \
    '^ECONNREFUSED$' t_ns "$I" "${NETTOOL[@]}" udp-refused --dst 1.1.1.1:7001
router_stop

# --- the v7 defconf ---------------------------------------------------------
CONF=$(ros_config defconf "$EXPORT" "$LEGACY")
router_start "$CONF" || t_done

# --- the LAN reaches the internet ----------------------------------------
t_run t_curl "$C" http://2.2.2.2:8080/
assert_match "LAN client -> 2.2.2.2:8080 (internet)" \
    '^hello from 2\.2\.2\.2, you are ' "$T_OUT"
assert_eq "... masqueraded to 1.1.1.1 (out-interface-list=WAN, ipsec-policy=out,none)" \
    1.1.1.1 "$(t_saw "$T_OUT")"
check "LAN client pings 1.1.1.254" \
    t_ns "$C" ping -n -c 2 -i 0.2 -W 2 1.1.1.254
check "LAN client pings the router 192.168.1.1" \
    t_ns "$C" ping -n -c 2 -i 0.2 -W 2 192.168.1.1
# The router's own closed TCP port answers the LAN (RST): input accepts it.
t_run t_ns "$C" "${ROSTOOL[@]}" connect --dst 192.168.1.1:8291 --timeout 3
assert_eq "LAN client -> 192.168.1.1:8291 reaches the router (refused at once)" \
    refused "$T_OUT"

# --- the WAN reaches neither the LAN nor the router ----------------------
check_out "1.1.1.254 cannot ping 192.168.1.10 (forward: drop all from WAN not DSTNATed)" \
    ' 0 received' t_ns "$I" ping -n -c 2 -i 0.2 -W 1 192.168.1.10
CURL_MAX_TIME=2 t_run t_curl "$I" --interface 2.2.2.2 http://192.168.1.2/
if [ "$T_RC" = 28 ]; then
	t_pass "2.2.2.2 cannot fetch http://192.168.1.2/ (timeout: dropped silently)"
else
	t_fail "2.2.2.2 cannot fetch http://192.168.1.2/" \
	    "expected: curl timeout (28)" "got: exit $T_RC: $T_OUT"
fi
t_run t_ns "$I" "${ROSTOOL[@]}" connect --src 2.2.2.2 --dst 1.1.1.1:8291 \
    --timeout 8
assert_eq "2.2.2.2 -> router 1.1.1.1:8291: no answer (input: drop all not coming from LAN)" \
    timeout "$T_OUT"
t_run t_ns "$I" "${ROSTOOL[@]}" connect --src 2.2.2.2 --dst 192.168.1.1:8291 \
    --timeout 8
assert_eq "2.2.2.2 -> router 192.168.1.1:8291: no answer either" \
    timeout "$T_OUT"
check_out "UDP from the WAN to the router: no ICMP error (dropped, not refused)" \
    '^timeout' t_ns "$I" "${NETTOOL[@]}" udp-refused --dst 1.1.1.1:7001
check "ICMP from the WAN to the router is accepted (defconf: accept ICMP)" \
    t_ns "$I" ping -n -c 2 -i 0.2 -W 2 1.1.1.1

# --- ... except through dst-nat ------------------------------------------
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
assert_match "2.2.2.2 -> 1.1.1.1:80 reaches the server (dst-nat, connection-nat-state=dstnat)" \
    '^hello from 192\.168\.1\.2, ' "$T_OUT"
assert_eq "... which sees 2.2.2.2" 2.2.2.2 "$(t_saw "$T_OUT")"

# --- fasttrack ------------------------------------------------------------
FT=fasttrack-connection
# One paced download from the LAN: ~1 MB at 250 kB/s, so that it is still
# open while we look at its conntrack entry.
download() {
	t_ns "$C" curl -sS --max-time 15 --limit-rate 250k -o /dev/null \
	    -w '%{size_download}\n' http://2.2.2.2:8080/bytes/1000000 \
	    >"$T_TMP/dl.$1" 2>&1
}
ft0=$(rule_counter filter forward "$FT")
mg0=$(rule_counter mangle forward "passthrough")
rx0=$(rx_packets)
download 1 &
DL=$!
sleep 2
ctl conntrack proto=tcp port=8080 >"$T_TMP/ct.json" 2>&1
t_run "$PY" - "$T_TMP/ct.json" <<'EOF2'
import json, sys
rows = [r for line in open(sys.argv[1]) if line.startswith("{")
        for r in (json.loads(line).get("result") or [])]
mine = [r for r in rows if str(r.get("dst-address", "")) == "2.2.2.2:8080"
        and str(r.get("src-address", "")).startswith("192.168.1.10:")]
if not mine:
    sys.exit("no conntrack row 192.168.1.10:* -> 2.2.2.2:8080 in %r" % rows)
r = mine[0]
print("fasttracked=%s connection-mark=%s" % (json.dumps(r.get("fasttracked")),
      json.dumps(r.get("connection-mark"))))
EOF2
assert_match "conntrack: the LAN->WAN download is fasttracked" \
    '^fasttracked=true ' "$T_OUT"
wait "$DL"
assert_eq "the fasttracked download completes (1000000 bytes)" 1000000 \
    "$(cat "$T_TMP/dl.1")"
ft1=$(rule_counter filter forward "$FT")
mg1=$(rule_counter mangle forward "passthrough")
rx1=$(rx_packets)
t_note "fasttrack rule $ft0 -> $ft1, mangle forward $mg0 -> $mg1, packets received by hairpind $rx0 -> $rx1"
if [ "$ft0" -ge 0 ] && [ "$ft1" -gt "$ft0" ]; then
	t_pass "the fasttrack rule counted the connection ($ft0 -> $ft1)"
else
	t_fail "the fasttrack rule counted the connection" "before: $ft0, after: $ft1"
fi
# Fasttracked, only the packets before the fasttrack decision (SYN,
# SYN-ACK, ...) pass the mangle table; the rest of the download (however
# the offloads group it into packets) takes the fast path.
pk=$((rx1 - rx0))
mg=$((mg1 - mg0))
if [ "$mg0" -ge 0 ] && [ "$pk" -ge 20 ] && [ "$mg" -ge 1 ] &&
    [ $((mg * 4)) -lt "$pk" ]; then
	t_pass "fasttracked packets skip mangle: forward passthrough counted $mg of $pk packets"
else
	t_fail "fasttracked packets skip mangle" \
	    "the mangle forward passthrough rule counted $mg0 -> $mg1 while hairpind received $pk packets"
fi
download 2
assert_eq "a second download completes" 1000000 "$(cat "$T_TMP/dl.2")"
ft2=$(rule_counter filter forward "$FT")
if [ "$ft2" -gt "$ft1" ]; then
	t_pass "the fasttrack rule's counter grows with each connection ($ft1 -> $ft2)"
else
	t_fail "the fasttrack rule's counter grows with each connection" \
	    "after the first: $ft1, after the second: $ft2"
fi

# --- invalid from the WAN is dropped by "drop invalid" ---------------------
fi0=$(rule_counter filter forward "connection-state=invalid")
ii0=$(rule_counter filter input "connection-state=invalid")
sniff_pid=
timeout -s INT 20 ip netns exec "$S" tcpdump -l -n -i eth0 \
    'tcp and src host 2.2.2.2' >"$T_TMP/sniff" 2>"$T_TMP/sniff.err" &
sniff_pid=$!
lab_wait 5 grep -q 'listening on' "$T_TMP/sniff.err" ||
    t_note "tcpdump on the server not listening after 5 s"
t_run t_ns "$I" "${ROSTOOL[@]}" bare-ack --src 2.2.2.2 --sport 41999 \
    --dst 192.168.1.2:80 --count 3
assert_match "3 bare ACKs sent to 192.168.1.2:80" '^sent 3 ' "$T_OUT"
t_run t_ns "$I" "${ROSTOOL[@]}" bare-ack --src 2.2.2.2 --sport 41998 \
    --dst 1.1.1.1:8291 --count 3
assert_match "3 bare ACKs sent to the router 1.1.1.1:8291" '^sent 3 ' "$T_OUT"
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
sleep 0.5
kill -INT "$sniff_pid" 2>/dev/null
wait "$sniff_pid" 2>/dev/null
assert_match "the server's sniffer sees the port forward's packets" \
    '2\.2\.2\.2\.[0-9]+ > 192\.168\.1\.2\.80:' "$(cat "$T_TMP/sniff")"
assert_no_match "... but none of the bare ACKs" '2\.2\.2\.2\.41999 >' \
    "$(cat "$T_TMP/sniff")"
fi1=$(rule_counter filter forward "connection-state=invalid")
ii1=$(rule_counter filter input "connection-state=invalid")
if [ "$fi0" -ge 0 ] && [ $((fi1 - fi0)) -ge 3 ]; then
	t_pass "forward 'defconf: drop invalid' counted the 3 ACKs ($fi0 -> $fi1)"
else
	t_fail "forward 'defconf: drop invalid' counted the 3 ACKs" \
	    "before: $fi0, after: $fi1"
fi
if [ "$ii0" -ge 0 ] && [ $((ii1 - ii0)) -ge 3 ]; then
	t_pass "input 'defconf: drop invalid' counted the 3 ACKs ($ii0 -> $ii1)"
else
	t_fail "input 'defconf: drop invalid' counted the 3 ACKs" \
	    "before: $ii0, after: $ii1"
fi

# --- interface-lists, address-lists, rules (SPEC 9) ----------------------
T_OUT=$(ctl_rows il interface-lists -- list=WAN)
assert_match "interface-lists: WAN = [ether1]" '"interfaces": \["ether1"\]' \
    "$T_OUT"
T_OUT=$(ctl_rows il interface-lists -- list=LAN)
assert_match "interface-lists: LAN = [bridge]" '"interfaces": \["bridge"\]' \
    "$T_OUT"
T_OUT=$(ctl_rows al address-lists -- list=LAN-NET \
    address=192.168.1.0/24 dynamic=false timeout=None "comment=the LAN")
assert_match "address-lists: LAN-NET 192.168.1.0/24, static, no timeout, its comment" \
    '"list": "LAN-NET"' "$T_OUT"
ctl address-lists list=LAN-NET >"$T_TMP/al.lan" 2>&1
t_run "$PY" -c '
import json, sys
ans = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
rows = [r for a in ans for r in (a.get("result") or [])]
print("ok" if ans and all(a.get("ok") for a in ans) and rows and
      all(r.get("list") == "LAN-NET" for r in rows) else ans)' "$T_TMP/al.lan"
assert_eq "address-lists list=LAN-NET: only that list" ok "$T_OUT"
ctl rules >"$T_TMP/rules.all" 2>&1
t_run "$PY" - "$T_TMP/rules.all" <<'EOF'
import json, sys
rows = [r for line in open(sys.argv[1]) if line.startswith("{")
        for r in (json.loads(line).get("result") or [])
        if r.get("table") == "filter"]
tables = {r.get("table") for r in rows}
chains = {r.get("chain") for r in rows}
texts = " | ".join(r.get("rule", "") for r in rows)
need = ["fasttrack-connection", "in-interface-list=!LAN",
        "in-interface-list=WAN", "connection-state=established,related,untracked",
        "ipsec-policy=in,ipsec", "ipsec-policy=out,ipsec"]
missing = [n for n in need if n not in texts]
if tables != {"filter"} or chains != {"input", "forward"} or len(rows) < 11 or missing:
    sys.exit("tables %s chains %s rows %d missing %s" % (sorted(map(str, tables)),
             sorted(map(str, chains)), len(rows), missing))
print("ok")
EOF
assert_eq "rules: the 11 defconf filter rules, in RouterOS words" ok "$T_OUT"
ctl rules table=filter >"$T_TMP/rules.filter" 2>&1
t_run "$PY" -c '
import json, sys
ans = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
rows = [r for a in ans for r in (a.get("result") or [])]
print("ok" if ans and all(a.get("ok") for a in ans) and len(rows) >= 11 and
      all(r.get("table") == "filter" for r in rows) else ans)' "$T_TMP/rules.filter"
assert_eq "rules table=filter: only the filter table" ok "$T_OUT"
t_run "$PY" -c '
import json, sys
rows = [r for line in open(sys.argv[1]) if line.startswith("{")
        for r in (json.loads(line).get("result") or [])]
print(" ".join(sorted({str(r.get("table")) for r in rows})))' "$T_TMP/rules.all"
assert_eq "rules (no table=): filter, mangle and nat" "filter mangle nat" "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" interface-lists
assert_match "hairpinctl interface-lists (table) names WAN and ether1" \
    'WAN +.*ether1' "$T_OUT"

router_stop
t_done
