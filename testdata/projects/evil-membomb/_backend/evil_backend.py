# SPDX-License-Identifier: Apache-2.0
"""Escape test: a memory bomb. It keeps 64 MiB blocks until allocation
fails; each block is touched so the memory is really used."""


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    hoard = []
    while True:
        hoard.append(b"\x01" * (64 << 20))


def build_sdist(sdist_directory, config_settings=None):
    return build_wheel(sdist_directory, config_settings)
