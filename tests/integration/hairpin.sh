#!/bin/bash
# SPDX-License-Identifier: ISC
# Hairpinning to a mapping of the sender's own host (issue 15): two sockets
# of one LAN host, as RFC 5780 4.5 behaviour discovery (coturn's
# turnutils_natdiscovery -H) does it, for UDP, TCP and ICMP echo; and one
# socket sending to its own mapping (the classic stun client), which is
# reflected without a conntrack entry (docs/RFC-COMPLIANCE.md, REQ-9).

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

STUN=("$PY" "$T_DIR/stun.py")

if [ "$ROUTER" != hairpind ]; then
	echo "hairpin.sh tests hairpind itself, not ROUTER=$ROUTER" >&2
	exit 2
fi

t_setup
t_topology

C=$LAB_NS_CLIENT
I=$LAB_NS_ISP

ip -n "$I" addr add 3.3.3.3/32 dev lo ||
    t_fail "second outside address 3.3.3.3 in $I"
t_bg reflector "$I" "${STUN[@]}" reflector --addrs 2.2.2.2,3.3.3.3 \
    --ports 3478,3479 --log "$T_TMP/reflector.log"
if ! lab_wait 10 lab_listening "$I" 2.2.2.2 3478 tcp; then
	t_fail "reflector listening on 2.2.2.2"
	t_done
fi

declare -A AG_W AG_R

agent_start() {
	local name=$1 ns=$2 w r
	mkfifo "$T_TMP/ag-$name.in" "$T_TMP/ag-$name.out" || return 1
	exec {w}<>"$T_TMP/ag-$name.in"
	exec {r}<>"$T_TMP/ag-$name.out"
	AG_W[$name]=$w
	AG_R[$name]=$r
	ip netns exec "$ns" timeout 120 "${STUN[@]}" agent \
	    <"$T_TMP/ag-$name.in" >"$T_TMP/ag-$name.out" \
	    2>"$LAB_STATE/agent-$name.log" &
	echo $! >"$LAB_STATE/agent-$name.pid"
}

ag_send() {
	local name=$1
	shift
	echo "$*" >&"${AG_W[$name]}"
}

ag() {
	ag_send "$@"
	if ! read -r -t 15 -u "${AG_R[$1]}" AG; then
		AG="no answer"
	fi
}

field() {
	local -a w
	read -r -a w <<<"$2"
	echo "${w[$1]:-}"
}

# ct PROTO SRC DST [FIELD]: FIELD of the entry whose orig is SRC -> DST.
ct() {
	"$HAIRPINCTL" -s "$T_SOCK" -j conntrack "proto=$1" 2>/dev/null |
	    "$PY" -c '
import json, sys
src, dst, field = sys.argv[1:4]
for line in sys.stdin:
    for e in json.loads(line).get("result", []):
        if e.get("src-address") == src and e.get("dst-address") == dst:
            v = e.get(field)
            print(json.dumps(v) if not isinstance(v, str) else v)
            sys.exit(0)
print("none")' "$2" "$3" "${4:-timeout}"
}

agent_start c "$C" || t_fail "agent in $C"

CONF=$T_TMP/hairpin.yaml
cat >"$CONF" <<EOF
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
router_start "$CONF" || t_done

# --- UDP: two sockets of 192.168.1.10 -------------------------------------
ag c udp a 0.0.0.0 41000
ag c query a 2.2.2.2:3478
ma=$(field 1 "$AG")
ag c udp b 0.0.0.0 41001
ag c query b 2.2.2.2:3478
mb=$(field 1 "$AG")
assert_eq "two sockets of one host, two mappings" \
    "1.1.1.1:41000 1.1.1.1:41001" "$ma $mb"
ag c send b "$ma" hello-from-b
ag c recv a 2
assert_eq "UDP socket b -> socket a's mapping arrives at a, from b's mapping (REQ-9a)" \
    "ok FROM $mb hello-from-b" "$AG"
ag c send a "$mb" answer-from-a
ag c recv b 2
assert_eq "UDP a answers b's mapping; b sees it from a's mapping" \
    "ok FROM $ma answer-from-a" "$AG"
assert_eq "conntrack: 192.168.1.10:41001 -> $ma is answered by 192.168.1.10:41000" \
    192.168.1.10:41000 "$(ct udp 192.168.1.10:41001 "$ma" reply-src-address)"

# --- UDP: one socket to its own mapping (classic stun "hairpin" test) -----
ag c send a "$ma" to-myself
ag c recv a 2
assert_eq "UDP one socket -> its own mapping comes back to it, from the mapping" \
    "ok FROM $ma to-myself" "$AG"
assert_eq "... reflected without a conntrack entry (orig = reply)" none \
    "$(ct udp 192.168.1.10:41000 "$ma")"

# --- TCP: a second socket connects to the first's mapping -----------------
ag c tcp-stun ts 0.0.0.0 43000 2.2.2.2:3478
mt=$(field 1 "$AG")
assert_eq "TCP mapping 1.1.1.1:43000" 1.1.1.1:43000 "$mt"
ag c tcp-listen tl 0.0.0.0 43000
ag c tcp-connect th 0.0.0.0 43010 "$mt" 5
assert_match "TCP socket 43010 connects to its own host's mapping $mt" \
    '^ok ' "$AG"
ag c tcp-accept tl tc 5
assert_eq "TCP the listener sees the connecting socket's mapping (REQ-9a)" \
    "ok 1.1.1.1:43010" "$AG"
ag c tcp-send th ping-self-host
ag c tcp-recv tc 3
assert_eq "TCP data over the same-host hairpin, one way" "ok ping-self-host" \
    "$AG"
ag c tcp-send tc pong-self-host
ag c tcp-recv th 3
assert_eq "TCP data over the same-host hairpin, the other way" \
    "ok pong-self-host" "$AG"

# --- TCP: one socket to its own mapping (a simultaneous open with itself) --
ag c tcp-connect self 0.0.0.0 43000 "$mt" 5
assert_eq "TCP socket 43000 -> its own mapping $mt: connected (reflected SYNs)" \
    "ok 192.168.1.10:43000" "$AG"
ag c tcp-send self talking-to-myself
ag c tcp-recv self 3
assert_eq "TCP what it sends comes back to it" "ok talking-to-myself" "$AG"

# --- ICMP: an echo to the host's own query mapping ------------------------
ag c icmp-watch w
t_run t_ns "$C" "${NETTOOL[@]}" icmp-echo --dst 2.2.2.2 --id 4242 --count 1
assert_match "client pings 2.2.2.2 with id 4242 (the ICMP mapping)" \
    '^1/1 echo replies' "$T_OUT"
t_run t_ns "$C" "${NETTOOL[@]}" icmp-echo --dst 1.1.1.1 --id 4242 --count 2
assert_match "a second ICMP socket of the client pings 1.1.1.1 id 4242: answered" \
    '^2/2 echo replies' "$T_OUT"
ag c icmp-next w 2
assert_match "... the echo was hairpinned to the mapping's owner, the client itself" \
    '^ok ECHO FROM 1\.1\.1\.1 ID [0-9]+$' "$AG"

router_stop
ag_send c quit
t_done
