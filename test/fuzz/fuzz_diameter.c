/* libFuzzer target: the test HSS's Diameter decoder (header, AVPs, grouped AVPs), used as a
 * stream reader would: message length first, then the whole message, then every AVP walked.
 * FUZZ-SOURCES: test/hss/diameter.c
 * FUZZ-PKGS:
 */
#include <stddef.h>
#include <stdint.h>

#include "test/hss/diameter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const uint8_t *buf, size_t len, int depth)
{
	struct diam_avp avp;
	size_t off = 0;
	uint32_t v;
	char s[64];

	while (diam_avp_next(buf, len, &off, &avp, NULL, 0) > 0) {
		diam_avp_get_u32(&avp, &v, NULL, 0);
		diam_avp_copy_str(&avp, s, sizeof(s), NULL, 0);
		if (depth > 0 && diam_avp_is_grouped(avp.code, avp.vendor))
			walk(avp.data, avp.len, depth - 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *body;
	struct diam_hdr hdr;
	size_t body_len;
	char err[128];
	long mlen;

	mlen = diam_msg_length(data, size, err, sizeof(err));
	if (mlen > 0 && (size_t)mlen <= size &&
	    diam_msg_decode(data, (size_t)mlen, &hdr, &body, &body_len, err, sizeof(err)) == 0) {
		walk(body, body_len, DIAM_GROUP_DEPTH_MAX);
		diam_avp_find(body, body_len, 263, 0, &(struct diam_avp){0}, err, sizeof(err));
	}
	/* the raw input as an AVP area, and a decode attempt at its exact size */
	walk(data, size, 3);
	diam_avps_validate(data, size, DIAM_GROUP_DEPTH_MAX, err, sizeof(err));
	diam_msg_decode(data, size, &hdr, &body, &body_len, err, sizeof(err));
	return 0;
}
