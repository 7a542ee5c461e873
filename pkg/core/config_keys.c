/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config_keys.c: the one table of configuration keys hwb knows, with type,
 * who may set it, default, range and a line of documentation. Adding a key
 * is adding a row; hwb.toml.example documents every row (a test checks).
 */
#include "pkg/core/config.h"

#include <stdio.h>
#include <string.h>

#define MAXI INT64_MAX

#define BOOL(n, t, d, doc) { n, HWB_CONFIG_BOOL, HWB_CONFIG_##t, d, 0, 1, NULL, doc }
#define INT(n, t, d, lo, hi, doc) { n, HWB_CONFIG_INT, HWB_CONFIG_##t, d, lo, hi, NULL, doc }
#define STR(n, t, d, doc) { n, HWB_CONFIG_STRING, HWB_CONFIG_##t, d, 0, 0, NULL, doc }
#define ENUM(n, t, d, ch, doc) { n, HWB_CONFIG_ENUM, HWB_CONFIG_##t, d, 0, 0, ch, doc }
#define LIST(n, t, doc) { n, HWB_CONFIG_LIST, HWB_CONFIG_##t, NULL, 0, 0, NULL, doc }

/*
 * Defaults of the limits let compilers and big wheels work (nsjail's tight
 * defaults, 1 MiB files and 32 descriptors, break builds); a project may lower
 * them, only the user may raise them.
 */
