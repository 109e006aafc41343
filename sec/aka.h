/* IMS AKA on the UE side (3GPP TS 33.102 6.3.3, TS 33.203).
 *
 * A credential source is a small ops table so that a software USIM (this
 * layer's usim_soft.c), a PC/SC smart card or a modem can stand behind the
 * same interface.
 */
#ifndef IMSUE_SEC_AKA_H
#define IMSUE_SEC_AKA_H

#include <stddef.h>
#include <stdint.h>

/* Named results of the USIM check (TS 33.102 6.3.3). */
enum sec_aka_status {
	SEC_AKA_OK = 0,            /* RES, CK, IK valid */
	SEC_AKA_MAC_FAILURE = 1,   /* XMAC != MAC: answer with empty response, no auts */
	SEC_AKA_SYNC_FAILURE = 2,  /* SQN not fresh: auts filled */
	SEC_AKA_ERROR = -1,        /* the credential source could not run (I/O, crypto) */
};

struct sec_aka_result {
	enum sec_aka_status status;
	uint8_t res[16];
	size_t res_len;            /* 8 for Milenage */
	uint8_t ck[16];
	uint8_t ik[16];
	uint8_t sqn[6];            /* SQN recovered from AUTN (OK and SYNC_FAILURE) */
	uint8_t auts[14];          /* (SQN_MS xor AK*) || MAC-S, when SYNC_FAILURE */
};

struct sec_cred;

struct sec_cred_ops {
	const char *name;
	/* Run the authentication for RAND/AUTN. On SEC_AKA_OK the source has
	 * already accepted (and persisted) the new SQN. Fills err (one line)
	 * on SEC_AKA_ERROR. */
	enum sec_aka_status (*check)(struct sec_cred *c, const uint8_t rand[16],
				     const uint8_t autn[16], struct sec_aka_result *out,
				     char *err, size_t errlen);
	void (*destroy)(struct sec_cred *c);
};

struct sec_cred {
	const struct sec_cred_ops *ops;
	void *priv;
};

static inline enum sec_aka_status sec_cred_check(struct sec_cred *c, const uint8_t rand[16],
						 const uint8_t autn[16], struct sec_aka_result *out,
						 char *err, size_t errlen)
{
	return c->ops->check(c, rand, autn, out, err, errlen);
}

/* Release a credential source: its destroy op wipes its keys and frees c
 * itself. NULL is a no-op. */
void sec_cred_free(struct sec_cred *c);

/* Wipe a result's key material (RES, CK, IK). */
void sec_aka_result_wipe(struct sec_aka_result *r);

struct sec_sqn_state; /* sec/sqn.h */

/* The USIM's check of an authentication challenge (TS 33.102 6.3.3) with
 * Milenage: AK = f5(RAND), SQN = AUTN[0..5] xor AK, XMAC-A = f1(SQN, AMF,
 * RAND) with the AMF in AUTN, compared in constant time with AUTN's MAC;
 * then SQN freshness against sqn (TS 33.102 Annex C, sec/sqn.h).
 * Fills out (cleared first) and returns its status:
 *   SEC_AKA_OK: res (res_len 8), ck, ik and sqn; sqn state updated.
 *   SEC_AKA_MAC_FAILURE: nothing else.
 *   SEC_AKA_SYNC_FAILURE: sqn (the received one) and auts =
 *     (SQN_MS xor AK*) || f1*(SQN_MS, AMF* = 0x0000, RAND), SQN_MS being
 *     the highest accepted SQN; sqn state unchanged.
 *   SEC_AKA_ERROR: the cipher could not run (out cleared).
 * The caller wipes out (sec_aka_result_wipe) once done with the keys. */
enum sec_aka_status sec_aka_check(const uint8_t k[16], const uint8_t opc[16],
				  const uint8_t rand[16], const uint8_t autn[16],
				  struct sec_sqn_state *sqn, struct sec_aka_result *out);

/* "ok", "mac-failure", "sync-failure" or "error". */
const char *sec_aka_status_name(enum sec_aka_status st);

#endif
