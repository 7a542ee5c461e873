# SPDX-License-Identifier: Apache-2.0
"""Escape test: a backend that never ends, ignoring SIGTERM, and leaves a
child behind that ignores it too."""
import os
import signal


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.fork()
    while True:
        pass


def build_sdist(sdist_directory, config_settings=None):
    return build_wheel(sdist_directory, config_settings)
