/* HTTP digest for SIP registration: RFC 2617 / RFC 7616 request-digest and
 * rspauth, RFC 3310 AKAv1-MD5 and RFC 4169 AKAv2-MD5, the challenge and
 * Authentication-Info parsers, and the Authorization value. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sec/authparam.h"
#include "sec/digest.h"
#include "sec/hex.h"

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

/* Values from the network quoted in messages are cut to keep one short line. */
#define VAL_FMT    "'%.*s%s'"
#define VAL_ARG(s) (int)(strlen(s) > 40 ? 40 : strlen(s)), (s), (strlen(s) > 40 ? "..." : "")

static const char *const alg_names[] = {
	[SEC_DIGEST_MD5] = "MD5",
	[SEC_DIGEST_MD5_SESS] = "MD5-sess",
	[SEC_DIGEST_SHA256] = "SHA-256",
	[SEC_DIGEST_SHA256_SESS] = "SHA-256-sess",
	[SEC_DIGEST_AKAV1_MD5] = "AKAv1-MD5",
	[SEC_DIGEST_AKAV2_MD5] = "AKAv2-MD5",
};

#define N_ALGS (sizeof(alg_names) / sizeof(alg_names[0]))

int sec_digest_alg_from_name(const char *name, enum sec_digest_alg *alg)
{
	if (!name) {
		*alg = SEC_DIGEST_MD5;
		return 0;
	}
	for (size_t i = 0; i < N_ALGS; i++)
		if (!strcasecmp(name, alg_names[i])) {
			*alg = (enum sec_digest_alg)i;
			return 0;
		}
	return -1;
}

const char *sec_digest_alg_name(enum sec_digest_alg alg)
{
	if ((unsigned)alg < N_ALGS)
		return alg_names[alg];
	return NULL;
}

static bool alg_is_sess(enum sec_digest_alg alg)
{
	return alg == SEC_DIGEST_MD5_SESS || alg == SEC_DIGEST_SHA256_SESS;
}

static bool alg_is_sha256(enum sec_digest_alg alg)
{
	return alg == SEC_DIGEST_SHA256 || alg == SEC_DIGEST_SHA256_SESS;
}

/* ---- parsers ---- */

void sec_challenge_clear(struct sec_challenge *ch)
{
	if (!ch)
		return;
	free(ch->scheme);
	free(ch->realm);
	free(ch->nonce);
	free(ch->opaque);
	free(ch->algorithm);
	free(ch->qop);
	free(ch->domain);
	/* CK and IK have no business on the wire, but if they came, they are keys. */
	if (ch->ck)
		OPENSSL_clear_free(ch->ck, strlen(ch->ck));
	if (ch->ik)
		OPENSSL_clear_free(ch->ik, strlen(ch->ik));
	memset(ch, 0, sizeof(*ch));
}

/* Store p's unescaped value in *dst. */
static int take(const struct sec_authparam *p, char **dst, char *err, size_t errlen)
{
	*dst = sec_authparam_value_dup(p);
	if (!*dst)
		return fail(err, errlen, "out of memory");
	return 0;
}

/* qop-options = 1#qop-value (RFC 2617 3.2.1); unknown options are ignored. */
static int parse_qop_options(struct sec_challenge *ch, char *err, size_t errlen)
{
	const char *s = ch->qop;

	while (*s) {
		size_t n;
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		n = strcspn(s, " \t,");
		if (n == 4 && !strncasecmp(s, "auth", 4))
			ch->qop_auth = true;
		else if (n == 8 && !strncasecmp(s, "auth-int", 8))
			ch->qop_auth_int = true;
		s += n;
	}
	if (!ch->qop_auth && !ch->qop_auth_int)
		return fail(err, errlen, "qop " VAL_FMT " offers neither auth nor auth-int",
			    VAL_ARG(ch->qop));
	return 0;
}

