#!/bin/bash
# SPDX-License-Identifier: ISC
# The manual's port knocking, end to end: an SSH-like TCP service on the
# LAN server (192.168.1.2:22, a banner server) is published on 1.1.1.1:22
# by dst-nat, but the forward chain lets only sources in the address list
# "allowed" through. A TCP packet to the router's port 888 puts the
# source in "knock1" for 5 s (add-src-to-address-list with
# address-list-timeout); a packet to 555 from a source in knock1 puts it
# in "allowed" for 10 minutes. Checked: closed before knocking, the wrong
# order does not open it, knock1 then allowed show up in
# `hairpinctl address-lists` as dynamic entries with their time left, the
# port then opens for that source only, and a knock1 entry that timed out
# no longer counts.

# shellcheck source=tests/integration/ros-lib.sh
. "$(dirname "$0")/ros-lib.sh"

ros_need_hairpind
t_setup
t_topology

S=$LAB_NS_SERVER
I=$LAB_NS_ISP

EXPORT='# dec/07/2026 09:36:05 by RouterOS 7.16.2
# software id = 7KQD-ZW3P
/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
/ip firewall filter
add action=accept chain=input comment=\
    "defconf: accept established,related,untracked" connection-state=\
    established,related,untracked
add action=drop chain=input comment="defconf: drop invalid" connection-state=\
    invalid
add action=add-src-to-address-list address-list=knock1 address-list-timeout=5s \
    chain=input comment="knock 1" dst-port=888 in-interface-list=WAN \
    protocol=tcp
add action=add-src-to-address-list address-list=allowed address-list-timeout=\
    10m chain=input comment="knock 2" dst-port=555 in-interface-list=WAN \
    protocol=tcp src-address-list=knock1
add action=accept chain=input comment="defconf: accept ICMP" protocol=icmp
add action=drop chain=input comment="defconf: drop all not coming from LAN" \
    in-interface-list=!LAN
add action=accept chain=forward comment=\
    "defconf: accept established,related, untracked" connection-state=\
    established,related,untracked
add action=drop chain=forward comment="defconf: drop invalid" \
    connection-state=invalid
add action=accept chain=forward comment="SSH for knockers" \
    connection-nat-state=dstnat dst-port=22 protocol=tcp src-address-list=\
    allowed
add action=drop chain=forward comment="everything else from the WAN" \
    connection-state=new in-interface-list=WAN
/ip firewall nat
add action=masquerade chain=srcnat out-interface-list=WAN
add action=dst-nat chain=dstnat dst-port=22 in-interface-list=WAN protocol=tcp \
    to-addresses=192.168.1.2'

# Stand-in without address lists (ROS_LEGACY=1): port 22 simply open.
LEGACY='filter:
  - chain=input connection-state=established,related action=accept
  - chain=input in-interface=ether1 action=drop
nat:
  - chain=srcnat out-interface=ether1 action=masquerade
  - chain=dstnat dst-port=22 in-interface=ether1 protocol=tcp action=dst-nat to-addresses=192.168.1.2'

t_bg ssh-srv "$S" "${ROSTOOL[@]}" banner-server --bind 192.168.1.2 --port 22 \
    --log "$T_TMP/ssh-srv.log"
lab_wait 10 lab_listening "$S" 192.168.1.2 22 ||
    t_fail "banner server listening on 192.168.1.2:22"

router_start "$(ros_config knock "$EXPORT" "$LEGACY")" || t_done

# ssh_from SRC: one connection to 1.1.1.1:22 from SRC; prints the outcome.
ssh_from() {
	ip netns exec "$I" "${ROSTOOL[@]}" connect --src "$1" --dst 1.1.1.1:22 \
	    --timeout 2
}
knock() {
	ip netns exec "$I" "${ROSTOOL[@]}" knock --src "$1" \
	    --dst "1.1.1.1:$2" --timeout 0.5 >/dev/null
}

T_OUT=$(ssh_from 2.2.2.2)
assert_eq "before knocking: 2.2.2.2 -> 1.1.1.1:22 gets no answer" timeout \
    "$T_OUT"
assert_eq "... and address list 'allowed' has no 2.2.2.2" none \
    "$(addrlist_entry allowed 2.2.2.2)"

# The wrong order: 555 first (not in knock1 yet) opens nothing.
knock 2.2.2.2 555
assert_eq "knock 555 alone: 2.2.2.2 not in 'allowed'" none \
    "$(addrlist_entry allowed 2.2.2.2)"
T_OUT=$(ssh_from 2.2.2.2)
assert_eq "... and 1.1.1.1:22 still gets no answer" timeout "$T_OUT"

# The right order.
knock 2.2.2.2 888
e=$(addrlist_entry knock1 2.2.2.2)
assert_timeout "knock 888: address-lists list=knock1 has 2.2.2.2, dynamic, <= 5 s left" \
    "$e" 0 5
knock 2.2.2.2 555
e=$(addrlist_entry allowed 2.2.2.2)
assert_timeout "knock 555 from knock1: 'allowed' has 2.2.2.2, dynamic, ~10 min left" \
    "$e" 540 600
ctl address-lists >"$T_TMP/al.all" 2>&1
T_OUT=$("${ROSTOOL[@]}" rows "$T_TMP/al.all" list=allowed address=2.2.2.2)
assert_match "address-lists (every list) shows the same entry" '"dynamic": true' \
    "$T_OUT"

T_OUT=$(ssh_from 2.2.2.2)
assert_match "after knocking: 2.2.2.2 -> 1.1.1.1:22 gets the server's banner" \
    '^banner: SSH-2\.0-hp 2\.2\.2\.2:[0-9]+$' "$T_OUT"
T_OUT=$(ssh_from 2.2.2.2)
assert_match "... every time (a second connection)" '^banner: SSH-2\.0-hp ' \
    "$T_OUT"
T_OUT=$(ssh_from 1.1.1.254)
assert_eq "another source (1.1.1.254) that did not knock: no answer" timeout \
    "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" address-lists list=allowed
assert_match "hairpinctl address-lists list=allowed (table) lists 2.2.2.2" \
    'allowed +.*2\.2\.2\.2' "$T_OUT"

# A knock1 entry that timed out: 888, wait past 5 s, 555 opens nothing.
knock 198.51.100.1 888
assert_timeout "198.51.100.1 knocks 888: in knock1" \
    "$(addrlist_entry knock1 198.51.100.1)" 0 5
sleep 6.5
assert_eq "6.5 s later the knock1 entry is gone (timeout 5 s)" none \
    "$(addrlist_entry knock1 198.51.100.1)"
knock 198.51.100.1 555
assert_eq "555 after knock1 expired: 198.51.100.1 not in 'allowed'" none \
    "$(addrlist_entry allowed 198.51.100.1)"
T_OUT=$(ssh_from 198.51.100.1)
assert_eq "... and 198.51.100.1 -> 1.1.1.1:22 gets no answer" timeout \
    "$T_OUT"
T_OUT=$(ssh_from 2.2.2.2)
assert_match "2.2.2.2 (allowed for 10 min) still gets through" \
    '^banner: SSH-2\.0-hp ' "$T_OUT"
assert_eq "the server saw connections only from 2.2.2.2" 2.2.2.2 \
    "$(cut -d: -f1 "$T_TMP/ssh-srv.log" | sort -u | tr '\n' ' ' | sed 's/ $//')"

router_stop
t_done
