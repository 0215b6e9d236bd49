#!/bin/bash
# SPDX-License-Identifier: ISC
# Issue 17, "hostile ground", on a live router: (1) a SYN flood at the
# published port, answered by the server, fills a small conntrack table
# while new connections both ways still get through; (3) a spoofed RST
# inside the window leaves a connection, the exact one closes it; (5) an
# ICMP error quoting a live flow but sent to another host is invalid; (4) one
# LAN host past conntrack.nat-ports-per-host fails only its own new
# flows; (8)
# rp-filter strict drops a LAN source arriving on the WAN, and a
# source-routed packet is dropped; (9) an unsolicited ARP reply creates
# no neighbour and a second MAC within arp.locktime is ignored; (10) a
# reload of a FIFO or of 2 MB of nested '[' fails at once, saying why,
# while a ping through the router loses nothing.

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
CT_MAX=1000
PER_HOST=50

conf=$(t_config hostile)
conf_set "$conf" conntrack.max "$CT_MAX"
conf_set "$conf" conntrack.nat-ports-per-host "$PER_HOST"
conf_set "$conf" ip-settings.rp-filter strict
conf_set "$conf" filter '["chain=forward connection-state=invalid action=drop"]'
ip netns exec "$LAB_NS_LAN" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
    2>/dev/null || true
router_start "$conf" || t_done
wan_mac=$(iface_mac wan)
lan_mac=$(iface_mac lan)

# pkt.py: single frames built with scapy, sent on a link.
cat >"$T_TMP/pkt.py" <<'EOF'
import sys
from scapy.all import ARP, ICMP, Ether, IP, IPOption, TCP, UDP, sendp
kind, iface, dmac = sys.argv[1:4]
if kind == "lsrr":
    p = Ether(dst=dmac) / IP(src="2.2.2.2", dst="1.1.1.1",
        options=[IPOption(b"\x83\x07\x04\xc0\xa8\x01\x02")]) / \
        TCP(sport=4444, dport=80, flags="S")
elif kind == "icmp-error":
    # port unreachable from 2.2.2.2 quoting 1.1.1.1:PORT -> 2.2.2.2:9000
    dst, eport = sys.argv[4], int(sys.argv[5])
    q = IP(src="1.1.1.1", dst="2.2.2.2") / UDP(sport=eport, dport=9000) / \
        b"ping"
    p = Ether(dst=dmac) / IP(src="2.2.2.2", dst=dst) / \
        ICMP(type=3, code=3) / bytes(q)
elif kind == "arp-race":
    # a request for the router from MAC A, at once a reply from MAC B
    a, b, spa, tpa = sys.argv[4:8]
    p = [Ether(dst="ff:ff:ff:ff:ff:ff", src=a) / ARP(op=1, hwsrc=a,
         psrc=spa, pdst=tpa),
         Ether(dst=dmac, src=b) / ARP(op=2, hwsrc=b, psrc=spa, hwdst=dmac,
         pdst=tpa)]
elif kind in ("arp-reply", "arp-request"):
    smac, spa, tpa = sys.argv[4:7]
    p = Ether(dst=dmac, src=smac) / ARP(op=2 if kind == "arp-reply" else 1,
        hwsrc=smac, psrc=spa, hwdst=dmac if kind == "arp-reply" else
        "00:00:00:00:00:00", pdst=tpa)
sendp(p, iface=iface, verbose=False)
EOF
pkt_run() {
	T_OUT=$(timeout 20 ip netns exec "$1" "$PY" "$T_TMP/pkt.py" "${@:2}" 2>&1)
	T_RC=$?
}

# --- (1) SYN flood at the published port --------------------------------------
t_bg udp-isp "$I" "${NETTOOL[@]}" udp-echo --bind 2.2.2.2 --ports 9000
ev0=$(status_get conntrack-evicted)
full0=$(($(drops wan ct-full) + $(drops lan ct-full)))
# 12000 SYNs from four outside addresses to 1.1.1.1:80 (dst-nat to the
# server, which answers each: syn-received, replied but not assured)
timeout 60 ip netns exec "$I" "${HOSTILE[@]}" flood --iface "$LAB_TAP_WAN" \
    --dst-mac "$wan_mac" --src 5.5.5.1-5.5.5.4 --dst 1.1.1.1 --proto tcp \
    --dport 80 --count 12000 --pps 3000 >"$T_TMP/flood.out" 2>&1 &
flood=$!
sleep 1
in_ok=0 in_fail=0 out_ok=0 out_fail=0 peak=0
while kill -0 "$flood" 2>/dev/null; do
	n=$(status_get conntrack-count)
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt "$peak" ] && peak=$n
	if CURL_MAX_TIME=3 t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/ |
	    grep -q '^hello from 192\.168\.1\.2'; then
		in_ok=$((in_ok + 1))
	else
		in_fail=$((in_fail + 1))
	fi
	if CURL_MAX_TIME=3 t_curl "$C" http://2.2.2.2:8080/ |
	    grep -q '^hello from 2\.2\.2\.2'; then
		out_ok=$((out_ok + 1))
	else
		out_fail=$((out_fail + 1))
	fi
