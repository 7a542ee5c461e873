/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the PEP 751 lock reader (pylock.build.toml comes
 * from the project, so it is untrusted). A lock it accepts must render and
 * parse again to the same rendering.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_reqs_lock *lock = NULL, *again = NULL;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf a = HWB_BUF_INIT, b = HWB_BUF_INIT;

	if (hwb_reqs__lock_parse((const char *)data, size, "fuzz", &lock, &err)) {
		if (!err.code[0])
			abort();
		return 0;
	}
	if (hwb_reqs_lock_render(lock, &a, &err) ||
	    hwb_reqs__lock_parse(a.ptr, a.len, "again", &again, &err) ||
	    hwb_reqs_lock_render(again, &b, &err) || a.len != b.len ||
	    memcmp(a.ptr, b.ptr, a.len))
		abort();
	hwb_reqs_lock_free(lock);
	hwb_reqs_lock_free(again);
	hwb_buf_release(&a);
	hwb_buf_release(&b);
	return 0;
}
