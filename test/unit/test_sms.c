/* Unit tests: SMS-DELIVER decoder and RCC.14 section 3 trigger
 * (provisioning/sms.c). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "provisioning/sms.h"

#define IMSI "214011001388741"
#define IMPI "214011001388741@ims.mnc001.mcc214.3gppnetwork.org"

/* RCC.14 3: UCS2, UDH 06 05 04 9199 0000, "<IMSI>-rcscfg", from +34600000001,
 * SCTS 2016-03-21 10:00:00 +01:00. */
static const char hex_imsi[] =
	"440B914306000000F10008613012010000403306050491990000"
	"003200310034003000310031003000300031003300380038003700340031002D00720063007300630066"
	"0067";
/* The same with "<IMPI>-rcscfg". */
static const char hex_impi[] =
	"440B914306000000F1000861301201000040770605049199000000320031003400300031003100300030"
	"003100330038003800370034003100400069006D0073002E006D006E0063003000300031002E006D0063"
	"0063003200310034002E0033006700700070006E006500740077006F0072006B002E006F00720067002D"
	"007200630073006300660067";
/* The UDH bytes exactly as printed in RCC.14 3 ("06 05 04 4074 0000"):
 * port 0x4074 = 16500, not the 37273 (0x9199) the same text names. */
static const char hex_spec_udh[] =
	"440B914306000000F10008613012010000403306050440740000003200310034003000310031003000300031"
	"003300380038003700340031002D007200630073006300660067";
/* GSM 7-bit text after the same UDH (one fill bit). */
static const char hex_gsm7_trigger[] =
	"440B914306000000F10000613012010000401E06050491990000B2180D168BC160B1190E77A3C55AF2F17C6C"
	"3E03";
/* "Hello", GSM 7-bit, no UDH. */
static const char hex_hello[] = "040B914306000000F100006130120100004005C8329BFD06";
/* 8-bit data with port, the text as ASCII. */
static const char hex_8bit[] = "440B914306000000F10004613012010000401D060504919900003231343031"
			       "313030313338383734312D726373636667";
/* 8-bit binary data. */
static const char hex_8bit_bin[] = "440B914306000000F10004613012010000400A0605049199000000FF10";
/* 8-bit port addressing IE (0x04), ports 16 and 0. */
static const char hex_port8[] =
	"440B914306000000F1000861301201000040310404021000003200310034003000310031003000300031"
	"003300380038003700340031002D007200630073006300660067";
/* Concatenation IE (part 1 of 2) and the port IE. */
static const char hex_concat[] =
	"440B914306000000F1000861301201000040380B0003420201050491990000003200310034003000310031"
	"003000300031003300380038003700340031002D007200630073006300660067";
/* UCS2 "a" and U+1F600 as a surrogate pair. */
static const char hex_emoji[] = "440B914306000000F10008613012010000400D060504919900000061D83DDE00";

static void from_hex(const char *hex, uint8_t *out, size_t *len)
{
	char err[128];
	if (prov_sms_from_hex(hex, strlen(hex), out, PROV_SMS_TPDU_MAX, len, err, sizeof(err)))
		fail_msg("bad test vector: %s", err);
}

static void decode_hex_ok(const char *hex, struct prov_sms *sms)
{
	uint8_t buf[PROV_SMS_TPDU_MAX];
	size_t len;
	char err[160];
	from_hex(hex, buf, &len);
	/* Exact-size heap copy so that an overread is caught by ASan. */
	uint8_t *p = malloc(len);
	assert_non_null(p);
	memcpy(p, buf, len);
	int rc = prov_sms_decode(p, len, sms, err, sizeof(err));
	free(p);
	if (rc)
		fail_msg("decode failed: %s", err);
}

static void expect_decode_error(const uint8_t *tpdu, size_t len, const char *want)
{
	struct prov_sms sms;
	char err[160] = "";
	uint8_t *p = malloc(len ? len : 1);
	assert_non_null(p);
	memcpy(p, tpdu, len);
	assert_int_equal(prov_sms_decode(p, len, &sms, err, sizeof(err)), -1);
	free(p);
	if (!strstr(err, want))
		fail_msg("error '%s' does not contain '%s'", err, want);
	assert_null(strchr(err, '\n'));
}

