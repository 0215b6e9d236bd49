#!/bin/bash
# SPDX-License-Identifier: ISC
# Policy routing from a RouterOS export, with three ISPs: PCC dual-WAN as
# the manual writes it (per-connection-classifier, mark-connection,
# mark-routing, routing tables, masquerade per WAN), then failover with
# check-gateway=ping and distance. Real clients (curl) on two LAN hosts; a
# web server behind all three ISPs says which address it saw.
#
#   isp1 10.1.0.254 --- ether1 10.1.0.1 \
#   isp2 10.2.0.254 --- ether2 10.2.0.1  hairpind  bridge 192.168.88.1 --- h1 .11, h2 .12
#   isp3 10.3.0.254 --- ether3 10.3.0.1 /
#   each ISP --- net (8.8.8.8, the web server)

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "$ROUTER" != hairpind ]; then
	echo "SKIP: $T_NAME: RouterOS exports are hairpind's"
	exit 77
fi
t_setup
P=$LAB_P
NS_NET=$P-net
NS_LAN=$P-l
NS_H=("$P-h1" "$P-h2")
NS_ISP=("$P-i1" "$P-i2" "$P-i3")
TAP_W=("$P-w1" "$P-w2" "$P-w3")
TAP_L=$P-lan
SOCK=$T_SOCK
ALL_NS=("$NS_NET" "$NS_LAN" "${NS_H[@]}" "${NS_ISP[@]}")

pol_down() {
	local ns p
	[ -f "$LAB_STATE/hairpind.pid" ] && lab_kill hairpind TERM
	for ns in "${ALL_NS[@]}"; do
		lab_ns_exists "$ns" || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
	done
}
trap 'rc=$?; pol_down; (exit $rc); t_cleanup' EXIT

ctl() {
	timeout 10 "$HAIRPINCTL" -s "$SOCK" -j "$@"
}

# --- the topology -------------------------------------------------------------
topo() {
	local k ns
	for ns in "${ALL_NS[@]}"; do
		lab_ns_add "$ns" || return 1
	done
	lab_ns "$NS_NET" ip addr add 8.8.8.8/32 dev lo || return 1
	for k in 0 1 2; do
		ns=${NS_ISP[$k]}
		ip -n "$ns" tuntap add dev "${TAP_W[$k]}" mode tap || return 1
		ip -n "$ns" addr add "10.$((k + 1)).0.254/24" \
		    dev "${TAP_W[$k]}" || return 1
		ip -n "$ns" link set "${TAP_W[$k]}" up || return 1
		ip link add "$P-n$k" netns "$NS_NET" type veth \
		    peer name "$P-u$k" netns "$ns" || return 1
		ip -n "$NS_NET" addr add "100.64.$k.1/30" dev "$P-n$k"
		ip -n "$ns" addr add "100.64.$k.2/30" dev "$P-u$k"
		ip -n "$NS_NET" link set "$P-n$k" up
		ip -n "$ns" link set "$P-u$k" up
		ip -n "$ns" route add default via "100.64.$k.1"
		ip -n "$NS_NET" route add "10.$((k + 1)).0.0/24" \
		    via "100.64.$k.2"
		lab_ns "$ns" sysctl -qw net.ipv4.ip_forward=1
	done
	ip -n "$NS_LAN" link add br0 type bridge || return 1
	ip -n "$NS_LAN" link set br0 up
	ip -n "$NS_LAN" tuntap add dev "$TAP_L" mode tap || return 1
	ip -n "$NS_LAN" link set "$TAP_L" master br0 up
	for k in 0 1; do
		ip link add "$P-b$k" netns "$NS_LAN" type veth \
		    peer name eth0 netns "${NS_H[$k]}" || return 1
		ip -n "$NS_LAN" link set "$P-b$k" master br0 up
		ip -n "${NS_H[$k]}" addr add "192.168.88.1$((k + 1))/24" dev eth0
		ip -n "${NS_H[$k]}" link set eth0 up
		ip -n "${NS_H[$k]}" route add default via 192.168.88.1
	done
	lab_web web "$NS_NET" 8.8.8.8 80 || return 1
	lab_web web-h1 "${NS_H[0]}" 192.168.88.11 80
}

# The interfaces part of every config; the export follows.
conf_head() {
	cat <<EOF
interfaces:
  - { name: ether1, tap: ${TAP_W[0]}, netns: ${NS_ISP[0]} }
  - { name: ether2, tap: ${TAP_W[1]}, netns: ${NS_ISP[1]} }
  - { name: ether3, tap: ${TAP_W[2]}, netns: ${NS_ISP[2]} }
  - { name: bridge, tap: $TAP_L, netns: $NS_LAN }
control: { socket: $SOCK }
log: { level: info }
EOF
}

