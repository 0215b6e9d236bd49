#!/bin/bash
# SPDX-License-Identifier: ISC
# RouterOS matchers and actions with real traffic on the seed topology,
# each checked both ways: connection-limit (the 4th connection from one
# source to the port forward is dropped), content (a request naming
# "forbidden" is reset, another passes), limit (pings to the router past
# the rate are dropped), tarpit with tcp-flags (a SYN to 2323 is answered
# and held), psd with add-src-to-address-list feeding a raw drop (a port
# scanner is cut off, before conntrack, while another source is not).

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "$ROUTER" != hairpind ]; then
	echo "SKIP: $T_NAME: RouterOS exports are hairpind's"
	exit 77
fi
t_setup
t_topology
I=$LAB_NS_ISP
# more outside sources: the scanner, and the one that holds connections
lab_ns "$I" ip addr add 3.3.3.3/32 dev lo
lab_ns "$I" ip addr add 4.4.4.4/32 dev lo

cat >"$T_TMP/m.yaml" <<EOT
interfaces:
  - { name: ether1, tap: $LAB_TAP_WAN, netns: $LAB_NS_ISP, addresses: [1.1.1.1/24] }
  - { name: bridge, tap: $LAB_TAP_LAN, netns: $LAB_NS_LAN, addresses: [192.168.1.1/24] }
routes:
  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }
control: { socket: $T_SOCK }
routeros: |
  /ip firewall raw
  add action=drop chain=prerouting src-address-list=scanners
  /ip firewall filter
  add action=add-src-to-address-list address-list=scanners \\
      address-list-timeout=1m chain=input protocol=tcp psd=21,3s,3,1
  add action=tarpit chain=input protocol=tcp dst-port=2323 tcp-flags=syn
  add action=accept chain=input protocol=icmp limit=5,5:packet
  add action=drop chain=input protocol=icmp
  add action=drop chain=forward protocol=tcp dst-port=80 \\
      connection-state=new connection-limit=3,32 src-address=4.4.4.0/24
  add action=reject chain=forward protocol=tcp content=forbidden \\
      reject-with=tcp-reset
  /ip firewall nat
  add action=dst-nat chain=dstnat dst-address=1.1.1.1 dst-port=80 \\
      protocol=tcp to-addresses=192.168.1.2
  add action=masquerade chain=srcnat out-interface=ether1
EOT
start_hairpind "$T_TMP/m.yaml" || t_done

# content: the word in the payload resets the connection; others pass
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/ok
assert_match "content: a request without the word passes" \
    '^hello from 192\.168\.1\.2' "$T_OUT"
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/forbidden
assert_match "content: a request naming \"forbidden\" is reset" \
    'reset|Recv failure|Empty reply' "$T_OUT"

# connection-limit: three held connections from 4.4.4.4, the fourth drops
t_run ip netns exec "$I" timeout 20 "$PY" -c '
import socket, sys
held, res = [], []
for i in range(4):
    s = socket.socket()
    s.bind(("4.4.4.4", 0))
    s.settimeout(3)
    try:
        s.connect(("1.1.1.1", 80))
        res.append("ok")
        held.append(s)
    except OSError:
        res.append("no")
print(" ".join(res))'
assert_eq "connection-limit=3,32: three connections, the fourth dropped" \
    "ok ok ok no" "$T_OUT"

# limit: 50 pings in 0.5 s to the router, 5 in the burst and 5/s after
t_run ip netns exec "$I" ping -n -q -c 50 -i 0.01 -W 1 1.1.1.1
got=$(printf '%s\n' "$T_OUT" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
ms=$(printf '%s\n' "$T_OUT" | sed -n 's/.*, time \([0-9]*\)ms.*/\1/p')
# the burst of 5, then 5 a second for as long as the pings took (+3 slack)
max=$((5 + 5 * ${ms:-0} / 1000 + 3))
t_note "limit: $got of 50 pings answered in ${ms:-?} ms (at most $max)"
if [ -n "$got" ] && [ "$got" -ge 4 ] && [ "$got" -le "$max" ]; then
	t_pass "limit=5,5:packet: the burst and the rate answered, the rest dropped"
else
	t_fail "limit=5,5:packet: 4-$max of 50 answered" "got ${got:-none}"
fi

# tarpit: the SYN is answered (connect succeeds), nothing else happens
t_run ip netns exec "$I" timeout 10 "$PY" -c '
import socket
s = socket.socket()
s.settimeout(3)
try:
    s.connect(("1.1.1.1", 2323))
    print("connected")
except OSError as e:
    print("refused", e)'
assert_eq "tarpit tcp-flags=syn: the SYN gets a SYN/ACK" connected "$T_OUT"

# psd: 3.3.3.3 probes 12 low ports; it lands in scanners, and raw drops it
t_run ip netns exec "$I" timeout 20 "$PY" -c '
import socket
for port in range(20, 32):
    s = socket.socket()
    s.bind(("3.3.3.3", 0))
    s.settimeout(0.3)
    try:
        s.connect(("1.1.1.1", port))
    except OSError:
        pass
    s.close()'
T_OUT=$(timeout 10 "$HAIRPINCTL" -s "$T_SOCK" -j address-lists list=scanners)
assert_match "psd: the scanner is in the list, dynamic, with time left" \
    '"address":"3\.3\.3\.3","dynamic":true,"timeout":[1-9]' "$T_OUT"
CURL_MAX_TIME=3 t_run t_curl "$I" --interface 3.3.3.3 http://1.1.1.1/ok
assert_match "raw drop by address list: the scanner is cut off" \
    'timed out' "$T_OUT"
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/ok2
assert_match "raw drop by address list: another source still passes" \
    '^hello from 192\.168\.1\.2' "$T_OUT"
stop_hairpind
t_done