static enum prov_sms_trigger match(const struct prov_sms *sms, uint16_t port, const char *imsi,
				   const char *impi, char *reason, size_t len)
{
	struct prov_sms_match m = { .port = port, .imsi = imsi, .impi = impi };
	return prov_sms_trigger_match(sms, &m, reason, len);
}

static void expect_no_trigger(const struct prov_sms *sms, uint16_t port, const char *imsi,
			      const char *impi, const char *want)
{
	char reason[160] = "";
	assert_int_equal(match(sms, port, imsi, impi, reason, sizeof(reason)), PROV_SMS_NO_TRIGGER);
	if (!strstr(reason, want))
		fail_msg("reason '%s' does not contain '%s'", reason, want);
	/* The reason never names an identity. */
	assert_null(strstr(reason, IMSI));
}

/* A builder for SMS-DELIVER TPDUs: first octet, TP-OA +34600000001, PID 0,
 * the given DCS, SCTS of hex_imsi, UDL and UD. */
static size_t build(uint8_t *out, uint8_t first, uint8_t dcs, uint8_t udl, const uint8_t *ud,
		    size_t udlen)
{
	static const uint8_t head[] = { 0x0b, 0x91, 0x43, 0x06, 0x00, 0x00, 0x00, 0xf1,
					0x00, 0x00, 0x61, 0x30, 0x12, 0x01, 0x00, 0x00, 0x40 };
	size_t n = 0;
	out[n++] = first;
	memcpy(out + n, head, sizeof(head));
	out[n + 9] = dcs; /* after OA (8) and PID (1) */
	n += sizeof(head);
	out[n++] = udl;
	memcpy(out + n, ud, udlen);
	return n + udlen;
}

/* Pack septets after hdr octets of header, with fill bits (23.040 9.2.3.24). */
static size_t pack7(uint8_t *out, const uint8_t *hdr, size_t hlen, const uint8_t *sept, size_t n,
		    uint8_t *udl)
{
	size_t start = hlen ? (hlen * 8 + 6) / 7 : 0;
	size_t total = start + n, octets = (total * 7 + 7) / 8;
	memset(out, 0, octets);
	if (hlen)
		memcpy(out, hdr, hlen);
	for (size_t i = 0; i < n; i++) {
		size_t bit = (start + i) * 7;
		out[bit / 8] |= (uint8_t)(sept[i] << (bit % 8));
		if (bit % 8 > 1)
			out[bit / 8 + 1] |= (uint8_t)(sept[i] >> (8 - bit % 8));
	}
	*udl = (uint8_t)total;
	return octets;
}

/* ---- decoding ---- */

static void test_rcc14_imsi_trigger(void **state)
{
	struct prov_sms sms;
	char reason[160];
	decode_hex_ok(hex_imsi, &sms);
	assert_false(sms.more_messages);
	assert_true(sms.udhi);
	assert_string_equal(sms.oa, "+34600000001");
	assert_int_equal(sms.oa_toa, 0x91);
	assert_int_equal(sms.pid, 0);
	assert_int_equal(sms.dcs, 0x08);
	assert_int_equal(sms.alphabet, PROV_SMS_UCS2);
	assert_string_equal(prov_sms_alphabet_name(sms.alphabet), "ucs2");
	assert_true(sms.scts.valid);
	assert_int_equal(sms.scts.year, 2016);
	assert_int_equal(sms.scts.month, 3);
	assert_int_equal(sms.scts.day, 21);
	assert_int_equal(sms.scts.hour, 10);
	assert_int_equal(sms.scts.minute, 0);
	assert_int_equal(sms.scts.second, 0);
	assert_int_equal(sms.scts.tz_minutes, 60);
	assert_true(sms.has_port);
	assert_false(sms.port_8bit);
	assert_int_equal(sms.dst_port, PROV_SMS_PORT);
	assert_int_equal(sms.src_port, 0);
	assert_false(sms.concatenated);
	assert_true(sms.has_text);
	assert_string_equal(sms.text, IMSI "-rcscfg");
	assert_int_equal(sms.text_len, strlen(IMSI "-rcscfg"));
	assert_int_equal(sms.data_len, 2 * strlen(IMSI "-rcscfg"));

	assert_int_equal(match(&sms, 0, IMSI, NULL, reason, sizeof(reason)),
			 PROV_SMS_TRIGGER_IMSI);
	assert_int_equal(match(&sms, PROV_SMS_PORT, IMSI, IMPI, reason, sizeof(reason)),
			 PROV_SMS_TRIGGER_IMSI);
	assert_int_equal(prov_sms_trigger_match(&sms, NULL, NULL, 0), PROV_SMS_NO_TRIGGER);
	expect_no_trigger(&sms, 0, "214011001388742", NULL, "the IMSI in the text is not ours");
	expect_no_trigger(&sms, 0, "21401100138874", NULL, "the IMSI in the text is not ours");
	expect_no_trigger(&sms, 0, NULL, IMPI, "no IMSI to compare with");
	expect_no_trigger(&sms, 1234, IMSI, NULL, "destination port 37273, expected 1234");
}

