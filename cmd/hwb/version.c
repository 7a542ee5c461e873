/* SPDX-License-Identifier: Apache-2.0 */
/* version.c: `hwb version`, hwb's version and those of the linked libraries. */
#include <archive.h>
#include <curl/curlver.h>
#include <curl/curl.h>
#include <git2.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <seccomp.h>
#include <stdio.h>
#include <libdeflate.h>
#include <zlib.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "pkg/core/lazy.h"

static struct cli_common common;
static const struct cli_opt version_opts[] = {
	CLI_COMMON_OPTS(&common),
	{ 0 },
};
static const struct cli_command version_cmd = {
	"version", "[--format text|json]",
	"Print hwb's version and the versions of the libraries it uses.",
	version_opts,
};

int cmd_version(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct cli_list pos = { 0 };
	const struct scmp_version *sv = seccomp_version();
	char git2[32] = "unavailable", seccomp[32];
	const char *curl = "unavailable", *archive = "libarchive unavailable";
	int major, minor, rev, rc = 0;
	json_t *doc;

	if (cli_parse(&version_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (common.help) {
		cli_print_help(&version_cmd);
		goto cleanup;
	}
	if (pos.count) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U005",
			      "hwb version takes no arguments");
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	/* Loaded on demand: a library that cannot be loaded shows as such. */
	if (!hwb_lazy_require(HWB_LAZY_GIT2, NULL)) {
		git_libgit2_version(&major, &minor, &rev);
		snprintf(git2, sizeof(git2), "%d.%d.%d", major, minor, rev);
	}
	if (!hwb_lazy_require(HWB_LAZY_CURL, NULL))
		curl = curl_version_info(CURLVERSION_NOW)->version;
	if (!hwb_lazy_require(HWB_LAZY_ARCHIVE, NULL))
		archive = archive_version_string();
	snprintf(seccomp, sizeof(seccomp), "%u.%u.%u", sv->major, sv->minor,
		 sv->micro);
	if (cli_json(&common)) {
		doc = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}}",
				"schema", "hwb.version/1", "version", HWB_VERSION,
				"libraries", "openssl", OpenSSL_version(OPENSSL_VERSION),
				"libcurl", curl, "libarchive", archive,
				"jansson", jansson_version_str(), "libgit2", git2,
				"libseccomp", seccomp, "libdeflate", LIBDEFLATE_VERSION_STRING,
				"zlib", zlibVersion());
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(doc);
		goto cleanup;
	}
	printf("hwb %s\n", HWB_VERSION);
	printf("  %s\n", OpenSSL_version(OPENSSL_VERSION));
	printf("  libcurl %s\n", curl);
	printf("  %s\n", archive);
	printf("  jansson %s\n", jansson_version_str());
	printf("  libgit2 %s\n", git2);
	printf("  libseccomp %s\n", seccomp);
	printf("  libdeflate %s\n", LIBDEFLATE_VERSION_STRING);
	printf("  zlib %s\n", zlibVersion());
cleanup:
	cli_list_release(&pos);
	return rc;
}
