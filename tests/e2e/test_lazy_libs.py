# SPDX-License-Identifier: Apache-2.0
"""libcurl, libgit2 and libarchive are loaded on first use (pkg/core/lazy*.c):
the binaries must not link them, every function of theirs that pkg/ or cmd/
calls must have a forwarding function, and a library that cannot be loaded
must surface as HWB-C003, never as a crash."""
import functools
import os
import subprocess

import pytest

from conftest import HWB, ROOT
from test_verify_online import detach

REL = ROOT / "build" / "rel"


def run(*argv):
    return subprocess.run(list(map(str, argv)), capture_output=True, text=True,
                          check=True).stdout


def sonames():
    """{library: its soname}, as lazy_<lib>.c open them on this system."""
    git2 = ".".join(run("pkg-config", "--modversion", "libgit2").strip().split(".")[:2])
    return {"curl": "libcurl.so.4", "git2": f"libgit2.so.{git2}", "archive": "libarchive.so.13"}


@functools.lru_cache(maxsize=None)
def exported(lib):
    """Function names the installed library exports."""
    libdir = run("pkg-config", "--variable=libdir", {"curl": "libcurl", "git2": "libgit2",
                                                     "archive": "libarchive"}[lib]).strip()
    out = run("nm", "-D", "--defined-only", os.path.join(libdir, sonames()[lib]))
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if " T " in line}


def symbols(paths, defined):
    """The symbols of the objects PATHS, from one nm for all of them (nm
    heads each object's list with a "NAME.o:" line)."""
    out = run("nm", "--defined-only" if defined else "--undefined-only", *paths)
    return {line.split()[-1] for line in out.splitlines() if line.strip() and ":" not in line}


@functools.lru_cache(maxsize=None)
def used_by_hwb():
    """Every symbol that an object of pkg/ or cmd/ (but the forwarders) uses."""
    objects = sorted(p for p in REL.rglob("*.o") if p.parts[-3:-1] != ("pkg", "core")
                     or not p.name.startswith("lazy"))
    return frozenset(symbols(objects, defined=False)) if objects else frozenset()


@pytest.mark.parametrize("binary", [ROOT / "hwb", HWB])
def test_binaries_do_not_link_lazy_libraries(binary):
    needed = run("readelf", "-d", binary)
    for soname in sonames().values():
        assert soname not in needed, f"{binary} links {soname}: it must be loaded on demand"
    # Our forwarding functions must stay out of the dynamic symbol table, or
    # the library's calls to its own exported functions would bind to them.
    dyn = run("nm", "-D", "--defined-only", binary)
    assert not [s for s in dyn.split() if s.startswith(("curl_", "git_", "archive_"))]


@pytest.mark.parametrize("lib", ["curl", "git2", "archive"])
def test_every_used_function_is_forwarded(lib):
    wanted = used_by_hwb() & exported(lib)
    forwarded = symbols([REL / "pkg" / "core" / f"lazy_{lib}.o"], defined=True)
    assert wanted, f"no object uses lib{lib}: is build/rel built?"
    missing = sorted(wanted - forwarded)
    assert not missing, f"add to pkg/core/lazy_{lib}.c: {missing}"
    # Every forwarding function names a real export (a typo would never resolve).
    assert not sorted({s for s in forwarded if s.startswith(("curl_", "git_", "archive_"))}
                      - exported(lib))


@pytest.fixture
def broken_libs(tmp_path):
    """A directory where libcurl lacks every function and the others are not ELF."""
    empty = tmp_path / "empty.c"
    empty.write_text("int hwb_test_placeholder_symbol;\n")
    names = sonames()
    subprocess.run(["cc", "-shared", "-fPIC", "-o", tmp_path / names["curl"], empty], check=True)
    for lib in ("git2", "archive"):
        (tmp_path / names[lib]).write_text("not a shared object\n")
    return {"LD_LIBRARY_PATH": str(tmp_path)}


def test_version_names_unloadable_libraries(run_hwb, broken_libs):
    r = run_hwb("version", env=broken_libs)
    assert r.returncode == 0, r
    assert "libcurl unavailable" in r.stdout and "libgit2 unavailable" in r.stdout
    assert "libarchive unavailable" in r.stdout
    assert "OpenSSL" in r.stdout


def test_unloadable_curl_is_an_error(run_hwb, broken_libs, tmp_path):
    real = ROOT / "testdata" / "sigstore" / "real"
    sig, cert = detach(tmp_path, real / "bundle_v3_github.whl.sigstore")
    r = run_hwb("verify", real / "bundle_v3_github.whl", "--signature", sig,
                "--certificate", cert, "--online", "--rekor-url", "http://127.0.0.1:9",
                "--repository", "trailofbits/rfc8785.py", "--workflow", "release.yml",
                env=broken_libs)
    assert r.returncode == 3, r
    assert "HWB-C003" in r.stderr and "libcurl.so.4" in r.stderr, r
    assert "lacks curl_" in r.stderr and "libcurl4" in r.stderr, r


def test_verify_offline_needs_no_lazy_library(run_hwb, broken_libs):
    real = ROOT / "testdata" / "sigstore" / "real"
    r = run_hwb("verify", real / "bundle_v3_github.whl", "--repository",
                "trailofbits/rfc8785.py", "--workflow", "release.yml", env=broken_libs)
    assert r.returncode == 0, r
