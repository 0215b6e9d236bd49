#!/bin/bash
# SPDX-License-Identifier: ISC
# Port forward and hairpin NAT in the two shapes RouterOS users write
# instead of the seed page's dst-address=1.1.1.1, each under the v7
# defconf filter:
#  A. dst-address-type=local: the forward matches any address of the
#     router (a dynamic WAN address needs no edit), with the catch-all
#     hairpin masquerade src-address=LAN dst-address=LAN;
#  B. in-interface-list=WAN for the outside and dst-address-list=WAN-IP
#     for the LAN, with a narrow hairpin masquerade out-interface-list=LAN.
# Checked: the internet client and the LAN client both reach the server
# via 1.1.1.1:80, the server sees 2.2.2.2 and 192.168.1.1 respectively,
# masquerade to the internet is untouched; and what tells the shapes
# apart: with A the router's LAN address 192.168.1.1:80 is forwarded too
# (it is local), with B it is not, while B forwards anything arriving on
# the WAN for port 80 whatever its destination.

# shellcheck source=tests/integration/ros-lib.sh
. "$(dirname "$0")/ros-lib.sh"

ros_need_hairpind
t_setup
t_topology
lab_isp_route 192.168.1.0/24

C=$LAB_NS_CLIENT
I=$LAB_NS_ISP

FILTER='/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
/ip firewall filter
add action=accept chain=input connection-state=established,related,untracked
add action=drop chain=input connection-state=invalid
add action=accept chain=input protocol=icmp
add action=drop chain=input in-interface-list=!LAN
add action=fasttrack-connection chain=forward connection-state=\
    established,related hw-offload=yes
add action=accept chain=forward connection-state=established,related,untracked
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface-list=WAN'

EXPORT_A="# 2026-12-07 09:41:12 by RouterOS 7.16.2
$FILTER
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat comment=\"web server, on every router address\" \\
    dst-address-type=local dst-port=80 protocol=tcp to-addresses=192.168.1.2
add action=masquerade chain=srcnat comment=hairpin dst-address=192.168.1.0/24 \\
    src-address=192.168.1.0/24"

EXPORT_B="# dec/07/2026 09:43:50 by RouterOS 7.16.2
/ip firewall address-list
add address=1.1.1.1 list=WAN-IP
$FILTER
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat comment=\"from outside\" dst-port=80 \\
    in-interface-list=WAN protocol=tcp to-addresses=192.168.1.2
add action=dst-nat chain=dstnat comment=\"from the LAN\" dst-address-list=WAN-IP \\
    dst-port=80 in-interface-list=LAN protocol=tcp to-addresses=192.168.1.2
add action=masquerade chain=srcnat comment=hairpin dst-address=192.168.1.2 \\
    dst-port=80 out-interface-list=LAN protocol=tcp src-address=192.168.1.0/24"

LEGACY_FILTER='filter:
  - chain=input connection-state=established,related action=accept
  - chain=input in-interface=ether1 protocol=!icmp action=drop
  - chain=forward connection-state=established,related action=accept
  - chain=forward connection-nat-state=!dstnat connection-state=new in-interface=ether1 action=drop'
LEGACY_A="$LEGACY_FILTER
nat:
  - chain=srcnat out-interface=ether1 action=masquerade
  - chain=dstnat dst-address=1.1.1.1 dst-port=80 protocol=tcp action=dst-nat to-addresses=192.168.1.2
  - chain=dstnat dst-address=192.168.1.1 dst-port=80 protocol=tcp action=dst-nat to-addresses=192.168.1.2
  - chain=srcnat src-address=192.168.1.0/24 dst-address=192.168.1.0/24 action=masquerade"
LEGACY_B="$LEGACY_FILTER
nat:
  - chain=srcnat out-interface=ether1 action=masquerade
  - chain=dstnat in-interface=ether1 dst-port=80 protocol=tcp action=dst-nat to-addresses=192.168.1.2
  - chain=dstnat in-interface=bridge dst-address=1.1.1.1 dst-port=80 protocol=tcp action=dst-nat to-addresses=192.168.1.2
  - chain=srcnat src-address=192.168.1.0/24 dst-address=192.168.1.2 dst-port=80 protocol=tcp out-interface=bridge action=masquerade"

