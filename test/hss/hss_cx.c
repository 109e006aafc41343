/* Cx answers of the test HSS (TS 29.228 6.1, TS 29.229 6.1), plus the base protocol's
 * CER/DWR/DPR (RFC 6733 5.3, 5.5, 5.4). One decoded request in, one encoded answer out. */
#include "test/hss/hss.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <osmocom/crypt/auth.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define M             DIAM_AVP_MANDATORY
#define V3GPP         DIAM_VENDOR_3GPP
#define PRODUCT_NAME  "imsue-test-hss"
#define USER_DATA_MAX 8192
/* RAND (16) || AUTS (14), TS 29.229 6.3.10 */
#define RESYNC_LEN 30

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The request's AVPs we look at, decoded once. */
struct req {
	struct diam_avp session_id, user_name, public_identity, server_name, auth_item;
	int has_session_id, has_user_name, has_public_identity, has_server_name, has_auth_item;
	uint32_t sat; /* Server-Assignment-Type */
	int has_sat;
	uint32_t uat; /* User-Authorization-Type */
	char impi[HSS_ID_MAX], impu[HSS_ID_MAX], server[HSS_ID_MAX];
};

static int find_opt(const uint8_t *body, size_t len, uint32_t code, uint32_t vendor,
		    struct diam_avp *avp, int *has, char *err, size_t errlen)
{
	int r = diam_avp_find(body, len, code, vendor, avp, err, errlen);

	if (r < 0)
		return -1;
	*has = r;
	return 0;
}

static int decode_req(const uint8_t *body, size_t len, struct req *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if (find_opt(body, len, DIAM_AVP_SESSION_ID, 0, &r->session_id, &r->has_session_id, err,
		     errlen) < 0 ||
	    find_opt(body, len, DIAM_AVP_USER_NAME, 0, &r->user_name, &r->has_user_name, err,
		     errlen) < 0 ||
	    find_opt(body, len, CX_AVP_PUBLIC_IDENTITY, V3GPP, &r->public_identity,
		     &r->has_public_identity, err, errlen) < 0 ||
	    find_opt(body, len, CX_AVP_SERVER_NAME, V3GPP, &r->server_name, &r->has_server_name,
		     err, errlen) < 0 ||
	    find_opt(body, len, CX_AVP_SIP_AUTH_DATA_ITEM, V3GPP, &r->auth_item, &r->has_auth_item,
		     err, errlen) < 0)
		return -1;
	r->has_sat = diam_find_u32(body, len, CX_AVP_SERVER_ASSIGNMENT_TYPE, V3GPP, &r->sat, err,
				   errlen);
	if (r->has_sat < 0)
		return -1;
	if (diam_find_u32(body, len, CX_AVP_USER_AUTHORIZATION_TYPE, V3GPP, &r->uat, err, errlen) <
	    0)
		return -1;
	if (r->has_user_name &&
	    diam_avp_copy_str(&r->user_name, r->impi, sizeof(r->impi), err, errlen) < 0)
		return -1;
	if (r->has_public_identity &&
	    diam_avp_copy_str(&r->public_identity, r->impu, sizeof(r->impu), err, errlen) < 0)
		return -1;
	if (r->has_server_name &&
	    diam_avp_copy_str(&r->server_name, r->server, sizeof(r->server), err, errlen) < 0)
		return -1;
	return 0;
}

/* Answer header, Session-Id first (RFC 6733 8.8), then the identity of this HSS. */
static void answer_begin(struct hss_db *db, struct diam_buf *b, const struct diam_hdr *hdr,
			 const struct req *r, int error_bit)
{
	diam_msg_begin(b, (hdr->flags & DIAM_FLAG_PROXIABLE) | (error_bit ? DIAM_FLAG_ERROR : 0),
		       hdr->code, hdr->app_id, hdr->hop_by_hop, hdr->end_to_end);
	if (r && r->has_session_id)
		diam_put_avp(b, DIAM_AVP_SESSION_ID, M, 0, r->session_id.data, r->session_id.len);
	diam_put_str(b, DIAM_AVP_ORIGIN_HOST, M, 0, db->origin_host);
	diam_put_str(b, DIAM_AVP_ORIGIN_REALM, M, 0, db->origin_realm);
}

