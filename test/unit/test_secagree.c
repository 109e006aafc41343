/* sec-agree header model: RFC 3329 parsing and formatting, TS 33.203
 * Annex H parameters, mechanism selection (RFC 3329 2.3.1, TS 33.203 7.1,
 * TS 34.229-1 8.1), the UE offer, and fresh SPIs and ports. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sec/secagree.h"
#include "sec/secagree_priv.h"

#define EXAMPLE                                                                                    \
	"ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1234;spi-s=5678;port-c=5062;port-s=5064;"    \
	"prot=esp;mod=trans;q=0.1, tls;q=0.2, digest;d-alg=md5"

static void parse_ok(const char *s, struct sec_agree_list *l)
{
	char err[256] = "";
	if (sec_agree_parse(s, strlen(s), l, err, sizeof(err)) != 0) {
		print_error("parse of '%s' failed: %s\n", s, err);
		fail();
	}
}

static void check_err_n(const char *in, size_t len, const char *want)
{
	struct sec_agree_list l = {0};
	char err[256] = "";
	int rc = sec_agree_parse(in, len, &l, err, sizeof(err));
	if (rc != -1 || !strstr(err, want) || strchr(err, '\n')) {
		print_error("input '%.*s': rc %d, err '%s', want '%s'\n", (int)len, in, rc, err,
			    want);
		fail();
	}
	assert_int_equal(l.n, 0);
}

static void check_err(const char *in, const char *want)
{
	check_err_n(in, strlen(in), want);
}

static void format_is(const struct sec_agree_list *l, const char *want)
{
	char out[1024];
	int n = sec_agree_format(l, out, sizeof(out));
	assert_int_equal(n, (int)strlen(want));
	assert_string_equal(out, want);
}

static void test_parse_example(void **state)
{
	struct sec_agree_list l = {0};
	parse_ok(EXAMPLE, &l);
	assert_int_equal(l.n, 3);

	const struct sec_agree_entry *e = &l.e[0];
	assert_int_equal(e->mech, SEC_MECH_IPSEC_3GPP);
	assert_string_equal(e->mech_name, "ipsec-3gpp");
	assert_string_equal(e->alg, "hmac-sha-1-96");
	assert_string_equal(e->ealg, "null");
	assert_string_equal(e->prot, "esp");
	assert_string_equal(e->mod, "trans");
	assert_true(e->has_spi_c && e->has_spi_s && e->has_port_c && e->has_port_s);
	assert_int_equal(e->spi_c, 1234);
	assert_int_equal(e->spi_s, 5678);
	assert_int_equal(e->port_c, 5062);
	assert_int_equal(e->port_s, 5064);
	assert_int_equal(e->q, 100);
	assert_int_equal(e->n_extra, 0);

	e = &l.e[1];
	assert_int_equal(e->mech, SEC_MECH_TLS);
	assert_int_equal(e->q, 200);
	assert_null(e->alg);
	assert_false(e->has_spi_c || e->has_port_s);
	assert_int_equal(e->spi_c, 0);

	e = &l.e[2];
	assert_int_equal(e->mech, SEC_MECH_DIGEST);
	assert_int_equal(e->q, -1);
	assert_int_equal(e->n_extra, 1);
	assert_string_equal(e->extra[0].name, "d-alg");
	assert_string_equal(e->extra[0].value, "md5");
	assert_false(e->extra[0].quoted);

	sec_agree_clear(&l);
	assert_int_equal(l.n, 0);
	sec_agree_clear(&l); /* idempotent */
}

static void test_parse_whitespace_and_case(void **state)
{
	struct sec_agree_list l = {0};
	parse_ok(
		"  IPSec-3GPP\t; ALG = HMAC-MD5-96 ;Q=1.000;SPI-C=\r\n 7 ;Port-S=1 ,\tTLS ;q = 0. ,"
		"Digest",
		&l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.e[0].mech, SEC_MECH_IPSEC_3GPP);
	assert_string_equal(l.e[0].mech_name, "IPSec-3GPP");
	assert_string_equal(l.e[0].alg, "HMAC-MD5-96");
	assert_int_equal(l.e[0].q, 1000);
	assert_int_equal(l.e[0].spi_c, 7);
	assert_int_equal(l.e[0].port_s, 1);
	assert_int_equal(l.e[1].mech, SEC_MECH_TLS);
	assert_int_equal(l.e[1].q, 0);
	assert_int_equal(l.e[2].mech, SEC_MECH_DIGEST);
	sec_agree_clear(&l);
}

static void test_parse_extras_and_quoting(void **state)
{
	struct sec_agree_list l = {0};
	parse_ok("digest;d-alg=md5;d-ver=\"0123456789abcdef0123456789abcdef\";d-qop=auth, "
		 "ipsec-3gpp;mediasec;alg=hmac-sha-1-96;x=\"a \\\"b\\\" \\\\ c\";host=[2001:db8::1]"
		 ";ALG2=Tok;ealg=\"aes-cbc\"",
		 &l);
	assert_int_equal(l.n, 2);
	const struct sec_agree_entry *e = &l.e[0];
	assert_int_equal(e->n_extra, 3);
	assert_string_equal(e->extra[1].name, "d-ver");
	assert_string_equal(e->extra[1].value, "0123456789abcdef0123456789abcdef");
	assert_true(e->extra[1].quoted);
	assert_string_equal(e->extra[2].name, "d-qop");

	e = &l.e[1];
	assert_int_equal(e->n_extra, 4);
	assert_string_equal(e->extra[0].name, "mediasec");
	assert_null(e->extra[0].value);
	assert_string_equal(e->extra[1].value, "a \"b\" \\ c");
	assert_true(e->extra[1].quoted);
	assert_string_equal(e->extra[2].value, "[2001:db8::1]");
	assert_false(e->extra[2].quoted);
	assert_string_equal(e->extra[3].name, "ALG2");
	assert_string_equal(e->ealg, "aes-cbc");

	format_is(&l, "digest;d-alg=md5;d-ver=\"0123456789abcdef0123456789abcdef\";d-qop=auth, "
		      "ipsec-3gpp;alg=hmac-sha-1-96;ealg=aes-cbc;mediasec;x=\"a \\\"b\\\" \\\\ c\";"
		      "host=[2001:db8::1];ALG2=Tok");
	sec_agree_clear(&l);
}