# The manual's PCC recipe for two WANs (RouterOS v7 export shape).
conf_pcc() {
	conf_head
	cat <<'EOF'
routeros: |
  # dec/07/2026 10:00:00 by RouterOS 7.16.1
  /interface list
  add name=WAN
  add name=LAN
  /interface list member
  add interface=ether1 list=WAN
  add interface=ether2 list=WAN
  add interface=ether3 list=WAN
  add interface=bridge list=LAN
  /routing table
  add disabled=no fib name=to-isp1
  add disabled=no fib name=to-isp2
  /ip address
  add address=10.1.0.1/24 interface=ether1 network=10.1.0.0
  add address=10.2.0.1/24 interface=ether2 network=10.2.0.0
  add address=10.3.0.1/24 interface=ether3 network=10.3.0.0
  add address=192.168.88.1/24 interface=bridge network=192.168.88.0
  /ip firewall mangle
  add action=mark-connection chain=prerouting connection-mark=no-mark \
      in-interface=ether1 new-connection-mark=isp1_conn passthrough=yes
  add action=mark-connection chain=prerouting connection-mark=no-mark \
      in-interface=ether2 new-connection-mark=isp2_conn passthrough=yes
  add action=mark-connection chain=prerouting connection-mark=no-mark \
      dst-address-type=!local in-interface-list=LAN \
      new-connection-mark=isp1_conn passthrough=yes \
      per-connection-classifier=both-addresses-and-ports:2/0
  add action=mark-connection chain=prerouting connection-mark=no-mark \
      dst-address-type=!local in-interface-list=LAN \
      new-connection-mark=isp2_conn passthrough=yes \
      per-connection-classifier=both-addresses-and-ports:2/1
  add action=mark-routing chain=prerouting connection-mark=isp1_conn \
      in-interface-list=LAN new-routing-mark=to-isp1 passthrough=yes
  add action=mark-routing chain=prerouting connection-mark=isp2_conn \
      in-interface-list=LAN new-routing-mark=to-isp2 passthrough=yes
  /ip firewall nat
  add action=masquerade chain=srcnat out-interface-list=WAN
  add action=dst-nat chain=dstnat dst-address-type=local dst-port=8080 \
      in-interface-list=WAN protocol=tcp to-addresses=192.168.88.11 \
      to-ports=80
  /ip route
  add dst-address=0.0.0.0/0 gateway=10.1.0.254 routing-table=to-isp1
  add dst-address=0.0.0.0/0 gateway=10.2.0.254 routing-table=to-isp2
  add dst-address=0.0.0.0/0 gateway=10.3.0.254 distance=1
EOF
}

# Failover: the main table through isp1, checked; isp3 behind it.
conf_failover() {
	conf_head
	cat <<'EOF'
routeros: |
  /interface list
  add name=WAN
  /interface list member
  add interface=ether1 list=WAN
  add interface=ether2 list=WAN
  add interface=ether3 list=WAN
  /ip address
  add address=10.1.0.1/24 interface=ether1
  add address=10.2.0.1/24 interface=ether2
  add address=10.3.0.1/24 interface=ether3
  add address=192.168.88.1/24 interface=bridge
  /ip firewall nat
  add action=masquerade chain=srcnat out-interface-list=WAN
  /ip route
  add check-gateway=ping distance=1 gateway=10.1.0.254
  add distance=2 gateway=10.3.0.254
EOF
}

router_up() {
	local conf=$1 k ok
	t_run "$HAIRPIND" -t -f "$conf"
	if [ "$T_RC" != 0 ]; then
		t_fail "hairpind -t accepts $(basename "$conf")" "$T_OUT"
		return 1
	fi
	lab_spawn hairpind - "$HAIRPIND" -f "$conf"
	for k in $(seq 1 50); do
		ok=1
		for n in 0 1 2; do
			lab_ns "${NS_ISP[$n]}" cat \
			    "/sys/class/net/${TAP_W[$n]}/carrier" 2>/dev/null |
			    grep -qx 1 || ok=
		done
		[ -n "$ok" ] && [ -S "$SOCK" ] && break
		sleep 0.2
	done
	if [ -z "$ok" ]; then
		t_fail "hairpind up with $(basename "$conf")"
		t_dump_log
		return 1
	fi
	t_pass "hairpind up with $(basename "$conf")"
}

# saw NS: the address the web server saw for a fresh curl from NS.
saw() {
	t_saw "$(timeout 8 ip netns exec "$1" curl -sS --max-time 5 \
	    http://8.8.8.8/ 2>&1)"
}

if ! topo; then
	t_fail "topology up"
	t_done
fi
t_pass "topology: three ISPs, two LAN hosts, a server behind every ISP"

# --- PCC --------------------------------------------------------------------
conf_pcc >"$T_TMP/pcc.yaml"
router_up "$T_TMP/pcc.yaml" || t_done
n1=0 n2=0 other=0
for i in $(seq 1 20); do
	for h in 0 1; do
		case $(saw "${NS_H[$h]}") in
		10.1.0.1) n1=$((n1 + 1)) ;;
		10.2.0.1) n2=$((n2 + 1)) ;;
		*) other=$((other + 1)) ;;
		esac
	done
