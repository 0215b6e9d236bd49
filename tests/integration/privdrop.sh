#!/bin/bash
# SPDX-License-Identifier: ISC
# Privilege drop and the systemd integration, run as the unit in
# contrib/systemd runs the daemon: its CapabilityBoundingSet= and
# NoNewPrivileges= applied with setpriv(1). With `user: nobody` the daemon
# ends as nobody with empty capability sets and still forwards, answers
# hairpinctl (socket mode and group as configured) and reloads rules;
# without `user:` it stays uid 0 with no capability, here logging to syslog
# (a stand-in /dev/log in a private mount namespace). Then the units pass
# systemd-analyze verify, and hairpind-netns.sh makes and removes the named
# namespaces and persistent TAPs of hairpind-lab.service.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

t_setup
if [ "$ROUTER" != hairpind ]; then
	echo "SKIP: $T_NAME tests hairpind's privilege drop (ROUTER=$ROUTER)"
	T_DONE=1
	exit 77
fi
t_topology

C=$LAB_NS_CLIENT
I=$LAB_NS_ISP
UNIT=$top_srcdir/contrib/systemd/hairpind.service.in
NETNS_SH=$top_srcdir/contrib/systemd/hairpind-netns.sh
NS_A=$LAB_P-na
NS_B=$LAB_P-nb

# The namespaces of the hairpind-netns.sh part are not the lab's: remove
# them too, whatever happens.
# shellcheck disable=SC2317 # called by the EXIT trap
extra_cleanup() {
	local ns
	for ns in "$NS_A" "$NS_B"; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null
	done
	return 0
}
trap 'rc=$?; extra_cleanup; (exit $rc); t_cleanup' EXIT

ctl() {
	timeout -k 2 10 "$HAIRPINCTL" -s "$T_SOCK" "$@" >"$T_TMP/ctl.out" \
	    2>"$T_TMP/ctl.err"
	C_RC=$?
	C_OUT=$(cat "$T_TMP/ctl.out")
	C_ERR=$(cat "$T_TMP/ctl.err")
}

jv() {
	printf '%s\n' "$C_OUT" | "$PY" -c '
import json, sys
d = json.loads(sys.stdin.readline())
r = d.get("result")
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v))' "$1" 2>&1
}

# shellcheck disable=SC2317 # called by lab_wait
stat_is() {
	"$HAIRPINCTL" -s "$T_SOCK" -j status | grep -q "\"$1\":$2[,}]"
}

# proc_field PID FIELD: a line of /proc/PID/status without its name, tabs
# squeezed to spaces.
proc_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' ' |
	    sed 's/ $//'
}

# assert_no_caps LABEL PID: every capability set empty, no_new_privs set.
assert_no_caps() {
	local label=$1 pid=$2 f
	for f in CapEff CapPrm CapBnd CapInh CapAmb; do
		assert_eq "$label: $f is empty" 0000000000000000 \
		    "$(proc_field "$pid" "$f")"
	done
	assert_eq "$label: NoNewPrivs is 1" 1 "$(proc_field "$pid" NoNewPrivs)"
}

# yaml_set FILE PYTHON: edit a config as a dict c.
yaml_set() {
	"$PY" - "$1" "$2" <<'EOF'
import sys, yaml
path, code = sys.argv[1:3]
c = yaml.safe_load(open(path))
exec(code)
with open(path, "w") as f:
    yaml.safe_dump(c, f, sort_keys=False, width=200)
EOF
}

