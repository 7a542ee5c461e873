/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sbom.c: the CycloneDX 1.6 SBOM hwb puts in every wheel it builds, at
 * <name>.dist-info/sboms/hwb-build.cdx.json (PEP 770): the wheel as the
 * described component, the interpreter and every build requirement that
 * was installed (with its wheel's sha256) as the build environment, and
 * each file of the wheel with its sha256. Its serial number and timestamp
 * derive from the content and SOURCE_DATE_EPOCH, so it is reproducible.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/build/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/hash.h"

static json_t *hashes(const char *sha256)
{
	return json_pack("[{s:s, s:s}]", "alg", "SHA-256", "content", sha256);
}

static json_t *environment(const struct hwb_build__ctx *c)
{
	json_t *a = json_array();
	char *purl;
	size_t i;

	json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:s}]}",
					   "type", "application", "bom-ref",
					   "build:python", "name", "python",
					   "version", c->py.python_full_version,
					   "properties", "name", "hwb:build:role",
					   "value", "interpreter"));
	for (i = 0; i < c->reqs.count; i++) {
		const struct hwb_build__wh_item *r = &c->reqs.items[i];

		purl = hwb_strdup_printf("pkg:pypi/%s@%s", r->name, r->version);
		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:s, s:s, s:s?, s:o, s:[{s:s, s:s}]}", "type",
			"library", "bom-ref", purl ? purl : r->name, "name", r->name,
			"version", r->version, "purl", purl, "hashes",
			hashes(r->sha256), "properties", "name", "hwb:build:role",
			"value", "build-requirement"));
		free(purl);
	}
	return a;
}

static json_t *files(const struct hwb_build__sbom_file *f, size_t count)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < count; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "type", "file",
						   "name", f[i].name, "hashes",
						   hashes(f[i].sha256)));
	return a;
}

static json_t *timestamp(long long epoch)
{
	char buf[HWB_ISO_TIME_MAX];

	hwb_iso_time(epoch, buf, sizeof(buf));
	return json_string(buf);
}

/* A UUID (version 5 layout) from the SHA-256 of the document without it,
 * so the same content always gets the same serial number. */
static int serial(const char *text, char out[46], struct hwb_error *err)
{
	uint8_t d[32];

	if (hwb_hash_buffer(HWB_HASH_SHA256, text, strlen(text), d, err))
		return -1;
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
	snprintf(out, 46,
		 "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9],
		 d[10], d[11], d[12], d[13], d[14], d[15]);
	return 0;
}

int hwb_build__sbom(const struct hwb_build__ctx *c, const char *name,
		    const char *version, const struct hwb_build__sbom_file *f,
		    size_t count, struct hwb_buf *out, struct hwb_error *err)
{
	json_t *doc;
	char *text = NULL, urn[46], epoch[32];
	int ret = -1;

	snprintf(epoch, sizeof(epoch), "%lld", c->source.epoch);
	doc = json_pack("{s:s, s:s, s:i, s:{s:o, s:{s:[{s:s, s:s, s:s}]}, s:{s:s, "
			"s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:s}]}}, s:o, s:o}",
			"bomFormat", "CycloneDX", "specVersion", "1.6", "version", 1,
			"metadata", "timestamp", timestamp(c->source.epoch), "tools",
			"components", "type", "application", "name", "hwb", "version",
			HWB_VERSION, "component", "type", "library", "bom-ref",
			"wheel", "name", name, "version", version, "properties",
			"name", "hwb:build:source-commit", "value", c->source.commit,
			"name", "hwb:build:source-date-epoch", "value", epoch,
			"components", environment(c),
			"dependencies", json_array());
	if (!doc)
		goto oom;
	/* The wheel's files, under the wheel component. */
	if (json_object_set_new(json_object_get(json_object_get(doc, "metadata"),
						"component"),
				"components", files(f, count)) ||
	    !(text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS)) ||
	    serial(text, urn, err))
		goto oom;
	free(text);
	text = NULL;
	if (json_object_set_new(doc, "serialNumber", json_string(urn)) ||
	    !(text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS)))
		goto oom;
	hwb_buf_clear(out);
	if (hwb_buf_puts(out, text) || hwb_buf_putc(out, '\n'))
		goto oom;
	ret = 0;
	goto cleanup;
oom:
	if (!err || !err->code[0])
		hwb_error_oom(err);
cleanup:
	free(text);
	json_decref(doc);
	return ret;
}
