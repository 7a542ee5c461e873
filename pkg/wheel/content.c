/* SPDX-License-Identifier: Apache-2.0 */
/*
 * content.c: the checks on a member's bytes (hwb_wheel__check_member_bytes,
 * called from the checker's threads): leaked secrets in text and bytecode
 * (32, secrets.c), .pth files that run code at interpreter start, script
 * shebangs (25), and ELF binaries (34, elf.c, elfpolicy.c). It keeps no
 * state between calls; a streamed member's later chunks only get the
 * secret scan.
 */
#include "pkg/wheel/internal.h"

#include <string.h>

/*
 * What marks a .pth line as decoding or running a hidden payload rather
 * than importing a module: dynamic execution, decoders, byte building.
 * (setuptools' distutils-precedence.pth imports a named module with
 * __import__('...'), which is allowed.)
 */
static const char *const payload_patterns[] = {
	"exec(", "eval(", "compile(", "b64decode", "base64", "b32decode",
	"b16decode", "a85decode", "b85decode", "codecs.decode", "rot13",
	"rot_13", "marshal", "zlib", "lzma", "bz2", "bytes.fromhex",
	"binascii", "\\x", "chr(", "getattr(", "urlopen", "socket",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* Files whose bytes are machine code, where a key-shaped string is more
 * often a parser's constant than a leak; source and bytecode are scanned. */
static int is_native(const char *name, const struct hwb_wheel_chunk *ch)
{
	static const char *const exts[] = { ".so", ".dylib", ".pyd", ".dll",
					    ".exe", ".a", ".o", ".lib" };
	size_t i;

	for (i = 0; i < COUNT(exts); i++)
		if (ends_with(name, exts[i]))
			return 1;
	if (strstr(name, ".so."))
		return 1;
	if (ch->offset == 0 && ch->len >= 4 &&
	    (!memcmp(ch->data, "\x7f" "ELF", 4) ||
	     !memcmp(ch->data, "\xcf\xfa\xed\xfe", 4) ||
	     !memcmp(ch->data, "\xca\xfe\xba\xbe", 4) ||
	     !memcmp(ch->data, "MZ", 2)))
		return 1;
	return 0;
}

/*
 * Text, as git decides it: no NUL in the first 8000 bytes. The secret scan
 * covers text and bytecode (check 32); images, archives and other binary
 * data are passed over, which also keeps the scan off the bulk of large
 * binary members.
 */
static int is_text(const struct hwb_wheel_chunk *ch)
{
	return !memchr(ch->data + ch->overlap, 0,
		       ch->len - ch->overlap < 8000 ? ch->len - ch->overlap
						    : 8000);
}

/* The path of m inside purelib/platlib, or NULL. */
static const char *lib_path(const char *name)
{
	const char *slash = strchr(name, '/');
	size_t t = slash ? (size_t)(slash - name) : strlen(name);

	if (!slash)
		return name;
	if (t > 5 && !strncmp(name + t - 5, ".data", 5)) {
		if (!strncmp(slash + 1, "purelib/", 8) ||
		    !strncmp(slash + 1, "platlib/", 8))
			return slash + 9;
	}
	return NULL;
}

/* "__import__('name')" with a literal module name. */
static int literal_import(const char *p, const char *end)
{
	char quote;

	p += strlen("__import__(");
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || (*p != '\'' && *p != '"'))
		return 0;
	quote = *p++;
	while (p < end && (*p == '_' || *p == '.' || (*p >= '0' && *p <= '9') ||
			   (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		p++;
	if (p >= end || *p != quote)
		return 0;
	for (p++; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	return p < end && *p == ')';
}

static int hidden_payload(const char *line, const char *end)
{
	size_t i, n = (size_t)(end - line);
	const char *p;

	for (i = 0; i < COUNT(payload_patterns); i++)
		if (memmem(line, n, payload_patterns[i],
			   strlen(payload_patterns[i])))
			return 1;
	for (p = line; (p = memmem(p, (size_t)(end - p), "__import__(", 11));
	     p += 11)
		if (!literal_import(p, end))
			return 1;
	return 0;
}

/*
 * site.py executes every line of a top-level .pth file that starts with
 * "import " or "import\t", at every interpreter start: a persistence trick
 * of malicious packages (and a few legitimate ones).
 */
static int check_pth(const struct hwb_wheel_ctx *c,
		     const struct hwb_wheel_member *m,
		     const struct hwb_wheel_chunk *ch)
{
	const char *p = (const char *)ch->data, *end = p + ch->len, *eol;
	unsigned line = 0, first = 0;

	for (; p < end; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		line++;
		if (eol - p >= 7 &&
		    (!memcmp(p, "import ", 7) || !memcmp(p, "import\t", 7))) {
			if (hidden_payload(p, eol))
				return hwb_wheel__add(
					c->report, "HWB-W090",
					HWB_SEVERITY_ERROR, m->name,
					"line %u runs code at every Python "
					"start that decodes or executes a "
					"hidden payload; remove the .pth file "
					"and audit the build", line);
			if (!first)
				first = line;
		}
		if (eol == end)
			break;
	}
	if (first)
		return hwb_wheel__add(c->report, "HWB-W089",
				      HWB_SEVERITY_WARNING, m->name,
				      "line %u of this .pth file runs code at "
				      "every Python start; prefer an explicit "
				      "import or an entry point", first);
	return 0;
}

/* Installers rewrite "#!python" to the target interpreter; any other
 * Python shebang points at the build machine's interpreter. */
static int check_shebang(const struct hwb_wheel_ctx *c,
			 const struct hwb_wheel_member *m,
			 const struct hwb_wheel_chunk *ch)
{
	const char *p = (const char *)ch->data;
	const char *eol = memchr(p, '\n', ch->len);
	size_t n = eol ? (size_t)(eol - p) : ch->len;

	if (n < 2 || memcmp(p, "#!", 2) || !memmem(p, n, "python", 6))
		return 0;
	if (n >= 8 && !memcmp(p, "#!python", 8) &&
	    (n == 8 || p[8] == ' ' || p[8] == '\r' || p[8] == 'w'))
		return 0;
	return hwb_wheel__add(c->report, "HWB-W076", HWB_SEVERITY_WARNING,
			      m->name,
			      "the script's first line names a Python "
			      "interpreter of the build machine; write "
			      "'#!python' so installers put the right one");
}

static int in_scripts(const char *name)
{
	const char *slash = strchr(name, '/');

	return slash && slash - name > 5 && !strncmp(slash - 5, ".data", 5) &&
	       !strncmp(slash + 1, "scripts/", 8);
}

int hwb_wheel__check_member_bytes(const struct hwb_wheel_ctx *c,
				  const struct hwb_wheel_member *m,
				  const struct hwb_wheel_chunk *chunk)
{
	const char *lp;
	int ret = 0, bytecode;

	bytecode = ends_with(m->name, ".pyc") || ends_with(m->name, ".pyo");
	if (bytecode || (!is_native(m->name, chunk) && is_text(chunk)))
		ret |= hwb_wheel__scan_secrets(c->report, m->name, chunk->data,
					       chunk->len, chunk->overlap,
					       bytecode);
	if (chunk->offset != 0)
		return ret ? -1 : 0;
	lp = lib_path(m->name);
	if (lp && !strchr(lp, '/') && ends_with(lp, ".pth") && strlen(lp) > 4)
		ret |= check_pth(c, m, chunk);
	if (in_scripts(m->name))
		ret |= check_shebang(c, m, chunk);
	ret |= hwb_wheel__check_elf(c, m, chunk);
	return ret ? -1 : 0;
}