static void test_rcc14_impi_trigger(void **state)
{
	struct prov_sms sms;
	char reason[160];
	decode_hex_ok(hex_impi, &sms);
	assert_string_equal(sms.text, IMPI "-rcscfg");
	assert_int_equal(match(&sms, 0, NULL, IMPI, reason, sizeof(reason)), PROV_SMS_TRIGGER_IMPI);
	/* The realm compares without regard to case, the user part exactly. */
	assert_int_equal(match(&sms, 0, IMSI, "214011001388741@IMS.MNC001.mcc214.3gppnetwork.ORG",
			       reason, sizeof(reason)),
			 PROV_SMS_TRIGGER_IMPI);
	expect_no_trigger(&sms, 0, IMSI, "214011001388742@ims.mnc001.mcc214.3gppnetwork.org",
			  "the IMPI in the text is not ours");
	expect_no_trigger(&sms, 0, IMSI, "214011001388741@ims.mnc001.mcc214.3gppnetwork.or",
			  "the IMPI in the text is not ours");
	expect_no_trigger(&sms, 0, IMSI, NULL, "no configured Private_User_Identity");
}

static void test_rcc14_spec_udh_bytes(void **state)
{
	/* RCC.14 3 prints the UDH as 06 05 04 4074 0000 but names 0x9199
	 * (37273) as the port: the bytes give 16500, which is not accepted
	 * unless configured. */
	struct prov_sms sms;
	char reason[160];
	decode_hex_ok(hex_spec_udh, &sms);
	assert_int_equal(sms.dst_port, 0x4074);
	expect_no_trigger(&sms, 0, IMSI, NULL, "destination port 16500, expected 37273");
	assert_int_equal(match(&sms, 16500, IMSI, NULL, reason, sizeof(reason)),
			 PROV_SMS_TRIGGER_IMSI);
}

