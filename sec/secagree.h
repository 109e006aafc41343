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
 * the same list to append a second header of the same name. */
int sec_agree_parse(const char *value, size_t len, struct sec_agree_list *l,
		    char *err, size_t errlen);
/* Format a list as a header value; returns the length or -1. */
int sec_agree_format(const struct sec_agree_list *l, char *out, size_t outlen);
void sec_agree_clear(struct sec_agree_list *l);

/* Choose the server entry to use (RFC 3329 2.3.1 / TS 33.203 7.1): the
 * highest-q Security-Server entry whose mechanism and algorithms the client
 * offered. Returns the index in server, or -1 if none is acceptable. */
int sec_agree_select(const struct sec_agree_list *client, const struct sec_agree_list *server);

/* Fresh SPI pair and port-c for a new security association set
 * (TS 33.203 7.1): SPIs random, non-zero, distinct from the avoid list
 * (the SPIs in use), >= 256; port_c distinct from port_s and from avoid
 * ports. Returns 0 or -1 (no randomness). */
int sec_agree_fresh_spis(uint32_t *spi_c, uint32_t *spi_s, const uint32_t *avoid, size_t n_avoid);

#endif
