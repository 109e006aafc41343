/* Unit tests: Subscription-State values of reg event NOTIFYs (ue/substate.c,
 * RFC 6665 8.2.3): the values, parameters, case and white space, and every
 * error path. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ue/substate.h"

/* Parse exactly strlen(s) bytes from a heap copy without a NUL after it. */
static int parse(const char *s, struct ue_substate *st, char *err, size_t errlen)
{
	size_t n = strlen(s);
	char *copy = malloc(n ? n : 1);
	int rc;

	assert_non_null(copy);
	memcpy(copy, s, n);
	rc = ue_substate_parse(copy, n, st, err, errlen);
	free(copy);
	return rc;
}

static void test_values(void **state)
{
	struct ue_substate st;
	char err[160];

	(void)state;
	assert_int_equal(parse("active;expires=600000", &st, err, sizeof(err)), 0);
	assert_int_equal(st.value, UE_SUBSTATE_ACTIVE);
	assert_int_equal(st.expires, 600000);
	assert_int_equal(st.retry_after, -1);
	assert_string_equal(st.reason, "");

	assert_int_equal(parse("pending", &st, err, sizeof(err)), 0);
	assert_int_equal(st.value, UE_SUBSTATE_PENDING);
	assert_int_equal(st.expires, -1);

	assert_int_equal(parse("terminated;reason=timeout", &st, err, sizeof(err)), 0);
	assert_int_equal(st.value, UE_SUBSTATE_TERMINATED);
	assert_string_equal(st.reason, "timeout");

	assert_int_equal(parse("  Terminated ; Reason = Probation ; RETRY-AFTER = 30 \t", &st, err,
			       sizeof(err)),
			 0);
	assert_int_equal(st.value, UE_SUBSTATE_TERMINATED);
	assert_string_equal(st.token, "terminated");
	assert_string_equal(st.reason, "probation");
	assert_int_equal(st.retry_after, 30);

	assert_int_equal(parse("waiting;x-foo;bar=\"a;b\\\"c\";host=[2001:db8::1];expires=0", &st,
			       err, sizeof(err)),
			 0);
	assert_int_equal(st.value, UE_SUBSTATE_OTHER);
	assert_string_equal(st.token, "waiting");
	assert_int_equal(st.expires, 0);

	assert_int_equal(parse("active;expires=2147483647", &st, err, sizeof(err)), 0);
	assert_int_equal(st.expires, 2147483647L);
}

static void test_errors(void **state)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{"", "Subscription-State: empty"},
		{" \t ", "Subscription-State: empty"},
		{";expires=1", "Subscription-State: the value is not a token"},
		{"active expires=1", "Subscription-State: unexpected 'e' at offset 7"},
		{"active;", "Subscription-State: a parameter name is not a token"},
		{"active;=5", "Subscription-State: a parameter name is not a token"},
		{"active;expires", "Subscription-State: expires without a value"},
		{"active;expires=", "Subscription-State: expires is not a number"},
		{"active;expires=-1", "Subscription-State: expires is not a number"},
		{"active;expires=2147483648", "Subscription-State: expires is out of range"},
		{"active;expires=99999999999999999999",
		 "Subscription-State: expires is out of range"},
		{"active;expires=10;expires=20", "Subscription-State: expires given twice"},
		{"terminated;retry-after", "Subscription-State: retry-after without a value"},
		{"terminated;retry-after=x", "Subscription-State: retry-after is not a number"},
		{"terminated;reason", "Subscription-State: reason without a value"},
		{"terminated;reason=", "Subscription-State: the reason is not a token"},
		{"terminated;reason=a;reason=b", "Subscription-State: reason given twice"},
		{"terminated;reason=\"x\"", "Subscription-State: the reason is not a token"},
		{"active;foo=\"abc", "Subscription-State: unterminated quoted string"},
		{"active;foo=\"abc\\\"", "Subscription-State: unterminated quoted string"},
		{"active;foo=", "Subscription-State: foo without a value"},
		{"active;expires=5x", "Subscription-State: unexpected 'x' at offset 16"},
		{"activeactiveactiveactiveactiveactive",
		 "Subscription-State: the value longer than 31 characters"},
		{"terminated;reason=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 "Subscription-State: the reason longer than 31 characters"},
		{"active\x01", "Subscription-State: unexpected '?' at offset 6"},
	};
	struct ue_substate st;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (parse(cases[i].in, &st, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", cases[i].in);
		if (strcmp(err, cases[i].msg))
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].in, err, cases[i].msg);
	}
	/* NULL input and a NULL err are fine. */
	assert_int_equal(ue_substate_parse(NULL, 0, &st, err, sizeof(err)), -1);
	assert_string_equal(err, "Subscription-State: missing");
	assert_int_equal(ue_substate_parse("", 0, &st, NULL, 0), -1);
}

/* The length bounds the parse: nothing after it is read. */
static void test_length(void **state)
{
	struct ue_substate st;
	char err[160];

	(void)state;
	assert_int_equal(ue_substate_parse("active;expires=12junk", 17, &st, err, sizeof(err)), 0);
	assert_int_equal(st.expires, 12);
	assert_int_equal(ue_substate_parse("terminated", 4, &st, err, sizeof(err)), 0);
	assert_int_equal(st.value, UE_SUBSTATE_OTHER);
	assert_string_equal(st.token, "term");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
