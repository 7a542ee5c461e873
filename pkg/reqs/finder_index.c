/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finder_index.c: the wheels of a project on a simple repository: PEP 691
 * JSON is asked for first, PEP 503 HTML is accepted. The page is untrusted
 * input: links are resolved against the page URL, hashes must be sha256
 * hex, yanked files and anything but wheels are left out.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/http.h"
#include "pkg/wheel/wheel.h"

/* Project pages of large projects run to a few MiB of HTML. */
#define INDEX_PAGE_MAX ((size_t)64 << 20)

/* RFC 3986 5.2.4: drop "." segments and resolve ".." in the path part
 * (after the origin, before any query or fragment), in place. */
static void remove_dot_segments(char *url, size_t origin_len)
{
	char *path = url + origin_len, *in, *out, *seg_end, *tail;
	size_t n;

	tail = path + strcspn(path, "?#");
	in = out = path;
	while (in < tail) {
		/* in points at a '/'; the segment runs to the next '/'. */
		seg_end = memchr(in + 1, '/', (size_t)(tail - in - 1));
		if (!seg_end)
			seg_end = tail;
		n = (size_t)(seg_end - in - 1);
		if (n == 1 && in[1] == '.') {
			if (seg_end == tail)
				*out++ = '/';
		} else if (n == 2 && in[1] == '.' && in[2] == '.') {
			while (out > path && *--out != '/')
				;
			if (seg_end == tail)
				*out++ = '/';
		} else {
			memmove(out, in, (size_t)(seg_end - in));
			out += seg_end - in;
		}
		in = seg_end;
	}
	memmove(out, tail, strlen(tail) + 1);
}

char *hwb_reqs__url_join(const char *base, const char *ref)
{
	const char *scheme_end = strstr(base, "://"), *host_end, *last;
	size_t origin_len;
	char *url;

	if (strstr(ref, "://"))
		return hwb_strdup(ref);
	if (!scheme_end)
		return NULL;
	if (!strncmp(ref, "//", 2))
		return hwb_strdup_printf("%.*s:%s", (int)(scheme_end - base),
					 base, ref);
	host_end = strchr(scheme_end + 3, '/');
	origin_len = host_end ? (size_t)(host_end - base) : strlen(base);
	if (ref[0] == '/')
		url = hwb_strdup_printf("%.*s%s", (int)origin_len, base, ref);
	else if (!(last = strrchr(base + origin_len, '/')))
		url = hwb_strdup_printf("%.*s/%s", (int)origin_len, base, ref);
	else
		url = hwb_strdup_printf("%.*s%s", (int)(last + 1 - base), base, ref);
	if (url)
		remove_dot_segments(url, origin_len);
	return url;
}

