/* Software USIM: a credential source (sec/aka.h) holding K and OPc in
 * memory, with the SQN state of TS 33.102 Annex C kept in a file.
 *
 * doc/aka.md describes the sqn_file format and the key-wiping rules.
 */
#ifndef IMSUE_SEC_USIM_SOFT_H
#define IMSUE_SEC_USIM_SOFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sec/aka.h"

struct sec_usim_soft_params {
	uint8_t k[16];
	uint8_t op[16];       /* OP, when has_op: OPc is derived from K and OP */
	uint8_t opc[16];      /* OPc, when has_opc */
	bool has_op, has_opc; /* exactly one must be set */
	uint8_t amf[2];       /* reported only: the check uses the AMF inside AUTN */
	/* File holding the SQN state (written atomically, mode 0600). A missing
	 * file means a new USIM (SQN_MS 0) and is created; NULL keeps the
	 * state in memory only, starting at sqn_ms. */
	const char *sqn_file;
	uint64_t sqn_ms;       /* initial SQN_MS when sqn_file is NULL */
	unsigned int ind_bits; /* IND length, 0..SEC_SQN_IND_BITS_MAX */
	uint64_t delta;        /* Annex C delta, >= 1; SEC_SQN_DELTA_NONE for no limit */
};

/* Defaults: no keys, AMF 0, in-memory state at SQN_MS 0, IND 5 bits,
 * delta 2^28. */
void sec_usim_soft_params_init(struct sec_usim_soft_params *p);

/* Create a software USIM from p (copied; the caller wipes its own copy of
 * the keys). With an sqn_file, its state is loaded now: a file that cannot
 * be read or does not parse is an error naming the file and the problem,
 * never a reset to 0. Returns 0, or -1 with a one-line reason in err. */
int sec_usim_soft_new(struct sec_cred **out, const struct sec_usim_soft_params *p, char *err,
		      size_t errlen);

/* Non-secret facts about a software USIM; -1 when c is not one. */
struct sec_usim_soft_info {
	uint64_t sqn_ms; /* highest SQN accepted so far */
	unsigned int ind_bits;
	uint64_t delta;
	uint8_t amf[2];
};

int sec_usim_soft_info(const struct sec_cred *c, struct sec_usim_soft_info *info);

#endif