# --- the unit's capability bounding set, as setpriv(1) arguments ----------
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT")
BSET=-all
for c in $caps; do
	c=${c#CAP_}
	BSET=$BSET,+${c,,}
done
t_note "unit bounding set: $caps"
if [ -z "$caps" ] || ! grep -qx 'NoNewPrivileges=yes' "$UNIT"; then
	t_fail "hairpind.service has CapabilityBoundingSet= and NoNewPrivileges=yes"
fi
# as_unit: hairpind with the unit's bounding set and no_new_privs; setpriv
# execs it, so the pid is the daemon's.
printf '#!/bin/sh\nexec setpriv --bounding-set %s --no-new-privs %s "$@"\n' \
    "$BSET" "$HAIRPIND" >"$T_TMP/hairpind-unit"
chmod 755 "$T_TMP/hairpind-unit"
REAL_HAIRPIND=$HAIRPIND

# The run-time user must reach the config and the socket directory.
chmod 711 "$T_TMP"
mkdir -m 755 "$T_TMP/run" "$T_TMP/bin"
cp "$HAIRPINCTL" "$T_TMP/bin/hairpinctl"
T_SOCK=$T_TMP/run/ctl.sock
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
SOCK_GROUP=$(getent group "$NOBODY_GID" | cut -d: -f1)

# --- user: nobody ----------------------------------------------------------------
CONF=$(t_config nobody)
yaml_set "$CONF" "c['user'] = 'nobody'
c['control']['mode'] = '0660'
c['control']['group'] = '$SOCK_GROUP'
c['dataplane'] = {'nice': -3}"
chmod 644 "$CONF"
HAIRPIND=$T_TMP/hairpind-unit
router_start "$CONF" || t_done
HAIRPIND=$REAL_HAIRPIND
PID=$(cat "$LAB_STATE/hairpind.pid")
assert_eq "user nobody: Uid (real, effective, saved, fs)" \
    "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" "$(proc_field "$PID" Uid)"
assert_eq "user nobody: Gid (real, effective, saved, fs)" \
    "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" "$(proc_field "$PID" Gid)"
assert_eq "user nobody: no supplementary groups" "" \
    "$(proc_field "$PID" Groups)"
assert_no_caps "user nobody" "$PID"
# An ASan build or valgrind does not install the filter, and says so.
if grep -q 'seccomp filter not installed' "$LAB_STATE/hairpind.log" 2>/dev/null
then
	t_note "seccomp not checked: $(grep -o 'seccomp filter not installed.*' \
	    "$LAB_STATE/hairpind.log" | head -n 1)"
else
	assert_eq "user nobody: its own seccomp filter is on (Seccomp: 2)" 2 \
	    "$(proc_field "$PID" Seccomp)"
fi
# field 19 of /proc/PID/stat, counted after the ")" that ends the name
assert_eq "user nobody: dataplane.nice -3 set before the drop (unit's bounding set)" \
    -3 "$(sed 's/.*) //' "/proc/$PID/stat" | cut -d' ' -f17)"
assert_match "user nobody: the log says so" \
    'running as nobody \(uid [0-9]+\), no capabilities' \
    "$(cat "$LAB_STATE/hairpind.log")"

t_run t_curl "$C" http://1.1.1.1/
assert_eq "user nobody: hairpin still forwarded, server sees 192.168.1.1" \
    192.168.1.1 "$(t_saw "$T_OUT")"
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1/
assert_eq "user nobody: dst-nat from outside, server sees 2.2.2.2" \
    2.2.2.2 "$(t_saw "$T_OUT")"
t_run t_curl "$C" http://2.2.2.2:8080/
assert_eq "user nobody: masquerade out, seen as 1.1.1.1" 1.1.1.1 \
    "$(t_saw "$T_OUT")"

assert_eq "control socket: mode 660, owner root, group $SOCK_GROUP" \
    "660 root $SOCK_GROUP" "$(stat -c '%a %U %G' "$T_SOCK")"
assert_eq "control socket directory stays root's (never given to user:)" \
    root "$(stat -c %U "$T_TMP/run")"
assert_eq "the socket reaper: uid 0, no capabilities, one per daemon" \
    "1 0000000000000000" "$(pgrep -c -P "$PID" -x hairpind-reap) $(
    proc_field "$(pgrep -P "$PID" -x hairpind-reap)" CapEff)"
ctl -j status
assert_eq "hairpinctl (root) status: the daemon's pid" "$PID" \
    "$(jv 'r["pid"]')"
t_run setpriv --reuid daemon --regid daemon --clear-groups \
    "$T_TMP/bin/hairpinctl" -s "$T_SOCK" status
assert_eq "a user outside group $SOCK_GROUP cannot connect: exit 3" 3 "$T_RC"
assert_match "... permission denied" 'Permission denied' "$T_OUT"
t_run setpriv --reuid daemon --regid "$SOCK_GROUP" --clear-groups \
    "$T_TMP/bin/hairpinctl" -s "$T_SOCK" -j status
assert_match "a user of group $SOCK_GROUP can: status answers" \
    "\"pid\":${PID}[,}]" "$T_OUT"