done
wait "$flood"
assert_eq "SYN flood of 12000 sent" '{"flows": 12000}' \
    "$(tail -n 1 "$T_TMP/flood.out")"
assert_ge "conntrack was full during the flood" $((CT_MAX - 50)) "$peak"
assert_ge "new WAN -> dst-nat connections during the flood" 3 "$in_ok"
assert_eq "... none failed" 0 "$in_fail"
assert_ge "new LAN -> WAN connections during the flood" 3 "$out_ok"
assert_eq "... none failed" 0 "$out_fail"
assert_ge "the half-open (syn-received) entries were evicted" 5000 \
    $(($(status_get conntrack-evicted) - ev0))
assert_eq "no new connection was refused as ct-full" 0 \
    $(($(drops wan ct-full) + $(drops lan ct-full) - full0))
still_forwards "right after the SYN flood"

# --- (3) a blind RST inside the window (RFC 5961) ------------------------------
# rst.py, in the ISP: a server on 2.2.2.2:9100 that learns the sequence
# numbers of the client's connection from the wire, then spoofs RSTs "from
# 2.2.2.2": first one only inside the window, then (on go) the exact one.
cat >"$T_TMP/rst.py" <<'EOF'
import json, os, socket, sys, time
from scapy.all import AsyncSniffer, Ether, IP, TCP, sendp
iface, dmac, ready, go = sys.argv[1:5]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("2.2.2.2", 9100))
srv.listen(1)
srv.settimeout(15)
sn = AsyncSniffer(iface=iface, store=True, lfilter=lambda p: TCP in p and
                  9100 in (p[TCP].sport, p[TCP].dport))
sn.start()
time.sleep(1)
open(ready, "w").close()
conn, _ = srv.accept()
time.sleep(0.5)
pk = sn.stop()
sa = [p for p in pk if p[IP].src == "2.2.2.2" and p[TCP].flags == "SA"][0]
s, port, dst = sa[TCP].seq, sa[TCP].dport, sa[IP].dst
def rst(seq):
    sendp(Ether(dst=dmac) / IP(src="2.2.2.2", dst=dst) /
          TCP(sport=9100, dport=port, flags="R", seq=seq), iface=iface,
          verbose=False)
rst(s + 1 + 1000)
print(json.dumps({"port": port}), flush=True)
end = time.monotonic() + 20
while not os.path.exists(go) and time.monotonic() < end:
    time.sleep(0.05)
rst(s + 1)
print("done", flush=True)
time.sleep(1)
EOF
timeout 40 ip netns exec "$I" "$PY" "$T_TMP/rst.py" "$LAB_TAP_WAN" \
    "$wan_mac" "$T_TMP/rst.ready" "$T_TMP/rst.go" >"$T_TMP/rst.out" 2>&1 &
rstpid=$!
lab_wait 10 test -e "$T_TMP/rst.ready" || t_fail "rst.py ready" \
    "$(cat "$T_TMP/rst.out")"
timeout 30 ip netns exec "$C" "$PY" -c 'import socket, time
s = socket.create_connection(("2.2.2.2", 9100), 5)
time.sleep(25)' >/dev/null 2>&1 &
holder=$!
lab_wait 10 grep -q port "$T_TMP/rst.out" ||
    t_fail "rst.py saw the handshake" "$(cat "$T_TMP/rst.out")"
ct_state() {
	ctl conntrack port=9100 | json_get "','.join(e['tcp-state'] for e in r)"
}
sleep 0.3
assert_eq "a spoofed RST inside the window, not exact: the connection stays" \
    established "$(ct_state)"
touch "$T_TMP/rst.go"
lab_wait 10 grep -q done "$T_TMP/rst.out"
sleep 0.3
assert_eq "... the exact RST closes it" close "$(ct_state)"
kill "$holder" 2>/dev/null
wait "$rstpid" "$holder" 2>/dev/null

# --- (5) an ICMP error addressed to another inside host -----------------------
# The client's UDP flow to 2.2.2.2:9000 goes out as 1.1.1.1:P. An error
# quoting it is related only when sent to 1.1.1.1; one sent to the server
# 192.168.1.2 is invalid, and the forward rule drops it.
t_run t_ns "$C" "${NETTOOL[@]}" udp-send --dst 2.2.2.2:9000
eport=$(ctl conntrack port=9000 src=192.168.1.10 | json_get \
    "r[0]['reply-dst-address'].split(':')[1]")
fd0=$(drops wan filter-drop)
pkt_run "$I" icmp-error "$LAB_TAP_WAN" "$wan_mac" 192.168.1.2 "$eport"
assert_eq "an error quoting the client's flow, sent to 192.168.1.2: invalid, dropped" \
    1 $(($(drops wan filter-drop) - fd0))
pkt_run "$I" icmp-error "$LAB_TAP_WAN" "$wan_mac" 1.1.1.1 "$eport"
assert_eq "... sent to 1.1.1.1: related, not dropped" 1 \
    $(($(drops wan filter-drop) - fd0))

