# SPDX-License-Identifier: Apache-2.0
"""OIDC token sources end to end, through tests/tools/oidc-probe.c (the ASan
build of hwb_oidc_token_get). The first tests need nothing but the probe;
the network sources (GitHub Actions' endpoint, Google's metadata server,
the browser sign-in with PKCE, its out-of-band variant on a pty) run
against the local Sigstore stack (tests/e2e/sigstore_stack.py)."""
import base64
import fcntl
import hashlib
import json
import os
import re
import select
import subprocess
import termios
import time
import urllib.request

import pytest

from conftest import ROOT, TOOLS

PROBE = TOOLS / "oidc-probe"
SECRET_CANARY = "canary-0123456789abcdef-secret"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_jwt(**claims):
    """A token shaped like an issuer's (the probe checks claims, not the
    signature; Fulcio or PyPI would)."""
    payload = {"iss": "https://oauth2.sigstore.dev/auth", "aud": "sigstore",
               "sub": "u1", "email": "dev@example.test", "email_verified": True,
               "iat": int(time.time()), "exp": int(time.time()) + 300}
    payload.update(claims)
    header = b64(json.dumps({"alg": "ES256", "typ": "JWT"}).encode())
    return f"{header}.{b64(json.dumps(payload).encode())}.{b64(b'sig' * 20)}"


def base_env(**extra):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "allocator_may_return_null=1"),
        "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "halt_on_error=1"),
    }
    env.update(extra)
    return env


def probe(*args, env=None, input=None, timeout=60, **kw):
    return subprocess.run([str(PROBE), *map(str, args)], env=env or base_env(),
                          input=input, capture_output=True, text=True,
                          timeout=timeout, **kw)


def assert_no_token(proc, token):
    """Neither the token nor any of its three parts appears in the output."""
    for part in [token, *token.split(".")]:
        assert part not in proc.stdout
        assert part not in proc.stderr


def test_env_variable_source():
    token = unsigned_jwt()
    p = probe(env=base_env(SIGSTORE_ID_TOKEN=token))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["source"] == "environment variable"
    assert out["claims"]["identity"] == "dev@example.test"
    assert out["sha256"] == hashlib.sha256(token.encode()).hexdigest()
    assert_no_token(p, token)


def test_stdin_and_file_sources(tmp_path):
    token = unsigned_jwt(aud=["other", "pypi"])
    p = probe("--audience", "pypi", "--identity-token", "-", input=token + "\n")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["source"] == "standard input"
    assert json.loads(p.stdout)["claims"]["aud"] == "pypi"
    f = tmp_path / "token"
    f.write_text(token + "\n")
    p = probe("--audience", "pypi", "--identity-token", f)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["source"] == "--identity-token FILE"
    assert_no_token(p, token)


def test_refusals_name_the_rule_not_the_token():
    expired = unsigned_jwt(exp=1700000000)
    p = probe(env=base_env(SIGSTORE_ID_TOKEN=expired))
    assert p.returncode == 3
    assert "HWB-O007" in p.stderr
    assert "SIGSTORE_ID_TOKEN: the token expired at 2023-11-14T22:13:20Z" in p.stderr
    assert_no_token(p, expired)
    wrong = unsigned_jwt(aud="sigstore")
    p = probe("--audience", "pypi", env=base_env(PYPI_ID_TOKEN=wrong))
    assert p.returncode == 3
    assert 'the token is for audience "sigstore", not "pypi"' in p.stderr
    assert_no_token(p, wrong)


def test_github_actions_without_permission():
    p = probe(env=base_env(GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="push",
                           GITHUB_REPOSITORY="octo/sample"))
    assert p.returncode == 3
    assert "HWB-O012" in p.stderr
    assert "permissions: id-token: write" in p.stderr


def test_github_actions_fork_pull_request(tmp_path):
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"repo": {
        "full_name": "mallory/sample", "fork": True}}}}))
    p = probe(env=base_env(GITHUB_ACTIONS="true", GITHUB_EVENT_NAME="pull_request",
                           GITHUB_EVENT_PATH=str(event),
                           GITHUB_REPOSITORY="octo/sample"))
    assert p.returncode == 3
    assert "HWB-O013" in p.stderr
    assert "pull request from mallory/sample" in p.stderr


def test_no_source_at_all():
    p = probe("--audience", "pypi")
    assert p.returncode == 3
    assert "HWB-O011" in p.stderr and "PYPI_ID_TOKEN" in p.stderr


def test_interactive_without_browser_or_terminal():
    # A new session has no controlling terminal: /dev/tty cannot open.
    p = probe("--interactive", "--oauth-issuer", "https://issuer.invalid",
              start_new_session=True, stdin=subprocess.DEVNULL)
    assert p.returncode == 3
    assert "HWB-O020" in p.stderr


def test_plain_http_issuer_refused():
    p = probe("--interactive", "--oauth-issuer", "http://example.com/auth")
    assert p.returncode == 3
    assert "HWB-O015" in p.stderr


# ---- against the local Sigstore stack ----

try:
    import sigstore_stack  # noqa: F401  (registers nothing; the fixture is in conftest)
    HAVE_STACK = True
except ImportError:
    HAVE_STACK = False

needs_stack = pytest.mark.skipif(
    not HAVE_STACK, reason="tests/e2e/sigstore_stack.py (branch stack) has not landed yet")


@pytest.fixture
def stack(request):
    return request.getfixturevalue("sigstore_stack")


