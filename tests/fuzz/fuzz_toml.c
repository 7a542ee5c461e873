/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_toml: libFuzzer target for hwb_toml_parse. Any input must either
 * parse into a tree that can be walked and freed, or fail with a TOML error
 * code and a position; never crash, leak or read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/toml.h"

/* Touch every value so sanitizers see bad pointers in the tree. */
static size_t walk(const struct hwb_toml_value *v)
{
	size_t n = 1, i;

	if (v->type == HWB_TOML_ARRAY)
		for (i = 0; i < v->u.array.count; i++)
			n += walk(v->u.array.items[i]);
	if (v->type == HWB_TOML_TABLE)
		for (i = 0; i < v->u.table.count; i++) {
			const struct hwb_toml_kv *kv = &v->u.table.items[i];

			if (kv->key[kv->keylen] != '\0')
				abort();
			/* Keys holding NULs cannot be looked up by C string. */
			if (strlen(kv->key) == kv->keylen &&
			    hwb_toml_get(v, kv->key) == NULL)
				abort();
			n += walk(kv->value);
		}
	if (v->type == HWB_TOML_STRING && v->u.str.ptr[v->u.str.len] != '\0')
		abort();
	if (!v->line || !v->column)
		abort();
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_toml_value *doc = NULL;

	if (hwb_toml_parse(&doc, (const char *)data, size, "fuzz", &err) == 0) {
		if (!doc || doc->type != HWB_TOML_TABLE)
			abort();
		walk(doc);
		hwb_toml_get_path(doc, "tool.hwb.build");
	} else if (doc || (strncmp(err.code, "HWB-T", 5) != 0 &&
			   strcmp(err.code, "HWB-C001") != 0) ||
		   (err.code[4] == 'T' && (!err.line || !err.column))) {
		abort();
	}
	hwb_toml_free(doc);
	return 0;
}
