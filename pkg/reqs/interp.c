/* SPDX-License-Identifier: Apache-2.0 */
/*
 * interp.c: the facts about the build interpreter that markers, wheel tags
 * and the environment key need. They are asked from the interpreter itself
 * once and cached under <cache>/interp/, keyed by the interpreter's path,
 * inode, size and times and the kernel's release: a warm build then runs
 * no extra process. A replaced interpreter binary gets a new inode or
 * ctime, so it is asked again.
 */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/core/log.h"
#include "pkg/wheel/wheel.h"

static const char probe_script[] =
	"import json, os, platform, sys, sysconfig\n"
	"i = sys.implementation\n"
	"v = i.version\n"
	"iv = '%d.%d.%d' % v[:3]\n"
	"if v[3] != 'final': iv += v[3][0] + str(v[4])\n"
	"print(json.dumps({'version': sys.version,"
	" 'cache_tag': i.cache_tag or '', 'platform': sysconfig.get_platform(),"
	" 'python_version': '%d.%d' % sys.version_info[:2],"
	" 'python_full_version': platform.python_version(),"
	" 'implementation_name': i.name, 'implementation_version': iv,"
	" 'os_name': os.name, 'platform_machine': platform.machine(),"
	" 'platform_release': platform.release(),"
	" 'platform_system': platform.system(),"
	" 'platform_version': platform.version(),"
	" 'platform_python_implementation': platform.python_implementation(),"
	" 'sys_platform': sys.platform,"
	" 'soabi': sysconfig.get_config_var('SOABI') or '',"
	" 'glibc': os.confstr('CS_GNU_LIBC_VERSION') or ''}))\n";

struct field {
	const char *key;
	size_t offset;
};

#define F(name) { #name, offsetof(struct hwb_reqs_interp, name) }
static const struct field fields[] = {
	F(version), F(cache_tag), F(platform), F(python_version),
	F(python_full_version), F(implementation_name),
	F(implementation_version), F(os_name), F(platform_machine),
	F(platform_release), F(platform_system), F(platform_version),
	F(platform_python_implementation), F(sys_platform), F(soabi),
};
#undef F
#define FIELD_COUNT (sizeof(fields) / sizeof(fields[0]))

static char **field_at(struct hwb_reqs_interp *in, size_t i)
{
	return (char **)((char *)in + fields[i].offset);
}

void hwb_reqs_interp_release(struct hwb_reqs_interp *in)
{
	size_t i;

	free(in->path);
	for (i = 0; i < FIELD_COUNT; i++)
		free(*field_at(in, i));
	memset(in, 0, sizeof(*in));
}

static int from_json(const char *text, size_t len, const char *python,
		     struct hwb_reqs_interp *in, struct hwb_error *err)
{
	json_t *doc = json_loadb(text, len, 0, NULL), *v;
	const char *glibc;
	size_t i;
	int ret = -1;

	if (!json_is_object(doc))
		goto bad;
	for (i = 0; i < FIELD_COUNT; i++) {
		v = json_object_get(doc, fields[i].key);
		if (!json_is_string(v))
			goto bad;
		if (!(*field_at(in, i) = hwb_strdup(json_string_value(v)))) {
			hwb_error_oom(err);
			goto cleanup;
		}
	}
	v = json_object_get(doc, "glibc");
	glibc = json_is_string(v) ? json_string_value(v) : "";
	if (sscanf(glibc, "glibc %d.%d", &in->glibc_major, &in->glibc_minor) != 2)
		in->glibc_major = in->glibc_minor = 0;
	ret = 0;
	goto cleanup;
bad:
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B121",
		      "the interpreter '%s' did not report its version and "
		      "platform as expected", python);
	hwb_error_hint(err, "give a CPython or PyPy 3 interpreter with --python");
cleanup:
	json_decref(doc);
	return ret;
}

/* An absolute path for python: as given when it has a '/', else from PATH.
 * Symbolic links are kept: a virtual environment's python is one. */
