/* Minimal Diameter codec (RFC 6733 message header and AVPs, 3GPP Cx AVPs) for the test HSS.
 *
 * Decoding is a set of pure functions over (bytes, length): nothing is copied, AVP values point
 * into the caller's buffer. Encoding appends to a fixed caller-supplied buffer and records
 * overflow instead of failing at each call; diam_msg_end() reports it once.
 */
#ifndef IMSUE_TEST_HSS_DIAMETER_H
#define IMSUE_TEST_HSS_DIAMETER_H

#include <stddef.h>
#include <stdint.h>

#define DIAM_VERSION 1
#define DIAM_HDR_LEN 20
/* Longest message this codec accepts: far above anything Cx sends here. */
#define DIAM_MSG_MAX 65536
/* Nesting limit for grouped AVPs during validation. */
#define DIAM_GROUP_DEPTH_MAX 8

/* Command flags (RFC 6733 3). */
#define DIAM_FLAG_REQUEST    0x80
#define DIAM_FLAG_PROXIABLE  0x40
#define DIAM_FLAG_ERROR      0x20
#define DIAM_FLAG_RETRANSMIT 0x10

/* AVP flags (RFC 6733 4.1). */
#define DIAM_AVP_VENDOR    0x80
#define DIAM_AVP_MANDATORY 0x40
#define DIAM_AVP_PROTECTED 0x20

#define DIAM_VENDOR_3GPP 10415
#define DIAM_APP_COMMON  0
#define DIAM_APP_CX      16777216

/* Command codes: base (RFC 6733) and Cx (TS 29.229 6.1). */
enum diam_cmd {
	DIAM_CMD_CE = 257,
	DIAM_CMD_DW = 280,
	DIAM_CMD_DP = 282,
	DIAM_CMD_UA = 300,
	DIAM_CMD_SA = 301,
	DIAM_CMD_LI = 302,
	DIAM_CMD_MA = 303,
	DIAM_CMD_RT = 304,
	DIAM_CMD_PP = 305,
};

/* Base AVP codes (RFC 6733, RFC 4740 for Digest-*), vendor 0. */
enum diam_avp_base {
	DIAM_AVP_USER_NAME = 1,
	DIAM_AVP_DIGEST_REALM = 104,
	DIAM_AVP_DIGEST_QOP = 110,
	DIAM_AVP_DIGEST_ALGORITHM = 111,
	DIAM_AVP_DIGEST_HA1 = 121,
	DIAM_AVP_HOST_IP_ADDRESS = 257,
	DIAM_AVP_AUTH_APPLICATION_ID = 258,
	DIAM_AVP_ACCT_APPLICATION_ID = 259,
	DIAM_AVP_VENDOR_SPECIFIC_APPLICATION_ID = 260,
	DIAM_AVP_SESSION_ID = 263,
	DIAM_AVP_ORIGIN_HOST = 264,
	DIAM_AVP_SUPPORTED_VENDOR_ID = 265,
	DIAM_AVP_VENDOR_ID = 266,
	DIAM_AVP_FIRMWARE_REVISION = 267,
	DIAM_AVP_RESULT_CODE = 268,
	DIAM_AVP_PRODUCT_NAME = 269,
	DIAM_AVP_DISCONNECT_CAUSE = 273,
	DIAM_AVP_AUTH_SESSION_STATE = 277,
	DIAM_AVP_ORIGIN_STATE_ID = 278,
	DIAM_AVP_FAILED_AVP = 279,
	DIAM_AVP_ERROR_MESSAGE = 281,
	DIAM_AVP_ROUTE_RECORD = 282,
	DIAM_AVP_DESTINATION_REALM = 283,
	DIAM_AVP_PROXY_INFO = 284,
	DIAM_AVP_DESTINATION_HOST = 293,
	DIAM_AVP_ORIGIN_REALM = 296,
	DIAM_AVP_EXPERIMENTAL_RESULT = 297,
	DIAM_AVP_EXPERIMENTAL_RESULT_CODE = 298,
};

