# SPDX-License-Identifier: Apache-2.0
"""Paths a build takes on the project's word cannot leave the project
through a symbolic link: the default outdir `dist`, `[tool.hwb.build]
outdir` and `find-links` (and the project's own pyproject.toml is never
read through a link). Links that stay inside, and paths the user names, are
fine."""
import shutil
import subprocess

import pytest

from conftest import ROOT

PROJECTS = ROOT / "testdata" / "projects"
TOOL = ROOT / "tests" / "tools" / "sandbox-run"


def _probe():
    if not TOOL.exists():
        return f"{TOOL} is not built"
    p = subprocess.run([str(TOOL), "--probe"], capture_output=True, text=True)
    return None if p.returncode == 0 else p.stderr.strip()


def project(tmp_path, extra=""):
    src = tmp_path / "proj"
    shutil.copytree(PROJECTS / "build-intree", src)
    if extra:
        with open(src / "pyproject.toml", "a") as f:
            f.write(extra)
    outside = tmp_path / "outside"
    outside.mkdir()
    return src, outside


def refused(r, outside, what):
    assert r.returncode == 3, r
    assert "HWB-B015" in r.stderr and "leads outside the project" in r.stderr, r
    assert what in r.stderr and str(outside) in r.stderr
    assert "intree: build" not in r.stderr  # no backend ran
    assert not any(outside.iterdir())


def test_default_dist_symlinked_out_is_refused(run_hwb, tmp_path):
    src, outside = project(tmp_path)
    (src / "dist").symlink_to(outside)
    refused(run_hwb("build", src, "--wheel"), outside, "'dist' (build.outdir")


def test_project_outdir_symlinked_out_is_refused(run_hwb, tmp_path):
    src, outside = project(tmp_path, '\n[tool.hwb.build]\noutdir = "out/sub"\n')
    (src / "out").symlink_to(outside)
    refused(run_hwb("build", src, "--wheel"), outside, "'out/sub' (build.outdir")


def test_project_find_links_symlinked_out_is_refused(run_hwb, tmp_path):
    src, outside = project(tmp_path, '\n[tool.hwb.build]\nfind-links = ["wh"]\n')
    (src / "wh").symlink_to(outside)
    refused(run_hwb("build", src, "--wheel", "--outdir", tmp_path / "d"), outside,
            "'wh' (build.find-links")


def test_pyproject_symlinked_out_is_refused(run_hwb, tmp_path):
    src, outside = project(tmp_path)
    (outside / "pyproject.toml").write_text((src / "pyproject.toml").read_text())
    (src / "pyproject.toml").unlink()
    (src / "pyproject.toml").symlink_to(outside / "pyproject.toml")
    r = run_hwb("build", src, "--wheel", "--outdir", tmp_path / "d")
    # Project files are never read through a link at all (already so).
    assert r.returncode == 3 and "HWB-F006" in r.stderr, r


@pytest.mark.skipif(_probe() is not None, reason="sandbox refused")
def test_links_inside_and_the_users_own_paths_are_fine(run_hwb, tmp_path):
    src, outside = project(tmp_path)
    (src / "built").mkdir()
    (src / "dist").symlink_to("built")
    r = run_hwb("build", src, "--wheel")
    assert r.returncode == 0, r
    assert [p.name for p in (src / "built").iterdir() if p.suffix == ".whl"]
    # The user's own --outdir may be a link anywhere.
    (tmp_path / "mine").symlink_to(outside)
    r = run_hwb("build", src, "--wheel", "--outdir", tmp_path / "mine")
    assert r.returncode == 0, r
    assert [p.name for p in outside.iterdir() if p.suffix == ".whl"]


def test_lock_project_find_links_symlinked_out_is_refused(run_hwb, tmp_path):
    # hwb lock takes the project's find-links as a build does: beneath it.
    src, outside = project(tmp_path, '\n[tool.hwb.build]\nfind-links = ["wh"]\n')
    (src / "wh").symlink_to(outside)
    r = run_hwb("lock", src, "--static", "--output", tmp_path / "pylock.toml")
    refused(r, outside, "'wh' (build.find-links")
    assert not (tmp_path / "pylock.toml").exists()

    # A link that stays inside the project is fine; so is the user's own
    # --find-links, wherever it leads.
    (src / "wh").unlink()
    (src / "wheels").mkdir()
    (src / "wh").symlink_to("wheels")
    r = run_hwb("lock", src, "--static", "--output", tmp_path / "pylock.toml")
    assert r.returncode == 0, r
    (src / "wh").unlink()
    r = run_hwb("lock", src, "--static", "--find-links", outside,
                "--output", tmp_path / "pylock.toml")
    assert r.returncode == 0, r