# Reload of rules needs no privilege.
yaml_set "$CONF" "c['nat'].append('chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=8080 action=dst-nat to-addresses=192.168.1.2 to-ports=80')"
ctl reload
assert_eq "user nobody: hairpinctl reload with a new rule: exit 0" 0 "$C_RC"
t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1:8080/
assert_match "user nobody: the new dst-nat 1.1.1.1:8080 works" \
    '^hello from 192\.168\.1\.2, you are 2\.2\.2\.2:' "$T_OUT"
yaml_set "$CONF" "c['nat'] = [r for r in c['nat'] if 'dst-port=8080' not in r]"
kill -HUP "$PID"
lab_wait 5 stat_is reloads 2 || t_fail "user nobody: SIGHUP reload counted"
# Now an unsolicited SYN to the router itself: answered late (RFC 5382
# REQ-4 holds it 6 s) or not at all, never forwarded.
CURL_MAX_TIME=2 t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1:8080/
case $T_RC in
7|28)
	t_pass "user nobody: SIGHUP removed it again (curl exit $T_RC)" ;;
*)
	t_fail "user nobody: SIGHUP removed the 8080 dst-nat" \
	    "got: exit $T_RC: $T_OUT" ;;
esac
yaml_set "$CONF" "c['interfaces'].append({'name': 'dmz', 'tap': '$LAB_P-dmz', 'addresses': ['10.99.0.1/24']})"
ctl reload
assert_eq "user nobody: a new interface is refused: exit 1" 1 "$C_RC"
assert_match "... because the TAP would need the dropped privileges" \
    'interfaces added or removed: needs a restart \(TAPs are opened before privileges are dropped\)' \
    "$C_ERR"
router_stop
assert_eq "user nobody: socket gone after SIGTERM" no \
    "$([ -e "$T_SOCK" ] && echo yes || echo no)"

# --- the socket's directory and planted symlinks (issue 17) -------------------
# An older hairpind gave run/ to nobody; nobody then planted a symlink to a
# root file where the socket goes. Root must neither follow it nor start.
printf 'secret\n' >"$T_TMP/victim"
chmod 600 "$T_TMP/victim"
chown nobody "$T_TMP/run"
setpriv --reuid nobody --regid "$NOBODY_GID" --clear-groups \
    ln -s "$T_TMP/victim" "$T_SOCK"
t_run "$HAIRPIND" -f "$CONF"
assert_eq "a symlink at the socket path: hairpind refuses to start (exit 3)" \
    3 "$T_RC"
assert_match "... saying so" 'exists and is not a socket' "$T_OUT"
assert_eq "... the symlink's target is untouched: 600 root root" \
    "600 root root" "$(stat -c '%a %U %G' "$T_TMP/victim")"
assert_eq "... and the directory is root's again" root \
    "$(stat -c %U "$T_TMP/run")"
rm -f "$T_SOCK"
# A directory some other user owns, or anyone may write to: refused.
mkdir -m 755 "$T_TMP/run-daemon" "$T_TMP/run-open"
chown daemon "$T_TMP/run-daemon"
chmod 777 "$T_TMP/run-open"
for d in run-daemon run-open; do
	yaml_set "$CONF" "c['control']['socket'] = '$T_TMP/$d/ctl.sock'"
	t_run "$HAIRPIND" -f "$CONF"
	assert_eq "socket in $d/: refused (exit 3)" 3 "$T_RC"
	assert_match "... saying why" 'owned by uid|writable by group or others' \
	    "$T_OUT"
	assert_eq "... no socket made there" "" "$(ls -A "$T_TMP/$d")"
done

