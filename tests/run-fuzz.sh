#!/bin/sh
# Run each libFuzzer target for SECONDS over its seed corpus in
# tests/fuzz/corpus/<name>/ (copied to a scratch directory so runs do not
# grow the tracked corpus). Findings (crash-*, leak-*, timeout-*) are
# written into the scratch directory, never into the working tree.
set -eu
seconds=$1
shift
for f in "$@"; do
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
done
