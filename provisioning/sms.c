/* SMS-DELIVER decoder and RCC.14 configuration trigger (see sms.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "provisioning/sms.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *prov_sms_alphabet_name(enum prov_sms_alphabet a)
{
	switch (a) {
	case PROV_SMS_GSM7:
		return "gsm7";
	case PROV_SMS_8BIT:
		return "8bit";
	case PROV_SMS_UCS2:
		return "ucs2";
	}
	return "?";
}

/* TS 23.038 6.2.1: the GSM 7-bit default alphabet as Unicode code points
 * (0x1B is the escape to the extension table). */
static const uint16_t gsm7_basic[128] = {
	0x0040, 0x00a3, 0x0024, 0x00a5, 0x00e8, 0x00e9, 0x00f9, 0x00ec, /* 0x00 */
	0x00f2, 0x00c7, 0x000a, 0x00d8, 0x00f8, 0x000d, 0x00c5, 0x00e5,
	0x0394, 0x005f, 0x03a6, 0x0393, 0x039b, 0x03a9, 0x03a0, 0x03a8, /* 0x10 */
	0x03a3, 0x0398, 0x039e, 0x00a0, 0x00c6, 0x00e6, 0x00df, 0x00c9,
	0x0020, 0x0021, 0x0022, 0x0023, 0x00a4, 0x0025, 0x0026, 0x0027, /* 0x20 */
	0x0028, 0x0029, 0x002a, 0x002b, 0x002c, 0x002d, 0x002e, 0x002f,
	0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, /* 0x30 */
	0x0038, 0x0039, 0x003a, 0x003b, 0x003c, 0x003d, 0x003e, 0x003f,
	0x00a1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, /* 0x40 */
	0x0048, 0x0049, 0x004a, 0x004b, 0x004c, 0x004d, 0x004e, 0x004f,
	0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, /* 0x50 */
	0x0058, 0x0059, 0x005a, 0x00c4, 0x00d6, 0x00d1, 0x00dc, 0x00a7,
	0x00bf, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, /* 0x60 */
	0x0068, 0x0069, 0x006a, 0x006b, 0x006c, 0x006d, 0x006e, 0x006f,
	0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, /* 0x70 */
	0x0078, 0x0079, 0x007a, 0x00e4, 0x00f6, 0x00f1, 0x00fc, 0x00e0,
};

/* TS 23.038 6.2.1.1: the default extension table (after ESC). A code not
 * in it is shown as the basic-table character of the same code. */
static uint16_t gsm7_ext(uint8_t c)
{
	switch (c) {
	case 0x0a:
		return 0x000c; /* form feed */
	case 0x14:
		return '^';
	case 0x28:
		return '{';
	case 0x29:
		return '}';
	case 0x2f:
		return '\\';
	case 0x3c:
		return '[';
	case 0x3d:
		return '~';
	case 0x3e:
		return ']';
	case 0x40:
		return '|';
	case 0x65:
		return 0x20ac; /* euro sign */
	}
	return gsm7_basic[c & 0x7f];
}

/* Append code point cp (BMP only here) as UTF-8; 0 on success. */
static int put_utf8(char *out, size_t cap, size_t *n, uint32_t cp)
{
	uint8_t b[3];
	size_t k;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 2;
	} else {
		b[0] = (uint8_t)(0xe0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 3;
	}
	if (*n + k >= cap)
		return -1;
	memcpy(out + *n, b, k);
	*n += k;
	out[*n] = '\0';
	return 0;
}

/* Septet i of packed GSM 7-bit data (23.038 6.1.2.1.1). The caller
 * guarantees that the septet lies inside the len octets of p. */
static uint8_t septet(const uint8_t *p, size_t len, size_t i)
{
	size_t bit = i * 7, byte = bit / 8;
	unsigned shift = bit % 8;
	unsigned v = p[byte] >> shift;

	if (shift > 1 && byte + 1 < len)
		v |= (unsigned)p[byte + 1] << (8 - shift);
	return (uint8_t)(v & 0x7f);
}