static void put_cx_app(struct diam_buf *b)
{
	size_t g = diam_group_begin(b, DIAM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, M, 0);

	diam_put_u32(b, DIAM_AVP_VENDOR_ID, M, 0, V3GPP);
	diam_put_u32(b, DIAM_AVP_AUTH_APPLICATION_ID, M, 0, DIAM_APP_CX);
	diam_group_end(b, g);
}

/* Cx answer prolog (TS 29.229 6.1): Vendor-Specific-Application-Id, Auth-Session-State
 * NO_STATE_MAINTAINED. */
static void cx_answer_begin(struct hss_db *db, struct diam_buf *b, const struct diam_hdr *hdr,
			    const struct req *r)
{
	answer_begin(db, b, hdr, r, 0);
	put_cx_app(b);
	diam_put_u32(b, DIAM_AVP_AUTH_SESSION_STATE, M, 0, 1);
}

static void put_experimental(struct diam_buf *b, uint32_t code)
{
	size_t g = diam_group_begin(b, DIAM_AVP_EXPERIMENTAL_RESULT, M, 0);

	diam_put_u32(b, DIAM_AVP_VENDOR_ID, M, 0, V3GPP);
	diam_put_u32(b, DIAM_AVP_EXPERIMENTAL_RESULT_CODE, M, 0, code);
	diam_group_end(b, g);
}

/* Cx-specific codes 2001-2004 go in Experimental-Result only when the spec says so; the error
 * codes 5001-5011 of TS 29.229 6.2.2 always do; everything else is a base Result-Code. */
static void put_cx_error(struct diam_buf *b, uint32_t code)
{
	if (code >= 5001 && code <= 5011)
		put_experimental(b, code);
	else
		diam_put_u32(b, DIAM_AVP_RESULT_CODE, M, 0, code);
}

static long finish(struct diam_buf *b, char *err, size_t errlen)
{
	return diam_msg_end(b, err, errlen);
}

/* A protocol-level error answer (E bit, RFC 6733 7.2). */
static long error_answer(struct hss_db *db, struct diam_buf *b, const struct diam_hdr *hdr,
			 const struct req *r, uint32_t code, const char *msg, char *err,
			 size_t errlen)
{
	answer_begin(db, b, hdr, r, 1);
	diam_put_u32(b, DIAM_AVP_RESULT_CODE, M, 0, code);
	if (msg)
		diam_put_str(b, DIAM_AVP_ERROR_MESSAGE, 0, 0, msg);
	return finish(b, err, errlen);
}

static long answer_cer(struct hss_db *db, struct hss_peer *peer, const struct diam_hdr *hdr,
		       const uint8_t *body, size_t len, struct diam_buf *b, char *err,
		       size_t errlen)
{
	struct diam_avp a;
	uint8_t ip[4];
	int r;

	r = diam_avp_find(body, len, DIAM_AVP_ORIGIN_HOST, 0, &a, err, errlen);
	if (r <= 0 ||
	    diam_avp_copy_str(&a, peer->origin_host, sizeof(peer->origin_host), err, errlen) < 0)
		return r < 0 ? -1 : fail(err, errlen, "CER without Origin-Host");
	r = diam_avp_find(body, len, DIAM_AVP_ORIGIN_REALM, 0, &a, err, errlen);
	if (r <= 0 ||
	    diam_avp_copy_str(&a, peer->origin_realm, sizeof(peer->origin_realm), err, errlen) < 0)
		return r < 0 ? -1 : fail(err, errlen, "CER without Origin-Realm");
	peer->open = 1;
	hss_log(db, "CER from %s (realm %s): answering 2001", peer->origin_host,
		peer->origin_realm);

	answer_begin(db, b, hdr, NULL, 0);
	diam_put_u32(b, DIAM_AVP_RESULT_CODE, M, 0, DIAM_SUCCESS);
	memcpy(ip, &db->ip4, 4);
	diam_put_addr_ipv4(b, DIAM_AVP_HOST_IP_ADDRESS, M, 0, ip);
	diam_put_u32(b, DIAM_AVP_VENDOR_ID, M, 0, 0);
	diam_put_str(b, DIAM_AVP_PRODUCT_NAME, 0, 0, PRODUCT_NAME);
	diam_put_u32(b, DIAM_AVP_SUPPORTED_VENDOR_ID, M, 0, V3GPP);
	put_cx_app(b);
	diam_put_u32(b, DIAM_AVP_FIRMWARE_REVISION, 0, 0, 1);
	return finish(b, err, errlen);
}