static int locate(const char *python, char **out, struct hwb_error *err)
{
	const char *path = getenv("PATH"), *p, *end;
	char cwd[PATH_MAX], *cand;

	if (strchr(python, '/')) {
		if (python[0] == '/')
			*out = hwb_strdup(python);
		else if (getcwd(cwd, sizeof(cwd)))
			*out = hwb_strdup_printf("%s/%s", cwd, python);
		else
			*out = NULL;
		if (!*out)
			return hwb_error_oom(err);
		if (access(*out, X_OK) == 0)
			return 0;
		free(*out);
		*out = NULL;
		goto missing;
	}
	for (p = path ? path : "/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, ':');
		if (end == p || *p != '/')
			continue;
		if (!(cand = hwb_strdup_printf("%.*s/%s", (int)(end - p), p,
					       python)))
			return hwb_error_oom(err);
		if (access(cand, X_OK) == 0) {
			*out = cand;
			return 0;
		}
		free(cand);
	}
missing:
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B120",
		      "the interpreter '%s' was not found or is not executable",
		      python);
	return hwb_error_hint(err, "install Python 3 or give its path with "
				   "--python PATH");
}

static int cache_path(const char *exe, const char *cache_dir, char **out,
		      struct hwb_error *err)
{
	struct stat st;
	struct utsname u;
	struct hwb_buf key = HWB_BUF_INIT, hex = HWB_BUF_INIT;
	uint8_t digest[32];
	int ret = -1;

	*out = NULL;
	if (!cache_dir || stat(exe, &st) || uname(&u))
		return 0; /* no cache: ask the interpreter */
	hwb_buf_printf(&key, "hwb-interp-v1\n%s\n%llu %llu %lld %lld.%09ld "
			     "%lld.%09ld\n%s\n%s\n", exe,
		       (unsigned long long)st.st_dev,
		       (unsigned long long)st.st_ino, (long long)st.st_size,
		       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
		       (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec,
		       u.release, u.version);
	if (hwb_buf_check(&key, err) ||
	    hwb_hash_buffer(HWB_HASH_SHA256, key.ptr, key.len, digest, err) ||
	    hwb_hex_encode(&hex, digest, sizeof(digest)) ||
	    !(*out = hwb_strdup_printf("%s/interp/%s.json", cache_dir, hex.ptr))) {
		if (!err->code[0])
			hwb_error_oom(err);
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_buf_release(&key);
	hwb_buf_release(&hex);
	return ret;
}

static void cache_store(const char *cache_file, const char *cache_dir,
			const struct hwb_buf *text)
{
	struct hwb_error ignored = HWB_ERROR_INIT;
	char *dir = hwb_strdup_printf("%s/interp", cache_dir);

	/* Only a speed-up: a failure costs the next run one process. */
	if (dir && !hwb_mkdir_p(dir, 0755, &ignored))
		hwb_file_write_atomic(cache_file, text->ptr, text->len, 0644,
				      &ignored);
	free(dir);
}

/* 1 when exe is a script ("#!"): a pyenv or asdf shim, a wrapper. */
static int is_script(const char *exe)
{
	char head[2] = { 0, 0 };
	FILE *f = fopen(exe, "rb");

	if (!f)
		return 0;
	if (fread(head, 1, 2, f) != 2)
		head[0] = 0;
	fclose(f);
	return head[0] == '#' && head[1] == '!';
}

/*
 * A wrapper script (pyenv's shims are bash scripts that exec the version
 * pyenv picks) cannot be the build's interpreter: a virtual environment
 * whose bin/python is the script loses itself when the script execs the
 * real binary, so the hooks would import the wrapped installation's
 * packages, and the script itself reads host variables (PYENV_*). Ask the
 * wrapper, once, which interpreter it runs, and use that one.
 */
static int unwrap(char **path, struct hwb_error *err)
{
	struct hwb_buf out = HWB_BUF_INIT;
	const char *argv[] = { *path, "-I", "-S", "-c",
			       "import sys; print(sys.executable)", NULL };
	int status = 0, ret = -1;

	if (!is_script(*path))
		return 0;
	if (hwb_reqs__run(argv, &out, &status, err))
		goto cleanup;
	while (out.len && (out.ptr[out.len - 1] == '\n' ||
			   out.ptr[out.len - 1] == '\r'))
		out.ptr[--out.len] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !out.len ||
	    out.ptr[0] != '/' || strchr(out.ptr, '\n') ||
	    access(out.ptr, X_OK) || is_script(out.ptr)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B122",
			      "the interpreter '%s' is a wrapper script that "
			      "did not name the real interpreter it runs", *path);
		hwb_error_hint(err, "give the interpreter itself with --python "
			       "(for pyenv: --python \"$(pyenv which python3)\")");
		goto cleanup;
	}
	hwb_log_info("%s is a wrapper script (a pyenv shim?); the build uses "
		     "the interpreter it runs, %s", *path, out.ptr);
	free(*path);
	*path = hwb_buf_detach(&out, NULL);
	ret = *path ? 0 : hwb_error_oom(err);
cleanup:
	hwb_buf_release(&out);
	return ret;
}