/* Decode septets [first, first + count) of p as GSM 7-bit text. */
static int gsm7_decode(const uint8_t *p, size_t len, size_t first, size_t count, char *out,
		       size_t cap, size_t *n)
{
	*n = 0;
	out[0] = '\0';
	for (size_t i = first; i < first + count; i++) {
		uint8_t c = septet(p, len, i);
		uint16_t cp;
		if (c == 0x1b) {
			if (i + 1 >= first + count)
				break; /* a lone ESC at the end shows nothing */
			cp = gsm7_ext(septet(p, len, ++i));
		} else {
			cp = gsm7_basic[c];
		}
		if (put_utf8(out, cap, n, cp) < 0)
			return -1;
	}
	return 0;
}

static int ucs2_decode(const uint8_t *p, size_t len, char *out, size_t cap, size_t *n, char *err,
		       size_t errlen)
{
	for (size_t i = 0; i + 1 < len; i += 2) {
		if (!p[i] && !p[i + 1]) {
			set_err(err, errlen, "UCS2 text contains U+0000 at octet %zu", i);
			return -1;
		}
	}
	iconv_t cd = iconv_open("UTF-8", "UTF-16BE");
	if (cd == (iconv_t)-1) {
		set_err(err, errlen, "iconv cannot convert UTF-16BE to UTF-8: %s", strerror(errno));
		return -1;
	}
	char *in = (char *)p, *o = out;
	size_t inleft = len, outleft = cap - 1;
	size_t r = iconv(cd, &in, &inleft, &o, &outleft);
	int e = errno;
	if (r != (size_t)-1)
		r = iconv(cd, NULL, NULL, &o, &outleft);
	iconv_close(cd);
	if (r == (size_t)-1) {
		size_t at = len - inleft;
		if (e == EILSEQ)
			set_err(err, errlen, "invalid UCS2 at octet %zu of the text", at);
		else if (e == EINVAL)
			set_err(err, errlen, "UCS2 text ends inside a surrogate pair");
		else
			set_err(err, errlen, "UCS2 text does not fit");
		return -1;
	}
	*o = '\0';
	*n = (size_t)(o - out);
	return 0;
}

/* Valid UTF-8 (no overlongs, surrogates or code points above U+10FFFF)
 * without NUL: then 8-bit data is shown as text. */
