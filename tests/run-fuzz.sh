#!/bin/sh
# Run each libFuzzer target for SECONDS over its seed corpus in
# tests/fuzz/corpus/<name>/ (copied to a scratch directory so runs do not
# grow the tracked corpus), JOBS targets at a time. Findings (crash-*,
# leak-*, timeout-*) are written into the scratch directory, never into the
# working tree.
# Usage: run-fuzz.sh SECONDS JOBS FUZZER...   (run-fuzz.sh --one SECONDS FUZZER: one target)
set -eu
if [ "$1" = --one ]; then
	seconds=$2
	f=$3
	name=$(basename "$f")
	work=$(mktemp -d)
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
	echo "fuzz: $name for ${seconds}s"
	"$f" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$work.artifact-" \
		-print_final_stats=0 "$work" 2>"$work.log" || {
		tail -n 40 "$work.log"
		echo "fuzz: the input that failed is kept in $work.artifact-*"
		echo "fuzz: $name FAILED"
		exit 1
	}
	rm -rf "$work" "$work.log" "$work".artifact-*
	exit 0
fi
seconds=$1
jobs=$2
shift 2
# xargs exits non-zero when any target failed (each says so above).
printf '%s\n' "$@" | xargs -P "$jobs" -n 1 sh "$0" --one "$seconds" || {
	echo "fuzz: FAILED (see above)"
	exit 1
}
