/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signing_config.c: reads a Sigstore signing config v0.2 and chooses the
 * services a signature is made with at a given time. The rules are those of
 * protobuf-specs sigstore_trustroot.proto (SigningConfig, Service,
 * ServiceSelector, ServiceConfiguration) and of sigstore-python 4.x
 * (SigningConfig._get_valid_services); where the two differ, the comment at
 * the rule says which is followed. Talking to the services is the signer's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pkg/sign/internal.h"
#include "pkg/core/encode.h"

extern const char hwb_sign__signing_config_production[];
extern const char hwb_sign__signing_config_production_end[];
extern const char hwb_sign__signing_config_staging[];
extern const char hwb_sign__signing_config_staging_end[];

#define MEDIA_TYPE "application/vnd.dev.sigstore.signingconfig.v0.2+json"
/* Real configs list a handful of services a kind; this many is no config. */
#define MAX_SERVICES 64
/* Supported major API versions, bit n for version n. */
#define VERSION_1 (1u << 1)
#define VERSION_2 (1u << 2)

#define CONFIG_HINT "use a signing_config.v0.2.json from a Sigstore TUF repository, or the embedded one"

const char *hwb_sign__embedded_signing_config(int staging, size_t *len)
{
	if (staging) {
		*len = (size_t)(hwb_sign__signing_config_staging_end -
				hwb_sign__signing_config_staging);
		return hwb_sign__signing_config_staging;
	}
	*len = (size_t)(hwb_sign__signing_config_production_end -
			hwb_sign__signing_config_production);
	return hwb_sign__signing_config_production;
}

static int fail(struct hwb_error *err, const char *file, const char *code,
		const char *fmt, ...) HWB_PRINTF(4, 5);

static int fail(struct hwb_error *err, const char *file, const char *code,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwb_error_vset(err, HWB_KIND_CONFIG, code, fmt, ap);
	va_end(ap);
	hwb_error_hint(err, CONFIG_HINT);
	return file ? hwb_error_at(err, file, 0, 0) : -1;
}

static int is_loopback(const char *host, size_t len)
{
	unsigned a, b, c, d;
	int used = 0;
	char ip[16];

	if (len == 9 && !strncasecmp(host, "localhost", 9))
		return 1;
	if (len == 5 && !memcmp(host, "[::1]", 5))
		return 1;
	/* 127.0.0.0/8 as a dotted quad of decimal numbers */
	if (len >= sizeof(ip) || strspn(host, "0123456789.") < len)
		return 0;
	memcpy(ip, host, len);
	ip[len] = '\0';
	return sscanf(ip, "%3u.%3u.%3u.%3u%n", &a, &b, &c, &d, &used) == 4 &&
	       (size_t)used == len && a == 127 && b < 256 && c < 256 && d < 256;
}

/*
 * https://HOST[:PORT][/PATH], or http:// to a loopback host (a test
 * instance): no user:password@, no fragment, no blank or control character.
 */
static int url_allowed(const char *url)
{
	const char *p, *host, *end;
	size_t n, hlen;
	int tls;

	for (p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '#')
			return 0;
	if (!strncasecmp(url, "https://", 8)) {
		tls = 1;
		host = url + 8;
	} else if (!strncasecmp(url, "http://", 7)) {
		tls = 0;
		host = url + 7;
	} else {
		return 0;
	}
	n = strcspn(host, "/?");
	if (memchr(host, '@', n))
		return 0;
	if (*host == '[') {
		if (!(end = memchr(host, ']', n)))
			return 0;
		hlen = (size_t)(end - host) + 1;
	} else {
		end = memchr(host, ':', n);
		hlen = end ? (size_t)(end - host) : n;
	}
	if (!hlen)
		return 0;
	/* a port: ':' and digits */
	if (hlen < n && (host[hlen] != ':' || hlen + 1 == n ||
			 strspn(host + hlen + 1, "0123456789") != n - hlen - 1))
		return 0;
	return tls || is_loopback(host, hlen);
}

