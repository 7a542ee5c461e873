/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_config: a project's pyproject.toml and hwb.toml are untrusted input.
 * Feed the bytes to the configuration layer both ways (as hwb.toml, and as
 * pyproject.toml's [tool.hwb]) and check that a failure always leaves a
 * coded error.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pkg/core/config.h"
#include "pkg/core/internal.h"

static void apply(const uint8_t *data, size_t size,
		  enum hwb_config_source source, const char *subtable)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_config *cfg = NULL;
	int configures;

	if (hwb_core__config_new(&cfg, &err))
		return;
	if (hwb_core__config_apply_text(cfg, source, "fuzz.toml",
					(const char *)data, size, subtable,
					&configures, &err) &&
	    strncmp(err.code, "HWB-", 4))
		__builtin_trap();
	/* Whatever was accepted must read back through the getters. */
	(void)hwb_config_int(cfg, "build.timeout");
	(void)hwb_config_str(cfg, "build.isolation");
	hwb_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	apply(data, size, HWB_CONFIG_HWB_TOML, NULL);
	apply(data, size, HWB_CONFIG_PYPROJECT, "tool.hwb");
	return 0;
}
