/* The auth-param list tokenizer (sec/authparam.h): schemes, token and
 * quoted values, escapes, white space and folding, empty elements,
 * duplicates, several challenges in one value, length-bounded input, and a
 * table of malformed inputs with the reason each must give. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sec/authparam.h"

/* Parse s (strlen) and fail the test on an error. */
static void parse_ok(const char *s, bool with_scheme, struct sec_authparam_list *l)
{
	char err[200] = "";

	if (sec_authparam_parse(s, strlen(s), with_scheme, l, err, sizeof(err)) != 0)
		fail_msg("'%s': %s", s, err);
}

static void assert_param(const struct sec_authparam_list *l, const char *name, const char *want,
			 bool quoted)
{
	const struct sec_authparam *p = sec_authparam_find(l, name);
	char *v;

	if (!p)
		fail_msg("no parameter '%s'", name);
	v = sec_authparam_value_dup(p);
	assert_non_null(v);
	assert_string_equal(v, want);
	assert_int_equal(p->quoted, quoted);
	free(v);
}

static void test_basic(void **state)
{
	struct sec_authparam_list l;

	parse_ok("Digest realm=\"ims.example.org\", nonce=\"abc=\", algorithm=AKAv1-MD5", true, &l);
	assert_int_equal(l.scheme_len, 6);
	assert_memory_equal(l.scheme, "Digest", 6);
	assert_int_equal(l.n, 3);
	assert_memory_equal(l.param[0].name, "realm", 5);
	assert_param(&l, "realm", "ims.example.org", true);
	assert_param(&l, "nonce", "abc=", true);
	assert_param(&l, "algorithm", "AKAv1-MD5", false);
	assert_int_equal(l.next, strlen("Digest realm=\"ims.example.org\", nonce=\"abc=\", "
					"algorithm=AKAv1-MD5"));
}

static void test_case_insensitive_names(void **state)
{
	struct sec_authparam_list l;

	parse_ok("DIGEST Realm=\"r\",NONCE=\"n\"", true, &l);
	assert_param(&l, "realm", "r", true);
	assert_param(&l, "nonce", "n", true);
	assert_true(sec_authparam_is(&l.param[0], "REALM"));
	assert_false(sec_authparam_is(&l.param[0], "realms"));
	assert_false(sec_authparam_is(&l.param[0], "real"));
	assert_null(sec_authparam_find(&l, "opaque"));
}

static void test_whitespace(void **state)
{
	struct sec_authparam_list l;

	/* BWS around "=", tabs, folded lines (CRLF and LF + SP/HTAB) */
	parse_ok("  Digest\t realm = \"r\" ,\tnonce\t=\"n\"\r\n ,\r\n\topaque=\"o\",\n qop=auth  ",
		 true, &l);
	assert_int_equal(l.n, 4);
	assert_param(&l, "realm", "r", true);
	assert_param(&l, "nonce", "n", true);
	assert_param(&l, "opaque", "o", true);
	assert_param(&l, "qop", "auth", false);
}

static void test_empty_elements_and_values(void **state)
{
	struct sec_authparam_list l;

	parse_ok("Digest ,, realm=\"\",,nonce=\"\" ,", true, &l);
	assert_int_equal(l.n, 2);
	assert_param(&l, "realm", "", true);
	assert_param(&l, "nonce", "", true);
	assert_int_equal(l.param[0].value_len, 0);
}

static void test_scheme_only(void **state)
{
	struct sec_authparam_list l;

	parse_ok("Digest", true, &l);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.scheme_len, 6);
	parse_ok("Digest   ", true, &l);
	assert_int_equal(l.n, 0);
}

static void test_escapes(void **state)
{
	struct sec_authparam_list l;

	parse_ok("Digest realm=\"a\\\"b\\\\c\\d\", nonce=\"x,y=z\\,\"", true, &l);
	assert_param(&l, "realm", "a\"b\\cd", true);
	assert_param(&l, "nonce", "x,y=z,", true);
	/* the raw value keeps the escapes */
	assert_int_equal(l.param[0].value_len, strlen("a\\\"b\\\\c\\d"));
	/* obs-text and HTAB are qdtext */
	parse_ok("Digest realm=\"caf\xc3\xa9\tx\"", true, &l);
	assert_param(&l, "realm", "caf\xc3\xa9\tx", true);
}

static void test_unknown_params_kept(void **state)
{
	struct sec_authparam_list l;

	parse_ok("Digest realm=\"r\", x-foo=bar, charset=UTF-8, userhash=false", true, &l);
	assert_int_equal(l.n, 4);
	assert_param(&l, "x-foo", "bar", false);
	assert_param(&l, "charset", "UTF-8", false);
	assert_param(&l, "userhash", "false", false);
}

