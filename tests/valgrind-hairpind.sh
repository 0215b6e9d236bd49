#!/bin/sh
# SPDX-License-Identifier: ISC
# Stand-in for hairpind that runs the real one under valgrind (memcheck),
# for the integration tests: HAIRPIND=tests/valgrind-hairpind.sh. Any
# memory error or leak makes the daemon exit 99, which the tests' clean
# exit checks catch; the report goes to the daemon's log.
: "${top_builddir:=$(cd "$(dirname "$0")/.." && pwd)/build}"
exec valgrind --quiet --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --track-fds=no \
    "$top_builddir/src/hairpind" "$@"
