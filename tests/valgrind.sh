#!/bin/bash
# SPDX-License-Identifier: ISC
# Every unit test and fuzz replay program under valgrind memcheck: no
# invalid access, no uninitialised use, no leak ("definitely" or
# "indirectly" lost). Not part of `make check` (it takes minutes); CI
# runs it on a plain (non-sanitizer) build:
#
#   tests/valgrind.sh [BUILDDIR]      default: build
#
# CK_FORK=no keeps each check test in the process valgrind watches, and
# a leak anywhere fails the program. The programs in VALGRIND_FORK
# (default: check_control, whose tests drop privileges and lower rlimits,
# which only a forked test may do, and whose fixture lives as long as its
# test's process) keep check's fork: valgrind follows each child and
# fails it on any error or leak.
# VALGRIND_TESTS="check_ct replay_conf" limits the run to those programs.

set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" 2>/dev/null && pwd) || {
	echo "valgrind.sh: no build directory ${1:-$top/build}" >&2
	exit 2
}
command -v valgrind >/dev/null || { echo "valgrind.sh: no valgrind" >&2; exit 2; }
if grep -Eq '^SAN_CFLAGS = .*-fsanitize' "$build/Makefile" 2>/dev/null; then
	echo "valgrind.sh: $build is a sanitizer build; use a plain one" >&2
	exit 2
fi

# Build the test programs without running them.
make -C "$build" -j"$(nproc)" check TESTS= >"$build/valgrind-make.log" 2>&1 || {
	tail -n 20 "$build/valgrind-make.log" >&2
	echo "valgrind.sh: build failed" >&2
	exit 2
}

progs=()
for p in "$build"/tests/unit/check_* "$build"/tests/fuzz/replay_*; do
	if [ ! -f "$p" ] || [ ! -x "$p" ]; then
		continue
	fi
	case $p in *.o|*.log|*.trs) continue ;; esac
	if [ -n "${VALGRIND_TESTS:-}" ] &&
	    ! [[ " $VALGRIND_TESTS " == *" $(basename "$p") "* ]]; then
		continue
	fi
	progs+=("$p")
done

export CK_FORK=no CK_DEFAULT_TIMEOUT=600 top_srcdir=$top HAIRPIND_UNDER_VALGRIND=1
logdir=$build/valgrind
mkdir -p "$logdir"
pass=0
fail=0
t0=$(date +%s)
for p in "${progs[@]}"; do
	name=$(basename "$p")
	s=$(date +%s)
	fork=no
	[[ " ${VALGRIND_FORK-check_control} " == *" $name "* ]] && fork=yes
	CK_FORK=$fork valgrind --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	    --track-origins=yes --quiet --log-file="$logdir/$name.log" \
	    "$p" >"$logdir/$name.out" 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		echo "PASS: $name ($(($(date +%s) - s)) s)"
	else
		fail=$((fail + 1))
		echo "FAIL: $name (exit $rc; $logdir/$name.log)"
		head -n 30 "$logdir/$name.log" | sed 's/^/    /'
		tail -n 5 "$logdir/$name.out" | sed 's/^/    /'
	fi
done
echo "valgrind: $pass passed, $fail failed in $(($(date +%s) - t0)) s"
[ "$fail" = 0 ]
