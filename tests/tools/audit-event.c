/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit-event: a test program that appends one audit event the way hwb's
 * commands do (configuration from the user's file and HWB_* variables,
 * then hwb_audit_from_config), so end-to-end tests can check the file.
 * usage: audit-event EVENT [KEY=VALUE | KEY:=INTEGER | KEY?=true|false]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/audit.h"
#include "pkg/core/config.h"

static int parse_field(char *arg, struct hwb_audit_field *f)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		return -1;
	*eq = '\0';
	f->key = arg;
	if (eq[-1] == ':' || eq[-1] == '?') {
		f->type = eq[-1] == ':' ? HWB_AUDIT_INT : HWB_AUDIT_BOOL;
		eq[-1] = '\0';
		f->i = strtoll(eq + 1, NULL, 10);
		f->b = !strcmp(eq + 1, "true");
		return 0;
	}
	f->type = HWB_AUDIT_STRING;
	f->s = eq + 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct hwb_config_options opts = { 0 };
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_audit audit = HWB_AUDIT_INIT;
	struct hwb_audit_field *fields = NULL;
	struct hwb_config *cfg = NULL;
	char line[1400], *path = NULL;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: audit-event EVENT [KEY=VALUE]...\n");
		return 2;
	}
	if (!(fields = calloc((size_t)argc, sizeof(*fields))))
		return 3;
	for (i = 2; i < argc; i++)
		if (parse_field(argv[i], &fields[i - 2])) {
			fprintf(stderr, "audit-event: bad field '%s'\n", argv[i]);
			free(fields);
			return 2;
		}
	if (hwb_config_load(&cfg, &opts, &err) ||
	    hwb_audit_from_config(&audit, cfg, &err) ||
	    hwb_audit_event(&audit, argv[1], fields, (size_t)(argc - 2), &err)) {
		hwb_error_format(&err, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
		rc = err.kind;
	} else if (audit.enabled && (path = hwb_audit_path(&audit))) {
		printf("%s\n", path);
	}
	free(path);
	free(fields);
	hwb_audit_release(&audit);
	hwb_config_free(cfg);
	return rc;
}