static void test_no_scheme(void **state)
{
	struct sec_authparam_list l;

	parse_ok("qop=auth, rspauth=\"6629fae49393a05397450978507c4ef1\", cnonce=\"0a4f113b\", "
		 "nc=00000001",
		 false, &l);
	assert_null(l.scheme);
	assert_int_equal(l.n, 4);
	assert_param(&l, "nc", "00000001", false);
	parse_ok("", false, &l);
	assert_int_equal(l.n, 0);
	parse_ok(" , ", false, &l);
	assert_int_equal(l.n, 0);
}

static void test_next_challenge(void **state)
{
	struct sec_authparam_list l;
	const char *s = "Digest realm=\"a\", nonce=\"n\", Basic realm=\"b\"";

	parse_ok(s, true, &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(s + l.next, "Basic realm=\"b\"");
	/* a bare scheme after a comma, and a token68 challenge */
	s = "Digest realm=\"a\", Negotiate";
	parse_ok(s, true, &l);
	assert_string_equal(s + l.next, "Negotiate");
	s = "Digest realm=\"a\",Bearer abc==";
	parse_ok(s, true, &l);
	assert_string_equal(s + l.next, "Bearer abc==");
	/* BWS before "=" is not a new challenge */
	parse_ok("Digest realm=\"a\", nonce =\"n\"", true, &l);
	assert_int_equal(l.n, 2);
}

static void test_length_bounded(void **state)
{
	struct sec_authparam_list l;
	char err[200];
	/* The input ends inside the buffer: nothing after len is looked at. */
	const char buf[] = "Digest realm=\"abc\"XYZ garbage \"unterminated";
	size_t len = strlen("Digest realm=\"abc\"");

	assert_int_equal(sec_authparam_parse(buf, len, true, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_param(&l, "realm", "abc", true);
	/* cut inside the quoted string */
	assert_int_equal(sec_authparam_parse(buf, len - 1, true, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unterminated"));
	/* an exact-size heap copy, so ASan sees any overread */
	char *copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, buf, len);
	assert_int_equal(sec_authparam_parse(copy, len, true, &l, err, sizeof(err)), 0);
	for (size_t n = 0; n < len; n++)
		(void)sec_authparam_parse(copy + len - n, n, true, &l, err, sizeof(err));
	free(copy);
}

static void test_max_params(void **state)
{
	struct sec_authparam_list l;
	char s[1024], err[200];
	size_t n = 0;

	n += (size_t)snprintf(s + n, sizeof(s) - n, "Digest ");
	for (int i = 0; i < SEC_AUTHPARAM_MAX; i++)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "%sp%d=%d", i ? "," : "", i, i);
	assert_int_equal(sec_authparam_parse(s, n, true, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, SEC_AUTHPARAM_MAX);
	n += (size_t)snprintf(s + n, sizeof(s) - n, ",one=more");
	assert_int_equal(sec_authparam_parse(s, n, true, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many parameters"));
}

/* ---- error table ---- */

struct bad {
	bool with_scheme;
	const char *in;
	size_t len;
	const char *reason;
};

/* The length comes from the literal, so inputs may hold NUL bytes. */
/* clang-format off */
#define B(ws, lit, reason) {ws, lit, sizeof(lit) - 1, reason}
/* clang-format on */

static const struct bad bad_inputs[] = {
	B(true, "", "missing authentication scheme"),
	B(true, "   ", "missing authentication scheme"),
	B(true, "=Digest", "invalid character ('=') in authentication scheme at position 1"),
	B(true, "\"Digest\"", "invalid character ('\"') in authentication scheme"),
	B(true, "Digest,realm=\"a\"", "expected white space after the scheme, found ','"),
	B(true, "Digest\"realm\"", "expected white space after the scheme, found '\"'"),
	B(true, "Digest realm", "expected '=' after 'realm'"),
	B(true, "Digest realm nonce=\"a\"", "expected '=' after 'realm'"),
	B(true, "Digest realm\"a\"", "expected '=' after 'realm'"),
	B(true, "Digest realm=", "missing value for 'realm'"),
	B(true, "Digest realm=  ", "missing value for 'realm'"),
	B(true, "Digest realm=,nonce=\"a\"", "missing value for 'realm'"),
	B(true, "Digest realm=\"abc", "unterminated quoted string in value of 'realm'"),
	B(true, "Digest realm=\"", "unterminated quoted string in value of 'realm'"),
	B(true, "Digest realm=\"abc\\", "unterminated quoted string in value of 'realm'"),
	B(true, "Digest realm=\"abc\\\"", "unterminated quoted string in value of 'realm'"),
	B(true, "Digest realm=\"a\r\nb\"", "control character (byte 0x0d) in value of 'realm'"),
	B(true, "Digest realm=\"a\nb\"", "control character (byte 0x0a) in value of 'realm'"),
	B(true, "Digest realm=\"a\x7f\"", "control character (byte 0x7f) in value of 'realm'"),
	B(true, "Digest realm=\"a\0b\"", "control character (byte 0x00) in value of 'realm'"),
	B(true, "Digest realm=\"a\\\0\"", "invalid escaped byte 0x00 in value of 'realm'"),
	B(true, "Digest realm=\"a\\\n\"", "invalid escaped byte 0x0a in value of 'realm'"),
	B(true, "Digest realm=a\0", "expected ',' after the value of 'realm', found byte 0x00"),
	B(true, "Digest realm=\"a\" nonce=\"b\"",
	  "expected ',' after the value of 'realm', "
	  "found 'n' at position 18"),
	B(true, "Digest realm=\"a\"\"b\"", "expected ',' after the value of 'realm'"),
	B(true, "Digest realm=a/b", "expected ',' after the value of 'realm', found '/'"),
	B(true, "Digest realm=/x", "invalid character ('/') in value of 'realm' at position 14"),
	B(true, "Digest realm=@", "invalid character ('@') in value of 'realm'"),
	B(true, "Digest =\"a\"", "expected a parameter name, found '=' at position 8"),
	B(true, "Digest realm=\"a\",\r\nnonce=\"b\"",
	  "expected a parameter name, found byte 0x0d at position 18"),
	B(true, "Digest realm=\"a\"\r\n",
	  "expected ',' after the value of 'realm', "
	  "found byte 0x0d"),
	B(true, "Digest realm=\"a\", realm=\"b\"", "duplicate parameter 'realm'"),
	B(true, "Digest REALM=\"a\", realm=\"b\"", "duplicate parameter 'realm'"),
	B(true, "Digest x=1, y=2, X=3", "duplicate parameter 'X'"),
	B(true, "Digest foo", "expected '=' after 'foo'"),
	B(true, "Digest foo bar", "expected '=' after 'foo'"),
	B(false, "nextnonce", "expected '=' after 'nextnonce'"),
	B(false, "qop=auth rspauth=\"x\"", "expected ',' after the value of 'qop'"),
	B(false, "qop=auth, Digest x=y", "expected '=' after 'Digest'"),
	B(false, "nc=00000001, nc=00000002", "duplicate parameter 'nc'"),
	B(false, "rspauth=\"abc", "unterminated quoted string in value of 'rspauth'"),
	B(false, "\"x\"", "expected a parameter name, found '\"'"),
	B(false, "=x", "expected a parameter name, found '='"),
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++) {
		const struct bad *b = &bad_inputs[i];
		struct sec_authparam_list l;
		size_t len = b->len;
		char err[200] = "";
		char *copy = malloc(len ? len : 1);

		assert_non_null(copy);
		memcpy(copy, b->in, len);
		if (sec_authparam_parse(copy, len, b->with_scheme, &l, err, sizeof(err)) != -1)
			fail_msg("case %zu accepted: %s", i, b->in);
		if (!strstr(err, b->reason))
			fail_msg("case %zu: reason '%s', expected '%s'", i, err, b->reason);
		assert_null(strchr(err, '\n'));
		/* err may be NULL */
		assert_int_equal(sec_authparam_parse(copy, len, b->with_scheme, &l, NULL, 0), -1);
		free(copy);
	}
}

static void test_long_name_in_reason(void **state)
{
	struct sec_authparam_list l;
	char s[600], err[200];
	int n;

	n = snprintf(s, sizeof(s), "Digest %0200d=1, %0200d=2", 7, 7);
	assert_int_equal(sec_authparam_parse(s, (size_t)n, true, &l, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "duplicate parameter '0000"));
	assert_non_null(strstr(err, "...'"));
	assert_true(strlen(err) < 80);
	/* a short err buffer is truncated, not overrun */
	char tiny[8];
	memset(tiny, 'x', sizeof(tiny));
	assert_int_equal(sec_authparam_parse(s, (size_t)n, true, &l, tiny, 5), -1);
	assert_int_equal(tiny[4], '\0');
	assert_int_equal(tiny[5], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_case_insensitive_names),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_empty_elements_and_values),
		cmocka_unit_test(test_scheme_only),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_unknown_params_kept),
		cmocka_unit_test(test_no_scheme),
		cmocka_unit_test(test_next_challenge),
		cmocka_unit_test(test_length_bounded),
		cmocka_unit_test(test_max_params),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_name_in_reason),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
