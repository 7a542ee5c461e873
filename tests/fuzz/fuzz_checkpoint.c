/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the checkpoint (signed note) parser and the signature
 * lines, checked against the production Rekor key as a bundle would be.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pkg/sign/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hwb_sign__trust trust;
	static int loaded;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_sign__entry e;
	struct hwb_sign__note note;
	const char *root;
	size_t len;

	if (!loaded) {
		root = hwb_verify_embedded_root(0, &len);
		/* keys are decoded when selected, as hwb_sign__find_log does */
		if (hwb_sign__trust_parse(&trust, root, len, "embedded", &err) ||
		    (trust.ntlogs && hwb_sign__log_decode(&trust.tlogs[0], &err)))
			return 0;
		loaded = 1;
	}
	hwb_sign__note_parse((const char *)data, size, &note);
	memset(&e, 0, sizeof(e));
	hwb_buf_init(&e.checkpoint);
	if (hwb_buf_set(&e.checkpoint, data, size) == 0 && trust.ntlogs) {
		memcpy(e.log_id, trust.tlogs[0].log_id, 32);
		e.tree_size = (int64_t)note.size;
		hwb_sign__checkpoint_verify(&trust.tlogs[0], &e, &err);
	}
	hwb_buf_release(&e.checkpoint);
	return 0;
}
