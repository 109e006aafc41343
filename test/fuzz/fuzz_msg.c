/* Fuzz target: reading a REGISTER's 200 (OK) (ue/msg.c: the registration's
 * own binding and the list of all bindings). The input is a
 * header block "Name: value" per line; the element parsers also run on the
 * raw bytes, which are not NUL-terminated. Errors must be one line.
 *
 * FUZZ-SOURCES: ue/msg.c
 * FUZZ-PKGS:
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ue/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HDRS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_hdr h[MAX_HDRS];
	struct ue_msg_reg_ok ok;
	char *copy, *line, *save = NULL, err[256] = "", out[64], host[64];
	size_t n = 0, pos = 0, elen;
	const char *e;
	unsigned long x;
	uint16_t port;
	int r;

	/* The raw parsers get exactly size bytes (a malloc'ed copy, so that a
	 * read past the end is caught by the sanitizers). */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	while ((r = ue_msg_list_next(copy, size, &pos, &e, &elen)) == 1) {
		if (e < copy || e + elen > copy + size)
			abort();
		if (ue_msg_element_uri(e, elen, out, sizeof(out), err, sizeof(err)) != 0 &&
		    (!err[0] || strchr(err, '\n')))
			abort();
		(void)ue_msg_element_param(e, elen, "expires", out, sizeof(out));
		(void)ue_msg_uri_hostport(e, elen, host, sizeof(host), &port, err, sizeof(err));
	}
	(void)ue_msg_delta_seconds(copy, size, &x, err, sizeof(err));
	{
		char tag[128];
		int tl = ue_msg_icsi_tag(copy, size, tag, sizeof(tag), err, sizeof(err));

		if ((tl < 0 && (!err[0] || strchr(err, '\n'))) ||
		    (tl >= 0 && ((size_t)tl != strlen(tag) || strchr(tag, '\r'))))
			abort();
	}
	free(copy);

	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (line = strtok_r(copy, "\n", &save); line && n < MAX_HDRS;
	     line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		h[n].name = line;
		h[n].value = colon + 1 + strspn(colon + 1, " ");
		n++;
	}
	err[0] = '\0';
	if (ue_msg_reg_ok_parse(h, n, "192.0.2.10", 5060, "urn:gsma:imei:49015420-323751-0", &ok,
				err, sizeof(err)) != 0) {
		if (!err[0] || strchr(err, '\n'))
			abort();
	} else if (ok.n_assoc_uri > UE_MSG_MAX_LIST || ok.n_service_route > UE_MSG_MAX_LIST ||
		   (ok.contact_found && ok.expires < -1)) {
		abort();
	}
	{
		struct ue_msg_binding b[4];
		int cnt = -1, total = -1;

		err[0] = '\0';
		if (ue_msg_bindings_parse(h, n, b, 4, &cnt, &total, err, sizeof(err)) != 0) {
			if (!err[0] || strchr(err, '\n'))
				abort();
		} else if (cnt < 0 || cnt > 4 || total < cnt ||
			   (cnt > 0 &&
			    (b[cnt - 1].expires < -1 ||
			     strnlen(b[cnt - 1].uri, sizeof(b[0].uri)) == sizeof(b[0].uri)))) {
			abort();
		}
	}
	free(copy);
	return 0;
}