@needs_stack
def test_github_actions_endpoint(stack):
    env = base_env(GITHUB_ACTIONS="true", **stack.gha_env())
    p = probe(env=env)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["source"] == "GitHub Actions"
    c = out["claims"]
    assert c["iss"] == "https://token.actions.githubusercontent.com"
    assert c["aud"] == "sigstore"
    assert c["repository"] == "hwb-test/sample"
    assert c["identity"] == ("https://github.com/hwb-test/sample/.github/workflows/"
                             "release.yml@refs/tags/v1.0.0")
    # the audience travels URL-encoded
    p = probe("--audience", "pypi", env=env)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["claims"]["aud"] == "pypi"


@needs_stack
def test_github_actions_endpoint_refuses(stack):
    env = base_env(GITHUB_ACTIONS="true", **stack.gha_env())
    env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = SECRET_CANARY
    p = probe(env=env)
    assert p.returncode == 4
    assert "GitHub Actions OIDC" in p.stderr and "401" in p.stderr
    assert SECRET_CANARY not in p.stderr


@needs_stack
def test_google_metadata_server(stack):
    p = probe("--gcp-metadata-url", stack.info["gcp_metadata_url"])
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["source"] == "Google Cloud metadata server"
    assert out["claims"]["aud"] == "sigstore"
    assert out["claims"]["identity"]


def write_browser(tmp_path):
    """A browser stand-in: follows the issuer's redirect to hwb's localhost
    callback with curl, and records the environment it was given."""
    script = tmp_path / "browser.sh"
    script.write_text('#!/bin/sh\nenv > "$(dirname "$0")/browser.env"\n'
                      'exec curl -sSfL --max-time 30 -o /dev/null "$1"\n')
    script.chmod(0o755)
    return script


@needs_stack
def test_interactive_browser_flow(stack, tmp_path):
    browser = write_browser(tmp_path)
    env = base_env(BROWSER=str(browser), ACTIONS_ID_TOKEN_REQUEST_TOKEN=SECRET_CANARY,
                   TWINE_PASSWORD="pypi-" + "A" * 40)
    p = probe("--interactive", "--oauth-issuer", stack.info["oauth_issuer"],
              "--timeout", 60, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["source"] == "browser sign-in"
    assert out["claims"]["identity"] == "maintainer@example.test"
    assert out["claims"]["nonce"]
    assert "Opening the browser" in p.stderr and "code_challenge_method=S256" in p.stderr
    seen = (tmp_path / "browser.env").read_text()
    assert SECRET_CANARY not in seen and "TWINE_PASSWORD" not in seen
    assert "ACTIONS_ID_TOKEN_REQUEST_TOKEN" not in seen


@needs_stack
def test_interactive_browser_fails_falls_back_to_oob(stack):
    # BROWSER=/bin/false: no browser; without a terminal the OOB flow stops.
    p = probe("--interactive", "--oauth-issuer", stack.info["oauth_issuer"],
              "--timeout", 20, env=base_env(BROWSER="/bin/false"),
              start_new_session=True, stdin=subprocess.DEVNULL, timeout=60)
    assert p.returncode == 3
    assert "HWB-O020" in p.stderr


def controlling_tty(slave):
    def setup():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    return setup


@needs_stack
def test_interactive_out_of_band_on_a_pty(stack):
    """No BROWSER, no display: the URL is logged, the page shows the code,
    the code is typed into the terminal (a pty as controlling tty)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(
        [str(PROBE), "--interactive", "--oauth-issuer", stack.info["oauth_issuer"],
         "--timeout", "60"],
        env=base_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, preexec_fn=controlling_tty(slave), pass_fds=(slave,))
    os.close(slave)
    try:
        err = b""
        deadline = time.time() + 60
        url = None
        while url is None and time.time() < deadline:
            r, _, _ = select.select([proc.stderr], [], [], 1)
            if r:
                chunk = os.read(proc.stderr.fileno(), 4096)
                if not chunk:
                    break
                err += chunk
                m = re.search(rb"sign in: (\S+)", err)
                url = m and m.group(1).decode()
        assert url and "redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob" in url, err
        page = urllib.request.urlopen(url, timeout=30).read().decode()
        code = re.search(r'<code id="code">([^<]+)</code>', page).group(1)
        os.write(master, code.encode() + b"\n")
        out, rest = proc.communicate(timeout=60)
    finally:
        proc.kill() if proc.poll() is None else None
        os.close(master)
    assert proc.returncode == 0, err + rest
    result = json.loads(out)
    assert result["source"] == "browser sign-in"
    assert result["claims"]["identity"] == "maintainer@example.test"
    assert code not in (err + rest).decode()


@needs_stack
def test_stack_token_checks(stack):
    expired = stack.token("oauth", exp=int(time.time()) - 3600)
    p = probe(env=base_env(SIGSTORE_ID_TOKEN=expired))
    assert p.returncode == 3 and "HWB-O007" in p.stderr
    assert_no_token(p, expired)
    ccr = "gitlab.com/grp/proj//.gitlab-ci.yml@refs/tags/v1"
    gitlab = stack.token("gitlab", aud="pypi", sub="project_path:grp/proj",
                         project_path="grp/proj", ci_config_ref_uri=ccr)
    p = probe("--audience", "pypi", env=base_env(PYPI_ID_TOKEN=gitlab))
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["source"] == "environment variable"
    assert out["claims"]["identity"] == "https://" + ccr
    assert out["claims"]["repository"] == "grp/proj"