# --- (4) one host past its share of NAT ports ---------------------------------
h0=$(drops lan nat-host-limit)
t_run ip netns exec "$C" "${HOSTILE[@]}" flood --iface eth0 \
    --dst-mac "$lan_mac" --src 192.168.1.10 --dst 198.51.100.9 \
    --dport 9 --count 200 --sport-base 30000 --pps 1000
assert_ge "200 new UDP flows from one host: refused past $PER_HOST (nat-host-limit)" \
    $((200 - PER_HOST - 5)) $(($(drops lan nat-host-limit) - h0))
assert_ge "... counted in metrics" 1 "$(metric nat_host_limit_refused_total)"
check_out "another host's UDP still goes out" \
    '^reply from 2\.2\.2\.2:9000, 64 bytes, payload matches$' \
    t_ns "$S" "${NETTOOL[@]}" udp-send --dst 2.2.2.2:9000
t_run t_curl "$C" http://2.2.2.2:8080/
assert_match "the host's TCP (its own share) still goes out" \
    '^hello from 2\.2\.2\.2, you are 1\.1\.1\.1:' "$T_OUT"

# --- (8) spoofed sources and source routes ------------------------------------
rp0=$(drops wan rp-filter)
t_run ip netns exec "$I" "${HOSTILE[@]}" flood --iface "$LAB_TAP_WAN" \
    --dst-mac "$wan_mac" --src 192.168.1.50 --dst 1.1.1.1 --proto tcp \
    --dport 80 --count 20 --sport-base 40000 --pps 200
assert_eq "20 SYNs on the WAN with a LAN source: dropped as rp-filter" 20 \
    $(($(drops wan rp-filter) - rp0))
assert_eq "... none was tracked" 0 "$(ctl conntrack src=192.168.1.50 |
    json_get 'len(r)')"
sr0=$(drops wan source-route)
pkt_run "$I" lsrr "$LAB_TAP_WAN" "$wan_mac"
assert_eq "a SYN with a loose source route (sent: ${T_OUT:-ok}): dropped as source-route" \
    1 $(($(drops wan source-route) - sr0))

# --- (9) ARP -------------------------------------------------------------------
pkt_run "$C" arp-reply eth0 "$lan_mac" 02:66:00:00:00:01 192.168.1.77 \
    192.168.1.1
assert_eq "an unsolicited ARP reply (sent: ${T_OUT:-ok}) creates no neighbour" \
    0 "$(ctl neighbors | json_get "len([n for n in r
        if n['address'] == '192.168.1.77'])")"
# 192.168.1.78 asks for the router: learned, confirmed now. A reply with
# another MAC right after is ignored (arp.locktime, 1 s); one later wins.
lk0=$(metric arp_locked_total)
pkt_run "$C" arp-race eth0 "$lan_mac" 02:66:00:00:00:02 02:66:00:00:00:03 \
    192.168.1.78 192.168.1.1
neigh78() {
	ctl neighbors | json_get "next((n['mac'] for n in r
	    if n['address'] == '192.168.1.78'), None)"
}
assert_eq "a request for our address creates the neighbour; another MAC within arp.locktime is ignored" \
    02:66:00:00:00:02 "$(neigh78)"
assert_ge "... and counted (arp_locked_total)" $((lk0 + 1)) \
    "$(metric arp_locked_total)"
sleep 1.1
pkt_run "$C" arp-reply eth0 "$lan_mac" 02:66:00:00:00:03 192.168.1.78 \
    192.168.1.1
assert_eq "... and taken after it" 02:66:00:00:00:03 "$(neigh78)"

# --- (10) hostile reloads while a ping runs ----------------------------------
timeout 30 ip netns exec "$C" ping -n -q -i 0.01 -c 1000 -W 1 2.2.2.2 \
    >"$T_TMP/ping.out" 2>&1 &
pinger=$!
sleep 0.5
cp "$conf" "$T_TMP/good.yaml"
rm -f "$conf"
mkfifo "$conf"
t_run timeout 5 "$HAIRPINCTL" -s "$T_SOCK" reload
assert_eq "reload of a FIFO: refused (exit 1)" 1 "$T_RC"
assert_match "... saying so" 'not a regular file' "$T_OUT"
rm -f "$conf"
"$PY" -c "print('interfaces: ' + '[' * 2000000)" >"$conf"
t_run timeout 10 "$HAIRPINCTL" -s "$T_SOCK" reload
assert_eq "reload of 2 MB of nested '[': refused (exit 1)" 1 "$T_RC"
assert_match "... saying why" 'nested deeper than 64 levels' "$T_OUT"
assert_le "... within a second (ms)" 1000 "$T_MS"
cp "$T_TMP/good.yaml" "$conf"
t_run timeout 10 "$HAIRPINCTL" -s "$T_SOCK" reload
assert_eq "a good reload still works" 0 "$T_RC"
wait "$pinger"
assert_match "the ping through the router lost nothing meanwhile" \
    ' 0% packet loss' "$(cat "$T_TMP/ping.out")"

assert_alive "alive at the end"
still_forwards "at the end"
sanitizer_clean "no sanitizer report in the daemon log"
router_stop
t_done
