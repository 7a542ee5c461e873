# SPDX-License-Identifier: Apache-2.0
"""hwb's TUF client (pkg/tuf, `hwb trust`) against repositories made with
tuf-js's models and served on 127.0.0.1: normal updates, root rotations,
delegations, the specification's attacks (each refused, the cache as it
was), interop with tuf-js's client, and the trust it gives hwb verify."""
import datetime
import hashlib
import json
import os
import shutil
import subprocess
import time

import pytest

from tuf_repo import NODE_DIR, ROOT, TARGETS, TufRepo, snapshot_tree, unavailable


@pytest.fixture
def repo(tmp_path):
    why = unavailable()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"TUF tests: {why}")
        pytest.skip(f"TUF tests: {why}")
    r = TufRepo(tmp_path / "tufrepo")
    yield r
    r.stop()


def cache_of(home, repo):
    return home / ".cache" / "hwb" / "tuf" / repo.cache_name


def update(run_hwb, repo, *extra, root="1.root.json"):
    return run_hwb("trust", "update", "--tuf-url", repo.url, "--tuf-root",
                   repo.dir / "repo" / root, "--format", "json", *extra)


def tufjs(repo, tmp_path, root="1.root.json"):
    p = subprocess.run(["node", str(NODE_DIR / "tuf-client.js"), repo.url,
                        str(repo.file(root)), str(tmp_path / "tufjs"), *TARGETS],
                       capture_output=True, text=True, timeout=120)
    return p


def cached_hashes(home, repo):
    d = cache_of(home, repo) / "targets"
    return {t: hashlib.sha256((d / t).read_bytes()).hexdigest() for t in TARGETS}