/* Host part of a SIP URI ("sip:user@host;params" -> "host"), for the digest realm. */
static void uri_host(const char *uri, const char *fallback, char *out, size_t cap)
{
	const char *at = strchr(uri, '@');
	size_t n;

	if (!at || strncasecmp(uri, "sip", 3) != 0) {
		snprintf(out, cap, "%s", fallback);
		return;
	}
	at++;
	n = strcspn(at, ";:>?");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, at, n);
	out[n] = '\0';
}

/* HA1 = MD5(username ":" realm ":" password) in lower-case hex (RFC 2617 3.2.2.2). */
static int digest_ha1(const char *user, const char *realm, const char *password, char hex[33])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	if (!ctx)
		return -1;
	ok = EVP_DigestInit_ex(ctx, EVP_md5(), NULL) && EVP_DigestUpdate(ctx, user, strlen(user)) &&
	     EVP_DigestUpdate(ctx, ":", 1) && EVP_DigestUpdate(ctx, realm, strlen(realm)) &&
	     EVP_DigestUpdate(ctx, ":", 1) && EVP_DigestUpdate(ctx, password, strlen(password)) &&
	     EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == 16;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -1;
	for (i = 0; i < 16; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[32] = '\0';
	OPENSSL_cleanse(md, sizeof(md));
	return 0;
}

enum scheme {
	SCHEME_AKAV1,
	SCHEME_AKAV2,
	SCHEME_DIGEST,
};

/* The scheme to answer with: the one asked for when this subscriber has credentials for it,
 * else the subscriber's preferred one (an HSS-selected scheme, as for "Unknown"). */
static enum scheme pick_scheme(const struct hss_sub *sub, const char *asked)
{
	if (sub->has_aka && strcasecmp(asked, "Digest-AKAv1-MD5") == 0)
		return SCHEME_AKAV1;
	if (sub->has_aka && strcasecmp(asked, "Digest-AKAv2-MD5") == 0)
		return SCHEME_AKAV2;
	if (sub->has_password &&
	    (strcasecmp(asked, "SIP Digest") == 0 || strcasecmp(asked, "Digest-MD5") == 0 ||
	     strcasecmp(asked, "Digest") == 0 || strcasecmp(asked, "MD5") == 0))
		return SCHEME_DIGEST;
	return sub->preferred == HSS_AUTH_AKA ? SCHEME_AKAV1 : SCHEME_DIGEST;
}

static void sqn_hex(uint64_t sqn, char out[13])
{
	snprintf(out, 13, "%012llx", (unsigned long long)(sqn & 0xffffffffffffULL));
}

/* An AKA vector from libosmocore; with resync != NULL (RAND || AUTS) the AUTS is verified and
 * the HSS's SQN set to SQN_MS first (TS 33.102 6.3.5). Returns 0, or -1 when AUTS fails. */
static int aka_vector(struct hss_db *db, struct hss_sub *sub, const uint8_t *resync,
		      struct osmo_auth_vector *vec, char *err, size_t errlen)
{
	struct osmo_sub_auth_data aud;
	uint8_t rand[16];
	char before[13], after[13];
	int rc, tries = 0;

