#!/bin/bash
# SPDX-License-Identifier: ISC
# Every hairpinctl command against a live daemon on the seed topology, as
# tables and as JSON (-j): status, interfaces with drop reasons, routes,
# neighbors, rules with counters, conntrack with its filters and flush, the
# events and trace streams, Prometheus metrics, and the exit codes of
# SPEC section 7. Values are checked, not just exit codes.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

t_setup
if [ "$ROUTER" != hairpind ]; then
	echo "SKIP: $T_NAME tests hairpind's control socket (ROUTER=$ROUTER)"
	T_DONE=1
	exit 77
fi
t_topology

C=$LAB_NS_CLIENT
S=$LAB_NS_SERVER
I=$LAB_NS_ISP

# ctl ARGS...: hairpinctl on this run's socket; stdout in $C_OUT, stderr in
# $C_ERR, exit status in $C_RC.
ctl() {
	timeout -k 2 10 "$HAIRPINCTL" -s "$T_SOCK" "$@" >"$T_TMP/ctl.out" \
	    2>"$T_TMP/ctl.err"
	C_RC=$?
	C_OUT=$(cat "$T_TMP/ctl.out")
	C_ERR=$(cat "$T_TMP/ctl.err")
}

# jv EXPR: a Python expression over the last JSON answer ($C_OUT): d is the
# answer, r its result; strings print as they are, the rest as JSON.
jv() {
	printf '%s\n' "$C_OUT" | "$PY" -c '
import json, sys
d = json.loads(sys.stdin.readline())
r = d.get("result")
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v))' "$1" 2>&1
}

# ctl_ok DESC ARGS...: run ctl, count a failure unless it exits 0.
ctl_ok() {
	local desc=$1
	shift
	ctl "$@"
	if [ "$C_RC" = 0 ]; then
		t_pass "$desc"
	else
		t_fail "$desc" "hairpinctl $* exited $C_RC" "$C_OUT" "$C_ERR"
	fi
}

