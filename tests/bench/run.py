#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make bench: run every tests/bench/bench_*.py in turn (or those named on
the command line, e.g. `run.py check`), each printing its own figures:
hwb against the peer tools, measured in the same run on this machine."""
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main(argv):
    wanted = set(argv[1:])
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        name = script.stem[len("bench_"):]
        if wanted and name not in wanted:
            continue
        print(f"== bench {name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parents[1]).returncode:
            failed.append(name)
    if failed:
        print("bench: failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
