/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c: source validation before a build. Files that look like
 * credentials (.env, .pypirc, private keys, credentials*) would be copied
 * into the sandbox and could land in the sdist; a setup.py that reaches the
 * network or spawns shells is worth a look even though the sandbox contains
 * it; URL requirements bypass the wheelhouse. Each finding is a warning
 * with a code, or the build's error with build.strict (--strict).
 * Directories reached through symbolic links inside the tree are scanned
 * too, as setuptools follows them into the sdist; a private key the
 * project lists in check.acknowledged-keys with its sha256 is a test
 * fixture, and every other one is reported with the line to paste.
 */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/build/internal.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/core/log.h"

/* Deeper trees are not source trees; bigger setup.py files are not read. */
#define MAX_DEPTH 24
#define SETUP_PY_MAX ((size_t)1 << 20)
#define KEY_SNIFF 4096
#define KEY_FILE_MAX ((size_t)16 << 20) /* key files are small */

struct finding_ctx {
	int strict;
	int found;
	struct hwb_error *err; /* the first finding, when strict */
	const char *const *ack; /* check.acknowledged-keys */
	size_t ack_count;
	char root[PATH_MAX];    /* the tree's resolved root, for links */
};

static void finding(struct finding_ctx *f, const char *code, const char *file,
		    const char *fmt, const char *what, const char *hint)
{
	char msg[400];

	snprintf(msg, sizeof(msg), fmt, what);
	if (f->strict && !f->found) {
		hwb_error_set(f->err, HWB_KIND_FAILED, code, "%s: %s", file, msg);
		hwb_error_hint(f->err, "%s (or build without --strict)", hint);
	}
	f->found++;
	hwb_log_warn("%s: %s: %s (fix: %s)", file, code, msg, hint);
}

static const char *const secret_names[] = {
	".env", ".env.*", ".pypirc", ".netrc", ".npmrc", ".git-credentials",
	"credentials*", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "*.p12",
	"*.pfx", "*.jks", "*.keystore",
};

/* A PEM private key, whatever the file is called. */
static int holds_private_key(int dirfd, const char *name)
{
	char buf[KEY_SNIFF + 1];
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, KEY_SNIFF);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return memmem(buf, (size_t)n, "PRIVATE KEY-----", 16) != NULL;
}

/* "PATH sha256:HEX" of a key file, as check.acknowledged-keys lists it. */
static int fingerprint(int dirfd, const char *name, const char *rel,
		       char *out, size_t outsz)
{
	char hex[65], chunk[8192];
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct hwb_buf data = HWB_BUF_INIT;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = -1;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 &&
	       data.len <= KEY_FILE_MAX)
		hwb_buf_put(&data, chunk, (size_t)n);
	if (!n && !data.oom && data.len <= KEY_FILE_MAX &&
	    !hwb_hash_buffer_hex(HWB_HASH_SHA256, data.ptr, data.len, hex,
				 &ignored)) {
		snprintf(out, outsz, "%s sha256:%s", rel, hex);
		rc = 0;
	}
	close(fd);
	hwb_buf_release(&data);
	return rc;
}

static void private_key(struct finding_ctx *f, int dirfd, const char *name,
			const char *rel)
{
	char fp[4200], hint[4400];
	size_t i;

	if (fingerprint(dirfd, name, rel, fp, sizeof(fp))) {
		finding(f, "HWB-B071", rel, "%s holds a private key", name,
			"remove the key from the source tree");
		return;
	}
	for (i = 0; i < f->ack_count; i++)
		if (!strcmp(f->ack[i], fp)) {
			hwb_log_verbose("%s: an acknowledged test-fixture key "
					"(check.acknowledged-keys)", rel);
			return;
		}
	snprintf(hint, sizeof(hint), "remove the key from the source tree; "
		 "if it is a test fixture, acknowledge exactly this file in "
		 "[tool.hwb.check]: acknowledged-keys = [\"%s\"]", fp);
	finding(f, "HWB-B071", rel, "%s holds a private key", name, hint);
}

/* A symbolic link to a directory inside the tree: the backend follows it
 * (setuptools copies what it reaches), so the scan does. Links that leave
 * the tree reach nothing in the sandbox's copy. */
