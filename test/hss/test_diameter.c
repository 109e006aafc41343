/* Unit tests of the test HSS's Diameter codec: encode/decode round trips, grouped AVPs, and
 * every error path of the decoder (RFC 6733 3 and 4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "test/hss/diameter.h"

static char err[256];

/* A CER-like message with base, vendor, grouped and odd-length AVPs. */
static long build_sample(uint8_t *buf, size_t cap)
{
	static const uint8_t addr[4] = {127, 0, 0, 1};
	struct diam_buf b;
	size_t g, g2;

	diam_buf_init(&b, buf, cap);
	diam_msg_begin(&b, DIAM_FLAG_REQUEST | DIAM_FLAG_PROXIABLE, DIAM_CMD_MA, DIAM_APP_CX,
		       0x11223344, 0x55667788);
	diam_put_str(&b, DIAM_AVP_SESSION_ID, DIAM_AVP_MANDATORY, 0, "scscf;1;2");
	diam_put_str(&b, DIAM_AVP_ORIGIN_HOST, DIAM_AVP_MANDATORY, 0, "a");
	diam_put_str(&b, DIAM_AVP_ORIGIN_REALM, DIAM_AVP_MANDATORY, 0, "ab");
	diam_put_str(&b, DIAM_AVP_USER_NAME, DIAM_AVP_MANDATORY, 0, "abc");
	diam_put_addr_ipv4(&b, DIAM_AVP_HOST_IP_ADDRESS, DIAM_AVP_MANDATORY, 0, addr);
	diam_put_u32(&b, CX_AVP_SIP_NUMBER_AUTH_ITEMS, DIAM_AVP_MANDATORY, DIAM_VENDOR_3GPP, 1);
	g = diam_group_begin(&b, CX_AVP_SIP_AUTH_DATA_ITEM, DIAM_AVP_MANDATORY, DIAM_VENDOR_3GPP);
	diam_put_str(&b, CX_AVP_SIP_AUTHENTICATION_SCHEME, DIAM_AVP_MANDATORY, DIAM_VENDOR_3GPP,
		     "Digest-AKAv1-MD5");
	g2 = diam_group_begin(&b, CX_AVP_SIP_DIGEST_AUTHENTICATE, DIAM_AVP_MANDATORY,
			      DIAM_VENDOR_3GPP);
	diam_put_str(&b, DIAM_AVP_DIGEST_HA1, DIAM_AVP_MANDATORY, 0, "x");
	diam_group_end(&b, g2);
	diam_group_end(&b, g);
	diam_put_avp(&b, CX_AVP_SIP_AUTHORIZATION, DIAM_AVP_MANDATORY, DIAM_VENDOR_3GPP, NULL, 0);
	return diam_msg_end(&b, err, sizeof(err));
}

