/* SPDX-License-Identifier: Apache-2.0 */
/* cmd.h: the subcommands of hwb, one file each, dispatched from main.c. */
#pragma once

int cmd_attest(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_publish(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_trust(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_verify(int argc, char **argv);