static int inside_link(struct finding_ctx *f, int dirfd, const char *name)
{
	char link[PATH_MAX], real[PATH_MAX];
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	size_t n = strlen(f->root);
	int ok;

	if (fd < 0 || !f->root[0]) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ok = realpath(link, real) && !strncmp(real, f->root, n) &&
	     (real[n] == '/' || real[n] == '\0');
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

static void walk(struct finding_ctx *f, int dirfd, const char *rel, int depth)
{
	DIR *d;
	struct dirent *e;
	char path[4096];
	size_t i;
	int sub;

	if (depth > MAX_DEPTH || !(d = fdopendir(dup(dirfd))))
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    !strcmp(e->d_name, ".git") || !strcmp(e->d_name, ".hg") ||
		    !strcmp(e->d_name, "node_modules") ||
		    !strcmp(e->d_name, "__pycache__"))
			continue;
		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "",
			 e->d_name);
		if (e->d_type == DT_DIR || e->d_type == DT_LNK) {
			sub = e->d_type == DT_DIR
				      ? openat(dirfd, e->d_name, O_RDONLY |
					       O_DIRECTORY | O_NOFOLLOW |
					       O_CLOEXEC)
				      : inside_link(f, dirfd, e->d_name);
			/* MAX_DEPTH ends a loop of links */
			if (sub >= 0) {
				walk(f, sub, path, depth + 1);
				close(sub);
				continue;
			}
			continue;
		}
		if (e->d_type != DT_REG)
			continue;
		for (i = 0; i < sizeof(secret_names) / sizeof(secret_names[0]); i++)
			if (!fnmatch(secret_names[i], e->d_name, 0))
				break;
		if (i < sizeof(secret_names) / sizeof(secret_names[0]))
			finding(f, "HWB-B070", path,
				"'%s' looks like a credentials file and would be "
				"copied into the build (and maybe the sdist)",
				e->d_name, "remove it from the source tree or "
				"exclude it from the project");
		else if (holds_private_key(dirfd, e->d_name))
			private_key(f, dirfd, e->d_name, path);
	}
	closedir(d);
}

/* What setup.py may do that a build should not need. */
static const struct {
	const char *text;
	const char *code;
	const char *what;
} setup_py_signs[] = {
	{ "urlopen", "HWB-B072", "reaches the network (urlopen)" },
	{ "urllib.request", "HWB-B072", "reaches the network (urllib.request)" },
	{ "http.client", "HWB-B072", "reaches the network (http.client)" },
	{ "import requests", "HWB-B072", "reaches the network (requests)" },
	{ "import socket", "HWB-B072", "opens sockets" },
	{ "pip install", "HWB-B072", "installs packages with pip" },
	{ "os.system(", "HWB-B073", "spawns a shell (os.system)" },
	{ "os.popen(", "HWB-B073", "spawns a shell (os.popen)" },
	{ "shell=True", "HWB-B073", "spawns a shell (shell=True)" },
	{ "curl ", "HWB-B073", "runs curl" },
	{ "wget ", "HWB-B073", "runs wget" },
};

static void check_setup_py(struct finding_ctx *f, const char *srcdir)
{
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	char *path = hwb_strdup_printf("%s/setup.py", srcdir);
	size_t i;

	if (path && !hwb_file_read_all(path, SETUP_PY_MAX, &text, &ignored))
		for (i = 0; i < sizeof(setup_py_signs) / sizeof(setup_py_signs[0]); i++)
			if (memmem(text.ptr, text.len, setup_py_signs[i].text,
				   strlen(setup_py_signs[i].text)))
				finding(f, setup_py_signs[i].code, "setup.py",
					"setup.py %s", setup_py_signs[i].what,
					"a build needs neither network nor shell; "
					"move that step out of the build");
	hwb_buf_release(&text);
	free(path);
}

int hwb_build__validate_source(const char *const *ack, size_t ack_count,
			       const char *srcdir,
			       const struct hwb_build__system *sys, int strict,
			       struct hwb_error *err)
{
	struct finding_ctx f;
	size_t i;
	int fd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	memset(&f, 0, sizeof(f));
	f.strict = strict;
	f.err = err;
	f.ack = ack;
	f.ack_count = ack_count;
	if (!realpath(srcdir, f.root))
		f.root[0] = '\0';

	if (fd >= 0) {
		walk(&f, fd, "", 0);
		close(fd);
	}
	check_setup_py(&f, srcdir);
	for (i = 0; i < sys->require_count; i++)
		if (strstr(sys->requires[i], "://") ||
		    strstr(sys->requires[i], " @ ") ||
		    strstr(sys->requires[i], "@ "))
			finding(&f, "HWB-B074", "pyproject.toml",
				"build requirement '%s' is a URL requirement",
				sys->requires[i], "publish the wheel to your "
				"wheelhouse or index and require it by name");
	return strict && f.found ? -1 : 0;
}
