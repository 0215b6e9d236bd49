#!/bin/bash
# SPDX-License-Identifier: ISC
# The stateful firewall on the seed topology with real clients. The ISP
# routes 192.168.1.0/24 at the router: without a filter that reaches the
# LAN hosts directly (the premise); with etc/hairpind-firewall.yaml it does
# not, nor the router itself, while the port forward, hairpin NAT,
# masquerade and the LAN's own traffic to the router keep working. Then a
# config with every reject-with, each checked for what the sender gets.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

t_setup
t_topology
lab_isp_route 192.168.1.0/24

C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER
I=$LAB_NS_ISP
FW_TEMPLATE=$top_srcdir/etc/hairpind-firewall.yaml
CTL=
[ "$ROUTER" = hairpind ] && [ -x "$HAIRPINCTL" ] && CTL=1

# ctl ARGS...: hairpinctl on this run's socket, bounded, raw JSON.
ctl() {
	timeout 10 "$HAIRPINCTL" -s "$T_SOCK" -j "$@"
}

# rule_packets CHAIN TEXT: packets of the filter rule of CHAIN whose
# RouterOS text contains TEXT (-1 when there is none).
rule_packets() {
	ctl rules | "$PY" -c '
import json, sys
chain, text = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    for r in json.loads(line).get("result", []):
        if (r.get("table") == "filter" and r.get("chain") == chain and
                text in r.get("rule", "")):
            print(r.get("packets"))
            sys.exit(0)
print(-1)' "$1" "$2"
}

# iface_drop IFACE REASON: the drop counter of `hairpinctl interfaces`.
iface_drop() {
	ctl interfaces | "$PY" -c '
import json, sys
for line in sys.stdin:
    for i in json.loads(line).get("result", []):
        if i.get("name") == sys.argv[1]:
            print((i.get("drops") or {}).get(sys.argv[2], 0))
            sys.exit(0)
print(-1)' "$1" "$2"
}

# sniff_start NS DEV FILE FILTER...: tcpdump on DEV in NS until
# sniff_stop; waits until it listens.
sniff_start() {
	local ns=$1 dev=$2 file=$3
	shift 3
	timeout -s INT 20 ip netns exec "$ns" tcpdump -l -n -i "$dev" "$@" \
	    >"$file" 2>"$file.err" &
	SNIFF_PID=$!
	lab_wait 5 grep -q 'listening on' "$file.err" ||
	    t_note "tcpdump in $ns not listening after 5 s"
}

sniff_stop() {
	kill -INT "$SNIFF_PID" 2>/dev/null
	wait "$SNIFF_PID" 2>/dev/null
}

# --- the premise: no filter, the outside walks into the LAN ----------------
router_start "$(t_config open)" || t_done
check "no filter: 1.1.1.254 pings 192.168.1.10 directly" \
    t_ns "$I" ping -n -c 2 -i 0.2 -W 2 192.168.1.10
t_run t_curl "$I" --interface 2.2.2.2 http://192.168.1.2/
assert_match "no filter: 2.2.2.2 fetches http://192.168.1.2/ directly" \
    '^hello from 192\.168\.1\.2, you are 2\.2\.2\.2:[0-9]+$' "$T_OUT"
check "no filter: 1.1.1.254 pings the router 1.1.1.1" \
    t_ns "$I" ping -n -c 2 -i 0.2 -W 2 1.1.1.1
router_stop

# --- etc/hairpind-firewall.yaml ------------------------------------------
FW=$(t_config firewall --template "$FW_TEMPLATE")
router_start "$FW" || t_done

# A trace client from the start, to see the filter's verdicts.
if [ -n "$CTL" ]; then
	timeout 30 "$HAIRPINCTL" -s "$T_SOCK" -j trace dst=192.168.1.10 \
	    >"$T_TMP/trace" 2>&1 &
	TRACE_PID=$!
	lab_wait 5 grep -q '"stream"' "$T_TMP/trace" ||
	    t_note "trace stream not started after 5 s"
