#!/bin/bash
# SPDX-License-Identifier: ISC
# The README's test command: install what is missing (Debian 12, as root),
# build in build/, run `make check` and print a summary, with the log of
# every test that failed.
#
#   BUILDDIR=build CONFIGURE_FLAGS="..." ROUTER=hairpind TESTS="..." \
#       contrib/run-tests.sh
#
# BUILDDIR and CONFIGURE_FLAGS choose another build (CI's sanitizer run);
# ROUTER=kernel runs the integration tests against the nftables stand-in;
# TESTS narrows the run to the tests named, as with make.

# shellcheck source-path=SCRIPTDIR
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILDDIR:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
JOBS=$(nproc 2>/dev/null || echo 2)

. "$TOP/contrib/lab/deps.sh"

if [ "$(id -u)" != 0 ]; then
	echo "run-tests: not root: the integration tests will be skipped" >&2
fi
hp_install_deps || exit 1

if [ ! -x "$TOP/configure" ]; then
	(cd "$TOP" && ./autogen.sh) || exit 1
fi
mkdir -p "$BUILD" || exit 1
if [ ! -f "$BUILD/Makefile" ]; then
	# shellcheck disable=SC2086 # CONFIGURE_FLAGS is a word list
	(cd "$BUILD" && "$TOP/configure" ${CONFIGURE_FLAGS:-}) || exit 1
fi
make -C "$BUILD" -j"$JOBS" || exit 1

# TESTS="tests/integration/seed.sh ..." narrows the run, as with make.
if [ -n "${TESTS:-}" ]; then
	timeout -k 30 1200 make -C "$BUILD" -j"$JOBS" check VERBOSE=1 \
	    TESTS="$TESTS"
else
	timeout -k 30 1200 make -C "$BUILD" -j"$JOBS" check VERBOSE=1
fi
rc=$?

echo
echo "== test summary (${BUILD#"$TOP"/}) =="
failed=()
while IFS= read -r trs; do
	res=$(sed -n 's/^:test-result: //p' "$trs" | sort -u | paste -sd, -)
	name=${trs%.trs}
	name=${name#"$BUILD"/}
	printf '  %-6s %s\n' "${res:-?}" "$name"
	case $res in
	*FAIL*|*ERROR*) failed+=("${trs%.trs}.log") ;;
	esac
done < <(find "$BUILD/tests" -name '*.trs' 2>/dev/null | sort)

for log in "${failed[@]}"; do
	echo
	echo "== ${log#"$BUILD"/} =="
	cat "$log"
done
if [ "$rc" = 0 ]; then
	echo "all tests passed"
else
	echo "make check failed (exit $rc)"
fi
exit "$rc"
