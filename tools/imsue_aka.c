/* imsue aka --k HEX (--op HEX|--opc HEX) --rand HEX --autn HEX [--sqn-ms HEX]
 *           [--amf HEX] [--ind-bits N] [--delta N|none]
 * Runs the USIM's check of one challenge (TS 33.102 6.3.3, Annex C) and
 * prints its result as key=value lines. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "sec/aka.h"
#include "sec/hex.h"
#include "sec/milenage.h"
#include "sec/sqn.h"
#include "tools/imsue_cmds.h"

#define USAGE                                                                                      \
	"usage: imsue aka --k HEX (--op HEX|--opc HEX) --rand HEX --autn HEX [--sqn-ms HEX]\n"     \
	"                 [--amf HEX] [--ind-bits N] [--delta N|none]\n"

enum opt { O_K, O_OP, O_OPC, O_RAND, O_AUTN, O_SQN_MS, O_AMF, O_IND_BITS, O_DELTA, O_COUNT };

static const char *const opt_names[O_COUNT] = {
	[O_K] = "--k",         [O_OP] = "--op",
	[O_OPC] = "--opc",     [O_RAND] = "--rand",
	[O_AUTN] = "--autn",   [O_SQN_MS] = "--sqn-ms",
	[O_AMF] = "--amf",     [O_IND_BITS] = "--ind-bits",
	[O_DELTA] = "--delta",
};

/* "--name VALUE" or "--name=VALUE": the option index and its value,
 * advancing *i; -1 when argv[*i] is none of ours; *missing when the value is
 * absent. */
static int opt_value(int argc, char **argv, int *i, const char **value, int *missing)
{
	const char *a = argv[*i];

	for (int o = 0; o < O_COUNT; o++) {
		size_t n = strlen(opt_names[o]);
		if (strncmp(a, opt_names[o], n))
			continue;
		if (a[n] == '=') {
			*value = a + n + 1;
			return o;
		}
		if (a[n])
			continue;
		if (*i + 1 >= argc) {
			*missing = 1;
			return -1;
		}
		*value = argv[++*i];
		return o;
	}
	return -1;
}

static int bad_hex(const char *opt, const char *v, uint8_t *out, size_t n)
{
	char why[128];

	if (sec_hex_decode_exact(v, strlen(v), out, n, why, sizeof(why)) < 0) {
		fprintf(stderr, "imsue aka: %s: %s\n", opt, why);
		return 1;
	}
	return 0;
}

/* SQN_MS: 1 to 12 hex digits. */
static int parse_sqn_ms(const char *v, uint64_t *sqn)
{
	char padded[13] = "000000000000", why[128];
	size_t n = strlen(v);
	uint8_t b[6];

	if (n == 0 || n > 12) {
		fprintf(stderr, "imsue aka: --sqn-ms: expected 1 to 12 hex digits, found %zu\n", n);
		return -1;
	}
	memcpy(padded + 12 - n, v, n);
	if (sec_hex_decode_exact(padded, 12, b, 6, why, sizeof(why)) < 0) {
		/* positions in the reason refer to the padded text: say it plainly */
		fprintf(stderr, "imsue aka: --sqn-ms: '%s' is not hexadecimal\n", v);
		return -1;
	}
	*sqn = sec_sqn_from_bytes(b);
	return 0;
}

static int parse_uint(const char *opt, const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || v[0] == '+' || x < min || x > max) {
		fprintf(stderr, "imsue aka: %s: expected a number from %llu to %llu, found '%s'\n",
			opt, (unsigned long long)min, (unsigned long long)max, v);
		return -1;
	}
	*out = x;
	return 0;
}

static void print_hex(const char *key, const uint8_t *b, size_t n)
{
	char hex[2 * 16 + 1];

	sec_hex_encode(b, n, hex);
	printf("%s=%s\n", key, hex);
	OPENSSL_cleanse(hex, sizeof(hex));
}

