#!/bin/bash
# SPDX-License-Identifier: ISC
# The manual's port knocking (help.mikrotik.com "Port knocking"), end to
# end: knock on the router's TCP port 888 (source into address list 888),
# then 555 (only from list 888: into list 555), then 222 (only from 555:
# into "secured" for 30 minutes); the manual's final rule accepts input
# from the WAN for secured sources, and here also the forward chain lets
# secured sources reach an SSH-like banner server on the LAN
# (192.168.1.2:22) that dst-nat publishes on 1.1.1.1:22. One deviation
# from the manual: list 888 lives 5 s instead of 30 s, so that its expiry
# is checked quickly. Checked: closed before knocking (both the router
# and the forwarded port), the wrong order opens nothing, each list shows
# the source in `hairpinctl address-lists` as a dynamic entry with its
# time left, then both open for that source only, and a first knock that
# timed out no longer counts.

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
add action=add-src-to-address-list address-list=888 address-list-timeout=5s \
    chain=input dst-port=888 in-interface-list=WAN protocol=tcp
add action=add-src-to-address-list address-list=555 address-list-timeout=30s \
    chain=input dst-port=555 in-interface-list=WAN protocol=tcp \
    src-address-list=888
add action=add-src-to-address-list address-list=secured \
    address-list-timeout=30m chain=input dst-port=222 in-interface-list=WAN \
    protocol=tcp src-address-list=555
add action=accept chain=input in-interface-list=WAN src-address-list=secured
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
    secured
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

# router_from SRC: one connection to the router's closed port 1.1.1.1:8291;
# accepted, it is refused, but only after the 6 s hairpind holds an
# unsolicited SYN from outside (RFC 5382 REQ-4), so wait 8 s.
router_from() {
	ip netns exec "$I" "${ROSTOOL[@]}" connect --src "$1" --dst 1.1.1.1:8291 \
	    --timeout 8
}

T_OUT=$(ssh_from 2.2.2.2)
assert_eq "before knocking: 2.2.2.2 -> 1.1.1.1:22 gets no answer" timeout \
    "$T_OUT"
T_OUT=$(router_from 2.2.2.2)
assert_eq "before knocking: 2.2.2.2 -> the router 1.1.1.1:8291 gets no answer" \
    timeout "$T_OUT"
assert_eq "... and address list 'secured' has no 2.2.2.2" none \
    "$(addrlist_entry secured 2.2.2.2)"

# The wrong order: 555 and 222 before 888 open nothing.
knock 2.2.2.2 555
knock 2.2.2.2 222
assert_eq "knocks 555, 222 without 888: 2.2.2.2 not in list 555" none \
    "$(addrlist_entry 555 2.2.2.2)"
assert_eq "... nor in 'secured'" none "$(addrlist_entry secured 2.2.2.2)"
T_OUT=$(ssh_from 2.2.2.2)
assert_eq "... and 1.1.1.1:22 still gets no answer" timeout "$T_OUT"

# The right order.
knock 2.2.2.2 888
assert_timeout "knock 888: address-lists list=888 has 2.2.2.2, dynamic, <= 5 s left" \
    "$(addrlist_entry 888 2.2.2.2)" 0 5
knock 2.2.2.2 555
assert_timeout "knock 555 from list 888: list 555 has 2.2.2.2, <= 30 s left" \
    "$(addrlist_entry 555 2.2.2.2)" 20 30
knock 2.2.2.2 222
assert_timeout "knock 222 from list 555: 'secured' has 2.2.2.2, ~30 min left" \
    "$(addrlist_entry secured 2.2.2.2)" 1740 1800
ctl address-lists >"$T_TMP/al.all" 2>&1
T_OUT=$("${ROSTOOL[@]}" rows "$T_TMP/al.all" list=secured address=2.2.2.2)
assert_match "address-lists (every list) shows the same entry" '"dynamic": true' \
    "$T_OUT"

T_OUT=$(ssh_from 2.2.2.2)
assert_match "after knocking: 2.2.2.2 -> 1.1.1.1:22 gets the server's banner" \
    '^banner: SSH-2\.0-hp 2\.2\.2\.2:[0-9]+$' "$T_OUT"
T_OUT=$(ssh_from 2.2.2.2)
assert_match "... every time (a second connection)" '^banner: SSH-2\.0-hp ' \
    "$T_OUT"
T_OUT=$(router_from 2.2.2.2)
assert_eq "after knocking: the router's input accepts 2.2.2.2 (port 8291 refused)" \
    refused "$T_OUT"
T_OUT=$(ssh_from 1.1.1.254)
assert_eq "another source (1.1.1.254) that did not knock: no answer" timeout \
    "$T_OUT"
T_OUT=$(router_from 1.1.1.254)
assert_eq "... not from the router either" timeout "$T_OUT"
t_run "$HAIRPINCTL" -s "$T_SOCK" address-lists list=secured
assert_match "hairpinctl address-lists list=secured (table) lists 2.2.2.2" \
    'secured +.*2\.2\.2\.2' "$T_OUT"

# A first knock that timed out: 888, wait past 5 s, 555 and 222 open
# nothing.
knock 198.51.100.1 888
assert_timeout "198.51.100.1 knocks 888: in list 888" \
    "$(addrlist_entry 888 198.51.100.1)" 0 5
sleep 6.5
assert_eq "6.5 s later its list 888 entry is gone (timeout 5 s)" none \
    "$(addrlist_entry 888 198.51.100.1)"
knock 198.51.100.1 555
knock 198.51.100.1 222
assert_eq "555, 222 after 888 expired: 198.51.100.1 not in 'secured'" none \
    "$(addrlist_entry secured 198.51.100.1)"
T_OUT=$(ssh_from 198.51.100.1)
assert_eq "... and 198.51.100.1 -> 1.1.1.1:22 gets no answer" timeout \
    "$T_OUT"
T_OUT=$(ssh_from 2.2.2.2)
assert_match "2.2.2.2 (secured for 30 min) still gets through" \
    '^banner: SSH-2\.0-hp ' "$T_OUT"
assert_eq "the server saw connections only from 2.2.2.2" 2.2.2.2 \
    "$(cut -d: -f1 "$T_TMP/ssh-srv.log" | sort -u | tr '\n' ' ' | sed 's/ $//')"

router_stop
t_done
