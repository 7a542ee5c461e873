# SPDX-License-Identifier: Apache-2.0
"""End-to-end tests of configuration (`hwb config show|check`), the audit
log and atomic output, through the hwb binary and the test programs in
tests/tools/ that call the same library code."""
import json
import os
import re
import resource
import subprocess

import pytest

from conftest import ROOT, TOOLS

TOKEN = "pypi-AgEIcHlwaS5vcmcCJGE0ZjBlNzQ3LWJmYzUtNDk1Ni1hYjQ4NjFhYzNkZjcAAh"


@pytest.fixture
def project(tmp_path):
    p = tmp_path / "proj"
    p.mkdir()
    (p / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1.0"\n')
    return p


def user_config(home, text):
    d = home / ".config" / "hwb"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.toml").write_text(text)


def show(run_hwb, project, *extra, env=None):
    r = run_hwb("config", "show", "--format", "json", "--project", project, *extra, env=env)
    assert r.returncode == 0, r
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.config/1"
    return doc["settings"], r


def test_precedence_across_all_five_layers(run_hwb, project, home):
    (project / "pyproject.toml").write_text('[tool.hwb.build]\ntimeout = 100\n[tool.hwb.http]\nretries = 1\n')
    (project / "hwb.toml").write_text("[build]\ntimeout = 90\n")
    user_config(home, "[build]\ntimeout = 5000\n")
    env = {"HWB_BUILD_TIMEOUT": "4000"}

    s, _ = show(run_hwb, project, "--set", "build.timeout=60", env=env)
    assert (s["build.timeout"]["value"], s["build.timeout"]["source"]) == (60, "flag")
    assert s["build.timeout"]["origin"] == "--set"
    assert (s["http.retries"]["value"], s["http.retries"]["source"]) == (1, "pyproject")
    assert s["http.retries"]["origin"] == f"{project}/pyproject.toml:4:1"
    assert s["log.level"] == {"value": "info", "source": "default", "origin": "default",
                              "type": "choice", "trust": "any"}

    s, _ = show(run_hwb, project, env=env)
    assert (s["build.timeout"]["value"], s["build.timeout"]["origin"]) == (4000, "HWB_BUILD_TIMEOUT")

    s, _ = show(run_hwb, project)
    assert s["build.timeout"]["value"] == 5000
    assert s["build.timeout"]["origin"] == f"{home}/.config/hwb/config.toml:2:1"

    (home / ".config" / "hwb" / "config.toml").unlink()
    s, _ = show(run_hwb, project)
    assert (s["build.timeout"]["value"], s["build.timeout"]["source"]) == (90, "hwb.toml")

    (project / "hwb.toml").unlink()
    s, _ = show(run_hwb, project)
    assert (s["build.timeout"]["value"], s["build.timeout"]["source"]) == (100, "pyproject")


def test_xdg_config_home_is_honoured(run_hwb, project, tmp_path):
    xdg = tmp_path / "xdg"
    (xdg / "hwb").mkdir(parents=True)
    (xdg / "hwb" / "config.toml").write_text("[http]\nretries = 9\n")
    s, _ = show(run_hwb, project, env={"XDG_CONFIG_HOME": str(xdg)})
    assert s["http.retries"]["value"] == 9
    assert s["http.retries"]["origin"] == f"{xdg}/hwb/config.toml:2:1"


def test_both_project_files_warn_and_hwb_toml_wins(run_hwb, project):
    (project / "pyproject.toml").write_text("[tool.hwb.check]\nstrict = false\n")
    (project / "hwb.toml").write_text("[check]\nstrict = true\n")
    s, r = show(run_hwb, project)
    assert s["check.strict"]["value"] is True
    assert "warning: " in r.stderr and "hwb.toml wins" in r.stderr
    # Without [tool.hwb] in pyproject.toml there is nothing to warn about.
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    _, r = show(run_hwb, project)
    assert r.stderr == ""


def test_unknown_key_names_file_line_and_closest_key(run_hwb, project):
    (project / "hwb.toml").write_text("# build settings\n[build]\ntimout = 5\n")
    r = run_hwb("config", "check", cwd=project)
    assert r.returncode == 3, r
    assert ("hwb.toml:3:1: HWB-G002: unknown key 'build.timout' "
            "(fix: did you mean 'build.timeout'?)") in r.stderr
    r = run_hwb("config", "check", "--format", "json", cwd=project)
    assert r.returncode == 3
    err = json.loads(r.stdout)["error"]
    assert (err["code"], err["file"], err["line"], err["column"]) == ("HWB-G002", "hwb.toml", 3, 1)


def test_check_reports_valid_files(run_hwb, project, home):
    (project / "hwb.toml").write_text("[build]\ntimeout = 60\n")
    user_config(home, "[build]\npass-env = [\"CC\"]\n")
    r = run_hwb("config", "check", "--project", project, env={"HWB_HTTP_RETRIES": "2"})
    assert r.returncode == 0, r
    assert "configuration is valid" in r.stdout
    r = run_hwb("config", "check", "--format", "json", "--project", project)
    doc = json.loads(r.stdout)
    assert doc["schema"] == "hwb.config-check/1" and doc["valid"] is True
    assert [f["present"] for f in doc["files"]] == [True, True, True]


WEAKENING = [
    ("build", "pass-env", '["CC"]', "HWB_BUILD_PASS_ENV", "CC", "HWB-G006"),
    ("build", "allow-network", '["files.example.org"]', "HWB_BUILD_ALLOW_NETWORK",
     "files.example.org", "HWB-G006"),
    ("build", "isolation", '"none"', "HWB_BUILD_ISOLATION", "none", "HWB-G007"),
    ("build", "isolation", '"container"', "HWB_BUILD_ISOLATION", "container", "HWB-G007"),
    ("build", "timeout", "86400", "HWB_BUILD_TIMEOUT", "86400", "HWB-G007"),
    ("build.limits", "address-space", "68719476736", "HWB_BUILD_LIMITS_ADDRESS_SPACE",
     "68719476736", "HWB-G007"),
    ("build", "allow-url-requirements", "true", "HWB_BUILD_ALLOW_URL_REQUIREMENTS", "true",
     "HWB-G007"),
    ("build.container", "engine", '"docker"', "HWB_BUILD_CONTAINER_ENGINE", "docker",
     "HWB-G006"),
    ("build.container", "image", '"localhost/evil:1"', "HWB_BUILD_CONTAINER_IMAGE",
     "localhost/evil:1", "HWB-G006"),
    ("build.container", "runtime", '"/tmp/evil-runtime"', "HWB_BUILD_CONTAINER_RUNTIME",
     "/tmp/evil-runtime", "HWB-G006"),
    ("verify", "trusted-root", '["/etc/extra-root.json"]', "HWB_VERIFY_TRUSTED_ROOT",
     "/etc/extra-root.json", "HWB-G006"),
]


@pytest.mark.parametrize("where", ["pyproject.toml", "hwb.toml"])
@pytest.mark.parametrize("table,key,toml,var,envval,code", WEAKENING,
                         ids=[f"{w[1]}={w[4]}" for w in WEAKENING])
def test_weakening_refused_from_project_files(run_hwb, project, where, table, key, toml,
                                               var, envval, code):
    if where == "pyproject.toml":
        (project / where).write_text(f"[tool.hwb.{table}]\n{key} = {toml}\n")
    else:
        (project / where).write_text(f"[{table}]\n{key} = {toml}\n")
    r = run_hwb("config", "check", "--project", project)
    assert r.returncode == 3, r
    assert f"{where}:2:1: {code}: '{table}.{key}" in r.stderr
    assert f"set it in ~/.config/hwb/config.toml, {var} or a command-line flag" in r.stderr


@pytest.mark.parametrize("table,key,toml,var,envval,code", WEAKENING,
                         ids=[f"{w[1]}={w[4]}" for w in WEAKENING])
def test_weakening_accepted_from_user_env_and_flag(run_hwb, project, home, table, key, toml,
                                                   var, envval, code):
    name = f"{table}.{key}"
    user_config(home, f"[{table}]\n{key} = {toml}\n")
    s, _ = show(run_hwb, project)
    assert s[name]["source"] == "user"
    (home / ".config" / "hwb" / "config.toml").unlink()
    s, _ = show(run_hwb, project, env={var: envval})
    assert (s[name]["source"], s[name]["origin"]) == ("env", var)
    s, _ = show(run_hwb, project, "--set", f"{name}={envval}")
    assert s[name]["source"] == "flag"
    expected = json.loads(toml)
    assert s[name]["value"] == expected


def test_limits_may_be_tightened_by_the_project(run_hwb, project):
    (project / "hwb.toml").write_text(
        "[build]\ntimeout = 120\nisolation = \"sandbox\"\n"
        "[build.limits]\ncpu-seconds = 60\nprocesses = 32\nlog-size = 1048576\n"
        "[check]\nmax-member-size = 1048576\n")
    s, _ = show(run_hwb, project)
    assert s["build.timeout"]["value"] == 120
    assert s["build.limits.cpu-seconds"]["value"] == 60
    assert s["build.limits.processes"]["value"] == 32
    assert s["check.max-member-size"]["value"] == 1048576
    (project / "hwb.toml").write_text("[build.limits]\nprocesses = 1025\n")
    r = run_hwb("config", "check", "--project", project)
    assert r.returncode == 3
    assert "HWB-G007: 'build.limits.processes = 1025' raises the default limit 1024" in r.stderr


def test_type_errors_and_usage(run_hwb, project):
    (project / "hwb.toml").write_text('[build]\ntimeout = "soon"\n')
    r = run_hwb("config", "check", "--project", project)
    assert r.returncode == 3
    assert "hwb.toml:2:11: HWB-G001: 'build.timeout' must be an integer (found: string)" in r.stderr
    (project / "hwb.toml").unlink()
    r = run_hwb("config", "show", "--project", project, env={"HWB_CHECK_STRICT": "perhaps"})
    assert r.returncode == 3 and "HWB-G005: environment variable HWB_CHECK_STRICT" in r.stderr
    r = run_hwb("config", "show", "--project", project / "missing")
    assert r.returncode == 3 and "HWB-G009" in r.stderr
    assert run_hwb("config").returncode == 2
    assert run_hwb("config", "frobnicate").returncode == 2
    r = run_hwb("config", "show", "--set", "build.timeout")
    assert r.returncode == 2 and "KEY=VALUE" in r.stderr
    r = run_hwb("config", "show", "--project", project, "--set", "buld.timeout=5")
    assert r.returncode == 3 and "did you mean 'build.timeout'?" in r.stderr


def test_show_text_names_sources(run_hwb, project):
    (project / "hwb.toml").write_text("[build]\ntimeout = 30\n")
    r = run_hwb("config", "show", "--project", project, env={"HWB_HTTP_RETRIES": "4"})
    assert r.returncode == 0, r
    lines = {l.split("=")[0].strip(): l for l in r.stdout.splitlines() if not l.startswith("#")}
    assert lines["build.timeout"].split("#")[1].strip() == f"{project}/hwb.toml:2:1"
    assert lines["http.retries"].split("#")[1].strip() == "HWB_HTTP_RETRIES"
    assert lines["build.isolation"].split("#")[1].strip() == "default"


def test_example_documents_every_key_and_is_valid(run_hwb, project, home):
    s, _ = show(run_hwb, project)
    example = (ROOT / "hwb.toml.example").read_text()
    section = None
    documented = set()
    for line in example.splitlines():
        m = re.match(r"^\[([a-z.]+)\]$", line)
        if m:
            section = m.group(1)
        m = re.match(r"^# ([a-z-]+) = ", line)
        if m and section:
            documented.add(f"{section}.{m.group(1)}")
    assert documented == set(s), set(s) ^ documented
    # Uncommented, the example is a valid user configuration.
    user_config(home, re.sub(r"(?m)^# ([a-z-]+ = )", r"\1", example))
    r = run_hwb("config", "check", "--project", project)
    assert r.returncode == 0, r


def run_tool(name, *args, env=None, home=None, input=None, preexec_fn=None):
    e = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
         "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")}
    e.update(env or {})
    return subprocess.run([str(TOOLS / name), *map(str, args)], env=e,
                          input=input, capture_output=True, timeout=60,
                          preexec_fn=preexec_fn)