static bool utf8_ok(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint8_t c = p[i];
		size_t k;
		uint32_t cp;
		if (!c)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (k > len - i - 1)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* TP-OA (23.040 9.1.2.5): length in semi-octets, type of address, value. */
static int decode_address(const uint8_t *p, size_t left, struct prov_sms *sms, size_t *used,
			  char *err, size_t errlen)
{
	if (left < 2) {
		set_err(err, errlen, "TPDU truncated in TP-OA");
		return -1;
	}
	unsigned digits = p[0];
	if (digits > 20) {
		set_err(err, errlen, "TP-OA length %u exceeds 20 semi-octets", digits);
		return -1;
	}
	size_t octets = (digits + 1) / 2;
	if (left < 2 + octets) {
		set_err(err, errlen, "TPDU truncated in TP-OA (%zu of %zu octets)", left - 2,
			octets);
		return -1;
	}
	sms->oa_toa = p[1];
	const uint8_t *v = p + 2;
	size_t n = 0;
	sms->oa[0] = '\0';
	if ((sms->oa_toa >> 4 & 7) == 5) {
		/* Alphanumeric: GSM 7-bit packed, digits * 4 / 7 septets. */
		if (gsm7_decode(v, octets, 0, digits * 4 / 7, sms->oa, sizeof(sms->oa), &n) < 0) {
			set_err(err, errlen, "TP-OA alphanumeric address too long");
			return -1;
		}
	} else {
		static const char bcd[] = "0123456789*#abc";
		if ((sms->oa_toa >> 4 & 7) == 1)
			sms->oa[n++] = '+';
		for (unsigned i = 0; i < digits; i++) {
			unsigned d = i % 2 ? v[i / 2] >> 4 : v[i / 2] & 0x0f;
			if (d == 0x0f) {
				set_err(err, errlen, "TP-OA has a filler semi-octet at digit %u",
					i);
				return -1;
			}
			sms->oa[n++] = bcd[d];
		}
		sms->oa[n] = '\0';
	}
	*used = 2 + octets;
	return 0;
}

static int bcd2(uint8_t o)
{
	unsigned lo = o & 0x0f, hi = o >> 4;
	return lo > 9 || hi > 9 ? -1 : (int)(lo * 10 + hi);
}

/* TP-SCTS (23.040 9.2.3.11): swapped semi-octets; bit 3 of the time zone's
 * first semi-octet is the sign, the zone counts quarter hours. */
static void decode_scts(struct prov_sms *sms)
{
	const uint8_t *s = sms->scts_raw;
	struct prov_sms_time *t = &sms->scts;
	int f[6];

	t->valid = false;
	for (int i = 0; i < 6; i++)
		if ((f[i] = bcd2(s[i])) < 0)
			return;
	int tz = bcd2(s[6] & 0xf7);
	if (tz < 0 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 ||
	    f[5] > 59)
		return;
	t->year = 2000 + f[0];
	t->month = f[1];
	t->day = f[2];
	t->hour = f[3];
	t->minute = f[4];
	t->second = f[5];
	t->tz_minutes = (s[6] & 0x08 ? -1 : 1) * tz * 15;
	t->valid = true;
}

/* dcs -> alphabet (TS 23.038 4). */
static void decode_dcs(struct prov_sms *sms)
{
	uint8_t d = sms->dcs;

	sms->alphabet = PROV_SMS_GSM7;
	sms->compressed = false;
	if ((d & 0x80) == 0) {
		/* General data coding and automatic deletion groups (00xx, 01xx). */
		sms->compressed = d & 0x20;
		switch (d >> 2 & 3) {
		case 1:
			sms->alphabet = PROV_SMS_8BIT;
			break;
		case 2:
			sms->alphabet = PROV_SMS_UCS2;
			break;
		default: /* 0 GSM7; 3 reserved, read as GSM7 */
			break;
		}
	} else if ((d & 0xf0) == 0xe0) {
		sms->alphabet = PROV_SMS_UCS2; /* message waiting, store, UCS2 */
	} else if ((d & 0xf0) == 0xf0) {
		sms->alphabet = d & 0x04 ? PROV_SMS_8BIT : PROV_SMS_GSM7;
	}
	/* 1000..1011 reserved and 1100/1101 message waiting: GSM7. */
}

/* The user data header (23.040 9.2.3.24): IEI, length, data. */
static int decode_udh(const uint8_t *h, size_t len, struct prov_sms *sms, char *err, size_t errlen)
{
	for (size_t i = 0; i < len;) {
		if (len - i < 2) {
			set_err(err, errlen, "UDH truncated in an information element header");
			return -1;
		}
		uint8_t iei = h[i], l = h[i + 1];
		const uint8_t *d = h + i + 2;
		if (l > len - i - 2) {
			set_err(err, errlen, "UDH IE 0x%02x length %u overflows the header", iei,
				l);
			return -1;
		}
		switch (iei) {
		case 0x00:
		case 0x08: {
			unsigned want = iei ? 4 : 3;
			if (l != want) {
				set_err(err, errlen, "UDH IE 0x%02x length %u, expected %u", iei, l,
					want);
				return -1;
			}
			sms->concatenated = true;
			sms->concat_ref = iei ? (uint16_t)(d[0] << 8 | d[1]) : d[0];
			sms->concat_total = d[want - 2];
			sms->concat_seq = d[want - 1];
			break;
		}
		case 0x04:
			if (l != 2) {
				set_err(err, errlen, "UDH IE 0x04 length %u, expected 2", l);
				return -1;
			}
			sms->has_port = true;
			sms->port_8bit = true;
			sms->dst_port = d[0];
			sms->src_port = d[1];
			break;
		case 0x05:
			if (l != 4) {
				set_err(err, errlen, "UDH IE 0x05 length %u, expected 4", l);
				return -1;
			}
			/* A repeated IE: the last one counts (23.040 9.2.3.24). */
			sms->has_port = true;
			sms->port_8bit = false;
			sms->dst_port = (uint16_t)(d[0] << 8 | d[1]);
			sms->src_port = (uint16_t)(d[2] << 8 | d[3]);
			break;
		default:
			break; /* not needed here */
		}
		i += 2 + (size_t)l;
	}
	return 0;
}

int prov_sms_decode(const uint8_t *tpdu, size_t len, struct prov_sms *sms, char *err, size_t errlen)
{
	size_t at = 0, used;

	memset(sms, 0, sizeof(*sms));
	if (err && errlen)
		err[0] = '\0';
	if (!len) {
		set_err(err, errlen, "empty TPDU");
		return -1;
	}
	sms->first_octet = tpdu[at++];
	if ((sms->first_octet & 3) != 0) {
		static const char *const mti[] = {"", "SMS-SUBMIT-REPORT", "SMS-STATUS-REPORT",
						  "reserved"};
		set_err(err, errlen, "not an SMS-DELIVER (TP-MTI %u: %s)", sms->first_octet & 3,
			mti[sms->first_octet & 3]);
		return -1;
	}
	sms->udhi = sms->first_octet & 0x40;
	sms->more_messages = !(sms->first_octet & 0x04);
	if (decode_address(tpdu + at, len - at, sms, &used, err, errlen) < 0)
		return -1;
	at += used;
	/* PID, DCS, SCTS (7), UDL */
	if (len - at < 10) {
		set_err(err, errlen, "TPDU truncated after TP-OA (%zu octets, need 10 more)",
			len - at);
		return -1;
	}
	sms->pid = tpdu[at++];
	sms->dcs = tpdu[at++];
	decode_dcs(sms);
	memcpy(sms->scts_raw, tpdu + at, 7);
	at += 7;
	decode_scts(sms);
	sms->udl = tpdu[at++];

	size_t ud_octets;
	if (sms->alphabet == PROV_SMS_GSM7 && !sms->compressed) {
		if (sms->udl > 160) {
			set_err(err, errlen, "TP-UDL %u exceeds 160 septets", sms->udl);
			return -1;
		}
		ud_octets = ((size_t)sms->udl * 7 + 7) / 8;
	} else {
		if (sms->udl > 140) {
			set_err(err, errlen, "TP-UDL %u exceeds 140 octets", sms->udl);
			return -1;
		}
		ud_octets = sms->udl;
	}
	if (len - at < ud_octets) {
		set_err(err, errlen, "TPDU truncated in TP-UD (%zu of %zu octets)", len - at,
			ud_octets);
		return -1;
	}
	if (len - at > ud_octets) {
		set_err(err, errlen, "%zu octets after the user data", len - at - ud_octets);
		return -1;
	}
	const uint8_t *ud = tpdu + at;
	size_t hdr = 0;
	if (sms->udhi) {
		if (!ud_octets) {
			set_err(err, errlen, "TP-UDHI set but the user data is empty");
			return -1;
		}
		hdr = (size_t)ud[0] + 1;
		if (hdr > ud_octets) {
			set_err(err, errlen, "UDHL %u overflows the user data (%zu octets)", ud[0],
				ud_octets);
			return -1;
		}
		if (decode_udh(ud + 1, hdr - 1, sms, err, errlen) < 0)
			return -1;
	}
	sms->data_len = ud_octets - hdr;
	memcpy(sms->data, ud + hdr, sms->data_len);

	if (sms->compressed)
		return 0;
	switch (sms->alphabet) {
	case PROV_SMS_GSM7: {
		/* The text starts at the first septet boundary after the header
		 * (fill bits in between, 23.040 9.2.3.24). */
		size_t first = (hdr * 8 + 6) / 7;
		if (first > sms->udl) {
			set_err(err, errlen, "UDH (%zu septets) longer than TP-UDL %u", first,
				sms->udl);
			return -1;
		}
		if (gsm7_decode(ud, ud_octets, first, sms->udl - first, sms->text,
				sizeof(sms->text), &sms->text_len) < 0) {
			set_err(err, errlen, "GSM 7-bit text does not fit");
			return -1;
		}
		sms->has_text = true;
		break;
	}
	case PROV_SMS_UCS2:
		if (sms->data_len % 2) {
			set_err(err, errlen, "odd UCS2 text length (%zu octets)", sms->data_len);
			return -1;
		}
		if (ucs2_decode(sms->data, sms->data_len, sms->text, sizeof(sms->text),
				&sms->text_len, err, errlen) < 0)
			return -1;
		sms->has_text = true;
		break;
	case PROV_SMS_8BIT:
		if (utf8_ok(sms->data, sms->data_len)) {
			memcpy(sms->text, sms->data, sms->data_len);
			sms->text[sms->data_len] = '\0';
			sms->text_len = sms->data_len;
			sms->has_text = true;
		}
		break;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int prov_sms_from_hex(const char *hex, size_t hexlen, uint8_t *out, size_t outcap, size_t *outlen,
		      char *err, size_t errlen)
{
	if (hexlen % 2) {
		set_err(err, errlen, "odd number of hex digits (%zu)", hexlen);
		return -1;
	}
	if (hexlen / 2 > outcap) {
		set_err(err, errlen, "%zu octets of hex, at most %zu allowed", hexlen / 2, outcap);
		return -1;
	}
	for (size_t i = 0; i < hexlen; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);
		if (hi < 0 || lo < 0) {
			set_err(err, errlen, "not a hex digit at position %zu", hi < 0 ? i : i + 1);
			return -1;
		}
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = hexlen / 2;
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* NAI comparison: user part exact, realm without regard to ASCII case. */
static bool impi_equal(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	const char *aat = memchr(a, '@', alen), *bat = strchr(b, '@');

	if (alen != blen || !aat || !bat || aat - a != bat - b)
		return false;
	size_t user = (size_t)(aat - a);
	return !memcmp(a, b, user) && !strncasecmp(aat, bat, alen - user);
}

enum prov_sms_trigger prov_sms_trigger_match(const struct prov_sms *sms,
					     const struct prov_sms_match *m, char *reason,
					     size_t reasonlen)
{
	static const char suffix[] = "-rcscfg";
	const size_t slen = sizeof(suffix) - 1;
	uint16_t port = m && m->port ? m->port : PROV_SMS_PORT;

	if (reason && reasonlen)
		reason[0] = '\0';
	if (!sms->has_port) {
		set_err(reason, reasonlen, "no application port addressing in the UDH");
		return PROV_SMS_NO_TRIGGER;
	}
	if (sms->dst_port != port) {
		set_err(reason, reasonlen, "destination port %u, expected %u", sms->dst_port, port);
		return PROV_SMS_NO_TRIGGER;
	}
	if (sms->concatenated && sms->concat_total > 1) {
		set_err(reason, reasonlen, "part %u of %u of a concatenated message",
			sms->concat_seq, sms->concat_total);
		return PROV_SMS_NO_TRIGGER;
	}
	if (!sms->has_text) {
		set_err(reason, reasonlen, "%s",
			sms->compressed ? "the user data is compressed"
					: "the user data is 8-bit data, not text");
		return PROV_SMS_NO_TRIGGER;
	}
	const char *t = sms->text;
	size_t n = sms->text_len;
	if (n <= slen || strncasecmp(t + n - slen, suffix, slen) != 0) {
		set_err(reason, reasonlen, "the text is not <IMSI>-rcscfg or <IMPI>-rcscfg");
		return PROV_SMS_NO_TRIGGER;
	}
	n -= slen;
	if (all_digits(t, n)) {
		if (!m || !m->imsi || !m->imsi[0]) {
			set_err(reason, reasonlen, "an IMSI trigger, but no IMSI to compare with");
			return PROV_SMS_NO_TRIGGER;
		}
		if (strlen(m->imsi) != n || memcmp(t, m->imsi, n) != 0) {
			set_err(reason, reasonlen, "the IMSI in the text is not ours");
			return PROV_SMS_NO_TRIGGER;
		}
		return PROV_SMS_TRIGGER_IMSI;
	}
	if (memchr(t, '@', n)) {
		if (!m || !m->impi || !m->impi[0]) {
			set_err(reason, reasonlen,
				"an IMPI trigger, but no configured Private_User_Identity");
			return PROV_SMS_NO_TRIGGER;
		}
		if (!impi_equal(t, n, m->impi)) {
			set_err(reason, reasonlen, "the IMPI in the text is not ours");
			return PROV_SMS_NO_TRIGGER;
		}
		return PROV_SMS_TRIGGER_IMPI;
	}
	set_err(reason, reasonlen, "the text before -rcscfg is neither an IMSI nor an IMPI");
	return PROV_SMS_NO_TRIGGER;
}