int sec_challenge_parse(const char *value, size_t len, struct sec_challenge *ch, char *err,
			size_t errlen)
{
	struct sec_authparam_list l;
	char *stale = NULL;

	memset(ch, 0, sizeof(*ch));
	if (sec_authparam_parse(value, len, true, &l, err, errlen) < 0)
		return -1;
	if (l.scheme_len != 6 || strncasecmp(l.scheme, "Digest", 6)) {
		return fail(err, errlen,
			    "unsupported authentication scheme '%.*s%s' (expected Digest)",
			    (int)(l.scheme_len > 40 ? 40 : l.scheme_len), l.scheme,
			    l.scheme_len > 40 ? "..." : "");
	}
	ch->scheme = strdup("Digest");
	if (!ch->scheme) {
		fail(err, errlen, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct sec_authparam *p = &l.param[i];
		char **dst = NULL;

		if (sec_authparam_is(p, "realm"))
			dst = &ch->realm;
		else if (sec_authparam_is(p, "nonce"))
			dst = &ch->nonce;
		else if (sec_authparam_is(p, "opaque"))
			dst = &ch->opaque;
		else if (sec_authparam_is(p, "algorithm"))
			dst = &ch->algorithm;
		else if (sec_authparam_is(p, "qop"))
			dst = &ch->qop;
		else if (sec_authparam_is(p, "stale"))
			dst = &stale;
		else if (sec_authparam_is(p, "domain"))
			dst = &ch->domain;
		else if (sec_authparam_is(p, "ck"))
			dst = &ch->ck;
		else if (sec_authparam_is(p, "ik"))
			dst = &ch->ik;
		/* Anything else (charset, userhash, ...) is ignored (RFC 2617 3.2.1). */
		if (dst && take(p, dst, err, errlen) < 0)
			goto fail;
	}
	if (!ch->realm) {
		fail(err, errlen, "missing realm parameter");
		goto fail;
	}
	if (!ch->nonce) {
		fail(err, errlen, "missing nonce parameter");
		goto fail;
	}
	if (sec_digest_alg_from_name(ch->algorithm, &ch->alg) < 0) {
		fail(err, errlen, "unknown algorithm " VAL_FMT, VAL_ARG(ch->algorithm));
		goto fail;
	}
	if (stale) {
		if (!strcasecmp(stale, "true")) {
			ch->stale = true;
		} else if (strcasecmp(stale, "false")) {
			fail(err, errlen,
			     "invalid stale value " VAL_FMT " (expected true or false)",
			     VAL_ARG(stale));
			goto fail;
		}
		free(stale);
		stale = NULL;
	}
	if (ch->qop && parse_qop_options(ch, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	free(stale);
	sec_challenge_clear(ch);
	return -1;
}

void sec_auth_info_clear(struct sec_auth_info *ai)
{
	if (!ai)
		return;
	free(ai->nextnonce);
	free(ai->qop);
	free(ai->rspauth);
	free(ai->cnonce);
	memset(ai, 0, sizeof(*ai));
}

/* nc-value = 8LHEX */
static int parse_nc(const char *s, uint32_t *nc, char *err, size_t errlen)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		int d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return fail(err, errlen, "nc " VAL_FMT " is not 8 hex digits", VAL_ARG(s));
		if (i < 8)
			v = v << 4 | (uint32_t)d;
	}
	if (i != 8)
		return fail(err, errlen, "nc " VAL_FMT " is not 8 hex digits", VAL_ARG(s));
	*nc = v;
	return 0;
}

int sec_auth_info_parse(const char *value, size_t len, struct sec_auth_info *ai, char *err,
			size_t errlen)
{
	struct sec_authparam_list l;
	char *nc = NULL;

	memset(ai, 0, sizeof(*ai));
	if (sec_authparam_parse(value, len, false, &l, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < l.n; i++) {
		const struct sec_authparam *p = &l.param[i];
		char **dst = NULL;

		if (sec_authparam_is(p, "nextnonce"))
			dst = &ai->nextnonce;
		else if (sec_authparam_is(p, "qop"))
			dst = &ai->qop;
		else if (sec_authparam_is(p, "rspauth"))
			dst = &ai->rspauth;
		else if (sec_authparam_is(p, "cnonce"))
			dst = &ai->cnonce;
		else if (sec_authparam_is(p, "nc"))
			dst = &nc;
		if (dst && take(p, dst, err, errlen) < 0)
			goto fail;
	}
	if (nc) {
		if (parse_nc(nc, &ai->nc, err, errlen) < 0)
			goto fail;
		ai->has_nc = true;
		free(nc);
	}
	return 0;
fail:
	free(nc);
	sec_auth_info_clear(ai);
	return -1;
}

int sec_aka_nonce_decode(const char *nonce, uint8_t rand[16], uint8_t autn[16], char *err,
			 size_t errlen)
{
	size_t len, n;
	uint8_t *buf;

	if (!nonce)
		return fail(err, errlen, "missing nonce");
	len = strlen(nonce);
	buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return fail(err, errlen, "out of memory");
	if (sec_base64_decode_err(nonce, len, buf, len / 4 * 3 + 1, &n, err, errlen) < 0) {
		free(buf);
		return -1;
	}
	if (n < 32) {
		free(buf);
		return fail(err, errlen, "truncated nonce: %zu bytes, RAND and AUTN need 32", n);
	}
	/* nonce = base64(RAND || AUTN || server-specific data) (RFC 3310 3.2) */
	memcpy(rand, buf, 16);
	memcpy(autn, buf + 16, 16);
	free(buf);
	return 0;
}

/* ---- computation ---- */

int sec_akav2_password(const uint8_t *res, size_t res_len, const uint8_t ik[16],
		       const uint8_t ck[16], char *out, size_t outlen)
{
	static const char label[] = "http-digest-akav2-password";
	uint8_t key[16 + 32], mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	int rc = -1;

	if ((!res && res_len) || res_len > 16 || !ik || !ck || !out || outlen < 25)
		return -1;
	/* password = base64(PRF(RES || IK || CK, "http-digest-akav2-password")),
	 * PRF = HMAC-MD5 (RFC 4169 3) */
	if (res_len)
		memcpy(key, res, res_len);
	memcpy(key + res_len, ik, 16);
	memcpy(key + res_len + 16, ck, 16);
	if (HMAC(EVP_md5(), key, (int)(res_len + 32), (const unsigned char *)label,
		 sizeof(label) - 1, mac, &mac_len) &&
	    mac_len == 16 && sec_base64_encode(mac, 16, out, outlen) == 24)
		rc = 0;
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

static bool hash_update(EVP_MD_CTX *ctx, const void *p, size_t n)
{
	return EVP_DigestUpdate(ctx, p, n) == 1;
}

static bool hash_str(EVP_MD_CTX *ctx, const char *s)
{
	return hash_update(ctx, s, strlen(s));
}

static bool hash_colon(EVP_MD_CTX *ctx)
{
	return hash_update(ctx, ":", 1);
}

static bool hash_hex(EVP_MD_CTX *ctx, char *hex)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(ctx, md, &n) != 1)
		return false;
	sec_hex_encode(md, n, hex);
	OPENSSL_cleanse(md, sizeof(md));
	return true;
}

static int check_input(const struct sec_digest_input *in, const char *method, char *err,
		       size_t errlen)
{
	if (!in)
		return fail(err, errlen, "no digest input");
	if (!sec_digest_alg_name(in->alg))
		return fail(err, errlen, "invalid algorithm %d", (int)in->alg);
	if (!in->username)
		return fail(err, errlen, "missing username");
	if (!in->realm)
		return fail(err, errlen, "missing realm");
	if (!in->nonce)
		return fail(err, errlen, "missing nonce");
	if (!in->uri)
		return fail(err, errlen, "missing uri");
	if (!method)
		return fail(err, errlen, "missing method");
	if (!in->secret && in->secret_len)
		return fail(err, errlen, "missing secret");
	if (in->qop && strcmp(in->qop, "auth") && strcmp(in->qop, "auth-int"))
		return fail(err, errlen, "unsupported qop " VAL_FMT " (auth or auth-int)",
			    VAL_ARG(in->qop));
	if ((in->qop || alg_is_sess(in->alg)) && !in->cnonce)
		return fail(err, errlen, "missing cnonce (required with qop and -sess)");
	if (in->qop && !strcmp(in->qop, "auth-int") && !in->body && in->body_len)
		return fail(err, errlen, "missing body for qop auth-int");
	return 0;
}

/* request-digest (RFC 2617 3.2.2.1, RFC 7616 3.4.1) for method. */
static int compute(const struct sec_digest_input *in, const char *method, char *hex, size_t hexlen,
		   char *err, size_t errlen)
{
	EVP_MD *md;
	EVP_MD_CTX *ctx;
	char ha1[2 * EVP_MAX_MD_SIZE + 1], ha2[2 * EVP_MAX_MD_SIZE + 1];
	char hbody[2 * EVP_MAX_MD_SIZE + 1], nc[9];
	bool ok;
	size_t hl;

	if (check_input(in, method, err, errlen) < 0)
		return -1;
	hl = alg_is_sha256(in->alg) ? 64 : 32;
	if (!hex || hexlen < hl + 1)
		return fail(err, errlen, "output buffer too small: %zu bytes, %zu needed", hexlen,
			    hl + 1);
	/* One explicit fetch for the four hashes: EVP_md5() would fetch the
	 * implementation again on every EVP_DigestInit_ex(). */
	md = EVP_MD_fetch(NULL, alg_is_sha256(in->alg) ? "SHA2-256" : "MD5", NULL);
	ctx = EVP_MD_CTX_new();
	if (!md || !ctx) {
		EVP_MD_free(md);
		EVP_MD_CTX_free(ctx);
		return fail(err, errlen, "%s is not available (OpenSSL)",
			    alg_is_sha256(in->alg) ? "SHA-256" : "MD5");
	}

	/* H(A1) = H(username ":" realm ":" secret); AKA: secret = RES, raw bytes
	 * (RFC 3310 3.3); AKAv2: the RFC 4169 password */
	ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 && hash_str(ctx, in->username) &&
	     hash_colon(ctx) && hash_str(ctx, in->realm) && hash_colon(ctx) &&
	     (!in->secret_len || hash_update(ctx, in->secret, in->secret_len)) &&
	     hash_hex(ctx, ha1);
	/* -sess: H(A1) = H(H(username ":" realm ":" secret) ":" nonce ":" cnonce) */
	if (ok && alg_is_sess(in->alg))
		ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 && hash_str(ctx, ha1) &&
		     hash_colon(ctx) && hash_str(ctx, in->nonce) && hash_colon(ctx) &&
		     hash_str(ctx, in->cnonce) && hash_hex(ctx, ha1);
	/* auth-int: H(A2) = H(method ":" uri ":" H(entity-body)) */
	if (ok && in->qop && !strcmp(in->qop, "auth-int"))
		ok = EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		     (!in->body_len || hash_update(ctx, in->body, in->body_len)) &&
		     hash_hex(ctx, hbody);
	else
		hbody[0] = '\0';
	/* H(A2) = H(method ":" uri) */
	ok = ok && EVP_DigestInit_ex(ctx, md, NULL) == 1 && hash_str(ctx, method) &&
	     hash_colon(ctx) && hash_str(ctx, in->uri) &&
	     (!hbody[0] || (hash_colon(ctx) && hash_str(ctx, hbody))) && hash_hex(ctx, ha2);
	/* qop:    KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2))
	 * no qop: KD(H(A1), nonce ":" H(A2))   (RFC 2069)
	 * with KD(secret, data) = H(secret ":" data) */
	ok = ok && EVP_DigestInit_ex(ctx, md, NULL) == 1 && hash_str(ctx, ha1) && hash_colon(ctx) &&
	     hash_str(ctx, in->nonce) && hash_colon(ctx);
	if (ok && in->qop) {
		snprintf(nc, sizeof(nc), "%08x", in->nc);
		ok = hash_str(ctx, nc) && hash_colon(ctx) && hash_str(ctx, in->cnonce) &&
		     hash_colon(ctx) && hash_str(ctx, in->qop) && hash_colon(ctx);
	}
	ok = ok && hash_str(ctx, ha2) && hash_hex(ctx, hex);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	OPENSSL_cleanse(ha1, sizeof(ha1));
	if (!ok)
		return fail(err, errlen, "digest computation failed (OpenSSL)");
	return 0;
}

int sec_digest_response(const struct sec_digest_input *in, char *hex, size_t hexlen, char *err,
			size_t errlen)
{
	return compute(in, in ? in->method : NULL, hex, hexlen, err, errlen);
}

int sec_digest_rspauth(const struct sec_digest_input *in, char *hex, size_t hexlen, char *err,
		       size_t errlen)
{
	/* RFC 2617 3.2.3: A2 = ":" digest-uri-value [":" H(entity-body)] */
	return compute(in, "", hex, hexlen, err, errlen);
}

int sec_digest_rspauth_check(const struct sec_digest_input *in, const char *rspauth, char *err,
			     size_t errlen)
{
	char want[2 * EVP_MAX_MD_SIZE + 1], got[2 * EVP_MAX_MD_SIZE + 1];
	size_t n, hl;
	int rc = 0;

	if (!rspauth)
		return fail(err, errlen, "missing rspauth");
	if (sec_digest_rspauth(in, want, sizeof(want), err, errlen) < 0)
		return -1;
	hl = strlen(want);
	n = strnlen(rspauth, hl + 1);
	if (n != hl) {
		OPENSSL_cleanse(want, sizeof(want));
		return fail(err, errlen, "rspauth has %s%zu characters, expected %zu hex digits",
			    n > hl ? "more than " : "", n > hl ? hl : n, hl);
	}
	/* LHEX, but tolerate upper case from a sloppy server */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)rspauth[i];
		got[i] = (char)(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
	}
	if (CRYPTO_memcmp(got, want, hl) != 0)
		rc = fail(err, errlen, "rspauth does not match");
	OPENSSL_cleanse(want, sizeof(want));
	OPENSSL_cleanse(got, sizeof(got));
	return rc;
}