# --- no user:, logging to syslog -------------------------------------------
cat >"$T_TMP/syslogd.py" <<'EOF'
# /dev/log for one daemon: each datagram becomes a line of the log file.
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write(s.recv(65536).decode(errors="replace").rstrip("\n") + "\n")
EOF
SYSLOG=$T_TMP/syslog.sock
: >"$T_TMP/syslog.log"
t_bg syslogd - "$PY" "$T_TMP/syslogd.py" "$SYSLOG" "$T_TMP/syslog.log"
lab_wait 5 test -S "$SYSLOG" || t_fail "stand-in syslog socket listening"
# A private mount namespace with its own /dev: the few nodes the daemon
# opens, and our socket as /dev/log. Nothing of it is seen outside.
cat >"$T_TMP/hairpind-syslog" <<EOF
#!/bin/sh
exec unshare --mount --propagation private /bin/sh -ec '
mount -t tmpfs -o mode=0755,size=64k hairpind-dev /dev
mknod -m 666 /dev/null c 1 3
mknod -m 666 /dev/zero c 1 5
mknod -m 666 /dev/urandom c 1 9
mkdir /dev/net
mknod -m 666 /dev/net/tun c 10 200
touch /dev/log
mount --bind "$SYSLOG" /dev/log
exec "\$0" "\$@"' "$T_TMP/hairpind-unit" "\$@"
EOF
chmod 755 "$T_TMP/hairpind-syslog"
# A directory of its own: the last run gave run/ to nobody, and uid 0
# without CAP_DAC_OVERRIDE may not write there (systemd makes
# RuntimeDirectory= anew, root's, at every start).
mkdir -m 755 "$T_TMP/run-root"
T_SOCK=$T_TMP/run-root/ctl.sock
CONF=$(t_config root-syslog)
yaml_set "$CONF" "c.pop('user', None)
c['log'] = {'level': 'info', 'target': 'syslog'}"
HAIRPIND=$T_TMP/hairpind-syslog
router_start "$CONF" || t_done
HAIRPIND=$REAL_HAIRPIND
PID=$(cat "$LAB_STATE/hairpind.pid")
assert_eq "no user: Uid stays 0" "0 0 0 0" "$(proc_field "$PID" Uid)"
assert_no_caps "no user" "$PID"
t_run t_curl "$C" http://1.1.1.1/
assert_eq "no user: hairpin forwarded" 192.168.1.1 "$(t_saw "$T_OUT")"
# daemon.info is <30>, daemon.warning <28>.
lab_wait 3 grep -q 'running' "$T_TMP/syslog.log"
assert_match "syslog: the start-up line as daemon.info with the pid" \
    "^<30>.*hairpind\\[$PID\\]: hairpind [^ ]+ running: 2 interfaces" \
    "$(cat "$T_TMP/syslog.log")"
assert_no_match "syslog: nothing of it on stderr" 'running: 2 interfaces' \
    "$(cat "$LAB_STATE/hairpind.log")"
yaml_set "$CONF" "c['nat'].append('chain=dstnat bogus-key=1 action=accept')"
ctl reload
assert_eq "no user: invalid reload refused: exit 1" 1 "$C_RC"
# SIGHUP (systemctl reload) has nobody to answer: the errors go to the log.
kill -HUP "$PID"
lab_wait 3 grep -q 'bogus-key' "$T_TMP/syslog.log"
assert_match "syslog after the drop: SIGHUP's refused reload as daemon.warning, with file:line:col" \
    "^<28>.*hairpind\\[$PID\\]: .*root-syslog\\.yaml:[0-9]+:[0-9]+: unknown key \"bogus-key\"" \
    "$(cat "$T_TMP/syslog.log")"
router_stop
lab_wait 3 grep -q 'SIGTERM' "$T_TMP/syslog.log"
assert_match "syslog: the SIGTERM exit" "^<30>.*hairpind\\[$PID\\]: SIGTERM: exiting" \
    "$(cat "$T_TMP/syslog.log")"

