#!/bin/bash
# SPDX-License-Identifier: ISC
# Reload (SPEC section 6) on a live router: by SIGHUP and by `hairpinctl
# reload`, rules change for new connections while two slow downloads (one
# dst-nat, one hairpin) keep flowing with their bindings; an invalid file,
# an added interface, a moved TAP and a new MTU change nothing and say why;
# and the sd_notify protocol a Type=notify unit relies on: READY=1 only once
# the control socket listens, RELOADING=1 then READY=1 around every reload,
# STOPPING=1 at exit.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

t_setup
if [ "$ROUTER" != hairpind ]; then
	echo "SKIP: $T_NAME tests hairpind's reload (ROUTER=$ROUTER)"
	T_DONE=1
	exit 77
fi
t_topology

C=$LAB_NS_CLIENT
I=$LAB_NS_ISP
CONF=$T_TMP/reload.yaml
PORT8080='chain=dstnat dst-address=1.1.1.1 protocol=tcp dst-port=8080 action=dst-nat to-addresses=192.168.1.2 to-ports=80'

ctl() {
	timeout -k 2 10 "$HAIRPINCTL" -s "$T_SOCK" "$@" >"$T_TMP/ctl.out" \
	    2>"$T_TMP/ctl.err"
	C_RC=$?
	C_OUT=$(cat "$T_TMP/ctl.out")
	C_ERR=$(cat "$T_TMP/ctl.err")
}

# jv EXPR: Python over the last JSON answer (d, its result r).
jv() {
	printf '%s\n' "$C_OUT" | "$PY" -c '
import json, sys
d = json.loads(sys.stdin.readline())
r = d.get("result")
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v))' "$1" 2>&1
}

# stat_is KEY VALUE: the daemon's status KEY is VALUE (for lab_wait).
# shellcheck disable=SC2317 # called by lab_wait
stat_is() {
	"$HAIRPINCTL" -s "$T_SOCK" -j status | grep -q "\"$1\":$2[,}]"
}

# rule_set: the rules without their counters, one per line.
rule_set() {
	ctl -j rules
	jv '"\n".join("%s %s %s" % (x["chain"], x["index"], x["rule"]) for x in r)'
}

# use NAME: make NAME.yaml the file the daemon reloads.
use() {
	cp "$T_TMP/$1.yaml" "$CONF"
}

hairpin_works() {
	local label=$1
	t_run t_curl "$C" http://1.1.1.1/
	assert_eq "$label: new hairpin connection works, server sees 192.168.1.1" \
	    192.168.1.1 "$(t_saw "$T_OUT")"
}

hairpin_fails() {
	local label=$1
	CURL_MAX_TIME=3 t_run t_curl "$C" http://1.1.1.1/
	case $T_RC in
	7|28|52|56)
		t_pass "$label: new hairpin connection fails (curl exit $T_RC)" ;;
	*)
		t_fail "$label: new hairpin connection fails" \
		    "got: exit $T_RC: $T_OUT" ;;
	esac
}

port8080_works() {
	local label=$1
	t_run t_curl "$I" --interface 2.2.2.2 http://1.1.1.1:8080/
	assert_match "$label: 2.2.2.2 -> 1.1.1.1:8080 reaches 192.168.1.2:80" \
	    '^hello from 192\.168\.1\.2, you are 2\.2\.2\.2:' "$T_OUT"
}

# --- configs -------------------------------------------------------------------
t_config seed >/dev/null
t_config no-hairpin-8080 --no-hairpin --add-nat "$PORT8080" >/dev/null
t_config with-8080 --add-nat "$PORT8080" >/dev/null
# A typo in the 8080 rule: unknown key, with its line and column.
sed 's/dst-address=1\.1\.1\.1 protocol=tcp dst-port=8080/dst-adress=1.1.1.1 protocol=tcp dst-port=8080/' \
    "$T_TMP/with-8080.yaml" >"$T_TMP/typo.yaml"
