#!/bin/bash
# SPDX-License-Identifier: ISC
# hairpind under a real systemd: builds the Debian package from this tree,
# boots Debian 12 (debootstrapped once into a cache) with systemd-nspawn,
# installs the package there and checks the units as a user would run them:
# start through READY=1, the seed's flows through the lab, reloads with
# `user:` set, a bad reload keeping the old rules, a bad config failing
# without a restart loop, restart after kill -9, a clean stop, journal
# priorities, the hairpind@ template, and the hardening score.
#
#   tests/systemd/nspawn.sh            (as root; CI runs it from .ci/run)
#
# HP_CI_CACHE (default /var/cache/hairpind-ci) keeps the debootstrapped
# tree between runs; HP_DEB=FILE tests that package instead of building one;
# HP_KEEP=1 keeps the work directory (package, container tree, logs).
# Exit 77 (skip) only when not root or when nspawn cannot run a container
# on this machine at all.

set -uo pipefail

TOP=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${HP_CI_CACHE:-/var/cache/hairpind-ci}
# The cached tree's name changes with what it holds, so that a new package
# list debootstraps a new tree instead of using a stale one.
INCLUDE=systemd,systemd-sysv,dbus,iproute2,curl,busybox,procps,libevent-2.1-7,libyaml-0-2,libjansson4,libcap-ng0,libsystemd0,libseccomp2,libldns3,liburing2
ROOTFS=$CACHE/bookworm-$(printf '%s' "$INCLUDE" | md5sum | cut -c1-8)
MACHINE=hp-ci-$$
T0=$(date +%s)
WORK=
NSPAWN_PID=
CPID=
fails=0

say() { printf '%s [%3ss] %s\n' "nspawn:" "$(($(date +%s) - T0))" "$*"; }
ok() { say "ok: $*"; }
fail() {
	say "FAIL: $*"
	fails=$((fails + 1))
}
skip() {
	say "SKIP: $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "not root"

# shellcheck source=contrib/lab/deps.sh
. "$TOP/contrib/lab/deps.sh"
hp_install_deps "${HP_NSPAWN_DEPS[@]}" </dev/null || exit 1
command -v systemd-nspawn >/dev/null || skip "no systemd-nspawn"

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
		[ -n "$CPID" ] && in_ct systemctl poweroff >/dev/null 2>&1
		for _ in $(seq 1 100); do
			kill -0 "$NSPAWN_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$NSPAWN_PID" 2>/dev/null
		wait "$NSPAWN_PID" 2>/dev/null
	fi
	if [ -n "$WORK" ] && [ "${HP_KEEP:-0}" != 1 ]; then
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
WORK=$(mktemp -d /var/tmp/hairpind-nspawn.XXXXXX) || exit 1

# --- the Debian mirror apt uses here --------------------------------------
mirror() {
	local m
	m=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources \
	    2>/dev/null | tr ' ' '\n' | grep -v security | head -n1)
	[ -n "$m" ] || m=$(awk '$1 == "deb" && $0 !~ /security/ {
	    for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
	    /etc/apt/sources.list 2>/dev/null)
	echo "${m:-http://deb.debian.org/debian}"
}

# --- 1. the package ----------------------------------------------------------
if [ -n "${HP_DEB:-}" ]; then
	DEB=$HP_DEB
else
	say "building the Debian package (dpkg-buildpackage -us -uc -b)"
	mkdir -p "$WORK/src/hairpind"
	# A copy without build output: debian/rules builds out of tree, but
	# a configured source directory would refuse that.
	tar -C "$TOP" --exclude=./.git --exclude='./build*' \
	    --exclude=./configure --exclude=./config.status \
	    --exclude=./config.h --exclude=./Makefile -cf - . |
	    tar -C "$WORK/src/hairpind" -xf - || exit 1
	# nocheck: the unit tests the package build runs are make check's,
	# which ran before this (HP_DEB_CHECK=1 runs them here too).
	opts=${DEB_BUILD_OPTIONS:-}
	[ "${HP_DEB_CHECK:-0}" = 1 ] || opts="nocheck $opts"
	if ! (cd "$WORK/src/hairpind" && DEB_BUILD_OPTIONS=$opts \
	    timeout 900 dpkg-buildpackage -us -uc -b \
	    >"$WORK/src/build.log" 2>&1 </dev/null); then
		tail -n 60 "$WORK/src/build.log"
		echo "nspawn: FAIL: dpkg-buildpackage" >&2
		exit 1
	fi
	for DEB in "$WORK"/src/hairpind_*_*.deb; do
		case $DEB in *dbgsym*) ;; *) break ;; esac
	done
	ok "built $(basename "$DEB")"
	if lintian --fail-on error "$WORK"/src/hairpind_*.changes \
	    >"$WORK/lintian.log" 2>&1; then
		ok "lintian: no errors ($(grep -c '^W:' "$WORK/lintian.log") warnings)"
	else
		cat "$WORK/lintian.log"
		fail "lintian reports errors"
	fi
