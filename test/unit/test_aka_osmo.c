/* Our USIM side against libosmocore's network side (osmo_auth_gen_vec,
 * osmo_auth_gen_vec_auts): the TS 35.208 sets, then a seeded property test
 * over 1,000 random K/OPc/RAND/SQN/AMF. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <osmocom/crypt/auth.h>

#include "sec/aka.h"
#include "sec/milenage.h"
#include "sec/sqn.h"
#include "test/unit/milenage_sets.h"

#define ROUNDS   1000
#define IND_BITS 5

/* splitmix64: a fixed seed makes every run draw the same values. */
static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void fill(uint64_t *s, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)next_rand(s);
}

static void aud_init(struct osmo_sub_auth_data *aud, const uint8_t k[16], const uint8_t opc[16],
		     int opc_is_op, const uint8_t amf[2], uint64_t prev_sqn, unsigned ind_bitlen,
		     unsigned ind)
{
	memset(aud, 0, sizeof(*aud));
	aud->type = OSMO_AUTH_TYPE_UMTS;
	aud->algo = OSMO_AUTH_ALG_MILENAGE;
	memcpy(aud->u.umts.k, k, 16);
	memcpy(aud->u.umts.opc, opc, 16);
	aud->u.umts.opc_is_op = opc_is_op;
	memcpy(aud->u.umts.amf, amf, 2);
	aud->u.umts.sqn = prev_sqn;
	aud->u.umts.ind_bitlen = ind_bitlen;
	aud->u.umts.ind = ind;
}

/* Every set, with OP (libosmocore derives OPc) and with OPc: libosmocore's
 * AUTN is SQN xor f5 || AMF || f1 and its RES, CK, IK are f2, f3, f4 from
 * the file; its AUTS check accepts SQN_MS xor f5* (file) || our f1* with
 * AMF* = 0, which ties the file's f5* and our f1* to libosmocore. */
