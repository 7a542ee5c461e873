# SPDX-License-Identifier: Apache-2.0
"""The GitHub Action (action.yml), hwb's workflows and the example a Python
project copies: each validates against GitHub's syntax (@action-validator/cli,
pinned in tests/node), every `uses:` is pinned by the full commit of its
release tag with the tag in a comment (and that commit is the one recorded
below), their shell steps parse, and the action's command step assembles and
runs an hwb command."""
import json
import os
import re
import subprocess

import pytest
import yaml

from conftest import HWB, ROOT

VALIDATOR = ROOT / "tests" / "node" / "node_modules" / ".bin" / "action-validator"
FILES = [ROOT / "action.yml", *sorted((ROOT / ".github" / "workflows").glob("*.yml")),
         *sorted((ROOT / "examples").glob("*.yml"))]

# The commit each release tag points at, read with git from the repositories'
# mirrors (`git rev-parse vX.Y.Z^{commit}`) when the pins were chosen: the
# newest release of each action.
PINS = {
    ("actions/checkout", "v7.0.1"): "3d3c42e5aac5ba805825da76410c181273ba90b1",
    ("actions/upload-artifact", "v7.0.0"): "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
    ("actions/download-artifact", "v8.0.1"): "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
    ("actions/cache", "v5.0.5"): "27d5ce7f107fe9357f9df03efb73ab90386fccae",
}
# The example's own reference to hwb: a template whose owner the copying
# project fills in (and then pins like the others); nothing else is exempt.
TEMPLATE = {"examples/python-release.yml": {"OWNER/hwb@v1"}}

USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(\S+))?\s*$")
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[^@\s]+)?@([0-9a-f]{40})$")


def unpinned(text, exempt=()):
    """Problems with the `uses:` lines of a workflow or action text."""
    problems = []
    for n, line in enumerate(text.splitlines(), 1):
        m = USES.match(line)
        if not m:
            continue
        ref, tag = m.group(1).strip("'\""), m.group(2)
        if ref.startswith("./") or ref in exempt:
            continue
        pin = PINNED.match(ref)
        if not pin:
            problems.append(f"{n}: {ref} is not pinned by a full commit SHA")
        elif not tag or not re.fullmatch(r"v\d+\.\d+\.\d+", tag):
            problems.append(f"{n}: {ref} has no '# vX.Y.Z' release tag comment")
        elif PINS.get((ref.split("@")[0], tag)) != pin.group(1):
            problems.append(f"{n}: {ref} is not the commit of {tag} recorded in PINS")
    return problems


def uses_count(doc):
    steps = [s for job in (doc.get("jobs") or {}).values() for s in job.get("steps", [])]
    steps += (doc.get("runs") or {}).get("steps", [])
    return sum("uses" in s for s in steps)


def rel(path):
    return str(path.relative_to(ROOT))


@pytest.fixture(scope="module")
def validator():
    if not VALIDATOR.exists():
        if os.environ.get("CI"):
            pytest.fail("tests/node/node_modules is missing (make deps)")
        pytest.skip("tests/node/node_modules is missing (make deps)")
    return str(VALIDATOR)


@pytest.mark.parametrize("path", FILES, ids=rel)
def test_validates_and_pins_every_action(path, validator):
    r = subprocess.run([validator, path], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    text = path.read_text()
    assert unpinned(text, TEMPLATE.get(rel(path), ())) == []
    # every `uses:` of the parsed document went through the line check
    assert uses_count(yaml.safe_load(text)) == len(
        [line for line in text.splitlines() if USES.match(line)])


def test_the_checks_refuse(tmp_path, validator):
    assert unpinned("    - uses: actions/checkout@v4\n") == [
        "1: actions/checkout@v4 is not pinned by a full commit SHA"]
    assert unpinned("- uses: actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae\n")[0] \
        .endswith("has no '# vX.Y.Z' release tag comment")
    assert "not the commit of v5.0.4" in unpinned(
        "- uses: actions/cache@27d5ce7f107fe9357f9df03efb73ab90386fccae # v5.0.4\n")[0]
    assert unpinned("- uses: OWNER/hwb@v1\n")  # exempt in the example only
    assert unpinned("      - uses: ./\n") == []
    bad = tmp_path / "bad.yml"
    bad.write_text("name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n"
                   "    stepz:\n      - run: echo\n")
    assert subprocess.run([validator, bad], capture_output=True).returncode != 0


def test_permissions():
    release = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert release["permissions"] == {"id-token": "write", "contents": "write"}
    assert all("permissions" not in job for job in release["jobs"].values())
    example = yaml.safe_load((ROOT / "examples" / "python-release.yml").read_text())
    assert example["permissions"] == {}
    jobs = example["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["release"]["permissions"]["id-token"] == "write"
    assert jobs["release"]["environment"]["name"] == "pypi"
    assert jobs["release"]["needs"] == "build"
    build_steps = jobs["build"]["steps"]
    assert any("apparmor_restrict_unprivileged_userns=0" in s.get("run", "") for s in build_steps)
    hwb_step = [s for s in jobs["release"]["steps"] if "hwb" in s.get("uses", "")]
    assert hwb_step[0]["with"] == {"command": "release", "from": "dist"}


def run_blocks():
    for path in FILES:
        doc = yaml.safe_load(path.read_text())
        steps = [s for job in (doc.get("jobs") or {}).values() for s in job.get("steps", [])]
        steps += (doc.get("runs") or {}).get("steps", [])
        for step in steps:
            if "run" in step:
                yield rel(path), step.get("name", step["run"][:30]), step["run"]


def test_shell_steps_parse():
    blocks = list(run_blocks())
    assert len(blocks) >= 10
    for where, name, script in blocks:
        r = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
        assert r.returncode == 0, f"{where}: {name}: {r.stderr}"


def action_step(step_id):
    doc = yaml.safe_load((ROOT / "action.yml").read_text())
    return next(s for s in doc["runs"]["steps"] if s.get("id") == step_id)


def test_action_runs_the_command(tmp_path, home):
    step = action_step("run")
    out = tmp_path / "github_output"
    out.touch()
    project = tmp_path / "my project"
    project.mkdir()
    (project / "hwb.toml").write_text("[build]\ntimeout = 600\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8",
           "TMPDIR": str(tmp_path), "GITHUB_OUTPUT": str(out), "HWB": HWB,
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "allocator_may_return_null=1"),
           "IN_COMMAND": "doctor", "IN_SRCDIR": str(project), "IN_FROM": "",
           "IN_OUTDIR": "", "IN_REPOSITORY_URL": "", "IN_REPOSITORY": "",
           "IN_DRY_RUN": "false", "IN_SIGN": "false", "IN_NO_PUBLISH": "false",
           "IN_TRUSTED_ROOT": "", "IN_SIGNING_CONFIG": "", "IN_ARGS": " --format  json "}
    r = subprocess.run(["bash", "-c", step["run"]], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    config = [i for i in doc["items"] if i["name"] == "config"][0]
    # the directory with a space reached hwb as one argument
    assert config["detail"] == f"valid: {project / 'hwb.toml'}"
    env["IN_COMMAND"] = "rm"
    r = subprocess.run(["bash", "-c", step["run"]], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "::error title=hwb action::" in r.stdout
