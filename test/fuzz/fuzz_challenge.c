/* Fuzz target: WWW-Authenticate / Proxy-Authenticate values
 * (sec_challenge_parse) and the auth-param tokenizer underneath, in both
 * modes. Whatever parses must hold what the header promises (realm, nonce,
 * a known algorithm, a qop flag when qop came) and survive the trip through
 * sec_authorization_format and back with the same realm, nonce and opaque;
 * whatever fails must leave nothing allocated and give a one-line reason.
 *
 * FUZZ-SOURCES: sec/digest.c sec/authparam.c sec/base64.c sec/hex.c
 * FUZZ-PKGS: libcrypto
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sec/authparam.h"
#include "sec/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reason(const char *err)
{
	if (!err[0] || strchr(err, '\n') || strchr(err, '\r'))
		abort();
}

static void check_tokenizer(const char *s, size_t len, bool with_scheme)
{
	struct sec_authparam_list l;
	char err[256] = "";

	if (sec_authparam_parse(s, len, with_scheme, &l, err, sizeof(err)) < 0) {
		check_reason(err);
		return;
	}
	if (l.n > SEC_AUTHPARAM_MAX || l.next > len || (with_scheme != (l.scheme != NULL)))
		abort();
	for (size_t i = 0; i < l.n; i++) {
		const struct sec_authparam *p = &l.param[i];
		if (!p->name_len || p->name < s || p->name + p->name_len > s + len ||
		    p->value < s || p->value + p->value_len > s + len ||
		    (!p->quoted && !p->value_len))
			abort();
		for (size_t j = 0; j < i; j++)
			if (l.param[j].name_len == p->name_len &&
			    !strncasecmp(l.param[j].name, p->name, p->name_len))
				abort();
		char *v = sec_authparam_value_dup(p);
		if (!v)
			abort();
		if (strlen(v) > p->value_len)
			abort();
		for (const char *c = v; *c; c++)
			if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f)
				abort();
		free(v);
	}
}

static void check_challenge(const char *s, size_t len)
{
	struct sec_challenge ch, back;
	struct sec_digest_input in = {0};
	char err[256] = "", out[4096], hex[65];

	memset(&ch, 0x5a, sizeof(ch));
	if (sec_challenge_parse(s, len, &ch, err, sizeof(err)) < 0) {
		check_reason(err);
		if (ch.scheme || ch.realm || ch.nonce || ch.opaque || ch.algorithm || ch.qop ||
		    ch.domain || ch.ck || ch.ik)
			abort();
		return;
	}
	if (!ch.scheme || !ch.realm || !ch.nonce || !sec_digest_alg_name(ch.alg) ||
	    (ch.qop && !ch.qop_auth && !ch.qop_auth_int) ||
	    (!ch.qop && (ch.qop_auth || ch.qop_auth_int)) || (!ch.algorithm && ch.alg != 0))
		abort();

	in.alg = ch.alg;
	in.username = "user@example.org";
	in.realm = ch.realm;
	in.nonce = ch.nonce;
	in.uri = "sip:example.org";
	in.method = "REGISTER";
	in.cnonce = "0a4f113b";
	in.qop = ch.qop_auth ? "auth" : ch.qop_auth_int ? "auth-int" : NULL;
	in.nc = 1;
	in.secret = (const uint8_t *)"pw";
	in.secret_len = 2;
	if (sec_digest_response(&in, hex, sizeof(hex), err, sizeof(err)) < 0)
		abort();
	if (sec_authorization_format(&in, hex, ch.opaque, NULL, out, sizeof(out), err,
				     sizeof(err)) < 0) {
		check_reason(err);
		/* only a value too long for the buffer may fail */
		if (strlen(ch.realm) + strlen(ch.nonce) + (ch.opaque ? strlen(ch.opaque) : 0) <
		    sizeof(out) / 2 - 200)
			abort();
	} else {
		if (sec_challenge_parse(out, strlen(out), &back, err, sizeof(err)) < 0)
			abort();
		if (strcmp(back.realm, ch.realm) || strcmp(back.nonce, ch.nonce) ||
		    !ch.opaque != !back.opaque || (ch.opaque && strcmp(back.opaque, ch.opaque)) ||
		    back.alg != ch.alg)
			abort();
		sec_challenge_clear(&back);
		/* the REGISTER's response is not the server's rspauth */
		if (sec_digest_rspauth_check(&in, hex, err, sizeof(err)) == 0)
			abort();
	}
	sec_challenge_clear(&ch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;

	check_tokenizer(s, size, true);
	check_tokenizer(s, size, false);
	check_challenge(s, size);
	return 0;
}
