/* Fuzz target: the sqn_file text (sec_sqn_parse) and hex decoding. The
 * first byte picks the configured IND length. Whatever parses must satisfy
 * the state's invariants and survive format + parse unchanged; whatever
 * fails must leave the state untouched with a one-line reason. Hex that
 * decodes must encode back to the same digits (ignoring case).
 *
 * FUZZ-SOURCES: sec/sqn.c sec/hex.c
 * FUZZ-PKGS:
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sec/hex.h"
#include "sec/sqn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_hex(const char *s, size_t len)
{
	uint8_t out[64];
	char enc[2 * sizeof(out) + 1], err[128] = "";
	size_t n;

	if (sec_hex_decode(s, len, out, sizeof(out), &n, err, sizeof(err)) < 0) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		return;
	}
	if (n * 2 != len)
		abort();
	sec_hex_encode(out, n, enc);
	if (strlen(enc) != len || strncasecmp(enc, s, len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sec_sqn_state s, before, t;
	char err[256] = "", text[SEC_SQN_TEXT_MAX];

	if (size == 0)
		return 0;
	unsigned int bits = data[0] % (SEC_SQN_IND_BITS_MAX + 1);
	const char *in = (const char *)data + 1;
	size_t len = size - 1;

	check_hex(in, len);

	if (sec_sqn_init(&s, bits, SEC_SQN_DELTA_DEFAULT, 1234, NULL, 0) < 0)
		abort();
	before = s;
	if (sec_sqn_parse(&s, in, len, err, sizeof(err)) < 0) {
		if (memcmp(&s, &before, sizeof(s)) || !err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	/* invariants: every slot at or below SEQ_MS, and SQN_MS's own slot at it */
	uint64_t seq_ms = s.sqn_ms >> bits;
	if (s.sqn_ms > SEC_SQN_MAX || s.ind_bits != bits ||
	    s.seq[s.sqn_ms & ((1u << bits) - 1)] != seq_ms)
		abort();
	for (unsigned int i = 0; i < 1u << bits; i++)
		if (s.seq[i] > seq_ms)
			abort();
	size_t n = sec_sqn_format(&s, text, sizeof(text));
	if (n >= sizeof(text) || n != strlen(text))
		abort();
	if (sec_sqn_init(&t, bits, SEC_SQN_DELTA_DEFAULT, 0, NULL, 0) < 0 ||
	    sec_sqn_parse(&t, text, n, err, sizeof(err)) < 0 || memcmp(&s, &t, sizeof(s)))
		abort();
	return 0;
}