/*
 * A Service. Its scalars follow the protobuf JSON mapping (pbjson.c): no
 * majorApiVersion is 0 ("not yet released": never selected), no operator
 * is "", no url is "" (refused as a URL). validFor is a message: required.
 */
static int parse_service(struct hwb_sign__service *s, json_t *obj,
			 const char *list, size_t i, const char *file,
			 struct hwb_error *err)
{
	const char *url = hwb_sign__pb_string(obj, "url");
	const char *op = hwb_sign__pb_string(obj, "operator");
	uint32_t major;
	size_t n;

	if (!json_is_object(obj) || !url || !op ||
	    hwb_sign__pb_uint32(obj, "majorApiVersion", &major))
		return fail(err, file, "HWB-S003",
			    "signing config: %s[%zu] is not a service: an object with a string url and operator and an unsigned majorApiVersion",
			    list, i);
	if (hwb_sign__pb_range(obj, "validFor", &s->valid))
		return fail(err, file, "HWB-S004",
			    "signing config: %s[%zu] (%.200s) has no validFor with an RFC 3339 start, or its end is not RFC 3339",
			    list, i, url);
	if (!url_allowed(url)) {
		fail(err, file, "HWB-S005",
		     "signing config: %s[%zu] URL '%.200s' is not https:// (http:// only to 127.0.0.0/8, [::1] or localhost)",
		     list, i, url);
		return hwb_error_hint(err, "list the service by its https:// URL");
	}
	for (n = strlen(url); url[n - 1] == '/'; n--)
		;
	s->major = major;
	s->url = malloc(n + 1);
	s->operator_name = hwb_strdup(op);
	if (!s->url || !s->operator_name)
		return hwb_error_oom(err);
	memcpy(s->url, url, n);
	s->url[n] = '\0';
	return 0;
}

/* A repeated Service field: absent or null is an empty list. */
static int parse_list(json_t *root, const char *key,
		      struct hwb_sign__service **out, size_t *n,
		      const char *file, struct hwb_error *err)
{
	json_t *list = json_object_get(root, key), *item;
	size_t i;

	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list) || json_array_size(list) > MAX_SERVICES)
		return fail(err, file, "HWB-S003",
			    "signing config: %s is not a list of at most %d services",
			    key, MAX_SERVICES);
	if (!json_array_size(list))
		return 0;
	if (!(*out = calloc(json_array_size(list), sizeof(**out))))
		return hwb_error_oom(err);
	json_array_foreach(list, i, item) {
		(*n)++;
		if (parse_service(&(*out)[i], item, key, i, file, err))
			return -1;
	}
	return 0;
}

/*
 * A ServiceConfiguration. Absent: every service, as sigstore-python does
 * when a config has none. Present, its selector is an enum whose zero value
 * SERVICE_SELECTOR_UNDEFINED the proto says a client should refuse (so does
 * sigstore-java; sigstore-python would take one service): refused, as is a
 * name we do not know. EXACT's count must be above 0 (the proto's MUST;
 * sigstore-python would read 0 as 1).
 */
static int parse_selector(json_t *root, const char *key,
			  enum hwb_sign__selector *sel, unsigned *count,
			  const char *file, struct hwb_error *err)
{
	static const char *const names[] = { "SERVICE_SELECTOR_UNDEFINED", "ALL",
					     "ANY", "EXACT" };
	json_t *cfg, *v;
	uint32_t n;
	long value = -1;
	size_t i;

	*sel = HWB_SIGN__SEL_ALL;
	*count = 0;
	if (hwb_sign__pb_message(root, key, &cfg) ||
	    hwb_sign__pb_uint32(cfg, "count", &n))
		return fail(err, file, "HWB-S003",
			    "signing config: %s is not an object with an unsigned count",
			    key);
	if (!cfg)
		return 0;
	v = json_object_get(cfg, "selector");
	if (!v || json_is_null(v))
		value = 0;
	else if (json_is_integer(v) && json_integer_value(v) >= 0 &&
		 json_integer_value(v) <= 3)
		value = (long)json_integer_value(v);
	for (i = 0; json_is_string(v) && i < 4; i++)
		if (!strcmp(json_string_value(v), names[i]))
			value = (long)i;
	if (value <= 0) {
		fail(err, file, "HWB-S006",
		     "signing config: %s.selector is %s, not ALL, ANY or EXACT",
		     key, value ? "unknown" : "undefined");
		return hwb_error_hint(err, "give the selector ALL, ANY or EXACT");
	}
	*sel = value == 1 ? HWB_SIGN__SEL_ALL :
	       value == 2 ? HWB_SIGN__SEL_ANY : HWB_SIGN__SEL_EXACT;
	if (*sel == HWB_SIGN__SEL_EXACT && !n) {
		fail(err, file, "HWB-S007",
		     "signing config: %s.selector EXACT needs a count above 0", key);
		return hwb_error_hint(err, "give EXACT a count of at least 1");
	}
	*count = n;
	return 0;
}

