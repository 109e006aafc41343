/* Base64 (RFC 4648 section 4: standard alphabet, with padding), strict: the
 * decoder accepts exactly what the encoder produces. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "sec/digest.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

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

static int sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int sec_base64_encode(const uint8_t *in, size_t len, char *out, size_t outlen)
{
	size_t need, o = 0;

	if (len > (SIZE_MAX - 1) / 4 * 3 - 2)
		return -1;
	need = (len + 2) / 3 * 4;
	if (!out || outlen < need + 1 || need > (size_t)INT32_MAX)
		return -1;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	out[o] = '\0';
	return (int)o;
}

int sec_base64_decode_err(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *outn,
			  char *err, size_t errlen)
{
	size_t pad = 0, n, o = 0;

	if (outn)
		*outn = 0;
	if (len % 4)
		return fail(err, errlen, "invalid base64: length %zu is not a multiple of 4", len);
	if (len && in[len - 1] == '=')
		pad = len >= 2 && in[len - 2] == '=' ? 2 : 1;
	for (size_t i = 0; i < len - pad; i++) {
		unsigned char c = (unsigned char)in[i];
		if (sextet(c) >= 0)
			continue;
		if (c == '=')
			return fail(err, errlen,
				    "invalid base64: misplaced padding at position %zu", i + 1);
		if (c >= 0x21 && c < 0x7f)
			return fail(err, errlen, "invalid base64: character '%c' at position %zu",
				    c, i + 1);
		return fail(err, errlen, "invalid base64: byte 0x%02x at position %zu", c, i + 1);
	}
	n = len / 4 * 3 - pad;
	if (n > outlen)
		return fail(err, errlen, "base64 value too long: %zu bytes, at most %zu allowed", n,
			    outlen);
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;
		int k = 4;
		if (i + 4 == len)
			k -= (int)pad;
		for (int j = 0; j < k; j++)
			v |= (uint32_t)sextet((unsigned char)in[i + j]) << (18 - 6 * j);
		/* A canonical encoding leaves the bits beyond the last byte zero. */
		if ((k == 2 && (v & 0xffff)) || (k == 3 && (v & 0xff)))
			return fail(err, errlen,
				    "invalid base64: non-zero bits before the padding");
		out[o++] = (uint8_t)(v >> 16);
		if (k > 2)
			out[o++] = (uint8_t)(v >> 8);
		if (k > 3)
			out[o++] = (uint8_t)v;
	}
	if (outn)
		*outn = o;
	return 0;
}

int sec_base64_decode(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *outn)
{
	return sec_base64_decode_err(in, len, out, outlen, outn, NULL, 0);
}