TYPO_AT=$("$PY" -c '
import sys
for n, line in enumerate(open(sys.argv[1]), 1):
    if "dst-adress=" in line:
        print("%d:%d" % (n, line.index("dst-adress=") + 1))' "$T_TMP/typo.yaml")
"$PY" - "$T_TMP" "$LAB_P" <<'EOF'
import sys, yaml
tmp, p = sys.argv[1:3]
base = yaml.safe_load(open(tmp + "/with-8080.yaml"))
def write(name, conf):
    with open("%s/%s.yaml" % (tmp, name), "w") as f:
        yaml.safe_dump(conf, f, sort_keys=False, width=200)
c = yaml.safe_load(yaml.safe_dump(base))
c["interfaces"].append({"name": "dmz", "tap": p + "-dmz",
                        "addresses": ["10.99.0.1/24"]})
write("add-iface", c)
c = yaml.safe_load(yaml.safe_dump(base))
c["interfaces"][1]["netns"] = p + "-server"
write("move-netns", c)
c = yaml.safe_load(yaml.safe_dump(base))
c["interfaces"][1]["mtu"] = 1400
write("new-mtu", c)
EOF
use seed

# --- the daemon, reporting to a stand-in for systemd's notify socket -------
NOTIFY=
if ldd "$HAIRPIND" 2>/dev/null | grep -q libsystemd; then
	NOTIFY=$T_TMP/notify.sock
	cat >"$T_TMP/notify.py" <<'EOF'
# systemd's side of sd_notify(3): one datagram per call, one log line per
# datagram; on READY=1, try the control socket at once: it must be listening.
import os, socket, sys
path, log, ctl = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
with open(log, "a", buffering=1) as f:
    while True:
        msg = s.recv(4096).decode(errors="replace").split("\n")
        extra = ""
        if "READY=1" in msg:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            c.settimeout(1)
            try:
                c.connect(ctl)
                extra = " ctl=up"
            except OSError as e:
                extra = " ctl=down(%s)" % e.strerror
            c.close()
        f.write(";".join(m for m in msg if m) + extra + "\n")
EOF
	: >"$T_TMP/notify.log"
	t_bg notify - "$PY" "$T_TMP/notify.py" "$NOTIFY" "$T_TMP/notify.log" \
	    "$T_SOCK"
	lab_wait 5 test -S "$NOTIFY" || t_fail "notify socket listening"
	printf '#!/bin/sh\nNOTIFY_SOCKET=%s exec %s "$@"\n' "$NOTIFY" \
	    "$HAIRPIND" >"$T_TMP/hairpind-notify"
	chmod +x "$T_TMP/hairpind-notify"
	REAL_HAIRPIND=$HAIRPIND
	HAIRPIND=$T_TMP/hairpind-notify
else
	t_note "hairpind built without libsystemd: sd_notify checks skipped"
fi

router_start "$CONF" || t_done
PID=$(cat "$LAB_STATE/hairpind.pid")
[ -n "$NOTIFY" ] && HAIRPIND=$REAL_HAIRPIND
if [ -n "$NOTIFY" ]; then
	lab_wait 5 grep -q READY=1 "$T_TMP/notify.log"
	assert_match "sd_notify: READY=1 with STATUS=, sent once the control socket accepts" \
	    '^READY=1;STATUS=[^;]+ ctl=up$' "$(cat "$T_TMP/notify.log")"
fi
hairpin_works seed

# --- two slow downloads: 3.6 MB at 300 kB/s, about 12 s each ---------------
# The reader paces itself with a small receive buffer, so the window stays
# small and the data really crosses the router during the reloads (curl
# --limit-rate lets the kernel buffer megabytes ahead of it).
cat >"$T_TMP/slowget.py" <<'EOF2'
import hashlib, socket, sys, time
src, dst, path, rate, out = sys.argv[1:6]
rate = int(rate)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
if src:
    s.bind((src, 0))
s.settimeout(10)
host, port = dst.rsplit(":", 1)
s.connect((host, int(port)))
with open(out + ".port", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
s.sendall(("GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (path, host)).encode())
data, t0 = bytearray(), time.monotonic()
with open(out, "wb") as f:
    while True:
        chunk = s.recv(8192)
        if not chunk:
            break
        data += chunk
        f.write(chunk)
        f.flush()
        ahead = len(data) / rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
head, _, body = bytes(data).partition(b"\r\n\r\n")
print(hashlib.sha256(body).hexdigest(), head.split(b"\r\n")[0].decode())
EOF2
BIG=3600000
"$PY" "$top_srcdir/contrib/lab/websrv.py" --pattern "$BIG" |
    sha256sum | cut -d' ' -f1 >"$T_TMP/want"
timeout -k 2 40 ip netns exec "$I" "$PY" "$T_TMP/slowget.py" 2.2.2.2 \
    1.1.1.1:80 "/bytes/$BIG" 300000 "$T_TMP/s1" >"$T_TMP/s1.res" 2>&1 &
S1=$!
timeout -k 2 40 ip netns exec "$C" "$PY" "$T_TMP/slowget.py" "" \
    1.1.1.1:80 "/bytes/$BIG" 300000 "$T_TMP/s2" >"$T_TMP/s2.res" 2>&1 &
S2=$!
size() {
	stat -c %s "$1" 2>/dev/null || echo 0
}
# shellcheck disable=SC2317 # called by lab_wait
both_started() {
	[ "$(size "$T_TMP/s1")" -gt 100000 ] && [ "$(size "$T_TMP/s2")" -gt 100000 ]
}
lab_wait 5 both_started || t_fail "both downloads under way within 5 s"
ctl -j conntrack port=80
CT_S2=$(jv '[x["src-address"] + " " + x["reply-dst-address"] for x in r if x["src-address"].startswith("192.168.1.10:") and x["tcp-state"] == "established"]')
assert_match "the hairpin download is tracked with its masquerade binding" \
    '^\["192\.168\.1\.10:[0-9]+ 192\.168\.1\.1:[0-9]+"\]$' "$CT_S2"
ctl -j rules
DN0=$(jv '[x["packets"] for x in r if "action=dst-nat" in x["rule"]][0]')

# --- SIGHUP: add a dst-nat for 8080, remove the hairpin rule ----------------
use no-hairpin-8080
kill -HUP "$PID"
lab_wait 5 stat_is reloads 1 || t_fail "SIGHUP reload counted within 5 s"
rules=$(rule_set)
assert_match "SIGHUP: the 8080 dst-nat rule is loaded" \
    '^dstnat [0-9]+ chain=dstnat .*dst-port=8080' "$rules"
assert_no_match "SIGHUP: the hairpin rule is gone" 'out-interface=lan' \
    "$rules"
port8080_works SIGHUP
s2a=$(size "$T_TMP/s2")
hairpin_fails "SIGHUP without the hairpin rule"
s2b=$(size "$T_TMP/s2")
if [ "$s2b" -gt "$s2a" ] && lab_pid_alive "$S2"; then
	t_pass "... while the old hairpin download keeps flowing ($s2a -> $s2b bytes)"
else
	t_fail "the old hairpin download keeps flowing across the reload" \
	    "size $s2a -> $s2b" "$(cat "$T_TMP/s2.res")"
fi
ctl -j conntrack port=80
assert_eq "... with the same conntrack binding" "$CT_S2" \
    "$(jv '[x["src-address"] + " " + x["reply-dst-address"] for x in r if x["src-address"].startswith("192.168.1.10:") and x["tcp-state"] == "established"]')"
ctl -j rules
DN1=$(jv '[x["packets"] for x in r if "action=dst-nat" in x["rule"] and "dst-port=80 " in x["rule"] + " "][0]')
if [ "$DN1" -ge "$DN0" ] 2>/dev/null; then
	t_pass "the unchanged dst-nat rule kept its counter ($DN0 -> $DN1)"
else
	t_fail "the unchanged dst-nat rule kept its counter" "$DN0 -> $DN1"
fi

# --- hairpinctl reload: the hairpin rule back ---------------------------------
use with-8080
ctl reload
assert_eq "hairpinctl reload: exit 0" 0 "$C_RC"
assert_eq "hairpinctl reload: says reloaded" reloaded "$C_OUT"
ctl -j status
assert_eq "status: reloads 2, reload-failures 0" "2 0" \
    "$(jv '"%d %d" % (r["reloads"], r["reload-failures"])')"
hairpin_works "hairpinctl reload with the hairpin rule"
port8080_works "hairpinctl reload"
GOOD_RULES=$(rule_set)

# --- an invalid file changes nothing ----------------------------------------
use typo
ctl reload
assert_eq "invalid file: hairpinctl reload exits 1" 1 "$C_RC"
assert_match "invalid file: the error names file:line:col and the key" \
    "reload\\.yaml:$TYPO_AT: unknown key \"dst-adress\"" "$C_ERR"
assert_eq "invalid file: rules unchanged" "$GOOD_RULES" "$(rule_set)"
hairpin_works "after the invalid file"
port8080_works "after the invalid file"
kill -HUP "$PID"
lab_wait 5 stat_is reload-failures 2 ||
    t_fail "SIGHUP with the invalid file counted as a failure"
assert_match "SIGHUP with the invalid file: the log has file:line:col" \
    "reload\\.yaml:$TYPO_AT: unknown key \"dst-adress\"" \
    "$(cat "$LAB_STATE/hairpind.log")"
assert_eq "SIGHUP with the invalid file: rules unchanged" "$GOOD_RULES" \
    "$(rule_set)"

# --- changes that need the privileges given up at start-up ------------------
use add-iface
ctl reload
assert_eq "added interface: refused, exit 1" 1 "$C_RC"
assert_match "added interface: explained" \
    'interfaces added or removed: needs a restart' "$C_ERR"
use move-netns
ctl reload
assert_eq "lan moved to another netns: refused, exit 1" 1 "$C_RC"
assert_match "lan moved to another netns: explained with file:line:col" \
    'reload\.yaml:[0-9]+:[0-9]+: interface "lan": name, tap or netns changed: needs a restart' \
    "$C_ERR"
use new-mtu
ctl reload
assert_eq "new MTU: refused, exit 1" 1 "$C_RC"
assert_match "new MTU: explained" 'interface "lan": mtu changed: needs a restart' \
    "$C_ERR"
assert_eq "after the refusals: rules unchanged" "$GOOD_RULES" "$(rule_set)"
ctl -j status
assert_eq "status: reloads 2, reload-failures 5" "2 5" \
    "$(jv '"%d %d" % (r["reloads"], r["reload-failures"])')"
hairpin_works "after the refusals"
use with-8080

# --- the downloads outlived all of it ----------------------------------------
if lab_pid_alive "$S1" && lab_pid_alive "$S2"; then
	t_pass "both downloads were still running after the last reload"
else
	t_fail "both downloads were still running after the last reload" \
	    "(make them slower: they finished too early to tell)"
fi
want=$(cat "$T_TMP/want")
wait "$S1"
rc1=$?
wait "$S2"
rc2=$?
assert_eq "dst-nat download across 7 reloads: complete, intact (exit $rc1)" \
    "$want HTTP/1.0 200 OK" "$(cat "$T_TMP/s1.res")"
assert_eq "hairpin download across 7 reloads, one without its rule: complete, intact (exit $rc2)" \
    "$want HTTP/1.0 200 OK" "$(cat "$T_TMP/s2.res")"

router_stop

# --- what systemd saw ---------------------------------------------------------
if [ -n "$NOTIFY" ]; then
	lab_wait 3 grep -q STOPPING=1 "$T_TMP/notify.log"
	seq=$(sed -e 's/;.*//' -e 's/ .*//' "$T_TMP/notify.log" | tr '\n' ' ')
	want_seq="READY=1 $(printf 'RELOADING=1 READY=1 %.0s' 1 2 3 4 5 6 7)STOPPING=1 "
	assert_eq "sd_notify: READY, then RELOADING/READY around each of 7 reloads, then STOPPING" \
	    "$want_seq" "$seq"
	nl=$(cat "$T_TMP/notify.log")
	assert_eq "sd_notify: every READY=1 came with the control socket up" \
	    8 "$(grep -c '^READY=1;.* ctl=up$' "$T_TMP/notify.log")"
	assert_match "sd_notify: RELOADING=1 carries a STATUS=" \
	    '^RELOADING=1;STATUS=.+' "$nl"
	assert_match "sd_notify: a refused reload says so in STATUS=" \
	    '^READY=1;STATUS=reload failed' "$nl"
fi

t_done