fi

# --- 2. Debian 12, debootstrapped once --------------------------------------
if [ ! -x "$ROOTFS/lib/systemd/systemd" ]; then
	say "debootstrap bookworm into $ROOTFS ($(mirror))"
	mkdir -p "$CACHE" || exit 1
	rm -rf "$ROOTFS.tmp"
	if ! timeout 1200 debootstrap --variant=minbase --include="$INCLUDE" \
	    bookworm "$ROOTFS.tmp" "$(mirror)" >"$WORK/debootstrap.log" 2>&1; then
		tail -n 30 "$WORK/debootstrap.log"
		echo "nspawn: FAIL: debootstrap" >&2
		exit 1
	fi
	mv "$ROOTFS.tmp" "$ROOTFS" || exit 1
	ok "debootstrapped"
fi
ROOT=$WORK/root
cp -a --reflink=auto "$ROOTFS" "$ROOT" || exit 1

# Can nspawn run a container here at all? The only reason to skip.
if ! timeout 60 systemd-nspawn -q --register=no --keep-unit -D "$ROOT" /bin/true \
    >"$WORK/probe.log" 2>&1 </dev/null; then
	cat "$WORK/probe.log"
	skip "systemd-nspawn cannot run a container here"
fi

cp "$DEB" "$ROOT/root/hairpind.deb" || exit 1
if ! timeout 120 systemd-nspawn -q --register=no --keep-unit -D "$ROOT" \
    dpkg -i /root/hairpind.deb >"$WORK/install.log" 2>&1 </dev/null; then
	cat "$WORK/install.log"
	echo "nspawn: FAIL: dpkg -i" >&2
	exit 1
fi
ok "package installed"

# Test fixtures: a CGI that answers with the client's address as the
# server saw it, served by busybox httpd.
mkdir -p "$ROOT/srv/www/cgi-bin"
cat >"$ROOT/srv/www/cgi-bin/ip" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n%s\n' "$REMOTE_ADDR"
EOF
chmod 755 "$ROOT/srv/www/cgi-bin/ip"

# --- 3. boot -----------------------------------------------------------------
# --private-network: the container's own network namespace (and
# /dev/net/tun in it); --system-call-filter=bpf: IPAddressDeny= in the unit.
say "booting Debian 12 with systemd-nspawn -b"
timeout -k 10 600 systemd-nspawn -q -D "$ROOT" -M "$MACHINE" --register=no \
    --keep-unit --private-network --bind=/dev/net/tun \
    --system-call-filter=bpf -b >"$WORK/console.log" 2>&1 </dev/null &
NSPAWN_PID=$!
# The container's PID 1 is a descendant of $NSPAWN_PID (timeout, then
# nspawn, then its child): the first process named systemd below it.
ct_init() {
	local level=$NSPAWN_PID p next
	for _ in 1 2 3 4; do
		next=
		for p in $(ps -o pid= --ppid "$level" 2>/dev/null); do
			if [ "$(cat "/proc/$p/comm" 2>/dev/null)" = systemd ]; then
				echo "$p"
				return 0
			fi
			next="$next $p"
		done
		level=$(echo "$next" | tr ' ' ',' | sed 's/^,//')
		[ -n "$level" ] || return 1
	done
	return 1
}
for _ in $(seq 1 300); do
	CPID=$(ct_init) && break
	kill -0 "$NSPAWN_PID" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$CPID" ]; then
	cat "$WORK/console.log"
	echo "nspawn: FAIL: the container's systemd did not start" >&2
	exit 1
fi

# in_ct CMD...: run CMD inside the container (its namespaces and root).
in_ct() {
	timeout -k 5 "${CT_TIMEOUT:-60}" nsenter -t "$CPID" -m -u -i -n -p -r -w \
	    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}
prop() { in_ct systemctl show -P "$2" "$1"; }

# Until its manager answers on its private socket; then until booted.
for _ in $(seq 1 100); do
	in_ct systemctl show -P Version >/dev/null 2>&1 && break
	sleep 0.1
done
state=$(CT_TIMEOUT=90 in_ct systemctl is-system-running --wait)
case $state in
running|degraded) ok "booted ($state)" ;;
*)
	fail "system state: $state"
	in_ct systemctl --failed --no-pager
	;;
