/* The USIM side of UMTS AKA (TS 33.102 6.3.3) with Milenage, and the
 * credential-source helpers of sec/aka.h. */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "sec/aka.h"
#include "sec/milenage.h"
#include "sec/sqn.h"

void sec_cred_free(struct sec_cred *c)
{
	if (c && c->ops && c->ops->destroy)
		c->ops->destroy(c);
}

void sec_aka_result_wipe(struct sec_aka_result *r)
{
	if (r)
		OPENSSL_cleanse(r, sizeof(*r));
}

const char *sec_aka_status_name(enum sec_aka_status st)
{
	switch (st) {
	case SEC_AKA_OK:
		return "ok";
	case SEC_AKA_MAC_FAILURE:
		return "mac-failure";
	case SEC_AKA_SYNC_FAILURE:
		return "sync-failure";
	case SEC_AKA_ERROR:
		break;
	}
	return "error";
}

enum sec_aka_status sec_aka_check(const uint8_t k[16], const uint8_t opc[16],
				  const uint8_t rand[16], const uint8_t autn[16],
				  struct sec_sqn_state *sqn, struct sec_aka_result *out)
{
	static const uint8_t amf_star[2] = {0x00, 0x00};
	uint8_t res[8], ck[16], ik[16], ak[6], akstar[6], sqn_b[6], xmac[8], mac_s[8];
	enum sec_aka_status st = SEC_AKA_ERROR;
	uint64_t sqn_n;

	memset(out, 0, sizeof(*out));
	if (sec_milenage_f2345(k, opc, rand, res, ck, ik, ak, NULL) < 0)
		goto out;
	/* AUTN = SQN xor AK || AMF || MAC-A */
	for (int i = 0; i < 6; i++)
		sqn_b[i] = autn[i] ^ ak[i];
	if (sec_milenage_f1(k, opc, rand, sqn_b, autn + 6, xmac, NULL) < 0)
		goto out;
	if (CRYPTO_memcmp(xmac, autn + 8, 8) != 0) {
		st = SEC_AKA_MAC_FAILURE;
		goto out;
	}

	sqn_n = sec_sqn_from_bytes(sqn_b);
	if (sec_sqn_check(sqn, sqn_n) != SEC_SQN_FRESH) {
		uint8_t ms[6];
		/* AUTS = SQN_MS xor AK* || MAC-S, MAC-S = f1*(SQN_MS, AMF* = 0, RAND) */
		sec_sqn_to_bytes(sqn->sqn_ms, ms);
		if (sec_milenage_f2345(k, opc, rand, NULL, NULL, NULL, NULL, akstar) < 0 ||
		    sec_milenage_f1(k, opc, rand, ms, amf_star, NULL, mac_s) < 0)
			goto out;
		for (int i = 0; i < 6; i++)
			out->auts[i] = ms[i] ^ akstar[i];
		memcpy(out->auts + 6, mac_s, 8);
		memcpy(out->sqn, sqn_b, 6);
		st = SEC_AKA_SYNC_FAILURE;
		goto out;
	}

	sec_sqn_accept(sqn, sqn_n);
	memcpy(out->res, res, sizeof(res));
	out->res_len = sizeof(res);
	memcpy(out->ck, ck, sizeof(ck));
	memcpy(out->ik, ik, sizeof(ik));
	memcpy(out->sqn, sqn_b, 6);
	st = SEC_AKA_OK;
out:
	OPENSSL_cleanse(res, sizeof(res));
	OPENSSL_cleanse(ck, sizeof(ck));
	OPENSSL_cleanse(ik, sizeof(ik));
	OPENSSL_cleanse(ak, sizeof(ak));
	OPENSSL_cleanse(akstar, sizeof(akstar));
	OPENSSL_cleanse(xmac, sizeof(xmac));
	OPENSSL_cleanse(mac_s, sizeof(mac_s));
	out->status = st;
	return st;
}