static int is_sha256_hex(const char *s, size_t len)
{
	size_t i;

	if (len != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

static void lower_hex(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < 64; i++)
		dst[i] = (char)((src[i] >= 'A' && src[i] <= 'F') ? src[i] + 32 : src[i]);
	dst[64] = 0;
}

/* Add one listed file when it is a wheel of the project. */
static int add_file(struct hwb_reqs__project *p, const char *filename,
		    const char *href, const char *sha256,
		    const char *requires_python, uint64_t size,
		    const char *page_url, struct hwb_error *err)
{
	struct hwb_wheel_filename wn;
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct hwb_reqs__dist d;
	char *url = NULL;
	int ret = -1;

	if (hwb_wheel_filename_parse(filename, &wn, &ignored))
		return 0; /* sdists and other files are not installed */
	if (strcmp(wn.project, p->name)) {
		hwb_wheel_filename_release(&wn);
		return 0;
	}
	if (!(url = hwb_reqs__url_join(page_url, href))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	memset(&d, 0, sizeof(d));
	d.filename = (char *)filename;
	d.version = (char *)wn.version;
	d.tags = (char *)wn.tags;
	d.url = url;
	d.index_page = (char *)page_url;
	d.requires_python = (char *)requires_python;
	d.size = size;
	if (sha256)
		lower_hex(d.sha256, sha256);
	ret = hwb_reqs__project_add(p, &d, err);
cleanup:
	free(url);
	hwb_wheel_filename_release(&wn);
	return ret;
}

static int page_error(struct hwb_error *err, const char *page_url,
		      const char *why)
{
	hwb_error_set(err, HWB_KIND_NETWORK, "HWB-B131",
		      "the index page %s is not a valid simple repository "
		      "page: %s", page_url, why);
	return hwb_error_hint(err, "check --index-url: it must be a PEP 503 "
				   "or PEP 691 simple index such as "
				   "https://pypi.org/simple/");
}

static int yanked_json(const json_t *f)
{
	const json_t *y = json_object_get(f, "yanked");

	return json_is_true(y) || json_is_string(y);
}

static int parse_json(const char *body, size_t len, const char *page_url,
		      struct hwb_reqs__project *p, struct hwb_error *err)
{
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *files, *f, *hashes, *sha, *rp, *size;
	const char *fn, *href;
	size_t i;
	int ret = -1;

	files = json_object_get(doc, "files");
	if (!json_is_object(doc) || !json_is_array(files)) {
		page_error(err, page_url, "JSON without a 'files' array");
		goto cleanup;
	}
	json_array_foreach(files, i, f) {
		fn = json_string_value(json_object_get(f, "filename"));
		href = json_string_value(json_object_get(f, "url"));
		hashes = json_object_get(f, "hashes");
		sha = json_object_get(hashes, "sha256");
		rp = json_object_get(f, "requires-python");
		size = json_object_get(f, "size");
		if (!fn || !href || !json_is_object(hashes)) {
			page_error(err, page_url, "a file without filename, "
						  "url or hashes");
			goto cleanup;
		}
		if (yanked_json(f) || strchr(fn, '/'))
			continue;
		if (sha && (!json_is_string(sha) ||
			    !is_sha256_hex(json_string_value(sha),
					   json_string_length(sha))))
			sha = NULL; /* computed from the download instead */
		if (add_file(p, fn, href, sha ? json_string_value(sha) : NULL,
			     json_is_string(rp) ? json_string_value(rp) : NULL,
			     json_is_integer(size) && json_integer_value(size) > 0
				     ? (uint64_t)json_integer_value(size) : 0,
			     page_url, err))
			goto cleanup;
	}
	ret = 0;
cleanup:
	json_decref(doc);
	return ret;
}

/* HTML attribute values and text: decode the entities PEP 503 pages use. */
static char *html_unescape(const char *s, size_t len)
{
	static const struct { const char *ent; char c; } ents[] = {
		{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		{ "&quot;", '"' }, { "&#39;", '\'' }, { "&#x27;", '\'' },
		{ "&#60;", '<' }, { "&#62;", '>' }, { "&#x3C;", '<' },
		{ "&#x3E;", '>' }, { "&#x3c;", '<' }, { "&#x3e;", '>' },
	};
	char *out = malloc(len + 1), *o = out;
	size_t i, k, el;

	if (!out)
		return NULL;
	for (i = 0; i < len;) {
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++) {
			el = strlen(ents[k].ent);
			if (i + el <= len && !strncasecmp(s + i, ents[k].ent, el))
				break;
		}
		if (k < sizeof(ents) / sizeof(ents[0])) {
			*o++ = ents[k].c;
			i += strlen(ents[k].ent);
		} else {
			*o++ = s[i++];
		}
	}
	*o = 0;
	return out;
}

/*
 * The value of attribute name in tag, the NUL-terminated text of one
 * opening tag, or NULL. Searching a copy of the tag keeps the work linear:
 * an absent attribute must not send the search through the whole page.
 */
static char *html_attr(const char *tag, const char *name, int *present)
{
	size_t nl = strlen(name);
	const char *p = tag, *v, *ve;
	char q;

	*present = 0;
	while ((p = strcasestr(p, name))) {
		if (p == tag || (p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n') ||
		    (p[nl] != '=' && p[nl] != ' ' && p[nl] != '>' && p[nl] != '/' &&
		     p[nl] != 0)) {
			p += nl;
			continue;
		}
		v = p + nl;
		*present = 1;
		if (*v != '=')
			return hwb_strdup("");
		v++;
		q = (*v == '"' || *v == '\'') ? *v++ : 0;
		for (ve = v; *ve && (q ? *ve != q : (*ve != ' ' && *ve != '>'));
		     ve++)
			;
		return html_unescape(v, (size_t)(ve - v));
	}
	return NULL;
}

/*
 * The first case-insensitive occurrence of the short needle in [p, end),
 * or NULL. glibc's strcasestr measures the whole haystack on every call,
 * which would make a page of many links quadratic.
 */
static const char *find_ci(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; p + n <= end; p++)
		if (!strncasecmp(p, needle, n))
			return p;
	return NULL;
}

static int parse_html(const char *body, size_t len, const char *page_url,
		      struct hwb_reqs__project *p, struct hwb_error *err)
{
	const char *a = body, *end = body + len, *tag_end, *text_end;
	char *href = NULL, *rp = NULL, *yanked = NULL, *text = NULL, *frag;
	char *tag = NULL;
	const char *fn;
	int present, ret = -1;

	if (memchr(body, 0, len))
		return page_error(err, page_url, "NUL byte in HTML");
	while ((a = find_ci(a, end, "<a"))) {
		if (a[2] != ' ' && a[2] != '\t' && a[2] != '\n') {
			a += 2;
			continue;
		}
		tag_end = memchr(a, '>', (size_t)(end - a));
		text_end = tag_end ? find_ci(tag_end, end, "</a>") : NULL;
		if (!tag_end || !text_end)
			break;
		free(href); free(rp); free(yanked); free(text); free(tag);
		href = rp = yanked = text = NULL;
		if (!(tag = strndup(a, (size_t)(tag_end - a + 1)))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		href = html_attr(tag, "href", &present);
		rp = html_attr(tag, "data-requires-python", &present);
		yanked = html_attr(tag, "data-yanked", &present);
		text = html_unescape(tag_end + 1, (size_t)(text_end - tag_end - 1));
		a = text_end + 4;
		if (!text) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (!href || present)
			continue; /* no link, or yanked */
		frag = strchr(href, '#');
		if (frag)
			*frag++ = 0;
		fn = text + strspn(text, " \n\t\r");
		text[(size_t)(fn - text) + strcspn(fn, " \n\t\r")] = 0;
		if (!*fn || strchr(fn, '/'))
			continue;
		if (add_file(p, fn, href,
			     frag && !strncmp(frag, "sha256=", 7) &&
					     is_sha256_hex(frag + 7, strlen(frag + 7))
				     ? frag + 7 : NULL,
			     rp, 0, page_url, err))
			goto cleanup;
	}
	ret = 0;
cleanup:
	free(href); free(rp); free(yanked); free(text); free(tag);
	return ret;
}

int hwb_reqs__index_parse(const char *body, size_t len, int json,
			   const char *page_url, struct hwb_reqs__project *p,
			   struct hwb_error *err)
{
	return json ? parse_json(body, len, page_url, p, err)
		    : parse_html(body, len, page_url, p, err);
}

int hwb_reqs__index_scan(struct hwb_reqs__finder *f, const char *name,
			  struct hwb_reqs__project *p, struct hwb_error *err)
{
	static const struct hwb_http_header accept = {
		"Accept", "application/vnd.pypi.simple.v1+json, "
			  "application/vnd.pypi.simple.v1+html;q=0.2, "
			  "text/html;q=0.01",
	};
	struct hwb_http_options opts = HWB_HTTP_OPTIONS_INIT;
	struct hwb_http_request req = { 0 };
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	const char *base = f->src->index_url;
	char *url = NULL;
	int ret = -1, json;

	url = hwb_strdup_printf("%s%s%s/", base,
				base[strlen(base) - 1] == '/' ? "" : "/", name);
	if (!url)
		return hwb_error_oom(err);
	if (f->src->http)
		opts = *f->src->http;
	if (f->src->ca_bundle)
		opts.ca_bundle = f->src->ca_bundle;
	if (!f->http && hwb_http_client_new(&f->http, &opts, err))
		goto cleanup;
	req.method = HWB_HTTP_GET;
	req.url = url;
	req.service = "package index";
	req.headers = &accept;
	req.header_count = 1;
	req.max_response = INDEX_PAGE_MAX;
	req.max_redirects = 3;
	if (hwb_http_send(f->http, &req, &resp, err))
		goto cleanup;
	if (resp.status == 404) {
		ret = 0;
		goto cleanup;
	}
	if (resp.status != 200) {
		hwb_http_status_error(&req, &resp, err);
		goto cleanup;
	}
	json = strstr(resp.content_type.ptr, "json") != NULL;
	ret = hwb_reqs__index_parse(resp.body.ptr, resp.body.len, json, url, p,
				     err);
cleanup:
	hwb_http_response_release(&resp);
	free(url);
	return ret;
}
