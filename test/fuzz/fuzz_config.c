/* Fuzz target: the UE configuration file. Whatever the input, parsing
 * either succeeds with a consistent struct or fails with a one-line
 * "NAME:..." reason and leaves the struct as it was.
 *
 * FUZZ-SOURCES: ue/config.c provisioning/identity.c
 * FUZZ-PKGS: inih libcrypto
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ue/ue_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ue_config *c = malloc(sizeof(*c)), *before = malloc(sizeof(*c));
	char *text = malloc(size + 1);
	char err[512] = "";

	if (!c || !before || !text)
		abort();
	/* The parser takes a C string: the input up to its first NUL. */
	memcpy(text, data, size);
	text[size] = '\0';
	memset(c, 0x5a, sizeof(*c));
	memcpy(before, c, sizeof(*c));
	if (ue_config_parse(text, "fuzz.conf", c, err, sizeof(err)) == 0) {
		if (c->n_impu < 0 || c->n_impu > UE_CFG_MAX_IMPU || c->n_pcscf < 0 ||
		    c->n_pcscf > UE_CFG_MAX_PCSCF || !c->ctl_socket[0] ||
		    strnlen(c->ctl_socket, sizeof(c->ctl_socket)) == sizeof(c->ctl_socket) ||
		    c->password_len != strlen(c->password) || c->t1_ms == 0)
			abort();
		for (int i = 0; i < c->n_pcscf; i++)
			if (!c->pcscf[i].host[0])
				abort();
		ue_config_wipe(c);
	} else {
		if (strncmp(err, "fuzz.conf:", 10) || strchr(err, '\n') ||
		    memcmp(c, before, sizeof(*c)))
			abort();
	}
	free(text);
	free(before);
	free(c);
	return 0;
}
