/* Security mechanism agreement: RFC 3329 Security-Client / -Server /
 * -Verify, with the TS 33.203 Annex H parameters of ipsec-3gpp and the
 * "tls" mechanism. Pure functions over bytes.
 */
#ifndef IMSUE_SEC_SECAGREE_H
#define IMSUE_SEC_SECAGREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sec_mech {
	SEC_MECH_OTHER = 0,
	SEC_MECH_IPSEC_3GPP,
	SEC_MECH_TLS,
	SEC_MECH_DIGEST,
};

#define SEC_AGREE_MAX_EXTRA 8

struct sec_agree_param {
	char *name;
	char *value;             /* NULL for a flag parameter */
	bool quoted;             /* value was a quoted-string (kept when formatting) */
};

/* One mechanism entry of a Security-* header. q is in thousandths
 * (q=0.9 -> 900), -1 when absent. Numeric fields are 0 when absent;
 * has_* tells which were present. */
struct sec_agree_entry {
	enum sec_mech mech;
	char *mech_name;         /* as received, e.g. "ipsec-3gpp" */
	int q;
	char *alg;               /* "hmac-sha-1-96", "hmac-md5-96" */
	char *ealg;              /* "null", "aes-cbc", ... or NULL */
	char *prot;              /* "esp" */
	char *mod;               /* "trans" */
	uint32_t spi_c, spi_s;
	uint16_t port_c, port_s;
	bool has_spi_c, has_spi_s, has_port_c, has_port_s;
	struct sec_agree_param extra[SEC_AGREE_MAX_EXTRA]; /* unknown parameters, kept in order */
	size_t n_extra;
};

#define SEC_AGREE_MAX_ENTRIES 16

struct sec_agree_list {
	struct sec_agree_entry e[SEC_AGREE_MAX_ENTRIES];
	size_t n;
};

/* Parse one header value (comma-separated entries). May be called again on
 * the same list to append a second header of the same name. The list must
 * start zeroed (or cleared). On error returns -1 with a one-line reason
 * naming the entry (1-based within this value) and parameter, and leaves the
 * list as it was. */
int sec_agree_parse(const char *value, size_t len, struct sec_agree_list *l,
		    char *err, size_t errlen);
/* Format a list as a header value; returns the length or -1. Each entry in
 * canonical order mechanism;alg;ealg;prot;mod;spi-c;spi-s;port-c;port-s;q
 * then the unknown parameters as received; entries joined by ", ". -1 (and
 * out = "") when out is too small or an entry cannot be written (zero port
 * marked present, q out of range, a name that is not a token). */
int sec_agree_format(const struct sec_agree_list *l, char *out, size_t outlen);
void sec_agree_clear(struct sec_agree_list *l);

/* "ipsec-3gpp", "tls", "digest"; NULL for SEC_MECH_OTHER. */
const char *sec_agree_mech_name(enum sec_mech mech);

/* Same mechanisms and parameters, as parsed: names and the alg/ealg/prot/
 * mod tokens compare case-insensitively, other values exactly; whether an
 * unknown parameter's value was quoted does not matter. Lists compare entry
 * by entry, in order. */
bool sec_agree_entry_equal(const struct sec_agree_entry *a, const struct sec_agree_entry *b);
bool sec_agree_list_equal(const struct sec_agree_list *a, const struct sec_agree_list *b);

/* Deep copy (e.g. the Security-Server kept for Security-Verify). dst is
 * cleared first (it must be zeroed or a list used before); on failure (-1,
 * out of memory) dst is left empty. */
int sec_agree_list_copy(struct sec_agree_list *dst, const struct sec_agree_list *src);

/* What a UE offers in Security-Client (doc/sec-agree.md). */
struct sec_agree_offer {
	enum sec_mech mech;      /* SEC_MECH_IPSEC_3GPP or SEC_MECH_TLS */
	/* ipsec-3gpp only: comma-separated lists (config ipsec_alg/ipsec_ealg);
	 * NULL or "" means the defaults "hmac-sha-1-96,hmac-md5-96" and
	 * "null,aes-cbc". Known names only: hmac-sha-1-96, hmac-md5-96; null,
	 * aes-cbc, des-ede3-cbc. */
	const char *algs;
	const char *ealgs;
	uint32_t spi_c, spi_s;   /* ipsec-3gpp: from sec_agree_fresh_spis() */
	uint16_t port_c, port_s;
};

/* Append the offer's entries to l: for ipsec-3gpp one entry per alg x ealg
 * (alg-major, in the given order), each with prot=esp, mod=trans and the
 * same SPIs and ports; for tls one "tls" entry. -1 with a reason on an
 * unknown algorithm, a zero SPI or port, or too many entries (l unchanged). */
int sec_agree_offer_build(const struct sec_agree_offer *o, struct sec_agree_list *l, char *err,
			  size_t errlen);

/* Choose the server entry to use (RFC 3329 2.3.1 / TS 33.203 7.1): the
 * highest-q Security-Server entry whose mechanism and algorithms the client
 * offered. Returns the index in server, or -1 if none is acceptable.
 * Among equal q the server's order decides; an absent q ranks below q=0.
 * ipsec-3gpp: the same client entry must carry the alg and the ealg
 * (absent = "null"), prot/mod must match (absent = esp/trans), and a
 * server entry without spi-c, spi-s, port-c and port-s is skipped. */
int sec_agree_select(const struct sec_agree_list *client, const struct sec_agree_list *server);

/* Fresh SPI pair and port-c for a new security association set
 * (TS 33.203 7.1): SPIs random, non-zero, distinct from the avoid list
 * (the SPIs in use), >= 256; port_c distinct from port_s and from avoid
 * ports (sec_agree_fresh_port). Returns 0 or -1 (no randomness). */
int sec_agree_fresh_spis(uint32_t *spi_c, uint32_t *spi_s, const uint32_t *avoid, size_t n_avoid);

/* A random port in [lo, hi] not in avoid (pass port-s and the ports in use
 * there). Returns 0, or -1 if lo is 0, lo > hi, every port is avoided, or
 * there is no randomness. The caller still has to bind it. */
int sec_agree_fresh_port(uint16_t *port, uint16_t lo, uint16_t hi, const uint16_t *avoid,
			 size_t n_avoid);

#endif
