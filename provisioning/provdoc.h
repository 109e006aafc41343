/* GSMA RCC.14 configuration documents (OMA CP wap-provisioningdoc): the
 * control characteristics of RCC.14 4.2 (VERS, TOKEN, MSG, POLICY) and the
 * RCC.15 IMS characteristic (APPLICATION with AppID ap2001).
 *
 * Pure function over bytes: no I/O, no DTDs, no entities, no network. The
 * document is refused when it has a DOCTYPE, exceeds PROV_DOC_MAX_SIZE
 * bytes or PROV_DOC_MAX_DEPTH levels of elements, is not well-formed, or
 * its control characteristics are malformed; the first problem is reported
 * in err as one line starting with "line N: ".
 *
 * Error convention: 0 on success, -1 on failure with a one-line reason in
 * err (which may be NULL).
 */
#ifndef IMSUE_PROVISIONING_PROVDOC_H
#define IMSUE_PROVISIONING_PROVDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROV_DOC_MAX_SIZE  (256 * 1024)
#define PROV_DOC_MAX_DEPTH 32

/* The IMS application identifier of RCC.15. */
#define PROV_IMS_APPID "ap2001"

/* What a configuration server response means (RCC.14 2.2.2, Table 8). */
enum prov_doc_kind {
	PROV_DOC_FULL,         /* version > 0 with configuration (Table 2) */
	PROV_DOC_VERSION_ONLY, /* version > 0, no configuration: renew validity (Table 3) */
	PROV_DOC_RESET,        /* version 0: remove configuration, query again at boot (Table 4) */
	PROV_DOC_DISABLED,     /* version -1: remove, no query until SIM change/reset (Table 5) */
	PROV_DOC_DISABLED_UNTIL_USER, /* version -2: remove, no query until a user action (Table 6) */
	PROV_DOC_POLICY,              /* no VERS, a POLICY characteristic only (2.3.3, Table 11) */
};

/* "full", "version-only", "reset", "disabled", "disabled-until-user", "policy". */
const char *prov_doc_kind_name(enum prov_doc_kind kind);

enum prov_pcscf_type {
	PROV_PCSCF_FQDN,
	PROV_PCSCF_IPV4,
	PROV_PCSCF_IPV6,
	PROV_PCSCF_UNKNOWN, /* AddressType present but not one of FQDN, IPv4, IPv6 */
};

/* "fqdn", "ipv4", "ipv6", "unknown". */
const char *prov_pcscf_type_name(enum prov_pcscf_type type);

/* One LBO_P-CSCF_Address characteristic. */
struct prov_pcscf {
	char *address;
	char *type_str;            /* AddressType as received, NULL when absent */
	enum prov_pcscf_type type; /* parsed, or inferred from the address when absent */
	int line;
};

enum prov_auth_type {
	PROV_AUTH_NONE,      /* no APPAUTH or no AuthType */
	PROV_AUTH_AKA,       /* "AKA" */
	PROV_AUTH_DIGEST,    /* "Digest", "SIPDigest", "SIP Digest" */
	PROV_AUTH_EARLY_IMS, /* "EarlyIMS" */
	PROV_AUTH_OTHER,
};

/* A numeric IMS parameter (timers, retry times). */
struct prov_num {
	bool present;
	uint32_t value;
};

/* The RCC.15 IMS characteristic (APPLICATION, AppID ap2001). Strings are
 * NUL-terminated UTF-8 owned by the document; absent ones are NULL. */