int hwb_sign__signing_config_parse(struct hwb_sign__signing_config *c,
				   const char *text, size_t len,
				   const char *file, struct hwb_error *err)
{
	json_error_t jerr;
	json_t *root;
	const char *mt;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr))) {
		fail(err, file, "HWB-S001", "signing config is not valid JSON: %s",
		     jerr.text);
		return hwb_error_at(err, file, (unsigned)jerr.line,
				    (unsigned)jerr.column);
	}
	mt = hwb_sign__pb_string(root, "mediaType");
	if (!json_is_object(root)) {
		fail(err, file, "HWB-S003", "signing config is not a JSON object");
	} else if (!mt || strcmp(mt, MEDIA_TYPE)) {
		fail(err, file, "HWB-S002",
		     "signing config mediaType '%.100s' is not " MEDIA_TYPE,
		     mt ? mt : "(not a string)");
	} else if (!parse_list(root, "caUrls", &c->ca, &c->nca, file, err) &&
		   !parse_list(root, "oidcUrls", &c->oidc, &c->noidc, file, err) &&
		   !parse_list(root, "rekorTlogUrls", &c->tlog, &c->ntlog, file,
			       err) &&
		   !parse_list(root, "tsaUrls", &c->tsa, &c->ntsa, file, err) &&
		   !parse_selector(root, "rekorTlogConfig", &c->tlog_sel,
				   &c->tlog_count, file, err) &&
		   !parse_selector(root, "tsaConfig", &c->tsa_sel, &c->tsa_count,
				   file, err)) {
		rc = 0;
	}
	json_decref(root);
	if (rc)
		hwb_sign__signing_config_release(c);
	return rc;
}

static void release_list(struct hwb_sign__service *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(l[i].url);
		free(l[i].operator_name);
	}
	free(l);
}

void hwb_sign__signing_config_release(struct hwb_sign__signing_config *c)
{
	release_list(c->ca, c->nca);
	release_list(c->oidc, c->noidc);
	release_list(c->tlog, c->ntlog);
	release_list(c->tsa, c->ntsa);
	memset(c, 0, sizeof(*c));
}

/* Valid at now (both ends inclusive) with a major version in versions. */
static int usable(const struct hwb_sign__service *s, int64_t now,
		  unsigned versions)
{
	return s->major < 32 && ((versions >> s->major) & 1) &&
	       hwb_sign__range_contains(&s->valid, now);
}

/*
 * The proto: the highest API version, then the newest validity start, then
 * the first listed. (sigstore-python sorts by version alone and takes the
 * last: at an instant two logs of one version are valid, it picks the one
 * listed later; the proto, and hwb, the newer.)
 */
static int better(const struct hwb_sign__service *a,
		  const struct hwb_sign__service *b)
{
	return a->major > b->major ||
	       (a->major == b->major && a->valid.start > b->valid.start);
}

static const struct hwb_sign__service *best(const struct hwb_sign__service *l,
					    size_t n, int64_t now,
					    unsigned versions)
{
	const struct hwb_sign__service *b = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (usable(&l[i], now, versions) && (!b || better(&l[i], b)))
			b = &l[i];
	return b;
}

