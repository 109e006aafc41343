/* The IMS profile: plain data that provisioning fills (from the config
 * file, from the IMSI, or from RCC.14 autoconfiguration with the RCC.15
 * IMS characteristic, AppID ap2001) and the ue/ layer reads. No library
 * types; every string is a NUL-terminated heap copy owned by the profile.
 */
#ifndef IMSUE_PROVISIONING_PROFILE_H
#define IMSUE_PROVISIONING_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMS_PROFILE_MAX_IMPU  8
#define IMS_PROFILE_MAX_PCSCF 4

/* Defaults for what RCC.15 leaves out (TS 24.229 7.7 table 7.7.1, RFC
 * 5626 4.5). prov_profile_init() sets them. */
#define IMS_PROFILE_DEFAULT_T1_MS            500
#define IMS_PROFILE_DEFAULT_T2_MS            4000
#define IMS_PROFILE_DEFAULT_T4_MS            5000
#define IMS_PROFILE_DEFAULT_REG_RETRY_BASE_S 30
#define IMS_PROFILE_DEFAULT_REG_RETRY_MAX_S  1800

/* RCC.15 LBO_P-CSCF_Address/AddressType. */
enum ims_addr_type {
	IMS_ADDR_FQDN = 0,
	IMS_ADDR_IPV4,
	IMS_ADDR_IPV6,
};

/* Where the profile came from. */
enum ims_profile_source {
	IMS_PROFILE_SRC_CONFIG = 0,
	IMS_PROFILE_SRC_IMSI,
	IMS_PROFILE_SRC_AUTOCONF,
};

/* RCC.15 APPAUTH AuthType. */
enum ims_auth_type {
	IMS_AUTH_AKA = 0,
	IMS_AUTH_DIGEST,
};

struct ims_pcscf {
	char *address; /* FQDN, dotted IPv4, or IPv6 without brackets */
	enum ims_addr_type type;
};

struct ims_appauth {
	enum ims_auth_type auth_type;
	char *realm;
	char *username;
	char *password; /* secret: wiped by prov_profile_clear() */
};

struct ims_profile {
	char *impi;
	char *impu[IMS_PROFILE_MAX_IMPU]; /* first = the one to register */
	size_t n_impu;
	char *home_domain;
	struct ims_pcscf pcscf[IMS_PROFILE_MAX_PCSCF]; /* in preference order */
	size_t n_pcscf;
	uint32_t t1_ms, t2_ms, t4_ms;
	uint32_t reg_retry_base_time_s, reg_retry_max_time_s;
	struct ims_appauth appauth;
	enum ims_profile_source source;
	char *msisdn; /* E.164 digits, optional "+" */
};

/* What differs between two profiles (prov_profile_diff). */
enum {
	PROV_PROFILE_DIFF_IDENTITY = 1 << 0, /* impi, impus (order too), home_domain, msisdn */
	PROV_PROFILE_DIFF_PCSCF = 1 << 1,    /* the P-CSCF list (order too) */
	PROV_PROFILE_DIFF_TIMERS = 1 << 2,   /* T1/T2/T4, reg-retry base/max */
	PROV_PROFILE_DIFF_AUTH = 1 << 3,     /* appauth */
	PROV_PROFILE_DIFF_SOURCE = 1 << 4,
};

/* An empty profile with the default timers, AKA, source config. */
void prov_profile_init(struct ims_profile *p);

/* Free every string (the password wiped first) and re-init. */
void prov_profile_clear(struct ims_profile *p);

/* Deep copy; dst is cleared first (it must have been initialised). On
 * failure (-1, out of memory) dst is left cleared. */
int prov_profile_copy(struct ims_profile *dst, const struct ims_profile *src);

/* Bitmask of PROV_PROFILE_DIFF_* that differ; 0 when equal. Strings
 * compare exactly except the home domain and P-CSCF FQDNs
 * (case-insensitive). A reconfiguration that changes IDENTITY needs a
 * deregistration and a fresh registration; PCSCF a new registration. */
unsigned prov_profile_diff(const struct ims_profile *a, const struct ims_profile *b);

/* prov_profile_diff() == 0. */
bool prov_profile_equal(const struct ims_profile *a, const struct ims_profile *b);

/* Replace *dst with a copy of src (NULL clears). 0 or -1. */
int prov_profile_set_str(char **dst, const char *src);

/* Append an IMPU; -1 when the list is full, the IMPU is empty or listed
 * already, or out of memory. */
int prov_profile_add_impu(struct ims_profile *p, const char *impu);

/* Append a P-CSCF; -1 when the list is full, the address is empty, or out
 * of memory. */
int prov_profile_add_pcscf(struct ims_profile *p, const char *address, enum ims_addr_type type);

/* The address type of a string: IPv4 and IPv6 (bracketed or not) by
 * inet_pton, anything else FQDN. */
enum ims_addr_type prov_addr_type_guess(const char *address);

/* "FQDN", "IPv4", "IPv6"; "config", "imsi", "autoconf"; "AKA", "digest". */
const char *prov_addr_type_name(enum ims_addr_type t);
const char *prov_profile_source_name(enum ims_profile_source s);
const char *prov_auth_type_name(enum ims_auth_type t);

#endif
