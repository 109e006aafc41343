/* Hex encoding of binary values (keys, RAND, AUTN, SQN) for configuration
 * files, the CLI and logs.
 *
 * Decoding is a pure function over (bytes, length): it never reads past len,
 * does not need NUL termination, accepts upper- and lower-case digits and
 * nothing else (no "0x" prefix, no separators).
 */
#ifndef IMSUE_SEC_HEX_H
#define IMSUE_SEC_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Decode the len characters at s into out (room for outlen bytes); the number
 * of bytes written goes to *outn (which may be NULL). Returns 0, or -1 with a
 * one-line reason in err (which may be NULL) for an odd number of digits, a
 * character that is not a hex digit (with its position) or a value longer
 * than outlen bytes. On error the contents of out are unspecified. */
int sec_hex_decode(const char *s, size_t len, uint8_t *out, size_t outlen, size_t *outn, char *err,
		   size_t errlen);

/* As sec_hex_decode(), but the value must be exactly n bytes (2n digits);
 * the reason then says how many digits were expected and found. */
int sec_hex_decode_exact(const char *s, size_t len, uint8_t *out, size_t n, char *err,
			 size_t errlen);

/* Lower-case hex of the n bytes at in, NUL-terminated: out has room for
 * 2n + 1 characters. */
void sec_hex_encode(const uint8_t *in, size_t n, char *out);

#endif
