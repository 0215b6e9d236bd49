#!/bin/bash
# SPDX-License-Identifier: ISC
# Router foundation: forwarding between two TAP links with no NAT at all,
# the router's own addresses, and the ICMP errors a router owes its hosts
# (time exceeded, net/host unreachable, port unreachable, frag needed).

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

t_setup
t_topology
# No NAT here: the outside routes the LAN to the router like any ISP would.
lab_isp_route 192.168.1.0/24

# plain_config NAME [lan-mtu] [default-route yes|no]
plain_config() {
	local f=$T_TMP/$1.yaml mtu=${2:-1500} dflt=${3:-yes}
	cat >"$f" <<EOF
interfaces:
  - name: wan
    tap: $LAB_TAP_WAN
    netns: $LAB_NS_ISP
    addresses: [1.1.1.1/24]
  - name: lan
    tap: $LAB_TAP_LAN
    netns: $LAB_NS_LAN
    addresses: [192.168.1.1/24]
    mtu: $mtu
control:
  socket: $T_SOCK
EOF
	if [ "$dflt" = yes ]; then
		cat >>"$f" <<EOF
routes:
  - dst: 0.0.0.0/0
    gateway: 1.1.1.254
EOF
	fi
	echo "$f"
}

C=$LAB_NS_CLIENT
I=$LAB_NS_ISP

# --- interfaces and a default route, nothing else -------------------------
router_start "$(plain_config routed)" || t_done

check "client 192.168.1.10 pings 2.2.2.2 across the router" \
    t_ns "$C" ping -c 3 -i 0.2 -W 2 2.2.2.2
check "outside 2.2.2.2 pings client 192.168.1.10 across the router" \
    t_ns "$I" ping -c 3 -i 0.2 -W 2 -I 2.2.2.2 192.168.1.10

t_run t_curl "$C" http://2.2.2.2:8080/
assert_match "client fetches http://2.2.2.2:8080/, seen as itself (no NAT)" \
    '^hello from 2\.2\.2\.2, you are 192\.168\.1\.10:[0-9]+$' "$T_OUT"
t_run t_curl "$I" --interface 2.2.2.2 http://192.168.1.2/
assert_match "outside fetches http://192.168.1.2/, seen as 2.2.2.2" \
    '^hello from 192\.168\.1\.2, you are 2\.2\.2\.2:[0-9]+$' "$T_OUT"

check "client pings the router's LAN address 192.168.1.1" \
    t_ns "$C" ping -c 2 -i 0.2 -W 2 192.168.1.1
check "client pings the router's WAN address 1.1.1.1" \
    t_ns "$C" ping -c 2 -i 0.2 -W 2 1.1.1.1
check "outside pings the router's WAN address 1.1.1.1" \
    t_ns "$I" ping -c 2 -i 0.2 -W 2 1.1.1.1
check "outside pings the router's LAN address 192.168.1.1" \
    t_ns "$I" ping -c 2 -i 0.2 -W 2 -I 2.2.2.2 192.168.1.1

check_out "TTL 1 from the LAN: time exceeded from 192.168.1.1" \
    '^From 192\.168\.1\.1 icmp_seq=1 Time to live exceeded' \
    t_ns "$C" ping -n -c 1 -W 3 -t 1 2.2.2.2
check_out "TTL 1 from outside: time exceeded from 1.1.1.1" \
    '^From 1\.1\.1\.1 icmp_seq=1 Time to live exceeded' \
    t_ns "$I" ping -n -c 1 -W 3 -t 1 -I 2.2.2.2 192.168.1.10

check_out "UDP to 192.168.1.1:9: port unreachable (ECONNREFUSED)" \
    '^ECONNREFUSED$' t_ns "$C" "${NETTOOL[@]}" udp-refused \
    --dst 192.168.1.1:9
check_out "UDP to 1.1.1.1:9 from outside: port unreachable" \
    '^ECONNREFUSED$' t_ns "$I" "${NETTOOL[@]}" udp-refused \
    --src 2.2.2.2 --dst 1.1.1.1:9

for a in 192.168.1.1 1.1.1.1; do
	t_run t_curl "$C" -v "http://$a/"
	if [ "$T_RC" = 7 ] && [ "$T_MS" -lt 2000 ] &&
	    printf '%s' "$T_OUT" | grep -q 'Connection refused'; then
		t_pass "TCP to the router's $a:80 is reset (refused in ${T_MS} ms)"
	else
		t_fail "TCP to the router's $a:80 is reset" \
		    "expected: curl exit 7 'Connection refused' within 2 s" \
		    "got: exit $T_RC after ${T_MS} ms: $T_OUT"
	fi
