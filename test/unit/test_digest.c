/* sec/digest.h: the RFC 2617 and RFC 7616 worked examples, every digest
 * variant (MD5, MD5-sess, SHA-256, SHA-256-sess, qop auth / auth-int / none),
 * rspauth and its constant-time check, RFC 3310 AKAv1-MD5 and RFC 4169
 * AKAv2-MD5, base64, the AKA nonce, the challenge and Authentication-Info
 * parsers (with tables of malformed inputs), and the Authorization value,
 * byte-exact for every form it can take.
 *
 * Values not printed in an RFC were computed independently with Python 3's
 * hashlib/hmac/base64 when the test was written, by straight transcription
 * of the RFC formulas:
 *   HA1 = H(user:realm:secret); -sess: HA1 = H(HA1:nonce:cnonce)
 *   HA2 = H(method:uri[:H(body)])
 *   qop: H(HA1:nonce:nc:cnonce:qop:HA2); no qop: H(HA1:nonce:HA2)
 *   AKAv2 password = base64(hmac.new(RES+IK+CK, b"http-digest-akav2-password", md5))
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sec/digest.h"

/* RFC 2617 3.5 */
#define R2617_REALM "testrealm@host.com"
#define R2617_NONCE "dcd98b7102dd2f0e8b11d0f600bfb0c093"
#define R2617_PW    "Circle Of Life"

/* RFC 7616 3.9.1 */
#define R7616_REALM  "http-auth@example.org"
#define R7616_NONCE  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define R7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define R7616_PW     "Circle of Life"

/* AKA: TS 35.208 Test Set 1 (RES = f2, CK = f3, IK = f4; AUTN = SQN xor AK ||
 * AMF || MAC-A) */
static const uint8_t RES[8] = {0xa5, 0x42, 0x11, 0xd5, 0xe3, 0xba, 0x50, 0xbf};
static const uint8_t CK[16] = {0xb4, 0x0b, 0xa9, 0xa3, 0xc5, 0x8b, 0x2a, 0x05,
			       0xbb, 0xf0, 0xd9, 0x87, 0xb2, 0x1b, 0xf8, 0xcb};
static const uint8_t IK[16] = {0xf7, 0x69, 0xbc, 0xd7, 0x51, 0x04, 0x46, 0x04,
			       0x12, 0x76, 0x72, 0x71, 0x1c, 0x6d, 0x34, 0x41};
static const uint8_t RAND[16] = {0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d,
				 0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35};
static const uint8_t AUTN[16] = {0x55, 0xf3, 0x28, 0xb4, 0x35, 0x77, 0xb9, 0xb9,
				 0x4a, 0x9f, 0xfa, 0xc3, 0x54, 0xdf, 0xaf, 0xb3};
/* base64(RAND || AUTN), and with the 8 bytes "srv-data" appended */
#define AKA_NONCE     "I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M="
#define AKA_NONCE_SRV "I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7NzcnYtZGF0YQ=="
#define IMPI          "001010123456789@ims.mnc001.mcc001.3gppnetwork.org"
#define DOMAIN        "ims.mnc001.mcc001.3gppnetwork.org"
#define HOME_URI      "sip:ims.mnc001.mcc001.3gppnetwork.org"

static struct sec_digest_input rfc2617_input(void)
{
	struct sec_digest_input in = {
		.alg = SEC_DIGEST_MD5,
		.username = "Mufasa",
		.realm = R2617_REALM,
		.nonce = R2617_NONCE,
		.cnonce = "0a4f113b",
		.qop = "auth",
		.nc = 1,
		.method = "GET",
		.uri = "/dir/index.html",
		.secret = (const uint8_t *)R2617_PW,
		.secret_len = sizeof(R2617_PW) - 1,
	};
	return in;
}

static struct sec_digest_input rfc7616_input(enum sec_digest_alg alg)
{
	struct sec_digest_input in = {
		.alg = alg,
		.username = "Mufasa",
		.realm = R7616_REALM,
		.nonce = R7616_NONCE,
		.cnonce = R7616_CNONCE,
		.qop = "auth",
		.nc = 1,
		.method = "GET",
		.uri = "/dir/index.html",
		.secret = (const uint8_t *)R7616_PW,
		.secret_len = sizeof(R7616_PW) - 1,
	};
	return in;
}

static struct sec_digest_input aka_input(void)
{
	struct sec_digest_input in = {
		.alg = SEC_DIGEST_AKAV1_MD5,
		.username = IMPI,
		.realm = DOMAIN,
		.nonce = AKA_NONCE,
		.cnonce = "0a4f113b",
		.qop = "auth",
		.nc = 1,
		.method = "REGISTER",
		.uri = HOME_URI,
		.secret = RES,
		.secret_len = sizeof(RES),
	};
	return in;
}

static void assert_response(const struct sec_digest_input *in, const char *want)
{
	char hex[65], err[200] = "";

	if (sec_digest_response(in, hex, sizeof(hex), err, sizeof(err)) != 0)
		fail_msg("sec_digest_response: %s", err);
	assert_string_equal(hex, want);
}

/* ---- algorithm names ---- */

static void test_alg_names(void **state)
{
	static const char *const names[] = {"MD5",          "MD5-sess",  "SHA-256",
					    "SHA-256-sess", "AKAv1-MD5", "AKAv2-MD5"};
	enum sec_digest_alg alg;

	for (int i = 0; i < 6; i++) {
		assert_string_equal(sec_digest_alg_name((enum sec_digest_alg)i), names[i]);
		assert_int_equal(sec_digest_alg_from_name(names[i], &alg), 0);
		assert_int_equal(alg, i);
	}
	assert_int_equal(sec_digest_alg_from_name("akav1-md5", &alg), 0);
	assert_int_equal(alg, SEC_DIGEST_AKAV1_MD5);
	assert_int_equal(sec_digest_alg_from_name("sha-256-SESS", &alg), 0);
	assert_int_equal(alg, SEC_DIGEST_SHA256_SESS);
	alg = SEC_DIGEST_SHA256;
	assert_int_equal(sec_digest_alg_from_name(NULL, &alg), 0);
	assert_int_equal(alg, SEC_DIGEST_MD5);
	assert_int_equal(sec_digest_alg_from_name("SHA-512-256", &alg), -1);
	assert_int_equal(sec_digest_alg_from_name("MD5 ", &alg), -1);
	assert_int_equal(sec_digest_alg_from_name("", &alg), -1);
	assert_null(sec_digest_alg_name((enum sec_digest_alg)6));
	assert_null(sec_digest_alg_name((enum sec_digest_alg)99));
}

/* ---- base64 ---- */

