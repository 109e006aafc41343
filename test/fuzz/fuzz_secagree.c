/* Fuzz target: sec-agree header values. Whatever parses must format, the
 * output must parse back to an equal list and format to the same bytes;
 * whatever fails must leave the list untouched with a one-line reason.
 *
 * FUZZ-SOURCES: sec/secagree.c
 * FUZZ-PKGS: libcrypto
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sec/secagree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ue[] = "ipsec-3gpp;alg=hmac-sha-1-96;ealg=null;spi-c=1;spi-s=2;"
				 "port-c=3;port-s=4, tls";
	struct sec_agree_list a = {0}, b = {0}, c = {0}, client = {0};
	char err[256] = "";

	/* Appending to a non-empty list: a failure must leave it as it was. */
	if (sec_agree_parse("tls;q=0.5", 9, &a, err, sizeof(err)) != 0)
		abort();
	if (sec_agree_parse((const char *)data, size, &a, err, sizeof(err)) != 0) {
		if (a.n != 1 || a.e[0].q != 500 || !err[0] || strchr(err, '\n'))
			abort();
		sec_agree_clear(&a);
		return 0;
	}

	size_t cap = 2 * size + 64 * SEC_AGREE_MAX_ENTRIES;
	char *out1 = malloc(cap), *out2 = malloc(cap);
	if (!out1 || !out2)
		abort();
	int n1 = sec_agree_format(&a, out1, cap);
	if (n1 <= 0 || (size_t)n1 != strlen(out1))
		abort();
	if (sec_agree_parse(out1, (size_t)n1, &b, err, sizeof(err)) != 0)
		abort();
	if (!sec_agree_list_equal(&a, &b))
		abort();
	int n2 = sec_agree_format(&b, out2, cap);
	if (n2 != n1 || memcmp(out1, out2, (size_t)n1))
		abort();

	if (sec_agree_list_copy(&c, &a) != 0 || !sec_agree_list_equal(&a, &c))
		abort();
	if (sec_agree_parse(ue, sizeof(ue) - 1, &client, err, sizeof(err)) != 0)
		abort();
	int i = sec_agree_select(&client, &a);
	if (i < -1 || i >= (int)a.n)
		abort();
	i = sec_agree_select(&a, &a);
	if (i < -1 || i >= (int)a.n)
		abort();

	free(out1);
	free(out2);
	sec_agree_clear(&a);
	sec_agree_clear(&b);
	sec_agree_clear(&c);
	sec_agree_clear(&client);
	return 0;
}
