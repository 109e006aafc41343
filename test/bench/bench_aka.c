/* ns/op of Milenage f1, f2345 and the whole USIM check (sec_aka_check,
 * including a reset of the SQN state so every round is accepted). Each is
 * timed over enough iterations for about half a second. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sec/aka.h"
#include "sec/milenage.h"
#include "sec/sqn.h"

#define TARGET_NS 500000000.0

/* TS 35.208 Test Set 1 */
static const uint8_t K[16] = {0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
			      0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};
static const uint8_t OPC[16] = {0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
				0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};
static const uint8_t RAND[16] = {0x23, 0x55, 0x3c, 0xbe, 0x96, 0x37, 0xa8, 0x9d,
				 0x21, 0x8a, 0xe6, 0x4d, 0xae, 0x47, 0xbf, 0x35};
static const uint8_t SQN[6] = {0xff, 0x9b, 0xb4, 0xd0, 0xb6, 0x07};
static const uint8_t AMF[2] = {0xb9, 0xb9};

enum which { F1, F2345, CHECK };

struct ctx {
	uint8_t autn[16];
	struct sec_sqn_state sqn;
	volatile uint8_t sink;
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Run iters operations; the elapsed time in ns, or -1 on a failure. */
static double run(enum which w, struct ctx *c, uint64_t iters)
{
	uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], akstar[6];
	struct sec_aka_result r;
	double t0 = now_ns();

	for (uint64_t i = 0; i < iters; i++) {
		switch (w) {
		case F1:
			if (sec_milenage_f1(K, OPC, RAND, SQN, AMF, mac_a, mac_s) < 0)
				return -1;
			c->sink ^= mac_a[0] ^ mac_s[0];
			break;
		case F2345:
			if (sec_milenage_f2345(K, OPC, RAND, res, ck, ik, ak, akstar) < 0)
				return -1;
			c->sink ^= res[0] ^ ck[0] ^ ik[0] ^ ak[0] ^ akstar[0];
			break;
		case CHECK:
			sec_sqn_init(&c->sqn, SEC_SQN_IND_BITS_DEFAULT, SEC_SQN_DELTA_NONE, 0, NULL,
				     0);
			if (sec_aka_check(K, OPC, RAND, c->autn, &c->sqn, &r) != SEC_AKA_OK)
				return -1;
			c->sink ^= r.res[0];
			break;
		}
	}
	return now_ns() - t0;
}

static int bench(const char *name, enum which w, struct ctx *c)
{
	uint64_t iters = 1000;
	double t;

	/* grow until a run takes at least 50 ms, then scale to the target */
	for (;;) {
		t = run(w, c, iters);
		if (t < 0)
			goto fail;
		if (t >= 5e7)
			break;
		iters *= 4;
	}
	iters = (uint64_t)((double)iters * TARGET_NS / t);
	if (iters == 0)
		iters = 1;
	t = run(w, c, iters);
	if (t < 0)
		goto fail;
	printf("%s: %.0f ns/op (%llu)\n", name, t / (double)iters, (unsigned long long)iters);
	return 0;
fail:
	fprintf(stderr, "%s: failed\n", name);
	return 1;
}

int main(void)
{
	struct ctx c;
	uint8_t ak[6];

	if (sec_milenage_f2345(K, OPC, RAND, NULL, NULL, NULL, ak, NULL) < 0)
		return 1;
	for (int i = 0; i < 6; i++)
		c.autn[i] = SQN[i] ^ ak[i];
	memcpy(c.autn + 6, AMF, 2);
	if (sec_milenage_f1(K, OPC, RAND, SQN, AMF, c.autn + 8, NULL) < 0)
		return 1;

	int rc = bench("milenage_f1", F1, &c);
	rc |= bench("milenage_f2345", F2345, &c);
	rc |= bench("sec_aka_check", CHECK, &c);
	return rc;
}
