/* Network-side AKA for the scripted peer, from libosmocore (independent of
 * our Milenage): prints key=value lines (hex).
 *
 *   akavec gen  K OPC AMF SQN_PREV [IND_BITS] RAND
 *       -> rand= autn= xres= ck= ik= sqn=        (SQN = next after SQN_PREV)
 *   akavec auts K OPC AMF AUTS RAND_OF_AUTS RAND
 *       -> sqn_ms= and the new vector after resynchronisation
 * SQN_PREV is decimal; IND_BITS defaults to 5. Exit 1 when libosmocore
 * rejects the input (e.g. a wrong AUTS MAC), 2 on bad usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/crypt/auth.h>

static int unhex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void hexline(const char *k, const uint8_t *b, size_t n)
{
	printf("%s=", k);
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
	printf("\n");
}

static void print_vec(const struct osmo_auth_vector *v, const struct osmo_sub_auth_data *aud)
{
	hexline("rand", v->rand, 16);
	hexline("autn", v->autn, 16);
	hexline("xres", v->res, v->res_len);
	hexline("ck", v->ck, 16);
	hexline("ik", v->ik, 16);
	printf("sqn=%llu\n", (unsigned long long)aud->u.umts.sqn);
}

int main(int argc, char **argv)
{
	struct osmo_sub_auth_data aud;
	struct osmo_auth_vector vec;
	uint8_t rnd[16], auts[14], rand_auts[16];

	memset(&aud, 0, sizeof(aud));
	memset(&vec, 0, sizeof(vec));
	aud.type = OSMO_AUTH_TYPE_UMTS;
	aud.algo = OSMO_AUTH_ALG_MILENAGE;
	aud.u.umts.ind_bitlen = 5;
	if (argc < 5 || unhex(argv[2], aud.u.umts.k, 16) || unhex(argv[3], aud.u.umts.opc, 16) ||
	    unhex(argv[4], aud.u.umts.amf, 2))
		goto usage;
	if (!strcmp(argv[1], "gen") && (argc == 7 || argc == 8)) {
		aud.u.umts.sqn = strtoull(argv[5], NULL, 10);
		if (argc == 8)
			aud.u.umts.ind_bitlen = (unsigned)atoi(argv[6]);
		if (unhex(argv[argc - 1], rnd, 16))
			goto usage;
		if (osmo_auth_gen_vec(&vec, &aud, rnd) != 0) {
			fprintf(stderr, "akavec: osmo_auth_gen_vec failed\n");
			return 1;
		}
		print_vec(&vec, &aud);
		return 0;
	}
	if (!strcmp(argv[1], "auts") && argc == 8) {
		if (unhex(argv[5], auts, 14) || unhex(argv[6], rand_auts, 16) ||
		    unhex(argv[7], rnd, 16))
			goto usage;
		if (osmo_auth_gen_vec_auts(&vec, &aud, auts, rand_auts, rnd) != 0) {
			fprintf(stderr, "akavec: AUTS rejected\n");
			return 1;
		}
		printf("sqn_ms=%llu\n", (unsigned long long)aud.u.umts.sqn_ms);
		print_vec(&vec, &aud);
		return 0;
	}
usage:
	fprintf(stderr, "usage: akavec gen K OPC AMF SQN_PREV [IND_BITS] RAND\n"
			"       akavec auts K OPC AMF AUTS RAND_OF_AUTS RAND\n");
	return 2;
}
