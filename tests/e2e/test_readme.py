# SPDX-License-Identifier: Apache-2.0
"""README.md's examples, run as a newcomer would run them, against the local
Sigstore stack (sigstore_stack.py), a local TUF repository serving the
stack's trust root and signing config (tuf_repo.py) and the local index
(tests/tools/pypi_server.py).

The convention, which README.md states too:
- Every fenced ```sh block is an example that runs. Other blocks (```yaml,
  ```toml, plain ```) are shown only; every `hwb` command line in them must
  also be in a ```sh block, so no command is shown that is not run.
- A block runs with `bash -eo pipefail` in its world's directory, which holds
  `my-project/` (testdata/projects/setuptools-sample as a git repository),
  so a block about the project starts with `cd my-project`.
- A block whose first line is "# (GitHub Actions: ...)" runs as a GitHub
  Actions job with `id-token: write` (the stack's token endpoint).
- Addresses and placeholders stand for the local services (SUBST): PyPI and
  TestPyPI for the local index, Sigstore's OAuth issuer for the stack's,
  OWNER/REPO for the stack's GitHub repository; `hwb publish` and `hwb
  release` lines that name no index (PyPI, the default) get the local
  index's --repository-url; every command that signs takes the stack's trust
  from `hwb trust update` (the TUF cache), as a reader's would take
  Sigstore's. Standard input carries the
  API token (what a reader pastes at `read`); the laptop's browser sign-in
  is SIGSTORE_ID_TOKEN, a token of the stack for you@example.com.
- Each section that holds ```sh blocks runs in one of two worlds (WORLDS): a
  release workflow (trusted publishing only, then a downloader of what it
  published) or a laptop (an API token). A section not listed fails the test,
  so a new example cannot go unrun.
Build requirements come from Debian's wheelhouse (HWB_BUILD_FIND_LINKS): the
tests never reach the network."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import urllib.parse

import pytest

from conftest import HWB, ROOT
from pypi_index import TOKEN, Index
from tuf_repo import TufRepo, unavailable as tuf_unavailable

README = ROOT / "README.md"
SAMPLE = ROOT / "testdata" / "projects" / "setuptools-sample"
WHEELHOUSE = "/usr/share/python-wheels"
ISS = "https://token.actions.githubusercontent.com"
EMAIL = "you@example.com"

# Section title -> the world it runs in; the sections of a world run in
# README order.
WORLDS = {
    "In a release workflow (GitHub Actions)": "workflow",
    "As a downloader": "workflow",
    "On a laptop": "laptop",
    "hwb release": "laptop",
    "hwb build": "laptop",
    "hwb lock": "laptop",
    "hwb check": "laptop",
    "hwb sign and hwb attest": "laptop",
    "hwb verify": "laptop",
    "hwb publish": "laptop",
    "hwb trust": "laptop",
    "hwb doctor": "laptop",
    "hwb config": "laptop",
    "hwb version": "laptop",
}

FENCE = re.compile(r"^```([a-z]*)\n(.*?)^```$", re.M | re.S)


def sections():
    """[(title, [(info, code)])] in README order, by ## and ### headings."""
    text = README.read_text()
    out = []
    heads = list(re.finditer(r"^#{2,3} (.+)$", text, re.M))
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        blocks = [(m.group(1), m.group(2)) for m in FENCE.finditer(text, h.end(), end)]
        out.append((h.group(1).strip(), blocks))
    return out


def sh_blocks(world):
    return [(title, code) for title, blocks in sections() if WORLDS.get(title) == world
            for info, code in blocks if info == "sh"]


def hwb_lines(code):
    """The hwb command lines of a block (continuations joined, comments cut)."""
    joined = re.sub(r"\\\n\s*", " ", code)
    out = []
    for line in joined.splitlines():
        line = re.sub(r"\s+#.*$", "", line.strip())
        line = re.sub(r"^(- )?run: ", "", line)
        if line.startswith("hwb "):
            out.append(" ".join(line.split()))
    return out


def test_every_example_block_is_run_and_every_shown_command_is_in_one():
    run_lines, shown = set(), []
    for title, blocks in sections():
        for info, code in blocks:
            if info == "sh":
                assert title in WORLDS, f"README section {title!r} has a sh block no world runs"
                run_lines.update(hwb_lines(code))
            else:
                shown += hwb_lines(code)
    assert run_lines, "README.md has no sh example"
    missing = [line for line in shown if line not in run_lines]
    assert not missing, f"shown in README.md but never run (put them in a sh block): {missing}"
    # every command of `hwb --help` has an example
    helped = re.findall(r"^  ([a-z]+) ", subprocess.run([HWB, "--help"], capture_output=True,
                                                         text=True).stdout, re.M)
    assert helped
    for cmd in helped:
        assert any(line.startswith(f"hwb {cmd}") for line in run_lines), \
            f"README.md runs no example of hwb {cmd}"


