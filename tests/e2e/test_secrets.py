# SPDX-License-Identifier: Apache-2.0
"""Secrets never reach the terminal, JSON output or annotations: driven
through the hwb binary, one case per secret form the redactor knows."""
import json

import pytest

SECRETS = {
    "pypi": "pypi-AgEIcHlwaS5vcmcCJDAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMAAC",
    "ghp": "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
    "gho": "gho_" + "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2",
    "ghs": "ghs_" + "0123456789abcdefghijABCDEFGHIJ012345",
    "github_pat": "github_pat_11AAAAAAA0abcdefghijklmnop_qrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab",
    "glpat": "glpat-" + "xYz0123456789AbCdEfGh",
    "aws": "AKIA" + "IOSFODNN7EXAMPLE",
    "jwt": "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEyMyJ9.eyJzdWIiOiJyZXBvOm8vcjpyZWY6cmVmcy9oZWFkcy9tYWluIn0.c2lnbmF0dXJlLWJ5dGVz",
    "pem": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----",
}


def assert_clean(result, secret):
    for stream in (result.stdout, result.stderr):
        assert secret not in stream
        # No long fragment of it either (a partial leak is a leak).
        for part in secret.split("\n"):
            if len(part) >= 12:
                assert part[4:] not in stream


@pytest.mark.parametrize("form", sorted(SECRETS))
def test_secret_in_argv_is_refused_without_echo(run_hwb, form):
    secret = SECRETS[form]
    r = run_hwb("version", f"--format={secret}")
    assert r.returncode == 2
    assert "HWB-U007" in r.stderr
    assert_clean(r, secret)


@pytest.mark.parametrize("form", sorted(SECRETS))
def test_secret_in_argv_json_and_annotations(run_hwb, form):
    secret = SECRETS[form]
    r = run_hwb("version", "--format", "json", secret, env={"GITHUB_ACTIONS": "true"})
    assert r.returncode == 2
    assert r.stderr.startswith("::error::HWB-U007")
    assert_clean(r, secret)


def test_registered_value_is_redacted_in_json_error(run_hwb):
    # An unknown command echoes its name; a token-looking name is refused
    # before that, so nothing of it is printed.
    secret = SECRETS["pypi"]
    r = run_hwb(secret, "--format", "json")
    assert r.returncode == 2
    assert_clean(r, secret)
