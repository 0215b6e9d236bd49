# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Helpers of the robustness tests (malformed, exhaustion, ctlabuse, soak):
# reading the daemon's counters and memory. Source after lib.sh.

# shellcheck disable=SC2034 # used by the tests that source this
HOSTILE=("$PY" "$T_DIR/hostile.py")

# ctl ARGS...: hairpinctl -j against this run's daemon, bounded.
ctl() {
	timeout -k 1 10 "$HAIRPINCTL" -s "$T_SOCK" -j "$@"
}

# json_get EXPR: evaluate a Python expression over the JSON reply on
# stdin (bound to `r`, the "result"); prints it, or nothing on error.
json_get() {
	"$PY" -c '
import json, sys
try:
    r = json.loads(sys.stdin.readline())["result"]
    print(eval(sys.argv[1]))
except Exception as e:
    print("json_get: %s" % e, file=sys.stderr)
' "$1"
}

# drops IFACE REASON: the interface's drop counter for REASON (0 if none).
drops() {
	ctl interfaces | json_get "next((i.get('drops') or {}).get('$2', 0)
	    for i in r if i['name'] == '$1')"
}

# drops_all: "iface reason=count ..." lines, for failure details.
drops_all() {
	ctl interfaces | json_get "'\n'.join(i['name'] + ': ' + ' '.join(
	    '%s=%s' % kv for kv in sorted((i.get('drops') or {}).items()))
	    for i in r)"
}

# iface_mac IFACE: the router's MAC on that link.
iface_mac() {
	ctl interfaces | json_get "next(i['mac'] for i in r
	    if i['name'] == '$1')"
}

# status_get KEY
status_get() {
	ctl status | json_get "r['$1']"
}

# metric NAME: the value of hairpind_NAME (no labels) from `metrics`.
metric() {
	timeout -k 1 10 "$HAIRPINCTL" -s "$T_SOCK" metrics |
	    awk -v m="hairpind_$1" '$1 == m { print $2; exit }'
}

hairpind_pid() {
	cat "$LAB_STATE/hairpind.pid" 2>/dev/null
}

# rss_kb: the daemon's resident set, KiB.
rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$(hairpind_pid)/status" 2>/dev/null
}

# assert_alive DESC
assert_alive() {
	if lab_pid_alive "$(hairpind_pid)"; then
		t_pass "$1"
	else
		t_fail "$1" "hairpind is gone"
		t_dump_log
		t_done
	fi
}

# assert_ge DESC MIN GOT
assert_ge() {
	if [[ $3 =~ ^[0-9]+$ ]] && [ "$3" -ge "$2" ]; then
		t_pass "$1 ($3 >= $2)"
	else
		t_fail "$1" "expected >= $2" "got: ${3:-(nothing)}"
	fi
}

# assert_le DESC MAX GOT
assert_le() {
	if [[ $3 =~ ^[0-9]+$ ]] && [ "$3" -le "$2" ]; then
		t_pass "$1 ($3 <= $2)"
	else
		t_fail "$1" "expected <= $2" "got: ${3:-(nothing)}"
	fi
}

# still_forwards LABEL: the seed's three paths work.
still_forwards() {
	t_run t_curl "$LAB_NS_ISP" --interface 2.2.2.2 http://1.1.1.1/
	assert_match "$1: dst-nat 2.2.2.2 -> 1.1.1.1:80 still works" \
	    '^hello from 192\.168\.1\.2, you are 2\.2\.2\.2:' "$T_OUT"
	t_run t_curl "$LAB_NS_CLIENT" http://2.2.2.2:8080/
	assert_match "$1: masquerade client -> 2.2.2.2:8080 still works" \
	    '^hello from 2\.2\.2\.2, you are 1\.1\.1\.1:' "$T_OUT"
	t_run t_curl "$LAB_NS_CLIENT" http://1.1.1.1/
	assert_match "$1: hairpin client -> 1.1.1.1:80 still works" \
	    '^hello from 192\.168\.1\.2, you are 192\.168\.1\.1:' "$T_OUT"
}

# sanitizer_clean DESC: no ASan/UBSan/LSan report in the daemon's log.
sanitizer_clean() {
	local log=$LAB_STATE/hairpind.log hits
	hits=$(grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: ' \
	    "$log" 2>/dev/null | head -n 5)
	if [ -z "$hits" ]; then
		t_pass "$1"
	else
		t_fail "$1" "$hits"
	fi
}

# conf_set FILE KEY.PATH YAML-VALUE: set one key of a generated config
# (conf_set f conntrack.max 2000); a list value appends to a list.
conf_set() {
	"$PY" - "$@" <<'PYEOF' || { t_fail "edit config $1: $2"; exit 1; }
import sys
import yaml
path, key, value = sys.argv[1], sys.argv[2], yaml.safe_load(sys.argv[3])
with open(path) as f:
    conf = yaml.safe_load(f)
node = conf
keys = key.split(".")
for k in keys[:-1]:
    node = node.setdefault(k, {})
node[keys[-1]] = value
with open(path, "w") as f:
    yaml.safe_dump(conf, f, sort_keys=False, width=200)
PYEOF
}

# conf_nat_first FILE RULE: put RULE before the config's first srcnat rule.
conf_nat_first() {
	"$PY" - "$@" <<'PYEOF' || { t_fail "edit config $1: nat"; exit 1; }
import sys
import yaml
path, rule = sys.argv[1], sys.argv[2]
with open(path) as f:
    conf = yaml.safe_load(f)
nat = conf["nat"]
at = next((i for i, r in enumerate(nat)
           if isinstance(r, str) and "chain=srcnat" in r), len(nat))
nat.insert(at, rule)
with open(path, "w") as f:
    yaml.safe_dump(conf, f, sort_keys=False, width=200)
PYEOF
}

# assert_exit0 DESC RC ERRFILE: a background job's status.
assert_exit0() {
	if [ "$2" = 0 ]; then
		t_pass "$1"
	else
		t_fail "$1" "exit $2" "$(cat "$3" 2>/dev/null)"
	fi
}

# hairpind_sanitized: built with ASan? Its quarantine and shadow memory
# make VmRSS meaningless as a leak measure; LSan checks leaks at exit.
hairpind_sanitized() {
	grep -qa __asan_init "$HAIRPIND"
}

# assert_rss_le DESC MAX GOT: assert_le, unless the daemon has ASan.
assert_rss_le() {
	if hairpind_sanitized; then
		t_note "skipped (ASan build, RSS not meaningful): $1 ($3 <= $2?)"
	else
		assert_le "$@"
	fi
}
