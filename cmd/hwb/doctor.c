/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doctor.c: `hwb doctor [DIR] [--release]`: can hwb build, check and verify
 * here (and, with --release, release)? The examination is pkg/doctor's;
 * this file loads the configuration (a broken one is an item of the
 * report, not the end of it), finds the Sigstore trust in use as the
 * signing commands would (trust.h), prints the report and maps it to the
 * exit status: 0, or 3 (configuration or environment) when an item failed.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "cmd/hwb/trust.h"
#include "pkg/core/config.h"
#include "pkg/doctor/doctor.h"

static struct cli_common common;
static struct {
	int release;
} o;

static const struct cli_opt doctor_opts[] = {
	{ CLI_OPT_FLAG, "release", 0, &o.release, NULL,
	  "also require what hwb release needs: an OIDC source or an API token" },
	CLI_COMMON_OPTS(&common),
	{ 0 },
};

static const struct cli_command doctor_cmd = {
	"doctor", "[DIR] [--release]",
	"Check that this machine can run hwb: the build sandbox (namespaces, "
	"AppArmor, seccomp, the memory and pids bound), the container engine, "
	"OIDC sources and release credentials, the Sigstore trust in use, the "
	"audit log, leftovers of killed builds and the configuration (DIR's, "
	"default: the current directory). Each problem comes with its remedy. "
	"Exit status 0 when build, check and verify (with --release: also "
	"release) can run here, else 3.",
	doctor_opts,
};

/* The configuration; when the project's files are broken, the user's own
 * (so the other items still see the user's settings), else defaults. */
static struct hwb_config *load(const char *dir, struct hwb_error *cfg_err)
{
	struct hwb_config_options opts = { 0 };
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;

	if (!cli_load_config(&common, dir, NULL, 0, &cfg, cfg_err))
		return cfg;
	if (hwb_config_load(&cfg, &opts, &ignored))
		return NULL;
	return cfg;
}

int cmd_doctor(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT, cfg_err = HWB_ERROR_INIT,
			 trust_err = HWB_ERROR_INIT;
	struct hwb_doctor_report report = HWB_DOCTOR_REPORT_INIT;
	struct hwb_doctor_options dopts = { 0 };
	struct hwb_doctor_trust trust = { 0 };
	struct hwb_buf out = HWB_BUF_INIT;
	struct cli_list pos = { 0 };
	struct hwb_config *cfg = NULL;
	struct cli_trust t;
	int rc = 0, opened = 0;

	if (cli_parse(&doctor_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (common.help) {
		cli_print_help(&doctor_cmd);
		goto cleanup;
	}
	if (pos.count > 1) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U005",
			      "hwb doctor: give at most one project directory");
		hwb_error_hint(&err, "see 'hwb help doctor'");
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	dopts.project_dir = pos.count ? pos.items[0] : ".";
	cfg = load(dopts.project_dir, &cfg_err);
	dopts.config = cfg;
	dopts.config_error = cfg_err.code[0] ? &cfg_err : NULL;
	dopts.release = o.release;
	if (cli_trust_open(&t, cfg, 0, NULL, NULL, &trust_err)) {
		dopts.trust_error = &trust_err;
	} else {
		cli_trust_resolve(&t, 0);
		trust.repository = t.url.ptr;
		trust.source = t.from_cache ? t.cache_dir.ptr
					    : "the copy embedded in hwb";
		trust.from_cache = t.from_cache;
		trust.taken = cli_trust_taken(&t);
		trust.timestamp_expires = t.from_cache ? t.state.timestamp.expires : 0;
		trust.max_age_days = CLI_TRUST_MAX_AGE_DAYS;
		dopts.trust = &trust;
	}
	opened = 1;
	if (hwb_doctor_run(&dopts, &report, &err) ||
	    hwb_doctor_render(&report, cli_json(&common), &out, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (!common.quiet || cli_json(&common) || !hwb_doctor_passed(&report))
		fwrite(out.ptr, 1, out.len, stdout);
	rc = hwb_doctor_passed(&report) ? 0 : HWB_KIND_CONFIG;
cleanup:
	if (opened && !dopts.trust_error)
		cli_trust_release(&t);
	hwb_doctor_report_release(&report);
	hwb_buf_release(&out);
	hwb_config_free(cfg);
	cli_list_release(&pos);
	return rc;
}
