# SPDX-License-Identifier: Apache-2.0
"""The command line: help, version, usage errors and their exit statuses."""
import json


def test_version_text(run_hwb):
    r = run_hwb("version")
    assert r.returncode == 0
    assert r.stdout.startswith("hwb ")
    assert "OpenSSL 3" in r.stdout and "libgit2" in r.stdout


def test_version_json_has_schema(run_hwb):
    r = run_hwb("version", "--format", "json")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.version/1"
    assert set(doc["libraries"]) >= {"openssl", "libcurl", "libarchive", "jansson", "libgit2"}


def test_no_arguments_is_usage_error(run_hwb):
    r = run_hwb()
    assert r.returncode == 2
    assert "usage: hwb" in r.stderr


def test_help_lists_commands(run_hwb):
    r = run_hwb("--help")
    assert r.returncode == 0
    assert "version" in r.stdout and "Exit statuses" in r.stdout


def test_help_command(run_hwb):
    r = run_hwb("help", "version")
    assert r.returncode == 0
    assert "usage: hwb version" in r.stdout and "--format" in r.stdout


def test_unknown_command(run_hwb):
    r = run_hwb("frobnicate")
    assert r.returncode == 2
    assert "HWB-U006" in r.stderr and "frobnicate" in r.stderr


def test_unknown_option(run_hwb):
    r = run_hwb("version", "--bogus")
    assert r.returncode == 2
    assert "HWB-U001" in r.stderr


def test_bad_format_value(run_hwb):
    r = run_hwb("version", "--format", "yaml")
    assert r.returncode == 2
    assert "HWB-U004" in r.stderr


def test_usage_error_json(run_hwb):
    r = run_hwb("version", "--format", "json", "extra")
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.error/1"
    assert doc["error"]["code"] == "HWB-U005"
    assert doc["error"]["kind"] == "usage"


def test_github_annotations(run_hwb):
    r = run_hwb("frobnicate", env={"GITHUB_ACTIONS": "true"})
    assert r.returncode == 2
    assert r.stderr.startswith("::error::HWB-U006")
