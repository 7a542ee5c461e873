# SPDX-License-Identifier: Apache-2.0
"""make demo (tests/demo.sh): one release from source to a verified download.

1. Start the local Sigstore stack (tests/node/sigstore-stack.js: Fulcio,
   Rekor, a TSA and a simulated GitHub Actions OIDC endpoint) and the local
   index (tests/tools/pypi_server.py: PyPI's upload API, trusted publishing,
   PEP 740).
2. As the release job: lock the sample project's build requirements, then
   `hwb release` it with GITHUB_ACTIONS, ACTIONS_ID_TOKEN_REQUEST_* and
   GITHUB_STEP_SUMMARY set: build in the sandbox, check, sign, sign the
   provenance, PEP 740 attestations, trusted publishing.
3. As a downloader: `pip download` from the index, then the `hwb verify`
   commands the job summary shows (bundle), and `hwb verify pypi` of the
   provenance the index serves.
4. A short summary; the services stop whatever happened (finally)."""
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
from sigstore_stack import SigstoreStack, unavailable  # noqa: E402

HWB = os.environ.get("HWB", str(ROOT / "hwb"))
ISS = "https://token.actions.githubusercontent.com"
REPO, WORKFLOW = "hwb-test/sample", "release.yml"
WHEELHOUSE = "/usr/share/python-wheels"  # Debian's, for the build requirements


def stage(text):
    print(f"\n== {text}", flush=True)


class Index:
    """tests/tools/pypi_server.py, set up for trusted publishing from the
    stack's GitHub issuer: no API token, only minted tokens upload."""

    def __init__(self, store, stack):
        self.proc = subprocess.Popen(["/usr/bin/python3", str(ROOT / "tests/tools/pypi_server.py"),
                                      str(store)], stdout=subprocess.PIPE, text=True)
        self.base = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"
        self.url = f"{self.base}/legacy/"
        jwks = f"{stack.info['jwks_url']}?iss=" + urllib.parse.quote(ISS, safe="")
        self.post("/_control/config", {
            "api_tokens": [], "oidc": "enabled", "audience": "pypi",
            "issuers": {ISS: {"jwks_url": jwks}},
            "publishers": [{"repository": REPO, "workflow": WORKFLOW, "environment": "pypi"}],
            "trusted_root": str(stack.trusted_root)})

    def post(self, path, doc):
        req = urllib.request.Request(self.base + path, data=json.dumps(doc).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=10) as r:
            return r.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run(args, env=None, cwd=None, show=True):
    if show:
        print("$ " + " ".join(shlex.quote(str(a)) for a in args), flush=True)
    p = subprocess.run([str(a) for a in args], env=env, cwd=cwd, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    if show and p.stdout:
        print(p.stdout, end="" if p.stdout.endswith("\n") else "\n", flush=True)
    if p.returncode:
        raise SystemExit(f"demo: {args[0]} {args[1] if len(args) > 1 else ''} "
                         f"exited {p.returncode}")
    return p.stdout


def project(work, env):
    src = work / "project"
    shutil.copytree(ROOT / "testdata" / "projects" / "setuptools-sample", src)
    genv = dict(env, GIT_AUTHOR_DATE="2026-01-01T00:00:00Z",
                GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    git = ["git", "-C", src, "-c", "user.name=demo", "-c", "user.email=demo@example.invalid"]
    run(["git", "init", "-q", src], env=genv, show=False)
    run([*git, "add", "-A"], env=genv, show=False)
    run([*git, "commit", "-qm", "sample"], env=genv, show=False)
    run([HWB, "lock", src, "--find-links", WHEELHOUSE, "--python", "/usr/bin/python3"], env=env)
    run([*git, "add", "pylock.build.toml"], env=genv, show=False)
    run([*git, "commit", "-qm", "lock"], env=genv, show=False)
    return src


def release(work, stack, index, src, env):
    summary = work / "job-summary.md"
    genv = dict(env, GITHUB_ACTIONS="true", CI="true", GITHUB_STEP_SUMMARY=str(summary),
                HWB_BUILD_FIND_LINKS=WHEELHOUSE, HWB_BUILD_PYTHON="/usr/bin/python3",
                **stack.gha_env())
    run([HWB, "release", src, "--outdir", work / "dist", "--repository-url", index.url,
         "--trusted-root", stack.trusted_root, "--signing-config", stack.signing_config],
        env=genv)
    record = json.loads((work / "dist" / "release.json").read_text())
    if record["state"] != "complete":
        raise SystemExit("demo: release.json does not record a complete release")
    return record, summary.read_text()


def downloader(work, stack, index, record, summary):
    """The job summary's commands for the wheel, run as a downloader pastes
    them: pip download, the bundle's hwb verify, the provenance's curl and
    hwb verify pypi. Only the local stack's trust root is added, standing in
    for Sigstore's (and the bundle, which a release hands on beside it)."""
    dl = work / "download"
    dl.mkdir()
    block = summary.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    pip = shlex.split(block[0])
    run([sys.executable, "-m", "pip", *pip[1:], "--no-cache-dir", "--disable-pip-version-check"],
        cwd=dl)
    wheel = next(p for p in dl.iterdir() if p.name.endswith(".whl"))
    entry = next(f for f in record["files"] if f["filename"] == wheel.name)
    shutil.copy(entry["bundle"], dl / (wheel.name + ".sigstore.json"))
    verified = []
    for line in block[1:]:
        args = shlex.split(line)
        if wheel.name not in line:
            continue
        if args[0] == "hwb":
            run([HWB, *args[1:], "--trusted-root", stack.trusted_root], cwd=dl)
            verified.append("PEP 740 provenance" if args[2] == "pypi" else "Sigstore bundle")
        else:
            run(args, cwd=dl)
    if len(verified) != 2:
        raise SystemExit(f"demo: the job summary shows {len(verified)} verify command(s) "
                         "for the wheel, not the bundle's and the provenance's")
    return wheel, verified


def main():
    why = unavailable()
    if why:
        raise SystemExit(f"demo: the local Sigstore stack cannot run: {why}")
    keep = os.environ.get("DEMO_KEEP")
    work = pathlib.Path(keep) if keep else pathlib.Path(tempfile.mkdtemp(prefix="hwb-demo-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work / "home"),
           "LANG": "C.UTF-8"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    (work / "home").mkdir(exist_ok=True)
    stack = index = None
    try:
        stage("the local Sigstore stack and the local index (127.0.0.1)")
        stack = SigstoreStack(work / "stack").start()
        index = Index(work / "index", stack)
        print(f"Sigstore stack at {stack.info['base']}, index at {index.base}")
        stage("the sample project: a git repository, its build requirements locked")
        src = project(work, env)
        stage("hwb release, as a GitHub Actions job with id-token: write")
        record, summary = release(work, stack, index, src, env)
        stage("the job summary ($GITHUB_STEP_SUMMARY)")
        print(summary)
        stage("a downloader: pip download, then the job summary's hwb verify commands")
        wheel, verified = downloader(work, stack, index, record, summary)
        stage("summary")
        uploaded = [f["filename"] for f in record["files"] if f["upload"] == "uploaded"]
        print(f"released {record['name']} {record['version']} to {index.url}: "
              f"{len(uploaded)} files published ({', '.join(uploaded)})")
        print(f"signed by {record['signer']['identity']}")
        print(f"downloaded {wheel.name} with pip: {' and '.join(verified)} verified")
        print("demo: published and verified")
    finally:
        if index:
            index.stop()
        if stack:
            stack.stop()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