static const struct hwb_config_key keys[] = {
	ENUM("log.level", ANY, "info", "error|warn|info|verbose|debug", "messages shown on the terminal"),
	BOOL("audit.enabled", USER_ONLY, "true", "append build, check, sign and publish events to the audit log"),
	STR("audit.dir", USER_ONLY, NULL, "audit log directory (unset: ~/.hwb/logs)"),
	INT("http.timeout", ANY, "300", 1, 86400, "seconds a whole HTTP request may take"),
	INT("http.connect-timeout", ANY, "10", 1, 600, "seconds to establish a connection"),
	INT("http.retries", ANY, "3", 0, 10, "retries on 5xx, 429 and connection errors"),
	STR("http.ca-bundle", USER_ONLY, NULL, "PEM file of CA certificates trusted instead of the system's"),
	BOOL("check.strict", ANY, "false", "warnings fail a file too"),
	LIST("check.select", ANY, "only these check codes (empty: all)"),
	LIST("check.ignore", ANY, "check codes to silence (never framing, path, RECORD or secret errors)"),
	LIST("check.acknowledged-keys", ANY, "test-fixture private keys shipped on purpose, each \"PATH sha256:HEX\" (the file's sha256); any other key still fails"),
	INT("check.max-member-size", TIGHTEN, "4294967296", 1, MAXI, "uncompressed bytes allowed per archive member"),
	INT("check.max-total-size", TIGHTEN, "17179869184", 1, MAXI, "uncompressed bytes allowed per archive"),
	INT("check.max-ratio", TIGHTEN, "50", 1, 1000000, "compression ratio above which a member is a zip bomb"),
	INT("check.threads", ANY, "0", 0, 1024, "threads for hwb check (0: one per online core)"),
	ENUM("build.isolation", TIGHTEN, "sandbox", "sandbox|container|none", "how a build is isolated"),
	INT("build.timeout", TIGHTEN, "1800", 1, 604800, "wall-clock seconds a build may take"),
	LIST("build.pass-env", USER_ONLY, "environment variables passed into the build (secret-like names are refused)"),
	LIST("build.allow-network", USER_ONLY, "hosts the build may reach through hwb's proxy"),
	STR("build.outdir", RELPATH, "dist", "directory for built wheels, sdists and provenance"),
	BOOL("build.require-lock", ANY, "false", "refuse to build without pylock.build.toml"),
	STR("build.index-url", ANY, "https://pypi.org/simple/", "package index for build requirements, asked by lock and build when no wheelhouse is given or it is set (empty: none)"),
	LIST("build.find-links", RELPATH, "directories of wheels for build requirements"),
	STR("build.python", USER_ONLY, NULL, "interpreter for builds (unset: python3 on PATH)"),
	BOOL("build.strict", ANY, "false", "source validation warnings fail the build"),
	INT("build.limits.cpu-seconds", TIGHTEN, "3600", 1, MAXI, "CPU seconds per build process (RLIMIT_CPU)"),
	INT("build.limits.address-space", TIGHTEN, "8589934592", 1, MAXI, "bytes of address space per process (RLIMIT_AS)"),
	INT("build.limits.memory", TIGHTEN, "8589934592", 1048576, MAXI, "bytes of memory for the whole build: its cgroup and its tmpfs mounts"),
	INT("build.limits.processes", TIGHTEN, "1024", 1, 1048576, "processes in the build (RLIMIT_NPROC)"),
	INT("build.limits.file-size", TIGHTEN, "4294967296", 1, MAXI, "largest file a build may write (RLIMIT_FSIZE)"),
	INT("build.limits.disk", TIGHTEN, "17179869184", 1048576, MAXI, "bytes the whole build may hold in its source copy and outputs (tmpfs counts as memory)"),
	INT("build.limits.open-files", TIGHTEN, "4096", 1, 1048576, "open files per process (RLIMIT_NOFILE)"),
	INT("build.limits.log-size", TIGHTEN, "16777216", 1, MAXI, "bytes of build log kept"),
	BOOL("build.allow-url-requirements", TIGHTEN, "false", "accept URL and VCS build requirements"),
	/* The engine and runtime are programs hwb runs and the image is the
	 * build's whole userland, like build.python: the project being built
	 * must not choose them (a project's image would be its own toolchain
	 * vouched for by hwb's provenance), so all are user-only. Limits stay
	 * build.limits.* (the container's --memory is address-space). */
	ENUM("build.container.engine", USER_ONLY, "auto", "auto|podman|docker", "container engine for --isolation container (auto: podman on PATH, else docker)"),
	STR("build.container.image", USER_ONLY, NULL, "local image for container builds (unset: podman runs the host's /usr read-only; docker needs one)"),
	STR("build.container.python", USER_ONLY, "python3", "the image's interpreter that runs the hooks"),
	STR("build.container.runtime", USER_ONLY, NULL, "OCI runtime the engine runs containers with (unset: its default)"),
	LIST("verify.trusted-root", USER_ONLY, "extra Sigstore trusted_root.json files"),
	BOOL("verify.staging", USER_ONLY, "false", "trust Sigstore's staging instance"),
	/* Which TUF repository the trust root comes from changes what is
	 * trusted, like verify.trusted-root: user-only. */
	STR("trust.tuf-url", USER_ONLY, NULL, "TUF repository of the Sigstore trust root and signing config (unset: Sigstore's)"),
};

const struct hwb_config_key *hwb_config_keys(size_t *count)
{
	*count = sizeof(keys) / sizeof(keys[0]);
	return keys;
}

const struct hwb_config_key *hwb_config_key_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

int hwb_config_env_name(const char *name, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "HWB_%s", name);
	char *p;

	if (n < 0 || (size_t)n >= outsz)
		return -1;
	for (p = out + 4; *p; p++) {
		if (*p == '.' || *p == '-')
			*p = '_';
		else if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	}
	return 0;
}

const char *hwb_config_source_name(enum hwb_config_source source)
{
	switch (source) {
	case HWB_CONFIG_DEFAULT: return "default";
	case HWB_CONFIG_PYPROJECT: return "pyproject";
	case HWB_CONFIG_HWB_TOML: return "hwb.toml";
	case HWB_CONFIG_USER: return "user";
	case HWB_CONFIG_ENV: return "env";
	case HWB_CONFIG_FLAG: return "flag";
	}
	return "unknown";
}