static void test_parse_append(void **state)
{
	struct sec_agree_list l = {0};
	parse_ok("tls;q=0.5", &l);
	parse_ok("ipsec-3gpp;alg=hmac-md5-96, digest", &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.e[0].mech, SEC_MECH_TLS);
	assert_int_equal(l.e[2].mech, SEC_MECH_DIGEST);

	/* A bad second header leaves the list as it was. */
	char err[256];
	const char *bad = "tls, digest;q=7";
	assert_int_equal(sec_agree_parse(bad, strlen(bad), &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entry 2 (digest)"));
	assert_int_equal(l.n, 3);
	assert_string_equal(l.e[1].alg, "hmac-md5-96");
	format_is(&l, "tls;q=0.5, ipsec-3gpp;alg=hmac-md5-96, digest");

	/* Appending past the maximum fails and keeps the list. */
	for (size_t i = l.n; i < SEC_AGREE_MAX_ENTRIES; i++)
		parse_ok("tls", &l);
	assert_int_equal(sec_agree_parse("tls", 3, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entry 1: more than 16 mechanisms"));
	assert_int_equal(l.n, SEC_AGREE_MAX_ENTRIES);
	sec_agree_clear(&l);
}

static void test_parse_length_bounded(void **state)
{
	/* Bytes past len are never read: an exact-size heap copy, no NUL. */
	const char *s = "tls;q=0.5XYZ";
	char *buf = malloc(9);
	assert_non_null(buf);
	memcpy(buf, s, 9);
	struct sec_agree_list l = {0};
	char err[256];
	assert_int_equal(sec_agree_parse(buf, 9, &l, err, sizeof(err)), 0);
	assert_int_equal(l.e[0].q, 500);
	sec_agree_clear(&l);

	memcpy(buf, "x;a=\"bc\"", 8);
	assert_int_equal(sec_agree_parse(buf, 7, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unterminated"));
	memcpy(buf, "ipsec-3gpp", 9);
	assert_int_equal(sec_agree_parse(buf, 9, &l, err, sizeof(err)), 0);
	assert_string_equal(l.e[0].mech_name, "ipsec-3gp");
	assert_int_equal(l.e[0].mech, SEC_MECH_OTHER);
	sec_agree_clear(&l);
	free(buf);

	/* An embedded NUL is a character like any other: an error. */
	check_err_n("tls\0;q=0.1", 10, "unexpected 0x00");
	check_err_n("x;a=\"b\0\"", 8, "control character 0x00");
	/* err may be NULL or tiny. */
	assert_int_equal(sec_agree_parse("", 0, &l, NULL, 0), -1);
	char tiny[4];
	assert_int_equal(sec_agree_parse(",", 1, &l, tiny, sizeof(tiny)), -1);
	assert_int_equal(strlen(tiny), 3);
	assert_int_equal(sec_agree_parse("tls", 3, NULL, tiny, sizeof(tiny)), -1);
}

static void test_parse_qvalues(void **state)
{
	static const struct {
		const char *q;
		int want;
	} good[] = {
		{"0", 0},      {"0.", 0},       {"0.0", 0},       {"0.5", 500}, {"0.05", 50},
		{"0.005", 5},  {"0.999", 999},  {"0.123", 123},   {"1", 1000},  {"1.", 1000},
		{"1.0", 1000}, {"1.000", 1000}, {"\"0.7\"", 700},
	};
	static const char *const bad[] = {"2",  "1.5", "1.001", "0.1234", ".5",  "-0",    "0.5.",
					  "01", "1e0", "0.a",   "\"\"",   "0x1", "1.0000"};
	char in[64];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct sec_agree_list l = {0};
		snprintf(in, sizeof(in), "tls;q=%s", good[i].q);
		parse_ok(in, &l);
		assert_int_equal(l.e[0].q, good[i].want);
		sec_agree_clear(&l);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(in, sizeof(in), "tls;q=%s", bad[i]);
		check_err(in, "entry 1 (tls): parameter \"q\"");
	}
}

static void test_parse_numbers(void **state)
{
	struct sec_agree_list l = {0};
	parse_ok("ipsec-3gpp;spi-c=4294967295;spi-s=0;port-c=65535;port-s=00001", &l);
	assert_int_equal(l.e[0].spi_c, 4294967295u);
	assert_true(l.e[0].has_spi_s);
	assert_int_equal(l.e[0].spi_s, 0);
	assert_int_equal(l.e[0].port_c, 65535);
	assert_int_equal(l.e[0].port_s, 1);
	sec_agree_clear(&l);

	check_err("ipsec-3gpp;spi-c=4294967296",
		  "parameter \"spi-c\": \"4294967296\" is not a 32-bit");
	check_err("ipsec-3gpp;spi-s=99999999999999999999", "parameter \"spi-s\"");
	check_err("ipsec-3gpp;spi-c=-1", "parameter \"spi-c\"");
	check_err("ipsec-3gpp;spi-c=+1", "parameter \"spi-c\"");
	check_err("ipsec-3gpp;spi-c=12a", "parameter \"spi-c\"");
	check_err("ipsec-3gpp;port-c=0", "parameter \"port-c\": \"0\" is not a port (1..65535)");
	check_err("ipsec-3gpp;port-s=65536", "parameter \"port-s\"");
	check_err("ipsec-3gpp;port-s=4294967296", "parameter \"port-s\"");
	check_err("ipsec-3gpp;port-c=\"\"", "parameter \"port-c\"");
}

static void test_parse_errors(void **state)
{
	char many_extra[256], many_entries[256];

	check_err("", "empty header value");
	check_err("tls,", "entry 2: empty");
	check_err(",tls", "entry 1: empty");
	check_err("tls, ,digest", "entry 2: empty");
	check_err("   ", "entry 1: empty");
	check_err(";q=0.1", "entry 1: mechanism name expected, found ';'");
	check_err("\"tls\"", "entry 1: mechanism name expected, found '\"'");
	check_err("tls;", "entry 1 (tls): parameter name expected after ';', found end");
	check_err("tls;=1", "entry 1 (tls): parameter name expected after ';', found '='");
	check_err("tls q=1", "entry 1 (tls): unexpected 'q', expected ';' or ','");
	check_err("tls;q=0.5 0.6", "entry 1 (tls): unexpected '0'");
	check_err("tls/x", "unexpected '/'");
	check_err("tls;q", "entry 1 (tls): parameter \"q\" needs a value");
	check_err("tls;q=", "parameter \"q\": missing value after '='");
	check_err("tls;q=;a", "parameter \"q\": missing value after '='");
	check_err("tls;q=0.1;Q=0.2", "entry 1 (tls): duplicate parameter \"q\"");
	check_err("tls, ipsec-3gpp;ALG=x;alg=y",
		  "entry 2 (ipsec-3gpp): duplicate parameter \"alg\"");
	check_err("ipsec-3gpp;ealg=a;ealg=a", "duplicate parameter \"ealg\"");
	check_err("ipsec-3gpp;prot=esp;prot=ah", "duplicate parameter \"prot\"");
	check_err("ipsec-3gpp;mod=trans;mod=tun", "duplicate parameter \"mod\"");
	check_err("ipsec-3gpp;spi-c=1;spi-c=1", "duplicate parameter \"spi-c\"");
	check_err("ipsec-3gpp;spi-s=1;spi-s=1", "duplicate parameter \"spi-s\"");
	check_err("ipsec-3gpp;port-c=1;port-c=1", "duplicate parameter \"port-c\"");
	check_err("ipsec-3gpp;port-s=1;port-s=1", "duplicate parameter \"port-s\"");
	check_err("ipsec-3gpp;spi-c", "parameter \"spi-c\" needs a value");
	check_err("ipsec-3gpp;alg", "parameter \"alg\" needs a value");
	check_err("ipsec-3gpp;alg=\"\"", "parameter \"alg\": empty value");
	check_err("ipsec-3gpp;mod=", "parameter \"mod\": missing value");
	check_err("x;a=\"abc", "parameter \"a\": unterminated quoted-string");
	check_err("x;a=\"abc\\", "parameter \"a\": unterminated quoted-string");
	check_err("x;a=\"abc\\\"", "parameter \"a\": unterminated quoted-string");
	check_err("x;a=\"a\x01z\"", "parameter \"a\": control character 0x01");
	check_err("x;a=\"a\\\x7fz\"", "control character 0x7f");
	check_err("x;a=\"a\nz\"", "control character 0x0a");
	check_err("x;a=[::1", "parameter \"a\": malformed IPv6 reference");
	check_err("x;a=[]", "malformed IPv6 reference");
	check_err("x;a=[::g]", "malformed IPv6 reference");
	check_err("x;a=@", "parameter \"a\": bad value starting '@'");
	check_err("x;a==", "bad value starting '='");
	check_err("x;a=b=c", "unexpected '='");
	check_err("x;a=\"b\"c", "unexpected 'c'");

	strcpy(many_extra, "tls");
	for (int i = 0; i <= SEC_AGREE_MAX_EXTRA; i++)
		sprintf(many_extra + strlen(many_extra), ";p%d=%d", i, i);
	check_err(many_extra, "entry 1 (tls): parameter \"p8\": more than 8 unknown parameters");
	many_extra[strlen(many_extra) - 5] = 0; /* exactly 8 is fine */
	struct sec_agree_list l = {0};
	parse_ok(many_extra, &l);
	assert_int_equal(l.e[0].n_extra, SEC_AGREE_MAX_EXTRA);
	sec_agree_clear(&l);

	strcpy(many_entries, "tls");
	for (int i = 1; i <= SEC_AGREE_MAX_ENTRIES; i++)
		strcat(many_entries, ",tls");
	check_err(many_entries, "entry 17: more than 16 mechanisms");
	many_entries[strlen(many_entries) - 4] = 0;
	parse_ok(many_entries, &l);
	assert_int_equal(l.n, SEC_AGREE_MAX_ENTRIES);
	sec_agree_clear(&l);

	/* Long names are cut in messages, never a second line. */
	check_err("averyveryveryverylongmechanismname;q=9",
		  "entry 1 (averyveryveryverylongmec...): parameter \"q\"");
}

static void test_format_canonical(void **state)
{
	struct sec_agree_list l = {0};
	parse_ok("ipsec-3gpp;q=0.1;port-s=5064;mod=trans;x=1;spi-s=5678;alg=hmac-sha-1-96;prot=esp;"
		 "spi-c=1234;port-c=5062;ealg=null;y",
		 &l);
	format_is(&l, "ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=1234;"
		      "spi-s=5678;port-c=5062;port-s=5064;q=0.1;x=1;y");
	sec_agree_clear(&l);

	parse_ok(EXAMPLE, &l);
	format_is(&l, "ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=1234;"
		      "spi-s=5678;port-c=5062;port-s=5064;q=0.1, tls;q=0.2, digest;d-alg=md5");
	sec_agree_clear(&l);

	parse_ok("tls;q=0.07, tls;q=0.120, tls;q=1.0, tls;q=0.000, tls;q=0.999", &l);
	format_is(&l, "tls;q=0.07, tls;q=0.12, tls;q=1, tls;q=0, tls;q=0.999");
	sec_agree_clear(&l);

	/* Known tokens that arrived quoted come back as tokens, or quoted if
	 * they are not tokens. */
	parse_ok("ipsec-3gpp;alg=\"hmac-md5-96\";mod=\"a b\"", &l);
	format_is(&l, "ipsec-3gpp;alg=hmac-md5-96;mod=\"a b\"");
	sec_agree_clear(&l);
}

static void test_format_errors(void **state)
{
	struct sec_agree_list l = {0};
	char out[512];
	parse_ok(EXAMPLE, &l);
	int n = sec_agree_format(&l, out, sizeof(out));
	assert_true(n > 0);
	/* Every buffer shorter than n + 1 fails and leaves an empty string. */
	for (int cap = 1; cap <= n; cap++) {
		char *b = malloc((size_t)cap);
		assert_non_null(b);
		assert_int_equal(sec_agree_format(&l, b, (size_t)cap), -1);
		assert_int_equal(b[0], 0);
		free(b);
	}
	char *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(sec_agree_format(&l, b, (size_t)n + 1), n);
	assert_string_equal(b, out);
	free(b);
	assert_int_equal(sec_agree_format(&l, NULL, 10), -1);
	assert_int_equal(sec_agree_format(NULL, out, sizeof(out)), -1);
	sec_agree_clear(&l);

	/* Entries built by hand. */
	memset(&l, 0, sizeof(l));
	l.n = 1;
	l.e[0].mech = SEC_MECH_TLS;
	l.e[0].q = -1;
	format_is(&l, "tls");
	l.e[0].q = 1001;
	assert_int_equal(sec_agree_format(&l, out, sizeof(out)), -1);
	l.e[0].q = -1;
	l.e[0].has_port_c = true;
	assert_int_equal(sec_agree_format(&l, out, sizeof(out)), -1);
	l.e[0].has_port_c = false;
	l.e[0].mech = SEC_MECH_OTHER;
	assert_int_equal(sec_agree_format(&l, out, sizeof(out)), -1);
	l.e[0].mech = SEC_MECH_TLS;
	char name[] = "a b", value[] = "x\ny", good[] = "v";
	l.e[0].n_extra = 1;
	l.e[0].extra[0].name = name;
	l.e[0].extra[0].value = good;
	assert_int_equal(sec_agree_format(&l, out, sizeof(out)), -1);
	l.e[0].extra[0].name = good;
	l.e[0].extra[0].value = value;
	assert_int_equal(sec_agree_format(&l, out, sizeof(out)), -1);
	l.e[0].extra[0].value = name;
	format_is(&l, "tls;v=\"a b\"");
	l.n = SEC_AGREE_MAX_ENTRIES + 1;
	assert_int_equal(sec_agree_format(&l, out, sizeof(out)), -1);
	l.n = 0;
	assert_int_equal(sec_agree_format(&l, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_round_trip(void **state)
{
	static const char *const inputs[] = {
		EXAMPLE,
		"tls",
		"ipsec-3gpp;alg=hmac-md5-96;spi-c=256;spi-s=4294967295;port-c=1;port-s=65535;q=0",
		"digest;d-alg=md5;d-ver=\"0123456789abcdef0123456789abcdef\";d-qop=auth",
		"x-mech;a;b=\"\";c=\"q\\\"uote\";d=[::1];e=tok.en",
		"ipsec-3gpp;ealg=\"x\\\\y\";mod=tun;prot=ah;q=1, TLS;Q=0.001",
		" tls ; mediasec , digest ; q = 0.5 ",
		"ipsec-3gpp;alg=hmac-sha-1-96;prot=esp;mod=trans;ealg=aes-cbc;spi-c=1111;"
		"spi-s=2222;port-c=5100;port-s=5200, "
		"ipsec-3gpp;alg=hmac-md5-96;prot=esp;mod=trans;ealg=aes-cbc;spi-c=1111;"
		"spi-s=2222;port-c=5100;port-s=5200",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct sec_agree_list a = {0}, b = {0};
		char out1[1024], out2[1024], err[256];
		parse_ok(inputs[i], &a);
		int n1 = sec_agree_format(&a, out1, sizeof(out1));
		assert_true(n1 > 0);
		if (sec_agree_parse(out1, (size_t)n1, &b, err, sizeof(err)) != 0) {
			print_error("reparse of '%s' failed: %s\n", out1, err);
			fail();
		}
		assert_true(sec_agree_list_equal(&a, &b));
		int n2 = sec_agree_format(&b, out2, sizeof(out2));
		assert_int_equal(n1, n2);
		assert_string_equal(out1, out2);
		sec_agree_clear(&a);
		sec_agree_clear(&b);
	}
}

static void test_equal_and_copy(void **state)
{
	struct sec_agree_list a = {0}, b = {0}, c = {0};
	parse_ok(EXAMPLE ";x=\"1\"", &a);
	parse_ok("IPSEC-3GPP;ALG=HMAC-SHA-1-96;EALG=NULL;SPI-C=1234;SPI-S=5678;PORT-C=5062;"
		 "PORT-S=5064;PROT=ESP;MOD=TRANS;Q=0.100, TLS;Q=0.2, DIGEST;D-ALG=md5;X=1",
		 &b);
	assert_true(sec_agree_list_equal(&a, &b));
	assert_true(sec_agree_list_equal(&a, &a));
	assert_false(sec_agree_list_equal(&a, NULL));
	assert_true(sec_agree_list_equal(NULL, NULL));

	static const char *const differ[] = {
		"ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1235;spi-s=5678;port-c=5062;"
		"port-s=5064;prot=esp;mod=trans;q=0.1, tls;q=0.2, digest;d-alg=md5;x=1",
		"ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1234;spi-s=5678;port-c=5062;"
		"port-s=5064;prot=esp;mod=trans;q=0.1, tls;q=0.2, digest;d-alg=md5;x=1",
		"ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1234;spi-s=5678;port-c=5062;"
		"port-s=5064;prot=esp;mod=trans;q=0.1, tls;q=0.3, digest;d-alg=md5;x=1",
		"ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1234;spi-s=5678;port-c=5062;"
		"port-s=5064;prot=esp;mod=trans;q=0.1, tls;q=0.2, digest;d-alg=MD5;x=1",
		"ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1234;spi-s=5678;port-c=5062;"
		"port-s=5064;prot=esp;mod=trans;q=0.1, tls;q=0.2, digest;d-alg=md5",
		"ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1234;spi-s=5678;port-c=5062;"
		"prot=esp;mod=trans;q=0.1, tls;q=0.2, digest;d-alg=md5;x=1",
		"ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1234;spi-s=5678;port-c=5062;"
		"port-s=5064;prot=esp;mod=trans;q=0.1, tls;q=0.2, digest;d-alg=md5;x",
		"tls;q=0.2, digest;d-alg=md5;x=1",
		"ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1234;spi-s=5678;port-c=5062;"
		"port-s=5064;prot=esp;mod=trans;q=0.1, x-tls;q=0.2, digest;d-alg=md5;x=1",
	};
	for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		parse_ok(differ[i], &c);
		if (sec_agree_list_equal(&a, &c)) {
			print_error("'%s' compared equal\n", differ[i]);
			fail();
		}
		sec_agree_clear(&c);
	}

	/* Copy is deep: clearing the source keeps the copy. */
	parse_ok("tls", &c); /* dst in use: cleared first */
	assert_int_equal(sec_agree_list_copy(&c, &a), 0);
	assert_true(sec_agree_list_equal(&a, &c));
	assert_ptr_not_equal(c.e[0].alg, a.e[0].alg);
	assert_true(c.e[2].extra[1].quoted);
	sec_agree_clear(&a);
	format_is(&c, "ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=1234;"
		      "spi-s=5678;port-c=5062;port-s=5064;q=0.1, tls;q=0.2, "
		      "digest;d-alg=md5;x=\"1\"");
	assert_int_equal(sec_agree_list_copy(&c, &c), 0);
	assert_int_equal(sec_agree_list_copy(NULL, &c), -1);
	assert_int_equal(sec_agree_list_copy(&a, NULL), -1);
	assert_int_equal(a.n, 0);
	sec_agree_clear(&b);
	sec_agree_clear(&c);
}

static void test_mech_name(void **state)
{
	assert_string_equal(sec_agree_mech_name(SEC_MECH_IPSEC_3GPP), "ipsec-3gpp");
	assert_string_equal(sec_agree_mech_name(SEC_MECH_TLS), "tls");
	assert_string_equal(sec_agree_mech_name(SEC_MECH_DIGEST), "digest");
	assert_null(sec_agree_mech_name(SEC_MECH_OTHER));
	assert_null(sec_agree_mech_name((enum sec_mech)42));
}

/* TS 34.229-1 8.1 and A.1.2: Security-Server with two ipsec-3gpp offers,
 * q=0.9 for the PIXIT integrity algorithm and q=0.7 for the other; the test
 * runs once with each as the PIXIT one. */
static void test_select_ts34229_8_1(void **state)
{
	static const char *const algs[2] = {"hmac-sha-1-96", "hmac-md5-96"};
	struct sec_agree_list client = {0}, md5_only = {0};
	char err[256];
	struct sec_agree_offer o = {.mech = SEC_MECH_IPSEC_3GPP,
				    .ealgs = "null,aes-cbc,des-ede3-cbc",
				    .spi_c = 1000,
				    .spi_s = 1001,
				    .port_c = 5100,
				    .port_s = 5101};
	assert_int_equal(sec_agree_offer_build(&o, &client, err, sizeof(err)), 0);
	o.algs = "hmac-md5-96";
	assert_int_equal(sec_agree_offer_build(&o, &md5_only, err, sizeof(err)), 0);

	for (int pixit = 0; pixit < 2; pixit++) {
		char hdr[512];
		struct sec_agree_list server = {0};
		/* The lower-q entry first, so order alone cannot pass. */
		snprintf(hdr, sizeof(hdr),
			 "ipsec-3gpp;q=0.7;alg=%s;ealg=aes-cbc;prot=esp;mod=trans;spi-c=2000;"
			 "spi-s=2001;port-c=6100;port-s=6101, "
			 "ipsec-3gpp;q=0.9;alg=%s;ealg=des-ede3-cbc;prot=esp;mod=trans;spi-c=2000;"
			 "spi-s=2001;port-c=6100;port-s=6101",
			 algs[!pixit], algs[pixit]);
		parse_ok(hdr, &server);
		int i = sec_agree_select(&client, &server);
		assert_int_equal(i, 1);
		assert_string_equal(server.e[i].alg, algs[pixit]);
		/* A UE with only HMAC-MD5-96 takes the entry carrying it. */
		i = sec_agree_select(&md5_only, &server);
		assert_int_not_equal(i, -1);
		assert_string_equal(server.e[i].alg, "hmac-md5-96");
		sec_agree_clear(&server);
	}
	sec_agree_clear(&client);
	sec_agree_clear(&md5_only);
}

static int select_str(const char *client, const char *server)
{
	struct sec_agree_list c = {0}, s = {0};
	parse_ok(client, &c);
	parse_ok(server, &s);
	int i = sec_agree_select(&c, &s);
	sec_agree_clear(&c);
	sec_agree_clear(&s);
	return i;
}

#define SA ";spi-c=1;spi-s=2;port-c=3;port-s=4"

static void test_select_rules(void **state)
{
	const char *ue = "ipsec-3gpp;alg=hmac-sha-1-96;ealg=null" SA
			 ", ipsec-3gpp;alg=hmac-md5-96;ealg=aes-cbc" SA ", tls";

	/* Equal q: server order. */
	assert_int_equal(select_str(ue, "tls;q=0.5, ipsec-3gpp;alg=hmac-sha-1-96;q=0.5" SA), 0);
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96;q=0.5" SA ", tls;q=0.5"), 0);
	/* Highest q wins regardless of position. */
	assert_int_equal(select_str(ue, "tls;q=0.1, ipsec-3gpp;alg=hmac-sha-1-96;q=0.2" SA), 1);
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96;q=0.2" SA ", tls;q=1"), 1);
	/* An absent q ranks below q=0; without any q, server order. */
	assert_int_equal(select_str(ue, "tls, ipsec-3gpp;alg=hmac-sha-1-96;q=0" SA), 1);
	assert_int_equal(select_str(ue, "tls, ipsec-3gpp;alg=hmac-sha-1-96" SA), 0);
	/* Mechanism the client did not offer. */
	assert_int_equal(select_str("tls", "ipsec-3gpp;alg=hmac-sha-1-96" SA ", digest"), -1);
	assert_int_equal(select_str("digest", "tls;q=0.9, digest;q=0.1"), 1);
	/* Unknown mechanisms match by name, case-insensitively. */
	assert_int_equal(select_str("X-New;a=1", "x-other;q=1, x-new;q=0.5"), 1);
	/* ealg: absent and "null" are the same. */
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96" SA), 0);
	assert_int_equal(select_str("ipsec-3gpp;alg=hmac-sha-1-96" SA,
				    "ipsec-3gpp;alg=HMAC-SHA-1-96;ealg=NULL" SA),
			 0);
	/* alg and ealg must come from the same client entry. */
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96;ealg=aes-cbc" SA), -1);
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-md5-96;ealg=null" SA), -1);
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-md5-96;ealg=aes-cbc" SA), 0);
	/* Not offered: alg, ealg, no alg at all, prot/mod. */
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-256-128" SA), -1);
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96;ealg=des-ede3-cbc" SA), -1);
	assert_int_equal(select_str(ue, "ipsec-3gpp;q=1" SA ", tls;q=0.1"), 1);
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96;prot=ah" SA), -1);
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96;mod=tun" SA), -1);
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96;prot=ESP;mod=Trans" SA), 0);
	/* An ipsec-3gpp entry the UE cannot set SAs up from is skipped. */
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1;spi-s=2;port-c=3"),
			 -1);
	assert_int_equal(select_str(ue, "ipsec-3gpp;alg=hmac-sha-1-96;q=1;spi-s=2;port-c=3;"
					"port-s=4, tls;q=0.1"),
			 1);

	struct sec_agree_list empty = {0};
	assert_int_equal(sec_agree_select(NULL, &empty), -1);
	assert_int_equal(sec_agree_select(&empty, NULL), -1);
	assert_int_equal(sec_agree_select(&empty, &empty), -1);
}

static void test_offer_build(void **state)
{
	struct sec_agree_list l = {0};
	char err[256];
	struct sec_agree_offer o = {.mech = SEC_MECH_IPSEC_3GPP,
				    .spi_c = 11111,
				    .spi_s = 22222,
				    .port_c = 5062,
				    .port_s = 5064};
	assert_int_equal(sec_agree_offer_build(&o, &l, err, sizeof(err)), 0);
	format_is(&l, "ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;prot=esp;mod=trans;spi-c=11111;"
		      "spi-s=22222;port-c=5062;port-s=5064, "
		      "ipsec-3gpp;alg=hmac-sha-1-96;ealg=aes-cbc;prot=esp;mod=trans;spi-c=11111;"
		      "spi-s=22222;port-c=5062;port-s=5064, "
		      "ipsec-3gpp;alg=hmac-md5-96;ealg=null;prot=esp;mod=trans;spi-c=11111;"
		      "spi-s=22222;port-c=5062;port-s=5064, "
		      "ipsec-3gpp;alg=hmac-md5-96;ealg=aes-cbc;prot=esp;mod=trans;spi-c=11111;"
		      "spi-s=22222;port-c=5062;port-s=5064");
	sec_agree_clear(&l);

	o.algs = " HMAC-MD5-96 ";
	o.ealgs = "null";
	assert_int_equal(sec_agree_offer_build(&o, &l, err, sizeof(err)), 0);
	struct sec_agree_offer t = {.mech = SEC_MECH_TLS};
	assert_int_equal(sec_agree_offer_build(&t, &l, err, sizeof(err)), 0);
	format_is(&l, "ipsec-3gpp;alg=hmac-md5-96;ealg=null;prot=esp;mod=trans;spi-c=11111;"
		      "spi-s=22222;port-c=5062;port-s=5064, tls");
	sec_agree_clear(&l);

	static const struct {
		const char *algs, *ealgs;
		uint32_t spi_c, spi_s;
		uint16_t port_c, port_s;
		const char *want;
	} bad[] = {
		{"hmac-sha-256-128", NULL, 300, 301, 1, 2,
		 "unsupported integrity algorithm \"hmac-sha-256-128\""},
		{NULL, "aes-gcm", 300, 301, 1, 2, "unsupported encryption algorithm \"aes-gcm\""},
		{"hmac-md5-96,", NULL, 300, 301, 1, 2,
		 "empty name in the integrity algorithm list"},
		{NULL, " , null", 300, 301, 1, 2, "empty name in the encryption algorithm list"},
		{"hmac-md5-96,HMAC-MD5-96", NULL, 300, 301, 1, 2,
		 "integrity algorithm \"hmac-md5-96\" listed twice"},
		{NULL, NULL, 255, 301, 1, 2, "spi-c 255 / spi-s 301 must differ and be >= 256"},
		{NULL, NULL, 300, 0, 1, 2, "must differ and be >= 256"},
		{NULL, NULL, 300, 300, 1, 2, "must differ and be >= 256"},
		{NULL, NULL, 300, 301, 0, 2, "port-c 0 / port-s 2 must differ and be non-zero"},
		{NULL, NULL, 300, 301, 1, 0, "must differ and be non-zero"},
		{NULL, NULL, 300, 301, 7, 7, "must differ and be non-zero"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sec_agree_offer b = {.mech = SEC_MECH_IPSEC_3GPP,
					    .algs = bad[i].algs,
					    .ealgs = bad[i].ealgs,
					    .spi_c = bad[i].spi_c,
					    .spi_s = bad[i].spi_s,
					    .port_c = bad[i].port_c,
					    .port_s = bad[i].port_s};
		err[0] = 0;
		if (sec_agree_offer_build(&b, &l, err, sizeof(err)) != -1 ||
		    !strstr(err, bad[i].want)) {
			print_error("case %zu: err '%s', want '%s'\n", i, err, bad[i].want);
			fail();
		}
		assert_int_equal(l.n, 0);
	}

	/* Too many entries: the list is left alone. */
	for (int i = 0; i < SEC_AGREE_MAX_ENTRIES - 3; i++)
		parse_ok("tls", &l);
	o.algs = NULL;
	o.ealgs = NULL;
	assert_int_equal(sec_agree_offer_build(&o, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 16 mechanisms"));
	assert_int_equal(l.n, SEC_AGREE_MAX_ENTRIES - 3);
	o.ealgs = "null";
	assert_int_equal(sec_agree_offer_build(&o, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, SEC_AGREE_MAX_ENTRIES - 1);
	assert_int_equal(sec_agree_offer_build(&t, &l, err, sizeof(err)), 0);
	assert_int_equal(sec_agree_offer_build(&t, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more than 16 mechanisms"));
	sec_agree_clear(&l);

	struct sec_agree_offer d = {.mech = SEC_MECH_DIGEST};
	assert_int_equal(sec_agree_offer_build(&d, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "only ipsec-3gpp and tls"));
	assert_int_equal(sec_agree_offer_build(NULL, &l, err, sizeof(err)), -1);
	assert_int_equal(sec_agree_offer_build(&t, NULL, err, sizeof(err)), -1);
}

/* A scripted random source: each call returns the next value (big-endian). */
struct script {
	const uint32_t *v;
	size_t n, i;
};

static int script_rand(void *ctx, uint8_t *buf, size_t len)
{
	struct script *s = ctx;
	if (len != 4 || s->i >= s->n)
		return -1;
	uint32_t x = s->v[s->i++];
	buf[0] = (uint8_t)(x >> 24);
	buf[1] = (uint8_t)(x >> 16);
	buf[2] = (uint8_t)(x >> 8);
	buf[3] = (uint8_t)x;
	return 0;
}

static int const_rand(void *ctx, uint8_t *buf, size_t len)
{
	memset(buf, *(const uint8_t *)ctx, len);
	return 0;
}

#define BIG_AVOID (1u << 20)

static void test_fresh_spis_avoid_scripted(void **state)
{
	/* The SPIs in use are 256 .. 256 + 2^20 - 1. */
	uint32_t *avoid = malloc(BIG_AVOID * sizeof(*avoid));
	assert_non_null(avoid);
	for (uint32_t i = 0; i < BIG_AVOID; i++)
		avoid[i] = 256 + i;
	const uint32_t last = 256 + BIG_AVOID - 1;
	const uint32_t draws[] = {
		0,           /* zero */
		255,         /* reserved */
		256,         /* first avoided */
		300000,      /* avoided, middle */
		last,        /* last avoided */
		last + 1,    /* free: spi-c */
		last + 1,    /* equal to spi-c */
		12345,       /* avoided */
		1,           /* reserved */
		0xffffffffu, /* free: spi-s */
	};
	struct script s = {draws, sizeof(draws) / sizeof(draws[0]), 0};
	uint32_t c = 0, sp = 0;
	assert_int_equal(sec_agree_fresh_spis_rng(&c, &sp, avoid, BIG_AVOID, script_rand, &s), 0);
	assert_int_equal(c, last + 1);
	assert_int_equal(sp, 0xffffffffu);
	assert_int_equal(s.i, s.n);

	/* A source that only ever hits the avoid list gives up, not loops. */
	uint8_t byte = 0x00; /* 0x00000000: below 256 */
	assert_int_equal(sec_agree_fresh_spis_rng(&c, &sp, NULL, 0, const_rand, &byte), -1);
	uint32_t one[1] = {0x01010101u};
	byte = 0x01;
	assert_int_equal(sec_agree_fresh_spis_rng(&c, &sp, one, 1, const_rand, &byte), -1);
	/* spi-s can never equal spi-c, even with nothing to avoid. */
	assert_int_equal(sec_agree_fresh_spis_rng(&c, &sp, NULL, 0, const_rand, &byte), -1);

	/* A failing source fails; so do bad arguments. */
	struct script dry = {draws, 0, 0};
	assert_int_equal(sec_agree_fresh_spis_rng(&c, &sp, NULL, 0, script_rand, &dry), -1);
	struct script half = {draws + 5, 1, 0};
	assert_int_equal(sec_agree_fresh_spis_rng(&c, &sp, NULL, 0, script_rand, &half), -1);
	assert_int_equal(sec_agree_fresh_spis(NULL, &sp, NULL, 0), -1);
	assert_int_equal(sec_agree_fresh_spis(&c, NULL, NULL, 0), -1);
	assert_int_equal(sec_agree_fresh_spis(&c, &sp, NULL, 3), -1);
	free(avoid);
}

static void test_fresh_spis_random(void **state)
{
	/* Real randomness against a large avoid list that includes every
	 * SPI handed out so far. */
	size_t n = 100000, used = 0;
	uint32_t *avoid = malloc(n * sizeof(*avoid));
	assert_non_null(avoid);
	for (size_t i = 0; i < n - 600; i++)
		avoid[used++] = (uint32_t)(i * 2654435761u);
	for (int k = 0; k < 300; k++) {
		uint32_t c, s;
		bool clash = false;
		assert_int_equal(sec_agree_fresh_spis(&c, &s, avoid, used), 0);
		assert_true(c >= 256 && s >= 256 && c != s);
		for (size_t i = 0; i < used; i++)
			clash |= avoid[i] == c || avoid[i] == s;
		assert_false(clash);
		avoid[used++] = c;
		avoid[used++] = s;
	}
	free(avoid);
}

static void test_fresh_port(void **state)
{
	uint16_t p = 0;
	uint16_t avoid[11];
	for (int i = 0; i < 11; i++)
		avoid[i] = (uint16_t)(5060 + i);

	/* Only 5065 is free; a source stuck on an avoided port still finds it. */
	uint16_t some[10];
	for (int i = 0, k = 0; i < 11; i++)
		if (5060 + i != 5065)
			some[k++] = (uint16_t)(5060 + i);
	uint8_t byte = 0;
	assert_int_equal(sec_agree_fresh_port_rng(&p, 5060, 5070, some, 10, const_rand, &byte), 0);
	assert_int_equal(p, 5065);
	assert_int_equal(sec_agree_fresh_port_rng(&p, 5060, 5070, avoid, 11, const_rand, &byte),
			 -1);

	/* Scripted: avoided draws are skipped, the first free one is taken. */
	const uint32_t draws[] = {0, 1, 5}; /* 5060, 5061 avoided; 5065 free */
	struct script s = {draws, 3, 0};
	assert_int_equal(sec_agree_fresh_port_rng(&p, 5060, 5070, some, 10, script_rand, &s), 0);
	assert_int_equal(p, 5065);
	assert_int_equal(s.i, 3);

	assert_int_equal(sec_agree_fresh_port(&p, 0, 10, NULL, 0), -1);
	assert_int_equal(sec_agree_fresh_port(&p, 10, 9, NULL, 0), -1);
	assert_int_equal(sec_agree_fresh_port(NULL, 1, 9, NULL, 0), -1);
	assert_int_equal(sec_agree_fresh_port(&p, 1, 9, NULL, 1), -1);
	assert_int_equal(sec_agree_fresh_port(&p, 7777, 7777, NULL, 0), 0);
	assert_int_equal(p, 7777);
	for (int k = 0; k < 1000; k++) {
		uint16_t port_s = 5064;
		assert_int_equal(sec_agree_fresh_port(&p, 1024, 65535, &port_s, 1), 0);
		assert_true(p >= 1024 && p != port_s);
	}
	assert_int_equal(sec_agree_fresh_port(&p, 1, 65535, NULL, 0), 0);
	assert_true(p >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_example),
		cmocka_unit_test(test_parse_whitespace_and_case),
		cmocka_unit_test(test_parse_extras_and_quoting),
		cmocka_unit_test(test_parse_append),
		cmocka_unit_test(test_parse_length_bounded),
		cmocka_unit_test(test_parse_qvalues),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format_canonical),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_equal_and_copy),
		cmocka_unit_test(test_mech_name),
		cmocka_unit_test(test_select_ts34229_8_1),
		cmocka_unit_test(test_select_rules),
		cmocka_unit_test(test_offer_build),
		cmocka_unit_test(test_fresh_spis_avoid_scripted),
		cmocka_unit_test(test_fresh_spis_random),
		cmocka_unit_test(test_fresh_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