done

check "4000-byte pings (fragmented) from the LAN" \
    t_ns "$C" ping -c 3 -i 0.2 -W 2 -s 4000 2.2.2.2
check "4000-byte pings (fragmented) from outside" \
    t_ns "$I" ping -c 3 -i 0.2 -W 2 -s 4000 -I 2.2.2.2 192.168.1.10

t_run t_ns "$I" ping -n -c 1 -W 8 -w 10 192.168.1.99
if printf '%s\n' "$T_OUT" |
    grep -Eq '^From 1\.1\.1\.1 icmp_seq=1 Destination Host Unreachable' &&
    [ "$T_MS" -ge 1000 ] && [ "$T_MS" -le 8000 ]; then
	t_pass "unresolvable 192.168.1.99: host unreachable after ${T_MS} ms"
else
	t_fail "unresolvable 192.168.1.99: host unreachable from 1.1.1.1" \
	    "expected 'From 1.1.1.1 ... Destination Host Unreachable' in 1-8 s" \
	    "got (${T_MS} ms): $T_OUT"
fi

router_stop

# --- no default route, and a LAN link with a 1400-byte MTU ----------------
# An MTU belongs to the link: the LAN hosts use 1400 as well.
ip -n "$C" link set eth0 mtu 1400
ip -n "$LAB_NS_SERVER" link set eth0 mtu 1400
router_start "$(plain_config small-mtu-no-default 1400 no)" || t_done

check_out "no route to 8.8.8.8: net unreachable from 192.168.1.1" \
    '^From 192\.168\.1\.1 icmp_seq=1 Destination Net Unreachable' \
    t_ns "$C" ping -n -c 1 -W 3 8.8.8.8

# Before any frag-needed: the outside does not know the path MTU yet and
# sends 1500-byte fragments, which the router must cut again.
check "4000-byte pings refragmented for the 1400 link" \
    t_ns "$I" ping -c 3 -i 0.2 -W 2 -M dont -s 4000 192.168.1.10
check_out "DF 1478-byte packet into the 1400 link: frag needed (mtu 1400)" \
    '^From 1\.1\.1\.1 icmp_seq=1 Frag needed and DF set \(mtu = 1400\)' \
    t_ns "$I" ping -n -c 1 -W 3 -M "do" -s 1450 192.168.1.10
check "1372-byte DF pings fit the 1400 link" \
    t_ns "$I" ping -c 2 -i 0.2 -W 2 -M "do" -s 1372 192.168.1.10

# --- the command line and setup failures (SPEC section 3 exit codes) ------
# exit_code DESC WANT ERE CMD...: CMD exits WANT and its output matches ERE.
exit_code() {
	local desc=$1 want=$2 re=$3
	shift 3
	t_run "$@"
	if [ "$T_RC" = "$want" ] && printf '%s\n' "$T_OUT" | grep -Eq -- "$re"
	then
		t_pass "$desc"
	else
		t_fail "$desc" "command: $*" "expected exit $want and output" \
		    "matching: $re" "got exit $T_RC: ${T_OUT:-(no output)}"
	fi
}

exit_code "hairpind -V prints the version, exit 0" 0 '^hairpind [0-9]' \
    "$HAIRPIND" -V
exit_code "hairpind -h prints usage, exit 0" 0 '^usage: hairpind' \
    "$HAIRPIND" -h
exit_code "an unknown option is a usage error, exit 2" 2 'usage: hairpind' \
    "$HAIRPIND" -Z
printf 'interfaces: [\n' >"$T_TMP/broken.yaml"
exit_code "a broken file is a config error with file:line:col, exit 1" 1 \
    'broken\.yaml:[0-9]+:[0-9]+: ' "$HAIRPIND" -t -f "$T_TMP/broken.yaml"
# While one daemon holds the TAPs, a second one finds them busy.
sed "s|socket: $T_SOCK|socket: $T_SOCK.2|" "$(plain_config routed3)" \
    >"$T_TMP/second.yaml"
exit_code "a TAP held by another daemon is busy, exit 3" 3 "busy" \
    "$HAIRPIND" -f "$T_TMP/second.yaml"

router_stop
sed "s/netns: $LAB_NS_LAN/netns: ${LAB_NS_LAN}-missing/" \
    "$(plain_config routed2)" >"$T_TMP/nonetns.yaml"
exit_code "a missing netns is a setup failure naming it, exit 3" 3 \
    "netns ${LAB_NS_LAN}-missing" "$HAIRPIND" -f "$T_TMP/nonetns.yaml"
t_done
