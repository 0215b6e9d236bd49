#!/bin/bash
# SPDX-License-Identifier: ISC
# Conntrack and NAT on the seed topology: the MikroTik wiki's hairpin NAT
# (dst-nat, masquerade and the hairpin masquerade) from etc/hairpind.yaml,
# the same rules pasted as a RouterOS export, a port range dst-nat, netmap,
# fragmented UDP through both kinds of NAT, and ICMP errors translated back.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

t_setup
t_topology

C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER
I=$LAB_NS_ISP
PORTMAP='chain=dstnat dst-address=1.1.1.1 protocol=udp dst-port=5000-5010 action=dst-nat to-addresses=192.168.1.2 to-ports=6000-6010'

# UDP echo servers: the LAN server behind the port range, one outside.
t_bg udp-srv "$S" "${NETTOOL[@]}" udp-echo --bind 192.168.1.2 \
    --ports 6000-6010 --log "$T_TMP/udp-srv.log"
t_bg udp-isp "$I" "${NETTOOL[@]}" udp-echo --bind 2.2.2.2 \
    --ports 9000 --log "$T_TMP/udp-isp.log"
if ! lab_wait 10 lab_listening "$S" 192.168.1.2 6010 udp ||
    ! lab_wait 10 lab_listening "$I" 2.2.2.2 9000 udp; then
	t_fail "UDP echo servers listening"
fi

# seed_checks LABEL: the wiki's three flows.
seed_checks() {
	local label=$1 body
	t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
	body=$T_OUT
	assert_match "$label: outside 2.2.2.2 -> 1.1.1.1:80 reaches the server" \
	    '^hello from 192\.168\.1\.2, you are ' "$body"
	assert_eq "$label: ... and the server sees 2.2.2.2 (dst-nat only)" \
	    2.2.2.2 "$(t_saw "$body")"

	t_run t_curl "$C" http://1.1.1.1/
	body=$T_OUT
	assert_match "$label: LAN client -> 1.1.1.1:80 reaches the server" \
	    '^hello from 192\.168\.1\.2, you are ' "$body"
	assert_eq "$label: ... and the server sees 192.168.1.1 (hairpin)" \
	    192.168.1.1 "$(t_saw "$body")"

	t_run t_curl "$C" http://2.2.2.2:8080/
	body=$T_OUT
	assert_match "$label: LAN client -> 2.2.2.2:8080 outside" \
	    '^hello from 2\.2\.2\.2, you are ' "$body"
	assert_eq "$label: ... and the far side sees 1.1.1.1 (masquerade)" \
	    1.1.1.1 "$(t_saw "$body")"
}

# --- etc/hairpind.yaml's rules, plus a port range dst-nat -----------------
router_start "$(t_config seed --add-nat "$PORTMAP")" || t_done
seed_checks seed

# Bulk TCP both ways through each kind of NAT: many full-size segments,
# which is where segmentation offloads and checksum updates show.
BIG=8000000
"$PY" "$top_srcdir/contrib/lab/websrv.py" --pattern "$BIG" >"$T_TMP/blob"
want=$(sha256sum <"$T_TMP/blob" | cut -d' ' -f1)
# bulk DESC NS CURL-ARGS...: the sha256 of what came back must be $want.
bulk() {
	local desc=$1 ns=$2 got
	shift 2
	rm -f "$T_TMP/dl"
	CURL_MAX_TIME=60 t_run t_curl "$ns" -H 'Expect:' -o "$T_TMP/dl" "$@"
	got=$(sha256sum <"$T_TMP/dl" 2>/dev/null | cut -d' ' -f1)
	# POST /sha256 answers the digest itself.
	[ "$(wc -c <"$T_TMP/dl" 2>/dev/null)" = 65 ] && got=$(cat "$T_TMP/dl")
	if [ "$T_RC" = 0 ] && [ "$got" = "$want" ]; then
		t_pass "$desc (${T_MS} ms)"
	else
		t_fail "$desc" "expected sha256 $want" \
		    "got $got, curl exit $T_RC: $T_OUT"
	fi
}
bulk "8 MB download from 1.1.1.1:80 to 2.2.2.2 (dst-nat) intact" "$I" \
    --interface 2.2.2.2 "http://1.1.1.1/bytes/$BIG"
bulk "8 MB upload from 2.2.2.2 to 1.1.1.1:80 (dst-nat) intact" "$I" \
    --interface 2.2.2.2 --data-binary @"$T_TMP/blob" http://1.1.1.1/sha256
bulk "8 MB download from 1.1.1.1:80 to the LAN client (hairpin) intact" \
    "$C" "http://1.1.1.1/bytes/$BIG"
