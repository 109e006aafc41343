/* Fuzz target: the RFC 3310 nonce (sec_aka_nonce_decode) and base64. The
 * decoder is strict, so whatever decodes must encode back to the very same
 * text, and any bytes must survive encode + decode; the nonce decodes exactly
 * when its base64 does and holds at least RAND and AUTN (32 bytes), which
 * must then be its first 32 bytes.
 *
 * FUZZ-SOURCES: sec/digest.c sec/authparam.c sec/base64.c sec/hex.c
 * FUZZ-PKGS: libcrypto
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sec/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t cap = size / 4 * 3 + 1, n = 0, n2 = 0;
	uint8_t *dec = malloc(cap), *dec2 = malloc(size + 1);
	char *enc = malloc(size / 3 * 4 + 8), *nonce = malloc(size + 1);
	uint8_t rand[16], autn[16];
	char err[256] = "";
	int rc, m;

	if (!dec || !dec2 || !enc || !nonce)
		abort();

	/* text -> bytes -> the same text */
	rc = sec_base64_decode_err(s, size, dec, cap, &n, err, sizeof(err));
	if (rc == 0) {
		m = sec_base64_encode(dec, n, enc, size / 3 * 4 + 8);
		if (m < 0 || (size_t)m != size || memcmp(enc, s, size))
			abort();
		if (sec_base64_decode(s, size, dec2, n, &n2) < 0 || n2 != n ||
		    (n && sec_base64_decode(s, size, dec2, n - 1, &n2) == 0))
			abort();
	} else if (!err[0] || strchr(err, '\n') || n != 0) {
		abort();
	}

	/* bytes -> text -> the same bytes */
	size_t elen = (size + 2) / 3 * 4;
	char *e = malloc(elen + 1);
	if (!e || sec_base64_encode(data, size, e, elen + 1) != (int)elen ||
	    sec_base64_encode(data, size, e, elen) != -1 ||
	    sec_base64_decode(e, elen, dec2, size, &n2) < 0 || n2 != size ||
	    memcmp(dec2, data, size))
		abort();
	free(e);

	/* the nonce is a C string: cut at the first NUL */
	memcpy(nonce, s, size);
	nonce[size] = '\0';
	size_t slen = strlen(nonce);
	err[0] = '\0';
	int nrc = sec_aka_nonce_decode(nonce, rand, autn, err, sizeof(err));
	bool b64_ok = sec_base64_decode(nonce, slen, dec, cap, &n) == 0;
	if ((nrc == 0) != (b64_ok && n >= 32))
		abort();
	if (nrc == 0 && (memcmp(rand, dec, 16) || memcmp(autn, dec + 16, 16)))
		abort();
	if (nrc < 0 &&
	    (!err[0] || strchr(err, '\n') || (b64_ok && !strstr(err, "truncated nonce"))))
		abort();

	free(dec);
	free(dec2);
	free(enc);
	free(nonce);
	return 0;
}