static void test_suffix_case_and_text_rules(void **state)
{
	uint8_t ud[140], tpdu[PROV_SMS_TPDU_MAX];
	static const uint8_t udh[] = { 0x06, 0x05, 0x04, 0x91, 0x99, 0x00, 0x00 };
	static const struct {
		const char *text;
		enum prov_sms_trigger want;
		const char *reason;
	} t[] = {
		{ IMSI "-RCSCFG", PROV_SMS_TRIGGER_IMSI, NULL },
		{ IMSI "-RcScFg", PROV_SMS_TRIGGER_IMSI, NULL },
		{ IMSI "-rcscfg ", PROV_SMS_NO_TRIGGER, "is not <IMSI>-rcscfg" },
		{ " " IMSI "-rcscfg", PROV_SMS_NO_TRIGGER, "neither an IMSI nor an IMPI" },
		{ IMSI "rcscfg", PROV_SMS_NO_TRIGGER, "is not <IMSI>-rcscfg" },
		{ "-rcscfg", PROV_SMS_NO_TRIGGER, "is not <IMSI>-rcscfg" },
		{ "abc-rcscfg", PROV_SMS_NO_TRIGGER, "neither an IMSI nor an IMPI" },
		{ IMSI, PROV_SMS_NO_TRIGGER, "is not <IMSI>-rcscfg" },
		{ "", PROV_SMS_NO_TRIGGER, "is not <IMSI>-rcscfg" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t n = sizeof(udh);
		memcpy(ud, udh, n);
		for (const char *c = t[i].text; *c; c++) {
			ud[n++] = 0;
			ud[n++] = (uint8_t)*c;
		}
		size_t len = build(tpdu, 0x44, 0x08, (uint8_t)n, ud, n);
		struct prov_sms sms;
		char err[160], reason[160] = "";
		assert_int_equal(prov_sms_decode(tpdu, len, &sms, err, sizeof(err)), 0);
		assert_string_equal(sms.text, t[i].text);
		assert_int_equal(match(&sms, 0, IMSI, IMPI, reason, sizeof(reason)), t[i].want);
		if (t[i].reason && !strstr(reason, t[i].reason))
			fail_msg("'%s': reason '%s'", t[i].text, reason);
	}
}

static void test_gsm7(void **state)
{
	struct prov_sms sms;
	char reason[160];

	decode_hex_ok(hex_gsm7_trigger, &sms);
	assert_int_equal(sms.alphabet, PROV_SMS_GSM7);
	assert_string_equal(sms.text, IMSI "-rcscfg");
	assert_int_equal(match(&sms, 0, IMSI, NULL, reason, sizeof(reason)),
			 PROV_SMS_TRIGGER_IMSI);

	decode_hex_ok(hex_hello, &sms);
	assert_false(sms.udhi);
	assert_string_equal(sms.text, "Hello");
	assert_false(sms.has_port);
	expect_no_trigger(&sms, 0, IMSI, NULL, "no application port addressing");

	/* Extension table, the letters outside ASCII, an unknown escape,
	 * and header lengths 1..7 octets (every fill-bit count). */
	static const uint8_t sept[] = { 0x1b, 0x65, 0x1b, 0x3c, 0x1b, 0x3e, 0x00, 0x1e,
					0x10, 0x5d, 0x1b, 0x41, 0x11, 0x7f };
	const char *want = "\xe2\x82\xac[]@\xc3\x9f\xce\x94\xc3\x91" "A_\xc3\xa0";
	for (size_t h = 0; h <= 7; h++) {
		uint8_t hdr[8] = { 0 }, ud[140], tpdu[PROV_SMS_TPDU_MAX], udl;
		if (h) {
			hdr[0] = (uint8_t)(h - 1); /* UDHL; filler IEs of an unknown IEI */
			if (h >= 3) {
				hdr[1] = 0x70;
				hdr[2] = (uint8_t)(h - 3);
			}
		}
		if (h == 2)
			continue; /* a one-octet header body cannot hold an IE */
		size_t n = pack7(ud, hdr, h, sept, sizeof(sept), &udl);
		size_t len = build(tpdu, h ? 0x44 : 0x04, 0x00, udl, ud, n);
		char err[160];
		if (prov_sms_decode(tpdu, len, &sms, err, sizeof(err)))
			fail_msg("header %zu: %s", h, err);
		assert_string_equal(sms.text, want);
	}

	/* A lone ESC at the end shows nothing. */
	static const uint8_t esc[] = { 'a', 0x1b };
	uint8_t ud[8], tpdu[PROV_SMS_TPDU_MAX], udl;
	size_t n = pack7(ud, NULL, 0, esc, sizeof(esc), &udl);
	size_t len = build(tpdu, 0x04, 0x00, udl, ud, n);
	char err[160];
	assert_int_equal(prov_sms_decode(tpdu, len, &sms, err, sizeof(err)), 0);
	assert_string_equal(sms.text, "a");

	/* DCS 0xF0 (class 0, GSM7) and reserved 0x0C codings read as GSM7. */
	for (int i = 0; i < 2; i++) {
		n = pack7(ud, NULL, 0, (const uint8_t *)"Hi", 2, &udl);
		len = build(tpdu, 0x04, i ? 0x0c : 0xf0, udl, ud, n);
		assert_int_equal(prov_sms_decode(tpdu, len, &sms, err, sizeof(err)), 0);
		assert_int_equal(sms.alphabet, PROV_SMS_GSM7);
		assert_string_equal(sms.text, "Hi");
	}
}

static void test_8bit_and_ports(void **state)
{
	struct prov_sms sms;
	char reason[160];

	decode_hex_ok(hex_8bit, &sms);
	assert_int_equal(sms.alphabet, PROV_SMS_8BIT);
	assert_true(sms.has_text);
	assert_string_equal(sms.text, IMSI "-rcscfg");
	assert_int_equal(match(&sms, 0, IMSI, NULL, reason, sizeof(reason)),
			 PROV_SMS_TRIGGER_IMSI);

	decode_hex_ok(hex_8bit_bin, &sms);
	assert_false(sms.has_text);
	assert_int_equal(sms.data_len, 3);
	assert_int_equal(sms.data[1], 0xff);
	expect_no_trigger(&sms, 0, IMSI, NULL, "8-bit data, not text");

	decode_hex_ok(hex_port8, &sms);
	assert_true(sms.has_port);
	assert_true(sms.port_8bit);
	assert_int_equal(sms.dst_port, 16);
	expect_no_trigger(&sms, 0, IMSI, NULL, "destination port 16, expected 37273");
	assert_int_equal(match(&sms, 16, IMSI, NULL, reason, sizeof(reason)),
			 PROV_SMS_TRIGGER_IMSI);

	decode_hex_ok(hex_concat, &sms);
	assert_true(sms.concatenated);
	assert_int_equal(sms.concat_ref, 0x42);
	assert_int_equal(sms.concat_total, 2);
	assert_int_equal(sms.concat_seq, 1);
	expect_no_trigger(&sms, 0, IMSI, NULL, "part 1 of 2 of a concatenated message");

	/* Compressed (DCS 0x28): decoded structure, no text. */
	uint8_t ud[] = { 0x06, 0x05, 0x04, 0x91, 0x99, 0x00, 0x00, 0x12, 0x34 };
	uint8_t tpdu[PROV_SMS_TPDU_MAX];
	size_t len = build(tpdu, 0x44, 0x28, sizeof(ud), ud, sizeof(ud));
	char err[160];
	assert_int_equal(prov_sms_decode(tpdu, len, &sms, err, sizeof(err)), 0);
	assert_true(sms.compressed);
	assert_false(sms.has_text);
	expect_no_trigger(&sms, 0, IMSI, NULL, "compressed");
}

static void test_ucs2_surrogates(void **state)
{
	struct prov_sms sms;
	decode_hex_ok(hex_emoji, &sms);
	assert_string_equal(sms.text, "a\xf0\x9f\x98\x80");
}

static void test_address_forms(void **state)
{
	/* Alphanumeric sender "Oper" (TON 5): 7 semi-octets = 4 septets. */
	uint8_t tpdu[] = { 0x04, 0x07, 0xd0, 0x4f, 0x78, 0x59, 0x0e, 0x00, 0x00,
			   0x61, 0x30, 0x12, 0x01, 0x00, 0x00, 0x48, 0x00 };
	struct prov_sms sms;
	char err[160];
	assert_int_equal(prov_sms_decode(tpdu, sizeof(tpdu), &sms, err, sizeof(err)), 0);
	assert_string_equal(sms.oa, "Oper");
	/* Time zone 0x48: tens semi-octet 8 = sign bit + 0, units 4: -4 quarters. */
	assert_true(sms.scts.valid);
	assert_int_equal(sms.scts.tz_minutes, -(4 * 15));
	assert_string_equal(sms.text, "");

	/* National number with an odd digit count and '*', '#'. */
	uint8_t nat[] = { 0x04, 0x05, 0x81, 0x21, 0xba, 0xf3, 0x00, 0x00, 0x61, 0x30,
			  0x12, 0x01, 0x00, 0x00, 0x40, 0x00 };
	assert_int_equal(prov_sms_decode(nat, sizeof(nat), &sms, err, sizeof(err)), 0);
	assert_string_equal(sms.oa, "12*#3");

	/* Bad BCD in SCTS: decoded anyway, marked invalid. */
	nat[8] = 0xaa;
	assert_int_equal(prov_sms_decode(nat, sizeof(nat), &sms, err, sizeof(err)), 0);
	assert_false(sms.scts.valid);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	uint8_t base[PROV_SMS_TPDU_MAX], t[PROV_SMS_TPDU_MAX + 8];
	size_t blen;
	from_hex(hex_imsi, base, &blen);

	expect_decode_error(base, 0, "empty TPDU");
	memcpy(t, base, blen);
	t[0] = 0x45;
	expect_decode_error(t, blen, "not an SMS-DELIVER (TP-MTI 1");
	t[0] = 0x46;
	expect_decode_error(t, blen, "TP-MTI 2");
	/* Truncated at every length. */
	for (size_t n = 1; n < blen; n++) {
		struct prov_sms sms;
		char err[160] = "";
		assert_int_equal(prov_sms_decode(base, n, &sms, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "truncated"));
	}
	expect_decode_error(base, 2, "TPDU truncated in TP-OA");
	expect_decode_error(base, 6, "TPDU truncated in TP-OA (3 of 6 octets)");
	expect_decode_error(base, 12, "truncated after TP-OA");
	expect_decode_error(base, 30, "TPDU truncated in TP-UD (11 of 51 octets)");
	/* Trailing octets. */
	memcpy(t, base, blen);
	t[blen] = 0;
	expect_decode_error(t, blen + 1, "1 octets after the user data");
	/* TP-OA longer than 20 semi-octets. */
	memcpy(t, base, blen);
	t[1] = 21;
	expect_decode_error(t, blen, "TP-OA length 21 exceeds 20");
	/* Filler in the middle of the number. */
	memcpy(t, base, blen);
	t[3] = 0x3f;
	expect_decode_error(t, blen, "TP-OA has a filler semi-octet at digit 0");

	uint8_t ud[160];
	size_t len;
	/* UDL beyond the maximum. */
	len = build(t, 0x44, 0x08, 141, ud, 0);
	expect_decode_error(t, len, "TP-UDL 141 exceeds 140 octets");
	len = build(t, 0x44, 0x00, 161, ud, 0);
	expect_decode_error(t, len, "TP-UDL 161 exceeds 160 septets");
	/* UDHI with empty user data. */
	len = build(t, 0x44, 0x08, 0, ud, 0);
	expect_decode_error(t, len, "TP-UDHI set but the user data is empty");
	/* UDHL overflow. */
	static const uint8_t over[] = { 0x09, 0x05, 0x04, 0x91, 0x99, 0x00, 0x00 };
	len = build(t, 0x44, 0x08, sizeof(over), over, sizeof(over));
	expect_decode_error(t, len, "UDHL 9 overflows the user data (7 octets)");
	/* IE longer than the header. */
	static const uint8_t ieover[] = { 0x06, 0x05, 0x05, 0x91, 0x99, 0x00, 0x00 };
	len = build(t, 0x44, 0x08, sizeof(ieover), ieover, sizeof(ieover));
	expect_decode_error(t, len, "UDH IE 0x05 length 5 overflows the header");
	/* IE header cut. */
	static const uint8_t iecut[] = { 0x01, 0x05 };
	len = build(t, 0x44, 0x08, sizeof(iecut), iecut, sizeof(iecut));
	expect_decode_error(t, len, "UDH truncated in an information element header");
	/* Wrong IE lengths. */
	static const uint8_t p16[] = { 0x05, 0x05, 0x03, 0x91, 0x99, 0x00 };
	len = build(t, 0x44, 0x08, sizeof(p16), p16, sizeof(p16));
	expect_decode_error(t, len, "UDH IE 0x05 length 3, expected 4");
	static const uint8_t p8[] = { 0x05, 0x04, 0x03, 0x91, 0x99, 0x00 };
	len = build(t, 0x44, 0x08, sizeof(p8), p8, sizeof(p8));
	expect_decode_error(t, len, "UDH IE 0x04 length 3, expected 2");
	static const uint8_t cc[] = { 0x04, 0x00, 0x02, 0x01, 0x02 };
	len = build(t, 0x44, 0x08, sizeof(cc), cc, sizeof(cc));
	expect_decode_error(t, len, "UDH IE 0x00 length 2, expected 3");
	/* Odd UCS2 length. */
	static const uint8_t odd[] = { 0x06, 0x05, 0x04, 0x91, 0x99, 0x00, 0x00, 0x00, 0x41, 0x00 };
	len = build(t, 0x44, 0x08, sizeof(odd), odd, sizeof(odd));
	expect_decode_error(t, len, "odd UCS2 text length (3 octets)");
	/* Lone low surrogate, lone high surrogate at the end, U+0000. */
	static const uint8_t low[] = { 0x00, 0x41, 0xdc, 0x00, 0x00, 0x42 };
	len = build(t, 0x04, 0x08, sizeof(low), low, sizeof(low));
	expect_decode_error(t, len, "invalid UCS2 at octet 2");
	static const uint8_t high[] = { 0x00, 0x41, 0xd8, 0x3d };
	len = build(t, 0x04, 0x08, sizeof(high), high, sizeof(high));
	expect_decode_error(t, len, "UCS2 text ends inside a surrogate pair");
	static const uint8_t high2[] = { 0xd8, 0x3d, 0x00, 0x41 };
	len = build(t, 0x04, 0x08, sizeof(high2), high2, sizeof(high2));
	expect_decode_error(t, len, "invalid UCS2 at octet 0");
	static const uint8_t nul[] = { 0x00, 0x41, 0x00, 0x00 };
	len = build(t, 0x04, 0x08, sizeof(nul), nul, sizeof(nul));
	expect_decode_error(t, len, "UCS2 text contains U+0000 at octet 2");
	/* GSM7: a header longer than the septet count. */
	static const uint8_t g7[] = { 0x06, 0x05, 0x04, 0x91, 0x99, 0x00, 0x00 };
	len = build(t, 0x44, 0x00, 7, g7, sizeof(g7));
	expect_decode_error(t, len, "UDH (8 septets) longer than TP-UDL 7");
}

static void test_hex(void **state)
{
	uint8_t out[4];
	size_t n = 99;
	char err[128] = "";
	assert_int_equal(prov_sms_from_hex("00aAfF", 6, out, sizeof(out), &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[1], 0xaa);
	assert_int_equal(out[2], 0xff);
	assert_int_equal(prov_sms_from_hex("", 0, out, sizeof(out), &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(prov_sms_from_hex("abc", 3, out, sizeof(out), &n, err, sizeof(err)), -1);
	assert_string_equal(err, "odd number of hex digits (3)");
	assert_int_equal(prov_sms_from_hex("0g", 2, out, sizeof(out), &n, err, sizeof(err)), -1);
	assert_string_equal(err, "not a hex digit at position 1");
	assert_int_equal(prov_sms_from_hex("0 00", 4, out, sizeof(out), &n, err, sizeof(err)), -1);
	assert_string_equal(err, "not a hex digit at position 1");
	assert_int_equal(prov_sms_from_hex("0000000000", 10, out, sizeof(out), &n, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "5 octets of hex, at most 4 allowed");
	/* Only hexlen characters are read. */
	assert_int_equal(prov_sms_from_hex("12zz", 2, out, sizeof(out), &n, NULL, 0), 0);
	assert_int_equal(out[0], 0x12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rcc14_imsi_trigger),
		cmocka_unit_test(test_rcc14_impi_trigger),
		cmocka_unit_test(test_rcc14_spec_udh_bytes),
		cmocka_unit_test(test_suffix_case_and_text_rules),
		cmocka_unit_test(test_gsm7),
		cmocka_unit_test(test_8bit_and_ports),
		cmocka_unit_test(test_ucs2_surrogates),
		cmocka_unit_test(test_address_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
