/* The software USIM and its parts: hex helpers, TS 33.102 Annex C SQN
 * freshness (IND slots, delta), the sqn_file text format and its error
 * paths, atomic persistence, MAC and synchronisation failures, replays. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sec/aka.h"
#include "sec/hex.h"
#include "sec/milenage.h"
#include "sec/sqn.h"
#include "sec/usim_soft.h"

/* TS 35.208 Test Set 1 keys; SQNs are chosen per test. */
static const uint8_t K[16] = {0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
			      0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};
static const uint8_t OP[16] = {0xcd, 0xc2, 0x02, 0xd5, 0x12, 0x3e, 0x20, 0xf6,
			       0x2b, 0x6d, 0x67, 0x6a, 0xc7, 0x2c, 0xb3, 0x18};
static const uint8_t OPC[16] = {0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
				0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};
static const uint8_t AMF[2] = {0xb9, 0xb9};

/* ---- helpers ---- */

static void make_rand(uint64_t n, uint8_t rand[16])
{
	for (int i = 0; i < 16; i++)
		rand[i] = (uint8_t)(n * 37 + (uint64_t)i * 11);
}

/* The network side: AUTN = SQN xor AK || AMF || MAC-A. */
static void make_autn(const uint8_t rand[16], uint64_t sqn, uint8_t autn[16])
{
	uint8_t sqn_b[6], ak[6];

	sec_sqn_to_bytes(sqn, sqn_b);
	assert_int_equal(sec_milenage_f2345(K, OPC, rand, NULL, NULL, NULL, ak, NULL), 0);
	for (int i = 0; i < 6; i++)
		autn[i] = sqn_b[i] ^ ak[i];
	memcpy(autn + 6, AMF, 2);
	assert_int_equal(sec_milenage_f1(K, OPC, rand, sqn_b, AMF, autn + 8, NULL), 0);
}

/* The network's check of AUTS (TS 33.102 6.3.5): SQN_MS, after verifying MAC-S. */
static uint64_t auts_sqn_ms(const uint8_t rand[16], const uint8_t auts[14])
{
	static const uint8_t amf0[2] = {0, 0};
	uint8_t akstar[6], ms[6], mac_s[8];

	assert_int_equal(sec_milenage_f2345(K, OPC, rand, NULL, NULL, NULL, NULL, akstar), 0);
	for (int i = 0; i < 6; i++)
		ms[i] = auts[i] ^ akstar[i];
	assert_int_equal(sec_milenage_f1(K, OPC, rand, ms, amf0, NULL, mac_s), 0);
	assert_memory_equal(mac_s, auts + 6, 8);
	return sec_sqn_from_bytes(ms);
}

static void one_line(const char *err, const char *want)
{
	if (!strstr(err, want) || strchr(err, '\n') || !*err) {
		print_error("error '%s' does not say '%s' (on one line)\n", err, want);
		fail();
	}
}

static char tmpdir[256];

