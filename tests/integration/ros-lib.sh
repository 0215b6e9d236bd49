# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Helpers of the RouterOS firewall tests (ros_*.sh), on top of lib.sh: a
# config whose interfaces carry the export's names (ether1 = WAN towards
# the ISP, bridge = the LAN) with a `routeros: { file: NAME.rsc }` export
# written into the test's temp dir (SPEC 9), and readers of the control
# socket's rules, address-lists, interface-lists and conntrack.
#
# ROS_LEGACY=1 runs the same traffic with a stand-in config in the older
# YAML rule language (filter:/nat: with in-interface=ether1 ...) where a
# test gives one: it checks the script and the topology, not hairpind's
# RouterOS support, and the checks of what only the export can say fail.

# shellcheck source=tests/integration/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROSTOOL=("$PY" "$T_DIR/rostool.py")

# ros_need_hairpind: these tests are about hairpind's own RouterOS engine;
# the kernel stand-in router cannot run an export.
ros_need_hairpind() {
	if [ "$ROUTER" != hairpind ]; then
		echo "SKIP: $T_NAME needs ROUTER=hairpind (a RouterOS export)"
		exit 77
	fi
	if [ ! -x "$HAIRPINCTL" ]; then
		echo "SKIP: $T_NAME needs hairpinctl ($HAIRPINCTL)"
		exit 77
	fi
}

# ros_config NAME EXPORT [LEGACY-YAML] [WAN-MTU]: write $T_TMP/NAME.rsc and
# $T_TMP/NAME.yaml (ether1 1.1.1.1/24 in the ISP namespace, bridge
# 192.168.1.1/24 on the LAN, default via 1.1.1.254) and print the YAML's
# path. LEGACY-YAML (filter:/nat: sections) replaces the export when
# ROS_LEGACY=1.
ros_config() {
	local name=$1 export=$2 legacy=${3:-} mtu=${4:-1500}
	local y=$T_TMP/$name.yaml
	printf '%s\n' "$export" >"$T_TMP/$name.rsc"
	cat >"$y" <<EOF
# $T_NAME: $name (generated)
interfaces:
  - name: ether1
    tap: $LAB_TAP_WAN
    netns: $LAB_NS_ISP
    addresses: [1.1.1.1/24]
    mtu: $mtu
  - name: bridge
    tap: $LAB_TAP_LAN
    netns: $LAB_NS_LAN
    addresses: [192.168.1.1/24]
routes:
  - { dst: 0.0.0.0/0, gateway: 1.1.1.254 }
control:
  socket: $T_SOCK
EOF
	if [ -n "${ROS_LEGACY:-}" ] && [ -n "$legacy" ]; then
		printf '%s\n' "$legacy" >>"$y"
	else
		echo "routeros: { file: $name.rsc }" >>"$y"
	fi
	echo "$y"
}

# ctl ARGS...: hairpinctl on this run's socket, bounded, raw JSON.
ctl() {
	timeout 10 "$HAIRPINCTL" -s "$T_SOCK" -j "$@"
}

# ctl_rows FILE-TAG COMMAND [ARGS...] -- [KEY=VALUE...]: the rows of a
# listing command that match, one JSON object a line (none: exit 1).
ctl_rows() {
	local f=$T_TMP/ctl.$1 args=() m=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		args+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	m=("$@")
	ctl "${args[@]}" >"$f" 2>&1
	"${ROSTOOL[@]}" rows "$f" "${m[@]}"
}

# rule_counter TABLE CHAIN TEXT [FIELD]: packets (or FIELD) of the first
# rule of TABLE/CHAIN whose RouterOS text contains TEXT; -1 when none.
rule_counter() {
	ctl rules >"$T_TMP/ctl.rules" 2>&1
	"$PY" - "$T_TMP/ctl.rules" "$1" "$2" "$3" "${4:-packets}" <<'EOF'
import json, sys
path, table, chain, text, field = sys.argv[1:]
for line in open(path):
    try:
        ans = json.loads(line)
    except ValueError:
        continue
    for r in ans.get("result") or []:
        if (r.get("table", "filter" if r.get("chain") in
                  ("input", "forward", "output") else "nat") == table and
                r.get("chain") == chain and text in r.get("rule", "")):
            print(r.get(field, -1))
            sys.exit(0)
print(-1)
EOF
}

# addrlist_entry LIST ADDRESS: "dynamic=BOOL timeout=SECONDS|null" of the
# entry, or "none". It asks for every list (the list= filter of
# `address-lists` has checks of its own).
addrlist_entry() {
	local row t
	row=$(ctl_rows al address-lists -- "list=$1" "address=$2" | head -n 1)
	if [ -z "$row" ]; then
		echo none
		return
	fi
	t=$(printf '%s' "$row" | "$PY" -c '
import json, sys
r = json.load(sys.stdin)
print("dynamic=%s" % str(r.get("dynamic")).lower())
print(json.dumps(r.get("timeout")))')
	local dyn=${t%%$'\n'*} tv=${t#*$'\n'}
	if [ "$tv" = null ]; then
		echo "$dyn timeout=null"
	else
		echo "$dyn timeout=$("${ROSTOOL[@]}" duration "$tv" 2>&1)"
	fi
}

# assert_timeout DESC ENTRY MIN MAX: ENTRY from addrlist_entry is dynamic
# with MIN < timeout <= MAX seconds.
assert_timeout() {
	local desc=$1 e=$2 lo=$3 hi=$4 t
	t=${e##*timeout=}
	if [[ $e == dynamic=true\ timeout=* ]] && [ "$t" != null ] &&
	    "$PY" -c "import sys; t=float(sys.argv[1]); sys.exit(0 if $lo < t <= $hi else 1)" "$t" 2>/dev/null; then
		t_pass "$desc ($e)"
	else
		t_fail "$desc" "expected: dynamic=true, $lo < timeout <= $hi s" \
		    "got: $e"
	fi
}

# rx_packets: packets hairpind received on all its links together.
rx_packets() {
	ctl interfaces 2>&1 | "$PY" -c '
import json, sys
n = 0
for line in sys.stdin:
    try:
        for i in json.loads(line).get("result") or []:
            n += int(i.get("rx-packets") or 0)
    except ValueError:
        pass
print(n)'
}