/*
 * The best usable service of each operator, operators in the order they are
 * first listed (the proto: at most one per operator; sigstore-python keeps
 * its highest version even when other operators offer a lower one).
 */
static size_t per_operator(const struct hwb_sign__service *l, size_t n,
			   int64_t now, unsigned versions,
			   const struct hwb_sign__service **out)
{
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (!usable(&l[i], now, versions))
			continue;
		for (j = 0; j < k; j++)
			if (!strcmp(out[j]->operator_name, l[i].operator_name))
				break;
		if (j == k)
			out[k++] = &l[i];
		else if (better(&l[i], out[j]))
			out[j] = &l[i];
	}
	return k;
}

/*
 * ALL: every one; ANY: the first; EXACT: the first count. Fewer than ANY or
 * EXACT needs is an error (the proto's MUST; sigstore-python raises too).
 */
static int apply_selector(const char *what, enum hwb_sign__selector sel,
			  unsigned count, const struct hwb_sign__service **found,
			  size_t nfound, const char *when,
			  const struct hwb_sign__service **out, size_t *nout,
			  struct hwb_error *err)
{
	size_t want = sel == HWB_SIGN__SEL_ALL ? nfound :
		      sel == HWB_SIGN__SEL_ANY ? 1 : count;

	if (nfound < want) {
		fail(err, NULL, "HWB-S010",
		     "signing config: %s needs %zu service(s) of distinct operators valid at %s, %zu are",
		     what, want, when, nfound);
		return hwb_error_hint(err, "check the clock, or use a signing config that lists enough services valid now");
	}
	if (want > HWB_SIGN__MAX_SELECTED) {
		fail(err, NULL, "HWB-S012",
		     "signing config: %s selects %zu services, hwb signs with at most %d",
		     what, want, HWB_SIGN__MAX_SELECTED);
		return hwb_error_hint(err, "use a signing config whose selector asks for fewer services");
	}
	memcpy(out, found, want * sizeof(*out));
	*nout = want;
	return 0;
}

int hwb_sign__signing_config_select(const struct hwb_sign__signing_config *c,
				    int64_t now, unsigned rekor_version,
				    struct hwb_sign__selection *out,
				    struct hwb_error *err)
{
	const struct hwb_sign__service *found[MAX_SERVICES];
	unsigned rekor = rekor_version ? 1u << rekor_version : VERSION_1 | VERSION_2;
	char when[32];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (c->ntlog > MAX_SERVICES || c->ntsa > MAX_SERVICES)
		HWB_BUG("signing config lists were not made by the parser");
	hwb_iso_time(now, when, sizeof(when));
	if (rekor_version > 2) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-S011",
			      "Rekor API version %u is not supported", rekor_version);
		return hwb_error_hint(err, "sign with Rekor version 1 or 2");
	}
	if (!(out->ca = best(c->ca, c->nca, now, VERSION_1))) {
		fail(err, NULL, "HWB-S008",
		     "signing config: no Fulcio CA of API version 1 is valid at %s",
		     when);
		return hwb_error_hint(err, "check the clock, or use a signing config that lists a CA valid now");
	}
	out->oidc = best(c->oidc, c->noidc, now, VERSION_1);
	if (!(n = per_operator(c->tlog, c->ntlog, now, rekor, found))) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-S009",
			      "signing config: no Rekor log of API version %s is valid at %s",
			      rekor_version == 1 ? "1" : rekor_version == 2 ? "2" : "1 or 2",
			      when);
		hwb_error_hint(err, "choose the other Rekor version, or use a signing config that lists a log valid now (check the clock)");
		goto fail;
	}
	if (apply_selector("rekorTlogConfig", c->tlog_sel, c->tlog_count, found,
			   n, when, out->tlogs, &out->ntlogs, err))
		goto fail;
	n = per_operator(c->tsa, c->ntsa, now, VERSION_1, found);
	if (apply_selector("tsaConfig", c->tsa_sel, c->tsa_count, found, n, when,
			   out->tsas, &out->ntsas, err))
		goto fail;
	return 0;
fail:
	memset(out, 0, sizeof(*out));
	return -1;
}
