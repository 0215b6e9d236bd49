#!/bin/sh
# SPDX-License-Identifier: ISC
# The RouterOS export corpus (tests/routeros/*.rsc, each loaded by the
# NAME.yaml beside it through `routeros: { file: NAME.rsc }`, SPEC 9):
# every file must pass `hairpind -t` (exit 0, "configuration ok" first on
# stdout, nothing but notes on stderr), and every section of the export
# that hairpind does not model must give exactly one
#   FILE:LINE: note: section /X not modelled (N lines)
# while a modelled section gives none. A YAML may also demand notes of its
# own with comment lines `# expect-note: TEXT` (each TEXT must appear in
# some note line), e.g. the unknown key of a disabled rule. A YAML whose
# export needs a feature of a later issue says so with `# pending: WHY`:
# while hairpind -t refuses it, that is an XFAIL (printed, not counted as
# a failure); once it loads it is checked like any other (then drop the
# line).
#
# Run by `make check` with top_srcdir and HAIRPIND set; by hand:
#   HAIRPIND=build/src/hairpind tests/config/routeros-corpus.sh [NAME...]
# Exit: 0 all passed, 1 some failed, 77 no hairpind binary (skip).

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
HAIRPIND=${HAIRPIND:-${top_builddir:-$top_srcdir}/src/hairpind}
PY=${PY:-/usr/bin/python3}

