/* The test HSS: subscriber store and Cx message handling (TS 29.228/29.229).
 *
 * hss_db.c loads subscribers from an INI file; hss_cx.c turns one decoded Diameter request into
 * one answer (no I/O, so unit tests call it directly); hss.c owns the sockets and the control
 * interface.
 */
#ifndef IMSUE_TEST_HSS_HSS_H
#define IMSUE_TEST_HSS_HSS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "test/hss/diameter.h"

#define HSS_ID_MAX       256
#define HSS_IMPU_MAX     8
#define HSS_PASSWORD_MAX 128

enum hss_auth {
	HSS_AUTH_AKA,
	HSS_AUTH_DIGEST,
};

/** One subscription: one IMPI, one service profile with its IMPUs, credentials and state. */
struct hss_sub {
	char name[64]; /* INI section, for logs */
	char impi[HSS_ID_MAX];
	char impu[HSS_IMPU_MAX][HSS_ID_MAX];
	int n_impu;
	/* IMS-AKA (Milenage) */
	int has_aka;
	uint8_t k[16];
	uint8_t opc[16];
	int opc_is_op; /* the file gave OP, not OPc */
	uint8_t amf[2];
	uint64_t sqn;    /* last SQN used */
	int nonzero_res; /* draw RANDs until RES has no zero byte (SIPp 3.6.1 cuts RES there) */
	/* SIP digest */
	int has_password;
	char password[HSS_PASSWORD_MAX];
	enum hss_auth preferred;
	/* state */
	int registered;
	char scscf_name[HSS_ID_MAX]; /* Server-Name of the last SAR */
	char scscf_host[HSS_ID_MAX]; /* Origin-Host of the last SAR */
	uint32_t reject_code;        /* answer every MAR with this result when not 0 */
	unsigned n_mar, n_sar, n_resync;
};

/** The subscriber store and the HSS's own identity. */
struct hss_db {
	struct hss_sub *subs;
	size_t n_subs;
	char origin_host[HSS_ID_MAX];
	char origin_realm[HSS_ID_MAX];
	char scscf_name[HSS_ID_MAX]; /* Server-Name handed out in UAA/LIA */
	unsigned ind_bitlen;         /* TS 33.102 C.3.2 IND bits in SQN (default 5) */
	uint32_t ip4;                /* Host-IP-Address for CEA, network order */
	FILE *log;                   /* NULL: silent */
	uint32_t session_seq;        /* for Session-Ids of requests the HSS sends */
	/* RAND source; tests replace it with a deterministic one */
	int (*rand_bytes)(void *ctx, uint8_t *buf, size_t len);
	void *rand_ctx;
};

/**
 * hss_db_load() - read subscribers from an INI file, one section per subscription:
 *   impi, impu (repeatable, the first is the default), k, op | opc, amf, sqn (hex, 48 bits),
 *   password, auth = aka | digest (the scheme chosen when the S-CSCF does not ask for one),
 *   nonzero_res = yes (a SIPp workaround: no RES with a zero byte).
 * Unknown keys and malformed values are errors naming the key and line.
 * Returns 0, or -1 with a one-line reason in @err.
 */
int hss_db_load(struct hss_db *db, const char *path, char *err, size_t errlen);

/** hss_db_free() - wipe the credentials and free the subscribers. */
void hss_db_free(struct hss_db *db);

/** hss_db_find_impi() - the subscription with this IMPI, or NULL. */
struct hss_sub *hss_db_find_impi(struct hss_db *db, const char *impi);

/** hss_db_find_impu() - the subscription listing this IMPU, or NULL. */
struct hss_sub *hss_db_find_impu(struct hss_db *db, const char *impu);

/** hss_sub_has_impu() - whether @sub lists @impu. */
int hss_sub_has_impu(const struct hss_sub *sub, const char *impu);

/** hss_log() - one timestamped line on db->log (nothing when it is NULL). Never pass secrets. */
void hss_log(struct hss_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** hss_hex_decode() - decode exactly @len bytes of hex from @hex. Returns 0 or -1. */
int hss_hex_decode(const char *hex, uint8_t *out, size_t len);

/** hss_user_data() - the Cx User-Data (IMSSubscription XML, TS 29.228 annex E) for @sub.
 * Returns its length, or -1 when it does not fit in @cap bytes. */
long hss_user_data(const struct hss_sub *sub, char *out, size_t cap);

/** Information about the peer kept per connection. */
struct hss_peer {
	char origin_host[HSS_ID_MAX];
	char origin_realm[HSS_ID_MAX];
	int open; /* CER answered with success */
};

/**
 * hss_cx_answer() - build the answer to one decoded request from @peer.
 * Handles CER, DWR, DPR and the Cx requests UAR, SAR, LIR, MAR; anything else gets
 * DIAMETER_COMMAND_UNSUPPORTED. Returns the answer length, or -1 when no answer can be built
 * (reason in @err).
 */
long hss_cx_answer(struct hss_db *db, struct hss_peer *peer, const struct diam_hdr *hdr,
		   const uint8_t *body, size_t body_len, uint8_t *out, size_t cap, char *err,
		   size_t errlen);

/**
 * hss_cx_rtr() - build a Registration-Termination-Request for every IMPU of @sub, to the S-CSCF
 * that registered it (@dest_host/@dest_realm). Returns the length, or -1 (reason in @err).
 */
long hss_cx_rtr(struct hss_db *db, const struct hss_sub *sub, const char *dest_host,
		const char *dest_realm, uint32_t hop_by_hop, uint32_t end_to_end, uint8_t *out,
		size_t cap, char *err, size_t errlen);

#endif
