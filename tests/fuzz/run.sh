#!/bin/bash
# SPDX-License-Identifier: ISC
# Build the libFuzzer harnesses with clang (ASan + UBSan) and run each for
# a bounded time. Exit non-zero when any of them finds a crash, a leak or
# undefined behaviour; the input that did it is left in the work directory
# (printed at the end): minimise it, fix the bug, and keep the input in
# tests/fuzz/regress/NAME/ so that `make check` replays it.
#
#   tests/fuzz/run.sh [NAME...]        NAME: frame conf control ftp dns (default all)
#
# Environment: FUZZ_SECONDS (60) per harness, FUZZ_JOBS (1) parallel
# workers per harness, FUZZ_BUILD (build-fuzz-clang) build directory,
# FUZZ_WORK (a temp dir) for the growing corpora and crash files,
# FUZZ_KEEP=1 to keep FUZZ_WORK.

set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD:-$top/build-fuzz-clang}
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(frame conf control ftp dns)

if ! command -v clang >/dev/null; then
	echo "run.sh: clang is needed for libFuzzer" >&2
	exit 2
fi

if [ ! -f "$build/Makefile" ]; then
	mkdir -p "$build" || exit 2
	(cd "$build" && CC=clang "$top/configure" --enable-fuzzing \
	    >configure.log 2>&1) || {
		echo "run.sh: configure failed, see $build/configure.log" >&2
		exit 2
	}
fi
targets=()
for n in "${names[@]}"; do
	targets+=("tests/fuzz/fuzz_$n")
done
if ! make -C "$build" -j"$(nproc)" "${targets[@]}" >"$build/fuzz-make.log" 2>&1
then
	tail -n 30 "$build/fuzz-make.log" >&2
	echo "run.sh: build failed" >&2
	exit 2
fi

work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/hairpind-fuzz.XXXXXX")}
mkdir -p "$work"
# Leaks and UB are bugs too; UBSan stops at the first report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0
for n in "${names[@]}"; do
	corpus=$work/corpus-$n
	mkdir -p "$corpus" "$work/crash-$n"
	echo "== fuzz_$n: ${seconds}s, $jobs job(s), corpus $corpus"
	dict=()
	[ -f "$top/tests/fuzz/$n.dict" ] && dict=(-dict="$top/tests/fuzz/$n.dict")
	# Frames up to a 64 KiB GSO frame; configs and requests smaller so
	# that each run is quick (a request line is at most 4096 bytes).
	case $n in
	frame) maxlen=70000 ;;
	conf) maxlen=16384 ;;
	dns) maxlen=4097 ;;	# a mode byte and a 4096-byte message
	*) maxlen=8192 ;;
	esac
	par=()
	[ "$jobs" -gt 1 ] && par=(-jobs="$jobs" -workers="$jobs")
	# git keeps no empty folder: a harness without saved crashers has none
	regress=()
	[ -d "$top/tests/fuzz/regress/$n" ] &&
	    regress=("$top/tests/fuzz/regress/$n")
	# From the work directory: parallel workers log to ./fuzz-N.log.
	(cd "$work" && exec "$build/tests/fuzz/fuzz_$n" "$corpus" \
	    "$top/tests/fuzz/corpus/$n" "${regress[@]}" \
	    "${dict[@]}" "${par[@]}" -max_total_time="$seconds" -timeout=10 \
	    -rss_limit_mb=2048 -max_len="$maxlen" -print_final_stats=1 \
	    -artifact_prefix="$work/crash-$n/") >"$work/fuzz_$n.log" 2>&1
	rc=$?
	# With -jobs the workers write fuzz-N.log files of their own.
	cat "$work"/fuzz-*.log >>"$work/fuzz_$n.log" 2>/dev/null
	rm -f "$work"/fuzz-*.log
	grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ *DONE)' \
	    "$work/fuzz_$n.log" | tail -n 3
	if [ "$rc" != 0 ] || [ -n "$(ls -A "$work/crash-$n")" ]; then
		echo "FAIL: fuzz_$n (exit $rc); log $work/fuzz_$n.log"
		grep -E 'ERROR|SUMMARY|runtime error' "$work/fuzz_$n.log" |
		    head -n 5
		ls "$work/crash-$n"
		failed=$((failed + 1))
	else
		echo "ok: fuzz_$n"
	fi
done

if [ "$failed" -gt 0 ] || [ -n "${FUZZ_KEEP:-}" ]; then
	echo "work directory kept: $work"
else
	rm -rf "$work"
fi
echo "fuzz: $((${#names[@]} - failed)) passed, $failed failed"
[ "$failed" = 0 ]
