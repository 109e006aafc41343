/* TS 23.003 clause 13 identities from the IMSI, the RCC.14 2.2
 * autoconfiguration URL, and the RFC 7254 IMEI instance ID. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provisioning/identity.h"

/* MCCs whose networks use 3-digit MNCs (ITU-T E.212 assignments: North
 * America and the Caribbean, Mexico, Central and South America). MCC 405
 * (India) mixes both lengths and is decided by prov_identity_mnc_digits. */
static const unsigned short mcc_mnc3[] = {
	302, 310, 311, 312, 313, 314, 315, 316, 330, 334, 338, 342, 344, 346,
	348, 352, 354, 356, 358, 360, 365, 366, 376, 708, 722, 732, 750,
};

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Index of the first non-digit in s[0..len), or len. */
static size_t first_non_digit(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && is_digit(s[i]))
		i++;
	return i;
}

static const char *show_char(unsigned char c, char buf[8])
{
	if (c > 0x20 && c < 0x7f && c != '\'')
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "0x%02x", c);
	return buf;
}

static unsigned num(const char *s, size_t n)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	return v;
}

int prov_identity_mnc_digits(const char *imsi, size_t len)
{
	if (!imsi || len < 3 || first_non_digit(imsi, len < 6 ? len : 6) < (len < 6 ? len : 6))
		return -1;
	unsigned mcc = num(imsi, 3);
	if (mcc == 405) {
		/* India: 2-digit MNCs except 025-047 and 750-999 (Tata
		 * DoCoMo, Vodafone Idea, Jio, ...). */
		if (len < 6)
			return -1;
		unsigned mnc3 = num(imsi + 3, 3);
		return (mnc3 >= 25 && mnc3 <= 47) || mnc3 >= 750 ? 3 : 2;
	}
	for (size_t i = 0; i < sizeof(mcc_mnc3) / sizeof(mcc_mnc3[0]); i++)
		if (mcc_mnc3[i] == mcc)
			return 3;
	return 2;
}

int prov_identity_from_imsi(const char *imsi, size_t len, int mnc_digits, struct prov_identity *id,
			    char *err, size_t errlen)
{
	char cb[8];
	if (!id)
		return fail(err, errlen, "IMSI: no output");
	memset(id, 0, sizeof(*id));
	if (!imsi || !len)
		return fail(err, errlen, "IMSI is empty");
	size_t bad = first_non_digit(imsi, len);
	if (bad < len)
		return fail(err, errlen, "IMSI: character %zu is %s, not a decimal digit", bad + 1,
			    show_char((unsigned char)imsi[bad], cb));
	if (len != 14 && len != 15)
		return fail(err, errlen, "IMSI has %zu digits; it must have 14 or 15", len);
	if (mnc_digits != 0 && mnc_digits != 2 && mnc_digits != 3)
		return fail(err, errlen, "mnc-digits must be 2 or 3 (got %d)", mnc_digits);
	if (!mnc_digits)
		mnc_digits = prov_identity_mnc_digits(imsi, len);

	memcpy(id->imsi, imsi, len);
	memcpy(id->mcc, imsi, 3);
	memcpy(id->mnc, imsi + 3, (size_t)mnc_digits);
	id->mnc_digits = mnc_digits;
	/* TS 23.003 13.2: a 2-digit MNC gets a leading zero. */
	unsigned mnc = num(id->mnc, (size_t)mnc_digits);
	snprintf(id->home_domain, sizeof(id->home_domain), "ims.mnc%03u.mcc%s.3gppnetwork.org", mnc,
		 id->mcc);
	snprintf(id->impi, sizeof(id->impi), "%s@ims.mnc%03u.mcc%s.3gppnetwork.org", id->imsi, mnc,
		 id->mcc);
	snprintf(id->impu, sizeof(id->impu), "sip:%s@ims.mnc%03u.mcc%s.3gppnetwork.org", id->imsi,
		 mnc, id->mcc);
	snprintf(id->autoconf_url, sizeof(id->autoconf_url),
		 "http://config.rcs.mnc%03u.mcc%s.pub.3gppnetwork.org", mnc, id->mcc);
	return 0;
}

int prov_identity_instance_urn(const char *imei, size_t len, char *out, size_t outlen, char *err,
			       size_t errlen)
{
	char cb[8];
	if (out && outlen)
		out[0] = 0;
	if (!imei || !len)
		return fail(err, errlen, "IMEI is empty");
	size_t bad = first_non_digit(imei, len);
	if (bad < len)
		return fail(err, errlen, "IMEI: character %zu is %s, not a decimal digit", bad + 1,
			    show_char((unsigned char)imei[bad], cb));
	if (len != 15 && len != 16)
		return fail(err, errlen,
			    "IMEI has %zu digits; it must have 15 (IMEI) or 16 (IMEISV)", len);
	if (len == 15) {
		/* TS 23.003 Annex B: Luhn over TAC and SNR, doubling every
		 * second digit from the left. */
		unsigned sum = 0;
		for (size_t i = 0; i < 14; i++) {
			unsigned d = (unsigned)(imei[i] - '0');
			if (i % 2) {
				d *= 2;
				d = d / 10 + d % 10;
			}
			sum += d;
		}
		unsigned cd = (10 - sum % 10) % 10;
		if ((unsigned)(imei[14] - '0') != cd)
			return fail(err, errlen, "IMEI check digit is %c, expected %u", imei[14],
				    cd);
	}
	if (!out || outlen < PROV_INSTANCE_URN_LEN)
		return fail(err, errlen, "IMEI: output buffer too small");
	snprintf(out, outlen, "urn:gsma:imei:%.8s-%.6s-0", imei, imei + 8);
	return 0;
}

int prov_identity_to_profile(const struct prov_identity *id, struct ims_profile *p)
{
	char *impi, *impu, *dom;
	if (!id || !p || !id->impi[0])
		return -1;
	impi = strdup(id->impi);
	impu = strdup(id->impu);
	dom = strdup(id->home_domain);
	if (!impi || !impu || !dom) {
		free(impi);
		free(impu);
		free(dom);
		return -1;
	}
	free(p->impi);
	p->impi = impi;
	for (size_t i = 0; i < p->n_impu && i < IMS_PROFILE_MAX_IMPU; i++) {
		free(p->impu[i]);
		p->impu[i] = NULL;
	}
	p->impu[0] = impu;
	p->n_impu = 1;
	free(p->home_domain);
	p->home_domain = dom;
	p->source = IMS_PROFILE_SRC_IMSI;
	return 0;
}