fi

check_out "firewall: 1.1.1.254 cannot ping 192.168.1.10" \
    ' 0 received' t_ns "$I" ping -n -c 2 -i 0.2 -W 1 192.168.1.10
CURL_MAX_TIME=2 t_run t_curl "$I" --interface 2.2.2.2 http://192.168.1.2/
case $T_RC in
28)
	t_pass "firewall: 2.2.2.2 cannot fetch http://192.168.1.2/ (timeout)" ;;
*)
	t_fail "firewall: 2.2.2.2 cannot fetch http://192.168.1.2/" \
	    "expected: curl timeout (28), the SYN dropped silently" \
	    "got: exit $T_RC: $T_OUT" ;;
esac
check_out "firewall: 1.1.1.254 cannot ping the router 1.1.1.1" \
    ' 0 received' t_ns "$I" ping -n -c 2 -i 0.2 -W 1 1.1.1.1

if [ -n "$CTL" ]; then
	sleep 0.3
	kill "$TRACE_PID" 2>/dev/null
	wait "$TRACE_PID" 2>/dev/null
	t_run "$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    try:
        ev = json.loads(line)
    except ValueError:
        continue
    if (ev.get("verdict") == "filter forward: drop" and
            ev.get("protocol") == "icmp" and
            ev.get("in-interface") == "wan" and
            any(r.get("table") == "filter" and r.get("chain") == "forward"
                and r.get("matched") and "!dstnat" in r.get("rule", "")
                for r in ev.get("rules", []))):
        sys.exit(0)
sys.exit(1)' "$T_TMP/trace"
	if [ "$T_RC" = 0 ]; then
		t_pass "trace: the ping to 192.168.1.10 is 'filter forward: drop' by the !dstnat rule"
	else
		t_fail "trace shows the filter verdict" "$(head -c 3000 "$T_TMP/trace")"
	fi
fi

t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
assert_match "firewall: port forward 2.2.2.2 -> 1.1.1.1:80 still works" \
    '^hello from 192\.168\.1\.2, you are 2\.2\.2\.2:[0-9]+$' "$T_OUT"
t_run t_curl "$C" http://1.1.1.1/
assert_eq "firewall: hairpin LAN client -> 1.1.1.1:80, seen as 192.168.1.1" \
    192.168.1.1 "$(t_saw "$T_OUT")"
t_run t_curl "$C" http://2.2.2.2:8080/
assert_eq "firewall: masquerade LAN client -> 2.2.2.2:8080, seen as 1.1.1.1" \
    1.1.1.1 "$(t_saw "$T_OUT")"
check "firewall: the LAN client pings the router 192.168.1.1" \
    t_ns "$C" ping -n -c 2 -i 0.2 -W 2 192.168.1.1
check "firewall: the LAN client pings 1.1.1.254 (masquerade)" \
    t_ns "$C" ping -n -c 2 -i 0.2 -W 2 1.1.1.254

# A bare ACK that belongs to no connection, from the outside straight at a
# LAN host: dropped by "drop invalid", and nothing reaches the server.
# The sniffer also sees the port forward's packets, so it demonstrably works.
if [ -n "$CTL" ]; then
	inv0=$(rule_packets forward connection-state=invalid)
fi
sniff_start "$S" eth0 "$T_TMP/sniff" 'tcp and src host 2.2.2.2'
t_run t_ns "$I" "$PY" -c '
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, TCP, conf, send
conf.verb = 0
send(IP(src="2.2.2.2", dst="192.168.1.2") /
     TCP(sport=41999, dport=80, flags="A", seq=1000, ack=2000),
     count=3, inter=0.05)
print("sent")'
if [ "$T_OUT" != sent ]; then
	t_fail "scapy sends the bare ACKs" "exit $T_RC: $T_OUT"
fi
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
sleep 0.5
sniff_stop
assert_match "sniffer on the server sees the port forward's packets" \
    '2\.2\.2\.2\.[0-9]+ > 192\.168\.1\.2\.80:' "$(cat "$T_TMP/sniff")"
