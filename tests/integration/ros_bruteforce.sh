#!/bin/bash
# SPDX-License-Identifier: ISC
# The manual's SSH brute-force prevention, end to end, against an SSH-like
# banner server on the LAN (192.168.1.2:22) published on 1.1.1.1:22 by
# dst-nat, so the rules sit in the forward chain ("drop ssh brute
# downstream"): each new connection moves its source one stage on
# (ssh_stage1 -> ssh_stage2 -> ssh_stage3, 1 minute each, the fourth puts
# it in ssh_blacklist for 10 days) and the blacklist is dropped. Checked
# with python clients opening one connection after another: the first
# three from 2.2.2.2 get the banner; the fourth's SYN passes (the drop
# rule came before the rule that blacklisted it) but its next packets are
# dropped, as the drop rule asks for no connection state, so it gets no
# banner; the fifth and later are dropped at the SYN; every
# stage and the blacklist show 2.2.2.2 in `hairpinctl address-lists` with
# the right time left; another source still gets through; and after
# `hairpinctl reload` the dynamic entries are still there with their
# time left, 2.2.2.2 is still blocked and the other source still is not.

# shellcheck source=tests/integration/ros-lib.sh
. "$(dirname "$0")/ros-lib.sh"

ros_need_hairpind
t_setup
t_topology

S=$LAB_NS_SERVER
I=$LAB_NS_ISP

EXPORT='# dec/07/2026 09:38:30 by RouterOS 6.49.17
# software id = 5TRW-H2NC
/ip firewall filter
add action=drop chain=forward comment="drop ssh brute downstream" dst-port=22 \
    protocol=tcp src-address-list=ssh_blacklist
add action=add-src-to-address-list address-list=ssh_blacklist \
    address-list-timeout=10d chain=forward connection-state=new dst-port=22 \
    protocol=tcp src-address-list=ssh_stage3
add action=add-src-to-address-list address-list=ssh_stage3 \
    address-list-timeout=1m chain=forward connection-state=new dst-port=22 \
    protocol=tcp src-address-list=ssh_stage2
add action=add-src-to-address-list address-list=ssh_stage2 \
    address-list-timeout=1m chain=forward connection-state=new dst-port=22 \
    protocol=tcp src-address-list=ssh_stage1
add action=add-src-to-address-list address-list=ssh_stage1 \
    address-list-timeout=1m chain=forward connection-state=new dst-port=22 \
    protocol=tcp
add action=accept chain=forward connection-state=established,related
add action=drop chain=forward connection-state=invalid
add action=drop chain=forward connection-nat-state=!dstnat connection-state=new \
    in-interface=ether1
add action=accept chain=input connection-state=established,related
add action=drop chain=input in-interface=ether1
/ip firewall nat
add action=masquerade chain=srcnat out-interface=ether1
add action=dst-nat chain=dstnat dst-port=22 in-interface=ether1 protocol=tcp \
    to-addresses=192.168.1.2'

LEGACY='filter:
  - chain=forward connection-state=established,related action=accept
  - chain=forward connection-state=invalid action=drop
  - chain=forward connection-nat-state=!dstnat connection-state=new in-interface=ether1 action=drop
  - chain=input connection-state=established,related action=accept
  - chain=input in-interface=ether1 action=drop
nat:
  - chain=srcnat out-interface=ether1 action=masquerade
  - chain=dstnat dst-port=22 in-interface=ether1 protocol=tcp action=dst-nat to-addresses=192.168.1.2'

t_bg ssh-srv "$S" "${ROSTOOL[@]}" banner-server --bind 192.168.1.2 --port 22 \
    --log "$T_TMP/ssh-srv.log"
lab_wait 10 lab_listening "$S" 192.168.1.2 22 ||
    t_fail "banner server listening on 192.168.1.2:22"

router_start "$(ros_config brute "$EXPORT" "$LEGACY")" || t_done

ssh_from() {
	ip netns exec "$I" "${ROSTOOL[@]}" connect --src "$1" --dst 1.1.1.1:22 \
	    --timeout 2
}