static void test_round_trip(void **state)
{
	uint8_t buf[512];
	const uint8_t *body;
	struct diam_hdr h;
	struct diam_avp a, in;
	size_t blen, off = 0;
	uint32_t v;
	long len;

	(void)state;
	len = build_sample(buf, sizeof(buf));
	assert_true(len > DIAM_HDR_LEN);
	assert_int_equal(len % 4, 0);
	assert_int_equal(diam_msg_decode(buf, (size_t)len, &h, &body, &blen, err, sizeof(err)), 0);
	assert_int_equal(h.version, 1);
	assert_int_equal(h.length, len);
	assert_int_equal(h.flags, DIAM_FLAG_REQUEST | DIAM_FLAG_PROXIABLE);
	assert_int_equal(h.code, DIAM_CMD_MA);
	assert_int_equal(h.app_id, DIAM_APP_CX);
	assert_int_equal(h.hop_by_hop, 0x11223344);
	assert_int_equal(h.end_to_end, 0x55667788);
	assert_int_equal(diam_msg_length(buf, 4, err, sizeof(err)), len);

	/* the first AVP, its header and value */
	assert_int_equal(diam_avp_next(body, blen, &off, &a, err, sizeof(err)), 1);
	assert_int_equal(a.code, DIAM_AVP_SESSION_ID);
	assert_int_equal(a.flags, DIAM_AVP_MANDATORY);
	assert_int_equal(a.vendor, 0);
	assert_int_equal(a.len, 9);
	assert_memory_equal(a.data, "scscf;1;2", 9);
	assert_int_equal(off, 8 + 12); /* 17 bytes padded to 20 */

	assert_int_equal(diam_avp_find(body, blen, DIAM_AVP_ORIGIN_REALM, 0, &a, err, sizeof(err)),
			 1);
	assert_int_equal(a.len, 2);
	assert_int_equal(
		diam_avp_find(body, blen, DIAM_AVP_HOST_IP_ADDRESS, 0, &a, err, sizeof(err)), 1);
	assert_int_equal(a.len, 6);
	assert_memory_equal(a.data, "\x00\x01\x7f\x00\x00\x01", 6);
	assert_int_equal(diam_find_u32(body, blen, CX_AVP_SIP_NUMBER_AUTH_ITEMS, DIAM_VENDOR_3GPP,
				       &v, err, sizeof(err)),
			 1);
	assert_int_equal(v, 1);
	/* same code, wrong vendor: absent */
	assert_int_equal(
		diam_find_u32(body, blen, CX_AVP_SIP_NUMBER_AUTH_ITEMS, 0, &v, err, sizeof(err)),
		0);

	/* grouped: item -> digest-authenticate -> HA1 */
	assert_int_equal(diam_avp_find(body, blen, CX_AVP_SIP_AUTH_DATA_ITEM, DIAM_VENDOR_3GPP, &a,
				       err, sizeof(err)),
			 1);
	assert_true(a.flags & DIAM_AVP_VENDOR);
	assert_int_equal(diam_avp_find(a.data, a.len, CX_AVP_SIP_AUTHENTICATION_SCHEME,
				       DIAM_VENDOR_3GPP, &in, err, sizeof(err)),
			 1);
	assert_int_equal(in.len, 16);
	assert_int_equal(diam_avp_find(a.data, a.len, CX_AVP_SIP_DIGEST_AUTHENTICATE,
				       DIAM_VENDOR_3GPP, &in, err, sizeof(err)),
			 1);
	assert_int_equal(
		diam_avp_find(in.data, in.len, DIAM_AVP_DIGEST_HA1, 0, &a, err, sizeof(err)), 1);
	assert_int_equal(a.len, 1);
	assert_int_equal(a.data[0], 'x');

	/* an empty OctetString */
	assert_int_equal(diam_avp_find(body, blen, CX_AVP_SIP_AUTHORIZATION, DIAM_VENDOR_3GPP, &a,
				       err, sizeof(err)),
			 1);
	assert_int_equal(a.len, 0);
}