bulk "8 MB upload from the LAN client to 2.2.2.2 (masquerade) intact" \
    "$C" --data-binary @"$T_TMP/blob" http://2.2.2.2:8080/sha256
bulk "8 MB download from 2.2.2.2 to the LAN client (masquerade) intact" \
    "$C" "http://2.2.2.2:8080/bytes/$BIG"

t_run t_curl "$S" http://1.1.1.1/
assert_eq "the server reaches itself via 1.1.1.1, seeing 192.168.1.1" \
    192.168.1.1 "$(t_saw "$T_OUT")"
access=$(cat "$LAB_STATE/web.access")
assert_match "the server's access log has the outside client 2.2.2.2" \
    ' 2\.2\.2\.2:[0-9]+ GET /$' "$access"
assert_match "the server's access log has the hairpinned 192.168.1.1" \
    ' 192\.168\.1\.1:[0-9]+ GET /$' "$access"

# Two LAN hosts ping the same outside address at the same moment: both
# share 1.1.1.1, so the router must keep their echo streams apart.
timeout 20 ip netns exec "$C" ping -n -c 5 -i 0.2 -W 2 1.1.1.254 >"$T_TMP/ping-c" 2>&1 &
pc=$!
timeout 20 ip netns exec "$S" ping -n -c 5 -i 0.2 -W 2 1.1.1.254 >"$T_TMP/ping-s" 2>&1 &
ps=$!
wait "$pc" "$ps"
assert_match "client pings 1.1.1.254 through masquerade (5/5)" \
    ' 5 received, 0% packet loss' "$(cat "$T_TMP/ping-c")"
assert_match "server pings 1.1.1.254 at the same time (5/5)" \
    ' 5 received, 0% packet loss' "$(cat "$T_TMP/ping-s")"
# The same, with the same ICMP identifier on both hosts.
timeout 20 ip netns exec "$C" "${NETTOOL[@]}" icmp-echo --dst 1.1.1.254 --id 4242 \
    >"$T_TMP/echo-c" 2>&1 &
pc=$!
timeout 20 ip netns exec "$S" "${NETTOOL[@]}" icmp-echo --dst 1.1.1.254 --id 4242 \
    >"$T_TMP/echo-s" 2>&1 &
ps=$!
wait "$pc" "$ps"
assert_match "client echo id 4242 through masquerade, all replies back" \
    '^5/5 echo replies' "$(cat "$T_TMP/echo-c")"
assert_match "server echo id 4242 at the same time, all replies back" \
    '^5/5 echo replies' "$(cat "$T_TMP/echo-s")"

# Port range: 1.1.1.1:5003 -> 192.168.1.2:6003, replies from 1.1.1.1:5003.
check_out "UDP 2.2.2.2 -> 1.1.1.1:5003 answered from 1.1.1.1:5003" \
    '^reply from 1\.1\.1\.1:5003, 64 bytes, payload matches$' \
    t_ns "$I" "${NETTOOL[@]}" udp-send --src 2.2.2.2 --dst 1.1.1.1:5003
assert_match "... and it arrived at 192.168.1.2:6003 from 2.2.2.2" \
    '^192\.168\.1\.2:6003 2\.2\.2\.2:[0-9]+ 64$' "$(cat "$T_TMP/udp-srv.log")"

if [ "$ROUTER" = hairpind ] && [ -x "$HAIRPINCTL" ]; then
	t_run "$HAIRPINCTL" -s "$T_SOCK" -j conntrack proto=udp
	ct=$T_OUT
	t_run "$PY" -c '
import json, sys
for line in sys.stdin:
    ans = json.loads(line)
    for e in ans.get("result", []):
        if (e.get("dst-address") == "1.1.1.1:5003" and
                e.get("reply-src-address") == "192.168.1.2:6003" and
                str(e.get("src-address", "")).startswith("2.2.2.2:")):
            sys.exit(0)
sys.exit(1)' <<<"$ct"
	if [ "$T_RC" = 0 ]; then
		t_pass "hairpinctl conntrack shows 2.2.2.2 -> 1.1.1.1:5003 / 192.168.1.2:6003"
	else
		t_fail "hairpinctl conntrack shows the port range entry" "$ct"
	fi
fi

# 6000 bytes: fragments both ways, through dst-nat and through masquerade.
check_out "6000-byte UDP 2.2.2.2 -> 1.1.1.1:5004 (dst-nat) echoed intact" \
    '^reply from 1\.1\.1\.1:5004, 6000 bytes, payload matches$' \
    t_ns "$I" "${NETTOOL[@]}" udp-send --src 2.2.2.2 --dst 1.1.1.1:5004 \
    --size 6000
