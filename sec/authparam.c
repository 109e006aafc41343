/* The auth-param list tokenizer (RFC 7235 2.1, RFC 7230 3.2.6). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sec/authparam.h"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
 *         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static size_t skip_token(const char *s, size_t len, size_t pos)
{
	while (pos < len && is_tchar((unsigned char)s[pos]))
		pos++;
	return pos;
}

/* LWS: SP, HTAB, and a line end (CRLF or LF) only when folded, i.e.
 * followed by SP or HTAB. */
static size_t skip_ws(const char *s, size_t len, size_t pos)
{
	for (;;) {
		if (pos < len && (s[pos] == ' ' || s[pos] == '\t')) {
			pos++;
		} else if (pos + 2 < len && s[pos] == '\r' && s[pos + 1] == '\n' &&
			   (s[pos + 2] == ' ' || s[pos + 2] == '\t')) {
			pos += 3;
		} else if (pos + 1 < len && s[pos] == '\n' &&
			   (s[pos + 1] == ' ' || s[pos + 1] == '\t')) {
			pos += 2;
		} else {
			return pos;
		}
	}
}

/* "'x'" for a printable byte, "byte 0x0d" otherwise. */
static const char *show(unsigned char c, char buf[16])
{
	if (c >= 0x21 && c < 0x7f)
		snprintf(buf, 16, "'%c'", c);
	else
		snprintf(buf, 16, "byte 0x%02x", c);
	return buf;
}

/* Names in messages are cut so that a hostile value cannot fill the line. */
#define NAME_FMT       "'%.*s%s'"
#define NAME_ARG(p, n) (int)((n) > 40 ? 40 : (n)), (p), ((n) > 40 ? "..." : "")

/* A quoted-string starting at s[pos] == '"'; on success *end is the offset
 * just past the closing quote. */
static int quoted_string(const char *s, size_t len, size_t pos, const char *name, size_t name_len,
			 size_t *end, char *err, size_t errlen)
{
	char b[16];

	for (pos++; pos < len; pos++) {
		unsigned char c = (unsigned char)s[pos];
		if (c == '"') {
			*end = pos + 1;
			return 0;
		}
		if (c == '\\') {
			if (pos + 1 >= len)
				break;
			/* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
			c = (unsigned char)s[++pos];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return fail(err, errlen,
					    "invalid escaped %s in value of " NAME_FMT
					    " at position %zu",
					    show(c, b), NAME_ARG(name, name_len), pos + 1);
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(err, errlen,
				    "control character (%s) in value of " NAME_FMT
				    " at position %zu",
				    show(c, b), NAME_ARG(name, name_len), pos + 1);
	}
	return fail(err, errlen, "unterminated quoted string in value of " NAME_FMT,
		    NAME_ARG(name, name_len));
}

int sec_authparam_parse(const char *s, size_t len, bool with_scheme, struct sec_authparam_list *l,
			char *err, size_t errlen)
{
	size_t pos, start;
	bool first = true;
	char b[16];

	memset(l, 0, sizeof(*l));
	l->next = len;
	pos = skip_ws(s, len, 0);
	if (with_scheme) {
		start = pos;
		pos = skip_token(s, len, pos);
		if (pos == start) {
			if (start == len)
				return fail(err, errlen, "missing authentication scheme");
			return fail(
				err, errlen,
				"invalid character (%s) in authentication scheme at position %zu",
				show((unsigned char)s[pos], b), pos + 1);
		}
		l->scheme = s + start;
		l->scheme_len = pos - start;
		start = pos;
		pos = skip_ws(s, len, pos);
		if (pos < len && pos == start)
			return fail(
				err, errlen,
				"expected white space after the scheme, found %s at position %zu",
				show((unsigned char)s[pos], b), pos + 1);
	}

	for (;;) {
		struct sec_authparam p = {0};
		size_t after_name;

		pos = skip_ws(s, len, pos);
		if (pos == len)
			break;
		if (s[pos] == ',') {
			/* RFC 7230 7: empty list elements are tolerated. */
			pos++;
			first = false;
			continue;
		}
		start = pos;
		pos = skip_token(s, len, pos);
		if (pos == start)
			return fail(err, errlen,
				    "expected a parameter name, found %s at position %zu",
				    show((unsigned char)s[pos], b), pos + 1);
		p.name = s + start;
		p.name_len = pos - start;
		after_name = pos;
		pos = skip_ws(s, len, pos);
		if (pos == len || s[pos] != '=') {
			/* After a comma, "scheme SP ..." or a bare scheme starts the next
			 * challenge. */
			if (with_scheme && !first &&
			    (pos == len || s[pos] == ',' || pos > after_name)) {
				l->next = start;
				break;
			}
			return fail(err, errlen, "expected '=' after " NAME_FMT,
				    NAME_ARG(p.name, p.name_len));
		}
		pos = skip_ws(s, len, pos + 1);
		if (pos == len || s[pos] == ',')
			return fail(err, errlen, "missing value for " NAME_FMT,
				    NAME_ARG(p.name, p.name_len));
		if (s[pos] == '"') {
			size_t end = 0;
			if (quoted_string(s, len, pos, p.name, p.name_len, &end, err, errlen) < 0)
				return -1;
			p.quoted = true;
			p.value = s + pos + 1;
			p.value_len = end - pos - 2;
			pos = end;
		} else {
			start = pos;
			pos = skip_token(s, len, pos);
			if (pos == start)
				return fail(err, errlen,
					    "invalid character (%s) in value of " NAME_FMT
					    " at position %zu",
					    show((unsigned char)s[pos], b),
					    NAME_ARG(p.name, p.name_len), pos + 1);
			p.value = s + start;
			p.value_len = pos - start;
		}
		for (size_t i = 0; i < l->n; i++)
			if (l->param[i].name_len == p.name_len &&
			    !strncasecmp(l->param[i].name, p.name, p.name_len))
				return fail(err, errlen, "duplicate parameter " NAME_FMT,
					    NAME_ARG(p.name, p.name_len));
		if (l->n == SEC_AUTHPARAM_MAX)
			return fail(err, errlen, "too many parameters (more than %d)",
				    SEC_AUTHPARAM_MAX);
		l->param[l->n++] = p;
		first = false;

		pos = skip_ws(s, len, pos);
		if (pos == len)
			break;
		if (s[pos] != ',')
			return fail(err, errlen,
				    "expected ',' after the value of " NAME_FMT
				    ", found %s at position %zu",
				    NAME_ARG(p.name, p.name_len), show((unsigned char)s[pos], b),
				    pos + 1);
		pos++;
	}
	return 0;
}

bool sec_authparam_is(const struct sec_authparam *p, const char *name)
{
	return strlen(name) == p->name_len && !strncasecmp(p->name, name, p->name_len);
}

const struct sec_authparam *sec_authparam_find(const struct sec_authparam_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (sec_authparam_is(&l->param[i], name))
			return &l->param[i];
	return NULL;
}

char *sec_authparam_value_dup(const struct sec_authparam *p)
{
	char *out = malloc(p->value_len + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < p->value_len; i++) {
		if (p->quoted && p->value[i] == '\\' && i + 1 < p->value_len)
			i++;
		out[n++] = p->value[i];
	}
	out[n] = '\0';
	return out;
}