int imsue_cmd_aka(int argc, char **argv)
{
	const char *val[O_COUNT] = {0};
	uint8_t k[16], op[16], opc[16], rand[16], autn[16], amf[2];
	uint64_t sqn_ms = 0, ind_bits = SEC_SQN_IND_BITS_DEFAULT, delta = SEC_SQN_DELTA_DEFAULT;
	struct sec_sqn_state sqn;
	struct sec_aka_result r;
	char why[256];
	int rc = 2;

	for (int i = 1; i < argc; i++) {
		const char *v = NULL, *a = argv[i];
		int missing = 0, o;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(USAGE, stdout);
			return 0;
		}
		o = opt_value(argc, argv, &i, &v, &missing);
		if (missing) {
			fprintf(stderr, "imsue aka: %s needs a value\n", a);
			return 2;
		}
		if (o < 0) {
			fprintf(stderr, "imsue aka: unknown argument '%s'\n", a);
			return 2;
		}
		if (val[o]) {
			fprintf(stderr, "imsue aka: %s given twice\n", opt_names[o]);
			return 2;
		}
		val[o] = v;
	}
	for (int o = 0; o < O_COUNT; o++) {
		if (!val[o] && (o == O_K || o == O_RAND || o == O_AUTN)) {
			fprintf(stderr, "imsue aka: %s is required\n", opt_names[o]);
			return 2;
		}
	}
	if (!val[O_OP] == !val[O_OPC]) {
		fprintf(stderr, "imsue aka: give one of --op and --opc\n");
		return 2;
	}
	if (bad_hex("--k", val[O_K], k, 16) || (val[O_OP] && bad_hex("--op", val[O_OP], op, 16)) ||
	    (val[O_OPC] && bad_hex("--opc", val[O_OPC], opc, 16)) ||
	    bad_hex("--rand", val[O_RAND], rand, 16) || bad_hex("--autn", val[O_AUTN], autn, 16) ||
	    (val[O_AMF] && bad_hex("--amf", val[O_AMF], amf, 2)))
		goto out;
	if (val[O_SQN_MS] && parse_sqn_ms(val[O_SQN_MS], &sqn_ms) < 0)
		goto out;
	if (val[O_IND_BITS] &&
	    parse_uint("--ind-bits", val[O_IND_BITS], 0, SEC_SQN_IND_BITS_MAX, &ind_bits) < 0)
		goto out;
	if (val[O_DELTA] && strcmp(val[O_DELTA], "none") &&
	    parse_uint("--delta", val[O_DELTA], 1, UINT64_MAX - 1, &delta) < 0)
		goto out;
	if (val[O_DELTA] && !strcmp(val[O_DELTA], "none"))
		delta = SEC_SQN_DELTA_NONE;
	if (sec_sqn_init(&sqn, (unsigned int)ind_bits, delta, sqn_ms, why, sizeof(why)) < 0) {
		fprintf(stderr, "imsue aka: %s\n", why);
		goto out;
	}
	if (val[O_OP] && sec_milenage_opc(k, op, opc) < 0) {
		fprintf(stderr, "imsue aka: the AES-128 cipher failed\n");
		goto out;
	}

	switch (sec_aka_check(k, opc, rand, autn, &sqn, &r)) {
	case SEC_AKA_OK:
		printf("result=ok\n");
		print_hex("res", r.res, r.res_len);
		print_hex("ck", r.ck, 16);
		print_hex("ik", r.ik, 16);
		print_hex("sqn", r.sqn, 6);
		rc = 0;
		break;
	case SEC_AKA_MAC_FAILURE:
		printf("result=mac-failure\n");
		fprintf(stderr, "imsue aka: MAC failure: AUTN was not made from this K, OP/OPc "
				"and RAND\n");
		rc = 1;
		break;
	case SEC_AKA_SYNC_FAILURE: {
		char b64[4 * ((sizeof(r.auts) + 2) / 3) + 1];
		uint64_t got = sec_sqn_from_bytes(r.sqn);
		printf("result=sync-failure\n");
		print_hex("sqn", r.sqn, 6);
		print_hex("auts", r.auts, sizeof(r.auts));
		EVP_EncodeBlock((unsigned char *)b64, r.auts, (int)sizeof(r.auts));
		printf("auts_b64=%s\n", b64);
		sec_sqn_explain(&sqn, got, sec_sqn_check(&sqn, got), why, sizeof(why));
		fprintf(stderr, "imsue aka: synchronisation failure: %s\n", why);
		rc = 1;
		break;
	}
	case SEC_AKA_ERROR:
		fprintf(stderr, "imsue aka: the AES-128 cipher failed\n");
		rc = 1;
		break;
	}
	sec_aka_result_wipe(&r);
	if (fflush(stdout))
		rc = 1;
out:
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(op, sizeof(op));
	OPENSSL_cleanse(opc, sizeof(opc));
	return rc;
}
