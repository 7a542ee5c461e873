/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for --isolation container's command construction
 * (pkg/build/container*.c): every isolation flag and limit in the engine's
 * argv, the environment only from the sandbox's scrubbed spec, binds with
 * ro/rw, podman against docker, a root directory against an image, no
 * secret anywhere in argv or the client's environment; the engine choice
 * on PATH; the seccomp profile handed to the engine; the engine's error
 * line. Running an engine is tests/e2e/test_build_container.py's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"
#include "pkg/core/log.h"

#define SECRET "pypi-AgEIcHlwaS5vcmcCJGU2Y2RmZjM0LTEyMzQtNDU2Ny04OWFiLWNkZWYwMTIzNDU2Nw"

static const char *const hook_argv[] = { "/env/bin/python", "-s", "-c",
					 "print('hook')", "build_wheel", "/hook",
					 NULL };
static const char *const extra_env[] = { "PYTHONPATH=/env/lib/site",
					 "CFLAGS=-O2", NULL };
static const struct hwb_sandbox_bind binds[] = {
	{ "/var/cache/hwb/envs/k", "/env", 0 },
	{ "/tmp/work/src", "/src", 1 },
	{ "/tmp/work/out", "/out", 1 },
	{ "/repo/.git", "/src/.git", 0 },
};

static void fill_spec(struct hwb_sandbox_spec *spec,
		      const struct hwb_sandbox_container *ct)
{
	memset(spec, 0, sizeof(*spec));
	spec->argv = hook_argv;
	spec->cwd = "/src";
	spec->binds = binds;
	spec->bind_count = sizeof(binds) / sizeof(binds[0]);
	spec->path = "/env/bin:/usr/bin:/bin";
	spec->env = extra_env;
	spec->source_date_epoch = 1704164645;
	spec->limits.cpu_seconds = 60;
	spec->limits.address_space = 512ULL << 20;
	spec->limits.memory = 768ULL << 20;
	spec->limits.processes = 64;
	spec->limits.file_size = 1ULL << 20;
	spec->limits.open_files = 256;
	spec->limits.timeout_seconds = 30;
	hwb_sandbox_limits_default(&spec->limits); /* disk, log_max */
	spec->isolation = HWB_ISOLATION_CONTAINER;
	spec->container = ct;
}

static void podman_rootfs(struct hwb_sandbox_container *ct)
{
	memset(ct, 0, sizeof(*ct));
	ct->engine = HWB_ENGINE_PODMAN;
	ct->engine_path = (char *)"/usr/bin/podman";
	ct->runtime = "runc";
	ct->rootfs = (char *)"/tmp/work/rootfs";
	ct->seccomp = (char *)"/tmp/work/seccomp.json";
	ct->uid = 1001;
	ct->gid = 1002;
	ct->keep_id = 1;
}

static void docker_image(struct hwb_sandbox_container *ct)
{
	memset(ct, 0, sizeof(*ct));
	ct->engine = HWB_ENGINE_DOCKER;
	ct->engine_path = (char *)"/usr/bin/docker";
	ct->runtime = "runsc";
	ct->image = "python:3.11-slim";
	ct->python = "python3";
	ct->seccomp = (char *)"/tmp/work/seccomp.json";
	ct->uid = 65534;
	ct->gid = 65534;
}

static size_t count(char **argv)
{
	size_t n = 0;

	while (argv[n])
		n++;
	return n;
}

/* Index of the first flag followed by value, or -1. */
static long pair(char **argv, const char *flag, const char *value)
{
	size_t i;

	for (i = 0; argv[i] && argv[i + 1]; i++)
		if (!strcmp(argv[i], flag) && !strcmp(argv[i + 1], value))
			return (long)i;
	return -1;
}

static long find(char **argv, const char *word)
{
	size_t i;

	for (i = 0; argv[i]; i++)
		if (!strcmp(argv[i], word))
			return (long)i;
	return -1;
}

static char **build(const struct hwb_sandbox_container *ct,
		    struct hwb_sandbox_spec *spec)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char **argv = NULL;

	fill_spec(spec, ct);
	assert_int_equal(hwb_sandbox__container_argv(ct, spec, "hwb-build-0011", &argv,
						   &err), 0);
	assert_non_null(argv);
	return argv;
}