# Three connections in a row get through; the fourth's SYN is the packet
# that blacklists the source (it passes: the drop rule was checked
# before), and from then on its packets are dropped.
for n in 1 2 3 4; do
	T_OUT=$(ssh_from 2.2.2.2)
	if [ "$n" -le 3 ]; then
		assert_match "2.2.2.2 connection $n gets the banner" \
		    '^banner: SSH-2\.0-hp 2\.2\.2\.2:[0-9]+$' "$T_OUT"
	else
		assert_eq "2.2.2.2 connection 4: blacklisted by its own SYN, no banner" \
		    timeout "$T_OUT"
	fi
	case $n in
	1) assert_timeout "... ssh_stage1 has 2.2.2.2 for 1 min" \
	    "$(addrlist_entry ssh_stage1 2.2.2.2)" 50 60
	   assert_eq "... and ssh_stage2 does not yet" none \
	    "$(addrlist_entry ssh_stage2 2.2.2.2)" ;;
	2) assert_timeout "... ssh_stage2 has 2.2.2.2 for 1 min" \
	    "$(addrlist_entry ssh_stage2 2.2.2.2)" 50 60 ;;
	3) assert_timeout "... ssh_stage3 has 2.2.2.2 for 1 min" \
	    "$(addrlist_entry ssh_stage3 2.2.2.2)" 50 60
	   assert_eq "... and ssh_blacklist does not yet" none \
	    "$(addrlist_entry ssh_blacklist 2.2.2.2)" ;;
	4) assert_timeout "... ssh_blacklist has 2.2.2.2 for 10 days" \
	    "$(addrlist_entry ssh_blacklist 2.2.2.2)" 863000 864000 ;;
	esac
done
d0=$(rule_counter filter forward "src-address-list=ssh_blacklist")
for n in 5 6; do
	T_OUT=$(ssh_from 2.2.2.2)
	assert_eq "2.2.2.2 connection $n: blocked (no answer)" timeout "$T_OUT"
done
d1=$(rule_counter filter forward "src-address-list=ssh_blacklist")
if [ "$d0" -ge 1 ] && [ $((d1 - d0)) -ge 2 ]; then
	t_pass "the blacklist drop rule counted the 4th connection's packets and the blocked SYNs ($d0, then $d1)"
else
	t_fail "the blacklist drop rule counted the blocked SYNs" \
	    "before: $d0, after: $d1"
fi
assert_eq "the server accepted exactly 3 connections from 2.2.2.2" 3 \
    "$(grep -c '^2\.2\.2\.2:' "$T_TMP/ssh-srv.log")"

T_OUT=$(ssh_from 198.51.100.1)
assert_match "another source, 198.51.100.1, still gets the banner" \
    '^banner: SSH-2\.0-hp 198\.51\.100\.1:' "$T_OUT"
assert_timeout "... and is in ssh_stage1" \
    "$(addrlist_entry ssh_stage1 198.51.100.1)" 50 60
assert_eq "... but not on the blacklist" none \
    "$(addrlist_entry ssh_blacklist 198.51.100.1)"

# --- the dynamic entries survive a reload ---------------------------------
# The export changes (a static entry more), so the reload has something to
# do; in the stand-in run the YAML gets a comment instead.
if [ -n "${ROS_LEGACY:-}" ]; then
	echo "# reloaded" >>"$T_TMP/brute.yaml"
else
	printf '%s\n' '/ip firewall address-list' \
	    'add address=203.0.113.9 comment="added before the reload" list=ssh_whitelist' \
	    >>"$T_TMP/brute.rsc"
fi
t_run "$HAIRPINCTL" -s "$T_SOCK" reload
assert_eq "hairpinctl reload succeeds" 0 "$T_RC"
sleep 0.5
assert_eq "after reload: the export's new static entry is there" \
    "dynamic=false timeout=null" "$(addrlist_entry ssh_whitelist 203.0.113.9)"
assert_timeout "after reload: ssh_blacklist still has 2.2.2.2, ~10 days left" \
    "$(addrlist_entry ssh_blacklist 2.2.2.2)" 863000 864000
assert_timeout "after reload: ssh_stage3 still has 2.2.2.2, under a minute left" \
    "$(addrlist_entry ssh_stage3 2.2.2.2)" 0 60
assert_timeout "after reload: ssh_stage1 still has 198.51.100.1" \
    "$(addrlist_entry ssh_stage1 198.51.100.1)" 0 60
T_OUT=$(ssh_from 2.2.2.2)
assert_eq "after reload: 2.2.2.2 still blocked" timeout "$T_OUT"
T_OUT=$(ssh_from 198.51.100.1)
assert_match "after reload: 198.51.100.1 still gets through (its 2nd)" \
    '^banner: SSH-2\.0-hp 198\.51\.100\.1:' "$T_OUT"
assert_timeout "... and moved on to ssh_stage2: the stages kept counting" \
    "$(addrlist_entry ssh_stage2 198.51.100.1)" 50 60
ctl address-lists >"$T_TMP/al.all" 2>&1
T_OUT=$("${ROSTOOL[@]}" rows "$T_TMP/al.all" address=2.2.2.2 | wc -l)
assert_eq "address-lists: 2.2.2.2 in the 3 stages and the blacklist" 4 \
    "$T_OUT"

router_stop
t_done