# common LABEL: the flows both shapes must give.
common() {
	local l=$1
	t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
	assert_match "$l: internet 2.2.2.2 -> 1.1.1.1:80 reaches the server" \
	    '^hello from 192\.168\.1\.2, ' "$T_OUT"
	assert_eq "$l: ... which sees 2.2.2.2 (no masquerade)" 2.2.2.2 \
	    "$(t_saw "$T_OUT")"
	t_run t_curl "$C" http://1.1.1.1/
	assert_match "$l: LAN client -> 1.1.1.1:80 reaches the server (hairpin)" \
	    '^hello from 192\.168\.1\.2, ' "$T_OUT"
	assert_eq "$l: ... which sees 192.168.1.1 (hairpin masquerade)" \
	    192.168.1.1 "$(t_saw "$T_OUT")"
	t_run t_curl "$C" http://2.2.2.2:8080/
	assert_eq "$l: LAN client -> 2.2.2.2:8080 is not forwarded, seen as 1.1.1.1" \
	    "hello from 2.2.2.2 1.1.1.1" \
	    "$(printf '%s\n' "$T_OUT" | sed -n 's/^hello from \([0-9.]*\), you are \([0-9.]*\):.*/hello from \1 \2/p')"
	t_run t_curl "$I" http://1.1.1.1/
	assert_eq "$l: the ISP 1.1.1.254 -> 1.1.1.1:80 too, seen as 1.1.1.254" \
	    1.1.1.254 "$(t_saw "$T_OUT")"
	# Not dropped, the router would answer RST after holding the SYN 6 s
	# (RFC 5382 REQ-4): wait 8 s.
	CURL_MAX_TIME=8 t_run t_curl "$I" --interface 2.2.2.2 \
	    http://1.1.1.1:8080/
	assert_match "$l: 2.2.2.2 -> 1.1.1.1:8080 (not forwarded): dropped, no answer" \
	    '^curl: \(28\)' "$T_OUT"
}

# --- A: dst-address-type=local --------------------------------------------
router_start "$(ros_config local "$EXPORT_A" "$LEGACY_A")" || t_done
common "A (dst-address-type=local)"
t_run t_curl "$C" http://192.168.1.1/
assert_match "A: LAN client -> 192.168.1.1:80 is forwarded too (local = every router address)" \
    '^hello from 192\.168\.1\.2, ' "$T_OUT"
assert_eq "A: ... and seen as 192.168.1.1" 192.168.1.1 "$(t_saw "$T_OUT")"
CURL_MAX_TIME=2 t_run t_curl "$I" --interface 2.2.2.2 http://192.168.1.10/
assert_match "A: 2.2.2.2 -> 192.168.1.10:80 (not local): dropped by the filter" \
    '^curl: \(28\)' "$T_OUT"
router_stop

# --- B: in-interface-list=WAN and dst-address-list=WAN-IP ------------------
router_start "$(ros_config wanip "$EXPORT_B" "$LEGACY_B")" || t_done
common "B (in-interface-list=WAN, dst-address-list=WAN-IP)"
t_run t_ns "$C" "${ROSTOOL[@]}" connect --dst 192.168.1.1:80 --timeout 3
assert_eq "B: LAN client -> 192.168.1.1:80 is not forwarded (the router refuses)" \
    refused "$T_OUT"
t_run t_curl "$I" --interface 2.2.2.2 http://192.168.1.10/
assert_match "B: 2.2.2.2 -> 192.168.1.10:80 arrives on the WAN: forwarded to the server" \
    '^hello from 192\.168\.1\.2, ' "$T_OUT"
assert_eq "B: ... which sees 2.2.2.2" 2.2.2.2 "$(t_saw "$T_OUT")"
router_stop

t_done