static void test_sets_against_osmo(void **state)
{
	struct ts35208_set sets[8];
	char err[512];
	int n = ts35208_load(sets, 8, err, sizeof(err));

	(void)state;
	if (n < 0) {
		print_error("%s\n", err);
		fail();
	}
	assert_int_equal(n, 6);
	for (int i = 0; i < n; i++) {
		const struct ts35208_set *s = &sets[i];
		for (int use_op = 0; use_op <= 1; use_op++) {
			struct osmo_sub_auth_data aud;
			struct osmo_auth_vector vec;
			struct sec_sqn_state st;
			struct sec_aka_result r;
			uint64_t sqn = sec_sqn_from_bytes(s->sqn);
			uint8_t want_autn[16], mac_a[8], mac_s[8], auts[14], rand2[16] = {1};
			static const uint8_t amf0[2] = {0, 0};

			print_message("# set %d with %s\n", s->number, use_op ? "OP" : "OPc");
			/* no IND bits: the vector's SQN is the previous one + 1 */
			aud_init(&aud, s->k, use_op ? s->op : s->opc, use_op, s->amf, sqn - 1, 0,
				 0);
			memset(&vec, 0, sizeof(vec));
			assert_int_equal(osmo_auth_gen_vec(&vec, &aud, s->rand), 0);
			assert_int_equal(aud.u.umts.sqn, sqn);
			for (int j = 0; j < 6; j++)
				want_autn[j] = s->sqn[j] ^ s->f5[j];
			memcpy(want_autn + 6, s->amf, 2);
			memcpy(want_autn + 8, s->f1, 8);
			assert_memory_equal(vec.autn, want_autn, 16);
			assert_int_equal(vec.res_len, 8);
			assert_memory_equal(vec.res, s->f2, 8);
			assert_memory_equal(vec.ck, s->f3, 16);
			assert_memory_equal(vec.ik, s->f4, 16);

			/* f1 and f1* of the set's AMF from our code, then AMF* = 0 */
			assert_int_equal(sec_milenage_f1(s->k, s->opc, s->rand, s->sqn, s->amf,
							 mac_a, mac_s),
					 0);
			assert_memory_equal(mac_a, s->f1, 8);
			assert_memory_equal(mac_s, s->f1star, 8);
			assert_int_equal(
				sec_milenage_f1(s->k, s->opc, s->rand, s->sqn, amf0, NULL, mac_s),
				0);
			for (int j = 0; j < 6; j++)
				auts[j] = s->sqn[j] ^ s->f5star[j];
			memcpy(auts + 6, mac_s, 8);
			aud_init(&aud, s->k, use_op ? s->op : s->opc, use_op, s->amf, 0, 0, 0);
			assert_int_equal(osmo_auth_gen_vec_auts(&vec, &aud, auts, s->rand, rand2),
					 0);
			assert_int_equal(aud.u.umts.sqn_ms, sqn);

			/* and our USIM agrees with libosmocore's AUTS */
			assert_int_equal(sec_sqn_init(&st, 0, SEC_SQN_DELTA_DEFAULT, sqn, NULL, 0),
					 0);
			assert_int_equal(sec_aka_check(s->k, s->opc, s->rand, want_autn, &st, &r),
					 SEC_AKA_SYNC_FAILURE);
			assert_memory_equal(r.auts, auts, 14);
		}
	}
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			print_error("round %d: %s failed\n", round, #cond);                        \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

/* Even rounds: the network's SQN is ahead of the USIM's, which must accept
 * libosmocore's AUTN and compute the same RES, CK, IK. Odd rounds: the
 * network is behind; the USIM answers AUTS, which libosmocore must accept,
 * recover SQN_MS from and resynchronise with: its next vector is accepted.
 * Every round also checks that a replay and a corrupted AUTN are refused. */
static void test_random_against_osmo(void **state)
{
	uint64_t seed = UINT64_C(0x696d737565616b61); /* "imsueaka" */
	int ok = 0, sync = 0;

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		struct osmo_sub_auth_data aud;
		struct osmo_auth_vector vec;
		struct sec_sqn_state st;
		struct sec_aka_result r;
		uint8_t k[16], opc[16], rand[16], rand2[16], amf[2], autn[16];
		unsigned ind = (unsigned)(next_rand(&seed) % (1u << IND_BITS));
		uint64_t sqn_ms = (next_rand(&seed) >> 20) | (UINT64_C(1) << 32); /* 33..44 bits */
		uint64_t step = next_rand(&seed) % (UINT64_C(1) << 30);
		uint64_t prev, used;

		fill(&seed, k, 16);
		fill(&seed, opc, 16);
		fill(&seed, rand, 16);
		fill(&seed, rand2, 16);
		fill(&seed, amf, 2);
		prev = round % 2 == 0 ? sqn_ms + step : sqn_ms - 32 - step;
		CHECK(sec_sqn_init(&st, IND_BITS, SEC_SQN_DELTA_DEFAULT, sqn_ms, NULL, 0) == 0);

		aud_init(&aud, k, opc, 0, amf, prev, IND_BITS, ind);
		memset(&vec, 0, sizeof(vec));
		CHECK(osmo_auth_gen_vec(&vec, &aud, rand) == 0);
		used = aud.u.umts.sqn;
		CHECK((used & 31) == ind);

		enum sec_aka_status got = sec_aka_check(k, opc, rand, vec.autn, &st, &r);
		if (round % 2 == 0) {
			CHECK(got == SEC_AKA_OK);
			CHECK(r.res_len == vec.res_len && r.res_len == 8);
			CHECK(!memcmp(r.res, vec.res, 8));
			CHECK(!memcmp(r.ck, vec.ck, 16));
			CHECK(!memcmp(r.ik, vec.ik, 16));
			CHECK(sec_sqn_from_bytes(r.sqn) == used);
			CHECK(st.sqn_ms == used);
			ok++;
		} else {
			CHECK(got == SEC_AKA_SYNC_FAILURE);
			CHECK(sec_sqn_from_bytes(r.sqn) == used);
			CHECK(st.sqn_ms == sqn_ms);
			/* the network verifies MAC-S and recovers SQN_MS */
			aud_init(&aud, k, opc, 0, amf, used, IND_BITS, ind);
			memset(&vec, 0, sizeof(vec));
			CHECK(osmo_auth_gen_vec_auts(&vec, &aud, r.auts, rand, rand2) == 0);
			CHECK(aud.u.umts.sqn_ms == sqn_ms);
			used = aud.u.umts.sqn;
			CHECK(used == (((sqn_ms + 32) & ~UINT64_C(31)) | ind));
			/* and the resynchronised vector is accepted */
			CHECK(sec_aka_check(k, opc, rand2, vec.autn, &st, &r) == SEC_AKA_OK);
			CHECK(!memcmp(r.res, vec.res, 8));
			CHECK(!memcmp(r.ck, vec.ck, 16));
			CHECK(!memcmp(r.ik, vec.ik, 16));
			CHECK(st.sqn_ms == used);
			memcpy(rand, rand2, 16);
			sync++;
		}

		/* replaying the accepted AUTN is a synchronisation failure */
		CHECK(sec_aka_check(k, opc, rand, vec.autn, &st, &r) == SEC_AKA_SYNC_FAILURE);
		/* a flipped bit in SQN xor AK, AMF or MAC-A is a MAC failure */
		memcpy(autn, vec.autn, 16);
		autn[next_rand(&seed) % 16] ^= (uint8_t)(1u << (next_rand(&seed) % 8));
		CHECK(sec_aka_check(k, opc, rand, autn, &st, &r) == SEC_AKA_MAC_FAILURE);
		sec_aka_result_wipe(&r);
	}
	assert_int_equal(ok, ROUNDS / 2);
	assert_int_equal(sync, ROUNDS / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sets_against_osmo),
		cmocka_unit_test(test_random_against_osmo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