assert_no_match "... but none of the bare ACKs from 2.2.2.2:41999" \
    '2\.2\.2\.2\.41999 >' "$(cat "$T_TMP/sniff")"

if [ -n "$CTL" ]; then
	inv1=$(rule_packets forward connection-state=invalid)
	if [ "$inv0" -ge 0 ] && [ "$((inv1 - inv0))" -ge 3 ]; then
		t_pass "the forward drop-invalid rule counted the 3 ACKs ($inv0 -> $inv1)"
	else
		t_fail "the forward drop-invalid rule counted the 3 ACKs" \
		    "before: $inv0, after: $inv1"
	fi

	# rules, interfaces and metrics show the filter
	ctl rules >"$T_TMP/rules"
	t_run "$PY" -c '
import json, sys
rows = [r for line in open(sys.argv[1])
        for r in json.loads(line).get("result", [])
        if r.get("table") == "filter"]
chains = {r["chain"] for r in rows}
nd = [r for r in rows if "!dstnat" in r["rule"]]
if len(rows) != 7 or chains != {"input", "forward"} or not nd:
    sys.exit("rows %d chains %s" % (len(rows), sorted(chains)))
if nd[0]["packets"] < 3 or nd[0]["bytes"] <= 0:
    sys.exit("!dstnat rule: %r" % nd[0])
est = [r for r in rows if r["chain"] == "forward" and
       "established,related" in r["rule"]]
if not est or est[0]["packets"] == 0:
    sys.exit("forward established,related did not count")
print("ok")' "$T_TMP/rules"
	assert_eq "hairpinctl rules: 7 filter rules, !dstnat and established counted" \
	    ok "$T_OUT"
	t_run "$HAIRPINCTL" -s "$T_SOCK" rules
	assert_match "hairpinctl rules (table) prints the filter rules" \
	    'forward +[0-9]+ +.*connection-nat-state=!dstnat' "$T_OUT"
	d=$(iface_drop wan filter-drop)
	if [ "$d" -ge 9 ] 2>/dev/null; then
		t_pass "hairpinctl interfaces: wan filter-drop counts the drops ($d)"
	else
		t_fail "hairpinctl interfaces: wan filter-drop >= 9" "got: $d"
	fi
	t_run "$HAIRPINCTL" -s "$T_SOCK" metrics
	assert_match "metrics: the filter rules' packet counters" \
	    'rule_packets_total\{table="filter",chain="forward",index="[0-9]+"\} [1-9]' \
	    "$T_OUT"
	assert_match "metrics: the filter-drop reason" \
	    'interface_drops_total\{interface="wan",reason="filter-drop"\} [1-9]' \
	    "$T_OUT"
fi
router_stop

# --- reject-with: what each one tells the sender ------------------------
t_config reject >/dev/null
t_run "$PY" -c '
import sys, yaml
path = sys.argv[1]
with open(path) as f:
    conf = yaml.safe_load(f)
conf["filter"] = [
    "chain=input in-interface=wan protocol=icmp action=reject reject-with=icmp-admin-prohibited",
    "chain=forward connection-state=established,related action=accept",
    "chain=forward in-interface=wan connection-nat-state=!dstnat protocol=tcp dst-address=192.168.1.2 dst-port=80 action=reject reject-with=tcp-reset",
    "chain=forward in-interface=wan protocol=udp dst-port=7001 action=reject reject-with=icmp-port-unreachable",
    "chain=forward in-interface=wan protocol=udp dst-port=7002 action=reject reject-with=icmp-host-unreachable",
    "chain=forward in-interface=wan protocol=udp dst-port=7003 action=reject reject-with=icmp-net-unreachable",
    "chain=forward in-interface=wan protocol=udp dst-port=7004 action=reject reject-with=icmp-admin-prohibited",
    "chain=forward in-interface=wan protocol=icmp dst-address=192.168.1.10 action=reject reject-with=icmp-host-unreachable",
    "chain=forward in-interface=wan protocol=icmp dst-address=192.168.1.2 action=reject reject-with=icmp-net-unreachable",
]
with open(path, "w") as f:
    yaml.safe_dump(conf, f, sort_keys=False, width=200)' "$T_TMP/reject.yaml"
