#!/bin/bash
# SPDX-License-Identifier: ISC
# The seed page inside a whole RouterOS v7 export (contrib/lab/seed-v7.rsc:
# the default configuration with fasttrack, the seed's addresses, the port
# forward and the hairpin rule), on the seed topology: the three flows of
# the wiki page, each checked by the address the server saw, and the
# notes for the sections hairpind skips.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

if [ "$ROUTER" != hairpind ]; then
	echo "SKIP: $T_NAME: RouterOS exports are hairpind's"
	exit 77
fi
t_setup
t_topology
# the ISP routes the LAN at the router: only the firewall keeps it out
lab_isp_route 192.168.1.0/24
C=$LAB_NS_CLIENT
I=$LAB_NS_ISP

cat >"$T_TMP/seed-v7.yaml" <<EOT
interfaces:
  - { name: ether1, tap: $LAB_TAP_WAN, netns: $LAB_NS_ISP }
  - { name: bridge, tap: $LAB_TAP_LAN, netns: $LAB_NS_LAN }
control: { socket: $T_SOCK }
routeros: { file: $top_srcdir/contrib/lab/seed-v7.rsc }
EOT
t_run "$HAIRPIND" -t -f "$T_TMP/seed-v7.yaml"
assert_match "hairpind -t: the export loads" 'configuration ok' "$T_OUT"
assert_match "hairpind -t: one note per skipped section" \
    'seed-v7\.rsc:17: note: section /interface bridge port not modelled \(1 line\)' \
    "$T_OUT"
assert_match "hairpind -t: the summary" \
    '^routeros: filter 11, nat 3, mangle 0, raw 0 rules; 2 interface lists' \
    "$T_OUT"
start_hairpind "$T_TMP/seed-v7.yaml" || t_done

t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
assert_eq "flow 1: the internet client reaches the server, which sees it" \
    2.2.2.2 "$(t_saw "$T_OUT")"
t_run t_curl "$C" http://1.1.1.1/
assert_eq "flow 2: hairpin: the server sees the router's LAN address" \
    192.168.1.1 "$(t_saw "$T_OUT")"
t_run t_curl "$C" http://2.2.2.2:8080/
assert_eq "flow 3: masquerade: the internet sees the router's WAN address" \
    1.1.1.1 "$(t_saw "$T_OUT")"
CURL_MAX_TIME=3 t_run t_curl "$I" --interface 2.2.2.2 http://192.168.1.2/
assert_match "defconf: the WAN cannot reach the LAN directly (dropped)" \
    'timed out' "$T_OUT"
stop_hairpind
t_done