/* Cx AVP codes (TS 29.229 6.3), vendor 10415. */
enum diam_avp_cx {
	CX_AVP_VISITED_NETWORK_IDENTIFIER = 600,
	CX_AVP_PUBLIC_IDENTITY = 601,
	CX_AVP_SERVER_NAME = 602,
	CX_AVP_SERVER_CAPABILITIES = 603,
	CX_AVP_USER_DATA = 606,
	CX_AVP_SIP_NUMBER_AUTH_ITEMS = 607,
	CX_AVP_SIP_AUTHENTICATION_SCHEME = 608,
	CX_AVP_SIP_AUTHENTICATE = 609,
	CX_AVP_SIP_AUTHORIZATION = 610,
	CX_AVP_SIP_AUTHENTICATION_CONTEXT = 611,
	CX_AVP_SIP_AUTH_DATA_ITEM = 612,
	CX_AVP_SIP_ITEM_NUMBER = 613,
	CX_AVP_SERVER_ASSIGNMENT_TYPE = 614,
	CX_AVP_DEREGISTRATION_REASON = 615,
	CX_AVP_REASON_CODE = 616,
	CX_AVP_REASON_INFO = 617,
	CX_AVP_CHARGING_INFORMATION = 618,
	CX_AVP_USER_AUTHORIZATION_TYPE = 623,
	CX_AVP_USER_DATA_ALREADY_AVAILABLE = 624,
	CX_AVP_CONFIDENTIALITY_KEY = 625,
	CX_AVP_INTEGRITY_KEY = 626,
	CX_AVP_SUPPORTED_FEATURES = 628,
	CX_AVP_FEATURE_LIST_ID = 629,
	CX_AVP_FEATURE_LIST = 630,
	CX_AVP_ASSOCIATED_IDENTITIES = 632,
	CX_AVP_ORIGINATING_REQUEST = 633,
	CX_AVP_SIP_DIGEST_AUTHENTICATE = 635,
};

/* Result codes: base (RFC 6733 7.1) and Cx experimental (TS 29.229 6.2). */
enum diam_result {
	DIAM_SUCCESS = 2001,
	DIAM_COMMAND_UNSUPPORTED = 3001,
	DIAM_UNABLE_TO_DELIVER = 3002,
	DIAM_APPLICATION_UNSUPPORTED = 3007,
	DIAM_INVALID_HDR_BITS = 3008,
	DIAM_INVALID_AVP_BITS = 3009,
	DIAM_AUTHORIZATION_REJECTED = 5003,
	DIAM_MISSING_AVP = 5005,
	DIAM_UNABLE_TO_COMPLY = 5012,
	DIAM_INVALID_MESSAGE_LENGTH = 5015,
	CX_FIRST_REGISTRATION = 2001,
	CX_SUBSEQUENT_REGISTRATION = 2002,
	CX_UNREGISTERED_SERVICE = 2003,
	CX_ERROR_USER_UNKNOWN = 5001,
	CX_ERROR_IDENTITIES_DONT_MATCH = 5002,
	CX_ERROR_IDENTITY_NOT_REGISTERED = 5003,
	CX_ERROR_ROAMING_NOT_ALLOWED = 5004,
	CX_ERROR_AUTH_SCHEME_NOT_SUPPORTED = 5006,
};

/** A decoded message header (RFC 6733 3). */
struct diam_hdr {
	uint8_t version;
	uint32_t length; /* whole message, header included */
	uint8_t flags;
	uint32_t code;
	uint32_t app_id;
	uint32_t hop_by_hop;
	uint32_t end_to_end;
};

/** One decoded AVP; data points into the decoded buffer. */
struct diam_avp {
	uint32_t code;
	uint8_t flags;
	uint32_t vendor; /* 0 when the V flag is clear */
	const uint8_t *data;
	size_t len; /* payload length, without header or padding */
};

/**
 * diam_msg_length() - length of the message starting at @buf, from its first four bytes.
 * Returns the message length (>= DIAM_HDR_LEN), 0 when fewer than 4 bytes are available, or -1
 * with a reason in @err when the version or length field cannot start a valid message.
 * Stream readers use it to know how many bytes to wait for.
 */
long diam_msg_length(const uint8_t *buf, size_t len, char *err, size_t errlen);

/**
 * diam_hdr_decode() - decode and check the header of the message in @buf (@len bytes).
 * @len must hold the whole message: the header's length field must equal @len.
 * Returns 0, or -1 with a one-line reason in @err.
 */
int diam_hdr_decode(const uint8_t *buf, size_t len, struct diam_hdr *hdr, char *err, size_t errlen);

/**
 * diam_avp_next() - decode the AVP at offset *@off of an AVP area (@buf, @len) and advance *@off
 * past it and its padding. The area is a message body or a grouped AVP's payload.
 * Returns 1 with @avp filled, 0 at the end of the area, -1 with a reason in @err.
 */
