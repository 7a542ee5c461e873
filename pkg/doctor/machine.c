/* SPDX-License-Identifier: Apache-2.0 */
/*
 * machine.c: can this machine isolate a build? The sandbox's namespaces
 * (the same probe a build runs first), AppArmor's rule on user namespaces
 * (Ubuntu 23.10+), the seccomp filter, the memory and pids bound a build
 * would get, and the container engine. A problem fails the report only
 * when it stops the isolation build.isolation chooses.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/core/config.h"
#include "pkg/doctor/internal.h"

#define APPARMOR_KEY "kernel.apparmor_restrict_unprivileged_userns"

static int namespaces(struct hwb_doctor_report *r, int sandbox)
{
	struct hwb_error e = HWB_ERROR_INIT;

	if (!hwb_sandbox_probe(&e))
		return hwb_doctor__add(r, "namespaces", HWB_DOCTOR_OK, NULL, NULL,
				       "the build sandbox's user, mount, PID and "
				       "network namespaces can be made");
	return hwb_doctor__add_error(r, "namespaces",
				     sandbox ? HWB_DOCTOR_FAIL : HWB_DOCTOR_WARN,
				     &e);
}

int hwb_doctor__apparmor(struct hwb_doctor_report *r,
			 const struct hwb_sandbox_host *h, int sandbox, int root)
{
	if (h->apparmor_restrict < 0)
		return hwb_doctor__add(r, "apparmor", HWB_DOCTOR_OK, NULL, NULL,
				       "no %s on this kernel: AppArmor does not "
				       "restrict user namespaces", APPARMOR_KEY);
	if (h->apparmor_restrict == 0)
		return hwb_doctor__add(r, "apparmor", HWB_DOCTOR_OK, NULL, NULL,
				       "%s = 0: unprivileged user namespaces "
				       "are allowed", APPARMOR_KEY);
	if (root)
		return hwb_doctor__add(r, "apparmor", HWB_DOCTOR_OK, NULL, NULL,
				       "%s = 1 binds unprivileged users only "
				       "and hwb runs as root here (others need "
				       "sudo sysctl -w %s=0)", APPARMOR_KEY,
				       APPARMOR_KEY);
	return hwb_doctor__add(r, "apparmor",
			       sandbox ? HWB_DOCTOR_FAIL : HWB_DOCTOR_WARN,
			       "HWB-B001",
			       "sudo sysctl -w " APPARMOR_KEY "=0 (GitHub's "
			       "Ubuntu 24.04 runners allow it; to keep it, a "
			       "file in /etc/sysctl.d), or an AppArmor profile "
			       "for hwb with 'userns,'",
			       "%s = 1 (Ubuntu 23.10+): AppArmor refuses "
			       "capabilities in new user namespaces, so the build "
			       "sandbox cannot be made", APPARMOR_KEY);
}

static int seccomp(struct hwb_doctor_report *r,
		   const struct hwb_sandbox_host *h, int sandbox)
{
	struct hwb_error e = HWB_ERROR_INIT;

	if (hwb_sandbox_seccomp_check(&e))
		return hwb_doctor__add_error(r, "seccomp",
					     sandbox ? HWB_DOCTOR_FAIL
						     : HWB_DOCTOR_WARN, &e);
	return hwb_doctor__add(r, "seccomp", HWB_DOCTOR_OK, NULL, NULL,
			       "the build's seccomp filter loads%s",
			       h->under_seccomp ? " (hwb itself runs under a "
						  "seccomp filter: a container's "
						  "profile)" : "");
}

static int bound(struct hwb_doctor_report *r, const struct hwb_config *cfg)
{
	struct hwb_sandbox_limits l;

	memset(&l, 0, sizeof(l));
	l.memory = (unsigned long long)hwb_config_int(cfg, "build.limits.memory");
	l.processes = (long)hwb_config_int(cfg, "build.limits.processes");
	l.address_space = (unsigned long long)hwb_config_int(
		cfg, "build.limits.address-space");
	hwb_sandbox_limits_default(&l);
	r->memory = l.memory;
	r->processes = l.processes;
	r->cgroup = hwb_sandbox_bound(&l, r->bound, sizeof(r->bound));
	if (r->cgroup)
		return hwb_doctor__add(r, "bound", HWB_DOCTOR_OK, NULL, NULL,
				       "%s", r->bound);
	return hwb_doctor__add(r, "bound", HWB_DOCTOR_WARN, "HWB-D001",
			       "run hwb as root, or in a systemd scope with "
			       "delegated controllers (systemd-run --user "
			       "--scope -p Delegate=yes hwb build), so that "
			       "build.limits.memory and build.limits.processes "
			       "bound the whole build",
			       "%s", r->bound);
}

static int container(struct hwb_doctor_report *r,
		     const struct hwb_config *cfg, int wanted, int fallback)
{
	struct hwb_error e = HWB_ERROR_INIT;
	struct hwb_sandbox_container_request req = { 0 };
	char *engine = NULL, *version = NULL;
	int rc;

	req.engine = hwb_config_str(cfg, "build.container.engine");
	req.image = hwb_config_str(cfg, "build.container.image");
	req.python = hwb_config_str(cfg, "build.container.python");
	req.runtime = hwb_config_str(cfg, "build.container.runtime");
	if (hwb_sandbox_container_check(&req, wanted, &engine, &version, &e)) {
		if (wanted || fallback)
			return hwb_doctor__add_error(r, "container",
						     wanted ? HWB_DOCTOR_FAIL
							    : HWB_DOCTOR_WARN,
						     &e);
		return hwb_doctor__add(r, "container", HWB_DOCTOR_OK, NULL, NULL,
				       "no container engine (podman or docker) "
				       "on PATH; only --isolation container "
				       "needs one");
	}
	rc = hwb_doctor__add(r, "container", HWB_DOCTOR_OK, NULL, NULL,
			     "%s%s%s%s", engine, version ? " (version " : "",
			     version ? version : "",
			     version ? ")" : ", for --isolation container");
	free(engine);
	free(version);
	return rc;
}

int hwb_doctor__machine(struct hwb_doctor_report *r,
			const struct hwb_doctor_options *o)
{
	const char *iso = hwb_config_str(o->config, "build.isolation");
	int sandbox = !iso || !strcmp(iso, "sandbox");
	struct hwb_sandbox_host h;
	size_t before = r->count;

	hwb_sandbox_host_facts(&h);
	if (namespaces(r, sandbox) ||
	    hwb_doctor__apparmor(r, &h, sandbox, geteuid() == 0) ||
	    seccomp(r, &h, sandbox))
		return -1;
	/* the sandbox is broken here: the container engine is the way out */
	while (before < r->count && r->items[before].status == HWB_DOCTOR_OK)
		before++;
	if (bound(r, o->config) ||
	    container(r, o->config, iso && !strcmp(iso, "container"),
		      before < r->count))
		return -1;
	if (iso && !strcmp(iso, "none"))
		return hwb_doctor__add(r, "isolation", HWB_DOCTOR_WARN, "HWB-D002",
				       "remove build.isolation = \"none\" (the "
				       "default is the sandbox)",
				       "build.isolation = none (%s): backends run "
				       "unsandboxed, with your files and network",
				       hwb_config_origin(o->config,
							 "build.isolation"));
	return 0;
}
