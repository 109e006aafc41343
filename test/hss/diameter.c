/* Minimal Diameter codec for the test HSS (see diameter.h). */
#include "test/hss/diameter.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static uint32_t get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put24(uint8_t *p, uint32_t v)
{
	p[0] = v >> 16;
	p[1] = v >> 8;
	p[2] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

long diam_msg_length(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	uint32_t mlen;

	if (len < 4)
		return 0;
	if (buf[0] != DIAM_VERSION)
		return fail(err, errlen, "unsupported Diameter version %u", buf[0]);
	mlen = get24(buf + 1);
	if (mlen < DIAM_HDR_LEN)
		return fail(err, errlen, "message length %u is shorter than the header", mlen);
	if (mlen % 4)
		return fail(err, errlen, "message length %u is not a multiple of 4", mlen);
	if (mlen > DIAM_MSG_MAX)
		return fail(err, errlen, "message length %u exceeds the limit %u", mlen,
			    DIAM_MSG_MAX);
	return mlen;
}

int diam_hdr_decode(const uint8_t *buf, size_t len, struct diam_hdr *hdr, char *err, size_t errlen)
{
	long mlen;

	if (len < DIAM_HDR_LEN)
		return fail(err, errlen, "truncated header: %zu bytes, need %d", len, DIAM_HDR_LEN);
	mlen = diam_msg_length(buf, len, err, errlen);
	if (mlen < 0)
		return -1;
	if ((size_t)mlen != len)
		return fail(err, errlen, "message length field %ld but %zu bytes given", mlen, len);
	hdr->version = buf[0];
	hdr->length = (uint32_t)mlen;
	hdr->flags = buf[4];
	hdr->code = get24(buf + 5);
	hdr->app_id = get32(buf + 8);
	hdr->hop_by_hop = get32(buf + 12);
	hdr->end_to_end = get32(buf + 16);
	if (hdr->flags & 0x0f)
		return fail(err, errlen, "reserved command flag bits set (0x%02x)", hdr->flags);
	if ((hdr->flags & DIAM_FLAG_REQUEST) && (hdr->flags & DIAM_FLAG_ERROR))
		return fail(err, errlen, "E bit set on a request");
	return 0;
}

int diam_avp_next(const uint8_t *buf, size_t len, size_t *off, struct diam_avp *avp, char *err,
		  size_t errlen)
{
	size_t rem, hlen, padded, i;
	uint32_t alen;

	if (*off > len)
		return fail(err, errlen, "AVP offset %zu beyond the %zu-byte area", *off, len);
	rem = len - *off;
	if (rem == 0)
		return 0;
	buf += *off;
	if (rem < 8)
		return fail(err, errlen, "truncated AVP header at offset %zu (%zu bytes)", *off,
			    rem);
	avp->code = get32(buf);
	avp->flags = buf[4];
	alen = get24(buf + 5);
	hlen = (avp->flags & DIAM_AVP_VENDOR) ? 12 : 8;
	if (rem < hlen)
		return fail(err, errlen, "truncated vendor AVP header at offset %zu", *off);
	if (alen < hlen)
		return fail(err, errlen, "AVP %u length %u is shorter than its %zu-byte header",
			    avp->code, alen, hlen);
	if (alen > rem)
		return fail(err, errlen, "AVP %u length %u overflows the %zu remaining bytes",
			    avp->code, alen, rem);
	padded = ((size_t)alen + 3) & ~(size_t)3;
	if (padded > rem)
		return fail(err, errlen, "AVP %u padding missing: needs %zu bytes, %zu remain",
			    avp->code, padded, rem);
	for (i = alen; i < padded; i++)
		if (buf[i])
			return fail(err, errlen, "AVP %u padding is not zero", avp->code);
	avp->vendor = (avp->flags & DIAM_AVP_VENDOR) ? get32(buf + 8) : 0;
	avp->data = buf + hlen;
	avp->len = alen - hlen;
	*off += padded;
	return 1;
}

int diam_avp_is_grouped(uint32_t code, uint32_t vendor)
{
	if (vendor == 0) {
		switch (code) {
		case DIAM_AVP_VENDOR_SPECIFIC_APPLICATION_ID:
		case DIAM_AVP_FAILED_AVP:
		case DIAM_AVP_PROXY_INFO:
		case DIAM_AVP_EXPERIMENTAL_RESULT:
			return 1;
		}
		return 0;
	}
	if (vendor == DIAM_VENDOR_3GPP) {
		switch (code) {
		case CX_AVP_SERVER_CAPABILITIES:
		case CX_AVP_SIP_AUTH_DATA_ITEM:
		case CX_AVP_DEREGISTRATION_REASON:
		case CX_AVP_CHARGING_INFORMATION:
		case CX_AVP_SUPPORTED_FEATURES:
		case CX_AVP_ASSOCIATED_IDENTITIES:
		case CX_AVP_SIP_DIGEST_AUTHENTICATE:
			return 1;
		}
	}
	return 0;
}

int diam_avps_validate(const uint8_t *buf, size_t len, int depth, char *err, size_t errlen)
{
	struct diam_avp avp;
	size_t off = 0;
	int r;

	while ((r = diam_avp_next(buf, len, &off, &avp, err, errlen)) > 0) {
		if (!diam_avp_is_grouped(avp.code, avp.vendor))
			continue;
		if (depth <= 0)
			return fail(err, errlen, "grouped AVP %u nested too deeply", avp.code);
		if (diam_avps_validate(avp.data, avp.len, depth - 1, err, errlen) < 0)
			return -1;
	}
	return r;
}

int diam_msg_decode(const uint8_t *buf, size_t len, struct diam_hdr *hdr, const uint8_t **body,
		    size_t *body_len, char *err, size_t errlen)
{
	if (diam_hdr_decode(buf, len, hdr, err, errlen) < 0)
		return -1;
	if (diam_avps_validate(buf + DIAM_HDR_LEN, len - DIAM_HDR_LEN, DIAM_GROUP_DEPTH_MAX, err,
			       errlen) < 0)
		return -1;
	*body = buf + DIAM_HDR_LEN;
	*body_len = len - DIAM_HDR_LEN;
	return 0;
}

int diam_avp_find(const uint8_t *buf, size_t len, uint32_t code, uint32_t vendor,
		  struct diam_avp *avp, char *err, size_t errlen)
{
	size_t off = 0;
	int r;

	while ((r = diam_avp_next(buf, len, &off, avp, err, errlen)) > 0)
		if (avp->code == code && avp->vendor == vendor)
			return 1;
	return r;
}

int diam_avp_get_u32(const struct diam_avp *avp, uint32_t *val, char *err, size_t errlen)
{
	if (avp->len != 4)
		return fail(err, errlen, "AVP %u has %zu bytes, Unsigned32 needs 4", avp->code,
			    avp->len);
	*val = get32(avp->data);
	return 0;
}

int diam_find_u32(const uint8_t *buf, size_t len, uint32_t code, uint32_t vendor, uint32_t *val,
		  char *err, size_t errlen)
{
	struct diam_avp avp;
	int r;

	r = diam_avp_find(buf, len, code, vendor, &avp, err, errlen);
	if (r <= 0)
		return r;
	return diam_avp_get_u32(&avp, val, err, errlen) < 0 ? -1 : 1;
}

int diam_avp_copy_str(const struct diam_avp *avp, char *dst, size_t dstlen, char *err,
		      size_t errlen)
{
	if (avp->len >= dstlen)
		return fail(err, errlen, "AVP %u value of %zu bytes does not fit in %zu", avp->code,
			    avp->len, dstlen);
	if (memchr(avp->data, 0, avp->len))
		return fail(err, errlen, "AVP %u value contains a NUL byte", avp->code);
	memcpy(dst, avp->data, avp->len);
	dst[avp->len] = '\0';
	return 0;
}

void diam_buf_init(struct diam_buf *b, uint8_t *storage, size_t cap)
{
	b->data = storage;
	b->cap = cap;
	b->len = 0;
	b->overflow = 0;
}

/* Reserve n bytes at the end of the buffer, or mark the overflow. */
static uint8_t *reserve(struct diam_buf *b, size_t n)
{
	uint8_t *p;

	if (b->overflow || n > b->cap - b->len) {
		b->overflow = 1;
		return NULL;
	}
	p = b->data + b->len;
	b->len += n;
	return p;
}

void diam_msg_begin(struct diam_buf *b, uint8_t flags, uint32_t code, uint32_t app_id,
		    uint32_t hop_by_hop, uint32_t end_to_end)
{
	uint8_t *p;

	b->len = 0;
	b->overflow = 0;
	p = reserve(b, DIAM_HDR_LEN);
	if (!p)
		return;
	p[0] = DIAM_VERSION;
	put24(p + 1, 0);
	p[4] = flags;
	put24(p + 5, code);
	put32(p + 8, app_id);
	put32(p + 12, hop_by_hop);
	put32(p + 16, end_to_end);
}

long diam_msg_end(struct diam_buf *b, char *err, size_t errlen)
{
	if (b->overflow || b->len < DIAM_HDR_LEN)
		return fail(err, errlen, "message does not fit in %zu bytes", b->cap);
	if (b->len > DIAM_MSG_MAX)
		return fail(err, errlen, "message of %zu bytes exceeds the limit %u", b->len,
			    DIAM_MSG_MAX);
	put24(b->data + 1, (uint32_t)b->len);
	return (long)b->len;
}

/* Write an AVP header for a payload of len bytes; returns the header size or 0 on overflow. */
static size_t put_avp_header(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor,
			     size_t len)
{
	size_t hlen = vendor ? 12 : 8;
	uint8_t *p;

	if (len > 0xffffff - hlen) {
		b->overflow = 1;
		return 0;
	}
	p = reserve(b, hlen);
	if (!p)
		return 0;
	if (vendor)
		flags |= DIAM_AVP_VENDOR;
	else
		flags &= ~DIAM_AVP_VENDOR;
	put32(p, code);
	p[4] = flags;
	put24(p + 5, (uint32_t)(hlen + len));
	if (vendor)
		put32(p + 8, vendor);
	return hlen;
}

void diam_put_avp(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor,
		  const void *data, size_t len)
{
	size_t pad = (4 - len % 4) % 4;
	uint8_t *p;

	if (!put_avp_header(b, code, flags, vendor, len))
		return;
	p = reserve(b, len + pad);
	if (!p)
		return;
	if (len)
		memcpy(p, data, len);
	memset(p + len, 0, pad);
}

void diam_put_u32(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor, uint32_t val)
{
	uint8_t v[4];

	put32(v, val);
	diam_put_avp(b, code, flags, vendor, v, sizeof(v));
}

void diam_put_str(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor, const char *s)
{
	diam_put_avp(b, code, flags, vendor, s, strlen(s));
}

void diam_put_addr_ipv4(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor,
			const uint8_t addr[4])
{
	/* Address type (RFC 6733 4.3.1): 2-byte IANA address family, 1 = IPv4. */
	uint8_t v[6] = {0, 1, addr[0], addr[1], addr[2], addr[3]};

	diam_put_avp(b, code, flags, vendor, v, sizeof(v));
}

size_t diam_group_begin(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor)
{
	size_t start = b->len;

	if (!put_avp_header(b, code, flags, vendor, 0))
		return (size_t)-1;
	return start;
}

void diam_group_end(struct diam_buf *b, size_t handle)
{
	size_t alen;

	if (b->overflow || handle == (size_t)-1 || handle >= b->len)
		return;
	alen = b->len - handle;
	if (alen > 0xffffff) {
		b->overflow = 1;
		return;
	}
	put24(b->data + handle + 5, (uint32_t)alen);
}

const char *diam_cmd_name(uint32_t code, int request)
{
	static const struct {
		uint32_t code;
		const char *req, *ans;
	} names[] = {
		{DIAM_CMD_CE, "CER", "CEA"}, {DIAM_CMD_DW, "DWR", "DWA"},
		{DIAM_CMD_DP, "DPR", "DPA"}, {DIAM_CMD_UA, "UAR", "UAA"},
		{DIAM_CMD_SA, "SAR", "SAA"}, {DIAM_CMD_LI, "LIR", "LIA"},
		{DIAM_CMD_MA, "MAR", "MAA"}, {DIAM_CMD_RT, "RTR", "RTA"},
		{DIAM_CMD_PP, "PPR", "PPA"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return request ? names[i].req : names[i].ans;
	return request ? "request" : "answer";
}