int hwb_reqs_interp_probe(const char *python, const char *cache_dir,
			    struct hwb_reqs_interp *out, struct hwb_error *err)
{
	struct hwb_reqs_interp in = HWB_REQS_INTERP_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_error cerr = HWB_ERROR_INIT;
	char *cache_file = NULL;
	const char *argv[6];
	int status = 0, ret = -1;

	if (locate(python ? python : "python3", &in.path, err) ||
	    unwrap(&in.path, err) ||
	    cache_path(in.path, cache_dir, &cache_file, err))
		goto cleanup;
	if (cache_file &&
	    !hwb_file_read_all(cache_file, 1 << 16, &text, &cerr) &&
	    !from_json(text.ptr, text.len, in.path, &in, &cerr)) {
		hwb_log_debug("interpreter facts from %s", cache_file);
		goto done;
	}
	{
		char *exe = in.path; /* kept: a shim is asked only once */

		in.path = NULL;
		hwb_reqs_interp_release(&in);
		in.path = exe;
	}
	hwb_buf_clear(&text);
	argv[0] = in.path;
	argv[1] = "-I";
	argv[2] = "-S";
	argv[3] = "-c";
	argv[4] = probe_script;
	argv[5] = NULL;
	if (hwb_reqs__run(argv, &text, &status, err))
		goto cleanup;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B120",
			      "the interpreter '%s' failed when asked for its "
			      "version (status %d)", in.path, status);
		hwb_error_hint(err, "check that it runs: '%s -c pass'", in.path);
		goto cleanup;
	}
	if (from_json(text.ptr, text.len, in.path, &in, err))
		goto cleanup;
	if (cache_file)
		cache_store(cache_file, cache_dir, &text);
done:
	*out = in;
	memset(&in, 0, sizeof(in));
	ret = 0;
cleanup:
	hwb_reqs_interp_release(&in);
	hwb_buf_release(&text);
	free(cache_file);
	return ret;
}

void hwb_reqs__interp_marker_env(const struct hwb_reqs_interp *in,
				  struct hwb_marker_env *env)
{
	memset(env, 0, sizeof(*env));
	env->implementation_name = in->implementation_name;
	env->implementation_version = in->implementation_version;
	env->os_name = in->os_name;
	env->platform_machine = in->platform_machine;
	env->platform_release = in->platform_release;
	env->platform_system = in->platform_system;
	env->platform_version = in->platform_version;
	env->python_full_version = in->python_full_version;
	env->platform_python_implementation = in->platform_python_implementation;
	env->python_version = in->python_version;
	env->sys_platform = in->sys_platform;
}

int hwb_reqs__marker_holds(const char *marker,
			    const struct hwb_marker_env *env,
			    struct hwb_error *err)
{
	struct hwb_marker *m = NULL;
	int r;

	if (!marker)
		return 1;
	if (hwb_marker_parse(marker, strlen(marker), &m, err))
		return -1;
	r = hwb_marker_evaluate(m, env, err);
	hwb_marker_free(m);
	return r;
}

char *hwb_reqs__env_site_dir(const struct hwb_reqs_interp *in)
{
	return hwb_strdup_printf("lib/python%s/site-packages", in->python_version);
}

int hwb_reqs_wheel_compatible(const char *tags,
				const struct hwb_reqs_interp *in)
{
	const struct hwb_wheel_target t = {
		in->python_version, in->implementation_name, in->sys_platform,
		in->platform_machine, in->glibc_major, in->glibc_minor,
	};

	return hwb_wheel_tags_compatible(tags, &t);
}
