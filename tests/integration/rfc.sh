#!/bin/bash
# SPDX-License-Identifier: ISC
# NAT behaviour against the RFCs, with real sockets on the seed topology:
# RFC 4787 (UDP) endpoint-independent mapping, port preservation, port
# class, no port overloading, address-and-port-dependent filtering and
# full cone with action=endpoint-independent-nat, mapping lifetime
# refreshed by outbound packets only; automatic hairpinning of UDP, TCP
# and ICMP echo with the sender seen as its external mapping (REQ-9a);
# RFC 5382 simultaneous open and the 6 s hold of an unsolicited SYN;
# RFC 5508 ICMP errors that neither refresh nor remove a mapping, and
# ICMP errors with a bad checksum dropped.
#
# The outside runs a STUN-like reflector (stun.py) on 2.2.2.2 and 3.3.3.3,
# ports 3478 and 3479. LAN-side sockets live in agents (stun.py agent), one
# per LAN host, driven through FIFOs so that a socket can stay open while
# the test does other things elsewhere.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

STUN=("$PY" "$T_DIR/stun.py")

# These are hairpind's own behaviours, read back through hairpinctl; the
# kernel stand-in has neither (netfilter does not hairpin by itself).
if [ "$ROUTER" != hairpind ]; then
	echo "rfc.sh tests hairpind itself, not ROUTER=$ROUTER" >&2
	exit 2
fi

t_setup
t_topology

C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER
I=$LAB_NS_ISP

# A second outside address: the "other IP" of RFC 5780 behaviour discovery.
ip -n "$I" addr add 3.3.3.3/32 dev lo ||
    t_fail "second outside address 3.3.3.3 in $I"
t_bg reflector "$I" "${STUN[@]}" reflector --addrs 2.2.2.2,3.3.3.3 \
    --ports 3478,3479 --log "$T_TMP/reflector.log"
if ! lab_wait 10 lab_listening "$I" 3.3.3.3 3479 udp ||
    ! lab_wait 10 lab_listening "$I" 3.3.3.3 3478 tcp; then
	t_fail "reflector listening on 2.2.2.2 and 3.3.3.3"
	t_done
fi

# --- agents --------------------------------------------------------------------

declare -A AG_W AG_R

# agent_start NAME NS: a stun.py agent in NS, fed through FIFOs.
agent_start() {
	local name=$1 ns=$2 w r
	mkfifo "$T_TMP/ag-$name.in" "$T_TMP/ag-$name.out" || return 1
	# Read-write opens do not block on a FIFO; the agent sees EOF when
	# the test ends and its descriptors close.
	exec {w}<>"$T_TMP/ag-$name.in"
	exec {r}<>"$T_TMP/ag-$name.out"
	AG_W[$name]=$w
	AG_R[$name]=$r
	ip netns exec "$ns" timeout 170 "${STUN[@]}" agent \
	    <"$T_TMP/ag-$name.in" >"$T_TMP/ag-$name.out" \
	    2>"$LAB_STATE/agent-$name.log" &
	echo $! >"$LAB_STATE/agent-$name.pid"
}

# ag_send NAME CMD...: a command to an agent; ag_read NAME [SECONDS]: its
# answer into $AG ("no answer" when none comes in time).
ag_send() {
	local name=$1
	shift
	echo "$*" >&"${AG_W[$name]}"
}

ag_read() {
	if ! read -r -t "${2:-10}" -u "${AG_R[$1]}" AG; then
		AG="no answer"
	fi
}

# ag NAME CMD...: both, with room for the longest command (keepalive).
ag() {
	local name=$1
	ag_send "$@"
	ag_read "$name" 15
}

agent_start c "$C" || t_fail "agent in $C"
agent_start s "$S" || t_fail "agent in $S"

# --- control socket queries ----------------------------------------------------

# drops IFACE REASON: the interface's drop counter.
drops() {
	"$HAIRPINCTL" -s "$T_SOCK" -j interfaces 2>/dev/null | "$PY" -c '
import json, sys
want, reason = sys.argv[1], sys.argv[2]
for line in sys.stdin:
    for i in json.loads(line).get("result", []):
        if i.get("name") == want:
            print(i.get("drops", {}).get(reason, 0))
            sys.exit(0)
print("?")' "$1" "$2"
}

