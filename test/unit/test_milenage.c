/* Milenage against the six test sets of 3GPP TS 35.208 clause 4.3
 * (test/data/ts35208-milenage.txt): OPc, f1, f1*, f2, f3, f4, f5, f5*. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sec/aka.h"
#include "sec/milenage.h"
#include "sec/sqn.h"
#include "test/unit/milenage_sets.h"

#define MAX_SETS 8

struct fixture {
	struct ts35208_set sets[MAX_SETS];
	int n;
};

static int setup(void **state)
{
	static struct fixture fx;
	char err[512];

	fx.n = ts35208_load(fx.sets, MAX_SETS, err, sizeof(err));
	if (fx.n < 0) {
		print_error("%s\n", err);
		return -1;
	}
	*state = &fx;
	return 0;
}

static void test_six_sets(void **state)
{
	const struct fixture *fx = *state;

	assert_int_equal(fx->n, 6);
	for (int i = 0; i < fx->n; i++)
		assert_int_equal(fx->sets[i].number, i + 1);
}

static void test_opc(void **state)
{
	const struct fixture *fx = *state;
	uint8_t opc[16];

	for (int i = 0; i < fx->n; i++) {
		const struct ts35208_set *s = &fx->sets[i];
		assert_int_equal(sec_milenage_opc(s->k, s->op, opc), 0);
		assert_memory_equal(opc, s->opc, 16);
	}
}

static void test_f1(void **state)
{
	const struct fixture *fx = *state;
	uint8_t mac_a[8], mac_s[8];

	for (int i = 0; i < fx->n; i++) {
		const struct ts35208_set *s = &fx->sets[i];
		memset(mac_a, 0, 8);
		memset(mac_s, 0, 8);
		assert_int_equal(
			sec_milenage_f1(s->k, s->opc, s->rand, s->sqn, s->amf, mac_a, mac_s), 0);
		assert_memory_equal(mac_a, s->f1, 8);
		assert_memory_equal(mac_s, s->f1star, 8);
		/* each output on its own */
		memset(mac_a, 0, 8);
		assert_int_equal(
			sec_milenage_f1(s->k, s->opc, s->rand, s->sqn, s->amf, mac_a, NULL), 0);
		assert_memory_equal(mac_a, s->f1, 8);
		memset(mac_s, 0, 8);
		assert_int_equal(
			sec_milenage_f1(s->k, s->opc, s->rand, s->sqn, s->amf, NULL, mac_s), 0);
		assert_memory_equal(mac_s, s->f1star, 8);
	}
}

static void test_f2345(void **state)
{
	const struct fixture *fx = *state;
	uint8_t res[8], ck[16], ik[16], ak[6], akstar[6];

	for (int i = 0; i < fx->n; i++) {
		const struct ts35208_set *s = &fx->sets[i];
		memset(res, 0, 8);
		memset(ck, 0, 16);
		memset(ik, 0, 16);
		memset(ak, 0, 6);
		memset(akstar, 0, 6);
		assert_int_equal(sec_milenage_f2345(s->k, s->opc, s->rand, res, ck, ik, ak, akstar),
				 0);
		assert_memory_equal(res, s->f2, 8);
		assert_memory_equal(ck, s->f3, 16);
		assert_memory_equal(ik, s->f4, 16);
		assert_memory_equal(ak, s->f5, 6);
		assert_memory_equal(akstar, s->f5star, 6);
	}
}

static void test_f2345_single_outputs(void **state)
{
	const struct fixture *fx = *state;
	uint8_t buf[16];

	for (int i = 0; i < fx->n; i++) {
		const struct ts35208_set *s = &fx->sets[i];
		const uint8_t *k = s->k, *opc = s->opc, *r = s->rand;
		memset(buf, 0, sizeof(buf));
		assert_int_equal(sec_milenage_f2345(k, opc, r, buf, NULL, NULL, NULL, NULL), 0);
		assert_memory_equal(buf, s->f2, 8);
		assert_int_equal(sec_milenage_f2345(k, opc, r, NULL, buf, NULL, NULL, NULL), 0);
		assert_memory_equal(buf, s->f3, 16);
		assert_int_equal(sec_milenage_f2345(k, opc, r, NULL, NULL, buf, NULL, NULL), 0);
		assert_memory_equal(buf, s->f4, 16);
		memset(buf, 0, sizeof(buf));
		assert_int_equal(sec_milenage_f2345(k, opc, r, NULL, NULL, NULL, buf, NULL), 0);
		assert_memory_equal(buf, s->f5, 6);
		assert_int_equal(sec_milenage_f2345(k, opc, r, NULL, NULL, NULL, NULL, buf), 0);
		assert_memory_equal(buf, s->f5star, 6);
		assert_int_equal(sec_milenage_f2345(k, opc, r, NULL, NULL, NULL, NULL, NULL), 0);
	}
}

/* The USIM check accepts AUTN = SQN xor AK || AMF || MAC-A built from the
 * set's values, and answers RES = f2, CK = f3, IK = f4. */
static void test_usim_check_accepts_sets(void **state)
{
	const struct fixture *fx = *state;

	for (int i = 0; i < fx->n; i++) {
		const struct ts35208_set *s = &fx->sets[i];
		struct sec_sqn_state sqn;
		struct sec_aka_result r;
		uint8_t autn[16];

		for (int j = 0; j < 6; j++)
			autn[j] = s->sqn[j] ^ s->f5[j];
		memcpy(autn + 6, s->amf, 2);
		memcpy(autn + 8, s->f1, 8);
		/* SQN_MS one SEQ below the set's SQN */
		assert_int_equal(sec_sqn_init(&sqn, SEC_SQN_IND_BITS_DEFAULT, SEC_SQN_DELTA_DEFAULT,
					      sec_sqn_from_bytes(s->sqn) - 32, NULL, 0),
				 0);
		assert_int_equal(sec_aka_check(s->k, s->opc, s->rand, autn, &sqn, &r), SEC_AKA_OK);
		assert_int_equal(r.status, SEC_AKA_OK);
		assert_int_equal(r.res_len, 8);
		assert_memory_equal(r.res, s->f2, 8);
		assert_memory_equal(r.ck, s->f3, 16);
		assert_memory_equal(r.ik, s->f4, 16);
		assert_memory_equal(r.sqn, s->sqn, 6);
		assert_int_equal(sqn.sqn_ms, sec_sqn_from_bytes(s->sqn));
		sec_aka_result_wipe(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_six_sets),
		cmocka_unit_test(test_opc),
		cmocka_unit_test(test_f1),
		cmocka_unit_test(test_f2345),
		cmocka_unit_test(test_f2345_single_outputs),
		cmocka_unit_test(test_usim_check_accepts_sets),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
