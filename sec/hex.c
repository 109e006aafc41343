/* Hex encoding and decoding. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "sec/hex.h"

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

static int nibble(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sec_hex_decode(const char *s, size_t len, uint8_t *out, size_t outlen, size_t *outn, char *err,
		   size_t errlen)
{
	if (outn)
		*outn = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (nibble(c) < 0) {
			if (c >= 0x21 && c < 0x7f)
				return fail(err, errlen, "invalid hex digit '%c' at position %zu",
					    c, i + 1);
			return fail(err, errlen, "invalid hex digit (byte 0x%02x) at position %zu",
				    c, i + 1);
		}
	}
	if (len % 2)
		return fail(err, errlen, "odd number of hex digits (%zu)", len);
	if (len / 2 > outlen)
		return fail(err, errlen, "too long: %zu hex digits, at most %zu allowed", len,
			    outlen * 2);
	for (size_t i = 0; i < len / 2; i++)
		out[i] = (uint8_t)(nibble((unsigned char)s[2 * i]) << 4 |
				   nibble((unsigned char)s[2 * i + 1]));
	if (outn)
		*outn = len / 2;
	return 0;
}

int sec_hex_decode_exact(const char *s, size_t len, uint8_t *out, size_t n, char *err,
			 size_t errlen)
{
	size_t got;

	if (sec_hex_decode(s, len, out, n, &got, err, errlen) < 0) {
		/* Say "expected N digits" rather than "too long" or "odd". */
		for (size_t i = 0; i < len; i++)
			if (nibble((unsigned char)s[i]) < 0)
				return -1;
		return fail(err, errlen, "expected %zu hex digits, found %zu", 2 * n, len);
	}
	if (got != n)
		return fail(err, errlen, "expected %zu hex digits, found %zu", 2 * n, len);
	return 0;
}

void sec_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}
