#!/bin/bash
# SPDX-License-Identifier: ISC
# Protocols beyond TCP, UDP and ICMP through the masquerade (issue 15): two
# LAN hosts to one outside host over SCTP (ports translated, CRC32c redone),
# ESP (told apart by SPI) and PPTP's enhanced GRE (by call id). Raw
# sockets on both sides (keyed.py): no kernel SCTP, IPsec or PPTP needed.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

KEYED=("$PY" "$T_DIR/keyed.py")

if [ "$ROUTER" != hairpind ]; then
	echo "protos.sh tests hairpind itself, not ROUTER=$ROUTER" >&2
	exit 2
fi

t_setup
t_topology

C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER
I=$LAB_NS_ISP

cat >"$T_TMP/protos.yaml" <<EOF
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
control:
  socket: $T_SOCK
EOF
router_start "$T_TMP/protos.yaml" || t_done

# ct_rows PROTO: "src dst reply-src reply-dst" per conntrack entry.
ct_rows() {
	"$HAIRPINCTL" -s "$T_SOCK" -j conntrack "proto=$1" 2>/dev/null |
	    "$PY" -c '
import json, sys
for line in sys.stdin:
    for e in json.loads(line).get("result", []):
        print(e["src-address"], e["dst-address"], e["reply-src-address"],
              e["reply-dst-address"])' | sort
}

for proto in sctp esp gre; do
	t_bg "refl-$proto" "$I" timeout 60 "${KEYED[@]}" reflect \
	    --proto "$proto" --log "$T_TMP/$proto.log" --secs 55
done
sleep 0.5

# --- SCTP: both hosts from port 5000 to 2.2.2.2:7000 ----------------------
t_run t_ns "$C" timeout 10 "${KEYED[@]}" probe --proto sctp --dst 2.2.2.2 \
    --key 5000
assert_match "SCTP 192.168.1.10:5000 -> 2.2.2.2:7000 answered, CRC32c good" \
    '^answers [1-3] of 3 from 2\.2\.2\.2 key 7000->5000 crc=ok' "$T_OUT"
t_run t_ns "$S" timeout 10 "${KEYED[@]}" probe --proto sctp --dst 2.2.2.2 \
    --key 5000
assert_match "SCTP 192.168.1.2:5000 -> 2.2.2.2:7000 too (was ct-clash)" \
    '^answers [1-3] of 3 from 2\.2\.2\.2 key 7000->5000 crc=ok' "$T_OUT"
ports=$(grep -o 'FROM 1\.1\.1\.1 (5000, 7000)\|FROM 1\.1\.1\.1 ([0-9]*, 7000)' \
    "$T_TMP/sctp.log" | sort -u | wc -l)
assert_eq "SCTP the outside host saw two source ports of 1.1.1.1" 2 "$ports"
assert_eq "SCTP every packet reached it with a good CRC32c" 0 \
    "$(grep -c 'crc=bad' "$T_TMP/sctp.log")"
rows=$(ct_rows sctp)
assert_match "SCTP conntrack shows ports: 192.168.1.10:5000 -> 2.2.2.2:7000" \
    '192\.168\.1\.10:5000 2\.2\.2\.2:7000 2\.2\.2\.2:7000 1\.1\.1\.1:5000' "$rows"
t_note "sctp entries: $(tr '\n' '|' <<<"$rows")"

# --- ESP: each host its own SA (the server picked the SPIs) ----------------
t_run t_ns "$C" timeout 10 "${KEYED[@]}" probe --proto esp --dst 2.2.2.2 \
    --key 0x1001
assert_match "ESP SPI 0x1001 from 192.168.1.10 answered with SPI 0x11001" \
    '^answers [1-3] of 3 from 2\.2\.2\.2 key 69633' "$T_OUT"
t_run t_ns "$S" timeout 10 "${KEYED[@]}" probe --proto esp --dst 2.2.2.2 \
    --key 0x1002
assert_match "ESP SPI 0x1002 from 192.168.1.2 to the same host answered too" \
    '^answers [1-3] of 3 from 2\.2\.2\.2 key 69634' "$T_OUT"
t_run t_ns "$C" timeout 10 "${KEYED[@]}" probe --proto esp --dst 2.2.2.2 \
    --key 0x1001
assert_match "ESP the first host's SA still goes to it" \
    '^answers 3 of 3 ' "$T_OUT"
assert_eq "ESP two conntrack entries" 2 "$(ct_rows esp | wc -l)"

# --- PPTP GRE: each host its own call ------------------------------------
t_run t_ns "$C" timeout 10 "${KEYED[@]}" probe --proto gre --dst 2.2.2.2 \
    --key 0x40
assert_match "GRE call 0x40 from 192.168.1.10 answered on call 0x140" \
    '^answers [1-3] of 3 from 2\.2\.2\.2 key 320' "$T_OUT"
t_run t_ns "$S" timeout 10 "${KEYED[@]}" probe --proto gre --dst 2.2.2.2 \
    --key 0x41
assert_match "GRE call 0x41 from 192.168.1.2 to the same server answered too" \
    '^answers [1-3] of 3 from 2\.2\.2\.2 key 321' "$T_OUT"
t_run t_ns "$C" timeout 10 "${KEYED[@]}" probe --proto gre --dst 2.2.2.2 \
    --key 0x40
assert_match "GRE the first host's call still goes to it" '^answers 3 of 3 ' \
    "$T_OUT"

# --- PPTP: two inside hosts pick the same call id ---------------------------
# The GRE reflector of the tests above answers any GRE; the PPTP server
# needs 2.2.2.2's GRE to itself, so it runs on 3.3.3.3.
ip -n "$I" addr add 3.3.3.3/32 dev lo
t_bg pptp "$I" timeout 60 "${KEYED[@]}" pptp-server --addr 3.3.3.3 \
    --log "$T_TMP/pptp.log" --secs 55
lab_wait 10 lab_listening "$I" 3.3.3.3 1723 ||
    t_fail "pptp server listening on 3.3.3.3:1723"
t_run t_ns "$C" timeout 10 "${KEYED[@]}" pptp-client --dst 3.3.3.3 --call 7
assert_match "PPTP 192.168.1.10 call 7: the server's GRE comes back on call 7" \
    '^call 7 server 256 peer 7 gre [1-3] of 3' "$T_OUT"
t_run t_ns "$S" timeout 10 "${KEYED[@]}" pptp-client --dst 3.3.3.3 --call 7
assert_match "PPTP 192.168.1.2 also call 7: its GRE comes back on its own call 7" \
    '^call 7 server 257 peer 7 gre [1-3] of 3' "$T_OUT"
calls=$(sed -n 's/^ocrq FROM 1\.1\.1\.1 call \([0-9]*\)$/\1/p' \
    "$T_TMP/pptp.log" | sort -u | tr '\n' ' ')
assert_eq "PPTP the server saw two different call ids from 1.1.1.1" \
    "7 8 " "$calls"

router_stop
t_done