	sqn_hex(sub->sqn, before);
	do {
		if (db->rand_bytes(db->rand_ctx, rand, sizeof(rand)) < 0)
			return fail(err, errlen, "no random bytes for RAND");
		memset(&aud, 0, sizeof(aud));
		aud.type = OSMO_AUTH_TYPE_UMTS;
		aud.algo = OSMO_AUTH_ALG_MILENAGE;
		memcpy(aud.u.umts.k, sub->k, 16);
		memcpy(aud.u.umts.opc, sub->opc, 16);
		aud.u.umts.opc_is_op = sub->opc_is_op;
		memcpy(aud.u.umts.amf, sub->amf, 2);
		aud.u.umts.sqn = sub->sqn;
		aud.u.umts.ind_bitlen = db->ind_bitlen;
		aud.u.umts.ind = 0;
		memset(vec, 0, sizeof(*vec));
		if (resync)
			rc = osmo_auth_gen_vec_auts(vec, &aud, resync + 16, resync, rand);
		else
			rc = osmo_auth_gen_vec(vec, &aud, rand);
	} while (rc == 0 && sub->nonzero_res && memchr(vec->res, 0, vec->res_len) && ++tries < 64);
	if (rc == 0)
		sub->sqn = aud.u.umts.sqn;
	sqn_hex(sub->sqn, after);
	if (resync && rc == 0) {
		char ms[13];

		sqn_hex(aud.u.umts.sqn_ms, ms);
		sub->n_resync++;
		hss_log(db, "resync %s: AUTS valid, SQN_MS %s, HSS SQN %s -> %s", sub->impi, ms,
			before, after);
	}
	OPENSSL_cleanse(&aud, sizeof(aud));
	if (rc < 0)
		return fail(err, errlen,
			    resync ? "AUTS verification failed" : "vector generation failed");
	return 0;
}

static long answer_mar(struct hss_db *db, const struct diam_hdr *hdr, const struct req *r,
		       struct diam_buf *b, char *err, size_t errlen)
{
	struct osmo_auth_vector vec;
	struct diam_avp a;
	char asked[64] = "", realm[HSS_ID_MAX], ha1[33], why[128];
	const uint8_t *resync = NULL;
	struct hss_sub *sub;
	enum scheme scheme;
	const char *name;
	size_t g, g2;
	uint8_t av[32];
	int found;