struct prov_ims {
	bool present;
	int line;    /* of the APPLICATION element */
	char *impi;  /* Private_User_Identity */
	char **impu; /* Public_user_identity_List/Public_user_identity, in order */
	size_t n_impu;
	char *home_domain;        /* Home_network_domain_name */
	struct prov_pcscf *pcscf; /* LBO_P-CSCF_Address, in order */
	size_t n_pcscf;
	struct prov_num timer_t1;            /* ms */
	struct prov_num timer_t2;            /* ms */
	struct prov_num timer_t4;            /* ms */
	struct prov_num reg_retry_base_time; /* s */
	struct prov_num reg_retry_max_time;  /* s */
	bool has_appauth;
	char *auth_type_str; /* APPAUTH/AuthType as received */
	enum prov_auth_type auth_type;
	char *realm;    /* APPAUTH/Realm */
	char *username; /* APPAUTH/UserName */
	char *userpwd;  /* APPAUTH/UserPwd: secret, wiped by prov_doc_free */
	/* First value problem found while parsing (non-numeric timer, ...):
	 * reported by prov_doc_ims_validate, empty when none. */
	char problem[160];
};

/* A parm the parser does not interpret, kept as found. path is the chain of
 * characteristic types ("APPLICATION[ap2002]/SERVICES"; an APPLICATION is
 * qualified with its AppID). */
struct prov_parm {
	char *path;
	char *name;
	char *value; /* "" when the value attribute is absent */
	int line;
};

struct prov_doc {
	enum prov_doc_kind kind;

	bool has_vers;
	int32_t version;  /* -2, -1, 0 or positive */
	int32_t validity; /* seconds from reception; 0, -1, -2 with a reset */

	bool has_token;
	char *token; /* secret: wiped by prov_doc_free, never logged */
	bool has_token_validity;
	int32_t token_validity;

	bool has_msg;
	char *msg_title;
	char *msg_message;
	bool msg_accept_btn;
	bool msg_reject_btn; /* default false */

	bool has_policy;
	bool has_sms_port;
	uint16_t sms_port; /* POLICY/SMS_port (only 0 has a meaning, 2.3.3) */

	struct prov_ims ims;

	struct prov_parm *other;
	size_t n_other;
};

/* Parse a configuration document of len bytes (any encoding libxml2 detects
 * from the XML declaration; not NUL-terminated). On success *out is a new
 * document for prov_doc_free. */
int prov_doc_parse(const uint8_t *data, size_t len, struct prov_doc **out, char *err,
		   size_t errlen);

/* Free a document, wiping the token and the APPAUTH password. NULL is fine. */
void prov_doc_free(struct prov_doc *doc);

/* Check that the IMS characteristic is usable by an IMS UE: present, with a
 * Private_User_Identity, at least one Public_user_identity (sip:, sips: or
 * tel: URI), a Home_network_domain_name, well-formed P-CSCF addresses and
 * their types, numeric timers, Reg_Retry_BaseTime <= Reg_Retry_MaxTime.
 * Only meaningful for PROV_DOC_FULL documents. */
int prov_doc_ims_validate(const struct prov_doc *doc, char *err, size_t errlen);

/* The MSISDN (E.164 with '+') derived from the first Public_user_identity
 * that is a tel: URI or a sip: URI whose user part is a global number
 * (RCC.14 2.3.2 "derived from the Public_User_Identity"). Returns 0 and
 * writes it NUL-terminated, or -1 when none applies or it does not fit. */
int prov_ims_msisdn(const struct prov_ims *ims, char *out, size_t outlen);

struct ims_profile;

/* Fill an IMS profile (provisioning/profile.h; initialised with
 * prov_profile_init) from a PROV_DOC_FULL document that passes
 * prov_doc_ims_validate: identities, P-CSCFs in document order, timers
 * (profile defaults where absent), APPAUTH (AKA when absent), the MSISDN
 * from the IMPUs, source autoconf. Repeated IMPUs count once; IMPUs and
 * P-CSCFs beyond the profile's capacity (IMS_PROFILE_MAX_IMPU,
 * IMS_PROFILE_MAX_PCSCF) are left out. On failure p is unchanged. */
int prov_doc_to_profile(const struct prov_doc *doc, struct ims_profile *p, char *err,
			size_t errlen);

#endif