# ct PROTO SRC DST [FIELD]: FIELD (default timeout) of the conntrack entry
# whose original tuple is SRC -> DST ("none" when there is none).
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

# in_range DESC LO HI VALUE
in_range() {
	if [[ $4 =~ ^[0-9]+$ ]] && [ "$4" -ge "$2" ] && [ "$4" -le "$3" ]; then
		t_pass "$1 ($4)"
	else
		t_fail "$1" "expected $2..$3" "got: $4"
	fi
}

# field N TEXT: the Nth word.
field() {
	local -a w
	read -r -a w <<<"$2"
	echo "${w[$1]:-}"
}

# write_conf NAME NAT-RULES [EXTRA-YAML]: a config for this run's lab.
write_conf() {
	local f=$T_TMP/$1.yaml
	cat >"$f" <<EOF
interfaces:
  - name: wan
    tap: $LAB_TAP_WAN
    netns: $LAB_NS_ISP
    addresses: [1.1.1.1/24]
    mtu: ${WAN_MTU:-1500}
  - name: lan
    tap: $LAB_TAP_LAN
    netns: $LAB_NS_LAN
    addresses: [192.168.1.1/24]
routes:
  - dst: 0.0.0.0/0
    gateway: 1.1.1.254
nat:
$2
control:
  socket: $T_SOCK
$3
EOF
	echo "$f"
}