	if (!r->has_user_name || !r->has_public_identity)
		return error_answer(db, b, hdr, r, DIAM_MISSING_AVP,
				    "MAR needs User-Name and Public-Identity", err, errlen);
	if (r->has_auth_item) {
		found = diam_avp_find(r->auth_item.data, r->auth_item.len,
				      CX_AVP_SIP_AUTHENTICATION_SCHEME, V3GPP, &a, err, errlen);
		if (found < 0)
			return -1;
		if (found && a.len < sizeof(asked) && !memchr(a.data, 0, a.len)) {
			memcpy(asked, a.data, a.len);
			asked[a.len] = '\0';
		}
		found = diam_avp_find(r->auth_item.data, r->auth_item.len, CX_AVP_SIP_AUTHORIZATION,
				      V3GPP, &a, err, errlen);
		if (found < 0)
			return -1;
		if (found && a.len == RESYNC_LEN)
			resync = a.data;
		else if (found && a.len)
			hss_log(db, "MAR %s: ignoring a %zu-byte SIP-Authorization", r->impi,
				a.len);
	}
	sub = hss_db_find_impi(db, r->impi);
	cx_answer_begin(db, b, hdr, r);
	/* Kamailio reads both identities before the result (its 403 reason depends on them). */
	diam_put_str(b, DIAM_AVP_USER_NAME, M, 0, r->impi);
	diam_put_str(b, CX_AVP_PUBLIC_IDENTITY, M, V3GPP, r->impu);
	if (!sub) {
		hss_log(db, "MAR %s %s: unknown IMPI -> 5001", r->impi, r->impu);
		put_experimental(b, CX_ERROR_USER_UNKNOWN);
		return finish(b, err, errlen);
	}
	sub->n_mar++;
	if (!hss_sub_has_impu(sub, r->impu)) {
		hss_log(db, "MAR %s %s: IMPU not in the subscription -> 5002", r->impi, r->impu);
		put_experimental(b, CX_ERROR_IDENTITIES_DONT_MATCH);
		return finish(b, err, errlen);
	}
	if (sub->reject_code) {
		hss_log(db, "MAR %s: rejected on command -> %u", r->impi, sub->reject_code);
		put_cx_error(b, sub->reject_code);
		return finish(b, err, errlen);
	}
	scheme = pick_scheme(sub, asked);
	if (resync && scheme == SCHEME_DIGEST)
		resync = NULL;
	if (scheme != SCHEME_DIGEST) {
		if (aka_vector(db, sub, resync, &vec, why, sizeof(why)) < 0) {
			hss_log(db, "MAR %s: %s -> 5003", r->impi, why);
			diam_put_u32(b, DIAM_AVP_RESULT_CODE, M, 0, DIAM_AUTHORIZATION_REJECTED);
			diam_put_str(b, DIAM_AVP_ERROR_MESSAGE, 0, 0, why);
			return finish(b, err, errlen);
		}
	}
	name = scheme == SCHEME_AKAV1   ? "Digest-AKAv1-MD5"
	       : scheme == SCHEME_AKAV2 ? "Digest-AKAv2-MD5"
					: "SIP Digest";

	diam_put_u32(b, DIAM_AVP_RESULT_CODE, M, 0, DIAM_SUCCESS);
	diam_put_u32(b, CX_AVP_SIP_NUMBER_AUTH_ITEMS, M, V3GPP, 1);
	g = diam_group_begin(b, CX_AVP_SIP_AUTH_DATA_ITEM, M, V3GPP);
	diam_put_u32(b, CX_AVP_SIP_ITEM_NUMBER, M, V3GPP, 1);
	diam_put_str(b, CX_AVP_SIP_AUTHENTICATION_SCHEME, M, V3GPP, name);
	if (scheme == SCHEME_DIGEST) {
		uri_host(r->impu, db->origin_realm, realm, sizeof(realm));
		if (digest_ha1(sub->impi, realm, sub->password, ha1) < 0)
			return fail(err, errlen, "MD5 unavailable");
		g2 = diam_group_begin(b, CX_AVP_SIP_DIGEST_AUTHENTICATE, M, V3GPP);
		diam_put_str(b, DIAM_AVP_DIGEST_REALM, M, 0, realm);
		diam_put_str(b, DIAM_AVP_DIGEST_ALGORITHM, M, 0, "MD5");
		diam_put_str(b, DIAM_AVP_DIGEST_QOP, M, 0, "auth");
		diam_put_str(b, DIAM_AVP_DIGEST_HA1, M, 0, ha1);
		diam_group_end(b, g2);
		OPENSSL_cleanse(ha1, sizeof(ha1));
		hss_log(db, "MAR %s %s scheme '%s': SIP digest, realm %s", sub->impi, r->impu,
			asked, realm);
	} else {
		char sqn[13];

		/* SIP-Authenticate = RAND || AUTN, SIP-Authorization = XRES (TS 29.229 6.3.9/10) */
		memcpy(av, vec.rand, 16);
		memcpy(av + 16, vec.autn, 16);
		diam_put_avp(b, CX_AVP_SIP_AUTHENTICATE, M, V3GPP, av, sizeof(av));
		diam_put_avp(b, CX_AVP_SIP_AUTHORIZATION, M, V3GPP, vec.res, vec.res_len);
		diam_put_avp(b, CX_AVP_CONFIDENTIALITY_KEY, M, V3GPP, vec.ck, 16);
		diam_put_avp(b, CX_AVP_INTEGRITY_KEY, M, V3GPP, vec.ik, 16);
		OPENSSL_cleanse(&vec, sizeof(vec));
		sqn_hex(sub->sqn, sqn);
		hss_log(db, "MAR %s %s scheme '%s': %s vector, SQN %s%s", sub->impi, r->impu, asked,
			name, sqn, resync ? " (after resync)" : "");
	}
	diam_group_end(b, g);
	return finish(b, err, errlen);
}