esac

# --- 4. installing enabled and started nothing ----------------------------
for u in hairpind.service hairpind-lab.service; do
	e=$(in_ct systemctl is-enabled "$u")
	a=$(in_ct systemctl is-active "$u")
	if [ "$e" = disabled ] && [ "$a" = inactive ]; then
		ok "$u installed $e, $a"
	else
		fail "$u after install: $e, $a"
	fi
done
if in_ct getent passwd hairpind >/dev/null; then
	ok "user hairpind exists (sysusers.d)"
else
	fail "no user hairpind"
fi

# The seed configuration as installed, dropping to the package's user.
CONF=$ROOT/etc/hairpind/hairpind.yaml
cp "$CONF" "$WORK/seed.yaml"
{ cat "$WORK/seed.yaml"; echo "user: hairpind"; } >"$CONF"

# --- 5. start: active only after READY=1 ------------------------------------
if in_ct systemctl start hairpind-lab.service; then
	st=$(prop hairpind-lab.service ActiveState)/$(prop hairpind-lab.service SubState)
	txt=$(prop hairpind-lab.service StatusText)
	pid=$(prop hairpind-lab.service MainPID)
	user=$(in_ct ps -o user= -p "$pid" | tr -d ' ')
	if [ "$st" = active/running ] && [ "$txt" = running ] &&
	    [ "$user" = hairpind ]; then
		ok "hairpind-lab started: $st, status \"$txt\" (READY=1), runs as $user"
	else
		fail "hairpind-lab: $st, status \"$txt\", user $user"
	fi
else
	fail "systemctl start hairpind-lab"
	in_ct journalctl -b --no-pager -n 40
fi
CAPS=$(in_ct grep '^CapEff' "/proc/$(prop hairpind-lab.service MainPID)/status")
case $CAPS in
*0000000000000000) ok "no capabilities left ($CAPS)" ;;
*) fail "capabilities: $CAPS" ;;
esac

# --- 6. the seed's flows through the lab -----------------------------------
in_ct systemd-run -q --unit=hp-web-lan ip netns exec hp-lan \
    busybox httpd -f -p 192.168.1.2:80 -h /srv/www
in_ct systemd-run -q --unit=hp-web-isp ip netns exec hp-isp \
    busybox httpd -f -p 1.1.1.254:8080 -h /srv/www
