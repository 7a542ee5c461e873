/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: hwb's entry point. It finds the subcommand in one table and hands
 * it argv; each subcommand parses its own options and reports its errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "pkg/core/log.h"

struct hwb_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct hwb_command commands[] = {
	{ "attest", cmd_attest, "sign in-toto attestations and PEP 740 attestations" },
	{ "build", cmd_build, "build an sdist and a wheel in a sandbox (PEP 517)" },
	{ "check", cmd_check, "validate wheels and sdists (zip, RECORD, metadata)" },
	{ "config", cmd_config, "show or check the configuration" },
	{ "doctor", cmd_doctor, "check that this machine can build, sign and release" },
	{ "lock", cmd_lock, "pin the build requirements by hash (pylock.build.toml)" },
	{ "publish", cmd_publish, "upload wheels and sdists to PyPI (trusted publishing, PEP 740)" },
	{ "sign", cmd_sign, "sign files with Sigstore (keyless: OIDC, Fulcio, Rekor)" },
	{ "trust", cmd_trust, "refresh or show the Sigstore trust root (TUF)" },
	{ "version", cmd_version, "print versions of hwb and its libraries" },
	{ "verify", cmd_verify, "verify Sigstore signatures and PEP 740 attestations offline" },
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static const struct hwb_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < COMMAND_COUNT; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: hwb COMMAND [OPTIONS] [ARGS]\n\n"
		     "hwb takes a Python project from source to a signed, "
		     "published release.\n\ncommands:\n");
	for (i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\nRun 'hwb help COMMAND' for a command's options.\n"
		     "Exit statuses: 0 ok, 1 check/verification/policy failed, "
		     "2 usage,\n3 configuration or environment, 4 network or "
		     "service, 5 build failed,\n130 interrupted (SIGINT), 143 "
		     "terminated (SIGTERM).\n");
}

static int unknown_command(const char *name)
{
	struct hwb_error err = HWB_ERROR_INIT;

	hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U006",
		      "'%s' is not an hwb command", name);
	hwb_error_hint(&err, "run 'hwb --help' for the list");
	return cli_report(NULL, &err);
}

/*
 * A token on the command line is visible to every user through ps and
 * /proc, and lands in shell history: refuse it before anything runs. The
 * message names the argument's position, never its value.
 */
static int refuse_secret_arguments(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	int i;

	for (i = 1; i < argc; i++) {
		if (!hwb_redact_contains_secret(argv[i], strlen(argv[i])))
			continue;
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U007",
			      "argument %d looks like a secret (token or "
			      "private key); secrets are never taken from the "
			      "command line", i);
		hwb_error_hint(&err, "pass it in the environment variable or "
				     "on standard input the command documents");
		return cli_report(NULL, &err);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct hwb_command *cmd;
	char *help_argv[3];
	int rc;

	if ((rc = refuse_secret_arguments(argc, argv)))
		return rc;
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? HWB_KIND_USAGE : 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(1, argv + 1);
	if (!strcmp(argv[1], "help")) {
		if (argc < 3) {
			print_usage(stdout);
			return 0;
		}
		if (!(cmd = find_command(argv[2])))
			return unknown_command(argv[2]);
		help_argv[0] = argv[2];
		help_argv[1] = "--help";
		help_argv[2] = NULL;
		return cmd->run(2, help_argv);
	}
	if (!(cmd = find_command(argv[1])))
		return unknown_command(argv[1]);
	rc = cmd->run(argc - 1, argv + 1);
	hwb_redact_reset();
	return rc;
}
