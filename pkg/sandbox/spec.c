/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spec.c: what may go into a sandbox: the limits' defaults, the pass-env
 * names a user may allow (never ones that look like secrets), the checks
 * on a spec, and handing work directories to the sandbox user.
 */
#define _XOPEN_SOURCE 700
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <string.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"

void hwb_sandbox_limits_default(struct hwb_sandbox_limits *l)
{
	if (l->cpu_seconds <= 0)
		l->cpu_seconds = HWB_SANDBOX_CPU_SECONDS;
	if (!l->address_space)
		l->address_space = HWB_SANDBOX_ADDRESS_SPACE;
	if (!l->memory)
		l->memory = HWB_SANDBOX_MEMORY;
	if (l->processes <= 0)
		l->processes = HWB_SANDBOX_PROCESSES;
	if (!l->file_size)
		l->file_size = HWB_SANDBOX_FILE_SIZE;
	if (!l->disk)
		l->disk = HWB_SANDBOX_DISK;
	if (l->open_files <= 0)
		l->open_files = HWB_SANDBOX_OPEN_FILES;
	if (l->timeout_seconds < 0)
		l->timeout_seconds = HWB_SANDBOX_TIMEOUT;
	if (!l->log_max)
		l->log_max = HWB_SANDBOX_LOG_MAX;
}

/* 1 when every limit is set (a spec's builder filled them). */
static int limits_set(const struct hwb_sandbox_limits *l)
{
	return l->cpu_seconds > 0 && l->address_space && l->memory &&
	       l->processes > 0 && l->file_size && l->disk &&
	       l->open_files > 0 && l->timeout_seconds >= 0 && l->log_max;
}

/* Set by the sandbox itself, or loader variables that would reach into
 * the host. */
static const char *const reserved[] = {
	"PATH", "HOME", "TMPDIR", "LANG", "SOURCE_DATE_EPOCH", "PYTHONHASHSEED",
	"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT",
};

/* Parts of a name that mark a secret, compared case-insensitively. */
static const char *const secret_parts[] = {
	"TOKEN", "PASSWORD", "PASSWD", "SECRET", "CREDENTIAL", "PRIVATE",
	"API_KEY", "APIKEY",
};

static int contains_upper(const char *name, const char *part)
{
	size_t n = strlen(name), m = strlen(part), i, j;

	for (i = 0; i + m <= n; i++) {
		for (j = 0; j < m; j++)
			if (toupper((unsigned char)name[i + j]) != part[j])
				break;
		if (j == m)
			return 1;
	}
	return 0;
}

static int looks_secret(const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(secret_parts) / sizeof(secret_parts[0]); i++)
		if (contains_upper(name, secret_parts[i]))
			return 1;
	return (n >= 4 && contains_upper(name + n - 4, "_KEY")) ||
	       !strcasecmp(name, "KEY");
}

int hwb_sandbox_check_pass_env(const char *name, struct hwb_error *err)
{
	const char *p;
	size_t i;

	if (!name || !(isalpha((unsigned char)*name) || *name == '_'))
		goto invalid;
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			goto invalid;
	if (looks_secret(name))
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B021",
				     "pass-env: '%s' looks like a secret and is "
				     "never passed into a build", name),
		       hwb_error_hint(err, "a build must not see credentials; "
				      "remove it from pass-env (rename the "
				      "variable if it is not a secret)");
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcmp(name, reserved[i]))
			return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B022",
					     "pass-env: '%s' is set by the sandbox "
					     "itself or reaches into the host",
					     name),
			       hwb_error_hint(err, "remove it from pass-env");
	return 0;
invalid:
	return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B023",
			     "pass-env: '%s' is not an environment variable name",
			     name ? name : ""),
	       hwb_error_hint(err, "use letters, digits and '_', not starting "
			      "with a digit");
}

/* Absolute, no empty, '.' or '..' component, no trailing '/'. */
static int normal_absolute(const char *path)
{
	const char *p = path;

	if (!path || *p != '/' || !p[1])
		return 0;
	while (*p == '/') {
		const char *start = ++p;

		while (*p && *p != '/')
			p++;
		if (p == start || (p - start == 1 && start[0] == '.') ||
		    (p - start == 2 && start[0] == '.' && start[1] == '.'))
			return 0;
	}
	return *p == '\0';
}

static int under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static int bad_spec(struct hwb_error *err, const char *what, const char *value)
{
	return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B024",
			     "sandbox: %s '%s' is not allowed", what,
			     value ? value : "(null)"),
	       hwb_error_hint(err, "use absolute, normalised paths outside "
			      "/proc, /dev, /etc and /tmp");
}

int hwb_sandbox__validate(const struct hwb_sandbox_spec *spec,
			struct hwb_error *err)
{
	static const char *const owned[] = { "/proc", "/dev", "/etc", "/tmp",
					     HWB_SANDBOX_HOME };
	const char *eq;
	char name[256];
	size_t i, j;

	if (!limits_set(&spec->limits))
		HWB_BUG("sandbox spec without its limits (hwb_sandbox_limits_default)");
	if (!spec->argv || !spec->argv[0] || spec->argv[0][0] != '/')
		return bad_spec(err, "command",
				spec->argv ? spec->argv[0] : NULL);
	if (spec->cwd && spec->cwd[0] != '/')
		return bad_spec(err, "working directory", spec->cwd);
	for (i = 0; i < spec->bind_count; i++) {
		const struct hwb_sandbox_bind *b = &spec->binds[i];

		if (!b->host || b->host[0] != '/')
			return bad_spec(err, "bind source", b->host);
		if (!normal_absolute(b->inside))
			return bad_spec(err, "bind target", b->inside);
		for (j = 0; j < sizeof(owned) / sizeof(owned[0]); j++)
			if (spec->isolation == HWB_ISOLATION_SANDBOX &&
			    under(b->inside, owned[j]))
				return bad_spec(err, "bind target", b->inside);
	}
	for (i = 0; spec->env && spec->env[i]; i++) {
		eq = strchr(spec->env[i], '=');
		if (!eq || (size_t)(eq - spec->env[i]) >= sizeof(name))
			return bad_spec(err, "environment entry", "(no NAME=)");
		memcpy(name, spec->env[i], (size_t)(eq - spec->env[i]));
		name[eq - spec->env[i]] = '\0';
		if (hwb_sandbox_check_pass_env(name, err))
			return -1;
	}
	return 0;
}

unsigned hwb_sandbox__root_id(int build)
{
	return HWB_ROOT_ID_BASE + 2U * (unsigned)getpid() + (build ? 1U : 0U);
}

static int give_to_build_user(const char *path, const struct stat *st,
			      int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return lchown(path, hwb_sandbox__root_id(1), hwb_sandbox__root_id(1)) ? -1
									   : 0;
}

int hwb_sandbox_prepare_dir(const char *path, struct hwb_error *err)
{
	if (geteuid() != 0)
		return 0;
	if (nftw(path, give_to_build_user, 32, FTW_PHYS | FTW_MOUNT))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B025",
				       "sandbox: cannot hand '%s' to the sandbox "
				       "user", path),
		       hwb_error_hint(err, "check that the directory is on a "
				      "local file system hwb may chown on");
	return 0;
}