check_out "6000-byte UDP client -> 2.2.2.2:9000 (masquerade) echoed intact" \
    '^reply from 2\.2\.2\.2:9000, 6000 bytes, payload matches$' \
    t_ns "$C" "${NETTOOL[@]}" udp-send --dst 2.2.2.2:9000 --size 6000
assert_match "... and the outside saw it from 1.1.1.1, 6000 bytes" \
    '^2\.2\.2\.2:9000 1\.1\.1\.1:[0-9]+ 6000$' "$(cat "$T_TMP/udp-isp.log")"

# ICMP errors for masqueraded flows come back to the LAN host translated.
check_out "UDP to closed 2.2.2.2:9999 via masquerade: ECONNREFUSED" \
    '^ECONNREFUSED$' t_ns "$C" "${NETTOOL[@]}" udp-refused \
    --dst 2.2.2.2:9999
check_out "UDP TTL 2 beyond the ISP: time exceeded from 1.1.1.254" \
    '^icmp type=11 code=0 from 1\.1\.1\.254 ' \
    t_ns "$C" "${NETTOOL[@]}" udp-ttl --dst 198.51.100.9:33434 --ttl 2

router_stop

# --- the same without the hairpin rule: the wiki's broken case ------------
router_start "$(t_config no-hairpin --no-hairpin)" || t_done
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
assert_eq "no hairpin: outside 2.2.2.2 still reaches the server" \
    2.2.2.2 "$(t_saw "$T_OUT")"
CURL_MAX_TIME=4 t_run t_curl "$C" http://1.1.1.1/
case $T_RC in
7|28|52|56)
	t_pass "no hairpin: LAN client -> 1.1.1.1:80 fails (curl exit $T_RC)" ;;
*)
	t_fail "no hairpin: LAN client -> 1.1.1.1:80 fails" \
	    "expected: curl timeout (28) or reset/refused (7, 52, 56)" \
	    "got: exit $T_RC: $T_OUT" ;;
esac
router_stop

# --- the wiki's export pasted verbatim, interfaces named WAN and LAN ------
cat >"$T_TMP/wiki.yaml" <<EOF
interfaces:
  - name: WAN
    tap: $LAB_TAP_WAN
    netns: $LAB_NS_ISP
    addresses: [1.1.1.1/24]
  - name: LAN
    tap: $LAB_TAP_LAN
    netns: $LAB_NS_LAN
    addresses: [192.168.1.1/24]
routes:
  - dst: 0.0.0.0/0
    gateway: 1.1.1.254
nat: |
  /ip firewall nat
  add chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 \\
  action=dst-nat to-address=192.168.1.2
  add chain=srcnat out-interface=WAN action=masquerade
  /ip firewall nat
  add chain=srcnat src-address=192.168.1.0/24 \\
  dst-address=192.168.1.2 protocol=tcp dst-port=80 \\
  out-interface=LAN action=masquerade
control:
  socket: $T_SOCK
EOF
router_start "$T_TMP/wiki.yaml" || t_done
seed_checks wiki-paste
router_stop

# --- netmap: 10.0.0.0/24 outside is 192.168.1.0/24 inside, 1:1 ------------
lab_isp_route 10.0.0.0/24
cat >"$T_TMP/netmap.yaml" <<EOF
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
  - chain=dstnat dst-address=10.0.0.0/24 action=netmap to-addresses=192.168.1.0/24
  - chain=srcnat src-address=192.168.1.0/24 out-interface=wan action=netmap to-addresses=10.0.0.0/24
control:
  socket: $T_SOCK
EOF
router_start "$T_TMP/netmap.yaml" || t_done
t_run t_curl "$I" --interface 2.2.2.2 http://10.0.0.2/
assert_match "netmap: 2.2.2.2 -> 10.0.0.2:80 is 192.168.1.2, sees 2.2.2.2" \
    '^hello from 192\.168\.1\.2, you are 2\.2\.2\.2:' "$T_OUT"
check "netmap: outside pings 10.0.0.10 (the client 192.168.1.10)" \
    t_ns "$I" ping -c 2 -i 0.2 -W 2 -I 2.2.2.2 10.0.0.10
t_run t_curl "$C" http://2.2.2.2:8080/
assert_eq "netmap: client 192.168.1.10 is seen outside as 10.0.0.10" \
    10.0.0.10 "$(t_saw "$T_OUT")"
t_run t_curl "$S" http://2.2.2.2:8080/
assert_eq "netmap: server 192.168.1.2 is seen outside as 10.0.0.2" \
    10.0.0.2 "$(t_saw "$T_OUT")"
router_stop

t_done