# fetch NS URL: what the server saw as the client's address.
fetch() {
	local out
	for _ in 1 2 3 4 5; do
		out=$(in_ct ip netns exec "$1" curl -s -m 3 "$2") && {
			echo "$out"
			return 0
		}
		sleep 0.5
	done
	return 1
}
flows() {
	local saw
	saw=$(fetch hp-isp http://1.1.1.1/cgi-bin/ip)
	if [ "$saw" = 1.1.1.254 ]; then
		ok "$1: internet -> 1.1.1.1:80 (dst-nat), the server sees $saw"
	else
		fail "$1: internet -> 1.1.1.1:80: server saw '$saw'"
	fi
	[ "$1" = start ] || return 0
	saw=$(fetch hp-lan http://1.1.1.1/cgi-bin/ip)
	if [ "$saw" = 192.168.1.1 ]; then
		ok "$1: LAN -> 1.1.1.1:80 (hairpin), the server sees $saw"
	else
		fail "$1: LAN -> 1.1.1.1:80 (hairpin): server saw '$saw'"
	fi
	saw=$(fetch hp-lan http://1.1.1.254:8080/cgi-bin/ip)
	if [ "$saw" = 1.1.1.1 ]; then
		ok "$1: LAN -> internet (masquerade), the server sees $saw"
	else
		fail "$1: LAN -> internet (masquerade): server saw '$saw'"
	fi
}
flows start
n=$(in_ct hairpinctl -j conntrack | grep -o '"protocol"' | wc -l)
if [ "$n" -ge 1 ]; then
	ok "hairpinctl conntrack: $n entries"
else
	fail "hairpinctl conntrack: $n entries"
fi

# --- 7. reload with user: set ------------------------------------------------
rules() { in_ct hairpinctl -j rules | grep -o '"chain"' | wc -l; }
pid=$(prop hairpind-lab.service MainPID)
before=$(rules)
{ cat "$CONF"; echo "filter:"; echo "  - chain=forward protocol=udp dst-port=9 action=drop"; } |
    grep -v '^filter: \[\]' >"$WORK/more.yaml"
cp "$WORK/more.yaml" "$CONF"
if in_ct systemctl reload hairpind-lab.service &&
    [ "$(rules)" = $((before + 1)) ] &&
    [ "$(prop hairpind-lab.service MainPID)" = "$pid" ]; then
	ok "systemctl reload as user hairpind: $before -> $(rules) rules, same pid"
else
	fail "reload with user: set (rules $before -> $(rules))"
fi
GOOD_RULES=$(rules)

# --- 8. a bad reload keeps the old rules ------------------------------------
sed 's/action=masquerade/action=masq/' "$WORK/more.yaml" >"$CONF"
if in_ct systemctl reload hairpind-lab.service 2>/dev/null; then
	fail "systemctl reload of a bad file succeeded"
else
	ok "systemctl reload of a bad file fails"
fi
if [ "$(prop hairpind-lab.service ActiveState)" = active ] &&
    [ "$(rules)" = "$GOOD_RULES" ]; then
	ok "still active with the old $GOOD_RULES rules"
else
	fail "after the bad reload: $(prop hairpind-lab.service ActiveState), $(rules) rules"
fi
flows "after a bad reload"

# --- 9. journal priorities: warnings under -p warning, one entry each ------
J=$(in_ct journalctl -q --no-pager -u hairpind-lab.service -p warning -o cat)
if grep -q 'reload of /etc/hairpind/hairpind.yaml failed' <<<"$J" &&
    grep -q 'unknown action "masq"' <<<"$J"; then
	ok "journalctl -p warning shows the refused reload"
else
	fail "journalctl -p warning: '$J'"
fi
if grep -q 'running:' <<<"$J"; then
	fail "info messages show under -p warning"
fi
# The unit's system call filter lets the TAPs' io_uring through (the
# container's kernel is the host's).
J=$(in_ct journalctl -q --no-pager -u hairpind-lab.service -o cat)
if grep -q 'TAP I/O through io_uring' <<<"$J"; then
	ok "under the unit's filter, the TAPs go through io_uring"
elif grep -q 'TAP I/O with read() and write(): .' <<<"$J"; then
	IFS=. read -r kmaj kmin _ <<<"$(uname -r)"
	if [ "$kmaj" -gt 6 ] || { [ "$kmaj" = 6 ] && [ "${kmin%%[!0-9]*}" -ge 7 ]; }
	then
		fail "io_uring refused under the unit: $(grep 'TAP I/O' <<<"$J")"
	else
		ok "read() and write() on Linux $(uname -r), and why"
	fi
else
	fail "the log does not say how the TAPs are read"
fi
# The error, its source line and the caret: one entry.
if in_ct journalctl -q --no-pager -u hairpind-lab.service -p warning \
    -o json --output-fields=MESSAGE,PRIORITY |
    grep -q '"MESSAGE":"[^"]*unknown action \\"masq\\"[^"]*\\n[^"]*\^'; then
	ok "a multi-line config error is one journal entry"
else
	fail "the config error is not one entry"
	in_ct journalctl -q --no-pager -u hairpind-lab.service -p warning -o json
fi
cp "$WORK/more.yaml" "$CONF"

# --- 10. kill -9 restarts -----------------------------------------------------
pid=$(prop hairpind-lab.service MainPID)
in_ct kill -KILL "$pid"
for _ in $(seq 1 100); do
	new=$(prop hairpind-lab.service MainPID)
	[ "$new" != 0 ] && [ "$new" != "$pid" ] &&
	    [ "$(prop hairpind-lab.service SubState)" = running ] && break
	sleep 0.1
done
if [ "$new" != "$pid" ] && [ "$new" != 0 ] &&
    [ "$(prop hairpind-lab.service NRestarts)" = 1 ]; then
	ok "kill -9: restarted (pid $pid -> $new, NRestarts 1)"
else
	fail "kill -9: pid $pid -> $new, NRestarts $(prop hairpind-lab.service NRestarts)"
fi
flows "after kill -9"

# --- 11. stop removes the socket, the TAPs and the namespaces --------------
# (the container's /run is its own tmpfs: look from inside)
ct_exists() { in_ct test -e "$1"; }
if ct_exists /run/hairpind/hairpind.sock; then
	ok "the socket exists while running"
else
	fail "no /run/hairpind/hairpind.sock while running"
fi
in_ct systemctl stop hairpind-lab.service
if ! ct_exists /run/hairpind/hairpind.sock && ! ct_exists /run/netns/hp-isp &&
    ! ct_exists /run/netns/hp-lan &&
    [ "$(in_ct systemctl is-active hairpind-lab-netns.service)" = inactive ] &&
    ! in_ct ip link show | grep -q 'hp-'; then
	ok "stop: socket, TAPs and namespaces gone"
else
	fail "stop left: $(in_ct ls /run/hairpind /run/netns 2>&1 | tr '\n' ' ')"
fi

# --- 12. a broken config: failed at once, no restart loop ------------------
sed 's/action=masquerade/action=masq/' "$WORK/more.yaml" >"$CONF"
in_ct systemctl reset-failed hairpind-lab.service 2>/dev/null
if in_ct systemctl start hairpind-lab.service 2>/dev/null; then
	fail "start with a broken config succeeded"
fi
sleep 5	# more than two RestartSec= of 2 s
st=$(prop hairpind-lab.service ActiveState)
nr=$(prop hairpind-lab.service NRestarts)
ex=$(prop hairpind-lab.service ExecMainStatus)
if [ "$st" = failed ] && [ "$nr" = 0 ] && [ "$ex" = 1 ]; then
	ok "broken config: $st, exit $ex, NRestarts $nr"
else
	fail "broken config: $st, exit $ex, NRestarts $nr"
fi
if in_ct journalctl -q --no-pager -u hairpind-lab.service -p err -o cat |
    grep -q 'unknown action "masq"'; then
	ok "the start-up config error is logged at priority err"
else
	fail "no config error under journalctl -p err"
fi
cp "$WORK/seed.yaml" "$CONF"

# --- 13. an instance of the template ---------------------------------------
cat >"$ROOT/etc/hairpind/edge.netns" <<'EOF'
NETNS="hp-red:red0:10.1.0.2/24:10.1.0.1 hp-blue:blue0:10.2.0.2/24:10.2.0.1"
EOF
cat >"$ROOT/etc/hairpind/edge.yaml" <<'EOF'
interfaces:
  - { name: red, tap: red0, netns: hp-red, addresses: [10.1.0.1/24] }
  - { name: blue, tap: blue0, netns: hp-blue, addresses: [10.2.0.1/24] }
nat:
  - chain=srcnat out-interface=blue action=masquerade
control: { socket: /run/hairpind-edge/hairpind.sock }
user: hairpind
EOF
if in_ct systemctl start hairpind@edge.service &&
    in_ct test -S /run/hairpind-edge/hairpind.sock &&
    in_ct hairpinctl -s /run/hairpind-edge/hairpind.sock status >/dev/null &&
    in_ct systemctl reload hairpind@edge.service; then
	ok "hairpind@edge: active, socket in /run/hairpind-edge, reload ok"
else
	fail "hairpind@edge: $(prop hairpind@edge.service ActiveState)"
	in_ct journalctl -q --no-pager -u hairpind@edge -u hairpind-netns@edge -n 20
fi
in_ct systemd-run -q --unit=hp-web-blue ip netns exec hp-blue \
    busybox httpd -f -p 10.2.0.2:80 -h /srv/www
saw=$(fetch hp-red http://10.2.0.2/cgi-bin/ip)
if [ "$saw" = 10.2.0.1 ]; then
	ok "hairpind@edge: red -> blue masqueraded ($saw)"
else
	fail "hairpind@edge: red -> blue: server saw '$saw'"
fi
# Another unit's runtime directory /run/hairpind coming and going leaves
# the instance's /run/hairpind-edge alone.
in_ct systemctl start hairpind-lab.service
in_ct systemctl stop hairpind-lab.service
if in_ct test -S /run/hairpind-edge/hairpind.sock &&
    in_ct hairpinctl -s /run/hairpind-edge/hairpind.sock status >/dev/null; then
	ok "hairpind@edge: its socket outlives hairpind-lab's start and stop"
else
	fail "hairpind@edge: socket gone after hairpind-lab stopped"
fi
in_ct systemctl stop hairpind@edge.service
if ! ct_exists /run/hairpind-edge && ! ct_exists /run/netns/hp-red; then
	ok "hairpind@edge stopped: runtime directory and namespaces gone"
else
	fail "hairpind@edge stop left $(in_ct ls /run/hairpind /run/netns 2>&1 | tr '\n' ' ')"
fi

# --- 14. hardening ------------------------------------------------------------
for u in hairpind.service hairpind@edge.service hairpind-lab.service; do
	score=$(in_ct systemd-analyze security --no-pager "$u" 2>/dev/null |
	    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'; then
		ok "systemd-analyze security $u: $score"
	else
		fail "systemd-analyze security $u: '$score' (want <= 3.0)"
	fi
done

if [ "$fails" -gt 0 ]; then
	say "$fails check(s) failed; the container's journal:"
	in_ct journalctl -b --no-pager -n 80
	exit 1
fi
say "all checks passed in $(($(date +%s) - T0)) s"
exit 0
