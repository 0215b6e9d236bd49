#!/bin/bash
# SPDX-License-Identifier: ISC
# The seed topology of SPEC section 2 in network namespaces, as a library
# (source it) and as a command:
#
#   topology.sh up   [--prefix P] [--router hairpind|kernel] [--no-hairpin]
#                    [--config FILE] [--state DIR]
#   topology.sh down [--prefix P] [--state DIR]
#   topology.sh config [--prefix P] [--socket PATH] [--no-hairpin] ...
#   topology.sh status [--prefix P]
#
# Names carry the prefix P (default "hp", giving the SPEC names hp-isp,
# hp-lan, hp-server, hp-client and the TAPs hp-wan, hp-lan):
#
#   P-isp     P-wan (TAP or veth) 1.1.1.254/24, lo 2.2.2.2/32 (internet
#             client; web server 2.2.2.2:8080), "far" 198.51.100.1/24
#             (the internet beyond the ISP, a traceroute target; a veth with a
#             silent peer), forwarding on
#   P-lan     bridge br0: P-lan (TAP or veth), srv, cli
#   P-server  eth0 192.168.1.2/24, default via 192.168.1.1, web server :80
#   P-client  eth0 192.168.1.10/24, default via 192.168.1.1
#   P-rtr     (--router kernel) wan 1.1.1.1/24, lan 192.168.1.1/24, the
#             config's routes and nftables equivalent of its NAT rules
#
# With --router hairpind the TAPs are persistent and hairpind attaches to
# them: start it yourself with the config `up` writes to the state
# directory (derived from etc/hairpind.yaml, --no-hairpin drops the hairpin
# rule), or let seed-lab.sh do it. Everything started
# here leaves a pid file in the state directory; `down` ends exactly those
# processes and deletes exactly these namespaces, and may be run any time.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_TOP=$(cd "$LAB_DIR/../.." && pwd)
LAB_PY=/usr/bin/python3

# lab_init PREFIX [STATEDIR]: set the names every other function uses.
lab_init() {
	local p=${1:-hp}
	if ! [[ $p =~ ^[a-z][a-z0-9]{0,10}$ ]]; then
		echo "topology: bad prefix '$p' (a-z0-9, at most 11 chars)" >&2
		return 2
	fi
	LAB_P=$p
	LAB_NS_ISP=$p-isp
	LAB_NS_LAN=$p-lan
	LAB_NS_SERVER=$p-server
	LAB_NS_CLIENT=$p-client
	LAB_NS_RTR=$p-rtr
	LAB_TAP_WAN=$p-wan
	LAB_TAP_LAN=$p-lan
	LAB_STATE=${2:-/run/hairpind-lab/$p}
	LAB_NAMESPACES=("$LAB_NS_ISP" "$LAB_NS_LAN" "$LAB_NS_SERVER"
	    "$LAB_NS_CLIENT" "$LAB_NS_RTR")
}

lab_say() {
	[ -n "${LAB_QUIET:-}" ] || echo "topology: $*" >&2
}

lab_err() {
	echo "topology: $*" >&2
	return 1
}