class World:
    """A newcomer's machine: HOME, `hwb` on PATH, the local services named by
    the user's configuration, my-project/ to work on."""

    def __init__(self, tmp_path, stack, index, tuf):
        self.dir = tmp_path / "work"
        self.dir.mkdir()
        self.home = tmp_path / "home"
        (self.home / ".config" / "hwb").mkdir(parents=True)
        (self.home / ".config" / "hwb" / "config.toml").write_text(
            '[trust]\ntuf-url = "%s"\n' % tuf.url)
        bindir = tmp_path / "bin"
        bindir.mkdir()
        (bindir / "hwb").symlink_to(HWB)
        self.stack, self.index = stack, index
        self.env = {
            "PATH": f"{bindir}:/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8",
            "HWB_BUILD_FIND_LINKS": WHEELHOUSE, "HWB_BUILD_PYTHON": "/usr/bin/python3",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_CACHE_DIR": "1",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "allocator_may_return_null=1"),
            "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "halt_on_error=1"),
        }
        # The trust root and signing config of the stack, as `hwb trust
        # update` fetches Sigstore's: hwb sign and verify use them unasked.
        p = subprocess.run([HWB, "trust", "update", "--tuf-url", tuf.url, "--tuf-root",
                            tuf.dir / "repo" / "1.root.json"], env=self.env,
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        src = self.dir / "my-project"
        shutil.copytree(SAMPLE, src)
        genv = dict(self.env, GIT_AUTHOR_DATE="2026-01-01T00:00:00Z",
                    GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"],
                    ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "s"]):
            subprocess.run(cmd, cwd=src, check=True, env=genv, capture_output=True)
        self.subst = [
            ("--repository testpypi", f"--repository-url {index.url}"),
            ("https://test.pypi.org/simple/", f"{index.base}/simple/"),
            ("https://test.pypi.org/", f"{index.base}/"),
            ("https://oauth2.sigstore.dev/auth", stack.info["oauth_issuer"]),
            ("OWNER/REPO", "hwb-test/sample"),
        ]

    def run(self, title, code):
        script = code
        for a, b in self.subst:
            script = script.replace(a, b)
        script = re.sub(r"^(hwb (?:publish|release)\b(?:(?!--repository).)*?)$",
                        rf"\1 --repository-url {self.index.url}", script, flags=re.M)
        env = dict(self.env, SIGSTORE_ID_TOKEN=self.stack.token("oauth", email=EMAIL,
                                                                 sub="you"))
        if code.startswith("# (GitHub Actions"):
            env.pop("SIGSTORE_ID_TOKEN")
            env.update(self.stack.gha_env(), GITHUB_ACTIONS="true", CI="true")
        p = subprocess.run(["bash", "-eo", "pipefail", "-c", script],
                           cwd=self.dir, env=env, input=TOKEN + "\n", capture_output=True,
                           text=True, timeout=600)
        assert p.returncode == 0, (f"README section {title!r}, block:\n{code}\n"
                                   f"exit {p.returncode}\nstdout:\n{p.stdout}\n"
                                   f"stderr:\n{p.stderr}")
        return p


def run_world(name, world):
    """Runs the world's blocks in README order; returns the world."""
    blocks = sh_blocks(name)
    assert blocks, f"README.md has no sh block for the {name} world"
    for title, code in blocks:
        world.run(title, code)
    return world


def published(index):
    """The files of st-sample the index serves (its PEP 691 page)."""
    doc = json.loads(index.get("/simple/st-sample/", "application/vnd.pypi.simple.v1+json"))
    return sorted(f["filename"] for f in doc["files"])


@pytest.fixture
def tuf(tmp_path, sigstore_stack):
    why = tuf_unavailable()
    if why:
        pytest.skip(f"TUF repository: {why}")
    r = TufRepo(tmp_path / "tufrepo")
    r.init(targets={"trusted_root.json": pathlib.Path(sigstore_stack.trusted_root),
                    "signing_config.v0.2.json": pathlib.Path(sigstore_stack.signing_config)})
    r.start()
    yield r
    r.stop()


@pytest.fixture
def index(tmp_path):
    ix = Index(tmp_path / "index")
    yield ix
    ix.stop()


def test_release_workflow_then_a_downloader(tmp_path, sigstore_stack, index, tuf):
    """The workflow's steps publish the sample with trusted publishing and
    PEP 740 attestations; the downloader's commands fetch and verify it."""
    index.config(api_tokens=[], oidc="enabled", audience="pypi",
                 issuers={ISS: {"jwks_url": f"{sigstore_stack.info['jwks_url']}?iss="
                                + urllib.parse.quote(ISS, safe="")}},
                 publishers=[{"repository": "hwb-test/sample", "workflow": "release.yml",
                              "environment": "pypi"}],
                 trusted_root=str(sigstore_stack.trusted_root))
    run_world("workflow", World(tmp_path, sigstore_stack, index, tuf))
    assert published(index) == ["st-sample-1.2.0.tar.gz", "st_sample-1.2.0-py3-none-any.whl"]


def test_laptop_and_every_command(tmp_path, sigstore_stack, index, tuf):
    """The laptop's quick start (lock, build, check, sign, publish with an
    API token) and each command's example, in one session."""
    world = run_world("laptop", World(tmp_path, sigstore_stack, index, tuf))
    assert published(index) == ["st-sample-1.2.0.tar.gz", "st_sample-1.2.0-py3-none-any.whl"]
    project = world.dir / "my-project"
    assert (project / "pylock.build.toml").is_file()
    assert (project / "dist-signatures" / "st-sample-1.2.0.tar.gz.sigstore.json").is_file()
