/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_build_pyproject: [build-system] reading of pkg/build on arbitrary
 * pyproject.toml text. Whatever the input, the result is either a complete
 * table (a backend, lists of strings) or an error with a B or T code.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/build/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_build__system s;
	struct hwb_error err = HWB_ERROR_INIT;
	size_t i;

	if (!hwb_build__parse_system((const char *)data, size, "pyproject.toml",
				     &s, &err)) {
		if (!s.backend || !s.backend[0])
			abort();
		for (i = 0; i < s.require_count; i++)
			if (!s.requires[i])
				abort();
		for (i = 0; i < s.path_count; i++)
			if (!s.backend_path[i])
				abort();
		hwb_build__system_release(&s);
	} else if (strncmp(err.code, "HWB-", 4)) {
		abort();
	}
	return 0;
}
