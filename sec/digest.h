/* HTTP digest for SIP: RFC 2617 / RFC 7616 (MD5, MD5-sess, SHA-256,
 * SHA-256-sess; qop auth and auth-int), RFC 3310 AKAv1-MD5 and RFC 4169
 * AKAv2-MD5, plus the parsers for the challenge and Authentication-Info
 * header values. Pure functions over bytes: no SIP stack types.
 *
 * Error convention: 0 on success, -1 on failure with a one-line reason in
 * err (which may be NULL).
 */
#ifndef IMSUE_SEC_DIGEST_H
#define IMSUE_SEC_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sec_digest_alg {
	SEC_DIGEST_MD5,
	SEC_DIGEST_MD5_SESS,
	SEC_DIGEST_SHA256,
	SEC_DIGEST_SHA256_SESS,
	SEC_DIGEST_AKAV1_MD5,
	SEC_DIGEST_AKAV2_MD5,
};

/* "MD5", "AKAv1-MD5", ... (case-insensitive); absent algorithm means MD5. */
int sec_digest_alg_from_name(const char *name, enum sec_digest_alg *alg);
const char *sec_digest_alg_name(enum sec_digest_alg alg);

/* A parsed WWW-Authenticate / Proxy-Authenticate value. Strings are
 * NUL-terminated, unquoted and unescaped, owned by the struct; absent
 * parameters are NULL. */
struct sec_challenge {
	char *scheme;            /* "Digest" */
	char *realm;
	char *nonce;
	char *opaque;
	char *algorithm;         /* as received; alg holds the parsed value */
	enum sec_digest_alg alg;
	char *qop;               /* the raw qop-options list */
	bool qop_auth;           /* "auth" offered */
	bool qop_auth_int;       /* "auth-int" offered */
	bool stale;
	char *domain;
	char *ck, *ik;           /* present only if a P-CSCF leaked them: never used */
};

int sec_challenge_parse(const char *value, size_t len, struct sec_challenge *ch,
			char *err, size_t errlen);
void sec_challenge_clear(struct sec_challenge *ch);

/* A parsed Authentication-Info value (RFC 2617 3.2.3). */
struct sec_auth_info {
	char *nextnonce;
	char *qop;
	char *rspauth;
	char *cnonce;
	uint32_t nc;
	bool has_nc;
};

int sec_auth_info_parse(const char *value, size_t len, struct sec_auth_info *ai,
			char *err, size_t errlen);
void sec_auth_info_clear(struct sec_auth_info *ai);

/* RFC 3310 3.2: nonce = base64(RAND || AUTN || server data). Checks the
 * base64 and that at least 32 bytes are present. */
int sec_aka_nonce_decode(const char *nonce, uint8_t rand[16], uint8_t autn[16],
			 char *err, size_t errlen);

/* RFC 4169: the AKAv2 password, base64(HMAC-MD5(RES||IK||CK,
 * "http-digest-akav2-password")), NUL-terminated into out (>= 25 bytes). */
int sec_akav2_password(const uint8_t *res, size_t res_len, const uint8_t ik[16],
		       const uint8_t ck[16], char *out, size_t outlen);

/* Everything that goes into one digest computation. */
struct sec_digest_input {
	enum sec_digest_alg alg;
	const char *username;
	const char *realm;
	const char *nonce;
	const char *cnonce;      /* required with qop or -sess */
	const char *qop;         /* NULL, "auth" or "auth-int" */
	uint32_t nc;
	const char *method;      /* "REGISTER"; "" for rspauth */
	const char *uri;
	/* The secret: the password (digest), RES as raw bytes (AKAv1), or the
	 * sec_akav2_password() string (AKAv2). Never strlen()ed. */
	const uint8_t *secret;
	size_t secret_len;
	const uint8_t *body;     /* for auth-int */
	size_t body_len;
};

/* request-digest as lower-case hex (33 or 65 bytes with the NUL). */
int sec_digest_response(const struct sec_digest_input *in, char *hex, size_t hexlen,
			char *err, size_t errlen);

/* The rspauth value the server must send for this request (RFC 2617
 * 3.2.3: the same computation with an empty method; in->method is ignored,
 * and with auth-int in->body is the response's body). */
int sec_digest_rspauth(const struct sec_digest_input *in, char *hex, size_t hexlen,
		       char *err, size_t errlen);

/* Check a received rspauth in constant time; 0 when it matches. */
int sec_digest_rspauth_check(const struct sec_digest_input *in, const char *rspauth,
			     char *err, size_t errlen);

/* Build an Authorization header value:
 *   Digest username="..",realm="..",nonce="..",uri="..",response="..",
 *          algorithm=..,cnonce="..",qop=..,nc=........,opaque="..",auts=".."
 * response may be "" (initial REGISTER, MAC failure); opaque and auts may be
 * NULL. Quoted strings are escaped. algorithm is left out only for MD5 with
 * an empty nonce; cnonce comes with qop or -sess, qop and nc with qop. A
 * field holding CR, LF or another control character (HTAB aside) is an
 * error, as is an out buffer too small (out is then ""). */
int sec_authorization_format(const struct sec_digest_input *in, const char *response,
			     const char *opaque, const char *auts_b64, char *out, size_t outlen,
			     char *err, size_t errlen);

/* base64 helpers (RFC 4648 4: standard alphabet, with padding).
 * sec_base64_encode() writes 4 * ceil(len / 3) characters and a NUL into out
 * and returns the number of characters, or -1 when outlen is too small.
 * sec_base64_decode() is strict: it accepts exactly what the encoder writes
 * (no white space, no URL-safe alphabet, padding required, zero unused
 * bits), never reads past len, and stores the byte count in *outn (may be
 * NULL); 0 on success, -1 on malformed input or when out (outlen bytes) is
 * too small. */
int sec_base64_encode(const uint8_t *in, size_t len, char *out, size_t outlen);
int sec_base64_decode(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *outn);

/* As sec_base64_decode(), with a one-line reason in err on failure: a
 * length that is not a multiple of 4, a character outside the alphabet or
 * misplaced padding (with its position), non-zero bits before the padding,
 * or a value longer than outlen bytes. */
int sec_base64_decode_err(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *outn,
			  char *err, size_t errlen);

#endif
