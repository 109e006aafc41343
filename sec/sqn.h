/* USIM sequence number freshness (3GPP TS 33.102 Annex C, UE side).
 *
 * SQN (48 bits) = SEQ || IND with IND the ind_bits least significant bits.
 * The USIM keeps, per IND value i, the highest SEQ accepted with that IND,
 * SEQ_MS(i), and the highest SQN accepted overall, SQN_MS (whose SEQ part is
 * SEQ_MS). A received SQN is fresh when SEQ > SEQ_MS(IND) and SEQ - SEQ_MS
 * <= delta. doc/aka.md explains these choices and the sqn_file text format
 * that sec_sqn_parse() and sec_sqn_format() read and write.
 *
 * Plain data, no allocation: a state may be copied with assignment.
 */
#ifndef IMSUE_SEC_SQN_H
#define IMSUE_SEC_SQN_H

#include <stddef.h>
#include <stdint.h>

#define SEC_SQN_IND_BITS_DEFAULT 5
#define SEC_SQN_IND_BITS_MAX     8
#define SEC_SQN_DELTA_DEFAULT    (UINT64_C(1) << 28)
#define SEC_SQN_DELTA_NONE       UINT64_MAX /* no limit on how far SEQ may jump */
#define SEC_SQN_MAX              ((UINT64_C(1) << 48) - 1)
/* The longest text sec_sqn_format() writes, with the NUL. */
#define SEC_SQN_TEXT_MAX (13 + 12 + 13 * (1u << SEC_SQN_IND_BITS_MAX) + 1)

struct sec_sqn_state {
	unsigned int ind_bits;                    /* IND length in bits, 0..SEC_SQN_IND_BITS_MAX */
	uint64_t delta;                           /* the Annex C limit on SEQ - SEQ_MS, >= 1 */
	uint64_t sqn_ms;                          /* highest accepted SQN (SEQ_MS || its IND) */
	uint64_t seq[1u << SEC_SQN_IND_BITS_MAX]; /* SEQ_MS(i); 2^ind_bits entries used */
};

enum sec_sqn_verdict {
	SEC_SQN_FRESH = 0,   /* acceptable */
	SEC_SQN_STALE = 1,   /* SEQ <= SEQ_MS(IND): a replay or too old for its IND slot */
	SEC_SQN_TOO_FAR = 2, /* SEQ - SEQ_MS > delta: wrap-around protection */
};

/* Start a state whose highest accepted SQN is sqn_ms. Every IND slot is
 * given SEQ_MS = SEQ(sqn_ms): without a per-slot history, an SQN is fresh
 * only when its SEQ is above SEQ_MS (conservative; never accepts a replay).
 * sqn_ms 0 is a new USIM. Returns 0, or -1 with a reason in err (ind_bits
 * above SEC_SQN_IND_BITS_MAX, delta 0, sqn_ms above 48 bits). */
int sec_sqn_init(struct sec_sqn_state *s, unsigned int ind_bits, uint64_t delta, uint64_t sqn_ms,
		 char *err, size_t errlen);

/* Whether the 48-bit sqn is fresh for s (s is not changed). */
enum sec_sqn_verdict sec_sqn_check(const struct sec_sqn_state *s, uint64_t sqn);

/* Record sqn as accepted (call only after sec_sqn_check() said FRESH):
 * SEQ_MS(IND) = SEQ, and SQN_MS = sqn when sqn is higher. */
void sec_sqn_accept(struct sec_sqn_state *s, uint64_t sqn);

/* Human-readable reason for a verdict other than FRESH, for logs: names
 * the received SQN, the slot's SEQ_MS and SQN_MS (SQNs are not secret). */
void sec_sqn_explain(const struct sec_sqn_state *s, uint64_t sqn, enum sec_sqn_verdict v, char *buf,
		     size_t buflen);

/* Parse the sqn_file text (doc/aka.md) of len bytes at buf into s, which
 * must have been set up by sec_sqn_init() with the configured ind_bits and
 * delta (they are kept). A text whose "ind-bits" differs from s->ind_bits
 * keeps only its SQN_MS (slots as sec_sqn_init()). Pure: no I/O, buf need
 * not be NUL-terminated. Returns 0, or -1 with a one-line reason (naming the
 * line) in err, s unchanged. */
int sec_sqn_parse(struct sec_sqn_state *s, const char *buf, size_t len, char *err, size_t errlen);

/* Write s as sqn_file text into out (outlen bytes, SEC_SQN_TEXT_MAX always
 * suffices), NUL-terminated. Returns the text length without the NUL, as
 * snprintf() does (>= outlen means it was cut short). */
size_t sec_sqn_format(const struct sec_sqn_state *s, char *out, size_t outlen);

/* 6 big-endian bytes <-> a 48-bit number. */
uint64_t sec_sqn_from_bytes(const uint8_t b[6]);
void sec_sqn_to_bytes(uint64_t sqn, uint8_t b[6]);

#endif
