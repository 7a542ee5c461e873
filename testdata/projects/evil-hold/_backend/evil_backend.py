# SPDX-License-Identifier: Apache-2.0
"""Escape test: a backend that holds on. With -C mode=sleep it says
"evil-hold: ready" and then never ends (ignoring SIGTERM, with a child
that does the same), for the tests that kill or interrupt hwb. With
-C mode=memory it tries to hold -C mib=N MiB spread over -C children=K
processes and the sandbox's tmpfs mounts (/tmp and the home), each page
touched, and reports what it got; it exits 0 whatever happened, so only
hwb's own bound can stop the build. With -C mode=flood it prints -C mib=N
MiB of noise, then fails with a traceback whose last line names the real
error (-C marker=TEXT). With -C mode=disk it writes -C files=K files of
-C mib=N MiB each into its source copy, each under the file-size limit."""
import os
import signal
import sys
import time


def say(*a):
    print("evil-hold:", *a, flush=True)


def sleep_forever():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.fork()
    say("ready", os.getpid())
    while True:
        time.sleep(1)


def fill(path, mib):
    """Write up to mib MiB to path (a tmpfs); returns the MiB written."""
    done = 0
    try:
        with open(path, "wb") as f:
            for _ in range(mib):
                f.write(b"\x02" * (1 << 20))
                f.flush()
                done += 1
    except OSError as e:
        say(f"{path}: {e.__class__.__name__} after {done} MiB")
    return done


def hold(mib):
    """A child: hold mib MiB of touched memory, then wait to be ended."""
    block = bytearray(mib << 20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    say("child holds", mib, "MiB")
    time.sleep(3)
    os._exit(0)


def memory(settings):
    total = int(settings.get("mib", "512"))
    children = int(settings.get("children", "2"))
    share = total // (children + 2)
    got = fill("/tmp/fill", share) + fill(os.path.expanduser("~/fill"), share)
    pids = []
    for _ in range(children):
        pid = os.fork()
        if pid == 0:
            hold(share)
        pids.append(pid)
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if status == 0:
            got += share
        else:
            say("child ended with status", status)
    say("held", got, "of", total, "MiB")


def flood(settings):
    line = "evil-hold: noise " + "x" * 100 + "\n"
    for _ in range(int(settings.get("mib", "2")) * (1 << 20) // len(line)):
        sys.stdout.write(line)
    sys.stdout.flush()
    raise ValueError("the real error " + settings.get("marker", ""))


def disk(settings):
    mib, block = int(settings.get("mib", "100")), b"\x03" * (1 << 20)
    for i in range(int(settings.get("files", "6"))):
        with open(f"fill-{i}", "wb") as f:
            for _ in range(mib):
                f.write(block)
        say("wrote", (i + 1) * mib, "MiB")


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    settings = config_settings or {}
    if settings.get("mode") == "disk":
        disk(settings)
        sys.exit(0)
    if settings.get("mode") == "flood":
        flood(settings)
    if settings.get("mode") == "memory":
        memory(settings)
        sys.exit(0)
    sleep_forever()


def build_sdist(sdist_directory, config_settings=None):
    return build_wheel(sdist_directory, config_settings)
