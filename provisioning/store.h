/* Secure store of the RCC.14 configuration per identity (RCC.14 4.2.1).
 *
 * Layout under the configured root (mode 0700, created when missing):
 *
 *     ROOT/last-identity          the identity used last (SIM change detection)
 *     ROOT/<identity>/            mode 0700, one per IMSI (or other identity key)
 *         record                  configuration document as received, version,
 *                                 validity and expiry, token, MSISDN (mode 0600)
 *         backup                  the last working record (use case 5, SIM change)
 *         bootstrap               OTP and session cookie while a non-cellular
 *                                 configuration is in progress (purged on success)
 *
 * Every file is replaced atomically: written to a temporary file in the same
 * directory, fsync'd, renamed over the old one, and the directory fsync'd,
 * so a crash at any point leaves the old or the new content, never a mix.
 * Temporary files left by a crash are removed when the directory is next
 * opened.
 *
 * Return convention: 0 on success, PROV_STORE_NONE (1) when there is nothing
 * stored, PROV_STORE_EXPIRED (2) where stated, -1 on failure with a one-line
 * reason in err (which may be NULL). Secrets (token, OTP, cookie) never
 * appear in err.
 */
#ifndef IMSUE_PROVISIONING_STORE_H
#define IMSUE_PROVISIONING_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROV_STORE_NONE    1
#define PROV_STORE_EXPIRED 2

struct prov_store;

/* The points of an atomic replace, for the test hook. */
enum prov_store_step {
	PROV_STORE_STEP_TEMP_CREATED, /* temporary file created, empty */
	PROV_STORE_STEP_HALF_WRITTEN, /* half of the content written */
	PROV_STORE_STEP_WRITTEN,      /* all written, not yet fsync'd */
	PROV_STORE_STEP_SYNCED,       /* fsync'd, not yet renamed */
	PROV_STORE_STEP_RENAMED,      /* renamed over the old file */
	PROV_STORE_STEP_DONE,         /* directory fsync'd */
};

struct prov_store_params {
	const char *root;
	/* Tests only (NULL otherwise): called at each step of every atomic
	 * replace. A non-zero return fails the write at that step as an I/O
	 * error would; the hook may also kill the process to simulate a crash. */
	int (*step_hook)(void *arg, enum prov_store_step step);
	void *hook_arg;
};

/* Open (creating with mode 0700 when missing; the parent must exist) the
 * store root. Refuses a root not owned by the effective user or writable
 * by group or others. */
int prov_store_open(const struct prov_store_params *params, struct prov_store **out, char *err,
		    size_t errlen);
void prov_store_close(struct prov_store *st);

/* One identity's stored configuration. Strings NUL-terminated, owned by the
 * record; prov_record_clear wipes the token and frees everything. */
struct prov_record {
	int32_t version;  /* RCC.14 VERS version: -2, -1, 0 or positive */
	int32_t validity; /* VERS validity in seconds */
	int64_t received; /* when the validity was last set (Unix time) */
	int64_t expires;  /* received + validity; 0 when version <= 0 */
	bool has_token;
	char *token; /* secret */
	bool has_token_validity;
	int32_t token_validity;
	int64_t token_expires;
	char *msisdn; /* E.164 ("+" and digits) or NULL */
	uint8_t *doc; /* the configuration document as received, or NULL */
	size_t doc_len;
};

void prov_record_clear(struct prov_record *r);

/* Set version and validity received at now: expires = now + validity for a
 * positive version, 0 otherwise. */
void prov_record_set_validity(struct prov_record *r, int32_t version, int32_t validity,
			      int64_t now);

/* Replace the token (copied; NULL removes it); validity < 0 means none. */
int prov_record_set_token(struct prov_record *r, const char *token, int32_t validity, int64_t now);

/* Replace the document (copied; NULL removes it). */
int prov_record_set_doc(struct prov_record *r, const uint8_t *doc, size_t len);

/* A positive version whose validity has not expired at now. */
bool prov_record_valid(const struct prov_record *r, int64_t now);

/* Identity keys: 1..64 characters of [A-Za-z0-9+._@-], not starting with a
 * dot (an IMSI, an MSISDN, an IMPI). */
bool prov_store_identity_ok(const char *identity);

/* Store the record of an identity (atomic replace). MSISDN, when set, must be
 * "+" and digits; the document at most 256 KiB. */
int prov_store_save(struct prov_store *st, const char *identity, const struct prov_record *r,
		    char *err, size_t errlen);

/* Load the record of an identity into r (cleared first). PROV_STORE_NONE
 * when none is stored; -1 when it cannot be read or is not a valid record. */
int prov_store_load(struct prov_store *st, const char *identity, struct prov_record *r, char *err,
		    size_t errlen);

/* Use case 5 (SIM change, or an operational-profile switch): keep a copy of
 * the identity's current record as its working-configuration backup.
 * PROV_STORE_NONE when there is no record. */
int prov_store_backup(struct prov_store *st, const char *identity, char *err, size_t errlen);

/* Use case 5: when the identity has a backup that is still valid at now
 * (positive version, not expired), make it the current record and load it
 * into r. PROV_STORE_NONE without a backup, PROV_STORE_EXPIRED when it has
 * expired (then nothing changes and r is left cleared). */
int prov_store_restore(struct prov_store *st, const char *identity, int64_t now,
		       struct prov_record *r, char *err, size_t errlen);

/* Bootstrap credentials of a non-cellular configuration in progress
 * (RCC.14 2.3.2): the OTP and the session cookie. They are derived from
 * nothing persistent, so they are purged once configuration succeeds
 * (OMA LWM2M bootstrap-account purge CR, 5.2.1.1 step 3 case 2b). */
struct prov_bootstrap {
	char *otp;    /* secret */
	char *cookie; /* secret */
};

void prov_bootstrap_clear(struct prov_bootstrap *b);
int prov_store_bootstrap_save(struct prov_store *st, const char *identity,
			      const struct prov_bootstrap *b, char *err, size_t errlen);
int prov_store_bootstrap_load(struct prov_store *st, const char *identity, struct prov_bootstrap *b,
			      char *err, size_t errlen);

/* After a successful configuration: overwrite and delete the bootstrap file.
 * The record, with the server-issued token, stays (it is removed only by
 * prov_store_reset). 0 also when there was nothing to purge. */
int prov_store_bootstrap_purge(struct prov_store *st, const char *identity, char *err,
			       size_t errlen);

/* Device or client reset: remove everything stored for the identity
 * (record with token, backup, bootstrap) and its directory. */
int prov_store_reset(struct prov_store *st, const char *identity, char *err, size_t errlen);

/* The identity used last, to detect a SIM change at start-up. */
int prov_store_last_identity_get(struct prov_store *st, char *out, size_t outlen, char *err,
				 size_t errlen);
int prov_store_last_identity_set(struct prov_store *st, const char *identity, char *err,
				 size_t errlen);

#endif