static const char *sat_name(uint32_t sat)
{
	static const char *const names[] = {
		"NO_ASSIGNMENT",
		"REGISTRATION",
		"RE_REGISTRATION",
		"UNREGISTERED_USER",
		"TIMEOUT_DEREGISTRATION",
		"USER_DEREGISTRATION",
		"TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME",
		"USER_DEREGISTRATION_STORE_SERVER_NAME",
		"ADMINISTRATIVE_DEREGISTRATION",
		"AUTHENTICATION_FAILURE",
		"AUTHENTICATION_TIMEOUT",
		"DEREGISTRATION_TOO_MUCH_DATA",
		"AAA_USER_DATA_REQUEST",
	};

	return sat < sizeof(names) / sizeof(names[0]) ? names[sat] : "unknown";
}

static long answer_sar(struct hss_db *db, const struct hss_peer *peer, const struct diam_hdr *hdr,
		       const struct req *r, struct diam_buf *b, char *err, size_t errlen)
{
	char xml[USER_DATA_MAX];
	struct hss_sub *sub;
	int with_data = 0;
	long xlen;

	if (!r->has_public_identity || !r->has_sat)
		return error_answer(db, b, hdr, r, DIAM_MISSING_AVP,
				    "SAR needs Public-Identity and Server-Assignment-Type", err,
				    errlen);
	sub = r->has_user_name ? hss_db_find_impi(db, r->impi) : hss_db_find_impu(db, r->impu);
	cx_answer_begin(db, b, hdr, r);
	if (!sub) {
		hss_log(db, "SAR %s %s: unknown user -> 5001", r->impi, r->impu);
		put_experimental(b, CX_ERROR_USER_UNKNOWN);
		return finish(b, err, errlen);
	}
	if (!hss_sub_has_impu(sub, r->impu)) {
		hss_log(db, "SAR %s %s: IMPU not in the subscription -> 5002", sub->impi, r->impu);
		put_experimental(b, CX_ERROR_IDENTITIES_DONT_MATCH);
		return finish(b, err, errlen);
	}
	sub->n_sar++;
	switch (r->sat) {
	case 0:  /* NO_ASSIGNMENT */
	case 12: /* AAA_USER_DATA_REQUEST */
		with_data = 1;
		break;
	case 1: /* REGISTRATION */
	case 2: /* RE_REGISTRATION */
	case 3: /* UNREGISTERED_USER */
		with_data = 1;
		sub->registered = r->sat != 3;
		snprintf(sub->scscf_name, sizeof(sub->scscf_name), "%s", r->server);
		snprintf(sub->scscf_host, sizeof(sub->scscf_host), "%s", peer->origin_host);
		break;
	case 6: /* TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME */
	case 7: /* USER_DEREGISTRATION_STORE_SERVER_NAME */
		sub->registered = 0;
		break;
	case 4:
	case 5:
	case 8:
	case 9:
	case 10:
	case 11:
		sub->registered = 0;
		sub->scscf_name[0] = '\0';
		break;
	default:
		hss_log(db, "SAR %s: Server-Assignment-Type %u -> 5012", sub->impi, r->sat);
		diam_put_u32(b, DIAM_AVP_RESULT_CODE, M, 0, DIAM_UNABLE_TO_COMPLY);
		return finish(b, err, errlen);
	}
	diam_put_u32(b, DIAM_AVP_RESULT_CODE, M, 0, DIAM_SUCCESS);
	diam_put_str(b, DIAM_AVP_USER_NAME, M, 0, sub->impi);
	if (with_data) {
		xlen = hss_user_data(sub, xml, sizeof(xml));
		if (xlen < 0)
			return fail(err, errlen, "User-Data for %s exceeds %d bytes", sub->impi,
				    USER_DATA_MAX);
		diam_put_avp(b, CX_AVP_USER_DATA, M, V3GPP, xml, (size_t)xlen);
	}
	hss_log(db, "SAR %s %s %s (%u) from %s: 2001%s", sub->impi, r->impu, sat_name(r->sat),
		r->sat, r->server[0] ? r->server : "-", with_data ? " with User-Data" : "");
	return finish(b, err, errlen);
}