static void test_podman_isolation_flags(void **state)
{
	static const char *const flags[] = {
		"--rm", "--read-only", "--init", "--read-only-tmpfs=false",
		"--http-proxy=false",
	};
	struct hwb_sandbox_container ct;
	struct hwb_sandbox_spec spec;
	char **argv;
	size_t i;

	(void)state;
	podman_rootfs(&ct);
	argv = build(&ct, &spec);
	/* The OCI runtime is a global podman option, before "run". */
	assert_string_equal(argv[0], "/usr/bin/podman");
	assert_int_equal(pair(argv, "--runtime", "runc"), 1);
	assert_string_equal(argv[3], "run");
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		assert_true(find(argv, flags[i]) > 3);
	assert_true(pair(argv, "--name", "hwb-build-0011") > 3);
	assert_true(pair(argv, "--network", "none") > 3);
	assert_true(pair(argv, "--cap-drop", "ALL") > 3);
	assert_true(pair(argv, "--security-opt", "no-new-privileges") > 3);
	assert_true(pair(argv, "--security-opt",
			 "seccomp=/tmp/work/seccomp.json") > 3);
	assert_true(pair(argv, "--log-driver", "none") > 3);
	assert_true(pair(argv, "--hostname", "hwb-build") > 3);
	/* The invoking user, kept as themselves in rootless podman. */
	assert_true(pair(argv, "--user", "1001:1002") > 3);
	assert_true(pair(argv, "--userns", "keep-id") > 3);
	/* Sized within the memory budget: a half and a quarter of it. */
	assert_true(pair(argv, "--tmpfs", "/tmp:rw,exec,nosuid,nodev,size=402653184,"
			 "mode=1777") > 3);
	assert_true(pair(argv, "--tmpfs", "/home/build:rw,exec,nosuid,nodev,"
			 "size=201326592,mode=1777") > 3);
	assert_true(pair(argv, "--workdir", "/src") > 3);
	/* Nothing is pulled without an image. */
	assert_int_equal(find(argv, "--pull"), -1);
	hwb_sandbox__env_free(argv);
}

static void test_limits_are_mapped(void **state)
{
	struct hwb_sandbox_container ct;
	struct hwb_sandbox_spec spec;
	char **argv;

	(void)state;
	podman_rootfs(&ct);
	argv = build(&ct, &spec);
	assert_true(pair(argv, "--pids-limit", "64") > 0);
	/* --memory is the whole build's budget; data stands in for RLIMIT_AS. */
	assert_true(pair(argv, "--memory", "805306368") > 0);
	assert_true(pair(argv, "--memory-swap", "805306368") > 0);
	assert_true(pair(argv, "--ulimit", "cpu=60:60") > 0);
	assert_true(pair(argv, "--ulimit", "data=536870912:536870912") > 0);
	assert_true(pair(argv, "--ulimit", "fsize=1048576:1048576") > 0);
	assert_true(pair(argv, "--ulimit", "nofile=256:256") > 0);
	assert_true(pair(argv, "--ulimit", "nproc=64:64") > 0);
	assert_true(pair(argv, "--ulimit", "core=0:0") > 0);
	hwb_sandbox__env_free(argv);
	/* Unset limits get the sandbox's defaults where the spec is built,
	 * never "unlimited". */
	fill_spec(&spec, &ct);
	memset(&spec.limits, 0, sizeof(spec.limits));
	spec.limits.timeout_seconds = -1;
	hwb_sandbox_limits_default(&spec.limits);
	{
		struct hwb_error err = HWB_ERROR_INIT;

		assert_int_equal(hwb_sandbox__container_argv(&ct, &spec, "n", &argv,
							   &err), 0);
	}
	assert_true(pair(argv, "--pids-limit", "1024") > 0);
	assert_true(pair(argv, "--memory", "8589934592") > 0);
	assert_true(pair(argv, "--ulimit", "cpu=1800:1800") > 0);
	hwb_sandbox__env_free(argv);
}