case $HAIRPIND in
/*) ;;
*) HAIRPIND=$PWD/$HAIRPIND ;;
esac
if [ ! -x "$HAIRPIND" ]; then
	echo "SKIP: routeros-corpus.sh: $HAIRPIND: not built"
	exit 77
fi
if [ ! -x "$PY" ]; then
	echo "SKIP: routeros-corpus.sh: $PY missing (it reads the exports)"
	exit 77
fi

cd "$top_srcdir/tests/routeros" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

# The sections SPEC 9 and 10 model. /ipv6 ones (SPEC 11)
# come with an issue of its own: until then either no note or one note is
# right for them (PENDING).
MODELLED='
/interface list
/interface list member
/ip address
/ip route
/routing table
/ip firewall filter
/ip firewall nat
/ip firewall mangle
/ip firewall raw
/ip firewall address-list
/ip firewall service-port
/ip dns
/ip dns static
'
PENDING='
'
export MODELLED PENDING

# sections FILE.rsc: the sections the export touches, one per line,
# "/a b c" whatever the dialect (v7 /a/b/c/add, terse, `;`, wraps, NBSP).
sections() {
	"$PY" - "$1" <<'EOF'
import re, sys
COMMANDS = {"add", "set", "remove", "print", "export", "enable", "disable",
            "edit", "find", "unset", "comment", "move", "get", "reset",
            "monitor", "import"}
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
text = text.replace("\u00a0", " ").replace("\r", "")
# join `\` continuations (not of comments); the next line's indent goes
lines, cur = [], None
for raw in text.split("\n"):
    if cur is not None:
        raw = cur + raw.lstrip()
        cur = None
    if raw.rstrip().endswith("\\") and not raw.lstrip().startswith("#"):
        cur = raw.rstrip()[:-1]
        continue
    lines.append(raw)
if cur is not None:
    lines.append(cur)

def split_outside_quotes(s, seps):
    """Split s at characters of seps outside "...", honouring \\ escapes;
    '#' ends the line when it starts a word."""
    out, buf, q, i = [], "", False, 0
    while i < len(s):
        c = s[i]
        if q:
            buf += c
            if c == "\\" and i + 1 < len(s):
                buf += s[i + 1]
                i += 1
            elif c == '"':
                q = False
        elif c == '"':
            q = True
            buf += c
        elif c == "#" and (not buf.strip() or buf[-1:].isspace()):
            break
        elif c in seps:
            out.append(buf)
            buf = ""
        else:
            buf += c
        i += 1
    out.append(buf)
    return out

seen = []
section = None
for line in lines:
    for cmd in split_outside_quotes(line, ";"):
        cmd = cmd.strip()
        if not cmd:
            continue
        if cmd.startswith("/"):
            words = cmd.split()
            first = words[0].strip("/").split("/")
            words = [w for w in first if w] + words[1:]
            path = []
            for w in words:
                if w in COMMANDS or "=" in w or w[:1] in '["':
                    break
                path.append(w)
            section = "/" + " ".join(path)
        if section and section not in seen:
            seen.append(section)
print("\n".join(seen))
EOF
}

passed=0
failed=0
xfailed=0
pass() {
	passed=$((passed + 1))
	echo "PASS: $1"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL: $1: $2"
	shift 2
	for d in "$@"; do
		printf '%s\n' "$d" | sed 's/^/    | /'
	done
}

if [ $# -gt 0 ]; then
	files=$(for n in "$@"; do echo "${n%.yaml}.yaml"; done)
else
	files=$(for f in ./*.yaml; do [ -e "$f" ] && echo "${f#./}"; done)
fi
[ -n "$files" ] || { echo "FAIL: no tests/routeros/*.yaml"; exit 1; }

for y in $files; do
	name=${y%.yaml}
	rsc=$name.rsc
	if [ ! -f "$y" ] || [ ! -f "$rsc" ]; then
		fail "$name" "needs both $y and $rsc"
		continue
	fi
	"$HAIRPIND" -t -f "$y" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	pending=$(sed -n 's/^# pending: //p' "$y" | head -n 1)
	if [ "$rc" -ne 0 ] && [ -n "$pending" ]; then
		xfailed=$((xfailed + 1))
		echo "XFAIL: $name: pending: $pending"
		sed -n '1,3s/^/    | /p' "$tmp/err"
		continue
	fi
	if [ "$rc" -ne 0 ]; then
		fail "$name" "hairpind -t exit $rc, expected 0" "$(head -n 20 "$tmp/err")"
		continue
	fi
	[ -z "$pending" ] ||
	    echo "NOTE: $name loads now: its '# pending:' line can go"

	if [ "$(head -n 1 "$tmp/out")" != "configuration ok" ]; then
		fail "$name" "stdout does not start with \"configuration ok\"" \
		    "$(head -n 5 "$tmp/out")"
		continue
	fi
	sections "$rsc" >"$tmp/sections" || {
		fail "$name" "cannot read the sections of $rsc"
		continue
	}
	grep -h '^# expect-note: ' "$y" | sed 's/^# expect-note: //' \
	    >"$tmp/expect"
	# The verdict: one line "ok" or the reasons.
	"$PY" - "$tmp/sections" "$tmp/err" "$tmp/expect" "$rsc" \
	    >"$tmp/verdict" <<'EOF'
import os, re, sys
sections = [s for s in open(sys.argv[1]).read().split("\n") if s]
err = open(sys.argv[2], encoding="utf-8", errors="replace").read().splitlines()
expect = [e for e in open(sys.argv[3]).read().split("\n") if e]
rsc = sys.argv[4]
modelled = {m.strip() for m in os.environ["MODELLED"].split("\n") if m.strip()}
pending = {m.strip() for m in os.environ["PENDING"].split("\n") if m.strip()}

def norm(s):
    return "/" + " ".join(w for w in re.split(r"[/ ]+", s) if w)

bad = []
notes = {}
note_re = re.compile(r"^(.*):(\d+): note: section (/.+?) not modelled "
                     r"\((\d+) lines?\)$")
for line in err:
    if ": note: " not in line:
        bad.append("stderr line that is not a note: " + line)
        continue
    m = note_re.match(line)
    if m:
        if not m.group(1).endswith(rsc):
            bad.append("note names %s, not %s: %s" % (m.group(1), rsc, line))
        notes.setdefault(norm(m.group(3)), []).append(line)
for s in sections:
    n = len(notes.pop(norm(s), []))
    if s in modelled:
        if n:
            bad.append("modelled section %s got %d 'not modelled' note(s)" % (s, n))
    elif s.startswith("/ipv6") or s in pending:
        if n > 1:
            bad.append("section %s: %d notes, expected at most 1" % (s, n))
    elif n != 1:
        bad.append("unmodelled section %s: %d notes, expected exactly 1" % (s, n))
for s, lines in notes.items():
    bad.append("note for a section the file does not have: " + lines[0])
for e in expect:
    if not any(e in line for line in err if ": note: " in line):
        bad.append("no note mentions %r" % e)
print("\n".join(bad) if bad else "ok")
EOF
	if [ "$(cat "$tmp/verdict")" = ok ]; then
		pass "$name"
	else
		fail "$name" "notes" "$(cat "$tmp/verdict")" "stderr was:" \
		    "$(head -n 40 "$tmp/err")"
	fi
done

if [ "$xfailed" -gt 0 ]; then
	echo "$passed passed, $failed failed, $xfailed skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