static long answer_uar(struct hss_db *db, const struct diam_hdr *hdr, const struct req *r,
		       struct diam_buf *b, char *err, size_t errlen)
{
	struct hss_sub *sub;

	if (!r->has_public_identity)
		return error_answer(db, b, hdr, r, DIAM_MISSING_AVP, "UAR needs Public-Identity",
				    err, errlen);
	sub = r->has_user_name ? hss_db_find_impi(db, r->impi) : hss_db_find_impu(db, r->impu);
	cx_answer_begin(db, b, hdr, r);
	if (!sub || !hss_sub_has_impu(sub, r->impu)) {
		hss_log(db, "UAR %s %s -> %u", r->impi, r->impu,
			sub ? CX_ERROR_IDENTITIES_DONT_MATCH : CX_ERROR_USER_UNKNOWN);
		put_experimental(b, sub ? CX_ERROR_IDENTITIES_DONT_MATCH : CX_ERROR_USER_UNKNOWN);
		return finish(b, err, errlen);
	}
	put_experimental(b, sub->registered ? CX_SUBSEQUENT_REGISTRATION : CX_FIRST_REGISTRATION);
	diam_put_str(b, CX_AVP_SERVER_NAME, M, V3GPP,
		     sub->scscf_name[0] ? sub->scscf_name : db->scscf_name);
	hss_log(db, "UAR %s %s -> %s registration", sub->impi, r->impu,
		sub->registered ? "subsequent" : "first");
	return finish(b, err, errlen);
}

static long answer_lir(struct hss_db *db, const struct diam_hdr *hdr, const struct req *r,
		       struct diam_buf *b, char *err, size_t errlen)
{
	struct hss_sub *sub;

	if (!r->has_public_identity)
		return error_answer(db, b, hdr, r, DIAM_MISSING_AVP, "LIR needs Public-Identity",
				    err, errlen);
	sub = hss_db_find_impu(db, r->impu);
	cx_answer_begin(db, b, hdr, r);
	if (!sub) {
		put_experimental(b, CX_ERROR_USER_UNKNOWN);
	} else if (!sub->scscf_name[0]) {
		put_experimental(b, CX_ERROR_IDENTITY_NOT_REGISTERED);
	} else {
		diam_put_u32(b, DIAM_AVP_RESULT_CODE, M, 0, DIAM_SUCCESS);
		diam_put_str(b, CX_AVP_SERVER_NAME, M, V3GPP, sub->scscf_name);
	}
	hss_log(db, "LIR %s -> %s", r->impu,
		!sub                  ? "5001"
		: !sub->scscf_name[0] ? "5003"
				      : sub->scscf_name);
	return finish(b, err, errlen);
}

