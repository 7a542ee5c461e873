# SPDX-License-Identifier: Apache-2.0
"""hwb verify on real Sigstore bundles, the sigstore-conformance cases (through
tests/conformance/client), policies, PEP 740 and the JSON report."""
import hashlib
import json
import os
import shutil
import subprocess

import pytest

from conftest import HWB, ROOT

DATA = ROOT / "testdata" / "sigstore"
REAL = DATA / "real"
CASES = DATA / "conformance" / "bundle-verify"
CLIENT = ROOT / "tests" / "conformance" / "client"
GH_ID = "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2"
GH_ISS = "https://token.actions.githubusercontent.com"
CONF_ID = ("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
           ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main")
WHEEL = REAL / "bundle_v3_github.whl"


def code(result):
    for word in result.stderr.split():
        if word.startswith("HWB-"):
            return word.rstrip(":")
    return None


def test_github_wheel_identity(run_hwb):
    r = run_hwb("verify", WHEEL, "--bundle", f"{WHEEL}.sigstore",
                "--cert-identity", GH_ID, "--cert-oidc-issuer", GH_ISS)
    assert r.returncode == 0, r
    assert "log index 79605083" in r.stdout


def test_github_wheel_repository_policy_json(run_hwb):
    r = run_hwb("verify", WHEEL, "--bundle", f"{WHEEL}.sigstore", "--repository",
                "trailofbits/rfc8785.py", "--workflow", "release.yml", "--ref",
                "refs/tags/v0.1.2", "--format", "json")
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.verify/1" and doc["verified"] == 1
    res = doc["results"][0]
    assert res["identity"] == GH_ID and res["issuer"] == GH_ISS
    assert res["log_index"] == 79605083 and res["integrated_time"] == 1710888076
    assert res["times"] == [{"source": "tlog", "time": "2024-03-19T22:41:16Z"}]
    assert res["sha256"] == "c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201"


@pytest.mark.parametrize("args,want", [
    (["--repository", "trailofbits/other", "--workflow", "release.yml"], "HWB-V023"),
    (["--repository", "trailofbits/rfc8785.py", "--workflow", "ci.yml"], "HWB-V023"),
    (["--repository", "trailofbits/rfc8785.py", "--workflow", "release.yml",
      "--ref", "refs/tags/v9"], "HWB-V023"),
    (["--cert-identity", GH_ID, "--cert-oidc-issuer", "https://accounts.google.com"], "HWB-V022"),
    (["--cert-identity", GH_ID + "x", "--cert-oidc-issuer", GH_ISS], "HWB-V021"),
    (["--cert-identity-regexp", "^https://github.com/evil/", "--cert-oidc-issuer", GH_ISS],
     "HWB-V021"),
    (["--staging", "--cert-identity", GH_ID, "--cert-oidc-issuer", GH_ISS], "HWB-V011"),
])
def test_github_wheel_wrong_policy(run_hwb, args, want):
    r = run_hwb("verify", WHEEL, "--bundle", f"{WHEEL}.sigstore", *args)
    assert r.returncode == 1, r
    assert code(r) == want, r


def test_identity_regexp(run_hwb):
    r = run_hwb("verify", WHEEL, "--bundle", f"{WHEEL}.sigstore", "--cert-identity-regexp",
                "^https://github.com/trailofbits/", "--cert-oidc-issuer-regexp", "githubusercontent")
    assert r.returncode == 0, r


def test_no_policy_is_refused(run_hwb):
    r = run_hwb("verify", WHEEL, "--bundle", f"{WHEEL}.sigstore")
    assert r.returncode == 2 and code(r) == "HWB-V007", r
    r = run_hwb("verify", WHEEL, "--cert-identity", GH_ID)
    assert r.returncode == 2 and code(r) == "HWB-V007", r


def test_staging_bundle(run_hwb):
    f = REAL / "bundle_v3.txt"
    r = run_hwb("verify", f, "--bundle", f"{f}.sigstore", "--staging", "--cert-identity",
                "william@yossarian.net", "--cert-oidc-issuer", "https://github.com/login/oauth")
    assert r.returncode == 0, r
    # the production root does not trust staging
    r = run_hwb("verify", f, "--bundle", f"{f}.sigstore", "--cert-identity",
                "william@yossarian.net", "--cert-oidc-issuer", "https://github.com/login/oauth")
    assert r.returncode == 1, r


@pytest.mark.parametrize("name,want", [
    ("bundle_cve_2022_36056", "HWB-V020"),
    ("bundle_invalid_version", "HWB-V003"),
    ("bundle_no_log_entry", "HWB-V005"),
])
def test_real_bundles_that_must_fail(run_hwb, name, want):
    f = REAL / f"{name}.txt"
    r = run_hwb("verify", f, "--bundle", f"{f}.sigstore", "--staging",
                "--cert-identity-regexp", ".", "--cert-oidc-issuer-regexp", ".")
    assert r.returncode == 1 and code(r) == want, r


def test_default_bundle_names_and_many_files(run_hwb, tmp_path):
    a = tmp_path / "a.whl"
    b = tmp_path / "b.whl"
    shutil.copy(WHEEL, a)
    shutil.copy(WHEEL, b)
    shutil.copy(f"{WHEEL}.sigstore", tmp_path / "a.whl.sigstore.json")
    shutil.copy(f"{WHEEL}.sigstore", tmp_path / "b.whl.sigstore")
    r = run_hwb("verify", a, b, "--repository", "trailofbits/rfc8785.py", "--workflow",
                "release.yml", "--format", "json")
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["verified"] == 2
    c = tmp_path / "c.whl"
    shutil.copy(WHEEL, c)
    r = run_hwb("verify", a, c, "--repository", "trailofbits/rfc8785.py", "--workflow",
                "release.yml", "--format", "json")
    assert r.returncode == 3 and code(r) == "HWB-V001", r
    doc = json.loads(r.stdout)
    assert doc["verified"] == 1 and doc["failed"] == 1
    assert doc["results"][1]["error"]["code"] == "HWB-V001"


def test_digest_only_artifact(run_hwb):
    digest = "sha256:c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201"
    r = run_hwb("verify", digest, "--bundle", f"{WHEEL}.sigstore", "--cert-identity", GH_ID,
                "--cert-oidc-issuer", GH_ISS)
    assert r.returncode == 0, r
    r = run_hwb("verify", digest.replace("c4e9", "c4e8"), "--bundle", f"{WHEEL}.sigstore",
                "--cert-identity", GH_ID, "--cert-oidc-issuer", GH_ISS)
    assert r.returncode == 1 and code(r) == "HWB-V019", r


def test_other_file_refused(run_hwb):
    r = run_hwb("verify", REAL / "bundle_v3.txt", "--bundle", f"{WHEEL}.sigstore",
                "--cert-identity", GH_ID, "--cert-oidc-issuer", GH_ISS)
    assert r.returncode == 1 and code(r) == "HWB-V019", r


def conformance_cases():
    return sorted(p.name for p in CASES.iterdir() if p.is_dir())


def test_conformance_selection_is_complete():
    assert len(conformance_cases()) == 34


@pytest.mark.parametrize("form", ["file", "digest"])
@pytest.mark.parametrize("case", conformance_cases())
def test_conformance_case(case, form):
    """Each case as the suite runs it, with the artifact as a file and as
    the protocol's sha256:<hex> digest form."""
    d = CASES / case
    args = [str(CLIENT), "verify-bundle", "--bundle", str(d / "bundle.sigstore.json")]
    if (d / "key.pub").exists():
        args += ["--key", str(d / "key.pub")]
    else:
        ident = (d / "identity").read_text().strip() if (d / "identity").exists() else CONF_ID
        iss = (d / "issuer").read_text().strip() if (d / "issuer").exists() else GH_ISS
        args += ["--certificate-identity", ident, "--certificate-oidc-issuer", iss]
    if (d / "trusted_root.json").exists():
        args += ["--trusted-root", str(d / "trusted_root.json")]
    artifact = d / "artifact" if (d / "artifact").exists() else CASES / "a.txt"
    if form == "digest":
        args.append("sha256:" + hashlib.sha256(artifact.read_bytes()).hexdigest())
    else:
        args.append(str(artifact))
    env = dict(os.environ, HWB_BIN=HWB)
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)
    if case.endswith("_fail"):
        assert p.returncode != 0, p.stderr
        assert "HWB-V" in p.stderr, p.stderr
    else:
        assert p.returncode == 0, p.stderr


