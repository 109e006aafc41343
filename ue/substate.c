/* Subscription-State values (RFC 6665 8.2.3): a small pure parser. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ue/substate.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* RFC 3261 25.1 token characters. */
static bool is_token(unsigned char c)
{
	return isalnum(c) || (c && strchr("-.!%*_+`'~", c));
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_ws(const char *v, size_t len, size_t *i)
{
	while (*i < len && is_ws(v[*i]))
		(*i)++;
}

/* A token at *i into out (lower-cased). 0, or -1 when none or too long. */
static int take_token(const char *v, size_t len, size_t *i, char *out, size_t outlen,
		      const char *what, char *err, size_t errlen)
{
	size_t s = *i, n;

	while (*i < len && is_token((unsigned char)v[*i]))
		(*i)++;
	n = *i - s;
	if (!n)
		return fail(err, errlen, "Subscription-State: %s is not a token", what);
	if (n >= outlen)
		return fail(err, errlen, "Subscription-State: %s longer than %zu characters", what,
			    outlen - 1);
	for (size_t k = 0; k < n; k++)
		out[k] = (char)tolower((unsigned char)v[s + k]);
	out[n] = '\0';
	return 0;
}

static int take_delta(const char *v, size_t len, size_t *i, long *out, const char *what, char *err,
		      size_t errlen)
{
	long x = 0;
	size_t s = *i;

	while (*i < len && isdigit((unsigned char)v[*i])) {
		x = x * 10 + (v[*i] - '0');
		if (x > 0x7fffffffL)
			return fail(err, errlen, "Subscription-State: %s is out of range", what);
		(*i)++;
	}
	if (*i == s)
		return fail(err, errlen, "Subscription-State: %s is not a number", what);
	*out = x;
	return 0;
}

int ue_substate_parse(const char *v, size_t len, struct ue_substate *out, char *err, size_t errlen)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	out->expires = out->retry_after = -1;
	if (!v)
		return fail(err, errlen, "Subscription-State: missing");
	skip_ws(v, len, &i);
	if (i == len)
		return fail(err, errlen, "Subscription-State: empty");
	if (take_token(v, len, &i, out->token, sizeof(out->token), "the value", err, errlen))
		return -1;
	out->value = !strcmp(out->token, "active")       ? UE_SUBSTATE_ACTIVE
		     : !strcmp(out->token, "pending")    ? UE_SUBSTATE_PENDING
		     : !strcmp(out->token, "terminated") ? UE_SUBSTATE_TERMINATED
							 : UE_SUBSTATE_OTHER;
	for (;;) {
		char name[UE_SUBSTATE_TOKEN_LEN];
		bool has_value;

		skip_ws(v, len, &i);
		if (i == len)
			return 0;
		if (v[i] != ';')
			return fail(err, errlen,
				    "Subscription-State: unexpected '%c' at offset %zu",
				    isprint((unsigned char)v[i]) ? v[i] : '?', i);
		i++;
		skip_ws(v, len, &i);
		if (take_token(v, len, &i, name, sizeof(name), "a parameter name", err, errlen))
			return -1;
		skip_ws(v, len, &i);
		has_value = i < len && v[i] == '=';
		if (has_value) {
			i++;
			skip_ws(v, len, &i);
		}
		if (!strcmp(name, "expires") || !strcmp(name, "retry-after")) {
			long *dst = name[0] == 'e' ? &out->expires : &out->retry_after;

			if (!has_value)
				return fail(err, errlen, "Subscription-State: %s without a value",
					    name);
			if (*dst >= 0)
				return fail(err, errlen, "Subscription-State: %s given twice",
					    name);
			if (take_delta(v, len, &i, dst, name, err, errlen))
				return -1;
		} else if (!strcmp(name, "reason")) {
			if (!has_value)
				return fail(err, errlen,
					    "Subscription-State: reason without a value");
			if (out->reason[0])
				return fail(err, errlen, "Subscription-State: reason given twice");
			if (take_token(v, len, &i, out->reason, sizeof(out->reason), "the reason",
				       err, errlen))
				return -1;
		} else if (has_value) {
			/* generic-param: token / host / quoted-string */
			if (i < len && v[i] == '"') {
				for (i++; i < len && v[i] != '"'; i++)
					if (v[i] == '\\')
						i++;
				if (i >= len)
					return fail(
						err, errlen,
						"Subscription-State: unterminated quoted string");
				i++;
			} else {
				size_t s = i;

				while (i < len && (is_token((unsigned char)v[i]) || v[i] == ':' ||
						   v[i] == '[' || v[i] == ']'))
					i++;
				if (i == s)
					return fail(err, errlen,
						    "Subscription-State: %s without a value", name);
			}
		}
	}
}