/* ---- Authorization ---- */

struct out {
	char *p;
	size_t cap, n;
};

/* Append n bytes, keeping room for the NUL; o->n counts what did not fit. */
static void put(struct out *o, const char *s, size_t n)
{
	if (o->n < o->cap) {
		size_t room = o->cap - 1 - o->n;
		memcpy(o->p + o->n, s, n < room ? n : room);
	}
	o->n += n;
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* ,name="value" with '"' and '\' escaped as quoted-pairs */
static void put_quoted(struct out *o, const char *name, const char *v, bool first)
{
	if (!first)
		put(o, ",", 1);
	put_str(o, name);
	put(o, "=\"", 2);
	while (*v) {
		size_t run = strcspn(v, "\"\\");
		put(o, v, run);
		v += run;
		if (*v) {
			put(o, "\\", 1);
			put(o, v++, 1);
		}
	}
	put(o, "\"", 1);
}

static void put_token(struct out *o, const char *name, const char *v)
{
	put(o, ",", 1);
	put_str(o, name);
	put(o, "=", 1);
	put_str(o, v);
}

/* A header value cannot carry CR or LF (header injection) nor other
 * control characters (RFC 7230 qdtext). */
static int check_field(const char *name, const char *v, char *err, size_t errlen)
{
	for (size_t i = 0; v && v[i]; i++) {
		unsigned char c = (unsigned char)v[i];
		if (c == '\r' || c == '\n')
			return fail(err, errlen, "CR or LF in %s at position %zu", name, i + 1);
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(err, errlen, "control character 0x%02x in %s at position %zu",
				    c, name, i + 1);
	}
	return 0;
}

int sec_authorization_format(const struct sec_digest_input *in, const char *response,
			     const char *opaque, const char *auts_b64, char *out, size_t outlen,
			     char *err, size_t errlen)
{
	struct out o = {out, outlen, 0};
	bool sess;
	char nc[9];

	if (!in)
		return fail(err, errlen, "no digest input");
	if (!out || !outlen)
		return fail(err, errlen, "no output buffer");
	out[0] = '\0';
	if (!sec_digest_alg_name(in->alg))
		return fail(err, errlen, "invalid algorithm %d", (int)in->alg);
	if (!in->username)
		return fail(err, errlen, "missing username");
	if (!in->realm)
		return fail(err, errlen, "missing realm");
	if (!in->nonce)
		return fail(err, errlen, "missing nonce");
	if (!in->uri)
		return fail(err, errlen, "missing uri");
	if (!response)
		response = "";
	sess = alg_is_sess(in->alg);
	if (in->qop && strcmp(in->qop, "auth") && strcmp(in->qop, "auth-int"))
		return fail(err, errlen, "unsupported qop " VAL_FMT " (auth or auth-int)",
			    VAL_ARG(in->qop));
	if ((in->qop || sess) && !in->cnonce)
		return fail(err, errlen, "missing cnonce (required with qop and -sess)");
	if (check_field("username", in->username, err, errlen) < 0 ||
	    check_field("realm", in->realm, err, errlen) < 0 ||
	    check_field("nonce", in->nonce, err, errlen) < 0 ||
	    check_field("uri", in->uri, err, errlen) < 0 ||
	    check_field("response", response, err, errlen) < 0 ||
	    check_field("cnonce", in->cnonce, err, errlen) < 0 ||
	    check_field("opaque", opaque, err, errlen) < 0 ||
	    check_field("auts", auts_b64, err, errlen) < 0)
		return -1;

	put_str(&o, "Digest ");
	put_quoted(&o, "username", in->username, true);
	put_quoted(&o, "realm", in->realm, false);
	put_quoted(&o, "nonce", in->nonce, false);
	put_quoted(&o, "uri", in->uri, false);
	put_quoted(&o, "response", response, false);
	/* The initial REGISTER (empty nonce) names the algorithm only when it is
	 * not the MD5 default, i.e. for IMS-AKA; a response to a challenge
	 * always echoes it (RFC 7616 3.4). */
	if (in->alg != SEC_DIGEST_MD5 || in->nonce[0])
		put_token(&o, "algorithm", sec_digest_alg_name(in->alg));
	if (in->qop || sess)
		put_quoted(&o, "cnonce", in->cnonce, false);
	if (in->qop) {
		put_token(&o, "qop", in->qop);
		snprintf(nc, sizeof(nc), "%08x", in->nc);
		put_token(&o, "nc", nc);
	}
	if (opaque)
		put_quoted(&o, "opaque", opaque, false);
	if (auts_b64)
		put_quoted(&o, "auts", auts_b64, false);
	if (o.n >= outlen) {
		out[0] = '\0';
		return fail(err, errlen, "Authorization value needs %zu bytes, buffer has %zu",
			    o.n + 1, outlen);
	}
	out[o.n] = '\0';
	return 0;
}
