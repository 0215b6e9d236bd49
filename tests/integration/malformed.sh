#!/bin/bash
# SPDX-License-Identifier: ISC
# Bad frames from both sides (SPEC section 8): thousands of malformed
# frames of every kind, written straight to the links from a LAN host and
# from the ISP. Afterwards the daemon must be alive, still forward on all
# three seed paths, and have counted each kind of drop under its reason.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/hostile-lib.sh
. "$(dirname "$0")/hostile-lib.sh"

[ "$ROUTER" = hairpind ] || { echo "SKIP: hairpind only"; exit 77; }
t_setup
t_topology

N=${MALFORMED_COUNT:-300}
# br_netfilter (when loaded) checks IPv4 headers on the LAN bridge and
# would drop the bad ones before they reach the router.
ip netns exec "$LAB_NS_LAN" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
    net.bridge.bridge-nf-call-arptables=0 2>/dev/null || true
conf=$(t_config malformed)
conf_set "$conf" conntrack.frag-timeout 2s
router_start "$conf" || t_done
still_forwards before

lan_mac=$(iface_mac lan)
wan_mac=$(iface_mac wan)
assert_match "router MACs known" '^([0-9a-f]{2}:){5}[0-9a-f]{2}$' "$lan_mac"
t0_timeouts=$(metric frag_timeouts_total)

# send LABEL NS IFACE MAC SRC DST FWD
send_bad() {
	local label=$1 ns=$2 ifc=$3 mac=$4 src=$5 dst=$6 fwd=$7
	T_TIMEOUT=120 t_run ip netns exec "$ns" "${HOSTILE[@]}" malformed \
	    --iface "$ifc" --dst-mac "$mac" --src "$src" --dst "$dst" \
	    --fwd "$fwd" --count "$N" --pps 4000
	if [ "$T_RC" = 0 ]; then
		t_pass "$label: sent $(printf '%s' "$T_OUT" | tail -n 1 |
		    "$PY" -c 'import json,sys; print(sum(json.load(sys.stdin).values()))' 2>/dev/null) bad frames (${T_MS} ms)"
	else
		t_fail "$label: send bad frames" "exit $T_RC" "$T_OUT"
	fi
}

send_bad "LAN host" "$LAB_NS_CLIENT" eth0 "$lan_mac" 192.168.1.10 \
    192.168.1.1 2.2.2.2
assert_alive "alive after the LAN host's bad frames"
send_bad "ISP" "$LAB_NS_ISP" "$LAB_TAP_WAN" "$wan_mac" 2.2.2.2 1.1.1.1 \
    192.168.1.2
assert_alive "alive after the ISP's bad frames"

# Let the held fragments time out (frag-timeout 2s, checked every second).
sleep 4

for side in lan wan; do
	for reason in bad-ip-header bad-ip-length bad-ip-checksum \
	    bad-l4-header vlan bad-arp ttl-exceeded frag-invalid frag-oversize; do
		assert_ge "$side: drops $reason counted" "$N" \
		    "$(drops "$side" "$reason")"
	done
done
# Overlapping pairs count their second half; the frames that were only
# noise still went somewhere.
t_note "drops: $(drops_all | tr '\n' ';')"
t1_timeouts=$(metric frag_timeouts_total)
assert_ge "never-completed fragments timed out (frag_timeouts_total)" \
    $((2 * N)) $((${t1_timeouts:-0} - ${t0_timeouts:-0}))
assert_le "reassembly memory released after the timeout" 0 \
    "$(metric frag_memory_bytes)"

assert_alive "alive at the end"
still_forwards after
check "hairpinctl status still answers" "$HAIRPINCTL" -s "$T_SOCK" status
sanitizer_clean "no sanitizer report in the daemon log"
router_stop
t_done
