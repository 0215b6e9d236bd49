#!/bin/bash
# SPDX-License-Identifier: ISC
# The seed lab in one command: the MikroTik wiki's hairpin NAT scenario
# (SPEC section 2) with hairpind as the router, and the three flows that
# show it working. Run as root on Debian 12; installs what is missing.
#
#   seed-lab.sh [--once] [--router hairpind|kernel] [--no-build]
#               [--routeros EXPORT]
#   seed-lab.sh down
#
# --routeros EXPORT runs hairpind from a RouterOS export instead of
# etc/hairpind.yaml: its ether1 is the lab's WAN link, its bridge the LAN
# link, and the export gives the addresses (contrib/lab/seed-v7.rsc is the
# seed page inside a v7 default configuration).
# --once tears the lab down after the demonstration; otherwise it stays up
# for you to poke at until `seed-lab.sh down`. --router kernel runs the
# same scenario on a Linux namespace router with nftables instead, for
# comparison.

# shellcheck source-path=SCRIPTDIR
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILDDIR:-$TOP/build}
CONF=$TOP/etc/hairpind.yaml
ONCE=
ROUTER=hairpind
BUILD_IT=1
ROS_FILE=

. "$HERE/deps.sh"
. "$HERE/topology.sh"

# The wiki's point: without the hairpin rule the LAN client's connection
# breaks. The daemon rereads its own file on reload, so the file gets the
# rules without the hairpin rule for a moment, and its original content
# back afterwards (also on ^C: see restore_conf).
broken_case() {
	local sock=$1 out tpid

	cp "$CONF" "$LAB_STATE/hairpind-full.yaml" || return 0
	RESTORE_CONF=1
	if ! "$LAB_PY" "$LAB_DIR/labconf.py" gen --prefix hp --socket "$sock" \
	    --template "$LAB_STATE/hairpind-full.yaml" --no-hairpin \
	    >"$CONF" || ! timeout 5 "$HAIRPINCTL" -s "$sock" reload \
	    >/dev/null; then
		restore_conf
		say "    (could not reload without the hairpin rule; skipped)"
		return 0
	fi
	say ""
	say "${B}[4] the wiki's broken case: the same request without the hairpin rule${N}"
	say "    (hairpinctl reload with the third rule removed)"
	timeout 6 "$HAIRPINCTL" -s "$sock" trace proto=tcp dst=1.1.1.1 \
	    port=80 >"$LAB_STATE/trace.txt" 2>&1 &
	tpid=$!
	sleep 0.5
	say "    $ ip netns exec hp-client curl --max-time 3 http://1.1.1.1/"
	if out=$(ip netns exec "$LAB_NS_CLIENT" curl -sS --max-time 3 \
	    http://1.1.1.1/ 2>&1); then
		say "    ${R}unexpected answer: $out${N}"
		FAILED=$((FAILED + 1))
	else
		say "    $out"
		say "    ${G}fails, as the wiki says${N}"
	fi
	wait "$tpid"
	say "    hairpinctl trace on the first packet:"
	grep -m1 "note:" "$LAB_STATE/trace.txt" | fold -s -w 72 |
	    sed 's/^ */      /'
	restore_conf
	timeout 5 "$HAIRPINCTL" -s "$sock" reload >/dev/null &&
	    say "    (hairpin rule restored: hairpinctl reload)"
}

# The seed page's other way out: "a router that can do application level
# DNS inspection and can rewrite A records accordingly, or a split DNS
# server". The public DNS (a dnsmasq at 2.2.2.53 in hp-isp) says
# www.example.test is 1.1.1.1; the router's own DNS (dns: in
# etc/hairpind.yaml) answers the LAN 192.168.1.2, so the client talks to
# the server directly and the server sees who it is.
dns_case() {
	local sock=$1 out
	say ""
	say "${B}the seed page's better fix: the router answers DNS${N}   ${D}(dns: in ${CONF#"$TOP"/})${N}"
	if ! grep -q '^dns:' "$CONF"; then
		say "    (no dns: section in ${CONF#"$TOP"/}; skipped)"
		return 0
	fi
	if command -v dnsmasq >/dev/null; then
		ip -n "$LAB_NS_ISP" addr replace 2.2.2.53/32 dev lo
		lab_spawn dnsmasq "$LAB_NS_ISP" dnsmasq --keep-in-foreground \
		    --no-resolv --no-hosts --listen-address=2.2.2.53 \
		    --bind-interfaces --pid-file= --user=root \
		    --host-record=www.example.test,1.1.1.1
		lab_wait 5 lab_listening "$LAB_NS_ISP" 2.2.2.53 53 udp || true
		say "    the public DNS (dnsmasq at 2.2.2.53 in hp-isp) says:"
		say "    \$ ip netns exec hp-isp dig +short @2.2.2.53 www.example.test"
		out=$(ip netns exec "$LAB_NS_ISP" dig +time=2 +tries=1 +short \
		    @2.2.2.53 www.example.test 2>&1)
		say "    $out"
	fi
	# the client's resolver: `ip netns exec` mounts this resolv.conf
	mkdir -p "/etc/netns/$LAB_NS_CLIENT"
	echo "nameserver 192.168.1.1" >"/etc/netns/$LAB_NS_CLIENT/resolv.conf"
	say "    the LAN client asks the router (nameserver 192.168.1.1):"
	say "    \$ ip netns exec hp-client dig +short www.example.test"
	out=$(ip netns exec "$LAB_NS_CLIENT" dig +time=2 +tries=1 +short \
	    www.example.test 2>&1)
	say "    $out"
	if [ "$out" = 192.168.1.2 ]; then
		say "    ${G}the server's own address${N} (a dns static entry in the router)"
	else
		say "    expected 192.168.1.2: ${R}FAILED${N}"
		FAILED=$((FAILED + 1))
	fi
	flow 5 "LAN client 192.168.1.10 -> http://www.example.test/" \
	    "DNS answered 192.168.1.2: no NAT at all" "$LAB_NS_CLIENT" \
	    192.168.1.10 http://www.example.test/
	say "    Through 1.1.1.1 ([2]) the server logs 192.168.1.1, the router:"
	say "    hairpin NAT must masquerade, or the reply would bypass it."
	say "    By name ([5]) the client goes straight to 192.168.1.2 on its"
	say "    own LAN, so the server logs the client itself, 192.168.1.10."
	DNS_SHOWN=1
}

restore_conf() {
	if [ -n "${RESTORE_CONF:-}" ]; then
		cp "$LAB_STATE/hairpind-full.yaml" "$CONF"
		RESTORE_CONF=
	fi
}

usage() {
	sed -n '7,8s/^#  */usage: /p' "$0" | sed '2s/usage:/      /'
}

say() { printf '%s\n' "$*"; }
die() { printf 'seed-lab: %s\n' "$*" >&2; exit 1; }

if [ -t 1 ]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' D=$'\e[2m' N=$'\e[0m'
else
	B='' G='' R='' D='' N=''
fi

build_hairpind() {
	local log=$LAB_STATE/build.log
	printf 'building hairpind in %s ... ' "${BUILD#"$TOP"/}"
	{
		if [ ! -x "$TOP/configure" ]; then
			(cd "$TOP" && ./autogen.sh) || return 1
		fi
		mkdir -p "$BUILD" || return 1
		if [ ! -f "$BUILD/Makefile" ]; then
			(cd "$BUILD" && "$TOP/configure") || return 1
		fi
		make -C "$BUILD" -j"$(nproc)" src/hairpind src/hairpinctl
	} >"$log" 2>&1
	local rc=$?
	if [ "$rc" != 0 ]; then
		say "${R}failed${N}"
		tail -n 30 "$log" | sed 's/^/  /'
		die "build failed (full log: $log)"
	fi
	say "done"
}

# flow N TITLE WHAT NS EXPECT CURL-ARGS...: one seed flow, printed the way
# an engineer would run it by hand, with the verdict.
FAILED=0
flow() {
	local n=$1 title=$2 what=$3 ns=$4 expect=$5 body saw
	shift 5
	say ""
	say "${B}[$n] $title${N}   ${D}($what)${N}"
	say "    \$ ip netns exec $ns curl $*"
	body=$(ip netns exec "$ns" curl -sS --max-time 5 "$@" 2>&1)
	say "    $body"
	saw=$(printf '%s\n' "$body" |
	    sed -n 's/.*you are \([0-9.]*\):[0-9]*$/\1/p')
	if [ "$saw" = "$expect" ]; then
		say "    the server saw ${B}$saw${N}: ${G}ok${N}"
	else
		say "    expected the server to see $expect: ${R}FAILED${N}"
		FAILED=$((FAILED + 1))
	fi
}

lab_wait_ready() {
	lab_tap_carrier "$LAB_NS_ISP" "$LAB_TAP_WAN" &&
	    lab_tap_carrier "$LAB_NS_LAN" "$LAB_TAP_LAN"
}

start_hairpind() {
	local pid sock=$1
	mkdir -p "$(dirname "$sock")"
	say ""
	say "${B}hairpind -t -f ${CONF#"$TOP"/}${N}"
	"$HAIRPIND" -t -f "$CONF" 2>&1 | sed 's/^/    /'
	[ "${PIPESTATUS[0]}" = 0 ] || die "the configuration does not check"
	# Its own session: the daemon outlives this script and its terminal.
	lab_spawn hairpind - setsid "$HAIRPIND" -f "$CONF"
	pid=$(cat "$LAB_STATE/hairpind.pid")
	if ! lab_wait 10 lab_wait_ready; then
		say "hairpind did not bring its TAPs up within 10 s; its log:"
		sed 's/^/    /' "$LAB_STATE/hairpind.log"
		lab_pid_alive "$pid" || die "hairpind exited"
		die "hairpind is not ready"
	fi
	lab_wait 3 test -S "$sock" || true
	say "    started, pid $pid, log $LAB_STATE/hairpind.log"
}

cmd_down() {
	lab_init hp || exit 1
	lab_down
	say "seed lab down"
}

cmd_up() {
	local sock rule
	[ "$(id -u)" = 0 ] || die "run me as root"
	hp_install_deps || die "could not install the dependencies"
	lab_init hp || exit 1
	if [ -d "$LAB_STATE" ] || lab_ns_exists "$LAB_NS_ISP"; then
		say "a seed lab is up already: tearing it down first"
		lab_down
	fi
	mkdir -p "$LAB_STATE" || exit 1
	HAIRPIND=$BUILD/src/hairpind
	HAIRPINCTL=$BUILD/src/hairpinctl
	if [ "$ROUTER" = hairpind ] && [ -n "$BUILD_IT" ]; then
		build_hairpind
	fi
	if [ -n "$ROS_FILE" ]; then
		# the export's ether1 and bridge on the lab's two links
		CONF=$LAB_STATE/hairpind.yaml
		printf '%s\n' \
		    "# seed-lab.sh --routeros: the lab's links under the export's names" \
		    "interfaces:" \
		    "  - { name: ether1, tap: $LAB_TAP_WAN, netns: $LAB_NS_ISP }" \
		    "  - { name: bridge, tap: $LAB_TAP_LAN, netns: $LAB_NS_LAN }" \
		    "control: { socket: /run/hairpind/hairpind.sock }" \
		    "routeros: { file: $ROS_FILE }" >"$CONF" ||
		    die "cannot write $CONF"
	elif [ ! -f "$CONF" ]; then
		CONF=$LAB_STATE/hairpind.yaml
		lab_config_gen --socket /run/hairpind/hairpind.sock >"$CONF" ||
		    die "cannot write $CONF"
		say "(etc/hairpind.yaml is missing; using the SPEC's seed config)"
	fi
	sock=$("$LAB_PY" "$LAB_DIR/labconf.py" show "$CONF" socket) || exit 1

	export LAB_QUIET=1
	if ! lab_up "$ROUTER" "$CONF"; then
		lab_down
		die "could not build the topology"
	fi
	trap 'restore_conf; lab_down; exit 130' INT TERM

	say ""
	say "${B}hairpind seed lab${N}: the MikroTik wiki's \"Hairpin NAT\", in network namespaces"
	cat <<EOF

  netns hp-isp                      router                          netns hp-lan (bridge br0)
  hp-wan 1.1.1.254/24  <-- wan --> 1.1.1.1/24 | 192.168.1.1/24 <-- lan --> hp-server 192.168.1.2 (web :80)
  lo 2.2.2.2/32 (internet client, web :8080)                              hp-client 192.168.1.10
EOF
	say ""
	if [ "$ROUTER" = kernel ]; then
		say "router: ${B}Linux kernel${N} in netns hp-rtr, nftables from ${CONF#"$TOP"/}"
	else
		say "router: ${B}hairpind${N} with ${CONF#"$TOP"/}"
	fi
	if [ -n "$ROS_FILE" ]; then
		say "RouterOS export: ${ROS_FILE#"$TOP"/} (its rules: hairpinctl rules)"
	else
		say "NAT rules:"
		"$LAB_PY" "$LAB_DIR/labconf.py" show "$CONF" nat |
		    while read -r rule; do
			say "    $rule"
		done
	fi

	if [ "$ROUTER" = hairpind ]; then
		start_hairpind "$sock"
	fi

	flow 1 "internet client 2.2.2.2 -> http://1.1.1.1/" "dst-nat" \
	    "$LAB_NS_ISP" 2.2.2.2 --interface 2.2.2.2 http://1.1.1.1/
	flow 2 "LAN client 192.168.1.10 -> http://1.1.1.1/" \
	    "dst-nat + hairpin masquerade" "$LAB_NS_CLIENT" 192.168.1.1 \
	    http://1.1.1.1/
	flow 3 "LAN client 192.168.1.10 -> http://2.2.2.2:8080/" "masquerade" \
	    "$LAB_NS_CLIENT" 1.1.1.1 http://2.2.2.2:8080/

	# the broken case and the DNS step edit etc/hairpind.yaml's rules
	if [ "$ROUTER" = hairpind ] && [ -x "$HAIRPINCTL" ] &&
	    [ -z "$ROS_FILE" ]; then
		broken_case "$sock"
		dns_case "$sock"
	fi

	say ""
	say "${B}what the web server at 192.168.1.2 logged${N}"
	sed 's/^/    /' "$LAB_STATE/web.access"

	if [ "$ROUTER" = hairpind ] && [ -x "$HAIRPINCTL" ]; then
		say ""
		say "${B}hairpinctl conntrack${N}"
		if ! timeout 5 "$HAIRPINCTL" -s "$sock" conntrack 2>&1 |
		    sed 's/^/    /'; then
			say "    (not available)"
		fi
	elif [ "$ROUTER" = kernel ]; then
		say ""
		say "${B}nft list table ip nat${N} (in hp-rtr)"
		ip netns exec "$LAB_NS_RTR" nft list table ip nat | sed 's/^/    /'
	fi

	if [ -n "${DNS_SHOWN:-}" ] && [ -x "$HAIRPINCTL" ]; then
		say ""
		say "${B}hairpinctl dns${N}"
		timeout 5 "$HAIRPINCTL" -s "$sock" dns 2>&1 | sed 's/^/    /'
	fi

	say ""
	if [ "$FAILED" = 0 ]; then
		if [ -n "${DNS_SHOWN:-}" ]; then
			say "${G}all four flows work${N}"
		else
			say "${G}all three flows work${N}"
		fi
	else
		say "${R}$FAILED flows failed${N}"
	fi
	if [ -n "$ONCE" ]; then
		lab_down
		say "lab torn down (--once)"
	else
		cat <<EOF

The lab stays up. Try:
  ip netns exec hp-client curl http://1.1.1.1/
  ip netns exec hp-isp curl --interface 2.2.2.2 http://1.1.1.1/
  ip netns exec hp-client curl http://www.example.test/
  ip netns exec hp-client dig www.example.test
EOF
		if [ "$ROUTER" = hairpind ]; then
			say "  ${HAIRPINCTL#"$TOP"/} -s $sock conntrack"
			say "  less $LAB_STATE/hairpind.log"
		else
			say "  ip netns exec hp-rtr nft list ruleset"
		fi
		say "Tear it down with: ${0#"$TOP"/} down"
	fi
	trap - INT TERM
	[ "$FAILED" = 0 ]
}

cmd=up
while [ $# -gt 0 ]; do
	case $1 in
	down) cmd=down ;;
	up) cmd=up ;;
	--once) ONCE=1 ;;
	--no-build) BUILD_IT= ;;
	--routeros)
		[ -f "${2:-}" ] || { echo "--routeros: no file '${2:-}'" >&2; exit 2; }
		ROS_FILE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
		shift
		;;
	--router)
		ROUTER=${2:-}
		shift
		case $ROUTER in
		hairpind|kernel) ;;
		*) usage >&2; exit 2 ;;
		esac
		;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done

if [ -n "$ROS_FILE" ] && [ "$ROUTER" != hairpind ]; then
	echo "--routeros runs hairpind, not --router $ROUTER" >&2
	exit 2
fi
"cmd_$cmd"