static int setup_dir(void **state)
{
	const char *base = getenv("TMPDIR");
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_usim.XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		chmod(path, 0700);
		while (d && (e = readdir(d))) {
			char sub[1024];
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			rm_rf(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int teardown_dir(void **state)
{
	(void)state;
	rm_rf(tmpdir);
	return 0;
}

static void path_of(const char *name, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/%s", tmpdir, name);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static size_t read_file(const char *path, char *buf, size_t buflen)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, buflen - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

static int new_usim(struct sec_cred **c, const char *sqn_file, uint64_t sqn_ms, char *err,
		    size_t errlen)
{
	struct sec_usim_soft_params p;

	sec_usim_soft_params_init(&p);
	memcpy(p.k, K, 16);
	memcpy(p.opc, OPC, 16);
	p.has_opc = true;
	memcpy(p.amf, AMF, 2);
	p.sqn_file = sqn_file;
	p.sqn_ms = sqn_ms;
	return sec_usim_soft_new(c, &p, err, errlen);
}

static uint64_t usim_sqn_ms(const struct sec_cred *c)
{
	struct sec_usim_soft_info info;
	assert_int_equal(sec_usim_soft_info(c, &info), 0);
	return info.sqn_ms;
}

static enum sec_aka_status run(struct sec_cred *c, uint64_t n, uint64_t sqn,
			       struct sec_aka_result *r)
{
	uint8_t rand[16], autn[16];
	char err[256] = "";

	make_rand(n, rand);
	make_autn(rand, sqn, autn);
	enum sec_aka_status st = sec_cred_check(c, rand, autn, r, err, sizeof(err));
	if (st == SEC_AKA_ERROR)
		print_message("# error: %s\n", err);
	return st;
}

/* ---- hex ---- */

static void test_hex_decode(void **state)
{
	uint8_t out[8];
	size_t n = 99;
	char err[128];

	(void)state;
	assert_int_equal(sec_hex_decode("00aBcD", 6, out, sizeof(out), &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(out[0], 0x00);
	assert_int_equal(out[1], 0xab);
	assert_int_equal(out[2], 0xcd);
	assert_int_equal(sec_hex_decode("", 0, out, sizeof(out), &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(sec_hex_decode("ff", 2, out, 1, NULL, NULL, 0), 0);
	assert_int_equal(out[0], 0xff);

	assert_int_equal(sec_hex_decode("abc", 3, out, sizeof(out), &n, err, sizeof(err)), -1);
	one_line(err, "odd number of hex digits (3)");
	assert_int_equal(sec_hex_decode("0g", 2, out, sizeof(out), &n, err, sizeof(err)), -1);
	one_line(err, "invalid hex digit 'g' at position 2");
	assert_int_equal(sec_hex_decode("0x12", 4, out, sizeof(out), &n, err, sizeof(err)), -1);
	one_line(err, "'x' at position 2");
	assert_int_equal(sec_hex_decode("1 ", 2, out, sizeof(out), &n, err, sizeof(err)), -1);
	one_line(err, "byte 0x20");
	assert_int_equal(sec_hex_decode("\3770", 2, out, sizeof(out), &n, err, sizeof(err)), -1);
	one_line(err, "byte 0xff");
	assert_int_equal(sec_hex_decode("001122", 6, out, 2, &n, err, sizeof(err)), -1);
	one_line(err, "too long: 6 hex digits, at most 4");
	/* NULL err is allowed */
	assert_int_equal(sec_hex_decode("z", 1, out, sizeof(out), NULL, NULL, 0), -1);
}

static void test_hex_no_overread(void **state)
{
	/* an unterminated heap buffer: ASan reports any read past len */
	char *s = malloc(4);
	uint8_t out[2];
	size_t n;

	(void)state;
	memcpy(s, "a1b2", 4);
	assert_int_equal(sec_hex_decode(s, 4, out, sizeof(out), &n, NULL, 0), 0);
	assert_int_equal(n, 2);
	assert_int_equal(sec_hex_decode_exact(s, 4, out, 2, NULL, 0), 0);
	assert_int_equal(out[1], 0xb2);
	free(s);
}

static void test_hex_exact(void **state)
{
	uint8_t out[16];
	char err[128];

	(void)state;
	assert_int_equal(sec_hex_decode_exact("0102", 4, out, 2, err, sizeof(err)), 0);
	assert_int_equal(sec_hex_decode_exact("010", 3, out, 2, err, sizeof(err)), -1);
	one_line(err, "expected 4 hex digits, found 3");
	assert_int_equal(sec_hex_decode_exact("01", 2, out, 2, err, sizeof(err)), -1);
	one_line(err, "expected 4 hex digits, found 2");
	assert_int_equal(sec_hex_decode_exact("010203", 6, out, 2, err, sizeof(err)), -1);
	one_line(err, "expected 4 hex digits, found 6");
	assert_int_equal(sec_hex_decode_exact("01q3", 4, out, 2, err, sizeof(err)), -1);
	one_line(err, "invalid hex digit 'q' at position 3");
	assert_int_equal(sec_hex_decode_exact("01q", 3, out, 2, err, sizeof(err)), -1);
	one_line(err, "invalid hex digit 'q'");
}

static void test_hex_encode(void **state)
{
	const uint8_t in[] = {0x00, 0x9a, 0xff, 0x10};
	char out[9];

	(void)state;
	memset(out, 'x', sizeof(out));
	sec_hex_encode(in, 4, out);
	assert_string_equal(out, "009aff10");
	sec_hex_encode(in, 0, out);
	assert_string_equal(out, "");
}

/* ---- SQN state (Annex C) ---- */

#define SQN(seq, ind) (((uint64_t)(seq) << 5) | (ind))

static void test_sqn_init_errors(void **state)
{
	struct sec_sqn_state s;
	char err[128];

	(void)state;
	assert_int_equal(sec_sqn_init(&s, 9, SEC_SQN_DELTA_DEFAULT, 0, err, sizeof(err)), -1);
	one_line(err, "IND length 9 bits out of range 0..8");
	assert_int_equal(sec_sqn_init(&s, 5, 0, 0, err, sizeof(err)), -1);
	one_line(err, "delta must be at least 1");
	assert_int_equal(sec_sqn_init(&s, 5, 1, UINT64_C(1) << 48, err, sizeof(err)), -1);
	one_line(err, "longer than 48 bits");
	assert_int_equal(sec_sqn_init(&s, 8, 1, SEC_SQN_MAX, err, sizeof(err)), 0);
}

static void test_sqn_replay_and_order(void **state)
{
	struct sec_sqn_state s;

	(void)state;
	assert_int_equal(sec_sqn_init(&s, 5, SEC_SQN_DELTA_DEFAULT, 0, NULL, 0), 0);
	/* a new USIM: SEQ 0 is not above SEQ_MS 0 in any slot */
	assert_int_equal(sec_sqn_check(&s, SQN(0, 0)), SEC_SQN_STALE);
	assert_int_equal(sec_sqn_check(&s, SQN(0, 31)), SEC_SQN_STALE);
	assert_int_equal(sec_sqn_check(&s, SQN(1, 0)), SEC_SQN_FRESH);
	sec_sqn_accept(&s, SQN(1, 0));
	assert_int_equal(s.sqn_ms, SQN(1, 0));
	/* the same SQN again is a replay */
	assert_int_equal(sec_sqn_check(&s, SQN(1, 0)), SEC_SQN_STALE);
	assert_int_equal(sec_sqn_check(&s, SQN(2, 0)), SEC_SQN_FRESH);
}

/* Annex C: each IND value has its own SEQ_MS(i), so vectors used out of
 * order (different IND) are accepted, but never twice in one slot. */
static void test_sqn_ind_slots(void **state)
{
	struct sec_sqn_state s;

	(void)state;
	assert_int_equal(sec_sqn_init(&s, 5, SEC_SQN_DELTA_DEFAULT, 0, NULL, 0), 0);
	assert_int_equal(sec_sqn_check(&s, SQN(10, 3)), SEC_SQN_FRESH);
	sec_sqn_accept(&s, SQN(10, 3));
	/* an older SEQ in another slot is still fresh */
	assert_int_equal(sec_sqn_check(&s, SQN(5, 7)), SEC_SQN_FRESH);
	sec_sqn_accept(&s, SQN(5, 7));
	assert_int_equal(s.sqn_ms, SQN(10, 3));
	assert_int_equal(s.seq[3], 10);
	assert_int_equal(s.seq[7], 5);
	/* but not in its own slot */
	assert_int_equal(sec_sqn_check(&s, SQN(4, 7)), SEC_SQN_STALE);
	assert_int_equal(sec_sqn_check(&s, SQN(5, 7)), SEC_SQN_STALE);
	assert_int_equal(sec_sqn_check(&s, SQN(9, 3)), SEC_SQN_STALE);
	assert_int_equal(sec_sqn_check(&s, SQN(6, 7)), SEC_SQN_FRESH);
	assert_int_equal(sec_sqn_check(&s, SQN(1, 31)), SEC_SQN_FRESH);
	assert_int_equal(sec_sqn_check(&s, SQN(11, 3)), SEC_SQN_FRESH);

	/* the slots restored from SQN_MS alone all start at SEQ_MS */
	assert_int_equal(sec_sqn_init(&s, 5, SEC_SQN_DELTA_DEFAULT, SQN(10, 3), NULL, 0), 0);
	for (unsigned i = 0; i < 32; i++) {
		assert_int_equal(sec_sqn_check(&s, SQN(10, i)), SEC_SQN_STALE);
		assert_int_equal(sec_sqn_check(&s, SQN(11, i)), SEC_SQN_FRESH);
	}

	/* ind_bits 0: one counter */
	assert_int_equal(sec_sqn_init(&s, 0, SEC_SQN_DELTA_DEFAULT, 100, NULL, 0), 0);
	assert_int_equal(sec_sqn_check(&s, 100), SEC_SQN_STALE);
	assert_int_equal(sec_sqn_check(&s, 101), SEC_SQN_FRESH);

	/* ind_bits 8: 256 slots */
	assert_int_equal(sec_sqn_init(&s, 8, SEC_SQN_DELTA_DEFAULT, 0, NULL, 0), 0);
	sec_sqn_accept(&s, (7u << 8) | 255);
	assert_int_equal(sec_sqn_check(&s, (7u << 8) | 255), SEC_SQN_STALE);
	assert_int_equal(sec_sqn_check(&s, (7u << 8) | 254), SEC_SQN_FRESH);
}

static void test_sqn_delta(void **state)
{
	struct sec_sqn_state s;
	char why[256];

	(void)state;
	assert_int_equal(sec_sqn_init(&s, 5, 1000, SQN(100, 4), NULL, 0), 0);
	assert_int_equal(sec_sqn_check(&s, SQN(1100, 9)), SEC_SQN_FRESH);
	assert_int_equal(sec_sqn_check(&s, SQN(1101, 9)), SEC_SQN_TOO_FAR);
	sec_sqn_explain(&s, SQN(1101, 9), SEC_SQN_TOO_FAR, why, sizeof(why));
	one_line(why, "too far ahead");
	sec_sqn_explain(&s, SQN(100, 4), SEC_SQN_STALE, why, sizeof(why));
	one_line(why, "not fresh");
	sec_sqn_explain(&s, SQN(101, 4), SEC_SQN_FRESH, why, sizeof(why));
	one_line(why, "is fresh");
	/* the limit is relative to the highest SEQ accepted in any slot */
	sec_sqn_accept(&s, SQN(1100, 9));
	assert_int_equal(sec_sqn_check(&s, SQN(2100, 4)), SEC_SQN_FRESH);
	assert_int_equal(sec_sqn_check(&s, SQN(2101, 4)), SEC_SQN_TOO_FAR);

	/* default 2^28 */
	assert_int_equal(sec_sqn_init(&s, 5, SEC_SQN_DELTA_DEFAULT, 0, NULL, 0), 0);
	assert_int_equal(sec_sqn_check(&s, SQN(UINT64_C(1) << 28, 0)), SEC_SQN_FRESH);
	assert_int_equal(sec_sqn_check(&s, SQN((UINT64_C(1) << 28) + 1, 0)), SEC_SQN_TOO_FAR);
	/* no limit */
	assert_int_equal(sec_sqn_init(&s, 5, SEC_SQN_DELTA_NONE, 0, NULL, 0), 0);
	assert_int_equal(sec_sqn_check(&s, SEC_SQN_MAX), SEC_SQN_FRESH);
}

/* ---- sqn_file text ---- */

static void parse_ok(struct sec_sqn_state *s, unsigned ind_bits, const char *text)
{
	char err[256] = "";
	assert_int_equal(sec_sqn_init(s, ind_bits, SEC_SQN_DELTA_DEFAULT, 0, NULL, 0), 0);
	if (sec_sqn_parse(s, text, strlen(text), err, sizeof(err)) != 0) {
		print_error("parse of '%s' failed: %s\n", text, err);
		fail();
	}
}

static void parse_bad_n(unsigned ind_bits, const char *text, size_t len, const char *want)
{
	struct sec_sqn_state s, before;
	char err[256] = "";

	assert_int_equal(sec_sqn_init(&s, ind_bits, SEC_SQN_DELTA_DEFAULT, 77, NULL, 0), 0);
	before = s;
	if (sec_sqn_parse(&s, text, len, err, sizeof(err)) != -1) {
		print_error("parse of '%.*s' succeeded\n", (int)len, text);
		fail();
	}
	one_line(err, want);
	assert_memory_equal(&s, &before, sizeof(s));
}

static void parse_bad(unsigned ind_bits, const char *text, const char *want)
{
	parse_bad_n(ind_bits, text, strlen(text), want);
}

static void test_sqn_text_minimal(void **state)
{
	struct sec_sqn_state s;

	(void)state;
	parse_ok(&s, 5, "0000000004a5\n");
	assert_int_equal(s.sqn_ms, 0x4a5);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(s.seq[i], 0x4a5 >> 5);
	parse_ok(&s, 5, "0000000004A5");
	assert_int_equal(s.sqn_ms, 0x4a5);
	parse_ok(&s, 0, "ffffffffffff\n");
	assert_int_equal(s.sqn_ms, SEC_SQN_MAX);
	assert_int_equal(s.seq[0], SEC_SQN_MAX);
}

static void test_sqn_text_round_trip(void **state)
{
	struct sec_sqn_state s, t;
	char text[SEC_SQN_TEXT_MAX];

	(void)state;
	for (unsigned bits = 0; bits <= SEC_SQN_IND_BITS_MAX; bits++) {
		assert_int_equal(sec_sqn_init(&s, bits, SEC_SQN_DELTA_DEFAULT, 0, NULL, 0), 0);
		for (uint64_t i = 0; i < 300; i += 7)
			sec_sqn_accept(&s, ((i * 13) << bits) | (i % (1u << bits)));
		size_t n = sec_sqn_format(&s, text, sizeof(text));
		assert_int_equal(n, strlen(text));
		assert_int_equal(n, 13 + 11 + 13 * (1u << bits));
		assert_int_equal(sec_sqn_init(&t, bits, SEC_SQN_DELTA_DEFAULT, 0, NULL, 0), 0);
		char err[256] = "";
		if (sec_sqn_parse(&t, text, n, err, sizeof(err)) < 0) {
			print_error("%u bits: %s\n", bits, err);
			fail();
		}
		assert_memory_equal(&s, &t, sizeof(s));
	}
	/* the exact text for 2 IND bits */
	assert_int_equal(sec_sqn_init(&s, 2, SEC_SQN_DELTA_DEFAULT, 0, NULL, 0), 0);
	sec_sqn_accept(&s, (9 << 2) | 1);
	sec_sqn_accept(&s, (4 << 2) | 2);
	sec_sqn_format(&s, text, sizeof(text));
	assert_string_equal(text, "000000000025\nind-bits 2\n000000000000\n000000000025\n"
				  "000000000012\n000000000003\n");
	/* cut short like snprintf */
	char small[8];
	assert_int_equal(sec_sqn_format(&s, small, sizeof(small)), strlen(text));
	assert_string_equal(small, "0000000");
}

static void test_sqn_text_other_ind_bits(void **state)
{
	struct sec_sqn_state s;

	(void)state;
	/* written with 2 IND bits, read with 5: SQN_MS only */
	parse_ok(&s, 5,
		 "000000000025\nind-bits 2\n"
		 "000000000000\n000000000025\n000000000012\n000000000003\n");
	assert_int_equal(s.sqn_ms, 0x25);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(s.seq[i], 1);
}

static void test_sqn_text_errors(void **state)
{
	(void)state;
	parse_bad(5, "", "empty");
	parse_bad(5, "\n", "line 1: SQN_MS must be 12 hex digits, found 0 characters");
	parse_bad(5, "00000004a5\n", "line 1: SQN_MS must be 12 hex digits, found 10 characters");
	parse_bad(5, "0000000004a5ff\n", "found 14 characters");
	parse_bad(5, "00000000g4a5\n", "line 1: SQN_MS: invalid hex digit 'g' at position 9");
	parse_bad(5, "0000000004a5\r\n", "found whitespace");
	parse_bad(5, " 000000004a5\n", "found whitespace");
	parse_bad_n(5, "0000000004a5\n\0", 14, "NUL byte");
	parse_bad(5, "0000000004a5\n\n", "line 2: expected 'ind-bits N'");
	parse_bad(5, "0000000004a5\nind-bits=5\n", "line 2: expected 'ind-bits N'");
	parse_bad(5, "0000000004a5\nind-bits 10\n", "line 2: expected 'ind-bits N'");
	parse_bad(5, "0000000004a5\nind-bits 9\n", "line 2: ind-bits 9 out of range 0..8");
	parse_bad(1, "000000000025\nind-bits 1\n000000000000\n",
		  "ends after 1 of the 2 slot lines");
	parse_bad(1, "000000000025\nind-bits 1\n", "ends after 0 of the 2 slot lines");
	parse_bad(1, "000000000025\nind-bits 1\n000000000001\n000000000025\n",
		  "line 3: slot 0 holds SQN 000000000001 whose IND is 1");
	parse_bad(1, "000000000025\nind-bits 1\n000000000030\n000000000025\n",
		  "line 3: slot 0 SEQ 0x18 above that of SQN_MS 000000000025");
	parse_bad(1, "000000000025\nind-bits 1\n000000000000\n000000000021\n",
		  "line 4: slot 1 SEQ 0x10 differs from that of SQN_MS");
	parse_bad(1, "000000000025\nind-bits 1\n000000000000\n000000000025\nxyz\n",
		  "line 5: unexpected content after the last slot");
	parse_bad(1, "000000000025\nind-bits 1\n000000000000\n000000000025\n\n",
		  "line 5: unexpected content");
	parse_bad(1, "000000000025\nind-bits 1\n00000000000z\n000000000025\n",
		  "line 3: slot SQN: invalid hex digit 'z'");
}

/* ---- the software USIM ---- */

static void test_usim_params(void **state)
{
	struct sec_usim_soft_params p;
	struct sec_cred *c = (struct sec_cred *)&p;
	char err[256];

	(void)state;
	sec_usim_soft_params_init(&p);
	assert_int_equal(p.ind_bits, 5);
	assert_int_equal(p.delta, UINT64_C(1) << 28);
	assert_int_equal(sec_usim_soft_new(&c, &p, err, sizeof(err)), -1);
	assert_null(c);
	one_line(err, "neither OP nor OPc given");
	p.has_op = p.has_opc = true;
	assert_int_equal(sec_usim_soft_new(&c, &p, err, sizeof(err)), -1);
	one_line(err, "both OP and OPc given");
	p.has_op = false;
	p.ind_bits = 9;
	assert_int_equal(sec_usim_soft_new(&c, &p, err, sizeof(err)), -1);
	one_line(err, "IND length 9 bits");
	p.ind_bits = 5;
	p.delta = 0;
	assert_int_equal(sec_usim_soft_new(&c, &p, err, sizeof(err)), -1);
	one_line(err, "delta must be at least 1");
	p.delta = 5;
	p.sqn_file = "";
	assert_int_equal(sec_usim_soft_new(&c, &p, err, sizeof(err)), -1);
	one_line(err, "sqn_file is an empty path");
	p.sqn_file = NULL;
	assert_int_equal(sec_usim_soft_new(&c, &p, err, sizeof(err)), 0);
	assert_non_null(c);
	assert_string_equal(c->ops->name, "usim-soft");
	struct sec_usim_soft_info info;
	assert_int_equal(sec_usim_soft_info(c, &info), 0);
	assert_int_equal(info.delta, 5);
	assert_int_equal(info.ind_bits, 5);
	sec_cred_free(c);
	sec_cred_free(NULL);
}

static void test_usim_op_derives_opc(void **state)
{
	struct sec_usim_soft_params p;
	struct sec_cred *c;
	struct sec_aka_result r;
	char err[256];

	(void)state;
	sec_usim_soft_params_init(&p);
	memcpy(p.k, K, 16);
	memcpy(p.op, OP, 16);
	p.has_op = true;
	memcpy(p.amf, AMF, 2);
	assert_int_equal(sec_usim_soft_new(&c, &p, err, sizeof(err)), 0);
	memset(&p, 0, sizeof(p)); /* the USIM keeps its own copy */
	struct sec_usim_soft_info info;
	assert_int_equal(sec_usim_soft_info(c, &info), 0);
	assert_memory_equal(info.amf, AMF, 2);
	assert_int_equal(info.sqn_ms, 0);
	/* make_autn uses the set's OPc: a USIM built from OP must accept it */
	assert_int_equal(run(c, 1, SQN(1, 0), &r), SEC_AKA_OK);
	assert_int_equal(r.res_len, 8);
	sec_cred_free(c);
}

static void test_usim_in_memory(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r;
	char err[256];

	(void)state;
	assert_int_equal(new_usim(&c, NULL, SQN(1000, 0), err, sizeof(err)), 0);
	assert_int_equal(usim_sqn_ms(c), SQN(1000, 0));
	assert_int_equal(run(c, 1, SQN(1000, 1), &r), SEC_AKA_SYNC_FAILURE);
	assert_int_equal(run(c, 2, SQN(1001, 1), &r), SEC_AKA_OK);
	assert_int_equal(usim_sqn_ms(c), SQN(1001, 1));
	sec_aka_result_wipe(&r);
	sec_cred_free(c);
}

static void test_usim_ok_fills_result(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r;
	uint8_t rand[16], res[8], ck[16], ik[16], sqn_b[6];
	char err[256];

	(void)state;
	assert_int_equal(new_usim(&c, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(run(c, 5, SQN(3, 2), &r), SEC_AKA_OK);
	make_rand(5, rand);
	assert_int_equal(sec_milenage_f2345(K, OPC, rand, res, ck, ik, NULL, NULL), 0);
	assert_int_equal(r.status, SEC_AKA_OK);
	assert_int_equal(r.res_len, 8);
	assert_memory_equal(r.res, res, 8);
	assert_memory_equal(r.ck, ck, 16);
	assert_memory_equal(r.ik, ik, 16);
	sec_sqn_to_bytes(SQN(3, 2), sqn_b);
	assert_memory_equal(r.sqn, sqn_b, 6);
	sec_aka_result_wipe(&r);
	struct sec_aka_result zero;
	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(&r, &zero, sizeof(r));
	sec_cred_free(c);
}

static void test_usim_mac_failure(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r, zero;
	uint8_t rand[16], autn[16];
	char err[256], path[512], before[512], after[512];

	(void)state;
	memset(&zero, 0, sizeof(zero));
	path_of("mac.sqn", path, sizeof(path));
	assert_int_equal(new_usim(&c, path, 0, err, sizeof(err)), 0);
	read_file(path, before, sizeof(before));
	make_rand(9, rand);
	for (int byte = 0; byte < 16; byte++) {
		make_autn(rand, SQN(1, 0), autn);
		autn[byte] ^= 0x40;
		memset(&r, 0xaa, sizeof(r));
		assert_int_equal(sec_cred_check(c, rand, autn, &r, err, sizeof(err)),
				 SEC_AKA_MAC_FAILURE);
		/* nothing but the status */
		zero.status = SEC_AKA_MAC_FAILURE;
		assert_memory_equal(&r, &zero, sizeof(r));
	}
	/* a wrong K is a MAC failure too; a different RAND as well */
	make_autn(rand, SQN(1, 0), autn);
	make_rand(10, rand);
	assert_int_equal(sec_cred_check(c, rand, autn, &r, err, sizeof(err)), SEC_AKA_MAC_FAILURE);
	assert_int_equal(usim_sqn_ms(c), 0);
	read_file(path, after, sizeof(after));
	assert_string_equal(before, after);
	sec_cred_free(c);
}

static void test_usim_sync_failure(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r;
	uint8_t rand[16], sqn_b[6];
	char err[256];

	(void)state;
	assert_int_equal(new_usim(&c, NULL, SQN(500, 17), err, sizeof(err)), 0);
	assert_int_equal(run(c, 3, SQN(400, 2), &r), SEC_AKA_SYNC_FAILURE);
	assert_int_equal(r.status, SEC_AKA_SYNC_FAILURE);
	make_rand(3, rand);
	/* AUTS carries SQN_MS, and MAC-S over it verifies */
	assert_int_equal(auts_sqn_ms(rand, r.auts), SQN(500, 17));
	sec_sqn_to_bytes(SQN(400, 2), sqn_b);
	assert_memory_equal(r.sqn, sqn_b, 6);
	assert_int_equal(r.res_len, 0);
	static const uint8_t zero[16];
	assert_memory_equal(r.res, zero, 16);
	assert_memory_equal(r.ck, zero, 16);
	assert_memory_equal(r.ik, zero, 16);
	assert_int_equal(usim_sqn_ms(c), SQN(500, 17));
	sec_cred_free(c);
}

static void test_usim_replay(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r;
	uint8_t rand[16], autn[16];
	char err[256];

	(void)state;
	assert_int_equal(new_usim(&c, NULL, 0, err, sizeof(err)), 0);
	make_rand(4, rand);
	make_autn(rand, SQN(7, 1), autn);
	assert_int_equal(sec_cred_check(c, rand, autn, &r, err, sizeof(err)), SEC_AKA_OK);
	assert_int_equal(sec_cred_check(c, rand, autn, &r, err, sizeof(err)), SEC_AKA_SYNC_FAILURE);
	assert_int_equal(auts_sqn_ms(rand, r.auts), SQN(7, 1));
	sec_cred_free(c);
}

static void test_usim_delta(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r;
	uint8_t rand[16];
	char err[256];
	uint64_t start = SQN(1000, 0), delta = UINT64_C(1) << 28;

	(void)state;
	assert_int_equal(new_usim(&c, NULL, start, err, sizeof(err)), 0);
	/* SEQ jump of delta + 1: refused with AUTS */
	assert_int_equal(run(c, 6, SQN(1000 + delta + 1, 0), &r), SEC_AKA_SYNC_FAILURE);
	make_rand(6, rand);
	assert_int_equal(auts_sqn_ms(rand, r.auts), start);
	assert_int_equal(usim_sqn_ms(c), start);
	/* a jump of exactly delta is accepted */
	assert_int_equal(run(c, 7, SQN(1000 + delta, 0), &r), SEC_AKA_OK);
	assert_int_equal(usim_sqn_ms(c), SQN(1000 + delta, 0));
	sec_cred_free(c);
}

static void test_usim_ind_slots(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r;
	char err[256];

	(void)state;
	assert_int_equal(new_usim(&c, NULL, 0, err, sizeof(err)), 0);
	/* vectors of one batch used out of order, each IND once */
	assert_int_equal(run(c, 1, SQN(3, 2), &r), SEC_AKA_OK);
	assert_int_equal(run(c, 2, SQN(2, 1), &r), SEC_AKA_OK);
	assert_int_equal(run(c, 3, SQN(1, 0), &r), SEC_AKA_OK);
	assert_int_equal(usim_sqn_ms(c), SQN(3, 2));
	/* an older one in a used slot is refused */
	assert_int_equal(run(c, 4, SQN(1, 1), &r), SEC_AKA_SYNC_FAILURE);
	assert_int_equal(run(c, 5, SQN(2, 1), &r), SEC_AKA_SYNC_FAILURE);
	assert_int_equal(run(c, 6, SQN(3, 1), &r), SEC_AKA_OK);
	sec_cred_free(c);
}

/* ---- sqn_file ---- */

static void assert_no_temp_files(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp")) {
			print_error("temporary file %s left behind\n", e->d_name);
			fail();
		}
	closedir(d);
}

static void test_sqn_file_missing_is_new(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r;
	struct stat st;
	char err[256], path[512], text[2048];

	(void)state;
	path_of("new.sqn", path, sizeof(path));
	assert_int_equal(new_usim(&c, path, SQN(99, 0), err, sizeof(err)), 0);
	/* sqn_ms of the params is for the in-memory case only */
	assert_int_equal(usim_sqn_ms(c), 0);
	/* created at once, owner-only */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	read_file(path, text, sizeof(text));
	assert_true(!strncmp(text, "000000000000\nind-bits 5\n", 24));
	assert_int_equal(run(c, 1, SQN(8, 3), &r), SEC_AKA_OK);
	assert_int_equal(run(c, 2, SQN(5, 4), &r), SEC_AKA_OK);
	sec_cred_free(c);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	read_file(path, text, sizeof(text));
	assert_true(!strncmp(text, "000000000103\nind-bits 5\n", 24));
	assert_no_temp_files();

	/* a new instance from the file refuses both replays and keeps the slots */
	assert_int_equal(new_usim(&c, path, 0, err, sizeof(err)), 0);
	assert_int_equal(usim_sqn_ms(c), SQN(8, 3));
	assert_int_equal(run(c, 1, SQN(8, 3), &r), SEC_AKA_SYNC_FAILURE);
	assert_int_equal(run(c, 2, SQN(5, 4), &r), SEC_AKA_SYNC_FAILURE);
	assert_int_equal(run(c, 3, SQN(6, 4), &r), SEC_AKA_OK);
	assert_int_equal(run(c, 4, SQN(2, 5), &r), SEC_AKA_OK);
	sec_cred_free(c);
}

static void test_sqn_file_minimal(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r;
	char err[256], path[512], text[2048];

	(void)state;
	path_of("minimal.sqn", path, sizeof(path));
	write_file(path, "000000000103\n", 13);
	assert_int_equal(new_usim(&c, path, 0, err, sizeof(err)), 0);
	assert_int_equal(usim_sqn_ms(c), SQN(8, 3));
	/* without slot history every slot is at SEQ_MS */
	assert_int_equal(run(c, 1, SQN(8, 4), &r), SEC_AKA_SYNC_FAILURE);
	assert_int_equal(run(c, 2, SQN(9, 4), &r), SEC_AKA_OK);
	sec_cred_free(c);
	read_file(path, text, sizeof(text));
	assert_true(!strncmp(text, "000000000124\nind-bits 5\n", 24));

	write_file(path, "0000000001A3", 12);
	assert_int_equal(new_usim(&c, path, 0, err, sizeof(err)), 0);
	assert_int_equal(usim_sqn_ms(c), 0x1a3);
	sec_cred_free(c);
}

static void bad_file(const char *name, const char *content, size_t len, const char *want)
{
	struct sec_cred *c = NULL;
	char err[512] = "", path[512], need[600], *text = malloc(len + 2);

	path_of(name, path, sizeof(path));
	write_file(path, content, len);
	assert_int_equal(new_usim(&c, path, 0, err, sizeof(err)), -1);
	assert_null(c);
	snprintf(need, sizeof(need), "sqn_file %s: %s", path, want);
	one_line(err, need);
	/* never reset: the file is left as it was */
	assert_int_equal(read_file(path, text, len + 2), len);
	assert_memory_equal(text, content, len);
	free(text);
}

static void test_sqn_file_errors(void **state)
{
	struct sec_cred *c = NULL;
	char err[512], path[512], want[600];

	(void)state;
	bad_file("empty.sqn", "", 0, "empty");
	bad_file("short.sqn", "0000000103\n", 11,
		 "line 1: SQN_MS must be 12 hex digits, found 10 characters");
	bad_file("long.sqn", "00000000000103\n", 15,
		 "line 1: SQN_MS must be 12 hex digits, found 14 characters");
	bad_file("nonhex.sqn", "00000000o103\n", 13, "line 1: SQN_MS: invalid hex digit 'o'");
	bad_file("crlf.sqn", "000000000103\r\n", 14,
		 "line 1: SQN_MS must be 12 hex digits with nothing around them, found whitespace");
	bad_file("garbage.sqn", "000000000103\nhello\n", 19, "line 2: expected 'ind-bits N'");
	bad_file("binary.sqn", "\0\0\0\0\0\0\0\0\0\0\0\0\n", 13, "contains a NUL byte");

	/* unreadable: a directory */
	path_of("dir.sqn", path, sizeof(path));
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(new_usim(&c, path, 0, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "sqn_file %s: cannot read: ", path);
	one_line(err, want);

	/* too large */
	char *big = malloc(70000);
	memset(big, '0', 70000);
	bad_file("big.sqn", big, 70000, "larger than 65536 bytes");
	free(big);

	/* unreadable: no permission (root reads anything, so only as a user) */
	path_of("noperm.sqn", path, sizeof(path));
	write_file(path, "000000000103\n", 13);
	assert_int_equal(chmod(path, 0), 0);
	if (geteuid() != 0) {
		assert_int_equal(new_usim(&c, path, 0, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "sqn_file %s: cannot open: Permission denied", path);
		one_line(err, want);
	} else {
		print_message("# running as root: the permission case is not reachable\n");
	}

	/* the directory does not exist: the file cannot be created */
	path_of("nodir/x.sqn", path, sizeof(path));
	assert_int_equal(new_usim(&c, path, 0, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "sqn_file %s: cannot create a temporary file: ", path);
	one_line(err, want);
}

/* An accepted SQN that cannot be saved: no keys are released, and the SQN
 * stays used in memory. */
static void test_sqn_file_save_failure(void **state)
{
	struct sec_cred *c;
	struct sec_aka_result r, zero;
	uint8_t rand[16], autn[16];
	char err[512] = "", dir[512], path[600];

	(void)state;
	memset(&zero, 0, sizeof(zero));
	path_of("gone", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/x.sqn", dir);
	assert_int_equal(new_usim(&c, path, 0, err, sizeof(err)), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	make_rand(1, rand);
	make_autn(rand, SQN(1, 0), autn);
	assert_int_equal(sec_cred_check(c, rand, autn, &r, err, sizeof(err)), SEC_AKA_ERROR);
	zero.status = SEC_AKA_ERROR;
	assert_memory_equal(&r, &zero, sizeof(r));
	char want[700];
	snprintf(want, sizeof(want), "sqn_file %s: ", path);
	one_line(err, want);
	assert_int_equal(sec_cred_check(c, rand, autn, &r, err, sizeof(err)), SEC_AKA_SYNC_FAILURE);
	sec_cred_free(c);
}

/* ---- misc ---- */

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(sec_aka_status_name(SEC_AKA_OK), "ok");
	assert_string_equal(sec_aka_status_name(SEC_AKA_MAC_FAILURE), "mac-failure");
	assert_string_equal(sec_aka_status_name(SEC_AKA_SYNC_FAILURE), "sync-failure");
	assert_string_equal(sec_aka_status_name(SEC_AKA_ERROR), "error");
}

static enum sec_aka_status other_check(struct sec_cred *c, const uint8_t rand[16],
				       const uint8_t autn[16], struct sec_aka_result *out,
				       char *err, size_t errlen)
{
	(void)c, (void)rand, (void)autn, (void)out, (void)err, (void)errlen;
	return SEC_AKA_ERROR;
}

static void other_destroy(struct sec_cred *c)
{
	*(int *)c->priv = 1;
}

static void test_other_source(void **state)
{
	static const struct sec_cred_ops ops = {"other", other_check, other_destroy};
	int destroyed = 0;
	struct sec_cred c = {&ops, &destroyed};
	struct sec_usim_soft_info info;

	(void)state;
	assert_int_equal(sec_usim_soft_info(&c, &info), -1);
	assert_int_equal(sec_usim_soft_info(NULL, &info), -1);
	sec_cred_free(&c);
	assert_int_equal(destroyed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_decode),
		cmocka_unit_test(test_hex_no_overread),
		cmocka_unit_test(test_hex_exact),
		cmocka_unit_test(test_hex_encode),
		cmocka_unit_test(test_sqn_init_errors),
		cmocka_unit_test(test_sqn_replay_and_order),
		cmocka_unit_test(test_sqn_ind_slots),
		cmocka_unit_test(test_sqn_delta),
		cmocka_unit_test(test_sqn_text_minimal),
		cmocka_unit_test(test_sqn_text_round_trip),
		cmocka_unit_test(test_sqn_text_other_ind_bits),
		cmocka_unit_test(test_sqn_text_errors),
		cmocka_unit_test(test_usim_params),
		cmocka_unit_test(test_usim_op_derives_opc),
		cmocka_unit_test(test_usim_in_memory),
		cmocka_unit_test(test_usim_ok_fills_result),
		cmocka_unit_test(test_usim_mac_failure),
		cmocka_unit_test(test_usim_sync_failure),
		cmocka_unit_test(test_usim_replay),
		cmocka_unit_test(test_usim_delta),
		cmocka_unit_test(test_usim_ind_slots),
		cmocka_unit_test(test_sqn_file_missing_is_new),
		cmocka_unit_test(test_sqn_file_minimal),
		cmocka_unit_test(test_sqn_file_errors),
		cmocka_unit_test(test_sqn_file_save_failure),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_other_source),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
