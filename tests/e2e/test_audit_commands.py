# SPDX-License-Identifier: Apache-2.0
"""The audit log written by hwb check and hwb verify, and the check.* and
log.level settings those commands now read from the configuration."""
import json
import pathlib
import shutil

import pytest

from conftest import ROOT

GOOD = next((ROOT / "testdata/wheels/good").glob("*.whl"))
BAD = ROOT / "testdata/wheels/bad/w012_control_character-1.0-py3-none-any.whl"
WARN_ONLY = ROOT / "testdata/wheels/bad/w101_world_writable-1.0-py3-none-any.whl"
SIGNED = ROOT / "testdata/sigstore/real/bundle_v3_github.whl"
TOKEN = "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAAC"


def events(home):
    logs = list((home / ".hwb/logs").glob("audit-*.jsonl"))
    assert len(logs) == 1, logs
    return [json.loads(line) for line in logs[0].read_text().splitlines()]


def user_config(home, text):
    d = home / ".config/hwb"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.toml").write_text(text)


def test_check_writes_one_event_per_file(run_hwb, home, tmp_path):
    r = run_hwb("check", GOOD, BAD, cwd=tmp_path)
    assert r.returncode == 1, r
    good, bad = events(home)
    assert good["event"] == bad["event"] == "wheel.checked"
    assert good["file"] == str(GOOD)
    assert (good["errors"], good["warnings"], good["passed"]) == (0, 0, True)
    assert bad["file"] == str(BAD)
    assert bad["errors"] == 1 and bad["warnings"] == 1 and bad["passed"] is False
    assert good["timestamp"].endswith("Z")


def test_check_unreadable_file_records_the_code(run_hwb, home, tmp_path):
    missing = tmp_path / "missing-1.0-py3-none-any.whl"
    r = run_hwb("check", missing, cwd=tmp_path)
    assert r.returncode != 0, r
    (ev,) = events(home)
    assert ev["passed"] is False and ev["code"].startswith("HWB-"), ev


def test_verify_writes_identity_or_code(run_hwb, home, tmp_path):
    ok = run_hwb("verify", SIGNED, "--repository", "trailofbits/rfc8785.py",
                 "--workflow", "release.yml", cwd=tmp_path)
    assert ok.returncode == 0, ok
    bad = run_hwb("verify", SIGNED, "--repository", "someone/else",
                  "--workflow", "release.yml", cwd=tmp_path)
    assert bad.returncode == 1, bad
    good_ev, bad_ev = events(home)
    assert good_ev["event"] == bad_ev["event"] == "verify.completed"
    assert good_ev["verified"] is True and good_ev["file"] == str(SIGNED)
    assert good_ev["identity"].startswith(
        "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@")
    assert good_ev["issuer"] == "https://token.actions.githubusercontent.com"
    assert len(good_ev["sha256"]) == 64 and good_ev["code"] is None
    assert bad_ev["verified"] is False and bad_ev["identity"] is None
    assert bad_ev["code"] == "HWB-V023"


def test_config_strict_makes_warnings_fail(run_hwb, home, tmp_path):
    assert run_hwb("check", WARN_ONLY, cwd=tmp_path).returncode == 0
    user_config(home, "[check]\nstrict = true\n")
    r = run_hwb("check", WARN_ONLY, cwd=tmp_path)
    assert r.returncode == 1, r
    assert events(home)[-1]["strict"] is True


def test_config_ignore_and_flag_ignore(run_hwb, home, tmp_path):
    user_config(home, "[check]\nstrict = true\nignore = [\"W101\"]\n")
    r = run_hwb("check", WARN_ONLY, cwd=tmp_path)
    assert r.returncode == 0, r
    assert "HWB-W101" not in r.stdout
    user_config(home, "[check]\nstrict = true\n")
    r = run_hwb("check", "--ignore", "W101", WARN_ONLY, cwd=tmp_path)
    assert r.returncode == 0, r


def test_config_select_and_flag_wins(run_hwb, home, tmp_path):
    user_config(home, "[check]\nselect = [\"W020\"]\n")
    r = run_hwb("check", WARN_ONLY, cwd=tmp_path)
    assert "HWB-W101" not in r.stdout, r
    r = run_hwb("check", "--select", "W101", WARN_ONLY, cwd=tmp_path)
    assert "HWB-W101" in r.stdout, r


