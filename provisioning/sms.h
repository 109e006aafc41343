/* SMS-DELIVER TPDU decoder (3GPP TS 23.040 9.2.2.1, alphabets of TS 23.038)
 * and the RCC.14 section 3 configuration trigger ("<IMSI>-rcscfg" or
 * "<IMPI>-rcscfg", UCS2, UDH application port 37273).
 *
 * Pure functions over bytes, no allocation: the TPDU is the one delivered
 * by the platform without the SMSC address in front.
 *
 * Error convention: 0 on success, -1 on failure with a one-line reason in
 * err (which may be NULL).
 */
#ifndef IMSUE_PROVISIONING_SMS_H
#define IMSUE_PROVISIONING_SMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RCC.14 3 and 2.3.3: the default application port (0x9199). */
#define PROV_SMS_PORT 37273

/* Longest SMS-DELIVER TPDU: 1 + 12 (TP-OA) + 1 + 1 + 7 + 1 + 140. */
#define PROV_SMS_TPDU_MAX 163

enum prov_sms_alphabet {
	PROV_SMS_GSM7, /* GSM 7-bit default alphabet (and reserved codings, 23.038 4) */
	PROV_SMS_8BIT, /* 8-bit data */
	PROV_SMS_UCS2, /* UCS2, decoded as UTF-16BE (surrogate pairs accepted) */
};

/* "gsm7", "8bit", "ucs2". */
const char *prov_sms_alphabet_name(enum prov_sms_alphabet a);

/* TP-SCTS (23.040 9.2.3.11) as decoded; valid is false when a semi-octet
 * is not a decimal digit or a field is out of range. */
struct prov_sms_time {
	bool valid;
	int year; /* 2000..2099 */
	int month, day, hour, minute, second;
	int tz_minutes; /* offset from UTC */
};

struct prov_sms {
	uint8_t first_octet;
	bool udhi;          /* TP-UDHI */
	bool more_messages; /* !TP-MMS */
	char oa[48];        /* TP-OA: digits ('+' first when international) or text */
	uint8_t oa_toa;     /* type of address octet */
	uint8_t pid;        /* TP-PID */
	uint8_t dcs;        /* TP-DCS */
	enum prov_sms_alphabet alphabet;
	bool compressed; /* DCS says compressed: no text decoded */
	uint8_t scts_raw[7];
	struct prov_sms_time scts;
	uint8_t udl; /* TP-UDL: septets (GSM7) or octets */

	/* Application port addressing IE (23.040 9.2.3.24.3 / .4). */
	bool has_port;
	bool port_8bit; /* IEI 0x04 rather than 0x05 */
	uint16_t dst_port, src_port;

	/* Concatenation IE (IEI 0x00 or 0x08). */
	bool concatenated;
	uint16_t concat_ref;
	uint8_t concat_total, concat_seq;

	/* The user data after the header: raw octets (for GSM7 the packed
	 * septets including fill bits) and, when it is text, UTF-8. */
	uint8_t data[140];
	size_t data_len;
	bool has_text;          /* false: compressed, or 8-bit data that is not UTF-8 */
	char text[161 * 3 + 1]; /* NUL-terminated UTF-8 */
	size_t text_len;
};

/* Decode an SMS-DELIVER TPDU of len bytes. Refuses other message types,
 * truncated fields, a UDH that overflows the user data, malformed port or
 * concatenation IEs, trailing octets and UCS2 that is not valid UTF-16BE
 * (or contains U+0000). */
int prov_sms_decode(const uint8_t *tpdu, size_t len, struct prov_sms *sms, char *err,
		    size_t errlen);

/* Hex text (upper or lower case, no separators) of hexlen characters to
 * bytes; at most outcap bytes. */
int prov_sms_from_hex(const char *hex, size_t hexlen, uint8_t *out, size_t outcap, size_t *outlen,
		      char *err, size_t errlen);

enum prov_sms_trigger {
	PROV_SMS_NO_TRIGGER,
	PROV_SMS_TRIGGER_IMSI, /* "<IMSI>-rcscfg" with the SIM's IMSI */
	PROV_SMS_TRIGGER_IMPI, /* "<IMPI>-rcscfg" with the configured Private_User_Identity */
};

/* What a decoded SMS is matched against. */
struct prov_sms_match {
	uint16_t port;    /* expected destination port; 0 means PROV_SMS_PORT */
	const char *imsi; /* the SIM's IMSI, or NULL */
	const char *impi; /* Private_User_Identity of the current configuration, or NULL */
};

/* Is sms an RCC.14 section 3 configuration request for us? The text must be
 * exactly the IMSI (digits, compared exactly) or the IMPI (user part
 * compared exactly, realm without regard to ASCII case) followed by "-" and
 * "rcscfg" (ASCII case ignored), in a single-part SMS addressed to the
 * port. Any alphabet whose text decodes is accepted. Otherwise returns
 * PROV_SMS_NO_TRIGGER with the reason (one line naming no identity) in
 * reason. */
enum prov_sms_trigger prov_sms_trigger_match(const struct prov_sms *sms,
					     const struct prov_sms_match *m, char *reason,
					     size_t reasonlen);

#endif