# mac_of NS DEV: the MAC of a device inside a namespace.
mac_of() {
	ip -n "$1" -o link show dev "$2" |
	    sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# curl_port NS URL...: fetch, print "BODY|LOCALPORT" on one line.
curl_port() {
	local ns=$1
	shift
	t_curl "$ns" -w '|%{local_port}' "$@" | tr -d '\n'
}

# clients_are N: the daemon counts N control clients (this query included),
# so the stream clients started in the background are registered.
# shellcheck disable=SC2317 # called by lab_wait
clients_are() {
	"$HAIRPINCTL" -s "$T_SOCK" -j status |
	    grep -q "\"control-clients\":$1[,}]"
}

# pycheck NAME ARGS...: the Python checkers below, one file each, run with the
# system Python (prometheus_client is a Debian package).
pycheck() {
	local name=$1
	shift
	timeout 20 "$PY" "$T_TMP/$name.py" "$@"
}

# pyrun NAME ARGS...: pycheck with its output in $T_OUT, status in $T_RC.
pyrun() {
	T_OUT=$(pycheck "$@" 2>&1)
	T_RC=$?
}

PID_FILE=$LAB_STATE/hairpind.pid
CONF=$(t_config control)
CT_MAX=$("$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["conntrack"]["max"])' "$CONF")
VERSION=$("$HAIRPIND" -V | awk '{print $2}')

# A UDP echo server outside, for conntrack entries of another protocol.
t_bg udp-isp "$I" "${NETTOOL[@]}" udp-echo --bind 2.2.2.2 --ports 9000
lab_wait 10 lab_listening "$I" 2.2.2.2 9000 udp ||
    t_fail "UDP echo server on 2.2.2.2:9000"

t_start=$(date +%s)
router_start "$CONF" || t_done
PID=$(cat "$PID_FILE")

# --- status ------------------------------------------------------------------
ctl_ok "status -j exits 0" -j status
assert_eq "status: ok is true" true "$(jv 'd["ok"]')"
assert_eq "status: version is hairpind -V's" "$VERSION" "$(jv 'r["version"]')"
assert_eq "status: pid is the daemon's" "$PID" "$(jv 'r["pid"]')"
assert_eq "status: config is the file it runs" "$CONF" "$(jv 'r["config"]')"
assert_eq "status: conntrack-max is the config's" "$CT_MAX" \
    "$(jv 'r["conntrack-max"]')"
assert_eq "status: conntrack-count is 0 before any traffic" 0 \
    "$(jv 'r["conntrack-count"]')"
up=$(jv 'r["uptime"]')
elapsed=$(($(date +%s) - t_start + 1))
if [[ $up =~ ^[0-9]+$ ]] && [ "$up" -le "$elapsed" ]; then
	t_pass "status: uptime $up s, at most the $elapsed s since start"
else
	t_fail "status: uptime in seconds since start" "got: $up" \
	    "started at most $elapsed s ago"
fi
ctl_ok "status (table) exits 0" status
assert_match "status table: pid line" "^pid: +$PID\$" "$C_OUT"
assert_match "status table: config line" "^config: +$CONF\$" "$C_OUT"
assert_match "status table: conntrack-max line" \
    "^conntrack-max: +$CT_MAX\$" "$C_OUT"
assert_match "status table: version line" "^version: +$VERSION\$" "$C_OUT"
assert_match "status table: uptime line" '^uptime: +[0-9]' "$C_OUT"

# --- traffic: 3 hairpin curls, 1 from outside, 1 masqueraded --------------
ctl -j rules
RULES0=$C_OUT
ctl -j interfaces
IF0=$C_OUT
NH=3
HP_PORTS=()
for i in $(seq 1 $NH); do
	out=$(curl_port "$C" http://1.1.1.1/)
	body=${out%|*}
	port=${out##*|}
	HP_PORTS+=("$port")
	assert_match "hairpin curl $i: client port $port, server sees 192.168.1.1" \
	    '^hello from 192\.168\.1\.2, you are 192\.168\.1\.1:[0-9]+$' "$body"
	printf '%s %s\n' "$port" "${body##*:}" >>"$T_TMP/hairpin-ports"
done
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
assert_eq "outside curl via dst-nat, the server sees 2.2.2.2" 2.2.2.2 \
    "$(t_saw "$T_OUT")"
t_run t_curl "$C" http://2.2.2.2:8080/
assert_eq "LAN curl to 2.2.2.2:8080, masqueraded to 1.1.1.1" 1.1.1.1 \
    "$(t_saw "$T_OUT")"

# --- rules: counters of the first packet of each connection ---------------
cat >"$T_TMP/rules.py" <<'EOF'
import json, sys
def load(text):
    return {(x["chain"], x["index"]): x
            for x in json.loads(text.splitlines()[0])["result"]}
before, after = load(sys.argv[1]), load(sys.argv[2])
def find(words):
    for k, x in after.items():
        if all(w in x["rule"].split() for w in words):
            return k
    sys.exit("no rule with %s" % words)
for name, words in (("dst-nat", ["chain=dstnat", "action=dst-nat"]),
                    ("masquerade", ["chain=srcnat", "out-interface=wan"]),
                    ("hairpin", ["chain=srcnat", "out-interface=lan"])):
    k = find(words)
    print(name, k[0], k[1], after[k]["packets"] - before[k]["packets"],
          after[k]["bytes"] - before[k]["bytes"])
EOF
ctl_ok "rules -j exits 0" -j rules
RULES1=$C_OUT
deltas=$(pycheck rules "$RULES0" "$RULES1")
# Each new connection's first packet is a Linux SYN: 20 bytes of IP and 40
# of TCP (MSS, SACK permitted, timestamps, window scale), 60 in all.
assert_match "dst-nat rule: +$((NH + 1)) packets, +$(((NH + 1) * 60)) bytes ($((NH + 1)) new connections to 1.1.1.1:80)" \
    "^dst-nat dstnat [0-9]+ $((NH + 1)) $(((NH + 1) * 60))\$" "$deltas"
assert_match "hairpin rule: +$NH packets, +$((NH * 60)) bytes" \
    "^hairpin srcnat [0-9]+ $NH $((NH * 60))\$" "$deltas"
assert_match "masquerade rule: +1 packet, +60 bytes (the one LAN curl out)" \
    '^masquerade srcnat [0-9]+ 1 60$' "$deltas"
assert_eq "rules: every row has chain, index, rule, packets, bytes" true \
    "$(jv 'all(set(["chain","index","rule","packets","bytes"]) <= set(x) for x in r) and len(r) == 3')"
dn=$(jv '[x for x in r if x["chain"] == "dstnat"][0]')
dn_idx=$(printf '%s' "$dn" | "$PY" -c 'import json,sys; x=json.load(sys.stdin); print(x["index"], x["packets"], x["bytes"])')
read -r dn_i dn_p dn_b <<<"$dn_idx"
ctl_ok "rules (table) exits 0" rules
assert_match "rules table: the dst-nat rule in RouterOS syntax with its counters" \
    "^nat +dstnat +$dn_i +$dn_p +$dn_b +chain=dstnat .*action=dst-nat .*to-addresses=192\\.168\\.1\\.2" \
    "$C_OUT"
assert_match "rules table: the hairpin rule in RouterOS syntax" \
    '^nat +srcnat +[0-9]+ +[0-9]+ +[0-9]+ +chain=srcnat .*action=masquerade.*out-interface=lan' \
    "$C_OUT"

# --- conntrack: the tuples of each connection ------------------------------
cat >"$T_TMP/ct.py" <<'EOF'
import json, sys
rows = json.loads(sys.argv[1].splitlines()[0])["result"]
kind, arg = sys.argv[2], sys.argv[3:]
def one(pred):
    hits = [x for x in rows if pred(x)]
    if len(hits) != 1:
        sys.exit("%d entries match, want 1: %s" % (len(hits), rows))
    return hits[0]
if kind == "hairpin":
    port, seen = arg
    e = one(lambda x: x["src-address"] == "192.168.1.10:" + port)
    want = {"protocol": "tcp", "dst-address": "1.1.1.1:80",
            "reply-src-address": "192.168.1.2:80",
            "reply-dst-address": "192.168.1.1:" + seen,
            "srcnat": True, "dstnat": True}
elif kind == "outside":
    e = one(lambda x: x["src-address"].startswith("2.2.2.2:"))
    want = {"protocol": "tcp", "dst-address": "1.1.1.1:80",
            "reply-src-address": "192.168.1.2:80",
            "reply-dst-address": e["src-address"],
            "srcnat": False, "dstnat": True}
elif kind == "masquerade":
    e = one(lambda x: x["dst-address"] == "2.2.2.2:8080")
    want = {"protocol": "tcp", "reply-src-address": "2.2.2.2:8080",
            "srcnat": True, "dstnat": False}
    if not e["src-address"].startswith("192.168.1.10:") or \
            not e["reply-dst-address"].startswith("1.1.1.1:"):
        sys.exit("masquerade entry tuples: %s" % e)
bad = {k: (e.get(k), v) for k, v in want.items() if e.get(k) != v}
for k in ("orig-packets", "orig-bytes", "repl-packets", "repl-bytes",
          "timeout"):
    if not isinstance(e.get(k), int) or e[k] <= 0:
        bad[k] = (e.get(k), "> 0")
if e.get("tcp-state") not in ("time-wait", "close", "last-ack",
                              "fin-wait", "close-wait", "established"):
    bad["tcp-state"] = (e.get("tcp-state"), "a TCP state")
if bad:
    sys.exit("entry %s: %s" % (e, bad))
print("ok", e["orig-packets"] + e["repl-packets"])
EOF
ctl_ok "conntrack -j exits 0" -j conntrack
CT1=$C_OUT
ct_n=$(jv 'len(r)')
assert_eq "conntrack: 5 connections (3 hairpin, 1 outside, 1 out)" 5 "$ct_n"
while read -r port seen; do
	pyrun ct "$CT1" hairpin "$port" "$seen"
	assert_match "conntrack: hairpin 192.168.1.10:$port -> 1.1.1.1:80, reply 192.168.1.2:80 -> 192.168.1.1:$seen, srcnat+dstnat" \
	    '^ok ' "$T_OUT"
	assert_eq "... masquerade kept the client's port $port" "$port" "$seen"
done <"$T_TMP/hairpin-ports"
pyrun ct "$CT1" outside
assert_match "conntrack: 2.2.2.2:P -> 1.1.1.1:80, reply 192.168.1.2:80 -> 2.2.2.2:P, dstnat only" \
    '^ok ' "$T_OUT"
pyrun ct "$CT1" masquerade
assert_match "conntrack: 192.168.1.10:P -> 2.2.2.2:8080, reply to 1.1.1.1, srcnat only" \
    '^ok ' "$T_OUT"
ctl -j status
assert_eq "status: conntrack-count matches the listing" "$ct_n" \
    "$(jv 'r["conntrack-count"]')"
ctl_ok "conntrack (table) exits 0" conntrack
p1=${HP_PORTS[0]}
assert_match "conntrack table: the hairpin row with both NAT flags" \
    "^tcp +192\\.168\\.1\\.10:$p1 +1\\.1\\.1\\.1:80 +192\\.168\\.1\\.2:80 +192\\.168\\.1\\.1:$p1 +[a-z-]+ +[0-9dhms]+ +srcnat,dstnat +[0-9]+" \
    "$C_OUT"
assert_match "conntrack table: column header" \
    '^PROTO +SRC-ADDRESS +DST-ADDRESS +REPLY-SRC-ADDRESS +REPLY-DST-ADDRESS' \
    "$C_OUT"

# --- interfaces: counters moved by at least the connections' packets ------
cat >"$T_TMP/ifc.py" <<'EOF'
import json, sys
def load(t):
    return {x["name"]: x for x in json.loads(t.splitlines()[0])["result"]}
a, b = load(sys.argv[1]), load(sys.argv[2])
for name in ("wan", "lan"):
    print(name, *[b[name][k] - a[name][k] for k in
                  ("rx-packets", "rx-bytes", "tx-packets", "tx-bytes")])
EOF
cat >"$T_TMP/ctsum.py" <<'EOF'
import json, sys
rows = json.loads(sys.argv[1].splitlines()[0])["result"]
# Which link each direction of each connection crossed.
n = {"lan-rx": 0, "lan-tx": 0, "wan-rx": 0, "wan-tx": 0}
for x in rows:
    o, r = x["orig-packets"], x["repl-packets"]
    if x["src-address"].startswith("192.168.1.10:") and x["srcnat"] and \
            x["dstnat"]:
        n["lan-rx"] += o + r; n["lan-tx"] += o + r
    elif x["src-address"].startswith("2.2.2.2:"):
        n["wan-rx"] += o; n["lan-tx"] += o; n["lan-rx"] += r; n["wan-tx"] += r
    else:
        n["lan-rx"] += o; n["wan-tx"] += o; n["wan-rx"] += r; n["lan-tx"] += r
print(n["wan-rx"], n["wan-tx"], n["lan-rx"], n["lan-tx"])
EOF
ctl_ok "interfaces -j exits 0" -j interfaces
IF1=$C_OUT
read -r m_wrx m_wtx m_lrx m_ltx <<<"$(pycheck ctsum "$CT1")"
while read -r name rxp rxb txp txb; do
	case $name in
	wan) min_rx=$m_wrx min_tx=$m_wtx ;;
	lan) min_rx=$m_lrx min_tx=$m_ltx ;;
	esac
	# ARP adds a few frames; more than 20 would be frames from nowhere.
	if [ "$rxp" -ge "$min_rx" ] && [ "$rxp" -le $((min_rx + 20)) ] &&
	    [ "$txp" -ge "$min_tx" ] && [ "$txp" -le $((min_tx + 20)) ] &&
	    [ "$rxb" -gt $((rxp * 42)) ] && [ "$txb" -gt $((txp * 42)) ]; then
		t_pass "interfaces: $name rx +$rxp frames/+$rxb bytes, tx +$txp/+$txb (connections: rx $min_rx, tx $min_tx)"
	else
		t_fail "interfaces: $name counters follow the traffic" \
		    "rx +$rxp frames +$rxb bytes (connections crossing: $min_rx)" \
		    "tx +$txp frames +$txb bytes (connections crossing: $min_tx)"
	fi
done <<<"$(pycheck ifc "$IF0" "$IF1")"
assert_eq "interfaces: keys of SPEC section 7" true \
    "$(jv 'all(set(["name","tap","netns","mac","mtu","addresses","rx-packets","rx-bytes","tx-packets","tx-bytes","drops"]) <= set(x) and isinstance(x["drops"], dict) for x in r)')"
assert_eq "interfaces: lan row" \
    "[\"$LAB_TAP_LAN\", \"$LAB_NS_LAN\", [\"192.168.1.1/24\"], 1500]" \
    "$(jv '[[x["tap"], x["netns"], x["addresses"], x["mtu"]] for x in r if x["name"] == "lan"][0]')"
LAN_MAC=$(jv '[x["mac"] for x in r if x["name"] == "lan"][0]')
WAN_MAC=$(jv '[x["mac"] for x in r if x["name"] == "wan"][0]')
assert_match "interfaces: MACs are unicast, distinct" \
    '^[0-9a-f]{2}(:[0-9a-f]{2}){5} [0-9a-f]{2}(:[0-9a-f]{2}){5}$' \
    "$LAN_MAC $WAN_MAC"
[ "$LAN_MAC" != "$WAN_MAC" ] || t_fail "interfaces: lan and wan MACs differ"

# Drops by reason: 3 pings with TTL 1 (answered with time exceeded, not
# forwarded), 2 TCP segments shorter than a TCP header, 3 frames of an
# ethertype nobody speaks, all sent to the router's LAN MAC.
D0=$(jv '[x["drops"] for x in r if x["name"] == "lan"][0]')
t_run t_ns "$C" ping -n -c 3 -i 0.2 -W 1 -t 1 2.2.2.2
cat >"$T_TMP/raw.py" <<'EOF'
import socket, struct, sys
dst = bytes.fromhex(sys.argv[1].replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
src = s.getsockname()[4]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 24, 1, 0, 64, 6, 0,
                 socket.inet_aton("192.168.1.10"), socket.inet_aton("2.2.2.2"))
c = sum(struct.unpack("!10H", ip))
c = (c & 0xffff) + (c >> 16)
ip = ip[:10] + struct.pack("!H", ~c & 0xffff) + ip[12:]
for _ in range(2):      # IP total length leaves 4 bytes of TCP header
    s.send(dst + src + b"\x08\x00" + ip + b"\x12\x34\x00\x50" + bytes(22))
for _ in range(3):      # IEEE 802 local experimental ethertype
    s.send(dst + src + b"\x88\xb5" + bytes(46))
EOF
check "raw malformed frames sent to the router's LAN MAC" \
    t_ns "$C" "$PY" "$T_TMP/raw.py" "$LAN_MAC"
# The router reads them at once; a moment for the socket round trip.
sleep 0.3
ctl -j interfaces
D1=$(jv '[x["drops"] for x in r if x["name"] == "lan"][0]')
dd=$("$PY" -c '
import json, sys
a, b = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(" ".join("%s=%d" % (k, b.get(k, 0) - a.get(k, 0))
               for k in ("ttl-exceeded", "bad-l4-header", "unknown-ethertype")))' \
    "$D0" "$D1")
assert_eq "interfaces: lan drops by reason moved by what was sent" \
    "ttl-exceeded=3 bad-l4-header=2 unknown-ethertype=3" "$dd"
ctl_ok "interfaces (table) exits 0" interfaces
assert_match "interfaces table: header" \
    '^NAME +TAP +NETNS +MAC +MTU +ADDRESSES +RX-PACKETS +RX-BYTES +TX-PACKETS +TX-BYTES +DROPS' \
    "$C_OUT"
lan_line=$(printf '%s\n' "$C_OUT" | grep -E '^lan ')
assert_match "interfaces table: lan row with tap, netns, MAC, address" \
    "^lan +$LAB_TAP_LAN +$LAB_NS_LAN +$LAN_MAC +1500 +192\\.168\\.1\\.1/24 " \
    "$lan_line"
assert_match "interfaces table: lan drops ttl-exceeded" \
    'ttl-exceeded=[0-9]+' "$lan_line"
assert_match "interfaces table: lan drops bad-l4-header" \
    'bad-l4-header=[0-9]+' "$lan_line"

# --- routes ------------------------------------------------------------------
ctl_ok "routes -j exits 0" -j routes
assert_eq "routes: the connected, static and local routes" \
    '[["0.0.0.0/0", "1.1.1.254", "wan", "static"], ["1.1.1.0/24", null, "wan", "connected"], ["192.168.1.0/24", null, "lan", "connected"]]' \
    "$(jv 'sorted([x["dst"], x["gateway"], x["interface"], x["kind"]] for x in r if x["kind"] != "local")')"
ctl_ok "routes (table) exits 0" routes
assert_match "routes table: header" '^DST +GATEWAY +INTERFACE +KIND' "$C_OUT"
# the main table, distance, and RouterOS's A (active) flag
assert_match "routes table: default via 1.1.1.254" \
    '^0\.0\.0\.0/0 +1\.1\.1\.254 +wan +static +main +1 +A$' "$C_OUT"
assert_match "routes table: 192.168.1.0/24 connected on lan" \
    '^192\.168\.1\.0/24 +- +lan +connected +main +0 +A$' "$C_OUT"

# --- neighbors ---------------------------------------------------------------
CLI_MAC=$(mac_of "$C" eth0)
SRV_MAC=$(mac_of "$S" eth0)
ISP_MAC=$(mac_of "$I" "$LAB_TAP_WAN")
ctl_ok "neighbors -j exits 0" -j neighbors
assert_eq "neighbors: client, server and ISP with their MACs and links" \
    "[[\"1.1.1.254\", \"$ISP_MAC\", \"wan\"], [\"192.168.1.10\", \"$CLI_MAC\", \"lan\"], [\"192.168.1.2\", \"$SRV_MAC\", \"lan\"]]" \
    "$(jv 'sorted([x["address"], x["mac"], x["interface"]] for x in r)')"
assert_eq "neighbors: each has a state and an age" true \
    "$(jv 'all(isinstance(x["state"], str) and x["state"] and isinstance(x["age"], int) for x in r)')"
ctl_ok "neighbors (table) exits 0" neighbors
assert_match "neighbors table: header" '^ADDRESS +MAC +INTERFACE +STATE +AGE' \
    "$C_OUT"
assert_match "neighbors table: the server's row" \
    "^192\\.168\\.1\\.2 +$SRV_MAC +lan +[a-z]+ +[0-9]" "$C_OUT"

# --- conntrack filters -------------------------------------------------------
check "UDP 192.168.1.10 -> 2.2.2.2:9000 through masquerade" \
    t_ns "$C" "${NETTOOL[@]}" udp-send --dst 2.2.2.2:9000
check "ICMP echo 192.168.1.10 -> 1.1.1.254 through masquerade" \
    t_ns "$C" ping -n -c 1 -W 2 1.1.1.254
cat >"$T_TMP/filter.py" <<'EOF'
import ipaddress, json, sys
full = json.loads(sys.argv[1].splitlines()[0])["result"]
got = json.loads(sys.argv[2].splitlines()[0])["result"]
f = dict(w.split("=", 1) for w in sys.argv[3].split())
def ep(s):
    a, _, p = s.rpartition(":")
    return (ipaddress.ip_address(a), int(p)) if a else \
        (ipaddress.ip_address(s), None)
def tmatch(proto, src, dst):
    if "proto" in f and proto != f["proto"]:
        return False
    if "src" in f and src[0] not in ipaddress.ip_network(f["src"]):
        return False
    if "dst" in f and dst[0] not in ipaddress.ip_network(f["dst"]):
        return False
    if "port" in f and (proto == "icmp" or
                        int(f["port"]) not in (src[1], dst[1])):
        return False
    return True
def match(x):
    # Linux conntrack -L style: either direction's tuple may match.
    return (tmatch(x["protocol"], ep(x["src-address"]), ep(x["dst-address"]))
            or tmatch(x["protocol"], ep(x["reply-src-address"]),
                      ep(x["reply-dst-address"])))
key = lambda x: (x["protocol"], x["src-address"], x["dst-address"])
want = sorted(key(x) for x in full if match(x))
have = sorted(key(x) for x in got)
if want != have:
    sys.exit("want %s\nhave %s" % (want, have))
print(len(have))
EOF
ctl -j conntrack
CTF=$C_OUT
assert_eq "conntrack: 7 entries now (5 TCP, 1 UDP, 1 ICMP)" \
    '{"tcp": 5, "udp": 1, "icmp": 1}' \
    "$(jv '{p: sum(1 for x in r if x["protocol"] == p) for p in ("tcp", "udp", "icmp")}')"
# A filter selects a connection when either of its tuples matches, as
# Linux conntrack -L does: src=2.2.2.2 also selects the two masqueraded
# flows (2.2.2.2 is their reply source), dst=1.1.1.0/24 their replies to
# 1.1.1.1. filter.py applies that rule to the full listing independently.
for spec in "proto=udp:1" "proto=icmp:1" "proto=tcp:5" "port=8080:1" \
    "port=9000:1" "port=80:4" "src=2.2.2.2:3" "dst=2.2.2.2:3" \
    "src=192.168.1.10:6" "dst=1.1.1.0/24:7" "proto=tcp dst=1.1.1.1 port=80:4" \
    "proto=udp src=192.168.1.0/24 port=9000:1" "proto=udp port=80:0"; do
	filt=${spec%:*}
	n=${spec##*:}
	# shellcheck disable=SC2086 # the filter is several words
	ctl -j conntrack $filt
	if [ "$C_RC" != 0 ]; then
		t_fail "conntrack $filt" "exit $C_RC: $C_ERR"
		continue
	fi
	pyrun filter "$CTF" "$C_OUT" "$filt"
	if [ "$T_RC" = 0 ] && [ "$T_OUT" = "$n" ]; then
		t_pass "conntrack $filt selects exactly the $n matching entries"
	else
		t_fail "conntrack $filt selects the matching entries" \
		    "want $n entries" "$T_OUT"
	fi
done
ctl conntrack proto=udp
assert_match "conntrack proto=udp (table): the UDP row to 2.2.2.2:9000" \
    '^udp +192\.168\.1\.10:[0-9]+ +2\.2\.2\.2:9000 +2\.2\.2\.2:9000 +1\.1\.1\.1:[0-9]+ ' \
    "$C_OUT"
assert_no_match "conntrack proto=udp (table): no TCP row" '^tcp ' "$C_OUT"

# --- events: new, update, destroy of one hairpin connection ---------------
: >"$T_TMP/ev.j"
: >"$T_TMP/ev.h"
timeout -k 2 20 "$HAIRPINCTL" -s "$T_SOCK" -j events >"$T_TMP/ev.j" 2>&1 &
ev_j=$!
timeout -k 2 20 "$HAIRPINCTL" -s "$T_SOCK" events >"$T_TMP/ev.h" 2>&1 &
ev_h=$!
lab_wait 5 grep -q '"stream":"events"' "$T_TMP/ev.j" ||
    t_fail "events -j: stream header within 5 s" "$(cat "$T_TMP/ev.j")"
# The table form prints nothing before the first event: give it a moment.
ctl -j status
lab_wait 5 clients_are 3 ||
    t_note "events (table) client not seen by the daemon yet"
out=$(curl_port "$C" http://1.1.1.1/)
EV_PORT=${out##*|}
ctl -j status
n_before=$(jv 'r["conntrack-count"]')
ctl conntrack flush
assert_eq "conntrack flush exits 0" 0 "$C_RC"
assert_match "conntrack flush (table) reports the $n_before entries removed" \
    "(^| )$n_before( |\$)" "$C_OUT"
ctl -j conntrack
assert_eq "conntrack after flush: empty" '[]' "$(jv 'r')"
ctl -j status
assert_eq "status after flush: conntrack-count 0" 0 \
    "$(jv 'r["conntrack-count"]')"
ctl -j conntrack flush
assert_eq "conntrack flush -j on an empty table: result 0" '0' "$(jv 'r')"
lab_wait 5 grep -q '"event":"destroy".*192\.168\.1\.10:'"$EV_PORT" \
    "$T_TMP/ev.j" || true
lab_wait 5 grep -q "^destroy .*192\\.168\\.1\\.10:$EV_PORT " "$T_TMP/ev.h" ||
    true
kill "$ev_j" "$ev_h" 2>/dev/null
wait "$ev_j" "$ev_h" 2>/dev/null
cat >"$T_TMP/events.py" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
port = sys.argv[2]
head = json.loads(lines[0])
if head != {"ok": True, "stream": "events"}:
    sys.exit("header: %s" % lines[0])
evs = [json.loads(l) for l in lines[1:]]
mine = [e for e in evs if e.get("src-address") == "192.168.1.10:" + port]
kinds = [e["event"] for e in mine]
if not kinds or kinds[0] != "new" or kinds[-1] != "destroy" or \
        "update" not in kinds or kinds.count("new") != 1 or \
        kinds.count("destroy") != 1:
    sys.exit("events of the connection: %s" % kinds)
new = mine[0]
want = {"protocol": "tcp", "dst-address": "1.1.1.1:80",
        "reply-src-address": "192.168.1.2:80",
        "reply-dst-address": "192.168.1.1:" + port, "srcnat": True,
        "dstnat": True, "tcp-state": "syn-sent", "orig-packets": 1,
        "repl-packets": 0}
bad = {k: new.get(k) for k, v in want.items() if new.get(k) != v}
if bad:
    sys.exit("new event: %s" % bad)
if "established" not in [e.get("tcp-state") for e in mine if
                         e["event"] == "update"]:
    sys.exit("no update to established: %s" % mine)
last = mine[-1]
if last["orig-packets"] < 5 or last["repl-packets"] < 5:
    sys.exit("destroy event counters: %s" % last)
print(" ".join(kinds))
EOF
pyrun events "$T_TMP/ev.j" "$EV_PORT"
assert_match "events -j: new, update (to established)..., destroy (by the flush) for 192.168.1.10:$EV_PORT" \
    '^new( update)+ destroy$' "$T_OUT"
evh=$(cat "$T_TMP/ev.h")
assert_match "events (table): new line" \
    "^new +tcp +192\\.168\\.1\\.10:$EV_PORT -> 1\\.1\\.1\\.1:80 reply 192\\.168\\.1\\.2:80 -> 192\\.168\\.1\\.1:$EV_PORT syn-sent srcnat,dstnat" \
    "$evh"
assert_match "events (table): update to established" \
    "^update +tcp +192\\.168\\.1\\.10:$EV_PORT .* established " "$evh"
assert_match "events (table): destroy line" \
    "^destroy +tcp +192\\.168\\.1\\.10:$EV_PORT " "$evh"

# --- trace proto=tcp port=80 during a hairpin curl --------------------------
timeout -k 2 20 "$HAIRPINCTL" -s "$T_SOCK" -j trace proto=tcp port=80 \
    >"$T_TMP/tr.j" 2>&1 &
tr_j=$!
timeout -k 2 20 "$HAIRPINCTL" -s "$T_SOCK" trace proto=tcp port=80 \
    >"$T_TMP/tr.h" 2>&1 &
tr_h=$!
lab_wait 5 grep -q '"stream":"trace"' "$T_TMP/tr.j" ||
    t_fail "trace -j: stream header within 5 s" "$(cat "$T_TMP/tr.j")"
lab_wait 5 clients_are 3 ||
    t_note "trace (table) client not seen by the daemon yet"
t_run t_curl "$C" http://2.2.2.2:8080/
out=$(curl_port "$C" http://1.1.1.1/)
TR_PORT=${out##*|}
# The last packet of the connection: the client's final ACK.
lab_wait 5 grep -q "FIN" "$T_TMP/tr.h" || true
sleep 0.3
kill "$tr_j" "$tr_h" 2>/dev/null
wait "$tr_j" "$tr_h" 2>/dev/null
cat >"$T_TMP/trace.py" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
port = sys.argv[2]
if json.loads(lines[0]) != {"ok": True, "stream": "trace"}:
    sys.exit("header: %s" % lines[0])
pk = [json.loads(l) for l in lines[1:]]
for p in pk:
    ports = {p["src-address"].rsplit(":", 1)[1],
             p["dst-address"].rsplit(":", 1)[1]}
    if p.get("protocol") != "tcp" or "80" not in ports:
        sys.exit("packet outside the filter: %s" % p)
syn = [p for p in pk if p["src-address"] == "192.168.1.10:" + port and
       p.get("tcp-flags") == "SYN"]
if len(syn) != 1:
    sys.exit("%d SYNs from 192.168.1.10:%s" % (len(syn), port))
s = syn[0]
rules = s.get("rules", [])
dn = [r for r in rules if r["chain"] == "dstnat" and r["matched"]]
sn = [r for r in rules if r["chain"] == "srcnat" and r["matched"]]
errs = []
if s.get("in-interface") != "lan": errs.append("in-interface")
if s.get("conntrack") != "new": errs.append("conntrack")
if s.get("dst-address") != "1.1.1.1:80": errs.append("dst-address")
if len(dn) != 1 or "action=dst-nat" not in dn[0]["rule"]:
    errs.append("dstnat rule matched: %s" % dn)
if len(sn) != 1 or "out-interface=lan" not in sn[0]["rule"] or \
        "action=masquerade" not in sn[0]["rule"]:
    errs.append("srcnat hairpin rule matched: %s" % sn)
t = s.get("translation", "")
if "1.1.1.1:80 -> 192.168.1.2:80" not in t or \
        "192.168.1.10:%s -> 192.168.1.1:" % port not in t:
    errs.append("translation %r" % t)
if s.get("out-interface") != "lan": errs.append("out-interface")
if s.get("verdict") != "forward": errs.append("verdict")
rep = [p for p in pk if p["src-address"] == "192.168.1.2:80" and
       p["dst-address"].startswith("192.168.1.1:") and
       p.get("conntrack") == "established" and
       p.get("out-interface") == "lan"]
if not rep:
    errs.append("no reply packet 192.168.1.2:80 -> 192.168.1.1 traced")
if errs:
    sys.exit("SYN %s: %s" % (s, "; ".join(errs)))
print("ok", len(pk))
EOF
pyrun trace "$T_TMP/tr.j" "$TR_PORT"
assert_match "trace -j: the hairpin SYN: in lan, ct new, dstnat rule and srcnat hairpin rule matched, both translations, out lan, forward; replies traced; nothing but tcp/80" \
    '^ok [0-9]+$' "$T_OUT"
trh=$(cat "$T_TMP/tr.h")
assert_match "trace (table): the SYN line" \
    "^[0-9:.]+ lan tcp 192\\.168\\.1\\.10:$TR_PORT -> 1\\.1\\.1\\.1:80 \\[SYN\\] .*ct new" \
    "$trh"
assert_match "trace (table): the dst-nat rule matched" \
    '^ +nat dstnat #[0-9]+ MATCH +chain=dstnat .*action=dst-nat' "$trh"
assert_match "trace (table): the hairpin srcnat rule matched" \
    '^ +nat srcnat #[0-9]+ MATCH +chain=srcnat .*out-interface=lan' "$trh"
assert_match "trace (table): the translation" \
    "dst-nat dst 1\\.1\\.1\\.1:80 -> 192\\.168\\.1\\.2:80; src-nat src 192\\.168\\.1\\.10:$TR_PORT -> 192\\.168\\.1\\.1:" \
    "$trh"
assert_match "trace (table): out lan, forwarded" 'out lan: forward' "$trh"
assert_no_match "trace (table): the 8080 connection is filtered out" \
    ':8080' "$trh"

# --- metrics -----------------------------------------------------------------
cat >"$T_TMP/metrics.py" <<'EOF'
import json, sys
try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    sys.exit("python3-prometheus-client is not installed")
text = sys.stdin.read()
rules = json.loads(sys.argv[1].splitlines()[0])["result"]
ifcs = json.loads(sys.argv[2].splitlines()[0])["result"]
ct_max = int(sys.argv[3])
samples, types = {}, {}
for fam in text_string_to_metric_families(text):
    types[fam.name] = fam.type
    for s in fam.samples:
        key = (s.name, tuple(sorted(s.labels.items())))
        if key in samples:
            sys.exit("duplicate series %s" % (key,))
        samples[key] = s.value
def get(name, **labels):
    key = (name, tuple(sorted(labels.items())))
    if key not in samples:
        sys.exit("missing series %s%s" % (name, labels))
    return samples[key]
errs = []
for x in ifcs:
    for m, k in (("rx_packets", "rx-packets"), ("rx_bytes", "rx-bytes"),
                 ("tx_packets", "tx-packets"), ("tx_bytes", "tx-bytes")):
        v = get("hairpind_interface_%s_total" % m, interface=x["name"])
        if v < x[k]:
            errs.append("%s %s: %s < %s" % (x["name"], m, v, x[k]))
    for reason, n in x["drops"].items():
        v = get("hairpind_interface_drops_total", interface=x["name"],
                reason=reason)
        if v < n:
            errs.append("drops %s %s: %s < %s" % (x["name"], reason, v, n))
for r in rules:
    for m in ("packets", "bytes"):
        v = get("hairpind_rule_%s_total" % m, table=r.get("table", "nat"),
                chain=r["chain"], index=str(r["index"]))
        if v != r[m]:
            errs.append("rule %s/%s %s: %s != %s" % (r["chain"], r["index"],
                                                    m, v, r[m]))
if get("hairpind_conntrack_max") != ct_max:
    errs.append("conntrack_max %s" % get("hairpind_conntrack_max"))
get("hairpind_conntrack_entries")
for name in ("hairpind_interface_rx_packets", "hairpind_rule_packets",
             "hairpind_interface_drops"):
    if types.get(name) != "counter":
        errs.append("%s is a %s, not a counter" % (name, types.get(name)))
for name in ("hairpind_conntrack_entries", "hairpind_conntrack_max"):
    if types.get(name) != "gauge":
        errs.append("%s is a %s, not a gauge" % (name, types.get(name)))
if errs:
    sys.exit("; ".join(errs))
print("ok", len(samples))
EOF
ctl -j rules
RULES2=$C_OUT
ctl -j interfaces
IF2=$C_OUT
ctl_ok "metrics (text) exits 0" metrics
printf '%s\n' "$C_OUT" >"$T_TMP/metrics.txt"
T_OUT=$(timeout 20 "$PY" "$T_TMP/metrics.py" "$RULES2" "$IF2" "$CT_MAX" \
    <"$T_TMP/metrics.txt" 2>&1)
assert_match "metrics: valid Prometheus text; interface rx/tx, per-rule (table, chain, index), conntrack entries/max, drops by reason; values agree with rules and interfaces" \
    '^ok [0-9]+$' "$T_OUT"
m=$(cat "$T_TMP/metrics.txt")
assert_match "metrics: lan ttl-exceeded drops series" \
    '^hairpind_interface_drops_total\{interface="lan",reason="ttl-exceeded"\} [0-9]+' \
    "$m"
assert_match "metrics: per-rule series with chain and index labels" \
    '^hairpind_rule_packets_total\{.*chain="dstnat",index="0"\} [0-9]+' "$m"
ctl_ok "metrics -j exits 0" -j metrics
jv 'r' >"$T_TMP/metrics-j.txt"
T_OUT=$(timeout 20 "$PY" "$T_TMP/metrics.py" "$RULES2" "$IF2" "$CT_MAX" \
    <"$T_TMP/metrics-j.txt" 2>&1)
assert_match "metrics -j: the result string is the same exposition" \
    '^ok [0-9]+$' "$T_OUT"

# --- exit codes ----------------------------------------------------------------
ctl bogus
assert_eq "unknown command: exit 2" 2 "$C_RC"
assert_match "... and says so" 'unknown command' "$C_ERR"
ctl
assert_eq "no command: exit 2" 2 "$C_RC"
ctl conntrack proto=bogus
assert_eq "conntrack proto=bogus: the daemon's error, exit 1" 1 "$C_RC"
assert_match "... with its message" 'bad proto "bogus"' "$C_ERR"
ctl -j conntrack proto=bogus
assert_eq "conntrack -j proto=bogus: exit 1" 1 "$C_RC"
assert_eq "... and the error answer on stdout" false "$(jv 'd["ok"]')"
t_run timeout 10 "$HAIRPINCTL" -s "$T_TMP/nowhere.sock" status
assert_eq "no socket: exit 3" 3 "$T_RC"
ctl -j status
assert_eq "the daemon still answers after all that" "$PID" "$(jv 'r["pid"]')"

router_stop
ctl status
assert_eq "daemon gone: exit 3" 3 "$C_RC"

t_done
