/* Fuzz target: Authentication-Info values (sec_auth_info_parse). Whatever
 * parses is written back (every value quoted and escaped, nc as 8 hex
 * digits) and must parse to the same values; a parsed rspauth goes through
 * the constant-time check; failures give a one-line reason and leave
 * nothing allocated.
 *
 * FUZZ-SOURCES: sec/digest.c sec/authparam.c sec/base64.c sec/hex.c
 * FUZZ-PKGS: libcrypto
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sec/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct buf {
	char *p;
	size_t n, cap;
};

static void put_quoted(struct buf *b, const char *name, const char *v)
{
	size_t need = strlen(name) + 2 * strlen(v) + 8;
	if (b->n + need >= b->cap) {
		b->cap = (b->n + need) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	b->n += (size_t)sprintf(b->p + b->n, "%s%s=\"", b->n ? ", " : "", name);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			b->p[b->n++] = '\\';
		b->p[b->n++] = *v;
	}
	b->p[b->n++] = '"';
	b->p[b->n] = '\0';
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sec_auth_info ai, back;
	struct buf b = {0};
	char err[256] = "", nc[9];

	memset(&ai, 0x5a, sizeof(ai));
	if (sec_auth_info_parse((const char *)data, size, &ai, err, sizeof(err)) < 0) {
		if (!err[0] || strchr(err, '\n') || ai.nextnonce || ai.qop || ai.rspauth ||
		    ai.cnonce || ai.has_nc)
			abort();
		return 0;
	}
	if (ai.nextnonce)
		put_quoted(&b, "nextnonce", ai.nextnonce);
	if (ai.qop)
		put_quoted(&b, "qop", ai.qop);
	if (ai.rspauth)
		put_quoted(&b, "rspauth", ai.rspauth);
	if (ai.cnonce)
		put_quoted(&b, "cnonce", ai.cnonce);
	if (ai.has_nc) {
		snprintf(nc, sizeof(nc), "%08x", ai.nc);
		put_quoted(&b, "nc", nc);
	}
	if (sec_auth_info_parse(b.p ? b.p : "", b.n, &back, err, sizeof(err)) < 0)
		abort();
	if (!same(ai.nextnonce, back.nextnonce) || !same(ai.qop, back.qop) ||
	    !same(ai.rspauth, back.rspauth) || !same(ai.cnonce, back.cnonce) ||
	    ai.has_nc != back.has_nc || ai.nc != back.nc)
		abort();
	sec_auth_info_clear(&back);
	free(b.p);

	if (ai.rspauth) {
		struct sec_digest_input in = {
			.alg = SEC_DIGEST_MD5,
			.username = "Mufasa",
			.realm = "testrealm@host.com",
			.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093",
			.cnonce = ai.cnonce ? ai.cnonce : "0a4f113b",
			.qop = "auth",
			.nc = ai.has_nc ? ai.nc : 1,
			.method = "",
			.uri = "/dir/index.html",
			.secret = (const uint8_t *)"Circle Of Life",
			.secret_len = 14,
		};
		char want[65];
		int rc = sec_digest_rspauth_check(&in, ai.rspauth, err, sizeof(err));
		if (sec_digest_rspauth(&in, want, sizeof(want), NULL, 0) < 0)
			abort();
		if ((rc == 0) != !strcasecmp(want, ai.rspauth))
			abort();
		if (rc < 0 && (!err[0] || strchr(err, '\n')))
			abort();
	}
	sec_auth_info_clear(&ai);
	return 0;
}
