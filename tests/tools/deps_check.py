#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""make deps-check: the package picture stays what README.md says it is.

From the sources: no file includes another package's internal.h, no public
header names another package's internal type (hwb_<pkg>__...), pkg/core
includes no other package, and no cycle between packages (an include of
pkg/<q>/ from pkg/<p>/ is an arrow p -> q). From the objects (nm over
<objdir>/pkg/*/*.o, default build/asan): no cycle between the files of the
packages in ACYCLIC (a file that calls a function another file defines is
an arrow between them). --picture prints the arrows between packages.
"""
import collections
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Packages whose files keep no cycle between them (issue 13).
ACYCLIC = {"sandbox", "reqs", "build"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"pkg/([a-z0-9_]+)/([^"]+)"', re.M)
INTERNAL_NAME = re.compile(r"\bhwb_([a-z0-9]+)__[a-z0-9_]+")


def sources():
    for path in sorted((ROOT / "pkg").glob("*/*")):
        if path.suffix in (".c", ".h", ".S"):
            yield path.parent.name, path


def include_arrows(problems):
    arrows = collections.defaultdict(set)
    for pkg, path in sources():
        rel = path.relative_to(ROOT)
        text = path.read_text(errors="replace")
        for other, header in INCLUDE.findall(text):
            if other == pkg:
                continue
            arrows[pkg].add(other)
            if header == "internal.h":
                problems.append(f"{rel}: includes pkg/{other}/internal.h")
            if pkg == "core":
                problems.append(f"{rel}: pkg/core includes pkg/{other}/{header}")
        if path.suffix == ".h" and path.name != "internal.h":
            packages = {d.name for d in (ROOT / "pkg").iterdir() if d.is_dir()}
            for owner in (set(INTERNAL_NAME.findall(text)) & packages) - {pkg}:
                problems.append(f"{rel}: public header names pkg/{owner}'s "
                                f"internal hwb_{owner}__ type or function")
    return arrows


def cycles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, found, count = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = count[0]
        count[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def file_arrows(objdir):
    defined, used = {}, {}
    for obj in sorted(objdir.glob("pkg/*/*.o")):
        src = obj.relative_to(objdir).with_suffix("")
        if not any((ROOT / src).with_suffix(s).exists() for s in (".c", ".S")):
            continue  # a stale object of a moved file
        out = subprocess.run(["nm", str(obj)], capture_output=True, text=True,
                             check=True).stdout
        d, u = set(), set()
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "TDRBCV":
                d.add(f[2])
            elif len(f) == 2 and f[0] == "U":
                u.add(f[1])
        defined[str(src)], used[str(src)] = d, u
    owner = {sym: f for f, syms in defined.items() for sym in syms}
    arrows = collections.defaultdict(set)
    for f, syms in used.items():
        for sym in syms:
            if sym in owner and owner[sym] != f:
                arrows[f].add(owner[sym])
    return arrows


def main(argv):
    picture = "--picture" in argv
    args = [a for a in argv[1:] if a != "--picture"]
    objdir = ROOT / (args[0] if args else "build/asan")
    problems = []
    arrows = include_arrows(problems)
    for comp in cycles(arrows):
        problems.append("cycle between packages: " + " -> ".join(comp))
    if not objdir.is_dir():
        problems.append(f"{objdir}: no objects to read (build the library)")
    else:
        files = file_arrows(objdir)
        for comp in cycles(files):
            if pathlib.PurePath(comp[0]).parent.name in ACYCLIC:
                problems.append("cycle between files: " + ", ".join(comp))
    if picture:
        for pkg in sorted(arrows):
            print(f"pkg/{pkg} -> " + ", ".join(f"pkg/{q}"
                                                for q in sorted(arrows[pkg])))
    for p in problems:
        print("deps-check: " + p)
    if problems:
        print("deps-check: failed; see README.md, Layout")
        return 1
    print("deps-check: no cycle, no include of another package's internals")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