# ==============================================================================
# A. The seed's masquerade: endpoint-independent mapping, address-and-port-
#    dependent filtering, automatic hairpinning.
# ==============================================================================
CONF_A=$(WAN_MTU=1400 write_conf masq '  - chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=80 action=dst-nat to-addresses=192.168.1.2
  - chain=srcnat out-interface=wan action=masquerade')
router_start "$CONF_A" || t_done

# RFC 5382 REQ-4, measured in the background while the rest runs: an
# unsolicited SYN to 1.1.1.1:45000 (no mapping) gets nothing for at least
# 6 s, then ICMP port unreachable (connect() fails with ECONNREFUSED).
timeout 20 ip netns exec "$I" "${STUN[@]}" tcp-connect --src 2.2.2.2:0 \
    --dst 1.1.1.1:45000 --timeout 12 >"$T_TMP/synhold.out" 2>&1 &
SYNHOLD_PID=$!

# --- RFC 4787 REQ-1: one socket, four destinations, one mapping -------------
ag c udp m 0.0.0.0 40000
ag c query m 2.2.2.2:3478
mapped=$(field 1 "$AG")
assert_eq "REQ-3 port preservation: 192.168.1.10:40000 maps to 1.1.1.1:40000" \
    1.1.1.1:40000 "$mapped"
for d in 2.2.2.2:3479 3.3.3.3:3478 3.3.3.3:3479; do
	ag c query m "$d"
	assert_eq "REQ-1 endpoint-independent mapping: same mapping towards $d" \
	    1.1.1.1:40000 "$(field 1 "$AG")"
done
n=$(grep -c 'from 1\.1\.1\.1:40000 BINDING' "$T_TMP/reflector.log")
assert_eq "REQ-1 the reflector saw all four requests from 1.1.1.1:40000" \
    4 "$n"

# --- REQ-5 and RFC 5382 REQ-5: default timers ----------------------------------
# The answer made the flow a stream, but only an outbound packet restarts
# its timer (REQ-6): one more datagram out, then udp-stream applies.
ag c send m 2.2.2.2:3478 KEEPALIVE
sleep 0.3
in_range "REQ-5 a replied UDP mapping, refreshed outbound, lives udp-stream 5m" \
    290 300 "$(ct udp 192.168.1.10:40000 2.2.2.2:3478)"
ag c send m 2.2.2.2:3990 unanswered
sleep 0.3
in_range "REQ-5 an unreplied UDP mapping lives udp 2m (>= 2 min)" 110 120 \
    "$(ct udp 192.168.1.10:40000 2.2.2.2:3990)"

# --- REQ-3a port class and no overloading --------------------------------------
ag c udp low 0.0.0.0 700
ag c query low 2.2.2.2:3478
assert_eq "REQ-3a a port below 1024 is preserved when free" \
    1.1.1.1:700 "$(field 1 "$AG")"
ag s udp low 0.0.0.0 700
ag s query low 2.2.2.2:3478
p=$(field 1 "$AG")
p=${p#1.1.1.1:}
if [[ $p =~ ^[0-9]+$ ]] && [ "$p" != 700 ] && [ "$p" -ge 1 ] &&
    [ "$p" -le 1023 ]; then
	t_pass "REQ-3/3a second host's port 700 maps to another port < 1024 ($p)"
else
	t_fail "REQ-3/3a second host's port 700 maps to another port < 1024" \
	    "got: $AG"
fi
ag s udp m 0.0.0.0 40000
ag s query m 2.2.2.2:3478
p=$(field 1 "$AG")
p=${p#1.1.1.1:}
if [[ $p =~ ^[0-9]+$ ]] && [ "$p" != 40000 ] && [ "$p" -ge 1024 ]; then
	t_pass "REQ-3 no port overloading: 192.168.1.2:40000 gets 1.1.1.1:$p"
else
	t_fail "REQ-3 no port overloading: 192.168.1.2:40000 gets its own port" \
	    "got: $AG"
fi
ag c query m 3.3.3.3:3479
assert_eq "REQ-3 ... and 192.168.1.10:40000 keeps 1.1.1.1:40000" \
    1.1.1.1:40000 "$(field 1 "$AG")"

# --- REQ-8: address-and-port-dependent filtering ---------------------------------
f0=$(drops wan nat-filtered)
ag c udp f 0.0.0.0 40300
ag c query f 2.2.2.2:3478
assert_eq "REQ-8 the endpoint the client sent to answers it" \
    "ok 1.1.1.1:40300 2.2.2.2:3478" "$AG"
ag c query f 2.2.2.2:3478 change-port once
assert_eq "REQ-8 the same host from another port (3479) is filtered" \
    timeout "$AG"
ag c query f 2.2.2.2:3478 change-ip once
assert_eq "REQ-8 another host (3.3.3.3) is filtered" timeout "$AG"
t_run t_ns "$I" "${STUN[@]}" send-from --src 2.2.2.2:5555 \
    --dst 1.1.1.1:40300 --text unsolicited
ag c recv f 1.5
assert_eq "REQ-8 an unsolicited datagram from 2.2.2.2:5555 is filtered" \
    timeout "$AG"
f1=$(drops wan nat-filtered)
assert_eq "REQ-8 the three are counted as nat-filtered on wan" \
    "$((f0 + 3))" "$f1"

# --- REQ-13: DF set and too big for the WAN link (mtu 1400 here) -----------
# The error must reach the LAN host, about the datagram as it sent it.
ag c udp df 0.0.0.0 40400
ag c pmtu df 2.2.2.2:3478 1450
assert_eq "REQ-13 DF datagram too big: frag-needed (mtu 1400) reaches the LAN host" \
    "ok icmp type=3 code=4 mtu=1400 from 192.168.1.1" "$AG"

# --- REQ-9/9a: UDP hairpinning ----------------------------------------------------
ag c udp h 0.0.0.0 41000
ag c query h 2.2.2.2:3478
mc=$(field 1 "$AG")
ag s udp h 0.0.0.0 41001
ag s query h 3.3.3.3:3478
ms=$(field 1 "$AG")
assert_eq "hairpin UDP: the mappings are 1.1.1.1:41000 and 1.1.1.1:41001" \
    "1.1.1.1:41000 1.1.1.1:41001" "$mc $ms"
ag c send h "$ms" hello-from-client
ag s recv h 2
assert_eq "REQ-9 UDP from the client to the server's mapping arrives, from the client's mapping (REQ-9a)" \
    "ok FROM $mc hello-from-client" "$AG"
ag s send h "$mc" hello-from-server
ag c recv h 2
assert_eq "REQ-9 the server's answer to 1.1.1.1:41000 arrives from 1.1.1.1:41001" \
    "ok FROM $ms hello-from-server" "$AG"
# Not only an answer: the server opens its own flow to the client's mapping.
ag s udp h2 0.0.0.0 41002
ag s query h2 2.2.2.2:3479
ms2=$(field 1 "$AG")
ag s send h2 "$mc" new-flow
ag c recv h 2
assert_eq "REQ-9 a new flow from the server to 1.1.1.1:41000 arrives from its mapping $ms2" \
    "ok FROM $ms2 new-flow" "$AG"

# RFC 5508 REQ-7: a hairpinned ICMP error. The server closes its socket;
# its kernel answers the next datagram to 1.1.1.1:41001 with port
# unreachable, which must reach the client as an error on its socket.
ag s close h
ag c udp he 0.0.0.0 41010 recverr
ag c send he "$ms" to-a-closed-port
ag c recv he 2
assert_eq "RFC 5508 REQ-7 a hairpinned ICMP error reaches the client (ECONNREFUSED)" \
    "err ECONNREFUSED" "$AG"

# --- RFC 5382 REQ-8: TCP hairpinning --------------------------------------------------
# Each host keeps a connection to the outside from a fixed port, so that
# port is a TCP mapping; the server also listens on its port (SO_REUSEADDR,
# as TCP hole punching does) and the client connects to the server's
# mapping from its own mapped port.
ag c tcp-stun ts 0.0.0.0 43000 2.2.2.2:3478
mct=$(field 1 "$AG")
ag s tcp-stun ts 0.0.0.0 43100 3.3.3.3:3478
mst=$(field 1 "$AG")
assert_eq "TCP mappings (REQ-1, port preserved): 1.1.1.1:43000 and 1.1.1.1:43100" \
    "1.1.1.1:43000 1.1.1.1:43100" "$mct $mst"
in_range "RFC 5382 REQ-5 an established TCP connection lives 1d (>= 2h4m)" \
    86390 86400 "$(ct tcp 192.168.1.10:43000 2.2.2.2:3478)"
ag s tcp-listen tl 0.0.0.0 43100
assert_eq "the server listens on its mapped port 43100" ok "$AG"
ag c tcp-connect th 0.0.0.0 43000 "$mst" 5
assert_match "RFC 5382 REQ-8 the client connects to the server's mapping $mst" \
    '^ok ' "$AG"
ag s tcp-accept tl tc 5
assert_eq "RFC 5382 REQ-8 the server sees the client's external mapping (REQ-9a)" \
    "ok $mct" "$AG"
ag c tcp-send th ping-over-hairpin
ag s tcp-recv tc 3
assert_eq "TCP hairpin: data client -> server" "ok ping-over-hairpin" "$AG"
ag s tcp-send tc pong-over-hairpin
ag c tcp-recv th 3
assert_eq "TCP hairpin: data server -> client" "ok pong-over-hairpin" "$AG"
assert_eq "TCP hairpin: conntrack sees 192.168.1.2:43100 answer as 1.1.1.1:43000's peer" \
    192.168.1.2:43100 "$(ct tcp 192.168.1.10:43000 1.1.1.1:43100 \
    reply-src-address)"

# An unsolicited SYN from outside to an existing TCP mapping is filtered.
f0=$(drops wan nat-filtered)
t_run t_ns "$I" "${STUN[@]}" tcp-connect --src 2.2.2.2:0 \
    --dst 1.1.1.1:43000 --timeout 2
assert_match "RFC 5382 REQ-3 filtering: outside SYN to mapping 1.1.1.1:43000 gets nothing" \
    '^timeout after' "$T_OUT"
f1=$(drops wan nat-filtered)
if [[ $f1 =~ ^[0-9]+$ ]] && [ "$f1" -gt "$f0" ]; then
	t_pass "... counted as nat-filtered ($f0 -> $f1)"
else
	t_fail "... counted as nat-filtered" "before $f0, after $f1"
fi

# --- RFC 5508 REQ-7: ICMP echo hairpinning ---------------------------------------------
ag c icmp-watch w
t_run t_ns "$C" "${NETTOOL[@]}" icmp-echo --dst 2.2.2.2 --id 4242 --count 1
assert_match "client pings 2.2.2.2 with id 4242 (the ICMP mapping)" \
    '^1/1 echo replies' "$T_OUT"
assert_eq "... query id preserved: 1.1.1.1 id 4242" 4242 \
    "$(ct icmp 192.168.1.10 2.2.2.2 reply-icmp-id)"
t_run t_ns "$S" "${NETTOOL[@]}" icmp-echo --dst 1.1.1.1 --id 4242 --count 2
assert_match "RFC 5508 REQ-7 the server pings 1.1.1.1 id 4242 and gets answers" \
    '^2/2 echo replies' "$T_OUT"
ag c icmp-next w 2
got=$AG
sid=$(ct icmp 192.168.1.2 1.1.1.1 reply-icmp-id)
if [[ $sid =~ ^[0-9]+$ ]] && [ "$sid" != 4242 ] &&
    [ "$got" = "ok ECHO FROM 1.1.1.1 ID $sid" ]; then
	t_pass "RFC 5508 REQ-7 the echo reached the client, from the server's mapping 1.1.1.1 id $sid"
else
	t_fail "RFC 5508 REQ-7 the echo reached the client from the server's mapping" \
	    "client saw: $got" "server's mapped id: $sid"
fi
assert_eq "... conntrack: the answer comes from 192.168.1.10" 192.168.1.10 \
    "$(ct icmp 192.168.1.2 1.1.1.1 reply-src-address)"

# --- RFC 5382 REQ-2 (simultaneous open) ------------------------------------------------
# Both ends bind fixed ports; port preservation makes 1.1.1.1:44000
# predictable. The outside connects first: its SYN meets no mapping and is
# held (REQ-4); the LAN SYN then opens the mapping, the outside host answers
# it with SYN/ACK, and both connect() calls succeed.
timeout 15 ip netns exec "$I" "${STUN[@]}" tcp-connect --src 2.2.2.2:44001 \
    --dst 1.1.1.1:44000 --timeout 8 --say hi-from-outside \
    >"$T_TMP/simopen.out" 2>&1 &
so_pid=$!
sleep 0.5
ag c tcp-connect so 0.0.0.0 44000 2.2.2.2:44001 8
assert_eq "RFC 5382 REQ-2 simultaneous open: the LAN side's connect() succeeds" \
    "ok 192.168.1.10:44000" "$AG"
ag c tcp-recv so 5
assert_eq "simultaneous open: data from outside arrives" "ok hi-from-outside" \
    "$AG"
assert_eq "simultaneous open: conntrack entry established" established \
    "$(ct tcp 192.168.1.10:44000 2.2.2.2:44001 tcp-state)"
ag c tcp-send so hi-from-lan
wait "$so_pid"
assert_match "simultaneous open: the outside's connect() succeeds, data back" \
    '^connected after [0-9.]+ s, got hi-from-lan$' "$(cat "$T_TMP/simopen.out")"

# --- RFC 5382 REQ-4: the unsolicited SYN started at the top ----------------------------
wait "$SYNHOLD_PID"
out=$(cat "$T_TMP/synhold.out")
secs=$(sed -n 's/^refused after \([0-9.]*\) s$/\1/p' <<<"$out")
if [ -n "$secs" ] && "$PY" -c 'import sys; t = float(sys.argv[1]); sys.exit(0 if 6.0 <= t <= 8.5 else 1)' "$secs"; then
	t_pass "RFC 5382 REQ-4 unsolicited SYN: silence, then port unreachable after ${secs} s (>= 6 s)"
else
	t_fail "RFC 5382 REQ-4 unsolicited SYN: silence for >= 6 s, then port unreachable" \
	    "expected: refused after 6.0 .. 8.5 s" "got: ${out:-(nothing)}"
fi

router_stop

# ==============================================================================
# B. Full cone: action=endpoint-independent-nat in srcnat and dstnat.
# ==============================================================================
CONF_B=$(write_conf eim '  - chain=dstnat in-interface=wan protocol=udp action=endpoint-independent-nat
  - chain=srcnat out-interface=wan protocol=udp action=endpoint-independent-nat
  - chain=srcnat out-interface=wan action=masquerade')
router_start "$CONF_B" || t_done
f0=$(drops wan nat-filtered)
ag c udp e 0.0.0.0 40500
ag c query e 2.2.2.2:3478
assert_eq "EIM: 192.168.1.10:40500 maps to 1.1.1.1:40500" \
    "ok 1.1.1.1:40500 2.2.2.2:3478" "$AG"
ag c query e 2.2.2.2:3478 change-port once
assert_eq "REQ-8 endpoint-independent filtering: the other port answers" \
    "ok 1.1.1.1:40500 2.2.2.2:3479" "$AG"
ag c query e 2.2.2.2:3478 change-ip once
assert_eq "REQ-8 endpoint-independent filtering: the other host answers" \
    "ok 1.1.1.1:40500 3.3.3.3:3478" "$AG"
t_run t_ns "$I" "${STUN[@]}" send-from --src 2.2.2.2:5555 \
    --dst 1.1.1.1:40500 --text from-anyone
ag c recv e 2
assert_eq "REQ-8 full cone: an outside host never contacted gets in" \
    "ok FROM 2.2.2.2:5555 from-anyone" "$AG"
ag c query e 3.3.3.3:3479
assert_eq "EIM: the mapping is the same towards 3.3.3.3:3479" \
    "ok 1.1.1.1:40500 3.3.3.3:3479" "$AG"
assert_eq "EIM: nothing was nat-filtered" "$f0" "$(drops wan nat-filtered)"
router_stop

# ==============================================================================
# C. Mapping lifetime with short timers: udp 5s, udp-stream 5s.
# ==============================================================================
CONF_C=$(write_conf short '  - chain=srcnat out-interface=wan action=masquerade' \
'conntrack:
  timeouts: { udp: 5s, udp-stream: 5s }')
router_start "$CONF_C" || t_done

# REQ-6: the client gets 9 answers one second apart and sends nothing; the
# server sends a keepalive every second and gets nothing. Both at once.
ag c udp in 0.0.0.0 40600
ag c query in 2.2.2.2:3478 stream 9
assert_eq "REQ-6 client mapping 1.1.1.1:40600 made" \
    "ok 1.1.1.1:40600 2.2.2.2:3478" "$AG"
ag s udp out 0.0.0.0 40601
ag s query out 2.2.2.2:3478
assert_eq "REQ-6 server mapping 1.1.1.1:40601 made" \
    "ok 1.1.1.1:40601 2.2.2.2:3478" "$AG"
ag_send c count in 9.5
ag_send s keepalive out 2.2.2.2:3478 9 1
sleep 7.5
t_ct_in=$(ct udp 192.168.1.10:40600 2.2.2.2:3478)
t_ct_out=$(ct udp 192.168.1.2:40601 2.2.2.2:3478)
ag_read c 15
n=$(field 1 "$AG")
ag_read s 15
assert_eq "REQ-6 inbound-only: the mapping is gone after 7.5 s" none "$t_ct_in"
if [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] && [ "$n" -le 6 ]; then
	t_pass "REQ-6 inbound-only: $n of the 8 later answers arrived before it expired"
else
	t_fail "REQ-6 inbound-only: only the answers within ~5 s arrive" \
	    "expected 2..6 of 8" "got: $AG"
fi
in_range "REQ-6 outbound keepalives keep the server's mapping alive at 7.5 s" \
    1 5 "$t_ct_out"

# RFC 5508 REQ-5 (and RFC 4787 REQ-6): an ICMP error about the flow
# neither refreshes nor removes it.
ag c udp ie 0.0.0.0 40700 recverr
ag c query ie 2.2.2.2:3478
assert_eq "ICMP error test: mapping 1.1.1.1:40700" \
    "ok 1.1.1.1:40700 2.2.2.2:3478" "$AG"
sleep 2.2
t1=$(ct udp 192.168.1.10:40700 2.2.2.2:3478)
t_run t_ns "$I" "${STUN[@]}" icmp-error --src 2.2.2.2 --dst 1.1.1.1 \
    --inner-src 1.1.1.1:40700 --inner-dst 2.2.2.2:3478
ag c recv ie 2
assert_eq "RFC 5508 REQ-3/4 the ICMP error reaches the client translated" \
    "err ECONNREFUSED" "$AG"
t2=$(ct udp 192.168.1.10:40700 2.2.2.2:3478)
in_range "the entry is there before the error, ~3 s left" 1 3 "$t1"
in_range "RFC 5508: after the error the entry is neither removed nor refreshed" \
    1 "${t1:-0}" "$t2"
b0=$(drops wan bad-icmp)
t_run t_ns "$I" "${STUN[@]}" icmp-error --src 2.2.2.2 --dst 1.1.1.1 \
    --inner-src 1.1.1.1:40700 --inner-dst 2.2.2.2:3478 --bad-checksum
ag c recv ie 1
assert_eq "RFC 5508 REQ-3 an ICMP error with a bad checksum is not forwarded" \
    timeout "$AG"
assert_eq "... and counted as bad-icmp on wan" "$((b0 + 1))" \
    "$(drops wan bad-icmp)"
sleep 4
assert_eq "the entry then expires on its own timer" none \
    "$(ct udp 192.168.1.10:40700 2.2.2.2:3478)"

router_stop
ag_send c quit
ag_send s quit
t_done