static void test_base64_rfc4648(void **state)
{
	/* RFC 4648 section 10 */
	static const char *const vec[][2] = {
		{"", ""},
		{"f", "Zg=="},
		{"fo", "Zm8="},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	char out[16];
	uint8_t dec[16];
	size_t n;

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t len = strlen(vec[i][0]);
		assert_int_equal(
			sec_base64_encode((const uint8_t *)vec[i][0], len, out, sizeof(out)),
			(int)strlen(vec[i][1]));
		assert_string_equal(out, vec[i][1]);
		assert_int_equal(
			sec_base64_decode(vec[i][1], strlen(vec[i][1]), dec, sizeof(dec), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(dec, vec[i][0], len);
	}
}

static void test_base64_roundtrip(void **state)
{
	uint8_t in[70], dec[70];
	char out[100];
	size_t n;

	for (size_t len = 0; len <= sizeof(in); len++) {
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)(i * 37 + len * 11 + 0x80);
		int m = sec_base64_encode(in, len, out, sizeof(out));
		assert_int_equal(m, (int)((len + 2) / 3 * 4));
		assert_int_equal(strlen(out), (size_t)m);
		assert_int_equal(sec_base64_decode(out, (size_t)m, dec, sizeof(dec), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(dec, in, len);
		/* exactly enough room is enough, one byte less is not */
		assert_int_equal(sec_base64_decode(out, (size_t)m, dec, len, &n), 0);
		if (len)
			assert_int_equal(sec_base64_decode(out, (size_t)m, dec, len - 1, &n), -1);
		assert_int_equal(sec_base64_encode(in, len, out, (size_t)m + 1), m);
		assert_int_equal(sec_base64_encode(in, len, out, (size_t)m), -1);
	}
	/* every alphabet character */
	const char *all = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t b[48];
	char back[65];
	assert_int_equal(sec_base64_decode(all, 64, b, sizeof(b), &n), 0);
	assert_int_equal(n, 48);
	assert_int_equal(sec_base64_encode(b, n, back, sizeof(back)), 64);
	assert_string_equal(back, all);
}

struct bad_b64 {
	const char *in;
	size_t len;
	const char *reason;
};

/* clang-format off */
#define B64(lit, reason) {lit, sizeof(lit) - 1, reason}
/* clang-format on */

static const struct bad_b64 bad_b64[] = {
	B64("Zg=", "length 3 is not a multiple of 4"),
	B64("Zm9vY", "length 5 is not a multiple of 4"),
	B64("Zm9v\n", "length 5 is not a multiple of 4"),
	B64("Zg=a", "misplaced padding at position 3"),
	B64("Z===", "misplaced padding at position 2"),
	B64("====", "misplaced padding at position 1"),
	B64("Zg==Zm8=", "misplaced padding at position 3"),
	B64("Zh==", "non-zero bits before the padding"),
	B64("Zm9=", "non-zero bits before the padding"),
	B64("Zm 9", "byte 0x20 at position 3"),
	B64("Zm-v", "character '-' at position 3"),
	B64("Zm_v", "character '_' at position 3"),
	B64("Zm9\0", "byte 0x00 at position 4"),
	B64("Zm9\xff", "byte 0xff at position 4"),
	B64("Zm\r\n", "byte 0x0d at position 3"),
};

static void test_base64_errors(void **state)
{
	uint8_t out[16];
	size_t n = 99;
	char err[200];

	for (size_t i = 0; i < sizeof(bad_b64) / sizeof(bad_b64[0]); i++) {
		const struct bad_b64 *b = &bad_b64[i];
		err[0] = '\0';
		if (sec_base64_decode_err(b->in, b->len, out, sizeof(out), &n, err, sizeof(err)) !=
		    -1)
			fail_msg("case %zu accepted", i);
		if (!strstr(err, b->reason))
			fail_msg("case %zu: reason '%s', expected '%s'", i, err, b->reason);
		assert_non_null(strstr(err, "base64"));
		assert_int_equal(n, 0);
		assert_int_equal(sec_base64_decode(b->in, b->len, out, sizeof(out), NULL), -1);
	}
	assert_int_equal(sec_base64_decode_err("Zm9vYmFy", 8, out, 5, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long: 6 bytes, at most 5"));
	/* only len bytes are read */
	assert_int_equal(sec_base64_decode("Zm9v!!!!", 4, out, sizeof(out), &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(sec_base64_encode((const uint8_t *)"x", 1, NULL, 0), -1);
}

/* ---- digest: RFC examples ---- */

static void test_rfc2617_example(void **state)
{
	struct sec_digest_input in = rfc2617_input();

	/* RFC 2617 3.5 */
	assert_response(&in, "6629fae49393a05397450978507c4ef1");
}

static void test_rfc7616_examples(void **state)
{
	struct sec_digest_input in = rfc7616_input(SEC_DIGEST_MD5);

	/* RFC 7616 3.9.1 */
	assert_response(&in, "8ca523f5e9506fed4657c9700eebdbec");
	in = rfc7616_input(SEC_DIGEST_SHA256);
	assert_response(&in, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

static void test_variants(void **state)
{
	struct sec_digest_input in = rfc2617_input();

	/* RFC 2069 form (no qop): H(HA1:nonce:HA2) (Python) */
	in.qop = NULL;
	in.cnonce = NULL;
	assert_response(&in, "670fd8c2df070c60b045671b8b24ff02");
	/* MD5-sess with qop=auth, and without qop (Python) */
	in = rfc2617_input();
	in.alg = SEC_DIGEST_MD5_SESS;
	assert_response(&in, "8e3825c57e897f5a0dec6c2d4e5059d0");
	in.qop = NULL;
	assert_response(&in, "4726bc10c33fa6cb357eb27807b1cce8");
	/* auth-int over "v=0\r\n", nc 2; and over an empty body (Python) */
	in = rfc2617_input();
	in.qop = "auth-int";
	in.nc = 2;
	in.body = (const uint8_t *)"v=0\r\n";
	in.body_len = 5;
	assert_response(&in, "ba52992188db288fc5c60f0c111ecaf7");
	in.nc = 1;
	in.body = NULL;
	in.body_len = 0;
	assert_response(&in, "5e6610ecf9ba3017a4870ad48e3ad30b");
	/* nc is 8 lower-case hex digits: 0xffffffff -> "ffffffff" (Python) */
	in = rfc2617_input();
	in.nc = 0xffffffff;
	assert_response(&in, "9865a6a66d9a82740221f584e8ccd473");
	/* SHA-256-sess, and SHA-256 auth-int over "hello" with nc 10 (Python) */
	in = rfc7616_input(SEC_DIGEST_SHA256_SESS);
	assert_response(&in, "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7");
	in = rfc7616_input(SEC_DIGEST_SHA256);
	in.qop = "auth-int";
	in.nc = 10;
	in.body = (const uint8_t *)"hello";
	in.body_len = 5;
	assert_response(&in, "abe379266eb74abfd6c4552e59734e8b2ebc57d26edac34efdce9e1c272dbd32");
}

static void test_secret_with_nul(void **state)
{
	struct sec_digest_input in = {
		.alg = SEC_DIGEST_MD5,
		.username = "u",
		.realm = "r",
		.nonce = "n",
		.cnonce = "c",
		.qop = "auth",
		.nc = 1,
		.method = "REGISTER",
		.uri = "sip:r",
		.secret = (const uint8_t *)"a\0b",
		.secret_len = 3,
	};

	/* Python: secret b"a\x00b"; strlen() would have given "a" -> 14c2be2c... */
	assert_response(&in, "7d8c2f9978d7b4ade2608d4fa025cb9d");
	in.secret_len = 1;
	assert_response(&in, "14c2be2c69eada4d53fdae12a092dc87");
}

static void test_rspauth(void **state)
{
	struct sec_digest_input in = rfc2617_input();
	char hex[65], err[200];

	/* RFC 2617 3.2.3: the response computed with an empty method (Python) */
	assert_int_equal(sec_digest_rspauth(&in, hex, sizeof(hex), err, sizeof(err)), 0);
	assert_string_equal(hex, "376602cfd2f4e8e5e78b948a85263e85");
	/* method is ignored by rspauth */
	in.method = NULL;
	assert_int_equal(sec_digest_rspauth(&in, hex, sizeof(hex), err, sizeof(err)), 0);
	assert_string_equal(hex, "376602cfd2f4e8e5e78b948a85263e85");
	in = rfc7616_input(SEC_DIGEST_SHA256);
	assert_int_equal(sec_digest_rspauth(&in, hex, sizeof(hex), err, sizeof(err)), 0);
	assert_string_equal(hex,
			    "86d3b25618d41854ca5039a5d7e53ff6355d5134a9b1fb088a78ac3c462195a0");
}

static void test_rspauth_check(void **state)
{
	struct sec_digest_input in = rfc2617_input();
	char err[200];

	assert_int_equal(
		sec_digest_rspauth_check(&in, "376602cfd2f4e8e5e78b948a85263e85", err, sizeof(err)),
		0);
	assert_int_equal(
		sec_digest_rspauth_check(&in, "376602CFD2F4E8E5E78B948A85263E85", err, sizeof(err)),
		0);
	/* the request's response is not the rspauth */
	assert_int_equal(
		sec_digest_rspauth_check(&in, "6629fae49393a05397450978507c4ef1", err, sizeof(err)),
		-1);
	assert_string_equal(err, "rspauth does not match");
	assert_int_equal(
		sec_digest_rspauth_check(&in, "376602cfd2f4e8e5e78b948a85263e84", err, sizeof(err)),
		-1);
	assert_string_equal(err, "rspauth does not match");
	assert_int_equal(
		sec_digest_rspauth_check(&in, "376602cfd2f4e8e5e78b948a85263e8", err, sizeof(err)),
		-1);
	assert_string_equal(err, "rspauth has 31 characters, expected 32 hex digits");
	assert_int_equal(sec_digest_rspauth_check(&in, "376602cfd2f4e8e5e78b948a85263e855", err,
						  sizeof(err)),
			 -1);
	assert_string_equal(err, "rspauth has more than 32 characters, expected 32 hex digits");
	assert_int_equal(sec_digest_rspauth_check(&in, "", err, sizeof(err)), -1);
	assert_int_equal(sec_digest_rspauth_check(&in, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "missing rspauth");
	in = rfc7616_input(SEC_DIGEST_SHA256);
	assert_int_equal(sec_digest_rspauth_check(
				 &in,
				 "86d3b25618d41854ca5039a5d7e53ff6355d5134a9b1fb088a78ac3c462195a0",
				 err, sizeof(err)),
			 0);
	assert_int_equal(
		sec_digest_rspauth_check(&in, "376602cfd2f4e8e5e78b948a85263e85", err, sizeof(err)),
		-1);
	assert_string_equal(err, "rspauth has 32 characters, expected 64 hex digits");
}

static void test_response_errors(void **state)
{
	struct sec_digest_input in;
	char hex[65], err[200];

#define EXPECT_FAIL(what, reason)                                                                  \
	do {                                                                                       \
		err[0] = '\0';                                                                     \
		assert_int_equal(sec_digest_response(&in, hex, sizeof(hex), err, sizeof(err)),     \
				 -1);                                                              \
		if (!strstr(err, reason))                                                          \
			fail_msg("%s: reason '%s', expected '%s'", what, err, reason);             \
	} while (0)

	in = rfc2617_input();
	in.username = NULL;
	EXPECT_FAIL("username", "missing username");
	in = rfc2617_input();
	in.realm = NULL;
	EXPECT_FAIL("realm", "missing realm");
	in = rfc2617_input();
	in.nonce = NULL;
	EXPECT_FAIL("nonce", "missing nonce");
	in = rfc2617_input();
	in.uri = NULL;
	EXPECT_FAIL("uri", "missing uri");
	in = rfc2617_input();
	in.method = NULL;
	EXPECT_FAIL("method", "missing method");
	in = rfc2617_input();
	in.secret = NULL;
	EXPECT_FAIL("secret", "missing secret");
	in = rfc2617_input();
	in.cnonce = NULL;
	EXPECT_FAIL("cnonce", "missing cnonce");
	in = rfc2617_input();
	in.qop = NULL;
	in.cnonce = NULL;
	in.alg = SEC_DIGEST_SHA256_SESS;
	EXPECT_FAIL("sess cnonce", "missing cnonce");
	in = rfc2617_input();
	in.qop = "auth,auth-int";
	EXPECT_FAIL("qop", "unsupported qop 'auth,auth-int'");
	in = rfc2617_input();
	in.qop = "AUTH";
	EXPECT_FAIL("qop case", "unsupported qop 'AUTH'");
	in = rfc2617_input();
	in.qop = "auth-int";
	in.body_len = 3;
	EXPECT_FAIL("body", "missing body");
	in = rfc2617_input();
	in.alg = (enum sec_digest_alg)42;
	EXPECT_FAIL("alg", "invalid algorithm 42");
#undef EXPECT_FAIL

	in = rfc2617_input();
	assert_int_equal(sec_digest_response(&in, hex, 32, err, sizeof(err)), -1);
	assert_string_equal(err, "output buffer too small: 32 bytes, 33 needed");
	assert_int_equal(sec_digest_response(&in, hex, 33, err, sizeof(err)), 0);
	in = rfc7616_input(SEC_DIGEST_SHA256);
	assert_int_equal(sec_digest_response(&in, hex, 64, err, sizeof(err)), -1);
	assert_string_equal(err, "output buffer too small: 64 bytes, 65 needed");
	assert_int_equal(sec_digest_response(NULL, hex, sizeof(hex), err, sizeof(err)), -1);
	assert_int_equal(sec_digest_response(&in, hex, sizeof(hex), NULL, 0), 0);
	/* the empty secret is a valid (if unwise) password */
	in.secret = NULL;
	in.secret_len = 0;
	assert_int_equal(sec_digest_response(&in, hex, sizeof(hex), NULL, 0), 0);
}

/* ---- AKA ---- */

static void test_aka_nonce(void **state)
{
	uint8_t rand[16], autn[16];
	char err[200];

	assert_int_equal(sec_aka_nonce_decode(AKA_NONCE, rand, autn, err, sizeof(err)), 0);
	assert_memory_equal(rand, RAND, 16);
	assert_memory_equal(autn, AUTN, 16);
	memset(rand, 0, 16);
	memset(autn, 0, 16);
	/* server-specific data after AUTN is allowed and ignored */
	assert_int_equal(sec_aka_nonce_decode(AKA_NONCE_SRV, rand, autn, err, sizeof(err)), 0);
	assert_memory_equal(rand, RAND, 16);
	assert_memory_equal(autn, AUTN, 16);
}

static void test_aka_nonce_errors(void **state)
{
	static const char *const bad[][2] = {
		{"", "truncated nonce: 0 bytes"},
		/* 31 bytes: the last AUTN byte missing */
		{"I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfrw==", "truncated nonce: 31 bytes"},
		{"I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M", "not a multiple of 4"},
		{"I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M=\r\n", "not a multiple of 4"},
		{"I1U8vpY3qJ0hiuZNrke-NVXzKLQ1d7m5Sp_6w1Tfr7M=", "character '-' at position 20"},
		{"I1U8vpY3qJ0h iuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7M", "byte 0x20 at position 13"},
		{"I1U8vpY3qJ0hiuZNrke/NVXzKLQ1d7m5Sp/6w1Tfr7N=", "non-zero bits"},
	};
	uint8_t rand[16], autn[16];
	char err[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(sec_aka_nonce_decode(bad[i][0], rand, autn, err, sizeof(err)), -1);
		if (!strstr(err, bad[i][1]))
			fail_msg("case %zu: reason '%s', expected '%s'", i, err, bad[i][1]);
	}
	assert_int_equal(sec_aka_nonce_decode(NULL, rand, autn, err, sizeof(err)), -1);
	assert_string_equal(err, "missing nonce");
}

static void test_akav1_response(void **state)
{
	struct sec_digest_input in = aka_input();

	/* Python: md5 over IMPI:DOMAIN:RES (RES as 8 raw bytes), HA2 =
	 * md5("REGISTER:sip:ims..."), qop auth, nc 00000001, cnonce 0a4f113b */
	assert_response(&in, "cbefdcc54c81aa658d67da2fba29638c");
	/* the same without qop (RFC 3310 allows it) */
	in.qop = NULL;
	in.cnonce = NULL;
	assert_response(&in, "486f3ee163ac4a424493c7ee626d3794");
}

static void test_akav2_password(void **state)
{
	char pw[25], pw_big[64];
	struct sec_digest_input in = aka_input();

	/* Python: base64(hmac.new(RES + IK + CK, b"http-digest-akav2-password", md5)) */
	assert_int_equal(sec_akav2_password(RES, sizeof(RES), IK, CK, pw, sizeof(pw)), 0);
	assert_string_equal(pw, "shzt3q8CWaZnCAWqs3WmEQ==");
	assert_int_equal(sec_akav2_password(RES, sizeof(RES), IK, CK, pw_big, sizeof(pw_big)), 0);
	assert_string_equal(pw_big, "shzt3q8CWaZnCAWqs3WmEQ==");
	/* the AKAv2 response uses that string as the password (Python) */
	in.alg = SEC_DIGEST_AKAV2_MD5;
	in.secret = (const uint8_t *)pw;
	in.secret_len = strlen(pw);
	assert_response(&in, "8bcf53b701e7803582f4167efb760cd0");

	assert_int_equal(sec_akav2_password(RES, sizeof(RES), IK, CK, pw, 24), -1);
	assert_int_equal(sec_akav2_password(RES, 17, IK, CK, pw, sizeof(pw)), -1);
	assert_int_equal(sec_akav2_password(NULL, 8, IK, CK, pw, sizeof(pw)), -1);
	assert_int_equal(sec_akav2_password(RES, sizeof(RES), NULL, CK, pw, sizeof(pw)), -1);
}

/* ---- challenge parser ---- */

static void parse_challenge_ok(const char *s, struct sec_challenge *ch)
{
	char err[200] = "";

	if (sec_challenge_parse(s, strlen(s), ch, err, sizeof(err)) != 0)
		fail_msg("'%s': %s", s, err);
}

static void test_challenge_full(void **state)
{
	struct sec_challenge ch;

	parse_challenge_ok(
		"Digest realm=\"" DOMAIN "\", nonce=\"" AKA_NONCE "\", "
		"algorithm=AKAv1-MD5, qop=\"auth,auth-int\", opaque=\"5ccc069c403ebaf9\", "
		"stale=TRUE, domain=\"sip:" DOMAIN "\"",
		&ch);
	assert_string_equal(ch.scheme, "Digest");
	assert_string_equal(ch.realm, DOMAIN);
	assert_string_equal(ch.nonce, AKA_NONCE);
	assert_string_equal(ch.algorithm, "AKAv1-MD5");
	assert_int_equal(ch.alg, SEC_DIGEST_AKAV1_MD5);
	assert_string_equal(ch.qop, "auth,auth-int");
	assert_true(ch.qop_auth);
	assert_true(ch.qop_auth_int);
	assert_string_equal(ch.opaque, "5ccc069c403ebaf9");
	assert_true(ch.stale);
	assert_string_equal(ch.domain, "sip:" DOMAIN);
	assert_null(ch.ck);
	assert_null(ch.ik);
	sec_challenge_clear(&ch);
	assert_null(ch.realm);
	sec_challenge_clear(&ch);
	sec_challenge_clear(NULL);
}

static void test_challenge_minimal(void **state)
{
	struct sec_challenge ch;

	parse_challenge_ok("Digest realm=\"r\",nonce=\"\"", &ch);
	assert_string_equal(ch.realm, "r");
	assert_string_equal(ch.nonce, "");
	assert_null(ch.algorithm);
	assert_int_equal(ch.alg, SEC_DIGEST_MD5);
	assert_null(ch.qop);
	assert_false(ch.qop_auth);
	assert_false(ch.qop_auth_int);
	assert_false(ch.stale);
	assert_null(ch.opaque);
	assert_null(ch.domain);
	sec_challenge_clear(&ch);
}

static void test_challenge_variants(void **state)
{
	struct sec_challenge ch;

	/* case-insensitive scheme, names, algorithm and stale tokens; quoted
	 * algorithm; unknown parameters ignored; RFC 7616 example challenge */
	parse_challenge_ok("digest REALM=\"" R7616_REALM "\", QOP=\"auth, auth-int\", "
			   "Algorithm=\"sha-256\", Nonce=\"" R7616_NONCE
			   "\", opaque=\"" R7616_OPAQUE
			   "\", stale=False, charset=UTF-8, userhash=true, x-vendor=\"a, b\"",
			   &ch);
	assert_int_equal(ch.alg, SEC_DIGEST_SHA256);
	assert_string_equal(ch.algorithm, "sha-256");
	assert_string_equal(ch.realm, R7616_REALM);
	assert_string_equal(ch.opaque, R7616_OPAQUE);
	assert_true(ch.qop_auth && ch.qop_auth_int);
	assert_false(ch.stale);
	sec_challenge_clear(&ch);

	/* qop lists: unknown options ignored, each flag independent */
	parse_challenge_ok("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"", &ch);
	assert_false(ch.qop_auth);
	assert_true(ch.qop_auth_int);
	sec_challenge_clear(&ch);
	parse_challenge_ok("Digest realm=\"r\", nonce=\"n\", qop=\" x-foo , AUTH,,\"", &ch);
	assert_true(ch.qop_auth);
	assert_false(ch.qop_auth_int);
	sec_challenge_clear(&ch);
	parse_challenge_ok("Digest realm=\"r\", nonce=\"n\", qop=auth", &ch);
	assert_true(ch.qop_auth);
	sec_challenge_clear(&ch);

	/* every algorithm */
	static const char *const algs[] = {"MD5",          "md5-sess",  "SHA-256",
					   "SHA-256-sess", "AKAv1-MD5", "akav2-md5"};
	for (int i = 0; i < 6; i++) {
		char s[120];
		snprintf(s, sizeof(s), "Digest realm=\"r\", nonce=\"n\", algorithm=%s", algs[i]);
		parse_challenge_ok(s, &ch);
		assert_int_equal(ch.alg, i);
		sec_challenge_clear(&ch);
	}

	/* escapes are resolved */
	parse_challenge_ok("Digest realm=\"a \\\"quoted\\\" realm\\\\\", nonce=\"n\"", &ch);
	assert_string_equal(ch.realm, "a \"quoted\" realm\\");
	sec_challenge_clear(&ch);

	/* a second challenge in the same value is not read */
	parse_challenge_ok("Digest realm=\"r\", nonce=\"n\", Basic realm=\"x\"", &ch);
	assert_string_equal(ch.realm, "r");
	sec_challenge_clear(&ch);
}

static void test_challenge_ck_ik(void **state)
{
	struct sec_challenge ch;

	parse_challenge_ok("Digest realm=\"r\", nonce=\"" AKA_NONCE "\", algorithm=AKAv1-MD5, "
			   "ck=\"b40ba9a3c58b2a05bbf0d987b21bf8cb\", "
			   "ik=\"f769bcd751044604127672711c6d3441\"",
			   &ch);
	assert_string_equal(ch.ck, "b40ba9a3c58b2a05bbf0d987b21bf8cb");
	assert_string_equal(ch.ik, "f769bcd751044604127672711c6d3441");
	sec_challenge_clear(&ch);
	assert_null(ch.ck);
	assert_null(ch.ik);
}

static void test_challenge_length_bounded(void **state)
{
	const char s[] = "Digest realm=\"r\", nonce=\"n\", opaque=\"o\"";
	size_t len = strlen("Digest realm=\"r\", nonce=\"n\"");
	struct sec_challenge ch;
	char err[200];
	char *copy = malloc(len);

	assert_non_null(copy);
	memcpy(copy, s, len);
	assert_int_equal(sec_challenge_parse(copy, len, &ch, err, sizeof(err)), 0);
	assert_null(ch.opaque);
	sec_challenge_clear(&ch);
	free(copy);
}

struct bad_input {
	const char *in;
	size_t len;
	const char *reason;
};

/* clang-format off */
#define BAD(lit, reason) {lit, sizeof(lit) - 1, reason}
/* clang-format on */

static const struct bad_input bad_challenges[] = {
	BAD("", "missing authentication scheme"),
	BAD("Basic realm=\"r\"", "unsupported authentication scheme 'Basic' (expected Digest)"),
	BAD("Digestx realm=\"r\", nonce=\"n\"", "unsupported authentication scheme 'Digestx'"),
	BAD("Bearer abc", "expected '=' after 'abc'"),
	BAD("Digest nonce=\"n\"", "missing realm parameter"),
	BAD("Digest realm=\"r\"", "missing nonce parameter"),
	BAD("Digest", "missing realm parameter"),
	BAD("Digest realm=\"r\", nonce=\"n", "unterminated quoted string in value of 'nonce'"),
	BAD("Digest realm=\"r, nonce=\"n\"", "expected ',' after the value of 'realm'"),
	BAD("Digest realm=\"r\", nonce=\"n\", realm=\"s\"", "duplicate parameter 'realm'"),
	BAD("Digest realm=\"r\", nonce=\"n\", NONCE=\"m\"", "duplicate parameter 'NONCE'"),
	BAD("Digest realm=\"r\", nonce=\"n\", x=1, X=2", "duplicate parameter 'X'"),
	BAD("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256",
	    "unknown algorithm 'SHA-512-256'"),
	BAD("Digest realm=\"r\", nonce=\"n\", algorithm=\"\"", "unknown algorithm ''"),
	BAD("Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5-sess",
	    "unknown algorithm 'AKAv1-MD5-sess'"),
	BAD("Digest realm=\"r\", nonce=\"n\", stale=yes", "invalid stale value 'yes'"),
	BAD("Digest realm=\"r\", nonce=\"n\", stale=\"\"", "invalid stale value ''"),
	BAD("Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"",
	    "qop 'auth-conf' offers neither auth nor auth-int"),
	BAD("Digest realm=\"r\", nonce=\"n\", qop=\"\"", "qop '' offers neither auth nor auth-int"),
	BAD("Digest realm=\"r\", nonce=\"n\", qop=\"authx,auth-intx\"", "offers neither"),
	BAD("Digest realm=\"r\0\", nonce=\"n\"",
	    "control character (byte 0x00) in value of 'realm'"),
	BAD("Digest realm=\"r\", nonce=\"n\r\nx\"", "control character (byte 0x0d)"),
	BAD("Digest realm=\"r\" nonce=\"n\"", "expected ','"),
	BAD("Digest realm=r@x, nonce=\"n\"", "expected ',' after the value of 'realm', found '@'"),
};

static const struct bad_input bad_auth_infos[] = {
	BAD("nc=1", "nc '1' is not 8 hex digits"),
	BAD("nc=000000001", "nc '000000001' is not 8 hex digits"),
	BAD("nc=0000000g", "nc '0000000g' is not 8 hex digits"),
	BAD("nc=\"\"", "nc '' is not 8 hex digits"),
	BAD("nc=\"0000 001\"", "is not 8 hex digits"),
	BAD("nc=-0000001", "nc '-0000001' is not 8 hex digits"),
	BAD("nextnonce=\"a\", nextnonce=\"b\"", "duplicate parameter 'nextnonce'"),
	BAD("rspauth=\"abc", "unterminated quoted string in value of 'rspauth'"),
	BAD("qop=auth rspauth=\"x\"", "expected ','"),
	BAD("Digest rspauth=\"x\"", "expected '=' after 'Digest'"),
	BAD("rspauth=\"a\nb\"", "control character (byte 0x0a)"),
	BAD("nextnonce=", "missing value for 'nextnonce'"),
};

static void test_challenge_errors(void **state)
{
	for (size_t i = 0; i < sizeof(bad_challenges) / sizeof(bad_challenges[0]); i++) {
		const struct bad_input *b = &bad_challenges[i];
		struct sec_challenge ch;
		char err[200] = "";
		char *copy = malloc(b->len ? b->len : 1);

		assert_non_null(copy);
		memcpy(copy, b->in, b->len);
		memset(&ch, 0x5a, sizeof(ch));
		if (sec_challenge_parse(copy, b->len, &ch, err, sizeof(err)) != -1)
			fail_msg("case %zu accepted: %s", i, b->in);
		if (!strstr(err, b->reason))
			fail_msg("case %zu: reason '%s', expected '%s'", i, err, b->reason);
		assert_null(strchr(err, '\n'));
		/* nothing is left allocated, and clearing again is harmless */
		assert_null(ch.realm);
		assert_null(ch.nonce);
		assert_null(ch.scheme);
		sec_challenge_clear(&ch);
		assert_int_equal(sec_challenge_parse(copy, b->len, &ch, NULL, 0), -1);
		free(copy);
	}
}

/* ---- Authentication-Info ---- */

static void test_auth_info(void **state)
{
	const char *s = "qop=auth, rspauth=\"376602cfd2f4e8e5e78b948a85263e85\", "
			"cnonce=\"0a4f113b\", nc=00000001, nextnonce=\"n0nce2\"";
	struct sec_auth_info ai;
	char err[200];

	assert_int_equal(sec_auth_info_parse(s, strlen(s), &ai, err, sizeof(err)), 0);
	assert_string_equal(ai.qop, "auth");
	assert_string_equal(ai.rspauth, "376602cfd2f4e8e5e78b948a85263e85");
	assert_string_equal(ai.cnonce, "0a4f113b");
	assert_true(ai.has_nc);
	assert_int_equal(ai.nc, 1);
	assert_string_equal(ai.nextnonce, "n0nce2");
	/* and the rspauth it carries checks out against the RFC 2617 request */
	struct sec_digest_input in = rfc2617_input();
	assert_int_equal(sec_digest_rspauth_check(&in, ai.rspauth, err, sizeof(err)), 0);
	sec_auth_info_clear(&ai);
	assert_null(ai.qop);
	sec_auth_info_clear(&ai);
	sec_auth_info_clear(NULL);

	/* only nextnonce; names case-insensitive; nc in upper case and quoted;
	 * unknown parameters ignored */
	s = "NextNonce=\"abc\"";
	assert_int_equal(sec_auth_info_parse(s, strlen(s), &ai, err, sizeof(err)), 0);
	assert_string_equal(ai.nextnonce, "abc");
	assert_null(ai.rspauth);
	assert_false(ai.has_nc);
	sec_auth_info_clear(&ai);
	s = "NC=\"DeadBeef\", x-foo=bar";
	assert_int_equal(sec_auth_info_parse(s, strlen(s), &ai, err, sizeof(err)), 0);
	assert_true(ai.has_nc);
	assert_int_equal(ai.nc, 0xdeadbeef);
	sec_auth_info_clear(&ai);
	assert_int_equal(sec_auth_info_parse("", 0, &ai, err, sizeof(err)), 0);
	assert_null(ai.nextnonce);
	sec_auth_info_clear(&ai);
}

static void test_auth_info_errors(void **state)
{
	for (size_t i = 0; i < sizeof(bad_auth_infos) / sizeof(bad_auth_infos[0]); i++) {
		const struct bad_input *b = &bad_auth_infos[i];
		struct sec_auth_info ai;
		char err[200] = "";
		char *copy = malloc(b->len ? b->len : 1);

		assert_non_null(copy);
		memcpy(copy, b->in, b->len);
		if (sec_auth_info_parse(copy, b->len, &ai, err, sizeof(err)) != -1)
			fail_msg("case %zu accepted: %s", i, b->in);
		if (!strstr(err, b->reason))
			fail_msg("case %zu: reason '%s', expected '%s'", i, err, b->reason);
		assert_null(ai.nextnonce);
		assert_null(ai.rspauth);
		assert_false(ai.has_nc);
		free(copy);
	}
}

/* ---- Authorization ---- */

static void assert_authorization(const struct sec_digest_input *in, const char *response,
				 const char *opaque, const char *auts, const char *want)
{
	char out[1024], err[200] = "";

	if (sec_authorization_format(in, response, opaque, auts, out, sizeof(out), err,
				     sizeof(err)) != 0)
		fail_msg("sec_authorization_format: %s", err);
	assert_string_equal(out, want);
}

static void test_authorization_initial(void **state)
{
	struct sec_digest_input in = {
		.alg = SEC_DIGEST_AKAV1_MD5,
		.username = IMPI,
		.realm = DOMAIN,
		.nonce = "",
		.uri = HOME_URI,
		.method = "REGISTER",
	};

	/* IMS-AKA initial REGISTER (TS 24.229 5.1.1.2.1, RFC 3310) */
	assert_authorization(&in, "", NULL, NULL,
			     "Digest username=\"" IMPI "\",realm=\"" DOMAIN "\",nonce=\"\","
			     "uri=\"" HOME_URI "\",response=\"\",algorithm=AKAv1-MD5");
	assert_authorization(&in, NULL, NULL, NULL,
			     "Digest username=\"" IMPI "\",realm=\"" DOMAIN "\",nonce=\"\","
			     "uri=\"" HOME_URI "\",response=\"\",algorithm=AKAv1-MD5");
	/* SIP digest initial REGISTER: no algorithm */
	in.alg = SEC_DIGEST_MD5;
	assert_authorization(&in, "", NULL, NULL,
			     "Digest username=\"" IMPI "\",realm=\"" DOMAIN "\",nonce=\"\","
			     "uri=\"" HOME_URI "\",response=\"\"");
	in.alg = SEC_DIGEST_AKAV2_MD5;
	assert_authorization(&in, "", NULL, NULL,
			     "Digest username=\"" IMPI "\",realm=\"" DOMAIN "\",nonce=\"\","
			     "uri=\"" HOME_URI "\",response=\"\",algorithm=AKAv2-MD5");
}

static void test_authorization_aka(void **state)
{
	struct sec_digest_input in = aka_input();

#define AKA_HEAD                                                                                   \
	"Digest username=\"" IMPI "\",realm=\"" DOMAIN "\",nonce=\"" AKA_NONCE                     \
	"\",uri=\"" HOME_URI "\","
	/* response with qop=auth */
	assert_authorization(&in, "cbefdcc54c81aa658d67da2fba29638c", NULL, NULL,
			     AKA_HEAD
			     "response=\"cbefdcc54c81aa658d67da2fba29638c\","
			     "algorithm=AKAv1-MD5,cnonce=\"0a4f113b\",qop=auth,nc=00000001");
	/* response without qop */
	in.qop = NULL;
	in.cnonce = NULL;
	assert_authorization(&in, "486f3ee163ac4a424493c7ee626d3794", NULL, NULL,
			     AKA_HEAD "response=\"486f3ee163ac4a424493c7ee626d3794\","
				      "algorithm=AKAv1-MD5");
	/* MAC failure: empty response, no auts (TS 24.229 5.1.1.5.3) */
	assert_authorization(&in, "", NULL, NULL, AKA_HEAD "response=\"\",algorithm=AKAv1-MD5");
	/* synchronisation failure: auts */
	assert_authorization(&in, "", NULL, "CjkyMzRfOiwg5CEBBCl+",
			     AKA_HEAD
			     "response=\"\",algorithm=AKAv1-MD5,auts=\"CjkyMzRfOiwg5CEBBCl+\"");
	/* with opaque and auts, in that order */
	assert_authorization(&in, "", "op", "CjkyMzRfOiwg5CEBBCl+",
			     AKA_HEAD "response=\"\",algorithm=AKAv1-MD5,opaque=\"op\","
				      "auts=\"CjkyMzRfOiwg5CEBBCl+\"");
#undef AKA_HEAD
}

static void test_authorization_digest(void **state)
{
	struct sec_digest_input in = rfc2617_input();

#define HEAD                                                                                       \
	"Digest username=\"Mufasa\",realm=\"" R2617_REALM "\",nonce=\"" R2617_NONCE                \
	"\",uri=\"/dir/index.html\","
	/* RFC 2617 3.5 request, with its opaque */
	assert_authorization(&in, "6629fae49393a05397450978507c4ef1",
			     "5ccc069c403ebaf9f0171e9517f40e41", NULL,
			     HEAD "response=\"6629fae49393a05397450978507c4ef1\",algorithm=MD5,"
				  "cnonce=\"0a4f113b\",qop=auth,nc=00000001,"
				  "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
	/* auth-int, nc in hex */
	in.qop = "auth-int";
	in.nc = 0x1a;
	assert_authorization(&in, "00", NULL, NULL,
			     HEAD "response=\"00\",algorithm=MD5,cnonce=\"0a4f113b\","
				  "qop=auth-int,nc=0000001a");
	/* no qop: no cnonce, qop or nc (RFC 2069) */
	in.qop = NULL;
	assert_authorization(&in, "670fd8c2df070c60b045671b8b24ff02", NULL, NULL,
			     HEAD "response=\"670fd8c2df070c60b045671b8b24ff02\",algorithm=MD5");
	/* -sess without qop still carries cnonce */
	in.alg = SEC_DIGEST_MD5_SESS;
	assert_authorization(&in, "4726bc10c33fa6cb357eb27807b1cce8", NULL, NULL,
			     HEAD
			     "response=\"4726bc10c33fa6cb357eb27807b1cce8\",algorithm=MD5-sess,"
			     "cnonce=\"0a4f113b\"");
	in.alg = SEC_DIGEST_SHA256_SESS;
	in.qop = "auth";
	in.nc = 0xffffffff;
	assert_authorization(&in, "ab", "", NULL,
			     HEAD "response=\"ab\",algorithm=SHA-256-sess,cnonce=\"0a4f113b\","
				  "qop=auth,nc=ffffffff,opaque=\"\"");
	in.alg = SEC_DIGEST_SHA256;
	assert_authorization(&in, "ab", NULL, NULL,
			     HEAD "response=\"ab\",algorithm=SHA-256,cnonce=\"0a4f113b\","
				  "qop=auth,nc=ffffffff");
#undef HEAD
}

static void test_authorization_escaping(void **state)
{
	struct sec_digest_input in = {
		.alg = SEC_DIGEST_MD5,
		.username = "a\"b\\c",
		.realm = "r\"",
		.nonce = "\\",
		.uri = "sip:x",
		.cnonce = "c\"n",
		.qop = "auth",
		.nc = 2,
	};

	assert_authorization(&in, "", "o\\\"", "\"",
			     "Digest username=\"a\\\"b\\\\c\",realm=\"r\\\"\",nonce=\"\\\\\","
			     "uri=\"sip:x\",response=\"\",algorithm=MD5,cnonce=\"c\\\"n\",qop=auth,"
			     "nc=00000002,opaque=\"o\\\\\\\"\",auts=\"\\\"\"");
	/* tab and UTF-8 pass unchanged */
	in.username = "caf\xc3\xa9\tx";
	in.realm = "r";
	in.nonce = "n";
	in.qop = NULL;
	in.cnonce = NULL;
	assert_authorization(&in, "", NULL, NULL,
			     "Digest username=\"caf\xc3\xa9\tx\",realm=\"r\",nonce=\"n\","
			     "uri=\"sip:x\",response=\"\",algorithm=MD5");
}

static void test_authorization_errors(void **state)
{
	struct sec_digest_input in;
	char out[512], err[200];

#define EXPECT_FAIL(resp, opaque, auts, reason)                                                    \
	do {                                                                                       \
		err[0] = '\0';                                                                     \
		memset(out, 'x', sizeof(out));                                                     \
		assert_int_equal(sec_authorization_format(&in, resp, opaque, auts, out,            \
							  sizeof(out), err, sizeof(err)),          \
				 -1);                                                              \
		if (!strstr(err, reason))                                                          \
			fail_msg("line %d: reason '%s', expected '%s'", __LINE__, err, reason);    \
		assert_int_equal(out[0], '\0');                                                    \
	} while (0)

	/* CR or LF in every field */
	in = aka_input();
	in.username = "a\r\nVia: x";
	EXPECT_FAIL("", NULL, NULL, "CR or LF in username at position 2");
	in = aka_input();
	in.realm = "r\n";
	EXPECT_FAIL("", NULL, NULL, "CR or LF in realm at position 2");
	in = aka_input();
	in.nonce = "\rn";
	EXPECT_FAIL("", NULL, NULL, "CR or LF in nonce at position 1");
	in = aka_input();
	in.uri = "sip:a\nb";
	EXPECT_FAIL("", NULL, NULL, "CR or LF in uri");
	in = aka_input();
	in.cnonce = "c\r";
	EXPECT_FAIL("", NULL, NULL, "CR or LF in cnonce");
	in = aka_input();
	EXPECT_FAIL("ab\r\n", NULL, NULL, "CR or LF in response");
	EXPECT_FAIL("", "o\n", NULL, "CR or LF in opaque");
	EXPECT_FAIL("", NULL, "A\r\n", "CR or LF in auts");
	in.username = "a\x01";
	EXPECT_FAIL("", NULL, NULL, "control character 0x01 in username");
	in = aka_input();
	EXPECT_FAIL("", "\x7f", NULL, "control character 0x7f in opaque");
	/* missing or inconsistent input */
	in = aka_input();
	in.username = NULL;
	EXPECT_FAIL("", NULL, NULL, "missing username");
	in = aka_input();
	in.realm = NULL;
	EXPECT_FAIL("", NULL, NULL, "missing realm");
	in = aka_input();
	in.nonce = NULL;
	EXPECT_FAIL("", NULL, NULL, "missing nonce");
	in = aka_input();
	in.uri = NULL;
	EXPECT_FAIL("", NULL, NULL, "missing uri");
	in = aka_input();
	in.cnonce = NULL;
	EXPECT_FAIL("", NULL, NULL, "missing cnonce");
	in = rfc2617_input();
	in.alg = SEC_DIGEST_MD5_SESS;
	in.qop = NULL;
	in.cnonce = NULL;
	EXPECT_FAIL("", NULL, NULL, "missing cnonce");
	in = aka_input();
	in.qop = "auth\r\n";
	EXPECT_FAIL("", NULL, NULL, "unsupported qop");
	in = aka_input();
	in.alg = (enum sec_digest_alg)17;
	EXPECT_FAIL("", NULL, NULL, "invalid algorithm 17");
#undef EXPECT_FAIL

	/* the buffer: exactly enough, one byte short */
	in = aka_input();
	in.qop = NULL;
	in.cnonce = NULL;
	const char *want = "Digest username=\"" IMPI "\",realm=\"" DOMAIN "\",nonce=\"" AKA_NONCE
			   "\",uri=\"" HOME_URI "\",response=\"\",algorithm=AKAv1-MD5";
	size_t need = strlen(want) + 1;
	char *buf = malloc(need);
	assert_non_null(buf);
	assert_int_equal(sec_authorization_format(&in, "", NULL, NULL, buf, need, err, sizeof(err)),
			 0);
	assert_string_equal(buf, want);
	assert_int_equal(
		sec_authorization_format(&in, "", NULL, NULL, buf, need - 1, err, sizeof(err)), -1);
	assert_int_equal(buf[0], '\0');
	char reason[100];
	snprintf(reason, sizeof(reason), "Authorization value needs %zu bytes, buffer has %zu",
		 need, need - 1);
	assert_string_equal(err, reason);
	free(buf);
	assert_int_equal(sec_authorization_format(&in, "", NULL, NULL, out, 0, err, sizeof(err)),
			 -1);
	assert_int_equal(sec_authorization_format(NULL, "", NULL, NULL, out, 10, NULL, 0), -1);
}

/* Authorization -> challenge-style tokenizer -> the same values: what we
 * emit, our own parser (and so any RFC 7235 parser) reads back. */
static void test_roundtrip(void **state)
{
	struct sec_digest_input in = rfc2617_input();
	char out[1024], hex[65], err[200];
	struct sec_challenge ch;

	in.username = "odd \"user\\\" name";
	in.realm = "realm, with=comma";
	assert_int_equal(sec_digest_response(&in, hex, sizeof(hex), err, sizeof(err)), 0);
	assert_int_equal(sec_authorization_format(&in, hex, "op\"aque", NULL, out, sizeof(out), err,
						  sizeof(err)),
			 0);
	/* An Authorization has the challenge syntax; it lacks nothing the
	 * challenge parser insists on (realm, nonce) and its qop is "auth". */
	assert_int_equal(sec_challenge_parse(out, strlen(out), &ch, err, sizeof(err)), 0);
	assert_string_equal(ch.realm, in.realm);
	assert_string_equal(ch.nonce, in.nonce);
	assert_string_equal(ch.opaque, "op\"aque");
	assert_string_equal(ch.algorithm, "MD5");
	assert_true(ch.qop_auth);
	sec_challenge_clear(&ch);

	/* challenge -> response -> Authorization for every algorithm */
	for (int a = 0; a < 6; a++) {
		char chal[300], pw[25];
		struct sec_digest_input r = {0};

		snprintf(chal, sizeof(chal),
			 "Digest realm=\"%s\", nonce=\"%s\", algorithm=%s, qop=\"auth\"", DOMAIN,
			 AKA_NONCE, sec_digest_alg_name((enum sec_digest_alg)a));
		assert_int_equal(sec_challenge_parse(chal, strlen(chal), &ch, err, sizeof(err)), 0);
		r.alg = ch.alg;
		r.username = IMPI;
		r.realm = ch.realm;
		r.nonce = ch.nonce;
		r.cnonce = "abcdef";
		r.qop = ch.qop_auth ? "auth" : NULL;
		r.nc = 1;
		r.method = "REGISTER";
		r.uri = HOME_URI;
		r.secret = RES;
		r.secret_len = sizeof(RES);
		if (ch.alg == SEC_DIGEST_AKAV2_MD5) {
			assert_int_equal(
				sec_akav2_password(RES, sizeof(RES), IK, CK, pw, sizeof(pw)), 0);
			r.secret = (const uint8_t *)pw;
			r.secret_len = strlen(pw);
		}
		assert_int_equal(sec_digest_response(&r, hex, sizeof(hex), err, sizeof(err)), 0);
		assert_int_equal(strlen(hex), a == 2 || a == 3 ? 64 : 32);
		assert_int_equal(sec_authorization_format(&r, hex, NULL, NULL, out, sizeof(out),
							  err, sizeof(err)),
				 0);
		assert_non_null(strstr(out, sec_digest_alg_name(ch.alg)));
		assert_non_null(strstr(out, hex));
		/* the server's rspauth for this request verifies */
		assert_int_equal(sec_digest_rspauth(&r, hex, sizeof(hex), err, sizeof(err)), 0);
		assert_int_equal(sec_digest_rspauth_check(&r, hex, err, sizeof(err)), 0);
		sec_challenge_clear(&ch);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_base64_rfc4648),
		cmocka_unit_test(test_base64_roundtrip),
		cmocka_unit_test(test_base64_errors),
		cmocka_unit_test(test_rfc2617_example),
		cmocka_unit_test(test_rfc7616_examples),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_secret_with_nul),
		cmocka_unit_test(test_rspauth),
		cmocka_unit_test(test_rspauth_check),
		cmocka_unit_test(test_response_errors),
		cmocka_unit_test(test_aka_nonce),
		cmocka_unit_test(test_aka_nonce_errors),
		cmocka_unit_test(test_akav1_response),
		cmocka_unit_test(test_akav2_password),
		cmocka_unit_test(test_challenge_full),
		cmocka_unit_test(test_challenge_minimal),
		cmocka_unit_test(test_challenge_variants),
		cmocka_unit_test(test_challenge_ck_ik),
		cmocka_unit_test(test_challenge_length_bounded),
		cmocka_unit_test(test_challenge_errors),
		cmocka_unit_test(test_auth_info),
		cmocka_unit_test(test_auth_info_errors),
		cmocka_unit_test(test_authorization_initial),
		cmocka_unit_test(test_authorization_aka),
		cmocka_unit_test(test_authorization_digest),
		cmocka_unit_test(test_authorization_escaping),
		cmocka_unit_test(test_authorization_errors),
		cmocka_unit_test(test_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