def test_pep740_attestation(run_hwb):
    dist = DATA / "pep740" / "rfc8785-0.1.2-py3-none-any.whl"
    r = run_hwb("verify", "pypi", dist, "--staging", "--cert-identity", "william@yossarian.net",
                "--cert-oidc-issuer", "https://github.com/login/oauth", "--format", "json")
    assert r.returncode == 0, r
    res = json.loads(r.stdout)["results"][0]
    assert res["bundle"] == "v0.3 dsseEnvelope" and res["entry_kind"] == "dsse 0.0.1"
    # the GitHub publisher policy of PEP 740 refuses an e-mail identity
    r = run_hwb("verify", "pypi", dist, "--staging", "--repository", "trailofbits/rfc8785.py",
                "--workflow", "release.yml")
    assert r.returncode == 1 and code(r) == "HWB-V022", r
    r = run_hwb("verify", "pypi", dist, "--staging", "--google-email", "william@yossarian.net")
    assert r.returncode == 1 and code(r) == "HWB-V022", r


def test_pep740_provenance_and_file_name(run_hwb, tmp_path):
    src = DATA / "pep740" / "rfc8785-0.1.2-py3-none-any.whl"
    att = json.loads((DATA / "pep740" / (src.name + ".publish.attestation")).read_text())
    prov = tmp_path / "provenance.json"
    prov.write_text(json.dumps({"version": 1, "attestation_bundles": [{
        "publisher": {"kind": "GitHub", "repository": "o/r", "workflow": "release.yml"},
        "attestations": [att]}]}))
    policy = ["--staging", "--cert-identity", "william@yossarian.net",
              "--cert-oidc-issuer", "https://github.com/login/oauth"]
    # PEP 503 spelling differences of the project name are the same distribution
    same = tmp_path / "RFC8785-0.1.2-py3-none-any.whl"
    shutil.copy(src, same)
    r = run_hwb("verify", "pypi", same, "--provenance", prov, *policy)
    assert r.returncode == 0, r
    other = tmp_path / "rfc8785-0.1.3-py3-none-any.whl"
    shutil.copy(src, other)
    r = run_hwb("verify", "pypi", other, "--provenance", prov, *policy)
    assert r.returncode == 1 and code(r) == "HWB-V032", r
    r = run_hwb("verify", "pypi", REAL / "bundle_v3.txt", "--provenance", prov, *policy)
    assert r.returncode == 1 and code(r) == "HWB-V019", r


def test_usage_errors(run_hwb):
    r = run_hwb("verify", "--cert-identity", "x", "--cert-oidc-issuer", "y")
    assert r.returncode == 2, r
    r = run_hwb("verify", WHEEL, "--key", "k.pem", "--cert-identity", "x")
    assert r.returncode == 2 and code(r) == "HWB-V007", r
    r = run_hwb("verify", WHEEL, "--provenance", "p.json", "--repository", "o/r",
                "--workflow", "w.yml")
    assert r.returncode == 2, r