def test_config_bad_code_names_the_setting(run_hwb, home, tmp_path):
    user_config(home, "[check]\nignore = [\"E501\"]\n")
    r = run_hwb("check", GOOD, cwd=tmp_path)
    assert r.returncode == 2, r
    assert "check.ignore 'E501'" in r.stderr and "config.toml" in r.stderr


def test_log_level_from_config_and_flag_wins(run_hwb, home, tmp_path):
    user_config(home, "[log]\nlevel = \"error\"\n")
    r = run_hwb("check", GOOD, cwd=tmp_path)
    assert r.returncode == 0 and "passed" not in r.stderr, r
    r = run_hwb("check", "--verbose", GOOD, cwd=tmp_path)
    assert "passed" in r.stderr, r


def test_audit_disabled_writes_nothing(run_hwb, home, tmp_path):
    user_config(home, "[audit]\nenabled = false\n")
    assert run_hwb("check", GOOD, cwd=tmp_path).returncode == 0
    assert not (home / ".hwb/logs").exists()


def test_audit_failure_is_a_warning(run_hwb, home, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    r = run_hwb("check", GOOD, cwd=tmp_path,
                env={"HWB_AUDIT_DIR": str(blocker / "logs")})
    assert r.returncode == 0, r
    assert "warning: audit log" in r.stderr


def test_token_in_file_name_never_reaches_the_log(run_hwb, home, tmp_path):
    """A token-shaped argument is refused before any command runs (the
    same detector redacts audit fields), so the log holds no trace of it."""
    named = tmp_path / f"{TOKEN}.whl"
    shutil.copy(GOOD, named)
    r = run_hwb("check", named, cwd=tmp_path)
    assert r.returncode == 2 and "HWB-U007" in r.stderr, r
    assert TOKEN not in r.stderr
    assert not (home / ".hwb/logs").exists()


LOCK_SAMPLE = ROOT / "testdata/projects/lock-sample"
WHEELHOUSE = pathlib.Path("/usr/share/python-wheels")
needs_wheelhouse = pytest.mark.skipif(
    not WHEELHOUSE.is_dir() or not any(WHEELHOUSE.glob("setuptools-*")),
    reason="Debian's python3-setuptools-whl is missing (tests/deps.sh)")


@needs_wheelhouse
def test_lock_writes_lock_written(run_hwb, home, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(LOCK_SAMPLE, project)
    r = run_hwb("lock", project, "--find-links", WHEELHOUSE, "--python",
                "/usr/bin/python3", "--static", cwd=tmp_path)
    assert r.returncode == 0, r
    (ev,) = events(home)
    assert ev["event"] == "lock.written" and ev["source_dir"] == str(project)
    assert ev["path"].endswith("pylock.build.toml") and ev["changed"] is True
    assert ev["packages"] >= 1


def test_lock_uses_the_configured_ca_bundle(run_hwb, home, tmp_path):
    project = tmp_path / "project"
    shutil.copytree(LOCK_SAMPLE, project)
    user_config(home, "[http]\nca-bundle = \"/nonexistent/ca.pem\"\n")
    r = run_hwb("lock", project, "--index-url", "https://127.0.0.1:1/simple/",
                "--python", "/usr/bin/python3", "--static", cwd=tmp_path)
    assert r.returncode == 3 and "HWB-H002" in r.stderr, r
    assert "/nonexistent/ca.pem" in r.stderr


def test_verify_online_uses_the_configured_http_settings(run_hwb, home, tmp_path):
    """http.* reaches the Rekor client: the configured CA bundle is read."""
    from test_verify_online import detach

    sig, cert = detach(tmp_path, SIGNED.parent / "bundle_v3_github.whl.sigstore")
    user_config(home, "[http]\nca-bundle = \"/nonexistent/ca.pem\"\nretries = 0\n")
    r = run_hwb("verify", SIGNED, "--signature", sig, "--certificate", cert,
                "--online", "--rekor-url", "https://127.0.0.1:1",
                "--repository", "trailofbits/rfc8785.py", "--workflow",
                "release.yml", cwd=tmp_path)
    assert r.returncode == 3 and "HWB-H002" in r.stderr, r
    assert events(home)[-1]["verified"] is False


def test_build_failure_records_started_and_failed(run_hwb, home, tmp_path):
    (tmp_path / "empty").mkdir()
    r = run_hwb("build", "empty", cwd=tmp_path)
    assert r.returncode == 3, r
    started, failed = events(home)
    assert started["event"] == "build.started" and started["source_dir"] == "empty"
    assert started["isolation"] == "sandbox"
    assert failed["event"] == "build.failed" and failed["code"].startswith("HWB-B")