static void test_strings(void **state)
{
	struct diam_avp a = {.code = 1, .data = (const uint8_t *)"ab\0c", .len = 4};
	char s[8];

	(void)state;
	assert_int_equal(diam_avp_copy_str(&a, s, sizeof(s), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
	a.len = 2;
	assert_int_equal(diam_avp_copy_str(&a, s, sizeof(s), err, sizeof(err)), 0);
	assert_string_equal(s, "ab");
	assert_int_equal(diam_avp_copy_str(&a, s, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not fit"));
	assert_int_equal(diam_avp_get_u32(&a, &(uint32_t){0}, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Unsigned32 needs 4"));
	assert_string_equal(diam_cmd_name(DIAM_CMD_MA, 1), "MAR");
	assert_string_equal(diam_cmd_name(DIAM_CMD_RT, 0), "RTA");
	assert_string_equal(diam_cmd_name(9999, 1), "request");
}

static void expect_decode_error(const uint8_t *buf, size_t len, const char *what)
{
	const uint8_t *body;
	struct diam_hdr h;
	size_t blen;

	err[0] = '\0';
	assert_int_equal(diam_msg_decode(buf, len, &h, &body, &blen, err, sizeof(err)), -1);
	if (!strstr(err, what))
		fail_msg("error '%s' does not mention '%s'", err, what);
}

static void test_header_errors(void **state)
{
	uint8_t buf[512];
	long len;

	(void)state;
	len = build_sample(buf, sizeof(buf));
	assert_true(len > 0);
	expect_decode_error(buf, 19, "truncated header");
	expect_decode_error(buf, 0, "truncated header");
	/* fewer bytes than the length field says */
	expect_decode_error(buf, (size_t)len - 4, "length field");
	buf[0] = 2;
	expect_decode_error(buf, (size_t)len, "version");
	assert_int_equal(diam_msg_length(buf, 4, err, sizeof(err)), -1);
	buf[0] = 1;
	buf[3] ^= 2; /* not a multiple of 4 */
	expect_decode_error(buf, (size_t)len, "multiple of 4");
	buf[3] ^= 2;
	buf[1] = 0xff; /* far above the limit */
	expect_decode_error(buf, (size_t)len, "exceeds");
	buf[1] = 0;
	buf[2] = 0;
	buf[3] = 16; /* below the header size */
	expect_decode_error(buf, (size_t)len, "shorter than the header");
	len = build_sample(buf, sizeof(buf));
	buf[4] |= 0x01;
	expect_decode_error(buf, (size_t)len, "reserved");
	buf[4] &= ~0x01;
	buf[4] |= DIAM_FLAG_ERROR;
	expect_decode_error(buf, (size_t)len, "E bit");
	assert_int_equal(diam_msg_length(buf, 3, err, sizeof(err)), 0);
}

/* Put a header and one raw AVP area into buf. */
static size_t raw_message(uint8_t *buf, const uint8_t *avps, size_t n)
{
	size_t len = DIAM_HDR_LEN + n;

	memset(buf, 0, DIAM_HDR_LEN);
	buf[0] = 1;
	buf[1] = (uint8_t)(len >> 16);
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	buf[4] = DIAM_FLAG_REQUEST;
	buf[7] = 1;
	memcpy(buf + DIAM_HDR_LEN, avps, n);
	return len;
}

static void test_avp_errors(void **state)
{
	/* code 1, flags M, length 12, "abcd" */
	static const uint8_t good[] = {0, 0, 0, 1, 0x40, 0, 0, 12, 'a', 'b', 'c', 'd'};
	/* length 200 in a 12-byte area */
	static const uint8_t overflow[] = {0, 0, 0, 1, 0x40, 0, 0, 200, 'a', 'b', 'c', 'd'};
	/* length 4: shorter than the 8-byte header */
	static const uint8_t shorter[] = {0, 0, 0, 1, 0x40, 0, 0, 4, 'a', 'b', 'c', 'd'};
	/* V flag set, length 10: shorter than the 12-byte vendor header */
	static const uint8_t vshort[] = {0, 0, 0, 1, 0xc0, 0, 0, 10, 0, 0, 0x28, 0xaf};
	/* a second AVP of length 9 that ends the area: padding missing */
	static const uint8_t nopad[] = {0,   0, 0, 1, 0x40, 0,    0, 12, 'a', 'b', 'c',
					'd', 0, 0, 0, 1,    0x40, 0, 0,  9,   'x'};
	/* length 9 with a non-zero padding byte */
	static const uint8_t badpad[] = {0, 0, 0, 1, 0x40, 0, 0, 9, 'a', 'x', 0, 0};
	/* 4 trailing bytes: a truncated AVP header */
	static const uint8_t trunc[] = {0, 0, 0, 1, 0x40, 0, 0, 12, 'a', 'b', 'c', 'd', 0, 0, 0, 1};
	/* grouped Experimental-Result whose inner AVP overflows the group */
	static const uint8_t badgroup[] = {0, 0,    1,    0x29, 0x40, 0,  0, 20, 0,    0,
					   1, 0x0a, 0x40, 0,    0,    99, 0, 0,  0x28, 0xaf};
	uint8_t buf[256], pad[64];
	struct diam_avp a;
	size_t off, len;

	(void)state;
	len = raw_message(buf, good, sizeof(good));
	expect_decode_error(buf, len - 1, "length field");
	{
		const uint8_t *body;
		struct diam_hdr h;
		size_t blen;

		assert_int_equal(diam_msg_decode(buf, len, &h, &body, &blen, err, sizeof(err)), 0);
	}
	len = raw_message(buf, overflow, sizeof(overflow));
	expect_decode_error(buf, len, "overflows");
	len = raw_message(buf, shorter, sizeof(shorter));
	expect_decode_error(buf, len, "shorter than its 8-byte header");
	len = raw_message(buf, vshort, sizeof(vshort));
	expect_decode_error(buf, len, "shorter than its 12-byte header");
	/* the second AVP of nopad lacks its 3 padding bytes; a message length that is not a
	 * multiple of 4 is refused earlier, so check it on the AVP area itself */
	off = 0;
	assert_int_equal(diam_avp_next(nopad, sizeof(nopad), &off, &a, err, sizeof(err)), 1);
	assert_int_equal(off, 12);
	assert_int_equal(diam_avp_next(nopad, sizeof(nopad), &off, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "padding missing"));
	len = raw_message(buf, badpad, sizeof(badpad));
	expect_decode_error(buf, len, "padding is not zero");
	len = raw_message(buf, trunc, sizeof(trunc));
	expect_decode_error(buf, len, "truncated AVP header");
	len = raw_message(buf, badgroup, sizeof(badgroup));
	expect_decode_error(buf, len, "overflows");
	/* a 4-byte area holds no vendor header */
	off = 0;
	memcpy(pad, vshort, 8);
	pad[7] = 12;
	assert_int_equal(diam_avp_next(pad, 8, &off, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated vendor AVP header"));
	off = 100;
	assert_int_equal(diam_avp_next(pad, 8, &off, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "beyond"));
}

static void test_nesting_limit(void **state)
{
	uint8_t buf[1024];
	struct diam_buf b;
	size_t g[DIAM_GROUP_DEPTH_MAX + 2];
	long len;
	int i;

	(void)state;
	diam_buf_init(&b, buf, sizeof(buf));
	diam_msg_begin(&b, DIAM_FLAG_REQUEST, DIAM_CMD_DW, 0, 1, 1);
	for (i = 0; i < DIAM_GROUP_DEPTH_MAX + 2; i++)
		g[i] = diam_group_begin(&b, DIAM_AVP_PROXY_INFO, 0, 0);
	diam_put_u32(&b, DIAM_AVP_RESULT_CODE, 0, 0, 1);
	for (i = DIAM_GROUP_DEPTH_MAX + 1; i >= 0; i--)
		diam_group_end(&b, g[i]);
	len = diam_msg_end(&b, err, sizeof(err));
	assert_true(len > 0);
	expect_decode_error(buf, (size_t)len, "nested too deeply");
}

static void test_encoder_overflow(void **state)
{
	uint8_t buf[40];
	struct diam_buf b;
	size_t g;

	(void)state;
	diam_buf_init(&b, buf, sizeof(buf));
	diam_msg_begin(&b, 0, DIAM_CMD_DW, 0, 1, 1);
	diam_put_str(&b, DIAM_AVP_ORIGIN_HOST, 0, 0, "a-host-name-that-is-too-long");
	assert_int_equal(diam_msg_end(&b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not fit"));

	diam_buf_init(&b, buf, 16);
	diam_msg_begin(&b, 0, DIAM_CMD_DW, 0, 1, 1);
	assert_int_equal(diam_msg_end(&b, err, sizeof(err)), -1);

	/* a group that cannot be opened leaves the buffer marked and its end is harmless */
	diam_buf_init(&b, buf, 24);
	diam_msg_begin(&b, 0, DIAM_CMD_DW, 0, 1, 1);
	g = diam_group_begin(&b, DIAM_AVP_PROXY_INFO, 0, DIAM_VENDOR_3GPP);
	diam_group_end(&b, g);
	assert_int_equal(diam_msg_end(&b, err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),    cmocka_unit_test(test_strings),
		cmocka_unit_test(test_header_errors), cmocka_unit_test(test_avp_errors),
		cmocka_unit_test(test_nesting_limit), cmocka_unit_test(test_encoder_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