int diam_avp_next(const uint8_t *buf, size_t len, size_t *off, struct diam_avp *avp, char *err,
		  size_t errlen);

/**
 * diam_avps_validate() - walk every AVP of an area, descending into the payload of AVPs that
 * diam_avp_is_grouped() names, at most @depth levels. Returns 0, or -1 with a reason in @err.
 */
int diam_avps_validate(const uint8_t *buf, size_t len, int depth, char *err, size_t errlen);

/**
 * diam_msg_decode() - decode the header and validate every AVP of a whole message.
 * On success *@body and *@body_len give the AVP area. Returns 0, or -1 with a reason in @err.
 */
int diam_msg_decode(const uint8_t *buf, size_t len, struct diam_hdr *hdr, const uint8_t **body,
		    size_t *body_len, char *err, size_t errlen);

/**
 * diam_avp_is_grouped() - whether the codec knows (code, vendor) as a Grouped AVP.
 */
int diam_avp_is_grouped(uint32_t code, uint32_t vendor);

/**
 * diam_avp_find() - first AVP (code, vendor) at the top level of an area.
 * Returns 1 and fills @avp, 0 when absent, -1 when the area is malformed (reason in @err).
 */
int diam_avp_find(const uint8_t *buf, size_t len, uint32_t code, uint32_t vendor,
		  struct diam_avp *avp, char *err, size_t errlen);

/**
 * diam_avp_get_u32() - the value of an Unsigned32/Integer32/Enumerated AVP.
 * Returns 0, or -1 with a reason in @err when the payload is not 4 bytes.
 */
int diam_avp_get_u32(const struct diam_avp *avp, uint32_t *val, char *err, size_t errlen);

/**
 * diam_find_u32() - diam_avp_find() followed by diam_avp_get_u32().
 * Returns 1 when found and well formed, 0 when absent, -1 on malformed input.
 */
int diam_find_u32(const uint8_t *buf, size_t len, uint32_t code, uint32_t vendor, uint32_t *val,
		  char *err, size_t errlen);

/**
 * diam_avp_copy_str() - copy an OctetString/UTF8String payload into @dst as a NUL-terminated
 * string. Returns 0, or -1 (reason in @err) when it does not fit or contains a NUL byte.
 */
int diam_avp_copy_str(const struct diam_avp *avp, char *dst, size_t dstlen, char *err,
		      size_t errlen);

/** An output buffer for one message. */
struct diam_buf {
	uint8_t *data;
	size_t cap;
	size_t len;
	int overflow;
};

/** diam_buf_init() - use @storage (@cap bytes) for the next message. */
void diam_buf_init(struct diam_buf *b, uint8_t *storage, size_t cap);

/** diam_msg_begin() - start a message with the given header fields; the length is filled later. */
void diam_msg_begin(struct diam_buf *b, uint8_t flags, uint32_t code, uint32_t app_id,
		    uint32_t hop_by_hop, uint32_t end_to_end);

/**
 * diam_msg_end() - fill in the message length. Returns the message length, or -1 when the
 * buffer overflowed at any point (reason in @err).
 */
long diam_msg_end(struct diam_buf *b, char *err, size_t errlen);

/** diam_put_avp() - append an AVP; the V flag is set when @vendor is not 0. */
void diam_put_avp(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor,
		  const void *data, size_t len);

/** diam_put_u32() - append an Unsigned32/Enumerated AVP. */
void diam_put_u32(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor, uint32_t val);

/** diam_put_str() - append an OctetString/UTF8String AVP holding a C string. */
void diam_put_str(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor, const char *s);

/** diam_put_addr_ipv4() - append an Address AVP (family 1) holding @addr in network order. */
void diam_put_addr_ipv4(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor,
			const uint8_t addr[4]);

/**
 * diam_group_begin() - open a Grouped AVP; AVPs appended until diam_group_end() are its payload.
 * Returns the handle to pass to diam_group_end().
 */
size_t diam_group_begin(struct diam_buf *b, uint32_t code, uint8_t flags, uint32_t vendor);

/** diam_group_end() - close the Grouped AVP opened at @handle and fill in its length. */
void diam_group_end(struct diam_buf *b, size_t handle);

/** diam_cmd_name() - a short name for a command code ("MAR"/"MAA" by @request), for logs. */
const char *diam_cmd_name(uint32_t code, int request);

#endif
