/* IPsec for IMS (TS 33.203 7.1): the four ESP transport-mode security
 * associations between a UE and its P-CSCF and the policies that make the
 * kernel use them, installed over XFRM netlink (libmnl). Needs CAP_NET_ADMIN.
 */
#ifndef IMSUE_SEC_XFRM_H
#define IMSUE_SEC_XFRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every SA and policy imsue installs carries a reqid with these top 16 bits
 * (the low 16 bits number the set), so start-up cleanup removes only our
 * own leftovers. */
#define SEC_XFRM_REQID_TAG  0x1d5e0000u
#define SEC_XFRM_REQID_MASK 0xffff0000u

enum sec_xfrm_alg {
	SEC_XFRM_ALG_HMAC_SHA1_96 = 0, /* key IK || 32 zero bits (TS 33.203 6.3) */
	SEC_XFRM_ALG_HMAC_MD5_96,      /* key IK */
};

enum sec_xfrm_ealg {
	SEC_XFRM_EALG_NULL = 0,
	SEC_XFRM_EALG_AES_CBC, /* key CK */
};

/* One side of the association: its address, protected client and server
 * ports, and the SPIs it chose for its own inbound SAs (spi-c receives on
 * port-c, spi-s on port-s). Any non-zero SPI is accepted (the P-CSCF's
 * are taken as it announced them). */
struct sec_xfrm_endpoint {
	uint8_t addr[16]; /* 4 bytes used for AF_INET */
	uint16_t port_c, port_s;
	uint32_t spi_c, spi_s;
};

/* A set of four SAs as seen from the side that installs it ("local"): the
 * UE installs it with local = UE, a test P-CSCF with local = P-CSCF. */
struct sec_xfrm_set {
	int family; /* AF_INET or AF_INET6 */
	struct sec_xfrm_endpoint local, remote;
	enum sec_xfrm_alg alg;
	enum sec_xfrm_ealg ealg;
	uint8_t ik[16], ck[16]; /* wiped by sec_xfrm_set_del / sec_xfrm_set_wipe */
	uint32_t lifetime_s;    /* kernel hard lifetime of SAs and policies, seconds */
	uint16_t id;    /* low bits of the reqid; chosen by the caller, unique per live set */
	bool installed; /* set by sec_xfrm_set_add, cleared by sec_xfrm_set_del */
};

struct sec_xfrm;

/* Open an XFRM netlink socket (NETLINK_XFRM, extended acks on). NULL with a
 * one-line reason on failure. */
struct sec_xfrm *sec_xfrm_open(char *err, size_t errlen);
void sec_xfrm_close(struct sec_xfrm *x);

/* Fill family and the two addresses of s from text ("10.0.0.1", "fd00::1").
 * -1 with a reason when they do not parse or are of different families. */
int sec_xfrm_set_addrs(struct sec_xfrm_set *s, const char *local, const char *remote, char *err,
		       size_t errlen);

/* Map the sec-agree names ("hmac-sha-1-96", "hmac-md5-96"; "null" or NULL,
 * "aes-cbc"). -1 for a name the kernel mapping does not cover. */
int sec_xfrm_alg_from_name(const char *name, enum sec_xfrm_alg *alg);
int sec_xfrm_ealg_from_name(const char *name, enum sec_xfrm_ealg *ealg);

/* Install the four SAs, then the four policies (two out, two in: traffic
 * between the protected ports that is not ESP is dropped). All or nothing:
 * on any failure everything added so far is removed again and -1 is
 * returned with one line that names the SA or policy and gives the kernel's
 * error verbatim (and, for a kernel without ESP, says so). */
int sec_xfrm_set_add(struct sec_xfrm *x, struct sec_xfrm_set *s, char *err, size_t errlen);

/* Change the hard lifetime of an installed set (SAs and policies). */
int sec_xfrm_set_update_lifetime(struct sec_xfrm *x, struct sec_xfrm_set *s, uint32_t lifetime_s,
				 char *err, size_t errlen);

/* Remove the policies and SAs of a set (those already gone, e.g. expired,
 * are not an error) and wipe its keys. -1 with the first real error, after
 * trying to remove everything. */
int sec_xfrm_set_del(struct sec_xfrm *x, struct sec_xfrm_set *s, char *err, size_t errlen);

/* Packets counted so far by each SA of an installed set, in the order out
 * port-c, out port-s, in port-c, in port-s (the kernel's current lifetime
 * counters). -1 with the kernel's error when an SA is gone. */
int sec_xfrm_set_packets(struct sec_xfrm *x, const struct sec_xfrm_set *s, uint64_t packets[4],
			 char *err, size_t errlen);

/* Wipe the keys of a set (OPENSSL_cleanse). */
void sec_xfrm_set_wipe(struct sec_xfrm_set *s);

/* Remove every SA and policy whose reqid has SEC_XFRM_REQID_TAG in its top
 * bits (leftovers of a crash); others are not touched. Returns the number
 * removed, or -1 with a reason. */
int sec_xfrm_cleanup(struct sec_xfrm *x, char *err, size_t errlen);

/* Fresh inbound SPIs for a new set: random, >= 256, distinct, and not used
 * by any SA now in the kernel. -1 with a reason. */
int sec_xfrm_fresh_spis(struct sec_xfrm *x, uint32_t *spi_c, uint32_t *spi_s, char *err,
			size_t errlen);

#endif
