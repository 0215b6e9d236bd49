#!/bin/sh
# SPDX-License-Identifier: ISC
# Named network namespaces with a persistent TAP in each, for hairpind to
# attach to (its config names them with tap: and netns:); used by
# hairpind-lab-netns.service and hairpind-netns@.service (oneshot units that
# hairpind-lab.service and hairpind@.service require).
#
#   hairpind-netns.sh up   NS:TAP[:ADDR/LEN[:GATEWAY]]...
#   hairpind-netns.sh down NS[:TAP...]...
#
# up:   creates NS (ip netns add) unless it exists, brings its loopback up,
#       creates TAP inside it as a persistent TAP unless it exists, gives it
#       ADDR/LEN and a default route via GATEWAY when given, and sets it up.
#       The TAP stays without carrier until hairpind opens it.
# down: deletes each NS, and with it every device inside; a missing one is
#       not an error, so this is safe as ExecStopPost= after a failed start.
#
# Only namespaces named here are touched: give the lab namespaces of its own.
set -u

PROG=hairpind-netns.sh
: "${IP:=ip}"

die() {
	echo "$PROG: $*" >&2
	exit 1
}

usage() {
	echo "usage: $PROG up NS:TAP[:ADDR/LEN[:GATEWAY]]..." >&2
	echo "       $PROG down NS[:TAP]..." >&2
	exit 2
}

# A netns or device name: what ip(8) accepts and nothing a shell or a path
# could misread.
valid_name() {
	case $1 in
	''|*[!A-Za-z0-9_.-]*|.|..) return 1 ;;
	esac
	[ "${#1}" -le 15 ]
}

ns_exists() {
	[ -e "/run/netns/$1" ]
}

up_one() {
	spec=$1
	ns=${spec%%:*}
	rest=${spec#"$ns"}
	rest=${rest#:}
	tap=${rest%%:*}
	rest=${rest#"$tap"}
	rest=${rest#:}
	addr=${rest%%:*}
	rest=${rest#"$addr"}
	gw=${rest#:}
	valid_name "$ns" || die "bad namespace name in '$spec'"
	valid_name "$tap" || die "bad TAP name in '$spec'"

	if ! ns_exists "$ns"; then
		"$IP" netns add "$ns" || die "cannot create namespace $ns"
	fi
	"$IP" -n "$ns" link set lo up || die "$ns: lo up failed"
	if ! "$IP" -n "$ns" link show dev "$tap" >/dev/null 2>&1; then
		"$IP" -n "$ns" tuntap add dev "$tap" mode tap ||
		    die "$ns: cannot create TAP $tap"
	fi
	if [ -n "$addr" ]; then
		"$IP" -n "$ns" addr replace "$addr" dev "$tap" ||
		    die "$ns: cannot address $tap with $addr"
	fi
	"$IP" -n "$ns" link set "$tap" up || die "$ns: cannot set $tap up"
	if [ -n "$gw" ]; then
		"$IP" -n "$ns" route replace default via "$gw" dev "$tap" \
		    onlink || die "$ns: cannot route via $gw"
	fi
}

down_one() {
	ns=${1%%:*}
	valid_name "$ns" || die "bad namespace name in '$1'"
	ns_exists "$ns" || return 0
	"$IP" netns del "$ns" || die "cannot delete namespace $ns"
}

[ $# -ge 2 ] || usage
cmd=$1
shift
case $cmd in
up)
	for spec in "$@"; do
		up_one "$spec"
	done
	;;
down)
	rc=0
	for spec in "$@"; do
		( down_one "$spec" ) || rc=1
	done
	exit "$rc"
	;;
*)
	usage
	;;
esac
