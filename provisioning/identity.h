/* Identities derived from the SIM and the device: TS 23.003 clause 13
 * (IMPI, temporary IMPU and home network domain from the IMSI), the GSMA
 * RCC.14 2.2 autoconfiguration server URL, and the RFC 7254 instance ID
 * from the IMEI. Pure functions over bytes.
 *
 * Error convention: 0 on success, -1 with a one-line reason in err (which
 * may be NULL).
 */
#ifndef IMSUE_PROVISIONING_IDENTITY_H
#define IMSUE_PROVISIONING_IDENTITY_H

#include <stddef.h>

#include "provisioning/profile.h"

#define PROV_IDENTITY_STRLEN 80

struct prov_identity {
	char imsi[16];
	char mcc[4];
	char mnc[4];    /* as in the IMSI: 2 or 3 digits */
	int mnc_digits; /* 2 or 3: given, or from the table */
	/* <IMSI>@ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org (MNC padded to 3) */
	char impi[PROV_IDENTITY_STRLEN];
	/* sip:<IMSI>@ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org */
	char impu[PROV_IDENTITY_STRLEN];
	/* ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org */
	char home_domain[PROV_IDENTITY_STRLEN];
	/* http://config.rcs.mnc<MNC>.mcc<MCC>.pub.3gppnetwork.org */
	char autoconf_url[PROV_IDENTITY_STRLEN];
};

/* The length of the MNC in an IMSI whose first digits (at least the 3 of
 * the MCC, and 6 for MCC 405) are given: 3 for the MCCs of the table in
 * doc/identity.md, else 2. -1 if fewer digits than needed or a non-digit. */
int prov_identity_mnc_digits(const char *imsi, size_t len);

/* Derive the identities from an IMSI of 14 or 15 decimal digits (no NUL
 * needed). mnc_digits is 2 or 3 (from the SIM's EF_AD or configuration),
 * or 0 to use prov_identity_mnc_digits(). On error id is zeroed. */
int prov_identity_from_imsi(const char *imsi, size_t len, int mnc_digits, struct prov_identity *id,
			    char *err, size_t errlen);

/* RFC 7254 instance ID "urn:gsma:imei:TTTTTTTT-SSSSSS-0" (TAC, serial
 * number, spare digit 0) from a 15-digit IMEI (Luhn check digit verified)
 * or a 16-digit IMEISV (software version dropped). out needs
 * PROV_INSTANCE_URN_LEN bytes. */
#define PROV_INSTANCE_URN_LEN 32
int prov_identity_instance_urn(const char *imei, size_t len, char *out, size_t outlen, char *err,
			       size_t errlen);

/* Put the derived identities into a profile: impi, the temporary IMPU as
 * the only IMPU, home_domain, source IMSI. Other fields are kept. 0 or -1
 * (out of memory; p then keeps its old identities). */
int prov_identity_to_profile(const struct prov_identity *id, struct ims_profile *p);

#endif