/* --env values are exactly the scrubbed environment of the spec. */
static void test_environment_only_from_the_spec(void **state)
{
	struct hwb_sandbox_container ct;
	struct hwb_sandbox_spec spec;
	struct hwb_error err = HWB_ERROR_INIT;
	char **argv, **expected = NULL;
	size_t i, n = 0, envs = 0;

	(void)state;
	setenv("PYPI_TOKEN", SECRET, 1);
	setenv("HWB_TEST_HOST_ONLY", "from-the-host", 1);
	podman_rootfs(&ct);
	argv = build(&ct, &spec);
	assert_int_equal(hwb_sandbox__env_make(&spec, HWB_SANDBOX_HOME, "/tmp",
					     &expected, &err), 0);
	for (i = 0; argv[i]; i++) {
		if (strcmp(argv[i], "--env"))
			continue;
		envs++;
		assert_non_null(argv[i + 1]);
		/* Never a bare NAME, which the engine fills from the host. */
		assert_non_null(strchr(argv[i + 1], '='));
		for (n = 0; expected[n]; n++)
			if (!strcmp(expected[n], argv[i + 1]))
				break;
		assert_non_null(expected[n]);
	}
	assert_int_equal(envs, count(expected));
	assert_true(pair(argv, "--env", "HOME=/home/build") > 0);
	assert_true(pair(argv, "--env", "SOURCE_DATE_EPOCH=1704164645") > 0);
	assert_true(pair(argv, "--env", "CFLAGS=-O2") > 0);
	assert_true(pair(argv, "--env", "PATH=/env/bin:/usr/bin:/bin") > 0);
	for (i = 0; argv[i]; i++) {
		assert_null(strstr(argv[i], "from-the-host"));
		assert_null(strstr(argv[i], SECRET));
		assert_false(hwb_redact_contains_secret(argv[i], strlen(argv[i])));
	}
	hwb_sandbox__env_free(expected);
	hwb_sandbox__env_free(argv);
	unsetenv("PYPI_TOKEN");
	unsetenv("HWB_TEST_HOST_ONLY");
}

static void test_binds_with_modes(void **state)
{
	struct hwb_sandbox_container ct;
	struct hwb_sandbox_spec spec;
	struct stat st;
	char **argv;

	(void)state;
	podman_rootfs(&ct);
	argv = build(&ct, &spec);
	assert_true(pair(argv, "-v", "/var/cache/hwb/envs/k:/env:ro") > 0);
	assert_true(pair(argv, "-v", "/tmp/work/src:/src:rw") > 0);
	assert_true(pair(argv, "-v", "/tmp/work/out:/out:rw") > 0);
	assert_true(pair(argv, "-v", "/repo/.git:/src/.git:ro") > 0);
	/* Without an image: the host's /usr, read-only, in the prepared root,
	 * then the hook runner with its own interpreter path. */
	assert_true(pair(argv, "-v", "/usr:/usr:ro") > 0);
	if (!stat("/etc/ld.so.cache", &st))
		assert_true(pair(argv, "-v", "/etc/ld.so.cache:/etc/ld.so.cache:ro") > 0);
	{
		long r = pair(argv, "--rootfs", "/tmp/work/rootfs");
		size_t i;

		assert_true(r > 0);
		for (i = 0; hook_argv[i]; i++)
			assert_string_equal(argv[r + 2 + (long)i], hook_argv[i]);
		assert_null(argv[r + 2 + (long)i]);
	}
	hwb_sandbox__env_free(argv);
	/* The proxy's socket, writable, where the hook runner relays to. */
	fill_spec(&spec, &ct);
	spec.proxy_socket = "/tmp/work/proxy.sock";
	{
		struct hwb_error err = HWB_ERROR_INIT;

		assert_int_equal(hwb_sandbox__container_argv(&ct, &spec, "n", &argv,
							   &err), 0);
	}
	assert_true(pair(argv, "-v", "/tmp/work/proxy.sock:" HWB_SANDBOX_PROXY_INSIDE ":rw") > 0);
	hwb_sandbox__env_free(argv);
}

static void test_docker_with_an_image(void **state)
{
	static const char *const podman_only[] = { "--read-only-tmpfs=false",
						   "--http-proxy=false",
						   "--rootfs" };
	struct hwb_sandbox_container ct;
	struct hwb_sandbox_spec spec;
	char **argv;
	long img;
	size_t i;

	(void)state;
	docker_image(&ct);
	argv = build(&ct, &spec);
	/* docker's runtime is an option of run. */
	assert_string_equal(argv[1], "run");
	assert_int_equal(pair(argv, "--runtime", "runsc"), 2);
	assert_true(pair(argv, "--pull", "never") > 0);
	assert_true(pair(argv, "--user", "65534:65534") > 0);
	assert_int_equal(find(argv, "--userns"), -1);
	for (i = 0; i < sizeof(podman_only) / sizeof(podman_only[0]); i++)
		assert_int_equal(find(argv, podman_only[i]), -1);
	/* The image brings its userland: no host /usr. */
	assert_int_equal(pair(argv, "-v", "/usr:/usr:ro"), -1);
	/* Proxy variables from ~/.docker/config.json are overridden. */
	assert_true(pair(argv, "--env", "HTTPS_PROXY=") > 0);
	assert_true(pair(argv, "--env", "no_proxy=") > 0);
	/* The image, its python in place of the spec's, the rest as is. */
	img = find(argv, "python:3.11-slim");
	assert_true(img > 0);
	assert_string_equal(argv[img + 1], "python3");
	for (i = 1; hook_argv[i]; i++)
		assert_string_equal(argv[img + 1 + (long)i], hook_argv[i]);
	assert_null(argv[img + 1 + (long)i]);
	assert_int_equal(find(argv, "/env/bin/python"), -1);
	hwb_sandbox__env_free(argv);
}

