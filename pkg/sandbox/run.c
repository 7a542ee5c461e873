/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c: hwb_sandbox_run, the one dispatch. The spec is checked once
 * (spec.c), then run by exactly one of three siblings, each supervised
 * alike (supervise.c): new namespaces (namespace.c), the host with
 * --isolation none (host.c), or a container engine (container_run.c).
 */
#include "pkg/sandbox/internal.h"

int hwb_sandbox_run(const struct hwb_sandbox_spec *spec,
		    struct hwb_sandbox_result *result, struct hwb_error *err)
{
	if (hwb_sandbox__validate(spec, err))
		return -1;
	switch (spec->isolation) {
	case HWB_ISOLATION_NONE:
		return hwb_sandbox__run_unsandboxed(spec, result, err);
	case HWB_ISOLATION_CONTAINER:
		return hwb_sandbox__run_container(spec, result, err);
	case HWB_ISOLATION_SANDBOX:
		break;
	}
	return hwb_sandbox__run_namespaced(spec, result, err);
}
