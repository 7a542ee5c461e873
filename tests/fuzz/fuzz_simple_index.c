/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the simple-repository page parsers (a package
 * index's answer is untrusted). The first byte picks JSON (PEP 691) or
 * HTML (PEP 503); the rest is the page. Every wheel accepted must belong
 * to the project, have a hash that is empty or 64 hex digits and an
 * absolute URL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"
#include "pkg/wheel/wheel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_reqs__project p = { 0 };
	struct hwb_error err = HWB_ERROR_INIT;
	char *text;
	size_t i;

	if (!size)
		return 0;
	if (!(text = malloc(size)))
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = 0; /* pages arrive in a NUL-terminated hwb_buf */
	p.name = strdup("wheel");
	if (hwb_reqs__index_parse(text, size - 1, data[0] & 1,
				   "https://index.example/simple/wheel/", &p,
				   &err) && !err.code[0])
		abort();
	for (i = 0; i < p.count; i++) {
		struct hwb_wheel_filename wn;
		size_t hl = strlen(p.dists[i].sha256);

		if ((hl != 0 && hl != 64) || !strstr(p.dists[i].url, "://") ||
		    hwb_wheel_filename_parse(p.dists[i].filename, &wn, &err))
			abort();
		if (strcmp(wn.project, "wheel"))
			abort();
		hwb_wheel_filename_release(&wn);
		free(p.dists[i].filename);
		free(p.dists[i].version);
		free(p.dists[i].tags);
		free(p.dists[i].url);
		free(p.dists[i].index_page);
		free(p.dists[i].requires_python);
	}
	free(p.dists);
	free(p.name);
	free(text);
	return 0;
}