static void test_paths_the_v_syntax_cannot_carry(void **state)
{
	static const struct hwb_sandbox_bind colon[] = { { "/tmp/a:b", "/src", 1 } };
	struct hwb_sandbox_container ct;
	struct hwb_sandbox_spec spec;
	struct hwb_error err = HWB_ERROR_INIT;
	char **argv = NULL;

	(void)state;
	podman_rootfs(&ct);
	fill_spec(&spec, &ct);
	spec.binds = colon;
	spec.bind_count = 1;
	assert_int_equal(hwb_sandbox__container_argv(&ct, &spec, "n", &argv, &err), -1);
	assert_null(argv);
	assert_string_equal(err.code, "HWB-B085");
	assert_non_null(strstr(err.message, "/tmp/a:b"));
}

static void test_client_environment(void **state)
{
	static char *const host[] = {
		"PATH=/usr/bin:/bin", "HOME=/home/u", "GITHUB_TOKEN=" SECRET,
		"XDG_RUNTIME_DIR=/run/user/1000", "DOCKER_HOST=unix:///x.sock",
		"AWS_SECRET_ACCESS_KEY=abc", "HTTPS_PROXY=http://u:pw@proxy:3128",
		"PYTHONPATH=/evil", "DOCKER_HOSTILE=1", NULL,
	};
	struct hwb_error err = HWB_ERROR_INIT;
	char **env = NULL;

	(void)state;
	assert_int_equal(hwb_sandbox__container_client_env(host, &env, &err), 0);
	assert_int_equal(count(env), 4);
	assert_string_equal(env[0], "PATH=/usr/bin:/bin");
	assert_string_equal(env[1], "HOME=/home/u");
	assert_string_equal(env[2], "XDG_RUNTIME_DIR=/run/user/1000");
	assert_string_equal(env[3], "DOCKER_HOST=unix:///x.sock");
	hwb_sandbox__env_free(env);
}

/* Executables named like the engines in a directory of our own. */
static char *fake_path(const char *const *names)
{
	char *dir = strdup("/tmp/hwb-test-path-XXXXXX"), *f;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	for (; *names; names++) {
		f = hwb_strdup_printf("%s/%s", dir, *names);
		fp = fopen(f, "w");
		assert_non_null(fp);
		fclose(fp);
		assert_int_equal(chmod(f, 0755), 0);
		free(f);
	}
	return dir;
}

static void remove_path(char *dir)
{
	static const char *const names[] = { "podman", "docker" };
	char *f;
	size_t i;

	for (i = 0; i < 2; i++) {
		f = hwb_strdup_printf("%s/%s", dir, names[i]);
		unlink(f);
		free(f);
	}
	rmdir(dir);
	free(dir);
}

static void test_engine_choice(void **state)
{
	static const char *const both[] = { "podman", "docker", NULL };
	static const char *const docker[] = { "docker", NULL };
	static const char *const none[] = { NULL };
	struct hwb_sandbox_container_request req;
	struct hwb_sandbox_container *ct = NULL;
	struct hwb_error err = HWB_ERROR_INIT;
	char *dir = fake_path(both), *search;

	(void)state;
	memset(&req, 0, sizeof(req));
	search = hwb_strdup_printf("relative:%s", dir);
	req.search_path = search;
	req.engine = "auto";
	assert_int_equal(hwb_sandbox_container_pick(&req, &ct, &err), 0);
	assert_int_equal(ct->engine, HWB_ENGINE_PODMAN);
	assert_non_null(strstr(ct->engine_path, "/podman"));
	assert_string_equal(ct->python, "python3");
	assert_true(ct->uid != 0 && ct->gid != 0);
	hwb_sandbox_container_free(ct);
	/* docker by name, but it needs an image. */
	req.engine = "docker";
	assert_int_equal(hwb_sandbox_container_pick(&req, &ct, &err), -1);
	assert_string_equal(err.code, "HWB-B081");
	hwb_sandbox_container_free(ct);
	req.image = "python:3.11-slim";
	assert_int_equal(hwb_sandbox_container_pick(&req, &ct, &err), 0);
	assert_int_equal(ct->engine, HWB_ENGINE_DOCKER);
	assert_int_equal(ct->keep_id, 0);
	hwb_sandbox_container_free(ct);
	remove_path(dir);
	free(search);
	/* auto falls to docker when podman is absent. */
	dir = fake_path(docker);
	req.search_path = dir;
	req.engine = "auto";
	assert_int_equal(hwb_sandbox_container_pick(&req, &ct, &err), 0);
	assert_int_equal(ct->engine, HWB_ENGINE_DOCKER);
	hwb_sandbox_container_free(ct);
	/* podman asked for and absent: an error, never docker instead. */
	req.engine = "podman";
	assert_int_equal(hwb_sandbox_container_pick(&req, &ct, &err), -1);
	assert_string_equal(err.code, "HWB-B080");
	assert_null(ct);
	remove_path(dir);
	dir = fake_path(none);
	req.search_path = dir;
	req.engine = "auto";
	assert_int_equal(hwb_sandbox_container_pick(&req, &ct, &err), -1);
	assert_string_equal(err.code, "HWB-B080");
	assert_non_null(strstr(err.message, "podman or docker"));
	remove_path(dir);
}