[ "$T_RC" = 0 ] || t_fail "write reject.yaml" "$T_OUT"
router_start "$T_TMP/reject.yaml" || t_done

# curl -v: newer curls say only "Couldn't connect" without it. An ICMP
# port unreachable would refuse too: the sniffer tells a RST apart.
sniff_start "$I" "$LAB_TAP_WAN" "$T_TMP/rst" 'tcp and src host 192.168.1.2'
CURL_MAX_TIME=5 t_run t_curl "$I" -v --interface 2.2.2.2 http://192.168.1.2/
sleep 0.3
sniff_stop
if [ "$T_RC" = 7 ] && [ "$T_MS" -lt 2000 ] &&
    printf '%s\n' "$T_OUT" | grep -q 'Connection refused'; then
	t_pass "tcp-reset: curl gets 'Connection refused' at once (${T_MS} ms)"
else
	t_fail "tcp-reset: curl gets 'Connection refused' at once" \
	    "exit $T_RC after ${T_MS} ms:" "$T_OUT"
fi
assert_match "tcp-reset: the answer is a RST from 192.168.1.2:80" \
    '192\.168\.1\.2\.80 > 2\.2\.2\.2\.[0-9]+: Flags \[R\.\]' \
    "$(cat "$T_TMP/rst")"
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
assert_match "tcp-reset rule spares the port forward (dst 1.1.1.1)" \
    '^hello from 192\.168\.1\.2, ' "$T_OUT"
check_out "icmp-port-unreachable: ECONNREFUSED on a connected UDP socket" \
    '^ECONNREFUSED$' t_ns "$I" "${NETTOOL[@]}" udp-refused \
    --dst 192.168.1.10:7001
# nettool udp-ttl reads IP_RECVERR: the exact type and code, and from whom.
for pc in 7001:3 7002:1 7003:0 7004:13; do
	check_out "reject udp :${pc%%:*}: icmp type 3 code ${pc##*:} from 1.1.1.1" \
	    "^icmp type=3 code=${pc##*:} from 1\\.1\\.1\\.1 " \
	    t_ns "$I" "${NETTOOL[@]}" udp-ttl --dst "192.168.1.10:${pc%%:*}" \
	    --ttl 64
done
check_out "icmp-host-unreachable: ping 192.168.1.10 says Destination Host Unreachable" \
    'From 1\.1\.1\.1 .*Destination Host Unreachable' \
    t_ns "$I" ping -n -c 1 -W 2 192.168.1.10
check_out "icmp-net-unreachable: ping 192.168.1.2 says Destination Net Unreachable" \
    'From 1\.1\.1\.1 .*Destination Net Unreachable' \
    t_ns "$I" ping -n -c 1 -W 2 192.168.1.2
check_out "icmp-admin-prohibited (input): ping 1.1.1.1 says Packet filtered" \
    'From 1\.1\.1\.1 .*Packet filtered' \
    t_ns "$I" ping -n -c 1 -W 2 1.1.1.1
check "reject rules spare the LAN: client pings 1.1.1.254" \
    t_ns "$C" ping -n -c 2 -i 0.2 -W 2 1.1.1.254
if [ -n "$CTL" ]; then
	d=$(iface_drop wan filter-reject)
	if [ "$d" -ge 9 ] 2>/dev/null; then
		t_pass "hairpinctl interfaces: wan filter-reject counts the rejects ($d)"
	else
		t_fail "hairpinctl interfaces: wan filter-reject >= 9" "got: $d"
	fi
	assert_eq "the tcp-reset rule counted the SYN" 1 \
	    "$(rule_packets forward reject-with=tcp-reset)"
fi
router_stop

t_done
