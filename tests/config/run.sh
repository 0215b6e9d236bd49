#!/bin/sh
# SPDX-License-Identifier: ISC
# Golden configuration tests: every ok/*.yaml must pass `hairpind -t`, every
# bad/*.yaml must fail with exactly the text of its bad/*.err.
#
# Run by `make check` with top_srcdir and HAIRPIND set; by hand:
#   top_srcdir=$PWD HAIRPIND=$PWD/build/src/hairpind tests/config/run.sh
# Regenerate one expected file after a deliberate change (then review it):
#   cd tests/config && $HAIRPIND -t -f bad/X.yaml 2> bad/X.err

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
HAIRPIND=${HAIRPIND:-${top_builddir:-$top_srcdir}/src/hairpind}

if [ ! -x "$HAIRPIND" ]; then
	echo "run.sh: $HAIRPIND: not built" >&2
	exit 99
fi

cd "$top_srcdir/tests/config" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0

pass() {
	passed=$((passed + 1))
	echo "PASS: $1"
}

fail() {
	failed=$((failed + 1))
	echo "FAIL: $1: $2"
}

# check_ok NAME FILE: exit 0, "configuration ok" on stdout, nothing on stderr
check_ok() {
	"$HAIRPIND" -t -f "$2" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		fail "$1" "exit $rc, expected 0"
		sed 's/^/    | /' "$tmp/err"
	elif [ "$(cat "$tmp/out")" != "configuration ok" ]; then
		fail "$1" "stdout is not \"configuration ok\""
		sed 's/^/    | /' "$tmp/out"
	elif [ -s "$tmp/err" ]; then
		fail "$1" "unexpected stderr"
		sed 's/^/    | /' "$tmp/err"
	else
		pass "$1"
	fi
}

for f in ok/*.yaml; do
	[ -e "$f" ] || continue
	check_ok "$f" "$f"
done

for f in bad/*.yaml; do
	[ -e "$f" ] || continue
	exp=${f%.yaml}.err
	if [ ! -f "$exp" ]; then
		fail "$f" "no $exp"
		continue
	fi
	"$HAIRPIND" -t -f "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne 1 ]; then
		fail "$f" "exit $rc, expected 1"
	elif [ -s "$tmp/out" ]; then
		fail "$f" "unexpected stdout"
	elif ! cmp -s "$exp" "$tmp/err"; then
		fail "$f" "stderr differs from $exp"
		diff -u "$exp" "$tmp/err" | sed 's/^/    | /'
	else
		pass "$f"
	fi
done

for f in "$top_srcdir"/etc/*.yaml; do
	check_ok "etc/${f##*/}" "$f"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