# lab_wait SECONDS CMD...: poll CMD every 0.1 s until it succeeds; 1 on timeout.
lab_wait() {
	local limit=$1 end
	shift
	end=$(($(date +%s%N) + limit * 1000000000))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# lab_ns NS CMD...: run CMD inside namespace NS.
lab_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

lab_ns_exists() {
	[ -e "/run/netns/$1" ]
}

lab_ns_add() {
	local ns=$1
	ip netns add "$ns" || return 1
	ip -n "$ns" link set lo up || return 1
	# IPv6 would only add router solicitations and DAD noise to the links
	# (and a kernel without IPv6 has nothing to switch off).
	lab_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
}

# lab_spawn NAME NS|- CMD...: start CMD in the background (in namespace NS,
# or here for -), output to STATE/NAME.log, pid to STATE/NAME.pid.
lab_spawn() {
	local name=$1 ns=$2 pid
	shift 2
	if [ "$ns" = - ]; then
		"$@" </dev/null >"$LAB_STATE/$name.log" 2>&1 &
	else
		ip netns exec "$ns" "$@" </dev/null \
		    >"$LAB_STATE/$name.log" 2>&1 &
	fi
	pid=$!
	echo "$pid" >"$LAB_STATE/$name.pid"
}

# lab_pid_alive PID: running, and not a zombie waiting for our `wait`.
lab_pid_alive() {
	local stat
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# lab_kill NAME [SIGNAL]: end the process of STATE/NAME.pid, waiting up to
# 5 s before SIGKILL. Prints nothing; returns the process' exit status when
# it was our child, else 0.
lab_kill() {
	local name=$1 sig=${2:-TERM} pidf pid rc=0
	pidf=$LAB_STATE/$name.pid
	[ -f "$pidf" ] || return 0
	pid=$(cat "$pidf")
	if lab_pid_alive "$pid"; then
		kill -s "$sig" "$pid" 2>/dev/null
		if ! lab_wait 5 eval "! lab_pid_alive $pid"; then
			kill -s KILL "$pid" 2>/dev/null
		fi
	fi
	wait "$pid" 2>/dev/null || rc=$?
	rm -f "$pidf"
	# 127: not our child (started by an earlier `topology.sh up`).
	[ "$rc" = 127 ] && rc=0
	return "$rc"
}

lab_listening() {
	# lab_listening NS ADDR PORT [tcp|udp]
	local flag=-Hltn
	[ "${4:-tcp}" = udp ] && flag=-Hlun
	[ -n "$(lab_ns "$1" ss "$flag" src "$2:$3")" ]
}

# lab_web NAME NS ADDR PORT: the HTTP server of websrv.py, logging to
# STATE/NAME.access.
lab_web() {
	local name=$1 ns=$2 addr=$3 port=$4
	: >"$LAB_STATE/$name.access"
	lab_spawn "$name" "$ns" "$LAB_PY" "$LAB_DIR/websrv.py" --bind "$addr" \
	    --port "$port" --log "$LAB_STATE/$name.access"
	lab_wait 10 lab_listening "$ns" "$addr" "$port" ||
	    lab_err "$name: no listener on $addr:$port in $ns" || return 1
}

# lab_isp_link: address the ISP end of the WAN link and restore the routes
# added with lab_isp_route (the kernel router recreates the link).
lab_isp_link() {
	local r
	ip -n "$LAB_NS_ISP" link set "$LAB_TAP_WAN" up || return 1
	ip -n "$LAB_NS_ISP" addr replace 1.1.1.254/24 dev "$LAB_TAP_WAN" ||
	    return 1
	[ -f "$LAB_STATE/isp-routes" ] || return 0
	while read -r r; do
		[ -n "$r" ] || continue
		ip -n "$LAB_NS_ISP" route replace "$r" via 1.1.1.1 || return 1
	done <"$LAB_STATE/isp-routes"
}

# lab_isp_route PREFIX: the ISP routes PREFIX to the router (1.1.1.1); for
# tests that need the outside to reach more than the router's address.
lab_isp_route() {
	echo "$1" >>"$LAB_STATE/isp-routes"
	# A stopped kernel router takes the link with it; lab_isp_link
	# restores the route when it comes back.
	ip -n "$LAB_NS_ISP" link show "$LAB_TAP_WAN" >/dev/null 2>&1 || return 0
	ip -n "$LAB_NS_ISP" route replace "$1" via 1.1.1.1
}

lab_lan_port() {
	ip -n "$LAB_NS_LAN" link set "$1" master br0 up
}

# lab_host NS ADDR: a host on the LAN bridge with the router as gateway.
lab_host() {
	local ns=$1 addr=$2 port=$3
	lab_ns_add "$ns" || return 1
	ip -n "$LAB_NS_LAN" link add "$port" type veth peer name eth0 \
	    netns "$ns" || return 1
	lab_lan_port "$port" || return 1
	ip -n "$ns" addr add "$addr/24" dev eth0 || return 1
	ip -n "$ns" link set eth0 up || return 1
	ip -n "$ns" route add default via 192.168.1.1 || return 1
}

# lab_config_gen [labconf gen options]: a config for this prefix derived
# from etc/hairpind.yaml (or the SPEC seed when that is absent).
lab_config_gen() {
	local tmpl=()
	[ -f "$LAB_TOP/etc/hairpind.yaml" ] &&
	    tmpl=(--template "$LAB_TOP/etc/hairpind.yaml")
	"$LAB_PY" "$LAB_DIR/labconf.py" gen "${tmpl[@]}" --prefix "$LAB_P" "$@"
}

# lab_kernel_start CONFIG: (re)create the kernel stand-in router from a
# hairpind config. A fresh namespace each time also means a fresh conntrack
# table, as a restarted hairpind has.
lab_kernel_start() {
	local conf=$1
	lab_kernel_stop
	lab_ns_add "$LAB_NS_RTR" || return 1
	# Fixed MACs, as hairpind's are stable: the hosts' ARP caches must
	# stay right across a router restart.
	ip -n "$LAB_NS_RTR" link add wan address 02:00:5e:10:00:01 type veth \
	    peer name "$LAB_TAP_WAN" netns "$LAB_NS_ISP" || return 1
	ip -n "$LAB_NS_RTR" link add lan address 02:00:5e:10:00:02 type veth \
	    peer name "$LAB_TAP_LAN" netns "$LAB_NS_LAN" || return 1
	lab_lan_port "$LAB_TAP_LAN" || return 1
	lab_isp_link || return 1
	"$LAB_PY" "$LAB_DIR/labconf.py" kernel "$conf" --netns "$LAB_NS_RTR" \
	    --link "$LAB_TAP_WAN=wan" --link "$LAB_TAP_LAN=lan" || return 1
	cp "$conf" "$LAB_STATE/router.yaml" 2>/dev/null || true
}

lab_kernel_stop() {
	local p
	lab_ns_exists "$LAB_NS_RTR" || return 0
	for p in $(ip netns pids "$LAB_NS_RTR" 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	ip netns del "$LAB_NS_RTR"
	# The veth peers go with it; wait until the names are free again.
	lab_wait 5 eval "! ip -n $LAB_NS_ISP link show $LAB_TAP_WAN" || true
	lab_wait 5 eval "! ip -n $LAB_NS_LAN link show $LAB_TAP_LAN" || true
}

# lab_taps: the persistent TAPs hairpind attaches to.
lab_taps() {
	ip -n "$LAB_NS_ISP" tuntap add dev "$LAB_TAP_WAN" mode tap || return 1
	ip -n "$LAB_NS_LAN" tuntap add dev "$LAB_TAP_LAN" mode tap || return 1
	lab_lan_port "$LAB_TAP_LAN" || return 1
	lab_isp_link || return 1
}

# lab_tap_carrier NS DEV: true once something (hairpind) has the TAP open.
lab_tap_carrier() {
	[ "$(cat "/sys/class/net/$2/carrier" 2>/dev/null)" = 1 ] && return 0
	lab_ns "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null | grep -qx 1
}

# lab_up ROUTER [CONFIG]: build the whole topology. ROUTER is hairpind
# (persistent TAPs, start the daemon afterwards) or kernel (needs CONFIG, or
# one is generated from etc/hairpind.yaml).
lab_up() {
	local router=$1 conf=${2:-} ns
	for ns in "${LAB_NAMESPACES[@]}"; do
		if lab_ns_exists "$ns"; then
			lab_err "namespace $ns exists: is lab '$LAB_P' up?" \
			    "(topology.sh down --prefix $LAB_P)"
			return 1
		fi
	done
	mkdir -p "$LAB_STATE" || return 1
	echo "$router" >"$LAB_STATE/router"

	lab_ns_add "$LAB_NS_ISP" || return 1
	ip -n "$LAB_NS_ISP" addr add 2.2.2.2/32 dev lo || return 1
	# A veth with a silent peer: the dummy driver is not always built.
	ip -n "$LAB_NS_ISP" link add far type veth peer name far-peer ||
	    return 1
	ip -n "$LAB_NS_ISP" link set far-peer up || return 1
	ip -n "$LAB_NS_ISP" addr add 198.51.100.1/24 dev far || return 1
	ip -n "$LAB_NS_ISP" link set far up || return 1
	lab_ns "$LAB_NS_ISP" sysctl -qw net.ipv4.ip_forward=1 || return 1

	lab_ns_add "$LAB_NS_LAN" || return 1
	ip -n "$LAB_NS_LAN" link add br0 type bridge || return 1
	ip -n "$LAB_NS_LAN" link set br0 up || return 1
	lab_host "$LAB_NS_SERVER" 192.168.1.2 srv || return 1
	lab_host "$LAB_NS_CLIENT" 192.168.1.10 cli || return 1

	case $router in
	hairpind)
		lab_taps || return 1
		;;
	kernel)
		if [ -z "$conf" ]; then
			conf=$LAB_STATE/router.yaml
			lab_config_gen --socket "$LAB_STATE/unused.sock" \
			    >"$conf" || return 1
		fi
		lab_kernel_start "$conf" || return 1
		;;
	*)
		lab_err "unknown router '$router' (hairpind or kernel)"
		return 1
		;;
	esac

	lab_web web "$LAB_NS_SERVER" 192.168.1.2 80 || return 1
	lab_web isp-web "$LAB_NS_ISP" 2.2.2.2 8080 || return 1
}