def iso(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_update_then_show_matches_tuf_js(run_hwb, repo, home, tmp_path):
    repo.init().start()
    r = update(run_hwb, repo)
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    assert doc["after"]["root"]["version"] == 1 and doc["after"]["targets"]["version"] == 1
    assert doc["before"]["timestamp"]["version"] == 0
    js = tufjs(repo, tmp_path)
    assert js.returncode == 0, js.stderr
    want = json.loads(js.stdout)
    assert cached_hashes(home, repo) == {t: want[t] for t in TARGETS}
    # metadata by version: N.snapshot.json and N.targets.json, HASH.NAME
    assert "1.snapshot.json" in repo.requests and "1.targets.json" in repo.requests
    assert any(x.startswith("targets/") and x.endswith(".trusted_root.json")
               and len(x.split("/")[1].split(".")[0]) in (64, 128) for x in repo.requests)
    show = run_hwb("trust", "show", "--tuf-url", repo.url, "--format", "json")
    assert show.returncode == 0, show
    s = json.loads(show.stdout)
    assert s["from_cache"] and s["tuf"]["timestamp"]["version"] == 1
    # nothing new: the same versions, no target downloaded again
    repo.requests.clear()
    r = update(run_hwb, repo, root="1.root.json")
    assert r.returncode == 0, r
    assert not [x for x in repo.requests if x.startswith("targets/")]


def test_root_rotations_thresholds_and_removed_keys(run_hwb, repo, home, tmp_path):
    repo.init().start()
    assert update(run_hwb, repo).returncode == 0
    # v2: three root keys, threshold 2 (signed by the old key and two new)
    # (and the key forms not in init: a compressed P-256 point, Ed25519 as PEM)
    repo.run({"op": "key", "name": "root2", "type": "ecdsa-compressed"},
             {"op": "key", "name": "root3", "type": "ed25519"},
             {"op": "root", "roles": {"root": {"keys": ["root1", "root2", "root3"], "threshold": 2}}},
             # v3: root1 removed; signed by 2 of v2's keys and 2 of its own
             {"op": "root", "roles": {"root": {"keys": ["root2", "root3"], "threshold": 2}},
              "sign": ["root2", "root3"]},
             # v4: new timestamp and targets keys, targets threshold 2
             {"op": "key", "name": "ts2", "type": "ed25519-pem"},
             {"op": "key", "name": "tg2", "type": "ed25519"},
             {"op": "root", "roles": {"timestamp": {"keys": ["ts2"], "threshold": 1},
                                      "targets": {"keys": ["tg1", "tg2"], "threshold": 2}}},
             {"op": "target", "name": "trusted_root.json", "content": "{\"v\": 2}"},
             {"op": "publish"})
    r = update(run_hwb, repo, root="1.root.json")
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    assert doc["before"]["root"]["version"] == 1 and doc["after"]["root"]["version"] == 4
    assert (cache_of(home, repo) / "targets" / "trusted_root.json").read_text() == "{\"v\": 2}"
    js = tufjs(repo, tmp_path)
    assert js.returncode == 0, js.stderr
    want = json.loads(js.stdout)
    assert want["root_version"] == 4
    assert cached_hashes(home, repo) == {t: want[t] for t in TARGETS}


def test_rotated_timestamp_key_discards_fast_forwarded_timestamp(run_hwb, repo, home):
    """5.3.11: after a compromise the attacker pushed timestamp version 1000;
    the repository rotates the timestamp key and starts again at 2."""
    repo.init().start()
    repo.run({"op": "timestamp", "version": 1000})
    assert update(run_hwb, repo).returncode == 0
    repo.run({"op": "key", "name": "ts2"},
             {"op": "root", "roles": {"timestamp": {"keys": ["ts2"], "threshold": 1}}},
             {"op": "targets"}, {"op": "snapshot"}, {"op": "timestamp", "version": 2})
    r = update(run_hwb, repo)
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["after"]["timestamp"]["version"] == 2


def test_expired_starting_root_is_fine_expired_final_root_is_not(run_hwb, repo, home):
    # like hwb's embedded roots: version 1 expired, version 2 valid
    repo.init(expires="2020-01-01T00:00:00Z").start()
    repo.run({"op": "root"}, {"op": "publish"})
    r = update(run_hwb, repo)
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["after"]["root"]["version"] == 2
    # a final root that has expired is a freeze attack
    repo.run({"op": "root", "expires": "2021-01-01T00:00:00Z"})
    before = snapshot_tree(cache_of(home, repo))
    r = update(run_hwb, repo, "--format", "text")
    assert r.returncode == 1 and "HWB-R005" in r.stderr and "3.root.json" in r.stderr, r
    assert snapshot_tree(cache_of(home, repo)) == before


def test_delegated_target_is_found_and_only_when_needed(run_hwb, repo, home, tmp_path):
    repo.init(targets={"trusted_root.json": "{\"top\": 1}"})
    repo.run({"op": "key", "name": "npm", "type": "ed25519"},
             {"op": "delegate", "role": "registry.npmjs.org", "keys": ["npm"],
              "paths": ["registry.npmjs.org/*"], "terminating": True},
             {"op": "key", "name": "cfg"},
             {"op": "delegate", "role": "configs", "keys": ["cfg"], "paths": ["signing_config*"]},
             repo.target_op("signing_config.v0.2.json", "{\"delegated\": 1}", role="configs"),
             repo.target_op("registry.npmjs.org/keys.json", "{}", role="registry.npmjs.org"),
             {"op": "publish"})
    repo.start()
    r = update(run_hwb, repo)
    assert r.returncode == 0, r
    d = cache_of(home, repo)
    assert (d / "targets" / "signing_config.v0.2.json").read_text() == "{\"delegated\": 1}"
    assert "1.configs.json" in repo.requests
    # the npm delegation does not cover the wanted paths: never fetched
    assert not [x for x in repo.requests if "registry.npmjs.org" in x]
    js = tufjs(repo, tmp_path)
    assert js.returncode == 0, js.stderr
    assert cached_hashes(home, repo) == {t: json.loads(js.stdout)[t] for t in TARGETS}


# ---- the attacks: each refused with its code, the cache as it was ----

def attack(run_hwb, repo, home, code, tmp_path=None, tufjs_refuses=True):
    before = snapshot_tree(cache_of(home, repo))
    r = update(run_hwb, repo, "--format", "text")
    assert r.returncode != 0 and code in r.stderr, r
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert snapshot_tree(cache_of(home, repo)) == before
    if tmp_path is not None and tufjs_refuses:
        assert tufjs(repo, tmp_path).returncode != 0
    return r


@pytest.fixture
def updated(run_hwb, repo, home):
    repo.init().start()
    r = update(run_hwb, repo)
    assert r.returncode == 0, r
    return repo


def test_attack_root_rollback(run_hwb, updated, home, tmp_path):
    repo = updated
    repo.run({"op": "root"})
    assert update(run_hwb, repo).returncode == 0
    # 3.root.json replays version 2 (validly signed, out of sequence)
    shutil.copy(repo.file("2.root.json"), repo.file("3.root.json"))
    r = attack(run_hwb, repo, home, "HWB-R004")
    assert "3.root.json" in r.stderr


def test_attack_timestamp_rollback(run_hwb, updated, home, tmp_path):
    repo = updated
    old = repo.file("timestamp.json").read_bytes()
    repo.run({"op": "publish"})
    assert update(run_hwb, repo).returncode == 0
    repo.file("timestamp.json").write_bytes(old)
    attack(run_hwb, repo, home, "HWB-R006")


def test_attack_snapshot_rollback(run_hwb, updated, home, tmp_path):
    repo = updated
    repo.run({"op": "publish"})
    assert update(run_hwb, repo).returncode == 0
    # a validly signed snapshot that lists targets.json version 1 again
    repo.run({"op": "snapshot", "meta": {"targets.json": 1}}, {"op": "timestamp"})
    attack(run_hwb, repo, home, "HWB-R009")


def test_attack_targets_rollback(run_hwb, updated, home, tmp_path):
    repo = updated
    repo.run({"op": "publish"})
    assert update(run_hwb, repo).returncode == 0
    # the snapshot lists version 3 (no hashes); 3.targets.json is version 2
    shutil.copy(repo.file("2.targets.json"), repo.file("3.targets.json"))
    repo.run({"op": "snapshot", "meta": {"targets.json": 3}}, {"op": "timestamp"})
    r = attack(run_hwb, repo, home, "HWB-R008", tmp_path)
    assert "3.targets.json" in r.stderr


@pytest.mark.parametrize("role", ["timestamp", "snapshot", "targets"])
def test_attack_freeze(run_hwb, updated, home, tmp_path, role):
    repo = updated
    ops = [{"op": "targets"}, {"op": "snapshot", "hashes": True}, {"op": "timestamp"}]
    for op in ops:
        if op["op"] == role:
            op["expires"] = iso(-3600)
    repo.run(*ops)
    attack(run_hwb, repo, home, "HWB-R005", tmp_path)


def test_attack_mix_and_match(run_hwb, updated, home, tmp_path):
    repo = updated
    repo.run({"op": "publish"})
    # the timestamp lists 2.snapshot.json by hash; serve version 1's bytes
    shutil.copy(repo.file("1.snapshot.json"), repo.file("2.snapshot.json"))
    attack(run_hwb, repo, home, "HWB-R007", tmp_path)


def test_attack_too_few_signatures(run_hwb, updated, home, tmp_path):
    repo = updated
    repo.run({"op": "key", "name": "tg2"},
             {"op": "root", "roles": {"targets": {"keys": ["tg1", "tg2"], "threshold": 2}}},
             {"op": "targets", "sign": ["tg1"]}, {"op": "snapshot"}, {"op": "timestamp"})
    r = attack(run_hwb, repo, home, "HWB-R003", tmp_path)
    assert "1 valid signature" in r.stderr and "2 required" in r.stderr


def test_attack_duplicated_signature_counts_once(run_hwb, updated, home, tmp_path):
    repo = updated
    repo.run({"op": "key", "name": "tg2"},
             {"op": "root", "roles": {"targets": {"keys": ["tg1", "tg2"], "threshold": 2}}},
             {"op": "targets", "sign": ["tg1"]})
    # the one valid signature listed twice: still one key
    doc = json.loads(repo.file("2.targets.json").read_text())
    doc["signatures"] = doc["signatures"] * 2
    repo.file("2.targets.json").write_text(json.dumps(doc))
    repo.run({"op": "snapshot"}, {"op": "timestamp"})
    attack(run_hwb, repo, home, "HWB-R003", tmp_path)


@pytest.mark.parametrize("change", ["hash", "length"])
def test_attack_wrong_target(run_hwb, repo, home, tmp_path, change):
    repo.init().start()
    for f in repo.file("targets").iterdir():
        if f.name.endswith(".trusted_root.json"):
            data = f.read_bytes()
            f.write_bytes(data[:-1] + b"X" if change == "hash" else data + b" ")
    cache_of(home, repo).mkdir(parents=True)
    r = attack(run_hwb, repo, home, "HWB-R011", tmp_path)
    assert "trusted_root.json" in r.stderr
    assert not (cache_of(home, repo) / "root.json").exists()


def test_attack_endless_data(run_hwb, updated, home):
    repo = updated
    repo.hooks["timestamp.json"] = "endless"
    t = time.monotonic()
    r = attack(run_hwb, repo, home, "HWB-R012")
    assert "16384" in r.stderr and time.monotonic() - t < 30


def test_attack_slow_answer_is_cut_off(run_hwb, updated, home):
    """A slow retrieval (a byte every 0.3 s) ends at the download time limit
    (http.timeout, which TUF downloads cap at 30 s), and nothing is kept."""
    repo = updated
    repo.run({"op": "publish"})
    cfg = home / ".config" / "hwb"
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text("[http]\ntimeout = 2\nretries = 0\n")
    repo.hooks["timestamp.json"] = "slow"
    start = time.monotonic()
    attack(run_hwb, repo, home, "HWB-H004")
    assert time.monotonic() - start < 20


def test_attack_repository_changes_between_requests(run_hwb, updated, home, tmp_path):
    """The timestamp is read, then the repository is rewritten under the
    same version numbers: the snapshot no longer matches the timestamp."""
    repo = updated
    repo.run({"op": "publish"})
    shadow = TufRepo(tmp_path / "shadow")
    shutil.copytree(repo.dir, shadow.dir)
    shadow.run({"op": "targets", "version": 2}, {"op": "snapshot", "version": 2, "expires": "+9"})
    repo.hooks["timestamp.json"] = lambda: shutil.copy(shadow.file("2.snapshot.json"),
                                                       repo.file("2.snapshot.json"))
    attack(run_hwb, repo, home, "HWB-R007")


def test_concurrent_updates_share_the_cache(run_hwb, repo, home):
    repo.init().start()
    env = dict(os.environ, HOME=str(home))
    cmd = [os.environ.get("HWB_BIN"), "trust", "update", "--tuf-url", repo.url,
           "--tuf-root", str(repo.file("1.root.json")), "--quiet"]
    procs = [subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read()
    show = json.loads(run_hwb("trust", "show", "--tuf-url", repo.url, "--format", "json").stdout)
    assert show["from_cache"]


def test_bad_combinations(run_hwb, tmp_path):
    r = run_hwb("trust", "update", "--tuf-root", tmp_path / "x.json")
    assert r.returncode == 2 and "HWB-R014" in r.stderr
    r = run_hwb("trust", "update", "--tuf-url", "http://example.test/tuf")
    assert r.returncode == 2 and "HWB-R014" in r.stderr and "https" in r.stderr
    r = run_hwb("trust", "update", "--tuf-url", "http://127.0.0.1:9/")
    assert r.returncode == 2 and "--tuf-root" in r.stderr
    r = run_hwb("trust", "frobnicate")
    assert r.returncode == 2


WHEEL = ROOT / "testdata" / "sigstore" / "real" / "bundle_v3_github.whl"
GH_POLICY = ["--cert-identity", "https://github.com/trailofbits/rfc8785.py/.github/workflows/"
             "release.yml@refs/tags/v0.1.2",
             "--cert-oidc-issuer", "https://token.actions.githubusercontent.com"]


def test_embedded_roots_are_the_trust_anchors(run_hwb, home):
    """Without a cache, show reports the embedded copies (no network), and
    reading for a cache that is not there creates nothing."""
    for flags in ([], ["--staging"]):
        r = run_hwb("trust", "show", *flags, "--format", "json")
        assert r.returncode == 0, r
        doc = json.loads(r.stdout)
        assert not doc["from_cache"]
        assert doc["repository"].endswith("sigstage.dev" if flags else "sigstore.dev")
    r = run_hwb("verify", WHEEL, "--bundle", f"{WHEEL}.sigstore", *GH_POLICY)
    assert r.returncode == 0, r
    assert not (home / ".cache").exists()  # (verify keeps its audit log in ~/.hwb)


def test_damaged_cache_is_reported_and_repaired(run_hwb, updated, home):
    """A read checks that the cache is one intact update (load.c): each kind
    of damage is HWB-R015, the embedded copy is used, an update repairs."""
    repo, cache = updated, cache_of(home, updated)
    old_ts = (cache / "timestamp.json").read_bytes()
    repo.run({"op": "publish"})
    assert update(run_hwb, repo).returncode == 0
    good = {p: p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    target = cache / "targets" / "trusted_root.json"
    damage = {
        "a changed target file": (target, target.read_bytes().replace(b"1", b"2")),
        "a truncated snapshot": (cache / "snapshot.json", good[cache / "snapshot.json"][:100]),
        "an empty targets file": (cache / "targets.json", b""),
        "the timestamp of the previous update": (cache / "timestamp.json", old_ts),
    }
    for what, (path, data) in damage.items():
        path.write_bytes(data)
        r = run_hwb("trust", "show", "--tuf-url", repo.url, "--format", "json")
        assert r.returncode == 0, r
        assert not json.loads(r.stdout)["from_cache"], what
        assert "HWB-R015" in r.stderr and "built into hwb" in r.stderr, (what, r.stderr)
        assert update(run_hwb, repo).returncode == 0, what
        r = run_hwb("trust", "show", "--tuf-url", repo.url, "--format", "json")
        assert json.loads(r.stdout)["from_cache"] and not r.stderr, (what, r)
        assert path.read_bytes() == good[path], what


# ---- the age warnings, at other dates (libfaketime) ----

def run_at(home, when, *args):
    """hwb with the clock at when (a datetime, UTC); file times stay true."""
    if not shutil.which("faketime"):
        if os.environ.get("CI"):
            pytest.fail("faketime is not installed (tests/deps.sh installs it)")
        pytest.skip("faketime is not installed (run make deps)")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "TZ": "UTC",
           "LANG": "C.UTF-8", "NO_FAKE_STAT": "1",
           # libfaketime is preloaded before the ASan runtime
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"}
    return subprocess.run(["faketime", when.strftime("%Y-%m-%d %H:%M:%S"),
                           os.environ.get("HWB_BIN", str(ROOT / "hwb")), *map(str, args)],
                          env=env, capture_output=True, text=True, timeout=120)


def test_embedded_copy_age_warning(run_hwb, home):
    """The embedded copy's age counts from CLI_TRUST_EMBEDDED_DATE (kept with
    the files by tests/unit/test_trust_embedded.c): a warning after 30 days."""
    doc = json.loads(run_hwb("trust", "show", "--format", "json").stdout)
    taken = datetime.datetime.strptime(doc["embedded_date"], "%Y-%m-%dT%H:%M:%SZ")
    r = run_at(home, taken + datetime.timedelta(days=29, hours=23), "trust", "show")
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr
    r = run_at(home, taken + datetime.timedelta(days=31, hours=1), "trust", "show")
    assert r.returncode == 0, r.stderr
    assert "built into hwb, taken 31 days ago" in r.stderr
    assert "hwb trust update" in r.stderr
    r = run_at(home, taken + datetime.timedelta(days=400), "verify", WHEEL, "--bundle",
               f"{WHEEL}.sigstore", *GH_POLICY)
    assert r.returncode == 0 and "taken 400 days ago" in r.stderr, r.stderr


def test_cache_age_warning(run_hwb, repo, home):
    repo.init().start()
    repo.run({"op": "timestamp", "expires": "+60"})
    assert update(run_hwb, repo).returncode == 0
    now = datetime.datetime.utcnow()
    args = ("trust", "show", "--tuf-url", repo.url)
    r = run_at(home, now + datetime.timedelta(days=29), *args)
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr
    r = run_at(home, now + datetime.timedelta(days=31, hours=1), *args)
    assert "last updated 31 days ago" in r.stderr and "hwb trust update" in r.stderr, r.stderr
    r = run_at(home, now + datetime.timedelta(days=61), *args)
    assert "expired" in r.stderr and "hwb trust update" in r.stderr, r.stderr


# ---- the trust it gives hwb verify and hwb sign ----

EMAIL = "maintainer@example.test"


@pytest.fixture
def stack_repo(repo, sigstore_stack, home):
    """A repository whose targets are the local Sigstore stack's trusted
    root and signing config, named by trust.tuf-url in the user config."""
    from pathlib import Path
    repo.init(targets={"trusted_root.json": Path(sigstore_stack.trusted_root),
                       "signing_config.v0.2.json": Path(sigstore_stack.signing_config)}).start()
    cfg = home / ".config" / "hwb"
    cfg.mkdir(parents=True)
    (cfg / "config.toml").write_text('[trust]\ntuf-url = "%s"\n' % repo.url)
    return repo


def signed_file(run_hwb, stack, tmp_path):
    f = tmp_path / "artifact.txt"
    f.write_text("hello TUF\n")
    token = stack.token("oauth", email=EMAIL, sub="maintainer")
    r = run_hwb("sign", f, "--identity-token", "-", "--trusted-root", stack.trusted_root,
                "--signing-config", stack.signing_config, input=token)
    assert r.returncode == 0, r
    return f


def test_verify_trusts_the_updated_root_only_after_update(run_hwb, stack_repo, sigstore_stack,
                                                          home, tmp_path):
    f = signed_file(run_hwb, sigstore_stack, tmp_path)
    policy = ["--cert-identity", EMAIL, "--cert-oidc-issuer", sigstore_stack.info["oauth_issuer"]]
    r = run_hwb("verify", f, *policy)
    assert r.returncode == 1, r  # the embedded root does not know the stack's CA
    r = update(run_hwb, stack_repo)
    assert r.returncode == 0, r
    r = run_hwb("verify", f, *policy)
    assert r.returncode == 0, r
    assert "verified" in r.stdout and "warning" not in r.stderr.lower(), r
    # --trusted-root bypasses TUF: the production root refuses again
    prod = ROOT / "pkg" / "sign" / "trust" / "production" / "trusted_root.json"
    assert run_hwb("verify", f, *policy, "--trusted-root", prod).returncode == 1


def test_verify_update_trust_and_expiry_warning(run_hwb, stack_repo, sigstore_stack, home,
                                                tmp_path):
    f = signed_file(run_hwb, sigstore_stack, tmp_path)
    policy = ["--cert-identity", EMAIL, "--cert-oidc-issuer", sigstore_stack.info["oauth_issuer"]]
    stack_repo.run({"op": "timestamp", "expires": iso(2)})
    assert update(run_hwb, stack_repo).returncode == 0
    time.sleep(3)
    stack_repo.requests.clear()
    r = run_hwb("verify", f, *policy)
    assert r.returncode == 0, r
    assert "expired" in r.stderr and "hwb trust update" in r.stderr
    assert not stack_repo.requests  # offline by default
    stack_repo.run({"op": "timestamp"})
    r = run_hwb("verify", f, *policy, "--update-trust")
    assert r.returncode == 0 and "expired" not in r.stderr, r
    assert "timestamp.json" in stack_repo.requests
    r = run_hwb("verify", f, *policy, "--update-trust", "--offline")
    assert r.returncode == 2


def test_sign_refreshes_stale_trust_and_falls_back(run_hwb, stack_repo, sigstore_stack, home,
                                                   tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("a\n")
    token = sigstore_stack.token("oauth", email=EMAIL, sub="maintainer")
    stack_repo.run({"op": "timestamp", "expires": iso(2)})
    assert update(run_hwb, stack_repo).returncode == 0
    time.sleep(3)
    stack_repo.run({"op": "timestamp"})
    stack_repo.requests.clear()
    # the cached timestamp expired: sign refreshes, then signs with the
    # stack's services that the cached signing config names
    r = run_hwb("sign", f, "--identity-token", "-", input=token)
    assert r.returncode == 0, r
    assert "timestamp.json" in stack_repo.requests
    # fresh cache: no refresh
    stack_repo.requests.clear()
    assert run_hwb("sign", f, "--identity-token", "-", input=token).returncode == 0
    assert not stack_repo.requests
    # expired again and the repository gone: --offline never tries; else
    # a warning, and the cache is used
    stack_repo.run({"op": "timestamp", "expires": iso(2)})
    assert update(run_hwb, stack_repo).returncode == 0
    time.sleep(3)
    stack_repo.stop()
    r = run_hwb("sign", f, "--identity-token", "-", "--offline", input=token)
    assert r.returncode == 0 and "HWB-H004" not in r.stderr, r
    r = run_hwb("sign", f, "--identity-token", "-", input=token)
    assert r.returncode == 0, r
    assert "HWB-H004" in r.stderr and "cached" in r.stderr, r