done
t_note "PCC: 40 connections: $n1 by isp1, $n2 by isp2, $other otherwise"
assert_eq "PCC: every connection left by isp1 or isp2" 0 "$other"
if [ "$n1" -ge 10 ] && [ "$n2" -ge 10 ]; then
	t_pass "PCC: both WANs take at least 25% ($n1 / $n2)"
else
	t_fail "PCC: both WANs take at least 25%" "isp1 $n1, isp2 $n2"
fi
# every connection kept its WAN: its mark, its way out and its NAT agree
T_OUT=$(ctl conntrack proto=tcp)
assert_match "PCC: conntrack shows the connections with their marks" \
    'isp[12]_conn' "$T_OUT"
bad=$(printf '%s\n' "$T_OUT" | "$PY" -c '
import json, sys
bad = 0
n = 0
for line in sys.stdin:
    for e in json.loads(line).get("result", []):
        m = e.get("connection-mark")
        if m not in ("isp1_conn", "isp2_conn"):
            continue
        n += 1
        want = "10.1.0.1:" if m == "isp1_conn" else "10.2.0.1:"
        if not e.get("reply-dst-address", "").startswith(want):
            bad += 1
print("%d %d" % (n, bad))')
assert_match "PCC: each marked connection is NATed to its own WAN" \
    '^[1-9][0-9]* 0$' "$bad"
T_OUT=$(ctl routes)
assert_match "routes: the to-isp1 table, active" \
    '"routing-table":"to-isp1"' "$T_OUT"
# a long transfer keeps its WAN: 2 MB in pieces at a bounded rate
# a connection from outside to a WAN is answered by that WAN: isp3 (the
# main table's way out) refuses to carry the other WANs' addresses
lab_ns "${NS_ISP[2]}" nft -f - <<EOF
table inet hp_rpf {
	chain forward {
		type filter hook forward priority 0;
		ip saddr { 10.1.0.0/24, 10.2.0.0/24 } counter drop
	}
}
EOF
for w in 1 2; do
	t_run t_curl "$NS_NET" "http://10.$w.0.1:8080/"
	assert_match "PCC: a connection in by isp$w is answered by isp$w" \
	    '^hello from 192\.168\.88\.11, you are 100\.64\.' "$T_OUT"
done
T_OUT=$(lab_ns "${NS_ISP[2]}" nft list table inet hp_rpf)
assert_match "PCC: nothing of theirs tried to leave by isp3" \
    'counter packets 0 ' "$T_OUT"
lab_ns "${NS_ISP[2]}" nft delete table inet hp_rpf
t_run ip netns exec "${NS_H[0]}" curl -sS --max-time 20 --limit-rate 1M \
    -o /dev/null -w '%{http_code} %{size_download}' \
    http://8.8.8.8/bytes/2000000
assert_match "PCC: a 2 MB download over 2 s completes on one WAN" \
    '^200 2000000$' "$T_OUT"
lab_kill hairpind TERM

# --- failover -------------------------------------------------------------------
conf_failover >"$T_TMP/failover.yaml"
router_up "$T_TMP/failover.yaml" || t_done
assert_eq "failover: new connections leave by isp1 (distance 1)" \
    10.1.0.1 "$(saw "${NS_H[0]}")"
# isp1's gateway stops answering pings (its traffic still flows)
lab_ns "${NS_ISP[0]}" nft -f - <<EOF
table inet hp_block {
	chain input {
		type filter hook input priority 0;
		icmp type echo-request drop
	}
}
EOF
t0=$(date +%s)
got=
for i in $(seq 1 30); do
	got=$(saw "${NS_H[1]}")
	[ "$got" = 10.3.0.1 ] && break
	sleep 2
done
t1=$(date +%s)
assert_eq "failover: isp1 silent to pings, new connections leave by isp3" \
    10.3.0.1 "$got"
t_note "failover after $((t1 - t0)) s (probes every 10 s, 2 misses)"
if [ $((t1 - t0)) -le 45 ]; then
	t_pass "failover: within check-gateway's two probe intervals (+ slack)"
else
	t_fail "failover: within 45 s" "took $((t1 - t0)) s"
fi
T_OUT=$(ctl routes)
inactive=$(printf '%s\n' "$T_OUT" | "$PY" -c '
import json, sys
for line in sys.stdin:
    for r in json.loads(line).get("result", []):
        if r.get("gateway") == "10.1.0.254":
            print("active" if r.get("active") else "inactive")')
assert_eq "routes: the checked route is inactive" inactive "$inactive"
lab_ns "${NS_ISP[0]}" nft delete table inet hp_block
t0=$(date +%s)
for i in $(seq 1 20); do
	got=$(saw "${NS_H[1]}")
	[ "$got" = 10.1.0.1 ] && break
	sleep 2
done
t1=$(date +%s)
assert_eq "failover: isp1 answers again, new connections leave by it" \
    10.1.0.1 "$got"
t_note "back after $((t1 - t0)) s"
lab_kill hairpind TERM
t_done