static json_t *rule_for(json_t *rules, const char *name, int errnum)
{
	size_t i, j;
	json_t *r, *n;

	json_array_foreach(rules, i, r) {
		if (json_integer_value(json_object_get(r, "errnoRet")) != errnum)
			continue;
		json_array_foreach(json_object_get(r, "names"), j, n)
			if (!strcmp(json_string_value(n), name))
				return r;
	}
	return NULL;
}

static void test_seccomp_profile(void **state)
{
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	json_t *doc, *rules, *r, *arg;
	static const char *const denied[] = { "ptrace", "mount", "unshare",
					      "setns", "chroot", "keyctl", "bpf" };
	size_t i;

	(void)state;
	assert_int_equal(hwb_sandbox__seccomp_profile(&text, &err), 0);
	doc = json_loadb(text.ptr, text.len, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "defaultAction")),
			    "SCMP_ACT_ALLOW");
	rules = json_object_get(doc, "syscalls");
	for (i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		r = rule_for(rules, denied[i], 1);
		assert_non_null(r);
		assert_null(json_object_get(r, "args"));
		assert_string_equal(json_string_value(json_object_get(r, "action")),
				    "SCMP_ACT_ERRNO");
	}
	assert_non_null(rule_for(rules, "clone3", 38));
	/* clone() only with CLONE_NEWUSER set. */
	r = rule_for(rules, "clone", 1);
	assert_non_null(r);
	arg = json_array_get(json_object_get(r, "args"), 0);
	assert_string_equal(json_string_value(json_object_get(arg, "op")),
			    "SCMP_CMP_MASKED_EQ");
	assert_int_equal(json_integer_value(json_object_get(arg, "index")), 0);
	assert_int_equal(json_integer_value(json_object_get(arg, "value")),
			 json_integer_value(json_object_get(arg, "valueTwo")));
	/* fork() and ordinary calls are not mentioned. */
	assert_null(rule_for(rules, "fork", 1));
	assert_null(rule_for(rules, "read", 1));
	json_decref(doc);
	hwb_buf_release(&text);
}

static void test_engine_error_line(void **state)
{
	struct hwb_buf log = HWB_BUF_INIT;
	char line[256];

	(void)state;
	hwb_buf_puts(&log, "some build output\nError: OCI runtime error: crun: "
			   "cgroups in hybrid mode not supported\nmore\n");
	hwb_sandbox__engine_error_line(&log, line, sizeof(line));
	assert_string_equal(line, "Error: OCI runtime error: crun: cgroups in "
				  "hybrid mode not supported");
	hwb_buf_clear(&log);
	hwb_buf_puts(&log, "docker: Error response from daemon: token " SECRET "\n");
	hwb_sandbox__engine_error_line(&log, line, sizeof(line));
	assert_non_null(strstr(line, "docker: Error response from daemon"));
	assert_null(strstr(line, SECRET));
	hwb_buf_clear(&log);
	hwb_buf_puts(&log, "Traceback (most recent call last):\nValueError\n");
	hwb_sandbox__engine_error_line(&log, line, sizeof(line));
	assert_string_equal(line, "");
	hwb_buf_release(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_podman_isolation_flags),
		cmocka_unit_test(test_limits_are_mapped),
		cmocka_unit_test(test_environment_only_from_the_spec),
		cmocka_unit_test(test_binds_with_modes),
		cmocka_unit_test(test_docker_with_an_image),
		cmocka_unit_test(test_paths_the_v_syntax_cannot_carry),
		cmocka_unit_test(test_client_environment),
		cmocka_unit_test(test_engine_choice),
		cmocka_unit_test(test_seccomp_profile),
		cmocka_unit_test(test_engine_error_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
