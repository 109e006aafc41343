/* REGISTER building and response reading for TS 24.229 5.1.1: pure
 * functions over text, no SIP stack types, so unit tests and fuzzers call
 * them directly.
 *
 * Parsers take (bytes, length), never read past length and do not need NUL
 * termination; on error they return -1 with a one-line reason in err.
 */
#ifndef IMSUE_UE_MSG_H
#define IMSUE_UE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ue/sip_glue.h"

#define UE_MSG_MAX_LIST 8
#define UE_MSG_URI_LEN  256

/* Everything that goes into one REGISTER (5.1.1.2, 5.1.1.4, 5.1.1.6). */
struct ue_msg_register {
	const char *home_domain; /* Request-URI sip:<home domain> */
	const char *impu;        /* From and To */
	const char *from_tag;
	const char *call_id;
	uint32_t cseq;
	const char *contact_user; /* user part of our Contact URI; NULL for none */
	const char *contact_host;
	uint16_t contact_port;
	const char *transport;    /* "udp", "tcp" or "tls": ;transport= unless udp */
	const char *instance;     /* "urn:gsma:imei:..." for +sip.instance, or NULL */
	const char *feature_tags; /* extra Contact params, e.g. the ICSI tag, or NULL */
	bool contact_star;        /* Contact: * (deregister all bindings) */
	bool no_contact;          /* fetch bindings */
	unsigned long expires;
	const char *authorization;   /* Authorization value or NULL */
	const char *security_client; /* Security-Client value or NULL (no sec-agree) */
	const char *security_verify; /* Security-Verify value or NULL */
	const char *pani;            /* P-Access-Network-Info, protected requests only */
	const char *user_agent;
};

/* Write the request line and header fields (CRLF separated, no Via, no
 * Content-Length) into out. Returns the length, or -1 when out is too small
 * or a required field is missing. */
int ue_msg_register_build(const struct ue_msg_register *r, char *out, size_t outlen);

/* What a REGISTER's 200 (OK) told us (5.1.1.2.1, 5.1.1.4.1). */
struct ue_msg_reg_ok {
	long expires; /* granted for our contact; -1 when not found */
	bool contact_found;
	int n_contacts; /* all bindings listed */
	char service_route[UE_MSG_MAX_LIST][UE_MSG_URI_LEN];
	int n_service_route;
	char assoc_uri[UE_MSG_MAX_LIST][UE_MSG_URI_LEN]; /* first = default IMPU */
	int n_assoc_uri;
	char path[UE_MSG_MAX_LIST][UE_MSG_URI_LEN];
	int n_path;
	char pub_gruu[UE_MSG_URI_LEN];
	char temp_gruu[UE_MSG_URI_LEN];
	char auth_info[512]; /* Authentication-Info value, "" if absent */
	char feature_caps[256];
};

/* Read a 200 (OK) to REGISTER. Our contact is the one whose +sip.instance
 * equals instance (when given) or whose URI has host and port; its expires
 * parameter wins over the Expires header. */
int ue_msg_reg_ok_parse(const struct sip_hdr *h, size_t n, const char *host, uint16_t port,
			const char *instance, struct ue_msg_reg_ok *ok, char *err, size_t errlen);

/* One binding listed in a 200 (OK) to REGISTER (RFC 3261 10.2.4, 10.3
 * step 8): every Contact of the response. */
struct ue_msg_binding {
	char uri[UE_MSG_URI_LEN];
	long expires;                  /* the contact's expires, else Expires; -1 if neither */
	char instance[UE_MSG_URI_LEN]; /* +sip.instance without quotes and <>, "" if absent */
};

/* Every binding of a 200 (OK) to REGISTER (e.g. one fetching bindings,
 * 24.229 5.1.1.4.1), at most max of them into out (the rest are counted in
 * *total but not stored). *count is the number stored. "Contact: *" or a
 * malformed element is an error. */
int ue_msg_bindings_parse(const struct sip_hdr *h, size_t n, struct ue_msg_binding *out, int max,
			  int *count, int *total, char *err, size_t errlen);

/* The value of the first header called name (case-insensitive; compact
 * forms are already expanded by the transport), or NULL. */
const char *ue_msg_header(const struct sip_hdr *h, size_t n, const char *name);

/* A header holding a delta-seconds number (Min-Expires, Retry-After,
 * Expires): the leading number, comments and parameters ignored. */
int ue_msg_delta_seconds(const char *v, size_t len, unsigned long *out, char *err, size_t errlen);

/* Iterate over a comma-separated header value, respecting quoted strings
 * and <...>. *pos starts at 0. Returns 1 with the trimmed element in
 * (*item, *itemlen), 0 at the end, -1 on an unterminated quote or <. */
int ue_msg_list_next(const char *v, size_t len, size_t *pos, const char **item, size_t *itemlen);

/* The URI of a name-addr or addr-spec element ("Name" <uri>;p or uri;p)
 * into out (NUL-terminated). */
int ue_msg_element_uri(const char *e, size_t len, char *out, size_t outlen, char *err,
		       size_t errlen);

/* A header parameter of an element (after the URI): 1 with its unquoted
 * value in out ("" for a flag), 0 when absent, -1 on a malformed element
 * or a value longer than outlen - 1. */
int ue_msg_element_param(const char *e, size_t len, const char *name, char *out, size_t outlen);

/* Host and port of a sip:/sips: URI (port 0 when absent). */
int ue_msg_uri_hostport(const char *uri, size_t len, char *host, size_t hostlen, uint16_t *port,
			char *err, size_t errlen);

/* The g.3gpp.icsi-ref media feature tag (24.229 7.9.2, RFC 3840) for a
 * list of ICSI URNs separated by commas or blanks (e.g. the config key
 * icsi): +g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel,..."
 * with every character other than letters, digits and "-._~" percent-
 * encoded. Returns the length; -1 with err for an empty list, a value not
 * starting with "urn:", a quote, backslash or control character, or an out
 * buffer too small. */
int ue_msg_icsi_tag(const char *list, size_t len, char *out, size_t outlen, char *err,
		    size_t errlen);

/* Refresh delay for a granted registration (5.1.1.4.1): 600 s before
 * expiry when it is longer than 1200 s, else at half of it. In seconds. */
unsigned long ue_msg_refresh_delay(unsigned long expires);

/* Fresh random token of hex characters (Call-ID, tags, cnonce). */
int ue_msg_random_token(char *out, size_t outlen, size_t nbytes);

#endif