# lab_down: stop what we started, delete our namespaces. Idempotent.
lab_down() {
	local f name ns p
	if [ -d "$LAB_STATE" ]; then
		# The daemon first: its TAP fds keep the namespaces alive.
		[ -f "$LAB_STATE/hairpind.pid" ] && lab_kill hairpind
		for f in "$LAB_STATE"/*.pid; do
			[ -e "$f" ] || continue
			name=$(basename "$f" .pid)
			lab_kill "$name"
		done
	fi
	for ns in "${LAB_NAMESPACES[@]}"; do
		lab_ns_exists "$ns" || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
		# a resolv.conf `ip netns exec` mounts (seed-lab.sh's DNS step)
		rm -rf "/etc/netns/$ns"
	done
	if [ -d "$LAB_STATE" ] && [ -z "${LAB_KEEP_STATE:-}" ]; then
		rm -rf "$LAB_STATE"
	fi
	return 0
}

lab_status() {
	local ns any=
	for ns in "${LAB_NAMESPACES[@]}"; do
		lab_ns_exists "$ns" || continue
		any=1
		printf '%-12s ' "$ns"
		ip -n "$ns" -br -4 addr show | grep -v '^lo ' |
		    awk '{printf "%s %s  ", $1, $3} END {print ""}'
	done
	[ -n "$any" ] || echo "lab '$LAB_P' is not up"
}

lab_usage() {
	cat <<EOF
usage: topology.sh up [--prefix P] [--router hairpind|kernel] [--no-hairpin]
                      [--config FILE] [--state DIR]
       topology.sh down [--prefix P] [--state DIR]
       topology.sh config [--prefix P] [--socket PATH] [--no-hairpin]
       topology.sh status [--prefix P]
EOF
}

lab_main() {
	local cmd=${1:-} prefix=hp router=hairpind conf='' state='' socket=''
	local gen=()
	shift || true
	while [ $# -gt 0 ]; do
		case $1 in
		--prefix) prefix=${2:?}; shift ;;
		--router) router=${2:?}; shift ;;
		--config) conf=${2:?}; shift ;;
		--state) state=${2:?}; shift ;;
		--socket) socket=${2:?}; shift ;;
		--no-hairpin) gen+=(--no-hairpin) ;;
		-h|--help) lab_usage; return 0 ;;
		*) lab_usage >&2; return 2 ;;
		esac
		shift
	done
	lab_init "$prefix" "$state" || return 2
	case $cmd in
	up)
		[ "$(id -u)" = 0 ] || { lab_err "must run as root"; return 1; }
		if [ -n "$conf" ] && [ ${#gen[@]} -gt 0 ]; then
			lab_err "--config and --no-hairpin exclude each other"
			return 2
		fi
		if [ "$router" = kernel ] && [ -z "$conf" ]; then
			mkdir -p "$LAB_STATE"
			conf=$LAB_STATE/router.yaml
			lab_config_gen --socket "$LAB_STATE/unused.sock" \
			    "${gen[@]}" >"$conf" || return 1
		fi
		if ! lab_up "$router" "$conf"; then
			lab_err "setup failed; tearing down"
			lab_down
			return 1
		fi
		lab_say "lab '$prefix' up ($router router); state in $LAB_STATE"
		if [ "$router" = hairpind ]; then
			conf=$LAB_STATE/hairpind.yaml
			lab_config_gen --socket "$LAB_STATE/hairpind.sock" \
			    "${gen[@]}" >"$conf" || return 1
			lab_say "start the router: hairpind -f $conf"
		fi
		;;
	down)
		lab_down
		;;
	config)
		lab_config_gen --socket "${socket:-/run/hairpind/hairpind.sock}" \
		    "${gen[@]}"
		;;
	status)
		lab_status
		;;
	*)
		lab_usage >&2
		return 2
		;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -uo pipefail
	lab_main "$@"
	exit $?
fi
