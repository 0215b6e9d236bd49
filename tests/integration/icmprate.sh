#!/bin/bash
# SPDX-License-Identifier: ISC
# ICMP errors are limited per destination under a global ceiling (issue
# 15; RFC 1812 5.3.7, RFC 4443 2.4): the server floods datagrams whose TTL
# expires at the router, far past the global rate; meanwhile the client's
# traceroute to 2.2.2.2 and its ping to a closed port still get their
# errors, because the flood spends only the server's own bucket.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "$ROUTER" != hairpind ]; then
	echo "icmprate.sh tests hairpind itself, not ROUTER=$ROUTER" >&2
	exit 2
fi
if ! command -v traceroute >/dev/null; then
	echo "SKIP: icmprate.sh needs traceroute"
	exit 77
fi

t_setup
t_topology

C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER

# metric NAME: a counter from hairpinctl metrics.
metric() {
	"$HAIRPINCTL" -s "$T_SOCK" metrics 2>/dev/null |
	    awk -v n="$1" '$1 ~ n"$" || $1 ~ n"[{]" { print $2; exit }'
}

# write_conf PER-DESTINATION-RATE
write_conf() {
	cat >"$T_TMP/icmprate.yaml" <<EOF
interfaces:
  - name: wan
    tap: $LAB_TAP_WAN
    netns: $LAB_NS_ISP
    addresses: [1.1.1.1/24]
  - name: lan
    tap: $LAB_TAP_LAN
    netns: $LAB_NS_LAN
    addresses: [192.168.1.1/24]
routes:
  - dst: 0.0.0.0/0
    gateway: 1.1.1.254
nat:
  - chain=srcnat out-interface=wan action=masquerade
icmp:
  rate: 200
  burst: 20
  per-destination-rate: $1
  per-destination-burst: 10
control:
  socket: $T_SOCK
EOF
	echo "$T_TMP/icmprate.yaml"
}

# flood SECS: the server sends 2000 datagrams a second with TTL 1 and
# counts the time-exceeded errors it gets back; prints that count.
flood() {
	timeout $(($1 + 5)) ip netns exec "$S" "$PY" -c '
import socket, sys, time
secs = float(sys.argv[1])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 1)
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
r.setblocking(False)
got = 0
t0 = time.monotonic()
n = 0
while time.monotonic() - t0 < secs:
    for _ in range(20):
        u.sendto(b"flood", ("2.2.2.2", 33434 + n % 100))
        n += 1
    time.sleep(0.01)
    while True:
        try:
            p = r.recv(2048)
        except BlockingIOError:
            break
        if p[(p[0] & 15) * 4] == 11:
            got += 1
time.sleep(0.5)
while True:
    try:
        p = r.recv(2048)
    except BlockingIOError:
        break
    if p[(p[0] & 15) * 4] == 11:
        got += 1
print(got, n)' "$1"
}

# probe: the client traceroutes 2.2.2.2 (hop 1 is the router, hop 2 the
# destination) and sends a datagram to a closed port of 192.168.1.1.
probe() {
	timeout 20 ip netns exec "$C" traceroute -n -q 3 -w 2 -m 2 -N 3 \
	    2.2.2.2 >"$T_TMP/tr.out" 2>&1
	timeout 10 ip netns exec "$C" "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect(("192.168.1.1", 9))
ok = 0
for i in range(3):
    s.send(b"x")
    try:
        s.recv(100)
    except ConnectionRefusedError:
        ok += 1
    except socket.timeout:
        pass
print(ok)' >"$T_TMP/pu.out" 2>&1
}

# --- per destination: the flood spends its own bucket --------------------
router_start "$(write_conf 20)" || t_done
flood 6 >"$T_TMP/flood.out" &
fpid=$!
sleep 1.5
probe
wait "$fpid"
hop1=$(awk '$1 == 1' "$T_TMP/tr.out" | grep -o '192\.168\.1\.1 ' | wc -l)
hop1_ms=$(awk '$1 == 1' "$T_TMP/tr.out" | grep -o ' ms' | wc -l)
assert_eq "traceroute during the flood: hop 1 (the router) answers all 3 probes" \
    3 "$hop1_ms"
assert_match "traceroute during the flood: hop 2 is 2.2.2.2" \
    '^ 2  2\.2\.2\.2 ' "$(awk '$1 == 2' "$T_TMP/tr.out")"
assert_eq "port unreachable during the flood: 3 of 3 refused" 3 \
    "$(cat "$T_TMP/pu.out")"
read -r got sent <"$T_TMP/flood.out"
t_note "flood: $sent datagrams with TTL 1 in 6 s, $got time-exceeded back;" \
    "traceroute: $(tr '\n' '|' <"$T_TMP/tr.out")"
if [[ $got =~ ^[0-9]+$ ]] && [ "$got" -ge 60 ] && [ "$got" -le 200 ]; then
	t_pass "the flooding host got its own 20/s (+10 burst): $got errors in ~6.5 s"
else
	t_fail "the flooding host got about 20/s" "got: $got of $sent"
fi
lim=$(metric icmp_rate_limited_destination_total)
if [[ $lim =~ ^[0-9]+$ ]] && [ "$lim" -gt 5000 ]; then
	t_pass "icmp_rate_limited_destination_total counts the refused ($lim)"
else
	t_fail "icmp_rate_limited_destination_total counts the refused" \
	    "got: $lim"
fi
router_stop

# --- for contrast, the global bucket alone (per-destination-rate: 0) -----
router_start "$(write_conf 0)" || t_done
flood 6 >"$T_TMP/flood.out" &
fpid=$!
sleep 1.5
probe
wait "$fpid"
hop1_ms=$(awk '$1 == 1' "$T_TMP/tr.out" | grep -o ' ms' | wc -l)
t_note "global bucket only: hop 1 answered $hop1_ms of 3 probes," \
    "$(cat "$T_TMP/pu.out") of 3 port unreachables (the flood takes the rest)"
router_stop
t_done