long hss_cx_answer(struct hss_db *db, struct hss_peer *peer, const struct diam_hdr *hdr,
		   const uint8_t *body, size_t body_len, uint8_t *out, size_t cap, char *err,
		   size_t errlen)
{
	struct diam_buf b;
	struct req r;

	diam_buf_init(&b, out, cap);
	if (!(hdr->flags & DIAM_FLAG_REQUEST))
		return fail(err, errlen, "not a request");
	if (decode_req(body, body_len, &r, err, errlen) < 0)
		return -1;
	switch (hdr->code) {
	case DIAM_CMD_CE:
		return answer_cer(db, peer, hdr, body, body_len, &b, err, errlen);
	case DIAM_CMD_DW:
	case DIAM_CMD_DP:
		answer_begin(db, &b, hdr, &r, 0);
		diam_put_u32(&b, DIAM_AVP_RESULT_CODE, M, 0, DIAM_SUCCESS);
		if (hdr->code == DIAM_CMD_DP)
			hss_log(db, "DPR from %s", peer->origin_host);
		return finish(&b, err, errlen);
	}
	if (!peer->open)
		return error_answer(db, &b, hdr, &r, DIAM_UNABLE_TO_DELIVER,
				    "no capabilities exchange yet", err, errlen);
	if (hdr->app_id != DIAM_APP_CX)
		return error_answer(db, &b, hdr, &r, DIAM_APPLICATION_UNSUPPORTED, NULL, err,
				    errlen);
	if (!r.has_session_id)
		return error_answer(db, &b, hdr, &r, DIAM_MISSING_AVP, "Session-Id missing", err,
				    errlen);
	switch (hdr->code) {
	case DIAM_CMD_MA:
		return answer_mar(db, hdr, &r, &b, err, errlen);
	case DIAM_CMD_SA:
		return answer_sar(db, peer, hdr, &r, &b, err, errlen);
	case DIAM_CMD_UA:
		return answer_uar(db, hdr, &r, &b, err, errlen);
	case DIAM_CMD_LI:
		return answer_lir(db, hdr, &r, &b, err, errlen);
	}
	hss_log(db, "command %u unsupported", hdr->code);
	return error_answer(db, &b, hdr, &r, DIAM_COMMAND_UNSUPPORTED, NULL, err, errlen);
}

long hss_cx_rtr(struct hss_db *db, const struct hss_sub *sub, const char *dest_host,
		const char *dest_realm, uint32_t hop_by_hop, uint32_t end_to_end, uint8_t *out,
		size_t cap, char *err, size_t errlen)
{
	char sid[HSS_ID_MAX + 64];
	struct diam_buf b;
	size_t g;
	int i;

	diam_buf_init(&b, out, cap);
	snprintf(sid, sizeof(sid), "%s;%ld;%u;rtr", db->origin_host, (long)time(NULL),
		 ++db->session_seq);
	diam_msg_begin(&b, DIAM_FLAG_REQUEST | DIAM_FLAG_PROXIABLE, DIAM_CMD_RT, DIAM_APP_CX,
		       hop_by_hop, end_to_end);
	diam_put_str(&b, DIAM_AVP_SESSION_ID, M, 0, sid);
	put_cx_app(&b);
	diam_put_u32(&b, DIAM_AVP_AUTH_SESSION_STATE, M, 0, 1);
	diam_put_str(&b, DIAM_AVP_ORIGIN_HOST, M, 0, db->origin_host);
	diam_put_str(&b, DIAM_AVP_ORIGIN_REALM, M, 0, db->origin_realm);
	diam_put_str(&b, DIAM_AVP_DESTINATION_HOST, M, 0, dest_host);
	diam_put_str(&b, DIAM_AVP_DESTINATION_REALM, M, 0, dest_realm);
	diam_put_str(&b, DIAM_AVP_USER_NAME, M, 0, sub->impi);
	g = diam_group_begin(&b, CX_AVP_DEREGISTRATION_REASON, M, V3GPP);
	diam_put_u32(&b, CX_AVP_REASON_CODE, M, V3GPP, 0); /* PERMANENT_TERMINATION */
	diam_put_str(&b, CX_AVP_REASON_INFO, M, V3GPP, "deregistered by the test HSS");
	diam_group_end(&b, g);
	for (i = 0; i < sub->n_impu; i++)
		diam_put_str(&b, CX_AVP_PUBLIC_IDENTITY, M, V3GPP, sub->impu[i]);
	return finish(&b, err, errlen);
}