# --- the units ---------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T_TMP/units"
	UNITS="hairpind hairpind-lab hairpind-lab-netns hairpind@ hairpind-netns@"
	for u in $UNITS; do
		sed -e "s|@sbindir@/hairpind|$REAL_HAIRPIND|g" \
		    -e "s|@bindir@/hairpinctl|$HAIRPINCTL|g" \
		    -e "s|@libexecdir@/hairpind/|$top_srcdir/contrib/systemd/|g" \
		    -e "s|@sysconfdir@/hairpind/hairpind.yaml|$top_srcdir/etc/hairpind.yaml|g" \
		    -e "s|@sysconfdir@|/etc|g" -e "s|@runstatedir@|/run|g" \
		    "$top_srcdir/contrib/systemd/$u.service.in" \
		    >"$T_TMP/units/$u.service"
	done
	# the templates as instances
	mv "$T_TMP/units/hairpind@.service" "$T_TMP/units/hairpind@t.service"
	mv "$T_TMP/units/hairpind-netns@.service" \
	    "$T_TMP/units/hairpind-netns@t.service"
	check "systemd-analyze verify: every unit" \
	    systemd-analyze verify --man=no "$T_TMP/units/hairpind.service" \
	    "$T_TMP/units/hairpind-lab.service" \
	    "$T_TMP/units/hairpind-lab-netns.service" \
	    "$T_TMP/units/hairpind@t.service" \
	    "$T_TMP/units/hairpind-netns@t.service"
	if [ -n "$T_OUT" ]; then
		t_fail "systemd-analyze verify has nothing to say" "$T_OUT"
	fi
	assert_match "hairpind.service: Type=notify, reload through hairpinctl" \
	    '^Type=notify ExecReload=@bindir@/hairpinctl -s @runstatedir@/hairpind/hairpind.sock reload$' \
	    "$(grep -E '^(Type|ExecReload)=' "$UNIT" | tr '\n' ' ' | sed 's/ $//')"
	assert_match "hairpind.service: no ExecStartPre=, RestartPreventExitStatus=1 2 3" \
	    '^RestartPreventExitStatus=1 2 3$' \
	    "$(grep -E '^(ExecStartPre|RestartPreventExitStatus)=' "$UNIT")"
else
	t_note "systemd-analyze not installed: unit files not verified"
fi

# --- hairpind-netns.sh: two named namespaces, hairpind between them --------
check "hairpind-netns.sh up: $NS_A and $NS_B with persistent TAPs" \
    "$NETNS_SH" up "$NS_A:$LAB_P-ta:10.77.1.2/24:10.77.1.1" \
    "$NS_B:$LAB_P-tb:10.77.2.2/24:10.77.2.1"
check_out "hairpind-netns.sh: $LAB_P-ta is a persistent TAP in $NS_A" \
    'tun type tap .*persist on' ip -n "$NS_A" -d link show "$LAB_P-ta"
check_out "hairpind-netns.sh: $NS_B has its address and default route" \
    'default via 10\.77\.2\.1 dev' ip -n "$NS_B" route show default
cat >"$T_TMP/netns.yaml" <<EOF
interfaces:
  - { name: a, tap: $LAB_P-ta, netns: $NS_A, addresses: [10.77.1.1/24] }
  - { name: b, tap: $LAB_P-tb, netns: $NS_B, addresses: [10.77.2.1/24] }
control: { socket: $T_SOCK }
user: nobody
EOF
chmod 644 "$T_TMP/netns.yaml"
lab_spawn hairpind - "$T_TMP/hairpind-unit" -f "$T_TMP/netns.yaml"
# shellcheck disable=SC2317 # called by lab_wait
netns_ready() {
	lab_tap_carrier "$NS_A" "$LAB_P-ta" && lab_tap_carrier "$NS_B" "$LAB_P-tb"
}
if lab_wait 10 netns_ready; then
	t_pass "hairpind (unit capabilities, user nobody) attached to both TAPs"
else
	t_fail "hairpind attached to the hairpind-netns.sh TAPs"
	t_dump_log
fi
check "routed across: $NS_A 10.77.1.2 pings $NS_B 10.77.2.2" \
    t_ns "$NS_A" ping -n -c 2 -i 0.2 -W 2 10.77.2.2
check "hairpind-netns.sh up again while running: exit 0 (idempotent)" \
    "$NETNS_SH" up "$NS_A:$LAB_P-ta:10.77.1.2/24:10.77.1.1" \
    "$NS_B:$LAB_P-tb:10.77.2.2/24:10.77.2.1"
lab_kill hairpind TERM
assert_eq "hairpind exits 0 on SIGTERM" 0 "$?"
check "hairpind-netns.sh down" "$NETNS_SH" down "$NS_A:$LAB_P-ta" \
    "$NS_B:$LAB_P-tb"
assert_eq "hairpind-netns.sh down: both namespaces gone" "no no" \
    "$([ -e "/run/netns/$NS_A" ] && echo yes || echo no) $([ -e "/run/netns/$NS_B" ] && echo yes || echo no)"
check "hairpind-netns.sh down again: exit 0" "$NETNS_SH" down "$NS_A" "$NS_B"
t_run "$NETNS_SH" up "bad/name:tap"
assert_eq "hairpind-netns.sh refuses a bad namespace name: exit 1" 1 "$T_RC"

t_done
