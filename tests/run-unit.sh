#!/bin/sh
# Run every cmocka unit test binary given; fail if any fails.
set -u
failed=0
for t in "$@"; do
	"$t" || { echo "unit: FAILED $t"; failed=1; }
done
exit $failed