def test_audit_log_holds_no_secret(home, tmp_path):
    r = run_tool("audit-event", "publish.completed", "repository=https://upload.pypi.org/legacy/",
                 f"token={TOKEN}", f"command=hwb publish --password {TOKEN}", "files:=2",
                 "attested?=true", home=home)
    assert r.returncode == 0, r
    path = home / ".hwb" / "logs" / r.stdout.decode().strip().rsplit("/", 1)[1]
    assert re.fullmatch(r"audit-\d{4}-\d{2}-\d{2}\.jsonl", path.name)
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    text = path.read_text()
    assert TOKEN not in text and "pypi-Ag" not in text
    rec = json.loads(text)
    assert list(rec) == ["timestamp", "event", "repository", "token", "command", "files", "attested"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", rec["timestamp"])
    assert rec["timestamp"][:10] == path.name[6:16]
    assert rec["token"] == "[REDACTED]"
    assert rec["command"] == "hwb publish --password [REDACTED]"
    assert (rec["files"], rec["attested"]) == (2, True)
    # A second event appends a second line.
    assert run_tool("audit-event", "build.started", home=home).returncode == 0
    assert len(path.read_text().splitlines()) == 2


def test_audit_location_and_disabling(home, tmp_path):
    logs = tmp_path / "elsewhere"
    r = run_tool("audit-event", "wheel.checked", "file=demo.whl", home=home,
                 env={"HWB_AUDIT_DIR": str(logs)})
    assert r.returncode == 0, r
    assert len(list(logs.glob("audit-*.jsonl"))) == 1
    user_config(home, "[audit]\nenabled = false\n")
    r = run_tool("audit-event", "wheel.checked", home=home)
    assert r.returncode == 0 and r.stdout == b""
    assert not (home / ".hwb").exists()


def test_atomic_write_leaves_no_temp_file_on_failure(home, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    target = out / "big.bin"
    target.write_bytes(b"old")

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))

    r = run_tool("atomic-write", target, input=b"x" * (1 << 20), home=home,
                 preexec_fn=small_files)
    assert r.returncode == 3, r
    assert b"HWB-F002" in r.stderr and b"File too large" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["big.bin"]
    assert target.read_bytes() == b"old"

    # A directory in the way: the rename fails after the data was written.
    (out / "dir").mkdir()
    (out / "dir" / "keep").write_text("x")
    r = run_tool("atomic-write", out / "dir", input=b"data", home=home)
    assert r.returncode == 3 and b"HWB-F003" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["big.bin", "dir"]

    r = run_tool("atomic-write", target, input=b"new", home=home)
    assert r.returncode == 0, r
    assert target.read_bytes() == b"new"
    assert oct(target.stat().st_mode & 0o777) == "0o644"
